"""Chains of single successors: units by ``parent``, objectives by ``aligns_to``.
One linear walk, no recursion, finds the cycles and the length of every chain."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_TREE_DEPTH", "chains"]

#: the deepest tree of units and the longest chain of ``aligns_to`` okrctl scores
#: (validate reports OKR206 / OKR215 beyond; a real agency has fewer than 10 levels)
MAX_TREE_DEPTH = 64


def chains(next_of: dict[str, str], starts: Iterable[str]) -> tuple[dict[str, int], list[list[str]]]:
    """Walk from each of ``starts`` (then from any node of ``next_of`` not reached)
    along ``next_of``.  Returns the length of each node's chain (1 for a node with no
    successor; a node in or leading into a cycle counts up to the cycle only) and
    each cycle once, as the nodes in walking order from where the walk entered it."""
    depth: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in (*starts, *next_of):
        chain: list[str] = []
        on_chain: set[str] = set()
        cur: str | None = start
        while cur is not None and cur not in depth and cur not in on_chain:
            chain.append(cur)
            on_chain.add(cur)
            cur = next_of.get(cur)
        if cur is not None and cur in on_chain:
            cycles.append(chain[chain.index(cur):])
        n = depth.get(cur, 0) if cur is not None and cur not in on_chain else 0
        for node in reversed(chain):
            n += 1
            depth[node] = n
    return depth, cycles
