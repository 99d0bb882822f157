"""Transaction-cost models: hold-up, governance forms, discriminating alignment, the
dependence regimes of the source, and the buyer's gain from the seller's diversification.

The implementation modules are private (``_holdup``, ``_governance``, ...); their public names
are re-exported here, so ``pipeline_games.transaction.holdup`` is the function.
"""

from __future__ import annotations

from . import _alignment, _diversification, _governance, _holdup, _regimes

__all__: list[str] = [
    *_alignment.__all__,
    *_diversification.__all__,
    *_governance.__all__,
    *_holdup.__all__,
    *_regimes.__all__,
]

from ._alignment import *  # noqa: F403
from ._diversification import *  # noqa: F403
from ._governance import *  # noqa: F403
from ._holdup import *  # noqa: F403
from ._regimes import *  # noqa: F403
