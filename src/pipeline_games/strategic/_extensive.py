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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, broadcast_named
from ..errors import InvalidParameterError
from .._results import Result

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
        players = tuple(str(p) for p in players)
        if not players or len(set(players)) != len(players):
            raise InvalidParameterError(f"players must be distinct names; got {players!r}")
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "players", players)
        names: dict[int, str] = {}
        arrays: dict[str, Any] = {}
        self._walk(root, "root", names, arrays)
        if len(set(names.values())) != len(names):
            seen: set[str] = set()
            duplicate = next(n for n in names.values() if n in seen or seen.add(n))  # type: ignore[func-returns-value]
            raise InvalidParameterError(f"node names must be unique; {duplicate!r} is used twice")
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "shape", broadcast_named(**arrays) if arrays else ())

    def _walk(self, node: Any, path: str, names: dict[int, str], arrays: dict[str, Any]) -> None:
        n = len(self.players)
        name = node.name or path if hasattr(node, "name") else path
        if id(node) in names:
            raise InvalidParameterError(
                f"node {name!r} appears twice in the tree; build a new node for each position"
            )
        names[id(node)] = name
        if isinstance(node, TerminalNode):
            if len(node.payoffs) != n:
                raise InvalidParameterError(
                    f"terminal node {name!r} must have {n} payoffs (one per player); "
                    f"got {len(node.payoffs)}"
                )
            for i, value in enumerate(node.payoffs):
                arrays[f"{name}.payoffs[{i}]"] = as_array(value, f"payoffs[{i}] of node {name!r}")
        elif isinstance(node, DecisionNode):
            if (
                isinstance(node.player, bool)
                or not isinstance(node.player, int | np.integer)
                or not 0 <= node.player < n
            ):
                raise InvalidParameterError(
                    f"player of decision node {name!r} must be an index in [0, {n - 1}]; got {node.player!r}"
                )
            if not node.actions:
                raise InvalidParameterError(f"decision node {name!r} has no actions")
            for label, child in node.actions.items():
                self._walk(child, f"{path}/{label}", names, arrays)
        elif isinstance(node, ChanceNode):
            if not node.children or set(node.children) != set(node.probabilities):
                raise InvalidParameterError(
                    f"chance node {name!r} needs one probability per branch; branches "
                    f"{sorted(node.children)}, probabilities {sorted(node.probabilities)}"
                )
            total: Any = 0.0
            for label in node.children:
                p = as_array(
                    node.probabilities[label],
                    f"probability of {label!r} at node {name!r}",
                    low=0.0,
                    high=1.0,
                )
                arrays[f"{name}.probabilities[{label}]"] = p
                total = total + p
            if not np.allclose(total, 1.0, atol=1e-9):
                raise InvalidParameterError(
                    f"probabilities at chance node {name!r} must sum to 1; got {np.ravel(total)[:3]}"
                )
            for label, child in node.children.items():
                self._walk(child, f"{path}/{label}", names, arrays)
        else:
            raise InvalidParameterError(
                f"node {name!r} must be a DecisionNode, ChanceNode or TerminalNode; got {type(node).__name__}"
            )

    def name_of(self, node: Node) -> str:
        """The name of a node of this tree."""
        return self._names[id(node)]

    def nodes(self) -> tuple[Node, ...]:
        """All nodes, root first, depth first in action order."""
        found: list[Node] = []

        def visit(node: Node) -> None:
            found.append(node)
            if isinstance(node, DecisionNode):
                for child in node.actions.values():
                    visit(child)
            elif isinstance(node, ChanceNode):
                for child in node.children.values():
                    visit(child)

        visit(self.root)
        return tuple(found)

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


