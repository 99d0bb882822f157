"""Epoch changes and finite-difference bumps (``Case.epoch_values``).

A claim's derivative is taken by bumping one parameter. Where an epoch sets a parameter
from another (``changes = {target = source}``), bumping either must move the value in force:
bumping the source moves every target the epoch sets from it, bumping the target moves the
target alone. Before this was fixed, a bump of the source was applied after the epoch had
copied it, so a derivative with respect to it was silently zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline_games.cases import list_cases, load

STEP = 0.125  # exact in binary, so sums compare exactly


def _changes() -> list[tuple[str, int, str, str]]:
    found = []
    for name in list_cases():
        case = load(name)
        for epoch in case.epochs:
            for target, source in epoch.changes.items():
                if target != source:
                    found.append((name, epoch.year, target, source))
    return found


CHANGES = _changes()


def test_some_shipped_case_has_epoch_changes() -> None:
    assert CHANGES, "no shipped case sets one parameter from another in an epoch"


@pytest.mark.parametrize(("name", "year", "target", "source"), CHANGES)
def test_bumping_an_epoch_source_moves_the_value_in_force(
    name: str, year: int, target: str, source: str
) -> None:
    case = load(name)
    if case.source_parameter(target, year) != source:
        pytest.skip(f"a later epoch change of {target!r} is in force in {year}")
    plain = case.epoch_values(case.base, year)
    from_source = case.epoch_values(case.base, year, {source: STEP})
    from_target = case.epoch_values(case.base, year, {target: STEP})
    assert float(from_source[target]) == float(plain[target]) + STEP
    assert float(from_target[target]) == float(plain[target]) + STEP
    # Bumping the target does not move the source's own value.
    assert float(from_target[source]) == float(plain[source])


@pytest.mark.parametrize(("name", "year", "target", "source"), CHANGES[:4])
def test_a_bump_before_the_epoch_moves_only_the_bumped_parameter(
    name: str, year: int, target: str, source: str
) -> None:
    case = load(name)
    before = year - 1
    if case.source_parameter(target, before) == source:
        pytest.skip("an earlier epoch already sets the target from the source")
    plain = case.epoch_values(case.base, before)
    bumped = case.epoch_values(case.base, before, {source: STEP})
    assert float(bumped[source]) == float(plain[source]) + STEP
    np.testing.assert_array_equal(bumped[target], plain[target])


def _derived() -> list[tuple[str, str]]:
    found = []
    for name in list_cases():
        case = load(name)
        found += [(name, p) for p, spec in case.parameters.items() if spec.terms[0]][:2]
    return found


@pytest.mark.parametrize(("name", "parameter"), _derived())
def test_bumping_a_derived_parameter_moves_it(name: str, parameter: str) -> None:
    case = load(name)
    year = case.years[-1] if case.years else None
    if year is not None and case.source_parameter(parameter, year) != parameter:
        pytest.skip("an epoch sets this parameter from another")
    plain = case.epoch_values(case.base, year)
    bumped = case.epoch_values(case.base, year, {parameter: STEP})
    np.testing.assert_allclose(bumped[parameter], np.asarray(plain[parameter]) + STEP, rtol=1e-15)
