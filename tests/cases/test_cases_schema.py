"""Malformed case files raise CaseFileError naming the key; a broken case fails its claim."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline_games as pg
from pipeline_games.cases._claims import FAILS, parse_derivative, parse_reference

SOURCE = Path(pg.cases.case_path("china-russia-gas")).read_text(encoding="utf-8")

# (description, old text, new text, key expected in the message)
MUTATIONS = [
    (
        "unknown key",
        'unit = "bcm/yr"\nlow = 68.0',
        'unit = "bcm/yr"\ncolour = "red"\nlow = 68.0',
        "parameters.volume.colour",
    ),
    (
        "missing source",
        'source = "seed000 ch.3 s.2(3): 2006 agreement, 68 bcm/yr from 2011 (Far East 38 + Western 30)"\n',
        "",
        "parameters.volume.source",
    ),
    ("value outside [low, high]", "value = 420.0", "value = 900.0", "parameters.china_value.value"),
    ("wrong type", "value = 420.0", 'value = "420"', "parameters.china_value.value"),
    ("unknown unit", 'unit = "1/yr"', 'unit = "furlongs"', "parameters.china_rate.unit"),
    (
        "unknown kind",
        'kind = "assumption"\nsource = "assumption, from Gazprom',
        'kind = "guessed"\nsource = "assumption, from Gazprom',
        "parameters.europe_netback.kind",
    ),
    (
        "unknown solver",
        'adapters = ["bargaining", "regime"]',
        'adapters = ["bargaining", "telepathy"]',
        "model.adapters",
    ),
    (
        "claim names a missing quantity",
        'left = "epoch[2014].buyer_share"',
        'left = "epoch[2014].happiness"',
        "claims[1].test.left",
    ),
    (
        "claim names a missing epoch",
        'left = "epoch[2014].buyer_share"',
        'left = "epoch[2015].buyer_share"',
        "claims[1].test.left",
    ),
    (
        "claim with a bad operator",
        'op = ">", right = "epoch[2006].buyer_share" }',
        'op = "=>", right = "epoch[2006].buyer_share" }',
        "claims[1].test.op",
    ),
    (
        "epoch sets an unknown parameter",
        'set = { central_asia_volume = "central_asia_volume_2009" }',
        'set = { central_asia_volume = "nowhere" }',
        "epochs[1].set.central_asia_volume",
    ),
    (
        "label outside the quantity's labels",
        'equals = "alternatives_on_both_sides" }',
        'equals = "alternatives on both sides" }',
        "claims[0].test.equals",
    ),
    (
        "compare on a label quantity",
        'left = "epoch[2014].buyer_share", op = ">"',
        'left = "epoch[2014].regime", op = ">"',
        "claims[1].test.left",
    ),
    (
        "label test on a number",
        'quantity = "epoch[2014].regime", equals',
        'quantity = "epoch[2014].price", equals',
        "claims[0].test.quantity",
    ),
    (
        "regime input not mapped",
        'shared_assets = "shared_assets"\n',
        "",
        "model.regime.shared_assets",
    ),
    (
        "model maps onto a missing parameter",
        'buyer_value = "china_value"',
        'buyer_value = "china_valu"',
        "model.bargaining.buyer_value",
    ),
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("what", "old", "new", "key"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_cases_malformed_file_raises_with_key(tmp_path, what, old, new, key):
    assert old in SOURCE, what
    path = _write(tmp_path, SOURCE.replace(old, new, 1))
    with pytest.raises(pg.CaseFileError) as info:
        pg.cases.load(str(path))
    message = str(info.value)
    assert key in message
    assert str(path) in message


def test_cases_load_own_file_by_path(tmp_path):
    path = _write(tmp_path, SOURCE.replace('name = "china-russia-gas"', 'name = "mine"'))
    case = pg.cases.load(str(path))
    assert case.name == "mine"
    assert case.path == path


def test_cases_not_toml_and_missing_file(tmp_path):
    with pytest.raises(pg.CaseFileError, match="not valid TOML"):
        pg.cases.load(str(_write(tmp_path, "[case\nname=")))
    with pytest.raises(pg.CaseFileError, match="no such case file"):
        pg.cases.load(str(tmp_path / "absent.toml"))
    with pytest.raises(pg.CaseFileError, match="no such case"):
        pg.cases.load("china-mars-gas")


def test_cases_checker_fails_a_broken_copy(tmp_path):
    """Reverse the comparison of a claim that holds: the checker must report a failure."""
    broken = SOURCE.replace(
        'left = "epoch[2014].buyer_share", op = ">"', 'left = "epoch[2014].buyer_share", op = "<"'
    )
    assert broken != SOURCE
    check = pg.cases.load(str(_write(tmp_path, broken))).check(samples=32)
    result = {r.claim.id: r for r in check.results}["china-position-rose-2006-2014"]
    assert result.verdict == FAILS
    intact = {r.claim.id: r for r in pg.cases.load("china-russia-gas").check(samples=32).results}
    # The two claims are complements up to ties, so their robustness shares sum to at most 1.
    assert result.robustness + intact["china-position-rose-2006-2014"].robustness <= 1.0 + 1e-12


def test_cases_equal_values_are_not_strictly_ordered(tmp_path):
    """A comparison of a quantity with itself: '<' fails, '<=' holds (no rounding noise)."""
    text = SOURCE.replace(
        'right = "epoch[2006].buyer_share" }', 'right = "epoch[2014].buyer_share" }', 1
    ).replace(
        'left = "epoch[2014].buyer_share", op = ">"', 'left = "epoch[2014].buyer_share", op = ">="'
    )
    check = pg.cases.load(str(_write(tmp_path, text))).check(samples=8)
    assert {r.claim.id: r.verdict for r in check.results}[
        "china-position-rose-2006-2014"
    ] == "holds"


def test_cases_reference_grammar_rejects_code():
    assert parse_reference("epoch[2009].buyer_share") == (2009, "buyer_share")
    for text in ("__import__('os')", "epoch[2009].a.b", "buyer_share + 1", "epoch[x].price"):
        with pytest.raises(ValueError, match="expected"):
            parse_reference(text)
    with pytest.raises(ValueError, match="expected"):
        parse_derivative("d price / d (stake)")


def test_unreadable_case_paths_raise_case_file_errors(tmp_path):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    with pytest.raises(pg.CaseFileError, match="is a folder"):
        pg.cases.load(str(tmp_path))
    with pytest.raises(pg.CaseFileError, match="not a text file in UTF-8"):
        pg.cases.load(str(binary))


def test_check_validates_samples_and_seed():
    case = pg.cases.load("china-russia-gas")
    with pytest.raises(pg.InvalidParameterError, match="seed must be a whole number >= 0"):
        case.check(samples=8, seed=-1)
    with pytest.raises(pg.InvalidParameterError, match="samples must be a whole number >= 0"):
        case.check(samples=-1)
