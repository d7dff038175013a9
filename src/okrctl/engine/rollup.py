"""Roll-up trees (``okrctl rollup``): the org tree of units (:func:`unit_tree`)
and the alignment tree of objectives (:func:`alignment_tree`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from okrctl.engine.results import ObjectiveScore, ScoreResult, UnitScore
from okrctl.engine.scoring import all_periods, score_workspace
from okrctl.model.periods import Period
from okrctl.model.records import Unit, Workspace
from okrctl.model.refs import objective_ref, split_qualified

__all__ = ["AlignNode", "TreeNode", "alignment_tree", "unit_tree"]


@dataclass(frozen=True)
class TreeNode:
    """A unit in the org roll-up tree: own score, rolled-up score, children."""

    unit_score: UnitScore
    children: tuple[TreeNode, ...]

    @property
    def unit(self) -> Unit:
        return self.unit_score.unit

    @property
    def score(self) -> Fraction | None:
        return self.unit_score.score

    @property
    def rolled_score(self) -> Fraction | None:
        return self.unit_score.rolled_score

    @property
    def depth(self) -> int:
        return self.unit_score.depth

    def walk(self) -> Iterator[TreeNode]:
        """This node and its descendants, depth first (pre-order)."""
        yield self
        for c in self.children:
            yield from c.walk()


def unit_tree(result: ScoreResult) -> list[TreeNode]:
    """The units taking part as a forest: roots (no parent taking part) first,
    children in units.yaml order."""
    def build(u: UnitScore, seen: frozenset[str]) -> TreeNode:
        seen = seen | {u.unit.id}
        kids = tuple(
            build(c, seen) for cid in u.children if cid not in seen and (c := result.unit(cid)) is not None
        )
        return TreeNode(u, kids)

    return [build(u, frozenset()) for u in result.units if u.depth == 0]


@dataclass(frozen=True)
class AlignNode:
    """An objective in the alignment tree.  ``via`` is the KR ref when the
    objective aligns to a KR of its parent node (None when it aligns to the
    objective itself, and for top nodes)."""

    ref: str
    title: str
    unit: str
    period: str
    score: Fraction | None
    status: str
    grade: str | None
    kind: str
    objective: ObjectiveScore
    via: str | None
    children: tuple[AlignNode, ...]

    def walk(self) -> Iterator[AlignNode]:
        yield self
        for c in self.children:
            yield from c.walk()


def alignment_tree(
    ws: Workspace, period: Period, as_of: date, *, result: ScoreResult | None = None
) -> list[AlignNode]:
    """The alignment forest shown by ``okrctl rollup --by alignment``.

    Shown objectives: those of ``period`` and of every enclosing period that has
    files (units taking part in each), each scored as of ``as_of`` within its own
    period.  An objective whose ``aligns_to`` names a shown objective, or a KR of
    one, is its child; the others (no ``aligns_to``, or aligning to something not
    shown) are top nodes.  Order everywhere: longer periods first, then
    units.yaml order, then file order.  ``result`` may pass the already computed
    score of ``period``."""
    periods = [period] + [p for p in all_periods(ws) if p.id != period.id and p.encloses(period)]
    shown: dict[str, ObjectiveScore] = {}
    order: dict[str, tuple[int, date, int, int]] = {}
    unit_pos = {u.id: i for i, u in enumerate(ws.units)}
    for p in periods:
        r = result if (p.id == period.id and result is not None) else score_workspace(ws, p, as_of)
        for u in r.units:
            for i, o in enumerate(u.objectives):
                shown[o.ref] = o
                order[o.ref] = (-p.days, p.start, unit_pos[u.unit.id], i)

    parent_of: dict[str, tuple[str, str | None]] = {}
    for ref, o in shown.items():
        target = o.aligns_to
        if target is None:
            continue
        aim = split_qualified(target)
        obj_ref = objective_ref(target)
        if aim is None or obj_ref == ref or obj_ref not in shown:
            continue
        if aim.kr is not None:
            if not any(k.kr.id == aim.kr for k in shown[obj_ref].key_results):
                continue
            parent_of[ref] = (obj_ref, target)
        else:
            parent_of[ref] = (obj_ref, None)

    kids: dict[str, list[str]] = {}
    for ref, (parent, _) in parent_of.items():
        kids.setdefault(parent, []).append(ref)
    for lst in kids.values():
        lst.sort(key=order.__getitem__)

    placed: set[str] = set()

    def build(ref: str) -> AlignNode:
        placed.add(ref)
        o = shown[ref]
        children = tuple(build(c) for c in kids.get(ref, ()) if c not in placed)
        return AlignNode(
            ref=ref,
            title=o.objective.title,
            unit=o.unit_id,
            period=o.period_id,
            score=o.score,
            status=o.status,
            grade=o.grade,
            kind=o.objective.kind,
            objective=o,
            via=parent_of[ref][1] if ref in parent_of else None,
            children=children,
        )

    tops = sorted((ref for ref in shown if ref not in parent_of), key=order.__getitem__)
    forest = [build(ref) for ref in tops]
    # an alignment cycle (a validation error) would hide its objectives: show them as tops
    for ref in sorted(shown, key=order.__getitem__):
        if ref not in placed:
            forest.append(build(ref))
    return forest
