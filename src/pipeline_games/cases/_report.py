"""Case reports: Markdown and self-contained HTML with tables and figures.

Examples
--------
>>> import pipeline_games as pg
>>> from pipeline_games.cases._report import claims_table
>>> check = pg.cases.load("china-russia-gas").check(samples=16)
>>> claims_table(check).splitlines()[2].split()[:2]
['china-position-rose-2006-2014', 'holds']
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

__all__ = [
    "claims_table",
    "parameter_rows",
    "reproduce",
    "solution_table",
    "write_case_report",
]

_SHOWN = (
    "surplus",
    "buyer_outside_option",
    "seller_outside_option",
    "buyer_payoff",
    "seller_payoff",
    "buyer_share",
    "price",
    "binding",
)
_BINDING = {0: "none", 1: "buyer", 2: "seller", 3: "both"}
_OTHER_NOTE = (
    "Regime inputs describe the dyad's period (see the parameters); the route and "
    "investment games are calibrated to one decision and pay USD bn of present value; the "
    "diversification model is in units of the trade's first-best value."
)


def parameter_rows(case: Any) -> list[dict[str, Any]]:
    """One dict per parameter: name, value, unit, low, high, kind, source."""
    return [
        {
            "name": p.name,
            "value": p.value,
            "unit": p.unit,
            "low": p.low,
            "high": p.high,
            "kind": p.kind,
            "source": p.source,
        }
        for p in case.parameters.values()
    ]


def _cell(name: str, value: float | str) -> str:
    if isinstance(value, str):
        return value
    if name == "binding":
        return _BINDING.get(int(value), str(value))
    return f"{value:.4g}"


def _solution_rows(solution: Any) -> tuple[list[str], list[list[str]]]:
    """Bargaining outcome per epoch: one row per epoch."""
    first = next(iter(solution.outputs.values()))
    shown = [k for k in _SHOWN if k in first]
    header = ["epoch", *shown]
    rows = [
        [str(year), *(_cell(k, out[k]) for k in shown)] for year, out in solution.outputs.items()
    ]
    return header, rows


def _other_model_rows(solution: Any) -> tuple[list[str], list[list[str]]]:
    """Outputs of the other adapters (regime, governance, games, ...): one row per quantity,
    one column per epoch."""
    from ._adapters import ADAPTERS

    names = [
        q
        for adapter in solution.case.adapters
        if adapter != "bargaining"
        for q in ADAPTERS[adapter].outputs
        if q in next(iter(solution.outputs.values()))
    ]
    header = ["quantity", *(str(year) for year in solution.outputs)]
    rows = [[q, *(_cell(q, out[q]) for out in solution.outputs.values())] for q in names]
    return header, rows


def _text_table(header: list[str], rows: list[list[str]], right: bool = True) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(header)]
    align = str.rjust if right else str.ljust
    lines = ["".join(align(h, w) for h, w in zip(header, widths, strict=True))]
    lines += ["".join(align(c, w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def solution_table(solution: Any) -> str:
    """Plain-text tables of the outcome per epoch (bargaining, then the other models)."""
    text = _text_table(*_solution_rows(solution))
    header, rows = _other_model_rows(solution)
    if rows:
        text += "\n\nother models:\n" + _text_table(header, rows, right=False)
    return text


def _claim_rows(check: Any) -> list[list[str]]:
    rows = []
    for r in check.results:
        share = "-" if r.robustness != r.robustness else f"{r.robustness:.2f}"
        numbers = ", ".join(f"{k}={_cell(k, v)}" for k, v in r.details.items())
        rows.append([r.claim.id, r.verdict, share, numbers, r.claim.source])
    return rows


def claims_table(check: Any) -> str:
    """Plain-text claims table: id, verdict at base values, robustness share, numbers."""
    header = ["claim", "verdict", "robustness", "numbers at base values"]
    rows = [row[:4] for row in _claim_rows(check)]
    widths = [max(len(h), *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(header[:3])]
    lines = ["".join(h.ljust(w) for h, w in zip(header[:3], widths, strict=True)) + header[3]]
    for row in rows:
        lines.append("".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + row[3])
    lines.append(
        f"(robustness: share of {check.samples} Sobol samples of the box, seed {check.seed})"
    )
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(clean(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(solution: Any, check: Any) -> tuple[dict[str, Any], str]:
    """Figures by file stem, or ({}, reason) if matplotlib is missing."""
    try:
        from . import _plot as plot

        figures = {
            "frontier": plot.frontier_figure(solution),
            "outcome_path": plot.outcome_path_figure(solution),
            "robustness": plot.robustness_figure(check),
        }
        case = solution.case
        if "network" in case.adapters:
            figures["network_shares"] = plot.network_figure(case)
        if "diversification" in case.adapters:
            year = _claim_year(case, "diversification")
            figures["diversification"] = plot.diversification_figure(case, year)
        if "route_choice" in case.adapters:
            figures["route_regions"] = plot.route_regions_figure(
                case, _claim_year(case, "route_choice")
            )
        return figures, ""
    except ImportError as exc:
        return {}, f"Figures not drawn: {exc}"


def _claim_year(case: Any, adapter: str) -> int:
    """The epoch of the first claim about one of ``adapter``'s quantities (else the last)."""
    from ._adapters import ADAPTERS
    from ._grammar import claim_references

    outputs = set(ADAPTERS[adapter].outputs)
    for claim in case.claims:
        for year, quantity in claim_references(claim.test):
            if quantity in outputs and year is not None:
                return int(year)
    return int(case.years[-1])


