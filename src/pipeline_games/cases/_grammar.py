"""The grammar of claim tests and backtest quantities (parsed, never evaluated as code).

A claim's ``test`` is an inline TOML table of one of four types. Quantity references use
a tiny grammar, parsed with regular expressions::

    REF   := [CONTEXT "."] QUANTITY          e.g. epoch[2014].buyer_share, base.price
    CONTEXT := "base" | "epoch[" YEAR "]"    (default: base = before the first epoch)
    DERIV := "d " QUANTITY " / d " PARAMETER e.g. d buyer_payoff / d seller_alt_volume

* ``{type = "compare", left = REF, op = "<", right = REF or number}``
* ``{type = "threshold", quantity = REF, op = ">=", value = number}``
* ``{type = "sign", quantity = DERIV, at = CONTEXT, expect = "+" or "-"}``
* ``{type = "label", quantity = REF, equals = "..."}``

``op`` is one of ``<``, ``<=``, ``>``, ``>=``. A derivative is a central finite difference
of the parameter's value in force at ``at``; ``"+"`` means strictly positive (beyond a
relative tolerance), so a quantity that does not move fails both ``"+"`` and ``"-"``.

A backtest quantity is a ``REF`` with an epoch (``epoch[2014].price``) or
``agreement_year`` (the first epoch year in which the parties agree).

Examples
--------
>>> parse_reference("epoch[2014].buyer_share")
(2014, 'buyer_share')
>>> parse_reference("price")
(None, 'price')
>>> parse_derivative("d buyer_payoff / d seller_alt_volume")
('buyer_payoff', 'seller_alt_volume')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CaseFileError
from ._adapters import ADAPTERS

__all__ = [
    "AGREEMENT_YEAR",
    "claim_references",
    "parse_context",
    "parse_derivative",
    "parse_reference",
    "quantity_adapter",
    "validate_backtest_quantity",
    "validate_claim",
]

#: The backtest quantity for the first epoch year with an agreement.
AGREEMENT_YEAR = "agreement_year"

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CONTEXT_RE = re.compile(r"^(?:base|epoch\[(\d{3,4})\])$")
_REF_RE = re.compile(rf"^(?:(base|epoch\[(\d{{3,4}})\])\.)?({_NAME})$")
_DERIV_RE = re.compile(rf"^d\s+({_NAME})\s*/\s*d\s+({_NAME})$")
_OPS = ("<", "<=", ">", ">=")
_TYPES = {
    "compare": {"type", "left", "op", "right"},
    "threshold": {"type", "quantity", "op", "value"},
    "sign": {"type", "quantity", "at", "expect"},
    "label": {"type", "quantity", "equals"},
}


def parse_context(text: str) -> int | None:
    """``"base"`` -> ``None``; ``"epoch[2009]"`` -> ``2009``; else ``ValueError``."""
    match = _CONTEXT_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected 'base' or 'epoch[YEAR]', got {text!r}")
    return int(match.group(1)) if match.group(1) else None


def parse_reference(text: str) -> tuple[int | None, str]:
    """Split a quantity reference into ``(year or None, quantity)``."""
    match = _REF_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected [base.|epoch[YEAR].]quantity, got {text!r}")
    year = int(match.group(2)) if match.group(2) else None
    return year, match.group(3)


def parse_derivative(text: str) -> tuple[str, str]:
    """Split ``"d Q / d P"`` into ``(Q, P)``."""
    match = _DERIV_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected 'd QUANTITY / d PARAMETER', got {text!r}")
    return match.group(1), match.group(2)


def quantity_adapter(quantity: str) -> str:
    """The adapter that provides ``quantity``."""
    for name, adapter in ADAPTERS.items():
        if quantity in adapter.outputs:
            return name
    raise KeyError(quantity)


def _quantity_labels(quantity: str) -> tuple[str, ...] | None:
    """The labels a label quantity can take, or ``None`` for a numeric quantity."""
    labels = ADAPTERS[quantity_adapter(quantity)].labels
    return tuple(labels[quantity]) if quantity in labels else None


def validate_claim(
    test: Mapping[str, Any],
    provided: set[str],
    parameters: Mapping[str, Any],
    years: Sequence[int],
    path: Path,
    where: str,
) -> None:
    """Raise [`CaseFileError`][pipeline_games.errors.CaseFileError] unless ``test`` is a well-formed claim test."""

    def fail(key: str, message: str) -> CaseFileError:
        return CaseFileError(f"{path}: {where}.{key}: {message}")

    kind = test.get("type")
    if kind not in _TYPES:
        raise fail("type", f"expected one of {', '.join(_TYPES)}, got {kind!r}")
    allowed = _TYPES[kind]
    extra = sorted(set(test) - allowed)
    if extra:
        raise fail(
            extra[0], f"unknown key for a {kind} test; allowed: {', '.join(sorted(allowed))}"
        )
    for key in sorted(allowed):
        if key not in test:
            raise fail(key, f"missing (a {kind} test needs {', '.join(sorted(allowed))})")

    def check_ref(key: str, label: bool = False) -> None:
        value = test[key]
        if not isinstance(value, str):
            raise fail(key, f"expected a quantity reference string, got {value!r}")
        try:
            year, quantity = parse_reference(value)
        except ValueError as exc:
            raise fail(key, str(exc)) from None
        if quantity not in provided:
            raise fail(
                key,
                f"names a missing quantity {quantity!r}; the case's adapters provide "
                f"{', '.join(sorted(provided))}",
            )
        if year is not None and year not in years:
            raise fail(key, f"epoch {year} is not one of the case's epochs {list(years)}")
        labels = _quantity_labels(quantity)
        if label and labels is None:
            raise fail(
                key, f"{quantity!r} is a number, not a label; use a compare or threshold test"
            )
        if not label and labels is not None:
            raise fail(key, f"{quantity!r} is a label; only a label test can refer to it")

    if kind in ("compare", "threshold") and test["op"] not in _OPS:
        raise fail("op", f"expected one of {', '.join(_OPS)}, got {test['op']!r}")
    if kind == "compare":
        check_ref("left")
        right = test["right"]
        if isinstance(right, bool) or not isinstance(right, str | int | float):
            raise fail("right", f"expected a quantity reference or a number, got {right!r}")
        if isinstance(right, str):
            check_ref("right")
    elif kind == "threshold":
        check_ref("quantity")
        value = test["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail("value", f"expected a number, got {value!r}")
    elif kind == "label":
        check_ref("quantity", label=True)
        labels = _quantity_labels(parse_reference(test["quantity"])[1]) or ()
        if test["equals"] not in labels:
            raise fail(
                "equals",
                f"expected one of the labels {', '.join(repr(a) for a in labels)}, "
                f"got {test['equals']!r}",
            )
    else:  # sign
        text = test["quantity"]
        if not isinstance(text, str):
            raise fail("quantity", "expected 'd QUANTITY / d PARAMETER'")
        try:
            quantity, parameter = parse_derivative(text)
        except ValueError as exc:
            raise fail("quantity", str(exc)) from None
        if quantity not in provided:
            raise fail("quantity", f"names a missing quantity {quantity!r}")
        if _quantity_labels(quantity) is not None:
            raise fail("quantity", f"{quantity!r} is a label and has no derivative")
        if parameter not in parameters:
            raise fail("quantity", f"names a missing parameter {parameter!r}")
        if getattr(parameters[parameter], "origin", None) == "derived":
            raise fail(
                "quantity",
                f"{parameter!r} is derived (from); it follows the parameters it derives from, "
                "so take the derivative with respect to one of those",
            )
        if getattr(parameters[parameter], "origin", None) == "network":
            raise fail(
                "quantity",
                f"{parameter!r} is computed on a linked network (from_network); take the "
                "derivative with respect to one of the network's inputs",
            )
        try:
            year = parse_context(str(test["at"]))
        except ValueError as exc:
            raise fail("at", str(exc)) from None
        if year is not None and year not in years:
            raise fail("at", f"epoch {year} is not one of the case's epochs {list(years)}")
        if test["expect"] not in ("+", "-"):
            raise fail("expect", f"expected '+' or '-', got {test['expect']!r}")


def claim_references(test: Mapping[str, Any]) -> list[tuple[int | None, str]]:
    """``(year, quantity)`` of every quantity a (validated) claim test refers to.

    Examples
    --------
    >>> claim_references({"type": "sign", "quantity": "d price / d volume", "at": "epoch[2014]"})
    [(2014, 'price')]
    """
    if test["type"] == "sign":
        return [(parse_context(str(test["at"])), parse_derivative(test["quantity"])[0])]
    return [
        parse_reference(test[key])
        for key in ("left", "right", "quantity")
        if isinstance(test.get(key), str)
    ]


def validate_backtest_quantity(
    text: str, provided: set[str], years: Sequence[int], path: Path, where: str
) -> None:
    """Raise [`CaseFileError`][pipeline_games.errors.CaseFileError] unless ``text`` is a valid backtest quantity."""
    if text == AGREEMENT_YEAR:
        if "agreement" not in provided:
            raise CaseFileError(
                f"{path}: {where}.quantity: agreement_year needs an adapter with an agreement"
            )
        return
    try:
        year, quantity = parse_reference(text)
    except ValueError as exc:
        raise CaseFileError(f"{path}: {where}.quantity: {exc}") from None
    if year is None or year not in years:
        raise CaseFileError(
            f"{path}: {where}.quantity: name one of the case's epochs {list(years)} "
            f"(epoch[YEAR].quantity); got {text!r}"
        )
    if quantity not in provided:
        raise CaseFileError(
            f"{path}: {where}.quantity: no adapter of the case provides {quantity!r}"
        )
    if _quantity_labels(quantity) is not None:
        raise CaseFileError(f"{path}: {where}.quantity: {quantity!r} is a label, not a number")
