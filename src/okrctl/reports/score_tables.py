"""The ``score`` and ``rollup`` reports as values: a typed :class:`Table` (what the
CSV writes, one row per item) plus the engine records the tree views need and the
docs/json.md JSON payload."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Any

from okrctl.engine.payload import alignment_to_json, score_to_json, tree_to_json
from okrctl.engine.results import ScoreResult, UnitScore
from okrctl.engine.rollup import AlignNode, TreeNode
from okrctl.reports.tables import Column, Table, make_table

#: the report kinds the format registry knows
KINDS = ("score", "rollup", "alignment")


@dataclass(frozen=True)
class Report:
    """One report, ready for any writer.  ``kind``: ``score``, ``rollup`` or
    ``alignment``.  ``items``: the units shown (score), the :class:`TreeNode` rows
    (rollup) or ``(depth, AlignNode)`` rows (alignment), top to bottom.
    ``max_score`` scales progress bars.  :attr:`table` (what CSV and Markdown
    write) and :meth:`payload` (the JSON payload of docs/json.md without the
    envelope) are computed on demand: a run needs one of them, or neither."""

    kind: str
    result: ScoreResult
    _table: Callable[[], Table] = field(repr=False, compare=False)
    items: tuple[Any, ...]
    max_score: Fraction = Fraction(1)
    _payload: Callable[[], dict[str, Any]] = field(default=dict, repr=False, compare=False)

    @cached_property
    def table(self) -> Table:
        return self._table()

    def payload(self) -> dict[str, Any]:
        return self._payload()


# ------------------------------------------------------------------ score

SCORE_COLUMNS = (
    Column("period", "ref"), Column("as_of", "date"), Column("unit", "ref"), Column("level", "code"),
    Column("ref", "ref"), Column("title"), Column("kind", "code"), Column("type", "code"),
    Column("weight", "number"), Column("unit_of_measure"), Column("baseline", "number"), Column("target", "number"),
    Column("value", "value"), Column("value_date", "date"), Column("progress", "number"), Column("score", "score"),
    Column("confidence", "number"), Column("status", "code"), Column("grade", "code"), Column("overdue", "bool"),
    Column("rebaselined", "bool"), Column("rolled_score", "score"),
)


def score_table(result: ScoreResult, units: Sequence[UnitScore]) -> Table:
    """One row per unit, objective, key result and KPI (``level``), in report order."""
    p, d = result.period.id, result.as_of
    rows: list[dict[str, Any]] = []
    for u in units:
        base = {"period": p, "as_of": d, "unit": u.unit.id}
        rows.append({**base, "level": "unit", "ref": f"{p}/{u.unit.id}", "title": u.unit.name,
                     "weight": u.unit.weight, "score": u.score, "rolled_score": u.rolled_score})
        for o in u.objectives:
            rows.append({**base, "level": "objective", "ref": o.ref, "title": o.objective.title,
                         "kind": o.objective.kind, "weight": o.objective.weight, "score": o.score,
                         "status": o.status, "grade": o.grade})
            for k in o.key_results:
                kr = k.kr
                rows.append({**base, "level": "key_result", "ref": k.ref, "title": kr.title,
                             "kind": o.objective.kind, "type": kr.type, "weight": kr.weight,
                             "unit_of_measure": kr.unit, "baseline": kr.baseline,
                             "target": kr.target if kr.type != "maintain" else kr.threshold,
                             "value": k.value, "value_date": k.value_date, "progress": k.progress,
                             "score": k.score, "confidence": k.confidence, "status": k.status,
                             "overdue": k.overdue, "rebaselined": k.rebaselined})
        for k in u.kpis:
            rows.append({**base, "level": "kpi", "ref": k.ref, "title": k.kpi.title, "unit_of_measure": k.kpi.unit,
                         "target": k.kpi.target, "value": k.value, "value_date": k.value_date,
                         "status": k.status, "overdue": k.overdue})
    return make_table("score", SCORE_COLUMNS, rows, title=f"{result.workspace_name} {p}")


def score_report(result: ScoreResult, units: Sequence[UnitScore], max_score: Fraction = Fraction(1)) -> Report:
    """``okrctl score`` over ``units`` (all of them, or a ``--unit`` subtree)."""
    units = tuple(units)

    def payload() -> dict[str, Any]:
        doc = score_to_json(result)
        if len(units) != len(result.units):
            keep = {u.unit.id for u in units}
            doc["units"] = [u for u in doc["units"] if u["unit"] in keep]
        return doc

    return Report("score", result, lambda: score_table(result, units), units, max_score, payload)


# ------------------------------------------------------------------ roll-up: the org tree

ROLLUP_COLUMNS = (
    Column("period", "ref"), Column("as_of", "date"), Column("unit", "ref"), Column("name"),
    Column("parent", "ref"), Column("depth", "int"), Column("score", "score"), Column("rolled_score", "score"),
)


def rollup_rows(nodes: Sequence[TreeNode], depth_limit: int | None) -> list[TreeNode]:
    """The tree top to bottom (pre-order), at most ``depth_limit`` levels below each root."""
    rows = []
    for n in nodes:
        for m in n.walk():
            if depth_limit is None or m.depth - n.depth <= depth_limit:
                rows.append(m)
    return rows


def rollup_table(result: ScoreResult, rows: Sequence[TreeNode]) -> Table:
    p, d = result.period.id, result.as_of
    return Table("rollup", ROLLUP_COLUMNS,
                 tuple((p, d, r.unit.id, r.unit.name, r.unit.parent, r.depth, r.score, r.rolled_score) for r in rows),
                 title=f"{result.workspace_name} {p}")


def _trim(items: list[dict[str, Any]], depth_limit: int | None, d: int = 0) -> list[dict[str, Any]]:
    """A JSON tree cut ``depth_limit`` levels below the top."""
    return [{**n, "children": _trim(n["children"], depth_limit, d + 1) if depth_limit is None or d < depth_limit else []}
            for n in items]


def _tree_payload(result: ScoreResult, by: str, tree: Callable[[], list[dict[str, Any]]],
                  depth_limit: int | None) -> Callable[[], dict[str, Any]]:
    return lambda: {"period": result.period.id, "as_of": result.as_of.isoformat(), "by": by,
                    "tree": _trim(tree(), depth_limit)}


def rollup_report(result: ScoreResult, forest: Sequence[TreeNode], depth_limit: int | None = None,
                  max_score: Fraction = Fraction(1)) -> Report:
    """``okrctl rollup`` (``--by org``) over ``forest``, ``depth_limit`` levels deep."""
    rows = tuple(rollup_rows(forest, depth_limit))
    return Report("rollup", result, lambda: rollup_table(result, rows), rows, max_score,
                  _tree_payload(result, "org", lambda: tree_to_json(forest), depth_limit))


# ------------------------------------------------------------------ roll-up: the alignment tree

ALIGNMENT_COLUMNS = (
    Column("as_of", "date"), Column("depth", "int"), Column("ref", "ref"), Column("period", "ref"),
    Column("unit", "ref"), Column("title"), Column("kind", "code"), Column("via", "ref"), Column("score", "score"),
    Column("status", "code"), Column("grade", "code"),
)


def align_rows(nodes: Sequence[AlignNode], depth_limit: int | None) -> list[tuple[int, AlignNode]]:
    """``(depth below the top, node)`` top to bottom, at most ``depth_limit`` levels deep."""
    out: list[tuple[int, AlignNode]] = []

    def visit(n: AlignNode, d: int) -> None:
        if depth_limit is not None and d > depth_limit:
            return
        out.append((d, n))
        for c in n.children:
            visit(c, d + 1)

    for n in nodes:
        visit(n, 0)
    return out


def alignment_table(result: ScoreResult, rows: Sequence[tuple[int, AlignNode]]) -> Table:
    return Table("alignment", ALIGNMENT_COLUMNS,
                 tuple((result.as_of, d, n.ref, n.period, n.unit, n.title, n.kind, n.via, n.score, n.status, n.grade)
                       for d, n in rows),
                 title=f"{result.workspace_name} {result.period.id}")


def alignment_report(result: ScoreResult, nodes: Sequence[AlignNode], depth_limit: int | None = None,
                     max_score: Fraction = Fraction(1)) -> Report:
    """``okrctl rollup --by alignment`` over the alignment forest ``nodes``."""
    rows = tuple(align_rows(nodes, depth_limit))
    return Report("alignment", result, lambda: alignment_table(result, rows), rows, max_score,
                  _tree_payload(result, "alignment", lambda: alignment_to_json(nodes), depth_limit))
