"""Checks of period files: objectives, key results, KPIs and their dates.

The path keys (OKR112) and fields a KR's type ignores (OKR227) need the parsed
document; the others work on the typed records of the whole workspace.  The
checks of one KR type are its :meth:`okrctl.krtypes.base.KRType.check` and
:meth:`~okrctl.krtypes.base.KRType.check_checkin`.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable
from datetime import date

from okrctl import krtypes
from okrctl.krtypes.base import diag as _d
from okrctl.model.problems import Problem
from okrctl.model.periods import Period
from okrctl.model.records import KPI, KeyResult, Loc, Objective, PeriodFile, Unit
from okrctl.model.summary import FileSummary, ObjectiveSummary
from okrctl.model.document import Document
from okrctl.model.layout import parse_period_path, period_file
from okrctl.model.refs import item_part, period_of, split_qualified


def check_path_keys(doc: Document, path: str, unit_id: str, period_id: str) -> list[Problem]:
    out = []
    v: dict = doc.value  # type: ignore[assignment]
    for key, expected in (("unit", unit_id), ("period", period_id)):
        if key in v and v[key] != expected:
            line, col = doc.position([key])
            out.append(Problem.make("OKR112", path, line, col, _("{key}: {v!r} disagrees with the path, which says {expected!r}").format(key=key, v=v[key], expected=expected)))
    return out



def check_type_fields(pf: PeriodFile, doc: Document) -> list[Problem]:
    """A field the KR's type ignores is almost always a mistake (a maintain KR with
    `target:` instead of `threshold:`, a type changed without its fields)."""
    out = []
    raw_objs = doc.value.get("objectives") or []  # type: ignore[union-attr]
    for oi, obj in enumerate(pf.objectives):
        raw_krs = raw_objs[oi].get("key_results") or []
        for ki, kr in enumerate(obj.key_results):
            raw = raw_krs[ki]
            for key in raw:
                uses_fields = krtypes.of(kr).fields
                if key in krtypes.TYPED_FIELDS and key not in uses_fields:
                    line, col = doc.position(["objectives", oi, "key_results", ki, key], key=True)
                    uses = ", ".join(sorted(uses_fields)) or "none of them"
                    out.append(Problem.make("OKR227", pf.path, line, col,
                                               _("{id}/{id2}: `{key}` has no effect on a {type} KR (it uses: {uses})").format(id=obj.id, id2=kr.id, key=key, type=kr.type, uses=uses)))
            if "due_days" in raw and not kr.frequency:
                line, col = doc.position(["objectives", oi, "key_results", ki, "due_days"], key=True)
                out.append(Problem.make("OKR227", pf.path, line, col, _("{id}/{id2}: `due_days` has no effect without `frequency`").format(id=obj.id, id2=kr.id)))
    return out


class Index:
    """Objectives and KRs by fully qualified ref, and feeders of aligned KRs, over
    the summaries of the period files (:mod:`okrctl.model.summary`): what the checks
    of one file read from the others.  A ref names its file (``PERIOD/UNIT/…`` is
    ``okrs/PERIOD/UNIT.yaml``), so only the files named are looked into, and only
    when asked.  ``invalid``: the period files with errors of their own."""

    def __init__(self, summaries: Iterable[FileSummary], invalid: frozenset[str]) -> None:
        self._files: dict[str, FileSummary] = {}
        self._refs: dict[str, frozenset[str]] = {}
        self.feeders: dict[str, list[ObjectiveSummary]] = {}
        #: period files with errors of their own: a reference into one is not checked
        self.invalid = invalid
        #: periods with such a file: an aligned KR's feeders there are not known
        self.invalid_periods = {p[0] for p in map(parse_period_path, invalid) if p is not None}
        for s in summaries:
            self._files[s.path] = s
            for o in s.objectives:
                if o.aligns_to_ref:
                    self.feeders.setdefault(o.aligns_to_ref, []).append(o)

    def target(self, ref: str) -> tuple[str, Period] | None:
        """``(path, period)`` of the file defining the objective or KR ``ref``."""
        aim = split_qualified(ref)
        s = self._files.get(period_file(aim.period, aim.unit)) if aim is not None else None
        if s is None:
            return None
        refs = self._refs.get(s.path)
        if refs is None:
            refs = self._refs[s.path] = frozenset(
                r for o in s.objectives for r in (o.ref, *(f"{o.ref}/{k}" for k in o.krs)))
        return (s.path, s.period) if ref in refs else None


def check_file_unit(pf: PeriodFile, units: dict[str, Unit]) -> list[Problem]:
    loc = Loc(pf.path, 1, 1)
    u = units.get(pf.unit)
    if u is None:
        return [_d("OKR200", loc, _("unit {unit!r} (from the file name) is not defined in units.yaml").format(unit=pf.unit))]
    if not u.takes_part(pf.period):
        span = f"{u.from_ or '…'} .. {u.until or '…'}"
        return [_d("OKR203", loc, _("unit {id!r} exists {span} and does not take part in {id2} ({start} .. {end})").format(id=u.id, span=span, id2=pf.period.id, start=pf.period.start, end=pf.period.end))]
    if u.parent and u.parent in units and not units[u.parent].takes_part(pf.period):
        return [_d("OKR204", loc, _("unit {id!r} takes part in {id2} but its parent {parent!r} does not").format(id=u.id, id2=pf.period.id, parent=u.parent))]
    return []


def check_objective(obj: Objective, pf: PeriodFile, index: Index) -> list[Problem]:
    out = []
    if obj.key_results and all(kr.weight == 0 for kr in obj.key_results):
        out.append(_d("OKR222", obj.loc, _("objective {id}: all key result weights are 0").format(id=obj.id)))
    if obj.aligns_to_ref:
        target = index.target(obj.aligns_to_ref)
        aim = split_qualified(obj.aligns_to_ref)
        if target is None:
            if aim is not None and period_file(str(aim.period), aim.unit) in index.invalid:
                return out  # the target's file has its own errors; fix those first
            out.append(_d("OKR211", obj.aligns_to_loc or obj.loc, _("objective {id}: aligns_to {aligns_to!r} names no objective or key result (looked for {aligns_to_ref})").format(id=obj.id, aligns_to=obj.aligns_to, aligns_to_ref=obj.aligns_to_ref)))
        else:
            tpath, tperiod = target
            if not tperiod.encloses(pf.period) or (tperiod.id != pf.period.id and tperiod.start == pf.period.start and tperiod.end == pf.period.end):
                out.append(_d("OKR212", obj.aligns_to_loc or obj.loc, _("objective {id}: aligns_to {aligns_to!r} is in period {period_of}, which does not enclose {id2}").format(id=obj.id, aligns_to=obj.aligns_to, period_of=period_of(obj.aligns_to_ref), id2=pf.period.id)))
            if tpath == pf.path and aim is not None and aim.item == obj.id:
                what = _("itself") if aim.kr is None else _("its own key result {kr}").format(kr=aim.kr)
                out.append(_d("OKR213", obj.aligns_to_loc or obj.loc, _("objective {id} aligns to {what}").format(id=obj.id, what=what)))
    return out


def check_kr(kr: KeyResult, pf: PeriodFile, index: Index, today: date | None) -> list[Problem]:
    """The checks of the KR's type (:mod:`okrctl.krtypes`), then each check-in's
    date and shape."""
    kind = krtypes.of(kr)
    name = item_part(kr.ref)
    feeders = [o for o in index.feeders.get(kr.ref, []) if period_of(o.ref) == pf.period.id]
    out = kind.check(kr, name, feeders, pf.period.id)
    if not feeders and pf.period.id in index.invalid_periods:
        # the feeders may be in a file of the period that has its own errors
        out = [d for d in out if d.code != "OKR214"]
    for c in kr.checkins:
        out += check_date(c.date, c.loc, pf, today, f"{name}: check-in")
        out += kind.check_checkin(kr, c, name)
    return out


def check_date(d: date, loc: Loc, pf: PeriodFile, today: date | None, what: str) -> list[Problem]:
    if not pf.period.contains(d):
        return [_d("OKR230", loc, _("{what} dated {d} lies outside {id} ({start} .. {end})").format(what=what, d=d, id=pf.period.id, start=pf.period.start, end=pf.period.end))]
    if today is not None and d > today:
        return [_d("OKR231", loc, _("{what} dated {d} is in the future (today is {today})").format(what=what, d=d, today=today))]
    return []


def check_kpi(kpi: KPI, pf: PeriodFile, today: date | None) -> list[Problem]:
    out: list[Problem] = []
    name = item_part(kpi.ref)
    if kpi.alert is not None:
        ok = kpi.alert < kpi.target if kpi.direction == "increase" else kpi.alert > kpi.target
        if not ok:
            side = _("below") if kpi.direction == "increase" else _("above")
            out.append(_d("OKR225", kpi.loc, _("KPI {name}: alert {alert} must be {side} target {target} (direction {direction})").format(name=name, alert=kpi.alert, side=side, target=kpi.target, direction=kpi.direction)))
    for m in kpi.measurements:
        out += check_date(m.date, m.loc, pf, today, f"KPI {name}: measurement")
    return out

