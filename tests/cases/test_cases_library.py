"""The shipped cases: they load, solve every epoch with real dtypes, check and backtest; every
source key they cite is in the bibliography; the documented example case file loads; the
wheel carries the cases.

These tests read the shipped case files and assert properties that hold whatever their
calibration (the numbers themselves live only in the case files).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pipeline_games as pg
from _support.casefiles import CASES, REPO, bibliography_keys
from pipeline_games.cases import case_path, cases_dir, list_cases, load, read_case_file
from pipeline_games.cases._claims import FAILS, HOLDS, NOT_DEFINED
from pipeline_games.errors import CaseFileError

SHIPPED = sorted(p.stem for p in CASES.glob("*.toml") if p.stem != "bibliography")


def test_list_cases_is_the_case_folder():
    assert list_cases() == SHIPPED
    assert len(SHIPPED) >= 4
    assert cases_dir().resolve() == CASES.resolve()


@pytest.fixture(scope="module", params=SHIPPED)
def case(request):
    return load(request.param)


def test_case_loads_with_its_own_name_and_a_short_repr(case):
    assert case.path == case_path(case.name)
    assert case.name in repr(case)
    assert len(repr(case)) < 120
    assert load(case.path).name == case.name  # by path as well as by name


def test_every_epoch_solves_with_real_dtypes(case):
    # Label quantities are the ones the adapters declare; everything else is a number.
    declared_labels = {q for name in case.adapters for q in pg.cases.ADAPTERS[name].labels}
    solution = case.solve()
    assert list(solution.outputs) == list(case.years)
    frame = pd.DataFrame(solution.outputs).T.infer_objects()
    for column in frame.columns:
        values = [solution.outputs[year][column] for year in case.years]
        kinds = {type(v) for v in values}
        assert len(kinds) == 1, (column, kinds)
        kind = kinds.pop()
        assert kind in (float, bool, int, str), (column, kind)
        if kind is float:
            assert frame[column].dtype == np.float64, column
        elif kind is bool:
            assert frame[column].dtype == bool, column
        elif kind is str:
            assert column in declared_labels, column
    if "agreement" in frame:
        assert all(isinstance(a, bool) for a in frame["agreement"])
    table = solution.to_frame()
    for column in table.columns:
        if column in declared_labels:
            assert all(isinstance(v, str) for v in table[column]), column
        else:
            assert table[column].dtype.kind in "fbi", (column, table[column].dtype)
    json.loads(json.dumps(solution.to_dict()), parse_constant=_no_constants)


def _no_constants(name: str) -> Any:
    raise AssertionError(f"not strict JSON: {name}")


# What "no deal" means for each adapter with an agreement flag: the outputs that must be NaN
# there, and the (payoff, outside option) pairs that must be equal there.
_NO_DEAL = {
    "oil_trade": (
        ("price", "buyer_share", "seller_share"),
        (("buyer_payoff", "buyer_outside_option"), ("seller_payoff", "seller_outside_option")),
    ),
    "bargaining": (
        ("price", "buyer_share", "seller_share"),
        (("buyer_payoff", "buyer_outside_option"), ("seller_payoff", "seller_outside_option")),
    ),
    "supply_network": (
        ("net_price", "net_buyer_share", "net_seller_share"),
        (
            ("net_buyer_payoff", "net_buyer_outside_option"),
            ("net_seller_payoff", "net_seller_outside_option"),
        ),
    ),
}
# Prices and shares of an adapter with an agreement flag that follow another flag:
# another agreement of the network (its flag: it carries a volume), a counterfactual, or a
# cooperative solution that exists whether or not the bargain forms.
_OWN_FLAG = {
    "supply_network": {
        "net_rival_price": "net_rival_volume",
        "net_rival_seller_share": "net_rival_volume",
        "net_side_price": "net_side_volume",
        "net_side_seller_share": "net_side_volume",
    },
}
_DEFINED_WITHOUT_DEAL = {
    "oil_trade": {"bargained_price"},  # what bargaining would give; checked below
    "supply_network": {
        "net_buyer_shapley_share",
        "net_seller_shapley_share",
        "net_rival_shapley_share",
        "net_transit_shapley_share",
    },
}


def test_no_deal_points_have_no_price(case):
    samples = 128
    box = pg.cases.sample_box(case, samples, seed=2)
    flagged = [name for name in case.adapters if "agreement" in pg.cases.ADAPTERS[name].outputs]
    assert flagged, f"{case.name}: no adapter with an agreement flag"
    no_deal = 0
    for name in flagged:
        adapter = pg.cases.ADAPTERS[name]
        assert name in _NO_DEAL, f"{name}: say what no deal means for this adapter"
        undefined, pairs = _NO_DEAL[name]
        own_flag = _OWN_FLAG.get(name, {})
        # Every price or share output is accounted for, so a new one cannot slip through.
        priced = {q for q in adapter.outputs if "price" in q or "share" in q}
        unlisted = priced - {*undefined, *own_flag, *_DEFINED_WITHOUT_DEAL.get(name, ())}
        assert not unlisted, f"{name}: price/share outputs without a no-deal rule: {unlisted}"
        for year in case.years:
            arguments = case.adapter_arguments(name, case.epoch_values(box, year))
            out = {
                k: np.broadcast_to(v, (samples,)) for k, v in adapter.function(arguments).items()
            }
            deal = out["agreement"]
            none = ~deal
            no_deal += int(none.sum())
            where = f"{case.name} {name} {year}"
            for quantity in undefined:
                assert np.all(np.isnan(out[quantity][none])), f"{where}: {quantity} without a deal"
                assert not np.any(np.isnan(out[quantity][deal])), (
                    f"{where}: {quantity} NaN in a deal"
                )
            for payoff, option in pairs:
                np.testing.assert_array_equal(out[payoff][none], out[option][none], err_msg=where)
                assert np.all(np.isfinite(out[payoff])), f"{where}: {payoff} not finite"
            for quantity, volume in own_flag.items():
                trades = out[volume] > 0
                assert np.all(np.isnan(out[quantity][~trades])), f"{where}: {quantity}, no trade"
            if name in ("oil_trade", "bargaining"):
                for side in ("buyer", "seller"):
                    assert np.all(out[f"{side}_net_gain"][none] == 0.0), where
                if name == "oil_trade":
                    # Not indexed, the deal is the bargain: its price exists only with a deal.
                    bargain = ~np.broadcast_to(arguments["indexed"] >= 0.5, (samples,))
                    assert np.all(np.isnan(out["bargained_price"][bargain & none])), where
    # The calibration gives every shipped case points without a deal in some epoch; if a
    # recalibration removes them all, this test needs forced no-deal points to stay honest.
    assert no_deal > 0, f"{case.name}: no sample without a deal, the rules above went untested"


def test_check_reports_shares_with_their_sampling_errors(case):
    samples = 16  # the network adapter solves one coalition game per distinct sample
    result = case.check(samples=samples, seed=0)
    assert len(result.results) == len(case.claims)
    for claim in result.results:
        assert claim.verdict in (HOLDS, FAILS, NOT_DEFINED)
        assert 0.0 <= claim.defined <= 1.0
        assert 0.0 <= claim.no_deal <= 1.0
        defined = round(claim.defined * samples)
        if defined:
            p = claim.robustness
            assert 0.0 <= p <= 1.0
            assert claim.robustness_error == pytest.approx(math.sqrt(p * (1 - p) / defined))
        else:
            assert math.isnan(claim.robustness)
    frame = result.to_frame()
    assert frame["robustness"].dtype == np.float64
    assert frame["verdict"].dtype != np.float64


def test_backtest_runs_and_scores(case):
    result = case.backtest(samples=32)
    assert len(result.rows) == len(case.backtest_points)
    if result.rows:
        assert result.score == pytest.approx(sum(r.inside for r in result.rows) / len(result.rows))
    else:
        assert math.isnan(result.score)


# -- sources ------------------------------------------------------------------------------
def _source_keys(node: Any, where: str = "") -> list[tuple[str, str]]:
    """Every ``source = "..."`` anywhere in a parsed TOML document, with its key path."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{where}.{key}" if where else key
            if key == "source" and isinstance(value, str):
                found.append((path, value))
            else:
                found += _source_keys(value, path)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _source_keys(value, f"{where}[{index}]")
    return found


