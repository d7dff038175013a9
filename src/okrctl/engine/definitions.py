"""Definition values of docs/ci.md, shared by the rules of ``okrctl check``
(:mod:`okrctl.engine.rules`): values in force, how a ``rebaselines`` entry's
``from``/``to`` denote them, exact comparison, feeders of aligned KRs, the
approvers of a unit, and whether a definition change improves an item's score or
status as of J (the second half of "eased").  Pure."""

from __future__ import annotations

from okrctl.model.messages import N_

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrctl import krtypes
from okrctl.krtypes.exact import fixed
from okrctl.engine.diff import by_date_position, effective_direction
from okrctl.model.periods import Period
from okrctl.model.records import KPI, KeyResult, Objective, PeriodFile, Rebaseline, Unit, Workspace
from okrctl.model.refs import qualify, unit_of

Item = Objective | KeyResult | KPI

NOUN = {"objective": N_("objective"), "key_result": N_("key result"), "kpi": N_("KPI")}
_NO_MATCH = object()


def _milestones(item: Any) -> dict[str, tuple[Any, date | None]]:
    """Milestones as they count: id → (weight, due); titles and order do not count."""
    return {m.id: (m.weight, m.due) for m in getattr(item, "milestones", ())}


def definition_value(item: Item, field: str, period: Period) -> Any:
    """The value of a definition field in force: defaults filled in (direction as
    implied, a boolean KR's due defaulting to the period end), aligns_to fully
    qualified, milestones without their titles."""
    if field == "direction":
        return effective_direction(item)
    if field == "milestones":
        return _milestones(item)
    if field == "aligns_to":
        return getattr(item, "aligns_to_ref", None)
    if isinstance(item, KeyResult):
        return krtypes.of(item).in_force(item, field, period)
    return getattr(item, field, None)


def written_value(item: Item, field: str) -> Any:
    """The value as written in the file (None when left out)."""
    if field == "milestones":
        return _milestones(item)
    if field == "aligns_to":
        return getattr(item, "aligns_to_ref", None)
    return getattr(item, field, None)


def _date_or(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return v
    return v


#: definition fields with a default in force when left out (docs/format.md)
_DEFAULTS: dict[str, Any] = {"aggregate": "last", "due_days": 7, "kind": "committed", "weight": 1}


def entry_value(field: str, v: Any, period_id: str) -> Any:
    """A rebaselines entry's ``from``/``to`` in the form of :func:`definition_value`.
    Milestones are written as a list of the KR's milestones (mappings with ``id``
    and optionally ``weight`` (default 1), ``due`` and ``title``, which is
    ignored), or bare ids standing for ``{id}``."""
    if v is None and field in _DEFAULTS:  # a field left out is written null: its default is in force
        return _DEFAULTS[field]
    if field == "due":
        return _date_or(v)
    if field == "aligns_to" and isinstance(v, str):
        return qualify(v, period_id)
    if field == "feeders":
        if not isinstance(v, dict):
            return _NO_MATCH
        return {qualify(str(k), period_id): w for k, w in v.items()}
    if field == "milestones":
        if not isinstance(v, list):
            return _NO_MATCH
        out: dict[str, tuple[Any, date | None]] = {}
        for m in v:
            if isinstance(m, str):
                out[m] = (1, None)
            elif isinstance(m, dict) and isinstance(m.get("id"), str):
                out[m["id"]] = (m.get("weight", 1), _date_or(m.get("due")))
            else:
                return _NO_MATCH
        return out
    return v


def same(a: Any, b: Any) -> bool:
    """Exact equality that never takes true for 1 or "80" for 80."""
    if a is _NO_MATCH or b is _NO_MATCH:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, Decimal)) != isinstance(b, (int, Decimal)):
        return False
    try:
        return bool(a == b)
    except TypeError:
        return False


def show(v: Any) -> str:
    """A definition value for a message, the way it would be written in YAML."""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (date, int, Decimal)):
        return str(v)
    if isinstance(v, Fraction):
        return score_text(v)
    if isinstance(v, dict) and not all(isinstance(x, tuple) for x in v.values()):  # feeders
        return "{" + ", ".join(f"{k}: {show(w)}" for k, w in v.items()) + "}"
    if isinstance(v, dict):  # milestones
        parts = []
        for mid, (w, due) in v.items():
            extra = [f"weight {w}"] if not same(w, 1) else []
            if due is not None:
                extra.append(f"due {due}")
            parts.append(mid + (f" ({', '.join(extra)})" if extra else ""))
        return "[" + ", ".join(parts) + "]"
    return str(v)


def score_text(x: Fraction | None) -> str:
    """A score in a message: exact to 4 places at any size (``max_score: 1e40``)."""
    if x is None:
        return "none"
    return fixed(x, 4)


def same_mapping(a: Any, b: Any) -> bool:
    """Two feeders mappings {reference: weight} with exactly equal weights."""
    if not isinstance(a, dict) or not isinstance(b, dict) or set(a) != set(b):
        return False
    return all(Fraction(a[k]) == Fraction(b[k]) for k in a if not isinstance(a[k], bool) and not isinstance(b[k], bool))


