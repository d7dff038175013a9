"""Semantic checks: the rules a JSON Schema cannot express.

Each check is a pure function over typed records (and, where it needs the
position of a raw key, the parsed document) returning diagnostics.  The codes
are registered in :mod:`okrctl.model.problems` and documented in ``docs/checks.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrctl.model.problems import Problem
from okrctl.model.records import KPI, Config, KeyResult, Loc, Objective, PeriodFile, Unit, Workspace
from okrctl.model.periods import is_period_id, parse_period
from okrctl.read.yamlread import Parsed

UNIT_ID_RE = re.compile(r"[a-z][a-z0-9-]{0,63}\Z")


def _d(code: str, loc: Loc, message: str) -> Problem:
    return Problem.make(code, loc.path, loc.line, loc.column, message)


def fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


# ---------------------------------------------------------------- okrctl.yaml

def check_config(cfg: Config, doc: Parsed) -> list[Problem]:
    out: list[Problem] = []
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory such as "America"
        line, col = doc.position(["timezone"])
        out.append(Problem.make("OKR241", "okrctl.yaml", line, col, f"timezone {cfg.timezone!r} is not an IANA time zone name (e.g. Asia/Ho_Chi_Minh, UTC)"))
    for kind, bands in cfg.grades.items():
        if not bands:
            continue
        mins = [b.min for b in bands]
        bad = any(a <= b for a, b in zip(mins, mins[1:])) or mins[-1] != 0
        if bad:
            line, col = doc.position(["scoring", "grades", kind])
            out.append(Problem.make("OKR240", "okrctl.yaml", line, col,
                                       f"grades.{kind}: band minimums must be strictly decreasing and the last must be 0 (got {', '.join(str(m) for m in mins)})"))
    if cfg.pace_off_track < cfg.pace_at_risk:
        line, col = doc.position(["scoring", "pace"])
        out.append(Problem.make("OKR104", "okrctl.yaml", line, col,
                                   f"pace.off_track ({cfg.pace_off_track}) must not be below pace.at_risk ({cfg.pace_at_risk})"))
    return out


# ---------------------------------------------------------------- units.yaml

def check_units(units: tuple[Unit, ...], doc: Parsed) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, Unit] = {}
    ids = {u.id for u in units}
    for u in units:
        f = fold(u.id)
        if f in seen:
            prev = seen[f]
            same = "the same id" if prev.id == u.id else f"an id that differs only in case from {prev.id!r}"
            out.append(_d("OKR202", u.loc, f"unit {u.id!r} has {same} (first defined at line {prev.loc.line})"))
        else:
            seen[f] = u
        if u.parent is not None and u.parent not in ids:
            out.append(_d("OKR200", u.loc, f"unit {u.id!r}: parent {u.parent!r} is not defined in units.yaml"))
        for r in u.replaced_by:
            if r not in ids:
                out.append(_d("OKR200", u.loc, f"unit {u.id!r}: replaced_by {r!r} is not defined in units.yaml"))
        if u.from_ and u.until and u.until < u.from_:
            out.append(_d("OKR205", u.loc, f"unit {u.id!r}: until {u.until} is before from {u.from_}"))
    parent = {u.id: u.parent for u in units}
    by_id = {u.id: u for u in units}
    done: set[str] = set()
    for u in units:
        path: list[str] = []
        cur: str | None = u.id
        while cur is not None and cur in parent and cur not in done and cur not in path:
            path.append(cur)
            cur = parent[cur]
        if cur is not None and cur in path:
            cycle = path[path.index(cur):]
            out.append(_d("OKR201", by_id[cycle[0]].loc, "units form a parent cycle: " + " → ".join(cycle + [cycle[0]])))
        done.update(path)
    return out


def check_path_keys(doc: Parsed, path: str, unit_id: str, period_id: str) -> list[Problem]:
    out = []
    v: dict = doc.value  # type: ignore[assignment]
    for key, expected in (("unit", unit_id), ("period", period_id)):
        if key in v and v[key] != expected:
            line, col = doc.position([key])
            out.append(Problem.make("OKR112", path, line, col, f"{key}: {v[key]!r} disagrees with the path, which says {expected!r}"))
    return out


# ---------------------------------------------------------------- the workspace

def check_workspace(ws: Workspace, today: date | None) -> list[Problem]:
    out: list[Problem] = []
    units = ws.unit_by_id
    index = _Index(ws)
    for pf in ws.files:
        out += _check_file_unit(pf, units)
        out += _check_ids(pf)
        for obj in pf.objectives:
            out += _check_objective(obj, pf, index)
            for kr in obj.key_results:
                out += _check_kr(kr, pf, index, today)
        for kpi in pf.kpis:
            out += _check_kpi(kpi, pf, today)
    out += _check_alignment_cycles(ws)
    out += _check_parents_take_part(ws)
    return out


#: definition fields each KR type uses (FORMAT §5); the others have no effect
_TYPE_FIELDS = {
    "metric": {"baseline", "target", "direction", "aggregate"},
    "boolean": {"due"},
    "milestone": {"milestones"},
    "maintain": {"threshold", "direction"},
    "aligned": set(),
}
_TYPED_FIELDS = {"baseline", "target", "direction", "aggregate", "threshold", "due", "milestones"}


def check_type_fields(pf: PeriodFile, doc: Parsed) -> list[Problem]:
    """A field the KR's type ignores is almost always a mistake (a maintain KR with
    `target:` instead of `threshold:`, a type changed without its fields)."""
    out = []
    raw_objs = doc.value.get("objectives") or []  # type: ignore[union-attr]
    for oi, obj in enumerate(pf.objectives):
        raw_krs = raw_objs[oi].get("key_results") or []
        for ki, kr in enumerate(obj.key_results):
            raw = raw_krs[ki]
            for key in raw:
                if key in _TYPED_FIELDS and key not in _TYPE_FIELDS[kr.type]:
                    line, col = doc.position(["objectives", oi, "key_results", ki, key], key=True)
                    uses = ", ".join(sorted(_TYPE_FIELDS[kr.type])) or "none of them"
                    out.append(Problem.make("OKR227", pf.path, line, col,
                                               f"{obj.id}/{kr.id}: `{key}` has no effect on a {kr.type} KR (it uses: {uses})"))
            if "due_days" in raw and not kr.frequency:
                line, col = doc.position(["objectives", oi, "key_results", ki, "due_days"], key=True)
                out.append(Problem.make("OKR227", pf.path, line, col, f"{obj.id}/{kr.id}: `due_days` has no effect without `frequency`"))
    return out


class _Index:
    """Objectives and KRs by fully qualified ref, and feeders of aligned KRs."""

    def __init__(self, ws: Workspace) -> None:
        self.items: dict[str, tuple[PeriodFile, Objective | KeyResult]] = {}
        self.feeders: dict[str, list[Objective]] = {}
        for pf in ws.files:
            for o in pf.objectives:
                self.items[o.ref] = (pf, o)
                for kr in o.key_results:
                    self.items[kr.ref] = (pf, kr)
        for pf in ws.files:
            for o in pf.objectives:
                if o.aligns_to_ref:
                    self.feeders.setdefault(o.aligns_to_ref, []).append(o)


def _check_file_unit(pf: PeriodFile, units: dict[str, Unit]) -> list[Problem]:
    loc = Loc(pf.path, 1, 1)
    u = units.get(pf.unit)
    if u is None:
        return [_d("OKR200", loc, f"unit {pf.unit!r} (from the file name) is not defined in units.yaml")]
    if not u.takes_part(pf.period):
        span = f"{u.from_ or '…'} .. {u.until or '…'}"
        return [_d("OKR203", loc, f"unit {u.id!r} exists {span} and does not take part in {pf.period.id} ({pf.period.start} .. {pf.period.end})")]
    if u.parent and u.parent in units and not units[u.parent].takes_part(pf.period):
        return [_d("OKR204", loc, f"unit {u.id!r} takes part in {pf.period.id} but its parent {u.parent!r} does not")]
    return []


def _check_parents_take_part(ws: Workspace) -> list[Problem]:
    """FORMAT §4: a unit taking part in a period its parent does not is an error,
    whether or not the unit has a file there (the periods are those with files;
    a file of such a unit is also reported at the file)."""
    units = ws.unit_by_id
    periods = {pf.period.id: pf.period for pf in ws.files}
    out = []
    for u in ws.units:
        p = units.get(u.parent) if u.parent else None
        if p is None:
            continue
        bad = [pid for pid, per in sorted(periods.items()) if u.takes_part(per) and not p.takes_part(per)]
        if bad:
            out.append(_d("OKR204", u.loc, f"unit {u.id!r} takes part in {', '.join(bad)} but its parent {p.id!r} does not"
                                            f" ({p.id} exists {p.from_ or '…'} .. {p.until or '…'}); set {u.id}'s from/until or change its parent"))
    return out


def _dupes(items: Iterable, what: str, scope: str) -> list[Problem]:
    out = []
    seen: dict[str, object] = {}
    for it in items:
        f = fold(it.id)
        if f in seen:
            prev = seen[f]
            how = "" if prev.id == it.id else f" (differs only in case from {prev.id!r})"  # type: ignore[attr-defined]
            out.append(_d("OKR210", it.loc, f"{what} id {it.id!r} is used twice in {scope}{how}; first at line {prev.loc.line}"))  # type: ignore[attr-defined]
        else:
            seen[f] = it
    return out


def _check_ids(pf: PeriodFile) -> list[Problem]:
    out = _dupes([*pf.objectives, *pf.kpis], "objective/KPI", pf.path)
    for o in pf.objectives:
        out += _dupes(o.key_results, "key result", o.id)
        for kr in o.key_results:
            out += _dupes(kr.milestones, "milestone", f"{o.id}/{kr.id}")
    return out


def _check_objective(obj: Objective, pf: PeriodFile, index: _Index) -> list[Problem]:
    out = []
    if obj.key_results and all(kr.weight == 0 for kr in obj.key_results):
        out.append(_d("OKR222", obj.loc, f"objective {obj.id}: all key result weights are 0"))
    if obj.aligns_to_ref:
        target = index.items.get(obj.aligns_to_ref)
        parts = obj.aligns_to_ref.split("/")
        if target is None:
            out.append(_d("OKR211", obj.loc, f"objective {obj.id}: aligns_to {obj.aligns_to!r} names no objective or key result (looked for {obj.aligns_to_ref})"))
        else:
            tpf = target[0]
            if not tpf.period.encloses(pf.period) or (tpf.period.id != pf.period.id and tpf.period.start == pf.period.start and tpf.period.end == pf.period.end):
                out.append(_d("OKR212", obj.loc, f"objective {obj.id}: aligns_to {obj.aligns_to!r} is in period {parts[0]}, which does not enclose {pf.period.id}"))
            if tpf is pf and parts[2] == obj.id:
                what = "itself" if len(parts) == 3 else f"its own key result {parts[3]}"
                out.append(_d("OKR213", obj.loc, f"objective {obj.id} aligns to {what}"))
    return out


def _check_kr(kr: KeyResult, pf: PeriodFile, index: _Index, today: date | None) -> list[Problem]:
    out: list[Problem] = []
    name = f"{kr.ref.split('/', 2)[2]}"
    if kr.type == "metric":
        if kr.baseline == kr.target:
            out.append(_d("OKR220", kr.loc, f"{name}: baseline and target are both {kr.target}; a metric needs a distance to cover"))
        elif kr.direction is not None:
            implied = "increase" if kr.target > kr.baseline else "decrease"  # type: ignore[operator]
            if kr.direction != implied:
                out.append(_d("OKR221", kr.loc, f"{name}: direction is {kr.direction} but baseline {kr.baseline} → target {kr.target} is a {implied}"))
    if kr.type == "milestone" and kr.milestones and all(m.weight == 0 for m in kr.milestones):
        out.append(_d("OKR222", kr.loc, f"{name}: all milestone weights are 0"))
    if kr.type == "aligned":
        if kr.checkins:
            out.append(_d("OKR226", kr.checkins[0].loc, f"{name}: an aligned KR takes its score from the objectives aligned to it and has no check-ins"))
        if kr.frequency:
            out.append(_d("OKR226", kr.loc, f"{name}: an aligned KR has no reporting frequency"))
        feeders = [o for o in index.feeders.get(kr.ref, []) if o.ref.split("/", 1)[0] == pf.period.id]
        if not feeders:
            out.append(_d("OKR214", kr.loc, f"{name}: no objective of {pf.period.id} has aligns_to naming {kr.ref}; an aligned KR needs at least one"))
    ms_ids = {m.id for m in kr.milestones}
    for c in kr.checkins:
        out += _check_date(c.date, c.loc, pf, today, f"{name}: check-in")
        if kr.type in ("metric", "maintain"):
            if c.done is not None:
                out.append(_d("OKR224", c.loc, f"{name}: a {kr.type} check-in carries a number in `value`, not `done`"))
            elif c.value is None or isinstance(c.value, bool):
                out.append(_d("OKR224", c.loc, f"{name}: a {kr.type} check-in needs a number in `value`"))
        elif kr.type == "boolean":
            if not isinstance(c.value, bool) or c.done is not None:
                out.append(_d("OKR224", c.loc, f"{name}: a boolean check-in needs `value: true` or `value: false`"))
        elif kr.type == "milestone":
            if c.done is None or c.value is not None:
                out.append(_d("OKR224", c.loc, f"{name}: a milestone check-in lists the milestones done so far in `done: [...]`"))
            else:
                for mid in c.done:
                    if mid not in ms_ids:
                        out.append(_d("OKR223", c.loc, f"{name}: check-in names milestone {mid!r}, which the KR does not define (has: {', '.join(sorted(ms_ids))})"))
    return out


def _check_date(d: date, loc: Loc, pf: PeriodFile, today: date | None, what: str) -> list[Problem]:
    if not pf.period.contains(d):
        return [_d("OKR230", loc, f"{what} dated {d} lies outside {pf.period.id} ({pf.period.start} .. {pf.period.end})")]
    if today is not None and d > today:
        return [_d("OKR231", loc, f"{what} dated {d} is in the future (today is {today})")]
    return []


def _check_kpi(kpi: KPI, pf: PeriodFile, today: date | None) -> list[Problem]:
    out: list[Problem] = []
    name = kpi.ref.split("/", 2)[2]
    if kpi.alert is not None:
        ok = kpi.alert < kpi.target if kpi.direction == "increase" else kpi.alert > kpi.target
        if not ok:
            side = "below" if kpi.direction == "increase" else "above"
            out.append(_d("OKR225", kpi.loc, f"KPI {name}: alert {kpi.alert} must be {side} target {kpi.target} (direction {kpi.direction})"))
    for m in kpi.measurements:
        out += _check_date(m.date, m.loc, pf, today, f"KPI {name}: measurement")
    return out


def _check_alignment_cycles(ws: Workspace) -> list[Problem]:
    """Objective A aligns to B (or to a KR of B): edge A → B.  Report each cycle once."""
    edges: dict[str, str] = {}
    objs: dict[str, Objective] = {}
    for pf in ws.files:
        for o in pf.objectives:
            objs[o.ref] = o
    for ref, o in objs.items():
        if o.aligns_to_ref:
            target = "/".join(o.aligns_to_ref.split("/")[:3])
            if target in objs and target != ref:
                edges[ref] = target
    out = []
    done: set[str] = set()
    for start in objs:
        path: list[str] = []
        cur: str | None = start
        while cur is not None and cur not in done and cur not in path:
            path.append(cur)
            cur = edges.get(cur)
        if cur is not None and cur in path:
            cycle = path[path.index(cur):]
            first = min(cycle)
            o = objs[first]
            out.append(_d("OKR213", o.loc, "objectives align in a cycle: " + " → ".join(cycle[cycle.index(first):] + cycle[: cycle.index(first)] + [first])))
        done.update(path)
    return out


__all__ = ["check_config", "check_units", "check_path_keys", "check_type_fields", "check_workspace", "UNIT_ID_RE", "fold", "is_period_id", "parse_period"]
