"""Semantic diff of two versions of a workspace, matched by id, never by position.

``diff_period_files(base, head)`` compares two versions of one period file and
returns :class:`Change` records: objectives, key results, KPIs and milestones
added / removed / changed field by field; check-ins and measurements added,
changed or removed, matched by (date, position among those of that date) and
named ``REF@DATE#N``; rebaselines matched the same way; ``added`` and
``cancelled`` records.  ``diff_settings`` does the same for okrctl.yaml and
units.yaml.  Each change says whether it *eases* the item (docs/ci.md): could
raise a score or ease a status.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from okrctl import krtypes
from okrctl.model.document import Document
from okrctl.model.layout import CONFIG_FILE, UNITS_FILE, file_ref, is_settings_file, path_order
from okrctl.model.problems import Problem
from okrctl.model.records import (
    KPI,
    Approval,
    CheckIn,
    KeyResult,
    Measurement,
    Milestone,
    Objective,
    PeriodFile,
    Rebaseline,
    Unit,
    Workspace,
)

ChangeKind = Literal["added", "removed", "changed"]

#: fields whose change after the lock needs a rebaseline (docs/ci.md)
DEFINITION_FIELDS = ("target", "baseline", "threshold", "alert", "direction", "type", "kind", "weight",
                     "aggregate", "due", "milestones", "aligns_to", "unit", "frequency", "due_days")

#: ``frequency`` from the shortest window to the longest; none at all is longest
FREQUENCY_ORDER = {"weekly": 0, "monthly": 1, "quarterly": 2, None: 3}


@dataclass(frozen=True, slots=True)
class Change:
    ref: str
    kind: ChangeKind
    #: the field that changed; None when a whole item was added or removed
    field: str | None
    old: Any
    new: Any
    eased: bool
    #: objective | key_result | kpi | milestone | checkin | measurement | rebaseline | record | file | unit | setting
    item: str
    path: str
    line: int

    def to_dict(self) -> dict:
        return {"ref": self.ref, "kind": self.kind, "field": self.field, "old": jsonable(self.old),
                "new": jsonable(self.new), "eased": self.eased}


def jsonable(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, (Decimal, Fraction)):
        return float(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return str(v)


# ------------------------------------------------------------------ plain views of records

def approval_view(a: Approval | None) -> dict | None:
    return None if a is None else {"date": a.date, "reason": a.reason, "approved_by": a.approved_by}


def milestone_view(m: Milestone) -> dict:
    return {"id": m.id, "title": m.title, "weight": m.weight, "due": m.due}


def checkin_view(c: CheckIn) -> dict:
    d: dict[str, Any] = {"date": c.date}
    if c.value is not None:
        d["value"] = c.value
    if c.done is not None:
        d["done"] = list(c.done)
    for k in ("confidence", "by", "note"):
        v = getattr(c, k)
        if v is not None:
            d[k] = v
    if c.evidence:
        d["evidence"] = [e if isinstance(e, str) else e.to_json() for e in c.evidence]
    return d


def measurement_view(m: Measurement) -> dict:
    d: dict[str, Any] = {"date": m.date, "value": m.value}
    for k in ("source", "note", "by"):
        v = getattr(m, k)
        if v is not None:
            d[k] = v
    return d


def rebaseline_view(r: Rebaseline) -> dict:
    return {"date": r.date, "field": r.field, "from": r.from_, "to": r.to, "reason": r.reason, "approved_by": r.approved_by}


def objective_fields(o: Objective) -> dict[str, Any]:
    return {"title": o.title, "owner": o.owner, "kind": o.kind, "weight": o.weight, "aligns_to": o.aligns_to_ref,
            "review": o.review}


def kr_fields(k: KeyResult) -> dict[str, Any]:
    return {"title": k.title, "type": k.type, "unit": k.unit, "owner": k.owner, "baseline": k.baseline,
            "target": k.target, "direction": k.direction, "aggregate": k.aggregate, "threshold": k.threshold,
            "due": k.due, "milestones": [milestone_view(m) for m in k.milestones], "frequency": k.frequency,
            "due_days": k.due_days, "weight": k.weight, "review": k.review}


def kpi_fields(k: KPI) -> dict[str, Any]:
    return {"title": k.title, "unit": k.unit, "owner": k.owner, "direction": k.direction, "target": k.target,
            "alert": k.alert, "frequency": k.frequency, "due_days": k.due_days, "review": k.review}


# ------------------------------------------------------------------ easing (docs/ci.md)

def effective_direction(record: Any) -> str | None:
    """The direction in force: as written; for a metric KR without one, the way
    baseline → target goes; for a maintain KR without one, ``increase``."""
    written = getattr(record, "direction", None)
    if written is not None or not isinstance(record, KeyResult):
        return written
    return krtypes.of(record).direction(record)


def is_eased(item: str, field: str, old: Any, new: Any, base: Any, head: Any = None) -> bool:
    """Could this definition change raise a score or ease a status?  ``base`` and
    ``head`` are the records at both sides (``head`` only matters for
    ``direction``: writing down the direction already in force changes nothing)."""
    if field in ("type", "aggregate", "unit"):
        return True
    if field == "frequency":
        return FREQUENCY_ORDER.get(new, 3) > FREQUENCY_ORDER.get(old, 3)
    if field == "due_days":
        return (new if new is not None else 7) > (old if old is not None else 7)
    if field == "alert" and item == "kpi" and old is None and new is not None:
        return True
    if field == "due" and item == "key_result" and old != new:
        return new is None or (old is not None and new > old)  # later (none: the period end)
    if field == "direction":
        if base is not None and head is not None:
            return effective_direction(base) != effective_direction(head)
        return True
    if field == "weight":
        return True
    if field == "kind":
        return old == "committed" and new == "aspirational"
    if field == "milestones":
        old_ids = {m["id"] for m in old or ()}
        new_ids = {m["id"] for m in new or ()}
        if old_ids - new_ids:
            return True
        old_w = {m["id"]: (m["weight"], m["due"]) for m in old or ()}
        new_w = {m["id"]: (m["weight"], m["due"]) for m in new or ()}
        return any(old_w[i] != new_w[i] for i in old_ids & new_ids)
    if old is None or new is None or isinstance(old, (str, bool)) or isinstance(new, (str, bool)):
        return False
    if item == "key_result" and isinstance(base, KeyResult):
        return krtypes.eased(base, field, old, new)
    if item == "kpi" and isinstance(base, KPI) and field in ("target", "alert"):
        return (new - old) < 0 if base.direction == "increase" else (new - old) > 0
    return False


# ------------------------------------------------------------------ matching helpers

def by_date_position(records: Sequence[Any], key=lambda r: r.date) -> dict[tuple[date, int], Any]:
    """{(date, n): record} with n the 1-based position among records of that date."""
    seen: dict[date, int] = {}
    out = {}
    for r in records:
        d = key(r)
        seen[d] = seen.get(d, 0) + 1
        out[(d, seen[d])] = r
    return out


class _Differ:
    def __init__(self, base: PeriodFile | None, head: PeriodFile | None) -> None:
        self.base = base
        self.head = head
        self.path = (head or base).path  # type: ignore[union-attr]
        self.out: list[Change] = []

    def add(self, ref, kind, field, old, new, item, line, eased=False):
        self.out.append(Change(ref, kind, field, old, new, eased, item, self.path, line))

    def run(self) -> list[Change]:
        b, h = self.base, self.head
        if b is None and h is not None:
            self.add(f"{h.period.id}/{h.unit}", "added", None, None, None, "file", 1)
        elif h is None and b is not None:
            self.add(f"{b.period.id}/{b.unit}", "removed", None, None, None, "file", 1)
        base_objs = {o.id: o for o in (b.objectives if b else ())}
        head_objs = {o.id: o for o in (h.objectives if h else ())}
        # a removed item is pointed at in the file as it is now: its first line
        # when the file still exists, else where the item was
        gone_line = 1 if h is not None else None
        self.items(base_objs, head_objs, "objective", self.objective, gone_line)
        base_kpis = {k.id: k for k in (b.kpis if b else ())}
        head_kpis = {k.id: k for k in (h.kpis if h else ())}
        self.items(base_kpis, head_kpis, "kpi", self.kpi, gone_line)
        return self.out

    def items(self, base: dict, head: dict, item: str, deep, gone_line: int | None) -> None:
        for iid, new in head.items():
            old = base.get(iid)
            if old is None:
                self.add(new.ref, "added", None, None, None, item, new.loc.line)
            deep(old, new)
        for iid, old in base.items():
            if iid not in head:
                self.add(old.ref, "removed", None, None, None, item, gone_line or old.loc.line)

    def fields(self, ref, item, old_fields, new_fields, line, base_record, head_record) -> None:
        for f, nv in new_fields.items():
            ov = old_fields.get(f)
            if ov != nv:
                eased = f in DEFINITION_FIELDS and is_eased(item, f, ov, nv, base_record, head_record)
                self.add(ref, "changed", f, ov, nv, item, line, eased)

    def records(self, ref, old: Approval | None, new: Approval | None, field: str, line: int) -> None:
        ov, nv = approval_view(old), approval_view(new)
        if ov == nv:
            return
        kind: ChangeKind = "added" if ov is None else "removed" if nv is None else "changed"
        self.add(ref, kind, field, ov, nv, "record", new.loc.line if new else line)

    def objective(self, old: Objective | None, new: Objective | None) -> None:
        if old is not None and new is not None:
            self.fields(new.ref, "objective", objective_fields(old), objective_fields(new), new.loc.line, old, new)
        o_ref = (new or old).ref  # type: ignore[union-attr]
        line = (new or old).loc.line  # type: ignore[union-attr]
        self.records(o_ref, old.added if old else None, new.added if new else None, "added", line)
        self.records(o_ref, old.cancelled if old else None, new.cancelled if new else None, "cancelled", line)
        if new is not None:
            self.dated(o_ref, old.rebaselines if old else (), new.rebaselines, "rebaseline", rebaseline_view, line)
        base_krs = {k.id: k for k in (old.key_results if old else ())}
        head_krs = {k.id: k for k in (new.key_results if new else ())}
        if new is None:
            return  # the removal of the objective is the change; its KRs go with it
        for kid, nk in head_krs.items():
            ok = base_krs.get(kid)
            if ok is None and old is not None:
                self.add(nk.ref, "added", None, None, None, "key_result", nk.loc.line)
            self.key_result(ok, nk)
        for kid, ok in base_krs.items():
            if kid not in head_krs:  # pointed at its objective as it is now
                self.add(ok.ref, "removed", None, None, None, "key_result", new.loc.line)

    def key_result(self, old: KeyResult | None, new: KeyResult) -> None:
        if old is not None:
            self.fields(new.ref, "key_result", kr_fields(old), kr_fields(new), new.loc.line, old, new)
        self.records(new.ref, old.added if old else None, new.added, "added", new.loc.line)
        self.records(new.ref, old.cancelled if old else None, new.cancelled, "cancelled", new.loc.line)
        self.dated(new.ref, old.checkins if old else (), new.checkins, "checkin", checkin_view, new.loc.line)
        self.dated(new.ref, old.rebaselines if old else (), new.rebaselines, "rebaseline", rebaseline_view, new.loc.line)

    def kpi(self, old: KPI | None, new: KPI | None) -> None:
        if new is None:
            return
        if old is not None:
            self.fields(new.ref, "kpi", kpi_fields(old), kpi_fields(new), new.loc.line, old, new)
        self.records(new.ref, old.added if old else None, new.added, "added", new.loc.line)
        self.records(new.ref, old.cancelled if old else None, new.cancelled, "cancelled", new.loc.line)
        self.dated(new.ref, old.measurements if old else (), new.measurements, "measurement", measurement_view, new.loc.line)
        self.dated(new.ref, old.rebaselines if old else (), new.rebaselines, "rebaseline", rebaseline_view, new.loc.line)

    def dated(self, ref: str, old: Iterable, new: Iterable, item: str, view, line: int) -> None:
        ob = by_date_position(list(old))
        nb = by_date_position(list(new))
        for key, rec in nb.items():
            name = f"{ref}@{key[0].isoformat()}#{key[1]}"
            prev = ob.get(key)
            if prev is None:
                self.add(name, "added", item, None, view(rec), item, rec.loc.line)
            elif view(prev) != view(rec):
                self.add(name, "changed", item, view(prev), view(rec), item, rec.loc.line)
        for key, rec in ob.items():
            if key not in nb:
                self.add(f"{ref}@{key[0].isoformat()}#{key[1]}", "removed", item, view(rec), None, item, line)


def diff_period_files(base: PeriodFile | None, head: PeriodFile | None) -> list[Change]:
    """Changes from ``base`` to ``head`` (either may be None: file added/removed)."""
    if base is None and head is None:
        return []
    return _Differ(base, head).run()


def _flatten(prefix: str, v: Any, out: dict[str, Any]) -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            _flatten(f"{prefix}.{k}" if prefix else k, x, out)
    else:
        out[prefix] = v


def diff_settings(path: str, base: dict | None, head: dict | None,
                  locate: Callable[[list[str]], int] | None = None) -> list[Change]:
    """okrctl.yaml: a change per leaf key (``policy.lock_after_days``).  ``locate``
    gives the line of a key path in the new file (default: line 1)."""
    ob: dict[str, Any] = {}
    nb: dict[str, Any] = {}
    _flatten("", base or {}, ob)
    _flatten("", head or {}, nb)
    out = []
    for k in sorted(set(ob) | set(nb)):
        if ob.get(k) != nb.get(k):
            kind: ChangeKind = "added" if k not in ob else "removed" if k not in nb else "changed"
            line = locate(k.split(".")) if locate is not None else 1
            out.append(Change(f"{path}:{k}", kind, k, ob.get(k), nb.get(k), False, "setting", path, line))
    return out


def unit_view(u: Unit) -> dict:
    return {"name": u.name, "parent": u.parent, "owners": list(u.owners), "approvers": list(u.approvers),
            "weight": u.weight, "self_weight": u.self_weight, "from": u.from_, "until": u.until,
            "replaced_by": list(u.replaced_by)}


def diff_units(base: Sequence[Unit], head: Sequence[Unit]) -> list[Change]:
    ob = {u.id: u for u in base}
    nb = {u.id: u for u in head}
    out = []
    for uid, u in nb.items():
        if uid not in ob:
            out.append(Change(f"units/{uid}", "added", None, None, None, False, "unit", UNITS_FILE, u.loc.line))
            continue
        ov, nv = unit_view(ob[uid]), unit_view(u)
        for f in nv:
            if ov[f] != nv[f]:
                out.append(Change(f"units/{uid}", "changed", f, ov[f], nv[f], False, "unit", UNITS_FILE, u.loc.line))
    for uid, u in ob.items():
        if uid not in nb:
            out.append(Change(f"units/{uid}", "removed", None, None, None, False, "unit", UNITS_FILE, 1))
    return out


# ------------------------------------------------------------------ two versions of a workspace

@dataclass(slots=True)
class Version:
    """One side of a comparison: what was loaded of a workspace at a revision (or
    the working tree).  ``workspace`` may hold only some of its period files (the
    ones that changed); ``paths`` lists every workspace file of that version, read
    or not, so a file that was listed but could not be loaded is told apart from
    one that does not exist."""

    label: str
    workspace: Workspace
    documents: dict[str, Document]
    paths: frozenset[str]
    diagnostics: list[Problem]


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A changed file that could not be compared: it does not load on one side."""

    side: Literal["base", "head"]
    label: str
    diagnostic: Problem


