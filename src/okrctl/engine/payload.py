"""JSON-ready payloads (docs/json.md): plain data for ``--format json`` and the close tag.

Every number is a float (the nearest double of the exact value, unrounded),
dates are ISO strings, ``value`` has the shape of the KR's type
(:meth:`okrctl.krtypes.base.KRType.value_json`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from okrctl import krtypes
from okrctl.engine.results import KPIScore, KRScore, ObjectiveScore, ScoreResult
from okrctl.engine.rollup import AlignNode, TreeNode
from okrctl.krtypes.exact import as_float as _num

__all__ = ["alignment_to_json", "kpi_to_json", "kr_to_json", "objective_to_json", "score_to_json", "tree_to_json"]


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def kr_to_json(k: KRScore) -> dict[str, Any]:
    kr = k.kr
    return {
        "ref": kr.ref,
        "title": kr.title,
        "type": kr.type,
        "unit": kr.unit,
        "baseline": _num(kr.baseline),
        "target": _num(kr.target),
        "direction": k.direction,
        "weight": _num(kr.weight),
        "value": krtypes.of(kr).value_json(k.value),
        "value_date": _iso(k.value_date),
        "progress": _num(k.progress),
        "score": _num(k.score),
        "confidence": _num(k.confidence),
        "status": k.status,
        "overdue": k.overdue,
        "rebaselined": k.rebaselined,
    }


def objective_to_json(o: ObjectiveScore) -> dict[str, Any]:
    obj = o.objective
    return {
        "ref": obj.ref,
        "title": obj.title,
        "kind": obj.kind,
        "weight": _num(obj.weight),
        "owner": obj.owner,
        "aligns_to": o.aligns_to,
        "score": _num(o.score),
        "status": o.status,
        "grade": o.grade,
        "key_results": [kr_to_json(k) for k in o.key_results],
    }


def kpi_to_json(k: KPIScore) -> dict[str, Any]:
    kpi = k.kpi
    return {
        "ref": kpi.ref,
        "title": kpi.title,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "target": _num(kpi.target),
        "alert": _num(kpi.alert),
        "value": _num(k.value),
        "value_date": _iso(k.value_date),
        "status": k.status,
        "overdue": k.overdue,
    }


def score_to_json(result: ScoreResult) -> dict[str, Any]:
    """The ``score`` payload of docs/json.md (without the envelope keys ``okrctl``,
    ``schema_version``, ``command``, which the CLI adds).

    Every number is a float (the nearest double of the exact value, unrounded),
    dates are ISO strings, a milestone KR's value is the list of done ids,
    ``aligns_to`` is the fully qualified reference ``PERIOD/UNIT/OBJ[/KR]``."""
    return {
        "period": result.period.id,
        "as_of": result.as_of.isoformat(),
        "units": [
            {
                "unit": u.unit.id,
                "name": u.unit.name,
                "score": _num(u.score),
                "rolled_score": _num(u.rolled_score),
                "scored": u.scored,
                "rollup_complete": u.rollup_complete,
                "invalid_file": u.invalid_file,
                "objectives": [objective_to_json(o) for o in u.objectives],
                "kpis": [kpi_to_json(k) for k in u.kpis],
            }
            for u in result.units
        ],
    }



def tree_to_json(nodes: Sequence[TreeNode]) -> list[dict[str, Any]]:
    """The org tree as JSON: ``[{unit, name, score, rolled_score, scored,
    rollup_complete, invalid_file, depth, children}]``."""
    return [
        {
            "unit": n.unit.id,
            "name": n.unit.name,
            "score": _num(n.score),
            "rolled_score": _num(n.rolled_score),
            "scored": n.unit_score.scored,
            "rollup_complete": n.unit_score.rollup_complete,
            "invalid_file": n.unit_score.invalid_file,
            "depth": n.depth,
            "children": tree_to_json(n.children),
        }
        for n in nodes
    ]


def alignment_to_json(nodes: Sequence[AlignNode]) -> list[dict[str, Any]]:
    """The alignment tree as JSON: ``[{ref, title, unit, period, kind, score,
    status, grade, via, children}]``."""
    return [
        {
            "ref": n.ref,
            "title": n.title,
            "unit": n.unit,
            "period": n.period,
            "kind": n.kind,
            "score": _num(n.score),
            "status": n.status,
            "grade": n.grade,
            "via": n.via,
            "children": alignment_to_json(n.children),
        }
        for n in nodes
    ]
