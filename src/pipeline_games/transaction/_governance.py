r"""Governance forms for a relationship-specific asset: who bears the quasi-rent, at what cost.

Every form shares the technology of `_holdup`: the seller
(the producer) sinks an asset ``k`` at cost ``c k`` that is worth ``V(k) = a k^alpha`` inside
the relationship and ``(1 - s) V(k)`` outside it (``s = specificity``); the buyer has Nash
weight ``w`` in any ex-post bargaining. A form changes the seller's *marginal* share
``theta`` of ``V`` (hence the investment ``k = (alpha a theta / c)^(1/(1-alpha))``), adds a
governance cost, and moves the quasi-rent. The joint surplus of a form is
``V(k) - c k - (its governance cost)``.

Stylized assumptions of each form
---------------------------------
``spot``
    No contract: the price is bargained after ``k`` is sunk. ``theta = 1 - w s``; no
    governance cost. The seller bears the quasi-rent ``s V``; the buyer appropriates
    ``w s V`` of it.
``long_term_contract``
    A fixed-price contract signed before investing. When it holds, the price does not
    depend on ``k``, so the seller is the residual claimant of its investment
    (``theta = 1``; Edlin and Reichelstein 1996). With probability ``r``
    (``renegotiation_probability``) it is reopened after ``k`` is sunk and the terms are
    those of spot bargaining. So ``theta = (1 - r) + r (1 - w s)``. Writing, monitoring and
    enforcing it costs ``enforcement_cost`` (deadweight). Unprotected quasi-rent:
    ``r s V``, borne by the seller.
``joint_venture``
    Shared assets: the buyer holds equity ``sigma`` (``buyer_equity``) in the specific asset
    and pays that share of its cost (and of the venture's running cost ``venture_cost``).
    Each side's threat point is its equity share of the asset's outside value,
    ``(sigma (1 - s) V, (1 - sigma)(1 - s) V)``, and the quasi-rent ``s V`` is bargained
    with weights ``(w, 1 - w)``. Both sides now hold a hostage (``sigma s V`` and
    ``(1 - sigma) s V``). Per unit of its cost share, the buyer's marginal return is
    ``(1 - s) + s w / sigma`` and the seller's ``(1 - s) + s (1 - w) / (1 - sigma)``; the
    venture invests only what both approve (unanimity), so ``theta`` is the smaller of the
    two. It equals 1, the first best, when equity matches bargaining power
    (``sigma = w``).
``prepayment_loan``
    Loan-for-oil/gas: the buyer lends the first-best investment ``L = c k_FB`` before
    anything is built (the loan finances a verifiable investment, so ``k = k_FB``); the
    seller owes ``R = (1 + interest_rate) L``, repaid in deliveries, and trade terms are
    otherwise bargained ex post as in spot. The seller keeps a default option: it defaults
    when ``R`` exceeds ``default_penalty`` (what defaulting costs it: collateral, credit
    access, reputation). On default the buyer recovers nothing and the penalty is a
    deadweight loss. ``loan_cost`` (arranging and monitoring the loan) is deadweight, paid
    by the buyer. Quasi-rents at stake: the buyer's claim ``R`` (worth something only
    through the relationship) and the seller's ``s V``.
``integration``
    One owner for both stages: no ex-post bargaining, but bureaucratic costs. Internal
    incentives are low-powered: ``theta = 1 - incentive_dilution``; a fixed
    ``bureaucratic_cost`` is deadweight. No quasi-rent is exposed to a counterparty.

Payoffs. In spot bargaining and the joint venture the payoffs follow from the ex-post
bargaining. For the contract, the integration and the loan the ex-ante terms (contract price,
acquisition price) are a transfer: each side gets its spot payoff plus its weight's share
(``w`` for the buyer) of the form's surplus gain over spot (a loss, if the form is worse).
For the loan, the split is the one implied by the repayment (see above).

References
----------
Williamson, O. E. (1983). Credible commitments: using hostages to support exchange.
*American Economic Review* 73(4), 519-540.
Williamson, O. E. (1985). *The Economic Institutions of Capitalism*. Free Press.
Klein, B., Crawford, R. G. and Alchian, A. A. (1978). *Journal of Law and Economics* 21(2).
Grossman, S. J. and Hart, O. D. (1986). *Journal of Political Economy* 94(4).
Edlin, A. S. and Reichelstein, S. (1996). Holdups, standard breach remedies, and optimal
investment. *American Economic Review* 86(3), 478-501.
Bulow, J. and Rogoff, K. (1989). Sovereign debt: is to forgive to forget? *American
Economic Review* 79(1), 43-50.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import broadcast_named, check_memory, stack_last
from .._results import Result
from ._shared import AtShare, at_share, bargained, checked, technology

__all__ = [
    "GOVERNANCE_FORMS",
    "GovernanceChoice",
    "GovernanceOutcome",
    "best_governance",
    "integration",
    "joint_venture",
    "long_term_contract",
    "prepayment_loan",
    "spot",
]

FloatArray = NDArray[np.float64]

#: The governance forms, in the order of [`best_governance`][pipeline_games.transaction.best_governance]'s last axis.
GOVERNANCE_FORMS = (
    "spot",
    "long_term_contract",
    "joint_venture",
    "prepayment_loan",
    "integration",
)

_BEARER_LABELS = np.array(["none", "buyer", "seller", "both"])


@dataclass(frozen=True, eq=False, repr=False)
class GovernanceOutcome(Result):
    """What a governance form yields, for one parameter point or an array of them.

    Attributes
    ----------
    form
        The form's name (one of `GOVERNANCE_FORMS`).
    surplus
        Joint surplus ``V(k) - c k -`` governance costs (and deadweight default losses).
    payoffs
        Array ``(..., 2)``, (buyer, seller).
    investment
        The specific investment ``k`` made under the form.
    quasi_rent
        Array ``(..., 2)``: each side's quasi-rent exposed to the other's opportunism.
    quasi_rent_bearer
        ``"none"``, ``"buyer"``, ``"seller"`` or ``"both"``: who has a positive exposed
        quasi-rent, per point.
    method
        ``"governance"``.
    parameters
        The parameters used, as validated arrays.
    players
        ``("buyer", "seller")``.

    Examples
    --------
    >>> out = spot(specificity=1.0, buyer_weight=0.5, scale=2.0, alpha=0.5)
    >>> float(out.surplus), out.payoffs, str(out.quasi_rent_bearer)
    (0.75, array([0.5 , 0.25]), 'seller')
    """

    form: str
    surplus: FloatArray
    payoffs: FloatArray
    investment: FloatArray
    quasi_rent: FloatArray
    quasi_rent_bearer: NDArray[np.str_]
    method: str = "governance"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the parameter grid."""
        return tuple(self.payoffs.shape[:-1])


