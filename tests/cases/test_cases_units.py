"""Units: pint conversions against hand arithmetic; parameters from series and formulas
against values read independently from cases/market with csv and tomllib."""

from __future__ import annotations

import pytest

from _support.casefiles import annual_row, gas_case, units_file, write_case
from pipeline_games.cases import conversion, factors, read_case_file, unit_registry
from pipeline_games.cases._adapters import money_factor
from pipeline_games.cases._market import conversion_via, dimension_of
from pipeline_games.errors import CaseFileError


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        # 1 bcm/yr x 1 USD/kcm = 1e9 m3 x 1 USD / 1e3 m3 = 1e6 USD/yr = 0.001 USD bn/yr
        ("bcm/yr * USD/kcm", "USD_bn/yr", 0.001),
        # 1 Mt/yr x 1 bbl/t x 1 USD/bbl = 1e6 USD/yr
        ("(Mt/yr) * (bbl/t) * (USD/bbl)", "USD_bn/yr", 0.001),
        ("bcm", "kcm", 1e6),
        ("USD/t", "USD/kg", 0.001),
        ("USD_bn", "USD", 1e9),
        # a 42-gallon barrel is 158.987294928 litres
        ("bbl", "liter", 158.987294928),
        ("USD/kcm", "USD/m**3", 0.001),
        ("share", "dimensionless", 1.0),
    ],
)
def test_conversions_match_hand_arithmetic(source, target, expected):
    assert conversion(source, target) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("source", "target", "fragment"),
    [
        ("USD/MMBtu", "USD/kcm", "different dimensions"),
        ("USD", "RUB", "different dimensions"),  # no exchange rate between currencies
        ("bcm/yr", "USD_bn/yr", "different dimensions"),
        ("widgets", "USD", "not a known unit"),
    ],
)
def test_conversions_that_do_not_exist_are_case_file_errors(source, target, fragment):
    with pytest.raises(CaseFileError, match=fragment):
        conversion(source, target)


def test_factors_are_the_units_file_and_convert_gas_prices():
    table = units_file()["factors"]
    assert {name: item.value for name, item in factors().items()} == {
        name: float(item["value"]) for name, item in table.items()
    }
    mmbtu = float(table["mmbtu_per_kcm_gas"]["value"])
    # 1 USD/MMBtu x MMBtu/kcm = that many USD/kcm, and back.
    assert conversion_via("USD/MMBtu", "USD/kcm", "mmbtu_per_kcm_gas") == pytest.approx(mmbtu)
    assert conversion_via("USD/kcm", "USD/MMBtu", "mmbtu_per_kcm_gas") == pytest.approx(1 / mmbtu)
    with pytest.raises(CaseFileError, match="neither times nor divided"):
        conversion_via("USD/MMBtu", "USD/kcm", "bbl_per_t_crude_un")


def test_registry_has_the_project_units():
    registry = unit_registry()
    assert registry.Quantity(2.0, "USD_bn").to("USD").magnitude == pytest.approx(2e9)
    assert dimension_of("USD/kcm") == dimension_of("USD/m**3")
    assert dimension_of("USD/kcm") != dimension_of("USD/MMBtu")


def _with_parameters(tmp_path, **parameters):
    data = gas_case()
    data["parameters"].update(parameters)
    return read_case_file(write_case(tmp_path, data))


def test_series_parameter_takes_the_dataset_value_times_a_factor(tmp_path):
    gas = annual_row("USD/MMBtu")
    oil = annual_row("USD/bbl")
    table = units_file()["factors"]
    case = _with_parameters(
        tmp_path,
        lng={"series": gas["series"], "year": int(gas["year"]), "times": ["mmbtu_per_kcm_gas"],
                 "unit": "USD/kcm", "kind": "reported"},
        lng_mmbtu={"series": gas["series"], "year": int(gas["year"]), "unit": "USD/MMBtu",
                       "kind": "reported"},
        crude_per_tonne={"series": oil["series"], "year": int(oil["year"]),
                             "times": ["bbl_per_t_crude_un"], "unit": "USD/t", "kind": "reported"},
        crude_per_litre={"series": oil["series"], "year": int(oil["year"]), "unit": "USD/liter",
                             "kind": "reported"},
        half_crude={"series": oil["series"], "year": int(oil["year"]), "times": [0.5],
                        "unit": "USD/bbl", "kind": "reported"},
    )  # fmt: skip
    p = case.parameters
    mmbtu = float(table["mmbtu_per_kcm_gas"]["value"])
    per_tonne = float(table["bbl_per_t_crude_un"]["value"])
    assert p["lng"].value == pytest.approx(float(gas["value"]) * mmbtu, rel=1e-12)
    assert p["lng_mmbtu"].value == pytest.approx(float(gas["value"]), rel=1e-12)
    assert p["crude_per_tonne"].value == pytest.approx(float(oil["value"]) * per_tonne, rel=1e-12)
    assert p["crude_per_litre"].value == pytest.approx(float(oil["value"]) / 158.987294928)
    assert p["half_crude"].value == pytest.approx(float(oil["value"]) / 2)
    # Provenance: a series parameter cites the dataset row and has no range of its own.
    assert p["lng"].origin == "series"
    assert (p["lng"].series, p["lng"].year) == (gas["series"], int(gas["year"]))
    assert (p["lng"].source, p["lng"].locator) == (gas["source"], gas["locator"])
    assert p["lng"].low == p["lng"].high == p["lng"].value
    assert not p["lng"].varies