@pytest.mark.parametrize("name", SHIPPED)
def test_every_source_key_cited_is_in_the_bibliography(name):
    with (CASES / f"{name}.toml").open("rb") as handle:
        document = tomllib.load(handle)
    keys = set(bibliography_keys())
    cited = _source_keys(document)
    assert cited, "a case cites at least one source"
    missing = [(where, key) for where, key in cited if key not in keys]
    assert not missing, f"{name}: source keys not in cases/bibliography.toml: {missing}"


def test_the_source_scan_finds_keys_at_every_level():
    document = {"a": {"source": "x"}, "b": [{"source": "y", "c": {"source": "z"}}]}
    assert _source_keys(document) == [
        ("a.source", "x"),
        ("b[0].source", "y"),
        ("b[0].c.source", "z"),
    ]


# Files outside the repository that citations once pointed to: the source documents' copies
# (seed files), the shared calibration notes. Sources are bibliography keys instead.
_OUTSIDE = re.compile(r"seeds?/|shared/|CALIBRATION\.md|\b\d{3}_[0-9a-f]{16}\.txt|\b\d{3}_\.\.\.")
_REPO_PATH = re.compile(r"\b(?:cases|docs|src|tests)/[\w./-]*\w\.(?:md|csv|toml|py)\b")


def _citing_files() -> list[Path]:
    return sorted(
        [
            *CASES.glob("*.toml"),
            *(CASES / "market").iterdir(),
            *(REPO / "docs" / "cases").glob("*.md"),
        ]
    )


