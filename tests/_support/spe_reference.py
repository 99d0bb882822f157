"""Brute-force subgame-perfect equilibria of small trees, for the strategic tests."""

from __future__ import annotations

import itertools
import random

import numpy as np

from pipeline_games.strategic import ChanceNode, DecisionNode, GameTree, TerminalNode


def random_tree(rng: random.Random, n_players: int, grid: int, integer: bool, depth: int = 0):
    """A random tree of depth <= 3 whose payoffs and probabilities are arrays of length
    grid (plain numbers when grid == 0)."""
    kind = rng.random()
    if depth >= 3 or (depth > 0 and kind < 0.25):
        if integer:
            payoffs = [
                np.array([rng.randint(0, 2) for _ in range(max(grid, 1))], float)
                for _ in range(n_players)
            ]
        else:
            payoffs = [
                np.array([rng.gauss(0, 1) for _ in range(max(grid, 1))]) for _ in range(n_players)
            ]
        if grid == 0:
            payoffs = [float(v[0]) for v in payoffs]
        return TerminalNode(tuple(payoffs))
    width = rng.choice([2, 2, 3]) if depth < 2 else 2
    labels = [f"a{k}" for k in range(width)]
    children = {label: random_tree(rng, n_players, grid, integer, depth + 1) for label in labels}
    if kind < 0.4 and depth > 0:
        weights = np.array([[rng.random() + 0.05 for _ in range(max(grid, 1))] for _ in labels])
        weights /= weights.sum(axis=0)
        if grid == 0:
            weights = weights[:, 0]
        return ChanceNode(children, dict(zip(labels, weights, strict=True)))
    return DecisionNode(rng.randrange(n_players), children)


def decision_nodes(node, found=None):
    found = [] if found is None else found
    if isinstance(node, DecisionNode):
        found.append(node)
        for child in node.actions.values():
            decision_nodes(child, found)
    elif isinstance(node, ChanceNode):
        for child in node.children.values():
            decision_nodes(child, found)
    return found


def value(node, profile, point, shape):
    """Expected payoffs of a pure profile {id(node): action index} at grid index point."""
    if isinstance(node, TerminalNode):
        return np.array([np.broadcast_to(np.asarray(v, float), shape)[point] for v in node.payoffs])
    if isinstance(node, ChanceNode):
        return sum(
            np.broadcast_to(np.asarray(node.probabilities[k], float), shape)[point]
            * value(c, profile, point, shape)
            for k, c in node.children.items()
        )
    return value(list(node.actions.values())[profile[id(node)]], profile, point, shape)


def brute_force_spe(tree: GameTree, point, tol: float = 1e-9):
    """All pure subgame-perfect profiles at one grid point, by enumerating every profile
    and checking every player's every deviation in every subgame."""
    shape = tree.shape
    nodes = decision_nodes(tree.root)
    subgames = [tree.root, *nodes]
    spe = []
    for actions in itertools.product(*(range(len(d.actions)) for d in nodes)):
        profile = {id(d): a for d, a in zip(nodes, actions, strict=True)}
        perfect = True
        for sub in subgames:
            inside = decision_nodes(sub)
            base = value(sub, profile, point, shape)
            for player in range(len(tree.players)):
                own = [d for d in inside if d.player == player]
                for alternative in itertools.product(*(range(len(d.actions)) for d in own)):
                    deviated = dict(profile)
                    deviated.update({id(d): a for d, a in zip(own, alternative, strict=True)})
                    if value(sub, deviated, point, shape)[player] > base[player] + tol:
                        perfect = False
                        break
                if not perfect:
                    break
            if not perfect:
                break
        if perfect:
            spe.append({tree.name_of(d): a for d, a in zip(nodes, actions, strict=True)})
    return spe