def write_case_report(case: Any, out: Path, samples: int = 1024, seed: int = 0) -> list[Path]:
    """Solve and check ``case``; write ``<name>.md``, ``<name>.html`` and figures into ``out``."""
    paths, _ = _write_case_report(case, Path(out), samples, seed)
    return paths


def _write_case_report(case: Any, out: Path, samples: int, seed: int) -> tuple[list[Path], Any]:
    out.mkdir(parents=True, exist_ok=True)
    solution = case.solve()
    check = case.check(samples=samples, seed=seed)
    figures, figure_note = _figures(solution, check)
    written: list[Path] = []
    embedded: dict[str, str] = {}
    for stem, fig in figures.items():
        for suffix in ("png", "svg"):
            path = out / f"{case.name}-{stem}.{suffix}"
            fig.savefig(path, dpi=120)
            written.append(path)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        embedded[stem] = base64.b64encode(buffer.getvalue()).decode("ascii")
        import matplotlib.pyplot as plt

        plt.close(fig)
    param_header = ["parameter", "value", "unit", "low", "high", "kind", "source"]
    param_rows = [
        [
            r["name"],
            f"{r['value']:.4g}",
            r["unit"],
            f"{r['low']:.4g}",
            f"{r['high']:.4g}",
            r["kind"],
            r["source"],
        ]
        for r in parameter_rows(case)
    ]
    epoch_header = ["year", "what moved", "parameters set", "source"]
    epoch_rows = [
        [
            str(e.year),
            e.label,
            ", ".join(f"{k} = {v}" for k, v in e.changes.items()) or "base values",
            e.source,
        ]
        for e in case.epochs
    ]
    sol_header, sol_rows = _solution_rows(solution)
    other_header, other_rows = _other_model_rows(solution)
    claim_header = ["claim", "verdict (base)", "robustness", "numbers at base", "source"]
    claim_rows = _claim_rows(check)
    statements = [[c.id, c.statement] for c in case.claims]
    unavailable: list[str] = []
    intro = (
        f"Dyad: {case.dyad[0]} (buyer) - {case.dyad[1]} (seller). "
        f"Model adapters: {', '.join(case.adapters)}.\n\n{case.summary}"
    )
    robustness_note = (
        f"Robustness: share of {check.samples} scrambled Sobol samples (seed {check.seed}) of the "
        "box of all parameters, each in its [low, high], in which the claim holds. A claim that "
        "fails at the base values is a finding, not an error."
    )
    from ._bibliography import cite

    keys = sorted(
        {p.source for p in case.parameters.values() if p.source}
        | {c.source for c in case.claims}
        | {e.source for e in case.epochs if e.source}
        | {b.source for b in case.backtest_points}
    )
    sources = [[key, cite(key)] for key in keys]
    md = [f"# {case.title}", "", intro, ""]
    md += ["## Claims", "", robustness_note, "", _md_table(claim_header, claim_rows), ""]
    md += [_md_table(["claim", "statement"], statements), ""]
    if unavailable:
        md += ["Not evaluated: " + "; ".join(unavailable), ""]
    md += ["## Outcome per epoch", "", "Payoffs in USD bn/yr; price per unit of the case.", ""]
    md += [_md_table(sol_header, sol_rows), ""]
    if other_rows:
        md += ["### Other models per epoch", "", _OTHER_NOTE, ""]
        md += [_md_table(other_header, other_rows), ""]
    md += ["## Epochs", "", _md_table(epoch_header, epoch_rows), ""]
    md += ["## Parameters", "", _md_table(param_header, param_rows), ""]
    md += ["## Sources", "", _md_table(["id", "reference"], sources), ""]
    md += ["## Figures", ""]
    if figures:
        md += [f"![{stem}]({case.name}-{stem}.png)" for stem in figures]
    else:
        md.append(figure_note)
    md.append(
        "\nThe Shapley/nucleolus shares of the transit network are not drawn: the coalition "
        "adapter is not available in this build."
        if "network" in case.adapters and "network" in str(unavailable)
        else ""
    )
    md_path = out / f"{case.name}.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    written.insert(0, md_path)

    imgs = (
        "".join(
            f'<figure><img alt="{stem}" src="data:image/png;base64,{data}"></figure>'
            for stem, data in embedded.items()
        )
        or f"<p>{html.escape(figure_note)}</p>"
    )
    body = [
        f"<h1>{html.escape(case.title)}</h1>",
        f"<p>{html.escape(intro)}</p>",
        "<h2>Claims</h2>",
        f"<p>{html.escape(robustness_note)}</p>",
        _html_table(claim_header, claim_rows),
        _html_table(["claim", "statement"], statements),
    ]
    if unavailable:
        body.append(f"<p>Not evaluated: {html.escape('; '.join(unavailable))}</p>")
    body += [
        "<h2>Outcome per epoch</h2>",
        _html_table(sol_header, sol_rows),
        *(
            [
                "<h3>Other models per epoch</h3>",
                f"<p>{html.escape(_OTHER_NOTE)}</p>",
                _html_table(other_header, other_rows),
            ]
            if other_rows
            else []
        ),
        "<h2>Epochs</h2>",
        _html_table(epoch_header, epoch_rows),
        "<h2>Parameters</h2>",
        _html_table(param_header, param_rows),
        "<h2>Sources</h2>",
        _html_table(["id", "reference"], sources),
        "<h2>Figures</h2>",
        imgs,
    ]
    html_path = out / f"{case.name}.html"
    html_path.write_text(_html_page(case.title, "".join(body)), encoding="utf-8")
    written.insert(1, html_path)
    return written, check