def test_no_citation_points_to_a_file_outside_the_repository():
    files = _citing_files()
    assert any(p.name == "bibliography.toml" for p in files)
    assert len(files) > 10
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(REPO)}: {m.group(0)!r}" for m in _OUTSIDE.finditer(text)]
        found += [
            f"{path.relative_to(REPO)}: {m.group(0)!r} does not exist"
            for m in _REPO_PATH.finditer(text)
            if not (REPO / m.group(0)).exists()
        ]
    assert not found, "citations of files not in the repository:\n  " + "\n  ".join(found)


def test_the_outside_file_patterns_catch_what_they_should():
    for text in (
        "seeds/000_...",
        "`004_...`",
        "../shared/CALIBRATION.md",
        "000_640d1bb6b6977cc8.txt",
    ):
        assert _OUTSIDE.search(text), text
    for text in ("Sobol samples (seed 0)", "cases/market/NOTES.md", "seed = 2"):
        assert not _OUTSIDE.search(text), text
    assert _REPO_PATH.findall("see cases/market/NOTES.md.") == ["cases/market/NOTES.md"]


@pytest.mark.parametrize(
    "key",
    [
        "nids_csr2020",
        "china_russia_review_2014_01",
    ],
)
def test_the_two_source_documents_have_title_publisher_and_year(key):
    entry = tomllib.loads((CASES / "bibliography.toml").read_text(encoding="utf-8"))[key]
    assert entry["title"]
    assert 2013 <= entry["year"] <= 2020
    assert entry["publisher"]
    assert "not named" not in entry["publisher"]
    index = (REPO / "docs" / "cases" / "index.md").read_text(encoding="utf-8")
    assert key in index  # the case library's page cites both by key


_MONEY_OR_VOLUME = re.compile(r"USD|bcm|Mt|kcm|bbl")


def test_prices_costs_and_volumes_come_from_the_dataset_or_are_reasoned_assumptions():
    offenders = []
    for name in SHIPPED:
        for parameter in load(name).parameters.values():
            if not _MONEY_OR_VOLUME.search(parameter.unit):
                continue
            if parameter.origin in ("series", "derived"):
                continue
            if parameter.origin == "network":
                # computed on a linked network case, whose own inputs this test checks too
                assert parameter.link.case in SHIPPED, parameter.name
                continue
            if parameter.kind == "assumption" and parameter.reason:
                continue
            offenders.append(f"{name}: {parameter.name} [{parameter.unit}] ({parameter.kind})")
    assert not offenders, (
        f"{len(offenders)} price/cost/volume parameters neither from the market dataset nor "
        "a reasoned assumption:\n  " + "\n  ".join(offenders)
    )


# -- lookups ------------------------------------------------------------------------------
def test_unknown_case_names_the_shipped_ones():
    with pytest.raises(CaseFileError, match="no such case") as info:
        load("china-mars-gas")
    for name in SHIPPED:
        assert name in str(info.value)


