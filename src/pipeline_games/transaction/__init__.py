"""Transaction-cost models: hold-up, governance forms, discriminating alignment, the
dependence regimes of the source, and the buyer's gain from the seller's diversification."""

from __future__ import annotations

from .governance import (
    GOVERNANCE_FORMS,
    GovernanceChoice,
    GovernanceOutcome,
    best_governance,
    integration,
    joint_venture,
    long_term_contract,
    prepayment_loan,
    spot,
)
from .holdup import HoldupResult, holdup, investment_for_share, surplus_for_share

__all__: list[str] = [
    "GOVERNANCE_FORMS",
    "GovernanceChoice",
    "GovernanceOutcome",
    "best_governance",
    "integration",
    "joint_venture",
    "long_term_contract",
    "prepayment_loan",
    "spot",
    "HoldupResult",
    "holdup",
    "investment_for_share",
    "surplus_for_share",
]