def test_series_parameter_with_a_range_is_sampled(tmp_path):
    oil = annual_row("USD/bbl")
    value = float(oil["value"])
    case = _with_parameters(
        tmp_path,
        crude={"series": oil["series"], "year": int(oil["year"]), "unit": "USD/bbl",
                   "low": value * 0.8, "high": value * 1.2, "kind": "reported"},
    )  # fmt: skip
    assert case.parameters["crude"].varies
    assert "crude" in case.varying
    assert case.bounds["crude"] == pytest.approx((value * 0.8, value * 1.2))


def test_derived_parameters_convert_their_terms(tmp_path):
    gas = annual_row("USD/MMBtu")
    mmbtu = float(units_file()["factors"]["mmbtu_per_kcm_gas"]["value"])
    case = _with_parameters(
        tmp_path,
        lng_mmbtu={"series": gas["series"], "year": int(gas["year"]), "unit": "USD/MMBtu",
                       "kind": "reported"},
        # a price per MMBtu times MMBtu/kcm, less a cost per m3 (converted), plus a number
        # in the parameter's own unit
        lng_netback=dict(**{"from": "lng_mmbtu"}, times=["mmbtu_per_kcm_gas"],
                         minus=["regas"], plus=[5.0], unit="USD/kcm", kind="derived"),
        regas={"value": 0.04, "unit": "USD/m**3", "kind": "assumption", "reason": "test"},
        # a product of two parameters: volume x price = money per year
        revenue=dict(**{"from": "volume"}, times=["buyer_value"], unit="USD_bn/yr",
                     kind="derived"),
    )  # fmt: skip
    p = case.parameters
    expected = float(gas["value"]) * mmbtu - 0.04 * 1000.0 + 5.0
    assert p["lng_netback"].value == pytest.approx(expected, rel=1e-12)
    assert p["lng_netback"].origin == "derived"
    assert p["revenue"].value == pytest.approx(10.0 * 300.0 * 0.001, rel=1e-12)
    # Derived parameters are not sweep inputs: they follow the others.
    assert "revenue" not in case.parameter_names
    values = case.epoch_values({"volume": 20.0, "buyer_value": 250.0}, None)
    assert float(values["revenue"]) == pytest.approx(20.0 * 250.0 * 0.001, rel=1e-12)


def test_money_factor_comes_from_the_units(tmp_path):
    bpt = float(units_file()["factors"]["bbl_per_t_crude_un"]["value"])
    data = gas_case()
    p = data["parameters"]
    for name in ("volume", "buyer_alt_volume", "buyer_alt_volume_2012", "seller_alt_volume"):
        p[name]["unit"] = "Mt/yr"
    for name in (
        "buyer_value",
        "seller_cost",
        "buyer_alt_price",
        "europe_price",
        "europe_price_2009",
        "europe_price_2014",
        "transport",
        "seller_alt_netback",
    ):
        p[name]["unit"] = "USD/bbl"  # fmt: skip
    p["barrels_per_tonne"] = {"value": bpt, "unit": "bbl/t", "kind": "reported",
                              "source": "un_energy_yearbook_conversion"}  # fmt: skip
    data["model"]["bargaining"]["volume_conversion"] = "barrels_per_tonne"
    case = read_case_file(write_case(tmp_path, data))
    # 1 Mt/yr x 1 bbl/t x 1 USD/bbl = USD 0.001 bn/yr; volume_conversion multiplies it by
    # the barrels per tonne (7.32 -> 1 Mt/yr at 1 USD/bbl = USD 0.00732 bn/yr).
    assert money_factor(case) == pytest.approx(0.001, rel=1e-12)
    surplus = case.solve().outputs[2006]["surplus"]
    assert surplus == pytest.approx(10.0 * bpt * (300.0 - 100.0) * 0.001, rel=1e-12)
    gas = read_case_file(write_case(tmp_path, gas_case()))
    assert money_factor(gas) == pytest.approx(0.001, rel=1e-12)
    assert gas.solve().outputs[2006]["surplus"] == pytest.approx(10.0 * 200.0 * 0.001)


def test_oil_in_tonnes_priced_per_barrel_without_a_conversion_is_refused(tmp_path):
    data = gas_case()
    p = data["parameters"]
    for name in ("volume", "buyer_alt_volume", "buyer_alt_volume_2012", "seller_alt_volume"):
        p[name]["unit"] = "Mt/yr"
    for name in (
        "buyer_value",
        "seller_cost",
        "buyer_alt_price",
        "europe_price",
        "europe_price_2009",
        "europe_price_2014",
        "transport",
        "seller_alt_netback",
    ):
        p[name]["unit"] = "USD/bbl"  # fmt: skip
    with pytest.raises(CaseFileError, match=r"model\.bargaining: .*volume_conversion"):
        read_case_file(write_case(tmp_path, data))


@pytest.mark.parametrize(("source", "target"), [("1/0", "bcm/yr"), ("bcm/yr", "1/0")])
def test_a_unit_that_divides_by_zero_is_a_case_file_error_naming_it(source, target):
    from pipeline_games.cases import conversion
    from pipeline_games.errors import CaseFileError

    with pytest.raises(CaseFileError, match=r"unit '.*' or '.*' is not a usable unit") as caught:
        conversion(source, target)
    assert "'1/0'" in str(caught.value)