# -- the documented example case file -----------------------------------------------------
def _toml_blocks(path: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_the_how_to_case_file_is_complete_and_valid(tmp_path):
    page = REPO / "docs" / "how-to" / "write-a-case.md"
    complete = [b for b in _toml_blocks(page) if b.lstrip().startswith("[case]") or "\n[case]" in b]
    assert complete, "write-a-case.md shows a complete case file (a toml block with [case])"
    text = complete[0]
    name = tomllib.loads(text)["case"]["name"]
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    case = read_case_file(path)
    assert case.claims
    assert case.backtest_points
    solution = case.solve()
    assert list(solution.outputs) == list(case.years)
    assert all(r.verdict in (HOLDS, FAILS, NOT_DEFINED) for r in case.check(samples=16).results)
    assert any(p.origin == "series" for p in case.parameters.values())
    assert any(p.origin == "derived" for p in case.parameters.values())


# -- the wheel ----------------------------------------------------------------------------
def _build_wheel(folder: Path) -> Path:
    commands = []
    try:
        import build  # noqa: F401

        commands.append([sys.executable, "-m", "build", "--wheel", "--outdir", str(folder)])
    except ImportError:
        pass
    try:
        import hatchling  # noqa: F401

        commands.append(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
             "-w", str(folder), str(REPO)]
        )  # fmt: skip
    except ImportError:
        commands.append(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(REPO)]
        )
    errors = []
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(folder.glob("pipeline_games-*.whl"))
        if result.returncode == 0 and wheels:
            return wheels[-1]
        errors.append(result.stderr[-400:])
    pytest.skip(f"cannot build a wheel here (needs hatchling or network): {errors}")


@pytest.mark.slow
def test_the_wheel_loads_every_case_from_outside_the_repository(tmp_path):
    wheel = _build_wheel(tmp_path / "dist")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # Dependencies come from the test environment: a venv made from a venv sees the base
    # interpreter's packages only, so point it at this environment's site-packages too
    # (appended after its own, so the installed wheel comes first).
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    import site

    Path(purelib, "_test_environment.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import json, pathlib, pipeline_games as pg\n"
        "from pipeline_games.cases import cases_dir, list_cases, load, market_data\n"
        "names = list_cases()\n"
        "solved = {n: len(load(n).solve().outputs) for n in names}\n"
        "print(json.dumps({'package': str(pathlib.Path(pg.__file__).parent),\n"
        "  'cases': str(cases_dir()), 'names': names, 'solved': solved,\n"
        "  'series': len(market_data().names)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, cwd=elsewhere, env=env,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["package"].startswith(str(env_dir))  # the installed copy, not the checkout
    assert report["cases"].startswith(str(env_dir))
    assert report["names"] == SHIPPED
    assert report["solved"] == {n: len(load(n).years) for n in SHIPPED}
    assert report["series"] == len(pg.cases.market_data().names)


# -- Case.with_values / evaluate / adapter_arguments refuse bad values by name (issue 14) ------
@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ([[1.0], [1.0, 2.0]], "ragged"),
        (object(), "must be a number"),
        ("1.5", "the string '1.5'"),
        (math.inf, r"must be finite \(plausible range \[.*\]\); got inf"),
        (1e308, "leave the float64 range"),
    ],
)
def test_evaluate_names_the_case_parameter_of_a_bad_value(value, pattern):
    from pipeline_games.errors import InvalidParameterError

    case = pg.cases.load("china-russia-oil")
    with pytest.raises(InvalidParameterError, match=pattern) as caught:
        case.evaluate(seaborne_freight=value)
    assert "seaborne_freight" in str(caught.value)


def test_with_values_and_adapter_arguments_refuse_bad_values_by_name():
    from pipeline_games.errors import InvalidParameterError

    case = pg.cases.load("china-russia-oil")
    with pytest.raises(InvalidParameterError, match=r"overrides must be a mapping.*got 5"):
        case.with_values(5)
    with pytest.raises(InvalidParameterError, match=r"seaborne_freight .*float64 range.*1e309"):
        case.with_values({"seaborne_freight": 10**309})
    with pytest.raises(InvalidParameterError, match=r"seaborne_freight must be a single number"):
        case.with_values({"seaborne_freight": [1.0, 2.0]})
    assert case.with_values({"seaborne_freight": 2}).parameters["seaborne_freight"].value == 2.0
    values = case.epoch_values(case.base, case.years[-1])
    del values["loan_rate"]
    with pytest.raises(
        InvalidParameterError, match=r"current lacks the parameter\(s\) \['loan_rate'\]"
    ):
        case.adapter_arguments("loan_for_oil", values)