@dataclass(frozen=True, eq=False, repr=False)
class GovernanceChoice(Result):
    """The surplus-maximising governance form at each parameter point.

    Attributes
    ----------
    best
        ``int`` array: index into ``forms`` of the best form (ties go to the earlier form).
    surplus
        Array ``(..., n_forms)``: each form's joint surplus.
    forms
        The forms' names, in the order of the last axis of ``surplus``.
    method, parameters
        ``"best_governance"`` and the parameters used.

    Examples
    --------
    >>> choice = best_governance(specificity=[0.0, 1.0], buyer_weight=0.5,
    ...                          enforcement_cost=0.05, venture_cost=0.1, loan_cost=0.1,
    ...                          bureaucratic_cost=0.1)
    >>> choice.labels().tolist()
    ['spot', 'long_term_contract']
    """

    best: NDArray[np.intp]
    surplus: FloatArray
    forms: tuple[str, ...] = GOVERNANCE_FORMS
    method: str = "best_governance"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def labels(self) -> NDArray[np.str_]:
        """Names of the best forms, per point."""
        return np.array(self.forms)[self.best]

    @property
    def best_surplus(self) -> FloatArray:
        """The largest surplus, per point."""
        return np.take_along_axis(self.surplus, self.best[..., None], axis=-1)[..., 0]