def backward_induction(
    tree: GameTree, *, tie_break: str = "first", tol: float = 1e-9
) -> SubgamePerfectResult:
    """Subgame-perfect equilibrium of a perfect-information tree, for every parameter point.

    Parameters
    ----------
    tree
        The game; payoffs and probabilities may be broadcastable arrays.
    tie_break
        ``"first"`` or ``"last"``: among actions within ``tol`` of the mover's best, the
        first (last) in the node's action order is chosen. Ties are reported in
        ``result.ties``.
    tol
        Absolute payoff tolerance for ties, ``>= 0``.

    Returns
    -------
    SubgamePerfectResult

    Notes
    -----
    The tree is traversed once; the work at each node is a few array operations over the
    whole parameter grid, so cost grows with (nodes x grid points) and no Python loop runs
    over parameter points.

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
    tol = float(as_array(tol, "tol", low=0.0))
    shape = tree.shape
    n = len(tree.players)
    choices: dict[str, NDArray[np.int64]] = {}
    labels: dict[str, tuple[str, ...]] = {}
    ties: dict[str, NDArray[np.bool_]] = {}
    values: dict[str, FloatArray] = {}

    def solve(node: Node) -> FloatArray:
        name = tree.name_of(node)
        if isinstance(node, TerminalNode):
            out = np.empty((*shape, n))
            for i, value in enumerate(node.payoffs):
                out[..., i] = value
            return out
        if isinstance(node, ChanceNode):
            total = np.zeros((*shape, n))
            for label, child in node.children.items():
                p = np.asarray(node.probabilities[label], dtype=float)
                total += p[..., np.newaxis] * solve(child)
            values[name] = total
            return total
        assert isinstance(node, DecisionNode)
        child_values = np.stack([solve(child) for child in node.actions.values()])  # (k, ..., n)
        own = child_values[..., node.player]  # (k, ...)
        best = own.max(axis=0)
        near = own >= best - tol
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
        return chosen_value

    root_value = solve(tree.root)

    reach: dict[str, FloatArray] = {}

    def propagate(node: Node, probability: FloatArray) -> None:
        name = tree.name_of(node)
        reach[name] = probability
        if isinstance(node, DecisionNode):
            for k, child in enumerate(node.actions.values()):
                propagate(child, np.where(choices[name] == k, probability, 0.0))
        elif isinstance(node, ChanceNode):
            for label, child in node.children.items():
                propagate(
                    child,
                    probability
                    * np.broadcast_to(np.asarray(node.probabilities[label], float), shape),
                )

    propagate(tree.root, np.ones(shape))
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


def strategic_form(tree: GameTree) -> tuple[FloatArray, tuple[tuple[str, ...], ...]]:
    """The (unreduced) strategic form of a tree with scalar payoffs.

    A pure strategy of a player picks one action at each of the player's decision nodes;
    the payoff of a profile is the expected terminal payoff (chance moves averaged).

    Parameters
    ----------
    tree
        A tree whose payoffs and probabilities are numbers (``tree.shape == ()``).

    Returns
    -------
    payoffs, strategy_labels
        ``payoffs`` of shape ``(n, s1, ..., sn)`` (the layout of
        [`pure_nash_equilibria`][pipeline_games.strategic.pure_nash_equilibria] and of
        [`NfgGame`][pipeline_games.strategic.NfgGame]) and, per player, labels such as
        ``"node=action, node=action"`` (``"-"`` for a player without decision nodes).

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
    n = len(tree.players)
    nodes = [node for node in tree.nodes() if isinstance(node, DecisionNode)]
    own = [[node for node in nodes if node.player == player] for player in range(n)]
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
    payoffs = np.empty((n, *(len(options) for options in strategies)))

    def value(node: Node, plan: dict[int, int]) -> FloatArray:
        if isinstance(node, TerminalNode):
            return np.array([np.asarray(v, dtype=float).item() for v in node.payoffs])
        if isinstance(node, ChanceNode):
            total = np.zeros(n)
            for label, child in node.children.items():
                total += np.asarray(node.probabilities[label], dtype=float).item() * value(
                    child, plan
                )
            return total
        assert isinstance(node, DecisionNode)
        return value(list(node.actions.values())[plan[id(node)]], plan)

    for index in itertools.product(*(range(len(options)) for options in strategies)):
        plan: dict[int, int] = {}
        for player, k in enumerate(index):
            plan.update(
                {id(node): a for node, a in zip(own[player], strategies[player][k], strict=True)}
            )
        payoffs[(slice(None), *index)] = value(tree.root, plan)  # type: ignore[index]
    return payoffs, labels