def feeders_in(files: Iterable[PeriodFile], period_id: str, at: date) -> dict[str, dict[str, Any]]:
    """{aligned-to reference: {feeding objective: weight}} of the objectives of
    ``files`` that align to an item of ``period_id`` and are not cancelled at ``at``."""
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        for o in f.objectives:
            target = o.aligns_to_ref
            if target is None or not target.startswith(period_id + "/"):
                continue
            if o.cancelled is not None and o.cancelled.date <= at:
                continue
            out.setdefault(target, {})[o.ref] = o.weight
    return out


def added_rebaselines(base_item: Item, head_item: Item) -> list[Rebaseline]:
    """The ``rebaselines`` entries of ``head_item`` that are new in this change
    (matched like check-ins: by date and position among those of that date)."""
    old = by_date_position(base_item.rebaselines)
    return [r for key, r in by_date_position(head_item.rebaselines).items() if key not in old]


def approvers_of(units: Sequence[Unit], head_units: Sequence[Unit], unit_id: str) -> set[str] | None:
    """The approvers of ``unit_id`` per the policy revision's ``units``: its own
    ``approvers`` (else its parent's ``owners``) and, recursively, its parent's.
    A unit the policy does not know takes those of its nearest ancestor (by
    ``head_units``) that it knows; None when there is none (a new root)."""
    known = {u.id: u for u in units}
    head = {u.id: u for u in head_units}
    uid: str | None = unit_id
    seen: set[str] = set()
    while uid is not None and uid not in known and uid not in seen:
        seen.add(uid)
        uid = head[uid].parent if uid in head else None
    if uid is None or uid not in known:
        return None
    out: set[str] = set()
    seen = set()
    cur: Unit | None = known[uid]
    while cur is not None and cur.id not in seen:
        seen.add(cur.id)
        parent = known.get(cur.parent) if cur.parent else None
        out |= set(cur.approvers) if cur.approvers else set(parent.owners if parent else ())
        cur = parent
    return out


_RANK_OKR = {"done": 5, "on_track": 4, "at_risk": 3, "no_data": 2, "off_track": 1, "missed": 0}
_RANK_KPI = {"green": 2, "amber": 1, "red": 0, "no_data": 0}


def _fraction(x: Any) -> Fraction | None:
    return None if x is None else Fraction(x)


def improves(base: Workspace, head: Workspace, base_items: dict[str, Item], bi: Item, hi: Item, period: Period,
             at: date) -> bool:
    """As of J with BASE's check-ins, does the item score higher or have a
    better status with HEAD's definitions than with BASE's (both scored with
    HEAD's scoring settings)?"""
    from dataclasses import replace

    from okrctl.engine.scoring import score_workspace

    ws_unit = head.unit_by_id.get(unit_of(bi.ref)) or base.unit_by_id.get(unit_of(bi.ref))
    if ws_unit is None:
        return False
    unit = replace(ws_unit, parent=None, from_=None, until=None)

    def result(obj: Objective | None, kpi: KPI | None):
        f = PeriodFile(f"okrs/{period.id}/{unit.id}.yaml", unit.id, period,
                       (obj,) if obj is not None else (), (kpi,) if kpi is not None else ())
        ws = Workspace(head.config, (unit,), (f,), label="eased")
        res = score_workspace(ws, period, at)
        return res.find(bi.ref)

    try:
        if isinstance(bi, KPI) and isinstance(hi, KPI):
            a, b = result(None, bi), result(None, replace(hi, measurements=bi.measurements))
            return _RANK_KPI.get(b.status, 0) > _RANK_KPI.get(a.status, 0)
        if isinstance(bi, KeyResult) and isinstance(hi, KeyResult):
            obj = base_items.get(bi.ref.rsplit("/", 1)[0])
            if not isinstance(obj, Objective):
                return False
            hybrid = replace(hi, checkins=bi.checkins, cancelled=bi.cancelled)
            a = result(replace(obj, aligns_to=None, aligns_to_ref=None), None)
            b = result(replace(obj, aligns_to=None, aligns_to_ref=None,
                               key_results=tuple(hybrid if k.ref == bi.ref else k for k in obj.key_results)), None)
        elif isinstance(bi, Objective) and isinstance(hi, Objective):
            a = result(replace(bi, aligns_to=None, aligns_to_ref=None), None)
            b = result(replace(hi, key_results=bi.key_results, aligns_to=None, aligns_to_ref=None,
                               cancelled=bi.cancelled), None)
        else:
            return False
    except Exception:  # a definition the engine cannot score (HEAD's validation says why)
        return False
    if a is None or b is None:
        return False
    sa, sb = _fraction(a.score), _fraction(b.score)
    if sa is not None and sb is not None and sb > sa:
        return True
    return _RANK_OKR.get(b.status, -1) > _RANK_OKR.get(a.status, -1) >= 0

# -- feeders of aligned KRs ---------------------------------------------------


def brief(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(brief(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{…}"
    if isinstance(v, str):
        return v if len(v) <= 40 else v[:39] + "…"
    return show(v)