# -- shared validation and formulas ------------------------------------------------------
def _parameters(
    specificity: ArrayLike,
    buyer_weight: ArrayLike,
    scale: ArrayLike,
    alpha: ArrayLike,
    unit_cost: ArrayLike,
    **form: ArrayLike,
) -> dict[str, FloatArray]:
    """The checked common parameters followed by the form's own, in the order given."""
    technology_parameters = technology(scale, alpha, unit_cost)
    common = checked(specificity=specificity, buyer_weight=buyer_weight)
    return {**common, **technology_parameters, **checked(**form)}


def _bearer(quasi_rent: FloatArray) -> NDArray[np.str_]:
    code = (quasi_rent[..., 0] > 0.0).astype(np.intp) + 2 * (quasi_rent[..., 1] > 0.0)
    return _BEARER_LABELS[code]


def _spot_theta(p: Mapping[str, FloatArray]) -> FloatArray:
    return 1.0 - p["buyer_weight"] * p["specificity"]


# Each form's investment and joint surplus net of its own costs; ``p`` holds its parameters.
def _spot_surplus(p: Mapping[str, FloatArray]) -> tuple[AtShare, FloatArray]:
    chosen = at_share(_spot_theta(p), p)
    return chosen, chosen.surplus


def _contract_surplus(p: Mapping[str, FloatArray]) -> tuple[AtShare, FloatArray]:
    renegotiation = p["renegotiation_probability"]
    chosen = at_share((1.0 - renegotiation) + renegotiation * _spot_theta(p), p)
    return chosen, chosen.surplus - p["enforcement_cost"]


def _venture_surplus(p: Mapping[str, FloatArray]) -> tuple[AtShare, FloatArray]:
    s, w, equity = p["specificity"], p["buyer_weight"], p["buyer_equity"]
    # A share of equity near 0 or 1 (subnormal) makes one ratio overflow to inf; the other is
    # finite (equity is in (0, 1)), so the minimum is finite and the overflow is harmless.
    with np.errstate(over="ignore"):
        ratio = np.minimum(w / equity, (1.0 - w) / (1.0 - equity))
    chosen = at_share((1.0 - s) + s * ratio, p)
    return chosen, chosen.surplus - p["venture_cost"]


def _loan_terms(
    p: Mapping[str, FloatArray],
) -> tuple[AtShare, FloatArray, FloatArray, NDArray[np.bool_], FloatArray]:
    """The loan's investment and surplus, the repayment owed (on ``L = c k``), whether the
    seller defaults, and the penalty it then loses."""
    chosen = at_share(1.0, p)
    repayment = (1.0 + p["interest_rate"]) * chosen.cost
    defaults = repayment > p["default_penalty"]
    lost = np.where(defaults, p["default_penalty"], 0.0)
    return chosen, chosen.surplus - p["loan_cost"] - lost, repayment, defaults, lost


def _loan_surplus(p: Mapping[str, FloatArray]) -> tuple[AtShare, FloatArray]:
    chosen, surplus, *_ = _loan_terms(p)
    return chosen, surplus


def _integration_surplus(p: Mapping[str, FloatArray]) -> tuple[AtShare, FloatArray]:
    chosen = at_share(1.0 - p["incentive_dilution"], p)
    return chosen, chosen.surplus - p["bureaucratic_cost"]


#: The surplus of each form, in the order of `GOVERNANCE_FORMS`.
_SURPLUS = (_spot_surplus, _contract_surplus, _venture_surplus, _loan_surplus, _integration_surplus)


def _spot_payoffs(p: Mapping[str, FloatArray], shape: tuple[int, ...]) -> FloatArray:
    # Closed form of spot()'s pg.nash split, kept for the transfer forms: through pg.nash they
    # run 12-40% slower (its per-call checks) for a rounding-level difference.
    theta = _spot_theta(p)
    chosen = at_share(theta, p)
    buyer = p["buyer_weight"] * p["specificity"] * chosen.value
    seller = theta * chosen.value - chosen.cost
    return stack_last(buyer, seller, shape)


