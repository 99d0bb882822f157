"""Transaction-cost models: hold-up, governance forms, discriminating alignment, the
dependence regimes of the source, and the buyer's gain from the seller's diversification.

The functions :func:`holdup` and :func:`diversification` share their names with the modules
that define them; after this import the names refer to the functions (the modules stay
reachable as ``pipeline_games.transaction.holdup`` via ``importlib`` or ``sys.modules``).
"""

from __future__ import annotations

from . import alignment as _alignment
from . import diversification as _diversification
from . import governance as _governance
from . import holdup as _holdup
from . import regimes as _regimes

__all__: list[str] = [
    *_alignment.__all__,
    *_diversification.__all__,
    *_governance.__all__,
    *_holdup.__all__,
    *_regimes.__all__,
]

from .alignment import *  # noqa: F403
from .diversification import *  # noqa: F403
from .governance import *  # noqa: F403
from .holdup import *  # noqa: F403
from .regimes import *  # noqa: F403
