"""Calibration checks of the gas cases: the upstream lever can fail inside its box, and the
diversification model's outside option is the one the supply network computes."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline_games.cases import load
from pipeline_games.cases._market import market_data


def verdicts(case):
    return {r.claim.id: r for r in case.check(samples=0).results}


@pytest.fixture(scope="module")
def russia():
    return load("china-russia-gas")


@pytest.fixture(scope="module")
def turkmen():
    return load("china-turkmenistan-gas")


def test_sanctions_rate_floor_is_gazprom_published_borrowing_cost(russia):
    """The floor of Russia's sanctions-era rate is Gazprom's published dollar yield after the
    sanctions (facts.csv), rounded up to the next half per cent, and lies below China's rate:
    so the box holds points where Chinese capital is dearer than Russia's."""
    low = russia.parameters["russia_rate_sanctions"].low
    observation = market_data().observation("gazprom_eurobond_2014_11_yield", 2014, 11)
    assert observation.unit == "percent"
    published = float(observation.value) / 100.0
    assert published <= low < published + 0.005
    assert low < russia.parameters["china_rate"].value < russia.parameters["china_rate"].high


def test_upstream_lever_fails_where_russia_borrows_cheaper_than_china(russia):
    """At the published floor of Russia's sanctions rate (0.045) and China's base rate (0.05),
    financing a share of the capex at China's rate raises the capital charge: the stake lowers
    Russia's payoff and the claim fails with a negative derivative."""
    low = russia.parameters["russia_rate_sanctions"].low
    assert low < russia.parameters["china_rate"].value
    result = verdicts(russia.with_values({"russia_rate_sanctions": low}))["upstream-lever-2014"]
    assert result.verdict == "fails"
    assert result.details["derivative"] < 0


def test_disagreement_share_is_the_dyads_option_over_option_plus_gain(turkmen):
    """The from_network option o = d / (d + G) agrees with the case's own supply-network
    outputs (the seller's disagreement payoff and the dyad's joint gain), sample by sample."""
    from pipeline_games.cases._claims import sample_box

    box = sample_box(turkmen, 16, seed=3)
    for year in (2008, 2010, 2014):
        values = turkmen.epoch_values(box, year)
        out = turkmen.outputs_at(box, year)
        d = np.asarray(out["net_seller_outside_option"], dtype=float)
        g = np.asarray(out["net_joint_gain"], dtype=float)
        volume = np.asarray(out["net_volume"], dtype=float)
        whole = d + g
        expected = np.where(
            (volume > 0) & (whole > 0), np.clip(d / np.where(whole > 0, whole, 1.0), 0, 1), 0.0
        )
        got = np.asarray(values["seller_network_option_share"], dtype=float)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_diversification_option_moves_with_russian_purchases(turkmen):
    """In 2010 Russia buys its 11 bcm/yr cap beside the China lines: a larger offtake raises its
    disagreement payoff, hence Turkmenistan's network option o (the typed-in share could not)."""
    base = turkmen.epoch_values(turkmen.base, 2010)
    o = float(base["seller_network_option_share"])
    assert 0.0 < o < 1.0
    more = turkmen.epoch_values(turkmen.base, 2010, {"russia_turkmen_purchase": 1.0})
    assert float(more["seller_network_option_share"]) > o
