"""mkdocs hook: generated figures, the case-file schema page, and MathJax bundled for offline use.

* Figures are never pasted into the docs: they are drawn here, by the code they illustrate,
  into ``docs/figures/`` (ignored by git) before each build.
* ``reference/case-file.md`` (the user-facing page of the case-file format) and
  ``reference/case-file.schema.json`` (the JSON Schema, for editors) are generated from
  ``pipeline_games.cases.case_file_schema()`` and added to the site; they are not files of the
  repository.
* MathJax is copied into the site from the ``django-static-mathjax`` package (MathJax 3, in the
  ``docs`` extra), so the math renders without a network connection.

Needs the ``docs`` extra and the core dependencies only (matplotlib is core; pandas is not used).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIGURES = Path(__file__).parent / "figures"
SCHEMA_PAGE = "reference/case-file.md"
SCHEMA_FILE = "reference/case-file.schema.json"
BIBLIOGRAPHY_PAGE = "reference/bibliography.md"
MATHJAX = "javascripts/mathjax/tex-svg.js"
MATHJAX_CONFIG = "javascripts/mathjax-config.js"

_MATHJAX_CONFIG = """\
window.MathJax = {
  tex: {inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
        processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex"}
};
document$.subscribe(() => {
  if (window.MathJax && MathJax.typesetPromise) { MathJax.typesetPromise(); }
});
"""


# -- figures ------------------------------------------------------------------------------
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bargaining_solutions(path: Path) -> None:
    """The four axiomatic solutions on a concave frontier, and Rubinstein converging to Nash."""
    import numpy as np

    import pipeline_games as pg

    plt = _pyplot()
    problem = pg.BargainingProblem.power(
        surplus=100.0, disagreement=(10.0, 2.0), scale=1.5, exponent=0.6
    )
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6), layout="constrained")
    u0 = np.linspace(0.0, 100.0, 400)
    left.plot(u0, problem.frontier.value(u0), color="black", label="Pareto frontier")
    left.plot(10.0, 2.0, "ks", label="disagreement point d")
    for solver, marker in [
        (pg.nash, "o"),
        (pg.kalai_smorodinsky, "^"),
        (pg.egalitarian, "D"),
        (pg.utilitarian, "v"),
    ]:
        payoffs = solver(problem).payoffs
        left.plot(*payoffs, marker, markersize=8, label=solver.__name__.replace("_", "-"))
    left.set_xlabel("buyer's utility u0 (payoff units)")
    left.set_ylabel("seller's utility u1 (payoff units)")
    left.set_title("Axiomatic solutions, u1 = 1.5 (100 - u0)^0.6")
    left.legend(fontsize=8)
    periods = np.logspace(1, -4, 60)
    line = pg.BargainingProblem.linear(100.0)
    outcome = pg.rubinstein(line, rates=(0.05, 0.10), period=periods)
    right.semilogx(periods, outcome.payoffs[:, 0], label="Rubinstein, buyer proposes")
    nash = pg.nash(line, weight=0.10 / 0.15).payoffs[0]
    right.axhline(nash, color="black", linestyle="--", label="Nash, weight r1 / (r0 + r1)")
    right.invert_xaxis()
    right.set_xlabel("length of a bargaining period (years)")
    right.set_ylabel("buyer's payoff (payoff units, surplus 100)")
    right.set_title("Discount rates 5% (buyer) and 10% (seller)")
    right.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def case_outcome_path(path: Path) -> None:
    """China's share against the moving outside options in the China-Russia gas case, drawn
    by the function the case reports use."""
    import pipeline_games as pg
    from pipeline_games.cases._plot import outcome_path_figure

    plt = _pyplot()
    fig = outcome_path_figure(pg.cases.load("china-russia-oil").solve())
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sweep_central_asian_gas(path: Path) -> None:
    """The tutorial's case sweep: the 2012 price of Russian gas against Turkmen supply and LNG."""
    import numpy as np

    import pipeline_games as pg

    plt = _pyplot()
    supplies = np.linspace(20.0, 60.0, 41)
    lng = np.array([450.0, 566.0, 650.0])
    result = pg.sweep(
        "china-russia-gas", over={"turkmen_supply": supplies, "lng_2012": lng}, progress=False
    )
    supply = np.asarray(result["turkmen_supply"])
    price_lng = np.asarray(result["lng_2012"])
    price = np.asarray(result["net_price@2012"], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
    for value in lng:
        chosen = price_lng == value
        order = np.argsort(supply[chosen])
        ax.plot(supply[chosen][order], price[chosen][order], label=f"LNG at {value:g} USD/kcm")
    ax.set_xlabel("Turkmen export supply in 2012 (bcm/yr)")
    ax.set_ylabel("price of Russian gas in 2012 (USD/kcm)")
    ax.set_title("china-russia-gas, epoch 2012 (other parameters at base values)", fontsize=10)
    fig.legend(fontsize=8, loc="outside lower center", ncols=3)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def case_figures(directory: Path) -> None:
    """The figures of the case pages, drawn from the shipped cases by the report's code."""
    import pipeline_games as pg
    from pipeline_games.cases import _plot as plot

    plt = _pyplot()
    figures = {
        "china-turkmenistan-gas-diversification.png": plot.diversification_figure(
            pg.cases.load("china-turkmenistan-gas"), 2014
        ),
        "china-russia-oil-route-regions.png": plot.route_regions_figure(
            pg.cases.load("china-russia-oil"), 2009
        ),
    }
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=110)
        plt.close(fig)


# -- the case-file schema -----------------------------------------------------------------
def _type(spec: dict[str, Any], definitions: dict[str, Any]) -> str:
    """A JSON Schema type in words."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{_TABLES.get(name, name)}](#{name.lower()})"
    if "anyOf" in spec:
        kinds = [_type(s, definitions) for s in spec["anyOf"] if s.get("type") != "null"]
        optional = any(s.get("type") == "null" for s in spec["anyOf"])
        return " or ".join(kinds) + (" (optional)" if optional else "")
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type", "any")
    if kind == "array":
        if "prefixItems" in spec:
            return "pair [" + ", ".join(_type(s, definitions) for s in spec["prefixItems"]) + "]"
        return f"list of {_type(spec.get('items', {}), definitions)}"
    if kind == "object":
        extra = spec.get("additionalProperties")
        if isinstance(extra, dict):
            return f"table of NAME = {_type(extra, definitions)}"
        return "table"
    return {"number": "number", "integer": "whole number", "string": "text",
            "boolean": "true/false"}.get(kind, kind)  # fmt: skip


_TABLES = {
    "CaseFileSpec": "the case file",
    "CaseSpec": "[case]",
    "ParameterSpec": "[parameters.NAME]",
    "FromNetworkSpec": "[parameters.NAME.from_network]",
    "EpochSpec": "[[epochs]]",
    "NetworkSpec": "[network]",
    "NodeSpec": "[network.nodes.NAME]",
    "LineSpec": "[network.lines.NAME]",
    "SupplyNetworkSpec": "[supply_network]",
    "ProducerSpec": "[supply_network.producers.NAME]",
    "MarketSpec": "[supply_network.markets.NAME]",
    "RouteSpec": "[supply_network.routes.NAME]",
    "FocusSpec": "[supply_network.focus]",
    "TimingSpec": "[timing]",
    "ClaimSpec": "[[claims]]",
    "BacktestSpec": "[[backtest]]",
}


def _constraints(spec: dict[str, Any]) -> str:
    for member in spec.get("anyOf", []):  # an optional value: its constraints are inside
        if member.get("type") != "null":
            spec = {**member, **{k: v for k, v in spec.items() if k != "anyOf"}}
    notes = []
    for key, words in (("minimum", ">="), ("maximum", "<="), ("minLength", "length >=")):
        if key in spec:
            notes.append(f"{words} {spec[key]}")
    if "pattern" in spec:
        notes.append(f"matches `{spec['pattern']}`")
    if "default" in spec and spec["default"] not in (None, [], {}, ""):
        notes.append(f"default `{json.dumps(spec['default'])}`")
    return "; ".join(notes)


def _table(name: str, spec: dict[str, Any], definitions: dict[str, Any]) -> list[str]:
    lines = [f"## {_TABLES.get(name, name)} {{#{name.lower()}}}", ""]
    if spec.get("description"):
        lines += [spec["description"], ""]
    required = set(spec.get("required", []))
    lines += ["| key | type | required | meaning | constraints |", "|---|---|---|---|---|"]
    for key, item in spec.get("properties", {}).items():
        cells = [
            f"`{key}`",
            _type(item, definitions),
            "yes" if key in required else "no",
            item.get("description", "").replace("|", "\\|"),
            _constraints(item).replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def schema_page(schema: dict[str, Any]) -> str:
    """The Markdown page of the case-file format, from its JSON Schema."""
    definitions = schema.get("$defs", {})
    lines = [
        "# Case file format",
        "",
        "<!-- generated by docs/hooks.py from pipeline_games.cases.case_file_schema() -->",
        "",
        "A case is a TOML file with the tables below. This page is generated from the "
        "validation model of the package, so it cannot disagree with what "
        "`pipeline_games.cases.load` accepts. The same model as a JSON Schema is "
        "[case-file.schema.json](case-file.schema.json): editors that read JSON Schema "
        "(for instance with the Even Better TOML extension, via a `#:schema` comment on the "
        "first line) can validate a case file as you type.",
        "",
        "Beyond the schema, loading a case checks what a schema cannot: that every source "
        "is a key of the bibliography, every unit is one pint knows, a series and year exist "
        "in the market dataset, each parameter's range contains its value, epochs set "
        "parameters of the same dimension, and claims and backtest points name quantities "
        "the case's models produce. See [Write your own case file](../how-to/write-a-case.md).",
        "",
    ]
    lines += _table("CaseFileSpec", schema, definitions)
    for name in _TABLES:
        if name in definitions:
            lines += _table(name, definitions[name], definitions)
    return "\n".join(lines) + "\n"


# -- the bibliography ---------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def bibliography_page(references: dict[str, Any]) -> str:
    """The Markdown page of the project's bibliography (``cases/bibliography.toml``)."""
    lines = [
        "# Bibliography",
        "",
        "<!-- generated by docs/hooks.py from cases/bibliography.toml -->",
        "",
        "Every source the case files, the market dataset and these pages cite, by its key. Case",
        "files cite a key plus a locator (section, table or page); `pg.cases.cite(key)` formats",
        "one entry.",
        "",
    ]
    for key in sorted(references):
        ref = references[key]
        where = f" <{ref.url}>" if ref.url else ""
        note = f" {_escape(ref.note)}" if ref.note else ""
        lines.append(
            f"- **`{key}`**: {_escape(ref.author)} ({ref.year}). {_escape(ref.title)}. "
            f"{_escape(ref.publisher)} ({ref.kind}).{where}{note}"
        )
    return "\n".join(lines) + "\n"


# -- mkdocs events ------------------------------------------------------------------------
def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Draw every figure the pages refer to."""
    FIGURES.mkdir(exist_ok=True)
    bargaining_solutions(FIGURES / "bargaining-solutions.png")
    case_outcome_path(FIGURES / "case-outcome-path.png")
    sweep_central_asian_gas(FIGURES / "sweep-central-asian-gas.png")
    case_figures(FIGURES)


def _mathjax_source() -> bytes:
    from importlib import resources

    try:
        root = resources.files("mathjax") / "static" / "mathjax" / "es5" / "tex-svg.js"
        return root.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise RuntimeError(
            "MathJax is bundled from the django-static-mathjax package of the docs extra: "
            'pip install -e ".[docs]"'
        ) from exc


def on_files(files: Any, config: Any, **kwargs: Any) -> Any:
    """Add the generated schema and bibliography pages, the schema file and MathJax."""
    from mkdocs.structure.files import File

    from pipeline_games.cases import bibliography, case_file_schema

    schema = case_file_schema()
    generated = {
        SCHEMA_PAGE: schema_page(schema),
        BIBLIOGRAPHY_PAGE: bibliography_page(bibliography()),
        SCHEMA_FILE: json.dumps(schema, indent=2) + "\n",
        MATHJAX_CONFIG: _MATHJAX_CONFIG,
        MATHJAX: _mathjax_source(),
    }
    for uri, content in generated.items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=content))
    return files