def _transfer_split(
    p: Mapping[str, FloatArray], surplus: FloatArray, shape: tuple[int, ...]
) -> FloatArray:
    """Spot payoffs plus each side's weight share of the form's surplus gain over spot."""
    spot_payoffs = _spot_payoffs(p, shape)
    gain = surplus - spot_payoffs.sum(axis=-1)
    w = p["buyer_weight"]
    return stack_last(
        spot_payoffs[..., 0] + w * gain, spot_payoffs[..., 1] + (1.0 - w) * gain, shape
    )


def _outcome(
    form: str,
    p: Mapping[str, FloatArray],
    shape: tuple[int, ...],
    chosen: AtShare,
    surplus: FloatArray,
    payoffs: FloatArray,
    quasi_rent: FloatArray,
) -> GovernanceOutcome:
    """The form's result, with its arrays broadcast to the parameters' shape."""
    return GovernanceOutcome(
        form=form,
        surplus=np.array(np.broadcast_to(surplus, shape)),
        payoffs=payoffs,
        investment=np.array(np.broadcast_to(chosen.investment, shape)),
        quasi_rent=quasi_rent,
        quasi_rent_bearer=_bearer(quasi_rent),
        parameters=p,
    )


# -- the forms -----------------------------------------------------------------------------
def spot(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceOutcome:
    """Spot bargaining after the seller's asset is sunk (the hold-up benchmark).

    Parameters
    ----------
    specificity
        ``s`` in ``[0, 1]``: share of the seller's asset value lost outside the relationship.
    buyer_weight
        ``w`` in ``[0, 1]``: the buyer's Nash weight in ex-post bargaining.
    scale, alpha, unit_cost
        ``V(k) = scale k^alpha`` (``scale > 0``, ``0 < alpha < 1``), cost ``unit_cost k``.

    Examples
    --------
    >>> out = spot(specificity=0.5, buyer_weight=0.5, scale=2.0, alpha=0.5)
    >>> float(out.investment), float(out.surplus)  # theta = 0.75: k = 0.75^2
    (0.5625, 0.9375)
    """
    p = _parameters(specificity, buyer_weight, scale, alpha, unit_cost)
    shape = broadcast_named(**p)
    check_memory(shape, 160, "spot")
    chosen, surplus = _spot_surplus(p)
    outside = (1.0 - p["specificity"]) * chosen.value
    payoffs = bargained(
        chosen.value, (0.0, outside), p["buyer_weight"], shape, seller_cost=chosen.cost
    )
    quasi_rent = stack_last(0.0, p["specificity"] * chosen.value, shape)
    return _outcome("spot", p, shape, chosen, surplus, payoffs, quasi_rent)


def long_term_contract(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    renegotiation_probability: ArrayLike = 0.2,
    enforcement_cost: ArrayLike = 0.0,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceOutcome:
    """A fixed-price long-term contract that is reopened with probability ``r``.

    Parameters
    ----------
    specificity, buyer_weight, scale, alpha, unit_cost
        As in [`spot`][pipeline_games.transaction.spot].
    renegotiation_probability
        ``r`` in ``[0, 1]``: probability that the contract is reopened after the asset is sunk.
    enforcement_cost
        Deadweight cost of writing, monitoring and enforcing the contract, ``>= 0``.

    Examples
    --------
    >>> out = long_term_contract(1.0, 0.5, renegotiation_probability=0.0, scale=2.0,
    ...                          alpha=0.5)
    >>> float(out.investment), float(out.surplus)  # first best
    (1.0, 1.0)
    """
    p = _parameters(
        specificity,
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        renegotiation_probability=renegotiation_probability,
        enforcement_cost=enforcement_cost,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 160, "long_term_contract")
    chosen, surplus = _contract_surplus(p)
    r = p["renegotiation_probability"]
    quasi_rent = stack_last(0.0, r * p["specificity"] * chosen.value, shape)
    payoffs = _transfer_split(p, surplus, shape)
    return _outcome("long_term_contract", p, shape, chosen, surplus, payoffs, quasi_rent)


def joint_venture(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    buyer_equity: ArrayLike = 0.5,
    venture_cost: ArrayLike = 0.0,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceOutcome:
    """Shared specific assets (a joint venture): each side holds a hostage.

    Parameters
    ----------
    specificity, buyer_weight, scale, alpha, unit_cost
        As in [`spot`][pipeline_games.transaction.spot].
    buyer_equity
        ``sigma`` in ``(0, 1)``: the buyer's share of the asset (and of its costs).
    venture_cost
        Deadweight cost of running the venture (coordination, shared decisions), ``>= 0``,
        shared in proportion to equity.

    Examples
    --------
    >>> out = joint_venture(1.0, 0.5, buyer_equity=0.5, scale=2.0, alpha=0.5)
    >>> float(out.investment), out.payoffs, str(out.quasi_rent_bearer)
    (1.0, array([0.5, 0.5]), 'both')
    """
    p = _parameters(
        specificity,
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        buyer_equity=buyer_equity,
        venture_cost=venture_cost,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 160, "joint_venture")
    chosen, surplus = _venture_surplus(p)
    equity, value = p["buyer_equity"], chosen.value
    outside = (1.0 - p["specificity"]) * value
    total_cost = chosen.cost + p["venture_cost"]
    payoffs = bargained(
        value,
        (equity * outside, (1.0 - equity) * outside),
        p["buyer_weight"],
        shape,
        buyer_cost=equity * total_cost,
        seller_cost=(1.0 - equity) * total_cost,
    )
    quasi_rent = stack_last(
        equity * p["specificity"] * value, (1.0 - equity) * p["specificity"] * value, shape
    )
    return _outcome("joint_venture", p, shape, chosen, surplus, payoffs, quasi_rent)


def prepayment_loan(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    interest_rate: ArrayLike = 0.0,
    default_penalty: ArrayLike = np.inf,
    loan_cost: ArrayLike = 0.0,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceOutcome:
    """A prepayment loan (loan-for-oil or loan-for-gas) repaid in deliveries.

    Parameters
    ----------
    specificity, buyer_weight, scale, alpha, unit_cost
        As in [`spot`][pipeline_games.transaction.spot].
    interest_rate
        Interest over the life of the loan, ``>= 0``: the seller owes ``(1 + i) L``.
    default_penalty
        What defaulting costs the seller, ``>= 0`` (``inf``: default never pays).
    loan_cost
        Deadweight cost of arranging and monitoring the loan, paid by the buyer, ``>= 0``.

    Examples
    --------
    >>> out = prepayment_loan(1.0, 0.5, scale=2.0, alpha=0.5)
    >>> float(out.investment), float(out.surplus), out.payoffs  # buyer: 1 - 1 + 1; seller: 1 - 1
    (1.0, 1.0, array([1., 0.]))
    >>> out = prepayment_loan(1.0, 0.5, interest_rate=0.1, default_penalty=1.0,
    ...                       scale=2.0, alpha=0.5)
    >>> float(out.surplus), out.payoffs + 0.0  # the seller defaults: the penalty is lost
    (0.0, array([0., 0.]))
    """
    p = _parameters(
        specificity,
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        interest_rate=interest_rate,
        default_penalty=default_penalty,
        loan_cost=loan_cost,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 160, "prepayment_loan")
    chosen, surplus, repayment, defaults, lost = _loan_terms(p)
    value, loan = chosen.value, chosen.cost
    received = np.where(defaults, 0.0, repayment)
    buyer = p["buyer_weight"] * p["specificity"] * value - loan + received - p["loan_cost"]
    seller = (1.0 - p["buyer_weight"] * p["specificity"]) * value - received - lost
    payoffs = stack_last(buyer, seller, shape)
    quasi_rent = stack_last(repayment, p["specificity"] * value, shape)
    return _outcome("prepayment_loan", p, shape, chosen, surplus, payoffs, quasi_rent)


def integration(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    bureaucratic_cost: ArrayLike = 0.0,
    incentive_dilution: ArrayLike = 0.0,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceOutcome:
    """Vertical integration: no hold-up, but bureaucratic costs and weaker incentives.

    Parameters
    ----------
    specificity, buyer_weight, scale, alpha, unit_cost
        As in [`spot`][pipeline_games.transaction.spot] (the weight sets the acquisition price).
    bureaucratic_cost
        Fixed deadweight cost of running the integrated hierarchy, ``>= 0``.
    incentive_dilution
        ``delta`` in ``[0, 1)``: the integrated manager keeps ``1 - delta`` of the marginal
        value of investment (low-powered incentives).

    Examples
    --------
    >>> out = integration(1.0, 0.5, bureaucratic_cost=0.1, scale=2.0, alpha=0.5)
    >>> float(out.surplus), str(out.quasi_rent_bearer)
    (0.9, 'none')
    """
    p = _parameters(
        specificity,
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        bureaucratic_cost=bureaucratic_cost,
        incentive_dilution=incentive_dilution,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 160, "integration")
    chosen, surplus = _integration_surplus(p)
    payoffs = _transfer_split(p, surplus, shape)
    return _outcome("integration", p, shape, chosen, surplus, payoffs, np.zeros((*shape, 2)))


def best_governance(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    renegotiation_probability: ArrayLike = 0.2,
    enforcement_cost: ArrayLike = 0.0,
    buyer_equity: ArrayLike = 0.5,
    venture_cost: ArrayLike = 0.0,
    interest_rate: ArrayLike = 0.0,
    default_penalty: ArrayLike = np.inf,
    loan_cost: ArrayLike = 0.0,
    bureaucratic_cost: ArrayLike = 0.0,
    incentive_dilution: ArrayLike = 0.0,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> GovernanceChoice:
    """The surplus-maximising governance form per parameter point (vectorized).

    Computes every form's joint surplus (the same formulas as [`spot`][pipeline_games.transaction.spot],
    [`long_term_contract`][pipeline_games.transaction.long_term_contract], [`joint_venture`][pipeline_games.transaction.joint_venture], [`prepayment_loan`][pipeline_games.transaction.prepayment_loan] and
    [`integration`][pipeline_games.transaction.integration], without their payoffs, to keep large sweeps lean) and picks the
    largest; ties go to the form listed first in `GOVERNANCE_FORMS`.

    Parameters
    ----------
    specificity, buyer_weight, scale, alpha, unit_cost
        As in [`spot`][pipeline_games.transaction.spot].
    renegotiation_probability, enforcement_cost
        As in [`long_term_contract`][pipeline_games.transaction.long_term_contract].
    buyer_equity, venture_cost
        As in [`joint_venture`][pipeline_games.transaction.joint_venture].
    interest_rate, default_penalty, loan_cost
        As in [`prepayment_loan`][pipeline_games.transaction.prepayment_loan].
    bureaucratic_cost, incentive_dilution
        As in [`integration`][pipeline_games.transaction.integration].

    Examples
    --------
    >>> choice = best_governance(0.8, 0.5, enforcement_cost=0.02, loan_cost=0.05,
    ...                          venture_cost=0.01, bureaucratic_cost=0.1)
    >>> str(choice.labels()), choice.surplus.round(4)
    ('joint_venture', array([0.21  , 0.2284, 0.24  , 0.2   , 0.15  ]))
    """
    p = _parameters(
        specificity,
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        renegotiation_probability=renegotiation_probability,
        enforcement_cost=enforcement_cost,
        buyer_equity=buyer_equity,
        venture_cost=venture_cost,
        interest_rate=interest_rate,
        default_penalty=default_penalty,
        loan_cost=loan_cost,
        bureaucratic_cost=bureaucratic_cost,
        incentive_dilution=incentive_dilution,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 200, "best_governance")
    surplus = np.empty((*shape, len(GOVERNANCE_FORMS)), dtype=np.float64)
    for index, form_surplus in enumerate(_SURPLUS):
        surplus[..., index] = form_surplus(p)[1]
    return GovernanceChoice(best=np.argmax(surplus, axis=-1), surplus=surplus, parameters=p)