def _html_page(title: str, body: str) -> str:
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.4}"
        "table{border-collapse:collapse;margin:1em 0;font-size:0.85em}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
        "img{max-width:100%}"
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>{body}</body></html>\n"
    )


def reproduce(out: Path, samples: int = 1024, seed: int = 0) -> dict[str, Any]:
    """Report every shipped case into ``out`` and write ``index.md`` / ``index.html``.

    Returns a summary dict with one row per claim (JSON-ready).
    """
    from . import list_cases, load

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for name in list_cases():
        case = load(name)
        _, check = _write_case_report(case, out, samples, seed)
        for r in check.results:
            rows.append(
                {
                    "case": name,
                    "id": r.claim.id,
                    "verdict": r.verdict,
                    "robustness": r.robustness,
                    "statement": r.claim.statement,
                }
            )
    header = ["case", "claim", "verdict (base)", "robustness", "statement"]
    table_rows = [
        [
            r["case"],
            r["id"],
            r["verdict"],
            "-" if r["robustness"] != r["robustness"] else f"{r['robustness']:.2f}",
            r["statement"],
        ]
        for r in rows
    ]
    links = [f"- [{n}]({n}.md) ([HTML]({n}.html))" for n in list_cases()]
    note = (
        f"Robustness: share of {samples} Sobol samples (seed {seed}) of each case's parameter box "
        "in which the claim holds."
    )
    index_md = out / "index.md"
    index_md.write_text(
        "\n".join(
            [
                "# pipeline_games: reproduced cases",
                "",
                *links,
                "",
                note,
                "",
                _md_table(header, table_rows),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    link_html = "".join(f'<li><a href="{n}.html">{html.escape(n)}</a></li>' for n in list_cases())
    (out / "index.html").write_text(
        _html_page(
            "pipeline_games: reproduced cases",
            f"<h1>pipeline_games: reproduced cases</h1><ul>{link_html}</ul>"
            f"<p>{html.escape(note)}</p>{_html_table(header, table_rows)}",
        ),
        encoding="utf-8",
    )
    return {"index": str(index_md), "samples": samples, "seed": seed, "claims": rows}
