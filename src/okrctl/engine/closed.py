"""Did a closed period's scores change?

A closed period's result is its scores as of its end (the period parsed with
the workspace's own fiscal year start).  Two places ask whether that result
moved: the ``closed-result-changed`` rule of ``okrctl check`` (BASE against HEAD,
exact scores, statuses and grades, :func:`final_results`) and ``okrctl verify`` (the JSON recorded in
the close tag against the JSON recomputed now, :func:`final_payload` and
:func:`payload_differences`).  Both compare flat tables ``{row: {field:
value}}`` (a row per unit, ``"unit <id>"``, and per objective, key result and
KPI, by reference) with the same :func:`differences`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from okrctl.engine.payload import score_to_json
from okrctl.engine.results import ScoreResult
from okrctl.engine.scoring import score_workspace
from okrctl.model.periods import Period, parse_period
from okrctl.model.records import Workspace

#: ``{row: {field: value}}``: rows ``"unit <id>"`` and item references
Table = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Difference:
    """One value that differs.  ``field`` is None when the whole row is on one
    side only (``old`` or ``new`` is then None)."""

    row: str
    field: str | None
    old: Any
    new: Any


def final_result(ws: Workspace, period_id: str) -> ScoreResult | None:
    """The scores of ``period_id`` as of its end, or None when it is not a period
    in ``ws``'s calendar."""
    try:
        period = parse_period(period_id, ws.config.fiscal_year_start)
    except ValueError:
        return None
    return score_workspace(ws, period, period.end)


def final_results(ws: Workspace, period_id: str) -> Table:
    """The final results of a closed period (docs/ci.md closed-result-changed): as
    of the day after its end, exact scores, statuses and grades of key results,
    objectives and units, and KPI statuses.  Null values are left out, and so is
    a row with nothing left, so "null" and "absent" are the same result."""
    from datetime import timedelta

    try:
        period = parse_period(period_id, ws.config.fiscal_year_start)
    except ValueError:
        return {}
    result = score_workspace(ws, period, period.end + timedelta(days=1))
    rows: Table = {}
    for u in result.units:
        rows[f"unit {u.unit.id}"] = {"score": u.score, "rolled_score": u.rolled_score}
        for o in u.objectives:
            rows[o.ref] = {"score": o.score, "status": o.status, "grade": o.grade}
            for k in o.key_results:
                rows[k.ref] = {"score": k.score, "status": k.status}
        for kp in u.kpis:
            rows[kp.ref] = {"status": kp.status}
    out: Table = {}
    for row, fields in rows.items():
        kept = {k: v for k, v in fields.items() if v is not None}
        if kept:
            out[row] = kept
    return out


def final_payload(ws: Workspace, period: Period) -> dict:
    """The ``score`` JSON payload of ``period`` as of its end, as plain JSON data
    (what ``okrctl close`` records in its tag)."""
    payload = score_to_json(score_workspace(ws, period, period.end))
    return json.loads(json.dumps(payload, ensure_ascii=False))


def flatten_payload(payload: dict) -> Table:
    """A ``score`` JSON payload as a :data:`Table`: every field of each unit,
    objective, key result and KPI but its children."""
    out: Table = {}
    for u in payload.get("units") or []:
        out[f"unit {u.get('unit')}"] = {k: v for k, v in u.items() if k not in ("objectives", "kpis")}
        for o in u.get("objectives") or []:
            out[o.get("ref")] = {k: v for k, v in o.items() if k != "key_results"}
            for k in o.get("key_results") or []:
                out[k.get("ref")] = dict(k)
        for k in u.get("kpis") or []:
            out[k.get("ref")] = dict(k)
    return out


def differences(old: Table, new: Table) -> list[Difference]:
    """What differs from ``old`` to ``new``: rows in ``old``'s order, then the rows
    only in ``new``; fields likewise."""
    out: list[Difference] = []
    for row in list(old) + [r for r in new if r not in old]:
        x, y = old.get(row), new.get(row)
        if x is None or y is None:
            out.append(Difference(row, None, x, y))
            continue
        for k in list(x) + [k for k in y if k not in x]:
            if x.get(k) != y.get(k):
                out.append(Difference(row, k, x.get(k), y.get(k)))
    return out


def payload_differences(recorded: dict, now: dict) -> list[dict]:
    """``okrctl verify``'s list of what differs between the payload ``recorded`` in
    the close tag and the one computed ``now``: ``{"ref", "field", "closed",
    "now"}`` per value (``ref`` None for the payload's ``period`` and ``as_of``;
    one row of ``"…"`` when the payloads differ elsewhere)."""
    diffs = [{"ref": d.row, "field": d.field, "closed": d.old, "now": d.new}
             for d in differences(flatten_payload(recorded), flatten_payload(now))]
    for key in ("period", "as_of"):
        if recorded.get(key) != now.get(key):
            diffs.append({"ref": None, "field": key, "closed": recorded.get(key), "now": now.get(key)})
    if not diffs and recorded != now:
        diffs.append({"ref": None, "field": None, "closed": "…", "now": "…"})
    return diffs