def compare_versions(base: Version, head: Version, changed: Iterable[str]) -> tuple[list[Change], list[Unreadable]]:
    """The semantic changes of the files in ``changed`` (workspace-relative paths
    whose bytes differ between the two versions).  A file whose bytes changed with
    no semantic change (comments, formatting) gets one ``file`` record of kind
    ``changed`` and field None.  A file that does not load on a side is not
    compared and is returned in the second list instead."""
    bfiles = {f.path: f for f in base.workspace.files}
    hfiles = {f.path: f for f in head.workspace.files}
    changes: list[Change] = []
    unreadable: list[Unreadable] = []
    for path in sorted(set(changed) & (base.paths | head.paths), key=path_order):
        bad = False
        for side, v, files in (("base", base, bfiles), ("head", head, hfiles)):
            if path not in v.paths or path in files or is_settings_file(path):
                continue
            errors = [d for d in v.diagnostics if d.path == path and d.severity == "error"]
            first = errors[0] if errors else Problem.make("OKR005", path, 1, 1, _("{path} could not be loaded").format(path=path))
            unreadable.append(Unreadable(side, v.label, first))  # type: ignore[arg-type]
            bad = True
        if bad:
            continue
        if path == CONFIG_FILE:
            bdoc, hdoc = base.documents.get(path), head.documents.get(path)

            def locate(keys: list[str], doc=hdoc or bdoc) -> int:
                return doc.position(keys, key=True)[0] if doc is not None else 1

            got = diff_settings(path, bdoc.value if bdoc else None, hdoc.value if hdoc else None, locate)  # type: ignore[arg-type]
        elif path == UNITS_FILE:
            got = diff_units(base.workspace.units, head.workspace.units)
        else:
            got = diff_period_files(bfiles.get(path), hfiles.get(path))
        if not got and path in base.paths and path in head.paths:
            got = [Change(file_ref(path), "changed", None, None, None, False, "file", path, 1)]
        changes += got
    return changes, unreadable
