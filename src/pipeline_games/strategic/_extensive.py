"""Finite game trees with perfect information, solved by backward induction on arrays.

A tree is built from three node types:

* [`DecisionNode`][pipeline_games.strategic.DecisionNode] -- a player chooses one of several labelled actions;
* [`ChanceNode`][pipeline_games.strategic.ChanceNode] -- nature picks a branch with given probabilities;
* [`TerminalNode`][pipeline_games.strategic.TerminalNode] -- the game ends with one payoff per player.

Payoffs and probabilities may be numbers or numpy arrays that broadcast against each other
(a grid of parameter values). [`backward_induction`][pipeline_games.strategic.backward_induction] walks the tree **once** and solves
every parameter point at the same time: at each decision node the mover's continuation
payoffs of all actions are compared element-wise.

Every decision node is its own information set (perfect information), which is what
backward induction needs; the moves of the pipeline cases (buy a stake, build a stage,
change the law, choose a route) are observed before the next move.

**Ties.** When several actions give the mover payoffs within ``tol`` of the best, the
first of them in the node's action order is chosen (``tie_break="first"``) or the last
(``"last"``); the result reports, per node and parameter point, whether a tie occurred, so
that a reader knows where the equilibrium is not unique.

Examples
--------
An entry game: the entrant enters or stays out, the incumbent then fights or accommodates.

>>> import numpy as np
>>> from pipeline_games.strategic import DecisionNode, GameTree, TerminalNode, backward_induction
>>> fight_cost = np.array([1.0, 3.0])
>>> tree = GameTree(
...     DecisionNode(0, {
...         "out": TerminalNode((0.0, 2.0)),
...         "in": DecisionNode(1, {
...             "fight": TerminalNode((-1.0, 2.0 - fight_cost)),
...             "accommodate": TerminalNode((1.0, 1.0)),
...         }, name="incumbent"),
...     }, name="entrant"),
...     players=("entrant", "incumbent"),
... )
>>> result = backward_induction(tree)
>>> result.chosen("entrant"), result.chosen("incumbent")
(array(['out', 'in'], dtype='<U3'), array(['fight', 'accommodate'], dtype='<U11'))
>>> result.payoffs
array([[0., 2.],
       [1., 1.]])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, broadcast_named
from .._results import Result
from ..errors import InvalidParameterError
from ._validate import as_payoffs, as_tolerance

__all__ = [
    "ChanceNode",
    "DecisionNode",
    "GameTree",
    "SubgamePerfectResult",
    "TerminalNode",
    "backward_induction",
    "strategic_form",
]

FloatArray = NDArray[np.float64]
Node = Union["DecisionNode", "ChanceNode", "TerminalNode"]


@dataclass(frozen=True, eq=False)
class TerminalNode:
    """End of the game: one payoff per player (numbers or broadcastable arrays).

    Examples
    --------
    >>> TerminalNode((1.0, [2.0, 3.0]), name="deal").name
    'deal'
    """

    payoffs: Sequence[ArrayLike]
    name: str = ""


@dataclass(frozen=True, eq=False)
class ChanceNode:
    """Nature moves: branch ``label`` is taken with probability ``probabilities[label]``.

    Probabilities may be arrays (broadcast with the payoffs); at every parameter point
    they must be non-negative and sum to one.

    Examples
    --------
    >>> node = ChanceNode({"high": TerminalNode((1.0,)), "low": TerminalNode((0.0,))},
    ...                   {"high": 0.3, "low": 0.7})
    >>> sorted(node.children)
    ['high', 'low']
    """

    children: Mapping[str, Node]
    probabilities: Mapping[str, ArrayLike]
    name: str = ""


@dataclass(frozen=True, eq=False)
class DecisionNode:
    """``player`` (an index into the tree's players) chooses one of ``actions``.

    ``actions`` maps action labels to the child nodes, in the order used to break ties.

    Examples
    --------
    >>> DecisionNode(0, {"a": TerminalNode((1.0,)), "b": TerminalNode((2.0,))}).player
    0
    """

    player: int
    actions: Mapping[str, Node]
    name: str = ""


@dataclass(frozen=True, eq=False)
class GameTree:
    """A validated game tree: the root node and the players' names.

    Decision and chance nodes without a ``name`` are named by their path from the root,
    e.g. ``"root/enter/build"``; names must be unique. Terminal nodes are named likewise.

    Attributes
    ----------
    root
        The root node.
    players
        Player names; decision nodes refer to players by index.
    shape
        Broadcast shape of all payoffs and probabilities (the parameter grid).

    Examples
    --------
    >>> tree = GameTree(DecisionNode(0, {"x": TerminalNode((1.0,)), "y": TerminalNode((0.0,))}),
    ...                 players=("solo",))
    >>> tree.decision_nodes()
    ('root',)
    """

    root: Node
    players: tuple[str, ...]
    shape: tuple[int, ...] = field(init=False)
    _names: dict[int, str] = field(init=False, repr=False)

    def __init__(self, root: Node, players: Sequence[str]) -> None:
        if isinstance(players, str | bytes) or not isinstance(players, Iterable):
            raise InvalidParameterError(f"players must be a sequence of names; got {players!r}")
        players = tuple(str(p) for p in players)
        if not players or len(set(players)) != len(players):
            raise InvalidParameterError(f"players must be distinct names; got {players!r}")
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "players", players)
        names: dict[int, str] = {}
        arrays: dict[str, Any] = {}
        self._walk(root, names, arrays)
        if len(set(names.values())) != len(names):
            seen: set[str] = set()
            duplicate = next(n for n in names.values() if n in seen or seen.add(n))  # type: ignore[func-returns-value]
            raise InvalidParameterError(f"node names must be unique; {duplicate!r} is used twice")
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "shape", broadcast_named(**arrays) if arrays else ())

    def _walk(self, root: Any, names: dict[int, str], arrays: dict[str, Any]) -> None:
        """Validate every node, depth first, with an explicit stack (no recursion limit)."""
        n = len(self.players)
        stack: list[tuple[Any, str]] = [(root, "root")]
        while stack:
            node, path = stack.pop()
            name = (node.name or path) if hasattr(node, "name") else path
            if id(node) in names:
                raise InvalidParameterError(
                    f"node {name!r} appears twice in the tree; build a new node for each position"
                )
            names[id(node)] = name
            if isinstance(node, TerminalNode):
                if isinstance(node.payoffs, str) or not hasattr(node.payoffs, "__len__"):
                    raise InvalidParameterError(
                        f"payoffs of terminal node {name!r} must be a sequence of {n} numbers "
                        f"or arrays; got {node.payoffs!r}"
                    )
                if len(node.payoffs) != n:
                    raise InvalidParameterError(
                        f"terminal node {name!r} must have {n} payoffs (one per player); "
                        f"got {len(node.payoffs)}"
                    )
                for k, value in enumerate(node.payoffs):
                    arrays[f"{name}.payoffs[{k}]"] = as_payoffs(
                        value, f"payoffs[{k}] of node {name!r}"
                    )[0]
                continue
            if isinstance(node, DecisionNode):
                if (
                    isinstance(node.player, bool)
                    or not isinstance(node.player, int | np.integer)
                    or not 0 <= node.player < n
                ):
                    raise InvalidParameterError(
                        f"player of decision node {name!r} must be an index in [0, {n - 1}]; "
                        f"got {node.player!r}"
                    )
                if not isinstance(node.actions, Mapping) or not node.actions:
                    raise InvalidParameterError(
                        f"decision node {name!r} needs a non-empty mapping of actions; "
                        f"got {node.actions!r}"
                    )
                children = list(node.actions.items())
            elif isinstance(node, ChanceNode):
                if (
                    not isinstance(node.children, Mapping)
                    or not isinstance(node.probabilities, Mapping)
                    or not node.children
                    or set(node.children) != set(node.probabilities)
                ):
                    raise InvalidParameterError(
                        f"chance node {name!r} needs one probability per branch; branches "
                        f"{sorted(map(str, node.children))}, probabilities "
                        f"{sorted(map(str, node.probabilities))}"
                    )
                total: Any = 0.0
                for label in node.children:
                    probability = as_payoffs(
                        node.probabilities[label], f"probability of {label!r} at node {name!r}"
                    )[0]
                    probability = as_array(
                        probability,
                        f"probability of {label!r} at node {name!r}",
                        low=0.0,
                        high=1.0,
                    )
                    arrays[f"{name}.probabilities[{label}]"] = probability
                    total = total + probability
                if not np.allclose(total, 1.0, atol=1e-9):
                    raise InvalidParameterError(
                        f"probabilities at chance node {name!r} must sum to 1; "
                        f"got {np.ravel(total)[:3]}"
                    )
                children = list(node.children.items())
            else:
                raise InvalidParameterError(
                    f"node {name!r} must be a DecisionNode, ChanceNode or TerminalNode; "
                    f"got {type(node).__name__}"
                )
            for label, child in reversed(children):
                stack.append((child, f"{path}/{label}"))

    def name_of(self, node: Node) -> str:
        """The name of a node of this tree."""
        return self._names[id(node)]

    def nodes(self) -> tuple[Node, ...]:
        """All nodes, root first, depth first in action order (no recursion limit)."""
        return tuple(_preorder(self.root))

    def decision_nodes(self) -> tuple[str, ...]:
        """Names of the decision nodes, root first, depth first."""
        return tuple(self.name_of(n) for n in self.nodes() if isinstance(n, DecisionNode))

    def terminal_nodes(self) -> tuple[str, ...]:
        """Names of the terminal nodes, in depth-first order."""
        return tuple(self.name_of(n) for n in self.nodes() if isinstance(n, TerminalNode))


@dataclass(frozen=True, eq=False, repr=False)
class SubgamePerfectResult(Result):
    """The subgame-perfect equilibrium found by backward induction, per parameter point.

    Attributes
    ----------
    choices
        Decision node name -> int array (grid shape): index of the chosen action.
    action_labels
        Decision node name -> the node's action labels (index into these).
    ties
        Decision node name -> bool array: the mover had another action within ``tol``
        of the chosen one (the equilibrium is then not unique at that point).
    values
        Node name (decision and chance nodes) -> ``(..., n)`` continuation payoffs.
    payoffs
        ``(..., n)`` equilibrium payoffs at the root.
    reach
        Node name (every node) -> probability of reaching it on the equilibrium path.
    method, tie_break, tol
        ``"backward induction"``, the tie rule and the tolerance.
    players
        Player names.

    Examples
    --------
    >>> tree = GameTree(DecisionNode(0, {"a": TerminalNode((1.0,)), "b": TerminalNode((1.0,))},
    ...                              name="move"), players=("solo",))
    >>> result = backward_induction(tree)
    >>> result.chosen("move"), bool(result.ties["move"])
    (array('a', dtype='<U1'), True)
    """

    choices: dict[str, NDArray[np.int64]]
    action_labels: dict[str, tuple[str, ...]]
    ties: dict[str, NDArray[np.bool_]]
    values: dict[str, FloatArray]
    payoffs: FloatArray
    reach: dict[str, FloatArray]
    method: str
    tie_break: str
    tol: float
    players: tuple[str, ...]

    def chosen(self, node: str) -> NDArray[np.str_]:
        """Labels of the actions chosen at decision node ``node`` (grid shape)."""
        if node not in self.choices:
            raise InvalidParameterError(
                f"node must be a decision node name, one of {sorted(self.choices)}; got {node!r}"
            )
        return np.asarray(np.asarray(self.action_labels[node])[self.choices[node]])

    def outcome(self, terminals: Sequence[str] | None = None) -> NDArray[np.str_]:
        """Name of the most likely terminal node on the equilibrium path (grid shape).

        Without chance moves the path reaches exactly one terminal node.
        """
        names = (
            list(terminals)
            if terminals is not None
            else [k for k in self.reach if k in self._terminals]
        )
        stacked = np.stack([self.reach[name] for name in names])
        return np.asarray(np.asarray(names)[np.argmax(stacked, axis=0)])

    @property
    def _terminals(self) -> set[str]:
        return set(self.reach) - set(self.values)


def _children(node: Node) -> list[Node]:
    if isinstance(node, DecisionNode):
        return list(node.actions.values())
    if isinstance(node, ChanceNode):
        return list(node.children.values())
    return []


def _preorder(root: Node) -> list[Node]:
    """Nodes depth first in action order, with an explicit stack."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(_children(node)))
    return found


def backward_induction(
    tree: GameTree, *, tie_break: str = "first", tol: float = 1e-9
) -> SubgamePerfectResult:
    """Subgame-perfect equilibrium of a perfect-information tree, for every parameter point.

    Parameters
    ----------
    tree
        The game; payoffs and probabilities may be broadcastable arrays.
    tie_break
        ``"first"`` or ``"last"``: among actions within the tolerance of the mover's best,
        the first (last) in the node's action order is chosen. Ties are reported in
        ``result.ties``.
    tol
        Relative tolerance for ties, in ``[0, 1]``: two continuation payoffs tie when they
        differ by at most ``tol`` times the largest absolute terminal payoff at that
        parameter point, so the answer does not depend on the payoffs' units.

    Returns
    -------
    SubgamePerfectResult

    Notes
    -----
    The tree is traversed once, from the leaves up, with an explicit stack (trees deeper
    than Python's recursion limit are fine); the work at each node is a few array
    operations over the whole parameter grid, so cost grows with (nodes x grid points) and
    no Python loop runs over parameter points.

    Examples
    --------
    Centipede with two stages: each player takes (ending the game) or passes.

    >>> tree = GameTree(DecisionNode(0, {
    ...     "take": TerminalNode((1.0, 0.0)),
    ...     "pass": DecisionNode(1, {"take": TerminalNode((0.0, 2.0)),
    ...                              "pass": TerminalNode((3.0, 1.0))})}), players=("A", "B"))
    >>> backward_induction(tree).payoffs
    array([1., 0.])
    """
    if tie_break not in ("first", "last"):
        raise InvalidParameterError(f"tie_break must be 'first' or 'last'; got {tie_break!r}")
    tol = as_tolerance(tol, "tol", low=0.0, high=1.0)
    shape = tree.shape
    n = len(tree.players)
    order = _preorder(tree.root)
    scale = np.zeros(shape)
    for node in order:
        if isinstance(node, TerminalNode):
            for value in node.payoffs:
                np.maximum(scale, np.abs(np.asarray(value, dtype=float)), out=scale)
    margin = tol * scale
    choices: dict[str, NDArray[np.int64]] = {}
    labels: dict[str, tuple[str, ...]] = {}
    ties: dict[str, NDArray[np.bool_]] = {}
    values: dict[str, FloatArray] = {}
    computed: dict[int, FloatArray] = {}
    for node in reversed(order):  # children before parents
        name = tree.name_of(node)
        if isinstance(node, TerminalNode):
            out = np.empty((*shape, n))
            for i, value in enumerate(node.payoffs):
                out[..., i] = np.asarray(value, dtype=float)
            computed[id(node)] = out
            continue
        if isinstance(node, ChanceNode):
            total = np.zeros((*shape, n))
            for label, child in node.children.items():
                p = np.asarray(node.probabilities[label], dtype=float)
                total += p[..., np.newaxis] * computed.pop(id(child))
            values[name] = total
            computed[id(node)] = total
            continue
        assert isinstance(node, DecisionNode)
        child_values = np.stack([computed.pop(id(child)) for child in node.actions.values()])
        own = child_values[..., node.player]  # (k, ...)
        best = own.max(axis=0)
        near = own >= best - margin
        if tie_break == "first":
            index = np.argmax(near, axis=0)
        else:
            index = near.shape[0] - 1 - np.argmax(near[::-1], axis=0)
        chosen_value = np.take_along_axis(child_values, index[np.newaxis, ..., np.newaxis], axis=0)[
            0
        ]
        choices[name] = index.astype(np.int64)
        labels[name] = tuple(node.actions)
        ties[name] = near.sum(axis=0) > 1
        values[name] = chosen_value
        computed[id(node)] = chosen_value
    root_value = computed.pop(id(tree.root))

    reach: dict[str, FloatArray] = {}
    stack: list[tuple[Node, FloatArray]] = [(tree.root, np.ones(shape))]
    while stack:
        node, probability = stack.pop()
        name = tree.name_of(node)
        reach[name] = probability
        if isinstance(node, DecisionNode):
            for k, child in enumerate(node.actions.values()):
                stack.append((child, np.where(choices[name] == k, probability, 0.0)))
        elif isinstance(node, ChanceNode):
            for label, child in node.children.items():
                stack.append(
                    (
                        child,
                        probability
                        * np.broadcast_to(np.asarray(node.probabilities[label], float), shape),
                    )
                )
    return SubgamePerfectResult(
        choices=choices,
        action_labels=labels,
        ties=ties,
        values=values,
        payoffs=root_value,
        reach=reach,
        method="backward induction",
        tie_break=tie_break,
        tol=tol,
        players=tree.players,
    )


#: Default ceiling on the number of payoff entries ``strategic_form`` may build.
MAX_STRATEGIC_FORM_ENTRIES = 10**7


def strategic_form(
    tree: GameTree, *, max_entries: int = MAX_STRATEGIC_FORM_ENTRIES
) -> tuple[FloatArray, tuple[tuple[str, ...], ...]]:
    """The (unreduced) strategic form of a tree with scalar payoffs.

    A pure strategy of a player picks one action at each of the player's decision nodes;
    the payoff of a profile is the expected terminal payoff (chance moves averaged).

    Parameters
    ----------
    tree
        A tree whose payoffs and probabilities are numbers (``tree.shape == ()``).
    max_entries
        Refuse (before building anything) when the payoff array would hold more than this
        many numbers (players x profiles); the number of strategies grows as the product
        of the action counts of a player's nodes.

    Returns
    -------
    payoffs, strategy_labels
        ``payoffs`` of shape ``(n, s1, ..., sn)`` (the layout of
        [`pure_nash_equilibria`][pipeline_games.strategic.pure_nash_equilibria] and of
        [`NfgGame`][pipeline_games.strategic.NfgGame]) and, per player, labels such as
        ``"node=action, node=action"`` (``"-"`` for a player without decision nodes).

    Raises
    ------
    InvalidParameterError
        For a tree with array payoffs, or a strategic form beyond ``max_entries``.

    Examples
    --------
    >>> tree = GameTree(DecisionNode(0, {
    ...     "out": TerminalNode((0.0, 2.0)),
    ...     "in": DecisionNode(1, {"fight": TerminalNode((-1.0, 0.0)),
    ...                            "accommodate": TerminalNode((1.0, 1.0))}, name="incumbent"),
    ... }, name="entrant"), players=("entrant", "incumbent"))
    >>> payoffs, labels = strategic_form(tree)
    >>> labels
    (('entrant=out', 'entrant=in'), ('incumbent=fight', 'incumbent=accommodate'))
    >>> payoffs[0]
    array([[ 0.,  0.],
           [-1.,  1.]])
    """
    if tree.shape != ():
        raise InvalidParameterError(
            f"strategic_form needs scalar payoffs and probabilities; the tree has shape {tree.shape}"
        )
    max_entries = as_int(max_entries, "max_entries", low=1)
    n = len(tree.players)
    order = tree.nodes()
    nodes = [node for node in order if isinstance(node, DecisionNode)]
    own = [[node for node in nodes if node.player == player] for player in range(n)]
    counts = [math.prod(len(node.actions) for node in group) for group in own]
    entries = n * math.prod(counts)
    if entries > max_entries:
        size = f"about 10^{int(math.log10(entries))}" if entries > 10**15 else f"{entries:,}"
        shown = " x ".join(
            f"{c:,}" if c < 10**12 else f"about 10^{int(math.log10(c))}" for c in counts
        )
        raise InvalidParameterError(
            f"the strategic form of this tree has {shown} strategies per player: {size} "
            f"payoffs (8 bytes each), above "
            f"max_entries={max_entries:,}; solve the tree with backward_induction instead, "
            "or raise max_entries="
        )
    strategies = [
        list(itertools.product(*(range(len(node.actions)) for node in group))) for group in own
    ]
    labels = tuple(
        tuple(
            ", ".join(
                f"{tree.name_of(node)}={list(node.actions)[a]}"
                for node, a in zip(group, choice, strict=True)
            )
            or "-"
            for choice in options
        )
        for group, options in zip(own, strategies, strict=True)
    )
    shape = tuple(counts)
    # For each decision node, which of its player's strategies choose each action.
    position = {id(node): (node.player, k) for group in own for k, node in enumerate(group)}
    choice = [np.array(options, dtype=np.intp).reshape(len(options), -1) for options in strategies]
    computed: dict[int, FloatArray] = {}
    for node in reversed(order):
        if isinstance(node, TerminalNode):
            computed[id(node)] = np.array(
                [np.asarray(v, dtype=float).item() for v in node.payoffs]
            ).reshape((n,) + (1,) * n)
        elif isinstance(node, ChanceNode):
            total: Any = 0.0
            for label, child in node.children.items():
                p = np.asarray(node.probabilities[label], dtype=float).item()
                total = total + p * computed.pop(id(child))
            computed[id(node)] = total
        else:
            assert isinstance(node, DecisionNode)
            player, k = position[id(node)]
            picked = choice[player][:, k]  # action index per strategy of `player`
            result: Any = 0.0
            for a, child in enumerate(node.actions.values()):
                selector = (
                    (picked == a)
                    .astype(float)
                    .reshape((1, *tuple(-1 if i == player else 1 for i in range(n))))
                )
                result = result + selector * computed.pop(id(child))
            computed[id(node)] = result
    payoffs = np.broadcast_to(computed.pop(id(tree.root)), (n, *shape)).copy()
    return payoffs, labels
