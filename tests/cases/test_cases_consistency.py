"""Bilateral cases agree with the linked cases they take numbers from (issue 15).

A bilateral case reads a linked case through ``extends`` (a view) or ``from_network``
parameters (the network is solved with the bilateral case's values of the parameters the two
files share by name). For every such pair, every parameter both have must have the same value
in force in every epoch of the bilateral case and the same range, unless the bilateral file
declares ``override = "<reason>"`` on it. The comparison here is written independently of
`pipeline_games.cases._linked.shared_parameter_differences` (the load-time check): it reads
the raw TOML for the links and the declared overrides and compares `Case.epoch_values`.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from pipeline_games.cases import case_path, list_cases, load
from pipeline_games.cases._case import read_case_file
from pipeline_games.errors import CaseFileError

COMPUTED = ("derived", "network")


def links_of(name: str) -> tuple[dict, set[str]]:
    """(raw parameter tables, names of the linked cases) of case ``name``."""
    data = tomllib.loads(case_path(name).read_text())
    linked = {data["extends"]} if "extends" in data else set()
    for table in data.get("parameters", {}).values():
        if "from_network" in table:
            linked.add(table["from_network"]["case"])
    return data.get("parameters", {}), linked


PAIRS = [(name, other) for name in list_cases() for other in sorted(links_of(name)[1])]


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def differences(name: str, other: str) -> dict[str, list[tuple[int, str]]]:
    """name -> (year, the parameter of ``name`` in force) where the shared parameter
    disagrees with ``other`` (value or bounds)."""
    case, linked = load(name), load(other)
    shared = [
        n
        for n, p in case.parameters.items()
        if n in linked.parameters and p.origin != "network"
        and linked.parameters[n].origin != "network"
    ]  # fmt: skip
    out: dict[str, list[tuple[int, str]]] = {}
    for year in case.years:
        here, there = case.epoch_values(case.base, year), linked.epoch_values(linked.base, year)
        for n in shared:
            assert case.parameters[n].unit == linked.parameters[n].unit, n
            a, b = float(np.asarray(here[n])), float(np.asarray(there[n]))
            row = (year, case.source_parameter(n, year))
            if not close(a, b):
                out.setdefault(n, []).append(row)
            mine = case.parameters[row[1]]
            theirs = linked.parameters[linked.source_parameter(n, year)]
            if (mine.origin in COMPUTED) != (theirs.origin in COMPUTED):
                out.setdefault(n, []).append(row)
            elif mine.origin not in COMPUTED:
                for key in ("low", "high"):
                    a, b = getattr(mine, key), getattr(theirs, key)
                    if not close(a, b):
                        out.setdefault(n, []).append(row)
    return out


def test_the_pairs_are_the_bilateral_cases_and_their_linked_cases() -> None:
    assert set(PAIRS) == {
        ("china-russia-gas", "eurasian-gas"),
        ("china-turkmenistan-gas", "eurasian-gas"),
        ("china-russia-oil", "eurasian-oil"),
        ("china-kazakhstan-oil", "eurasian-oil"),
    }


@pytest.mark.parametrize(("name", "other"), PAIRS)
def test_shared_parameters_agree_or_declare_an_override(name: str, other: str) -> None:
    tables, _ = links_of(name)
    declared = {n for n, t in tables.items() if "override" in t}
    found = differences(name, other)
    undeclared = {
        n: rows
        for n, rows in found.items()
        if n not in declared and not {source for _, source in rows} <= declared
    }
    assert not undeclared, f"{name} disagrees with {other} without an override: {undeclared}"
    for n in declared:
        assert tables[n]["override"].strip(), f"{name}: {n}: an override states its reason"


@pytest.mark.parametrize(("name", "other"), PAIRS)
def test_no_override_is_stale(name: str, other: str) -> None:
    tables, linked = links_of(name)
    found: set[str] = set()
    for each in linked:
        for n, rows in differences(name, each).items():
            found |= {n, *(source for _, source in rows)}
    stale = [n for n, t in tables.items() if "override" in t and n not in found]
    assert not stale


@pytest.mark.parametrize(("name", "other"), PAIRS)
def test_shared_parameters_share_the_network_values_they_feed(name: str, other: str) -> None:
    # A from_network case solves the network with its own values of the shared names: at the
    # base values these are the linked case's own, so the network's numbers are the same
    # whichever case reads them. Checked on the parameters in force, year by year.
    case, linked = load(name), load(other)
    for year in case.years:
        here, there = case.epoch_values(case.base, year), linked.epoch_values(linked.base, year)
        for n, p in linked.parameters.items():
            if n in case.parameters and case.parameters[n].origin != "network":
                assert close(float(here[n]), float(there[n])), (name, year, n)
            assert p.origin != "network"


def test_one_name_one_meaning_for_the_kazakh_westbound_sales() -> None:
    # west_volume was an outlet open to the China line's crude in china-kazakhstan-oil and
    # other crude filling the outlet on the eurasian-oil network; it is now one parameter.
    for name in list_cases():
        assert "west_volume" not in load(name).parameters, name
    # The westbound outlet holds those sales plus the spare room open to the China line's
    # crude (kazakh_west_spare); Kazakh crude is the China line's plus those sales only.
    oil = load("eurasian-oil")
    assert oil.supply_network.markets["Black Sea"].capacity == "kazakh_west_capacity"
    assert oil.supply_network.routes["kazakh_west"].capacity == "kazakh_west_capacity"
    capacity = oil.parameters["kazakh_west_capacity"]
    assert [t.parameter for t in capacity.terms[0]] == ["kazakh_west_sales"]
    assert [t.parameter for t in capacity.terms[1]] == ["kazakh_west_spare"]
    terms = [t.parameter for t in oil.parameters["kazakh_supply"].terms[1]]
    assert terms == ["kazakh_west_sales"]
    for name in ("kazakh_west_sales", "kazakh_west_spare"):
        assert name in load("china-kazakhstan-oil").parameters


def test_china_has_one_oil_discount_rate_per_year() -> None:
    # Reconciled: China's rate path (sec. 1(3): urgency easing) is the same in both oil cases
    # and on the network; the China-Russia oil case held 0.08 in every epoch before.
    rates = {}
    for name in ("eurasian-oil", "china-russia-oil", "china-kazakhstan-oil"):
        case = load(name)
        for year in case.years:
            rate = float(case.epoch_values(case.base, year)["china_rate"])
            assert math.isclose(rates.setdefault(year, rate), rate), (name, year)
    assert rates[2004] == 0.10
    assert rates[2013] == 0.05


# -- the load-time check ------------------------------------------------------------------
def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = case_path(name).read_text()
    assert text.count(old) == 1, old
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new))
    return path


RATE_2013 = """[parameters.china_rate_2013]
value = 0.05
low = 0.03
high = 0.10"""


def test_an_undeclared_clash_with_the_network_fails_at_load(tmp_path) -> None:
    path = variant(tmp_path, "china-russia-oil", RATE_2013, RATE_2013.replace("0.05", "0.07"))
    with pytest.raises(CaseFileError) as info:
        read_case_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "parameters.china_rate" in message
    for part in ("'eurasian-oil'", "override", "2013", "0.07", "0.05"):
        assert part in message


def test_a_clash_of_ranges_fails_at_load(tmp_path) -> None:
    path = variant(tmp_path, "china-russia-oil", RATE_2013, RATE_2013.replace("0.10", "0.12"))
    with pytest.raises(CaseFileError, match=r"parameters\.china_rate(_2013)?: .* its high is"):
        read_case_file(path)


def test_a_declared_override_loads_and_is_recorded(tmp_path) -> None:
    reason = "a test: Russia's talks read China as less patient"
    new = RATE_2013.replace("0.05", "0.07") + f'\noverride = "{reason}"'
    text = case_path("china-russia-oil").read_text().replace(RATE_2013, new)
    # the value in force is china_rate's in 2013, so that one is declared as well
    text = text.replace(
        'reason = "2006-2011: discount rate',
        f'override = "{reason}"\nreason = "2006-2011: discount rate',
    )
    path = tmp_path / "china-russia-oil.toml"
    path.write_text(text)
    case = read_case_file(path)
    assert case.parameters["china_rate_2013"].override == reason
    assert case.parameters["china_rate"].override == reason
    assert case.parameters["china_rate_2004"].override is None
    assert float(case.epoch_values(case.base, 2013)["china_rate"]) == 0.07


def test_a_stale_override_fails_at_load(tmp_path) -> None:
    path = variant(tmp_path, "china-russia-oil", RATE_2013, RATE_2013 + '\noverride = "stale"')
    with pytest.raises(CaseFileError, match=r"china_rate_2013\.override: .*remove the override"):
        read_case_file(path)


def test_an_override_on_a_parameter_no_linked_case_has_fails(tmp_path) -> None:
    old = "[parameters.loan_cost]\nvalue = 0.5"
    path = variant(tmp_path, "china-russia-oil", old, old + '\noverride = "nothing to override"')
    with pytest.raises(CaseFileError, match=r"parameters\.loan_cost\.override: no linked case"):
        read_case_file(path)


def test_a_blank_override_is_refused(tmp_path) -> None:
    path = variant(tmp_path, "china-russia-oil", RATE_2013, RATE_2013 + '\noverride = "  "')
    with pytest.raises(CaseFileError, match=r"china_rate_2013: an override needs its reason"):
        read_case_file(path)


LNG_2008 = """[parameters.lng_2008]
series = "japan_lng_wb_usd_mmbtu"
year = 2008
times = ["mmbtu_per_kcm_gas"]
unit = "USD/kcm"
low = 380.0
high = 450.0
kind = "reported"
"""


def test_a_view_that_redefines_a_parameter_of_its_base_needs_an_override(tmp_path) -> None:
    # The view's table replaces the base's (merge_view): a wider range is a clash.
    old = "# -- the regime rule's inputs"
    path = variant(tmp_path, "china-russia-gas", old, LNG_2008 + "\n" + old)
    with pytest.raises(CaseFileError, match=r"parameters\.lng_2008: .*'eurasian-gas'.*low"):
        read_case_file(path)
    declared = LNG_2008 + 'override = "a test: a wider range in the view"\n'
    path = variant(tmp_path, "china-russia-gas", old, declared + "\n" + old)
    assert read_case_file(path).parameters["lng_2008"].low == 380.0
