"""The rules on a change (FORMAT §8): what ``okrctl check BASE [HEAD]`` enforces.

:data:`~okrctl.model.problems.RULES` (the check family of the one registry of
codes) holds the eleven rules: code, name, default severity, one line of description.
:func:`check_change` judges the semantic changes between two versions of a
workspace (:mod:`okrctl.engine.diff`) at a date J and returns :class:`~okrctl.model.problems.Problem` records.

Everything that decides the outcome -- the severities (``policy.rules``),
``lock_after_days``, ``locked_periods``, ``backdate_days``,
``checkin_grace_days`` and the fiscal year that gives each period its dates -- is
read from BASE's ``okrctl.yaml``, so a change can never relax its own check.
Commit dates play no part: J is a parameter.

Pure: no git, no terminal.  The caller loads both versions; see
:func:`check_change` for which files each must hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrctl import krtypes
from okrctl.engine.diff import DEFINITION_FIELDS, Change, by_date_position, effective_direction
from okrctl.model.layout import UNITS_FILE, file_ref, is_settings_file, path_order, period_of_path
from okrctl.model.records import KPI, Config, KeyResult, Objective, Rebaseline, Workspace
from okrctl.model.periods import Period, parse_period
from okrctl.model.problems import RULES, Problem, Severity
from okrctl.model.refs import item_part, qualify, unit_of

def severity_of(config: Config, rule: str) -> Severity | None:
    """The severity of ``rule`` under ``config`` (BASE's); None when it is off."""
    level = config.rules.get(rule, RULES[rule].severity)
    return None if level == "off" else level  # type: ignore[return-value]


# ------------------------------------------------------------------ time, as BASE says


class Policy:
    """Lock dates and closed periods per BASE's settings, judged at ``at`` (J)."""

    def __init__(self, config: Config, at: date) -> None:
        self.config = config
        self.at = at
        self._periods: dict[str, Period | None] = {}

    def period(self, period_id: str) -> Period | None:
        """The period's dates under BASE's ``fiscal_year_start`` (None: not a period)."""
        if period_id not in self._periods:
            try:
                self._periods[period_id] = parse_period(period_id, self.config.fiscal_year_start)
            except ValueError:
                self._periods[period_id] = None
        return self._periods[period_id]

    def lock_date(self, period: Period) -> date:
        return period.start + timedelta(days=self.config.lock_after_days.get(period.kind, 14))

    def after_lock(self, period: Period) -> bool:
        """J > lock date."""
        return self.at > self.lock_date(period)

    def closed(self, period: Period) -> str | None:
        """Why the period is closed at J, or None while it is open."""
        if period.id in self.config.locked_periods:
            return "listed in policy.locked_periods"
        grace = self.config.checkin_grace_days
        last = period.end + timedelta(days=grace)
        if self.at > last:
            return f"it ended on {period.end} and its {grace}-day grace for check-ins ended on {last}"
        return None


def periods_to_rescore(config: Config, changed_paths: Iterable[str], at: date, period_ids: Iterable[str]) -> list[str]:
    """The closed periods (per BASE's ``config``) whose scores the change may move:
    those with a changed file, and, when okrctl.yaml or units.yaml changed, every
    closed period in ``period_ids`` (the periods with files at BASE or HEAD).
    :func:`check_change` needs every file of these periods on both sides."""
    policy = Policy(config, at)
    touched: set[str] = set()
    for path in changed_paths:
        if is_settings_file(path):
            touched.update(period_ids)
        elif (pid := period_of_path(path)) is not None:
            touched.add(pid)
    out = []
    for pid in sorted(touched):
        p = policy.period(pid)
        if p is not None and policy.closed(p):
            out.append(pid)
    return out


# ------------------------------------------------------------------ definition values

Item = Objective | KeyResult | KPI

_NOUN = {"objective": "objective", "key_result": "key result", "kpi": "KPI"}
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


def entry_value(field: str, v: Any, period_id: str) -> Any:
    """A rebaselines entry's ``from``/``to`` in the form of :func:`definition_value`.
    Milestones are written as a list of the KR's milestones (mappings with ``id``
    and optionally ``weight`` (default 1), ``due`` and ``title``, which is
    ignored), or bare ids standing for ``{id}``."""
    if field == "due":
        return _date_or(v)
    if field == "aligns_to" and isinstance(v, str):
        return qualify(v, period_id)
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
        return _score(v)
    if isinstance(v, dict):  # milestones
        parts = []
        for mid, (w, due) in v.items():
            extra = [f"weight {w}"] if not same(w, 1) else []
            if due is not None:
                extra.append(f"due {due}")
            parts.append(mid + (f" ({', '.join(extra)})" if extra else ""))
        return "[" + ", ".join(parts) + "]"
    return str(v)


def _score(x: Fraction | None) -> str:
    if x is None:
        return "none"
    from okrctl.krtypes.exact import fixed

    return fixed(x, 4)


def added_rebaselines(base_item: Item, head_item: Item) -> list[Rebaseline]:
    """The ``rebaselines`` entries of ``head_item`` that are new in this change
    (matched like check-ins: by date and position among those of that date)."""
    old = by_date_position(base_item.rebaselines)
    return [r for key, r in by_date_position(head_item.rebaselines).items() if key not in old]


# ------------------------------------------------------------------ the check


def check_change(base: Workspace, head: Workspace, changes: Sequence[Change], at: date, *,
                 score_closed: bool = True) -> list[Problem]:
    """Judge ``changes`` (from BASE to HEAD) at ``at`` (J) with BASE's rules.

    ``base`` and ``head`` must hold every period file named by a change, and every
    file of the periods :func:`periods_to_rescore` names (they may hold more).
    ``score_closed=False`` skips closed-score-changed (for a HEAD that does not
    validate, whose scores mean nothing).  Findings come sorted by path and line."""
    return _Checker(base, head, changes, at).run(score_closed)


def _index(ws: Workspace, paths: set[str]) -> dict[str, Item]:
    """Objectives, key results and KPIs of the files at ``paths``, by reference."""
    out: dict[str, Item] = {}
    for f in ws.files:
        if f.path not in paths:
            continue
        for o in f.objectives:
            out[o.ref] = o
            for k in o.key_results:
                out[k.ref] = k
        for kp in f.kpis:
            out[kp.ref] = kp
    return out


class _Checker:
    def __init__(self, base: Workspace, head: Workspace, changes: Sequence[Change], at: date) -> None:
        self.base = base
        self.head = head
        self.changes = list(changes)
        self.at = at
        self.policy = Policy(base.config, at)
        paths = {c.path for c in self.changes}
        self.base_items = _index(base, paths)
        self.head_items = _index(head, paths)
        self.out: list[Problem] = []

    def emit(self, rule: str, ref: str, path: str, line: int, message: str) -> None:
        sev = severity_of(self.policy.config, rule)
        if sev is not None:
            self.out.append(Problem.finding(rule, sev, ref, path, line, message))

    def run(self, score_closed: bool) -> list[Problem]:
        by_path: dict[str, list[Change]] = {}
        for c in self.changes:
            by_path.setdefault(c.path, []).append(c)
        for path, group in by_path.items():
            if is_settings_file(path):
                self.policy_changed(path, group)
                continue
            pid = period_of_path(path)
            period = self.policy.period(pid) if pid else None
            if period is None:
                continue  # not a period file (HEAD's validation says why)
            why = self.policy.closed(period)
            if why:
                self.locked_period_changed(path, period, why, group)
            locked = self.policy.after_lock(period)
            for c in group:
                self.one(c, period, locked)
        if score_closed and severity_of(self.policy.config, "closed-score-changed") is not None:
            ids = {f.period.id for f in self.base.files} | {f.period.id for f in self.head.files}
            for pid in periods_to_rescore(self.policy.config, {c.path for c in self.changes}, self.at, ids):
                self.closed_score_changed(pid)
        return sorted(self.out, key=lambda f: (path_order(f.path), f.line, f.rule, f.ref))

    # -- per file ---------------------------------------------------------------

    def policy_changed(self, path: str, group: list[Change]) -> None:
        what = []
        for c in group:
            if c.item == "file":
                what.append("comments or formatting only")
            elif c.item == "unit":
                what.append(f"unit {c.ref.removeprefix('units/')} {c.kind if c.field is None else c.field}")
            else:
                what.append(c.field or c.ref)
        shown = ", ".join(dict.fromkeys(what[:6])) + (f" and {len(what) - 6} more" if len(what) > 6 else "")
        self.emit("policy-changed", path, path, min(c.line for c in group),
                  f"{path} changed: {shown}; this change is still judged by the settings and rules of BASE")

    def locked_period_changed(self, path: str, period: Period, why: str, group: list[Change]) -> None:
        kinds = {c.kind for c in group if c.item == "file"}
        what = "added" if "added" in kinds else "removed" if "removed" in kinds else "changed"
        self.emit("locked-period-changed", file_ref(path), path, min(c.line for c in group),
                  f"{path} was {what}, but period {period.id} is closed ({why})")

    # -- per change -------------------------------------------------------------

    def one(self, c: Change, period: Period, locked: bool) -> None:
        if c.item in _NOUN:
            if not locked:
                return
            if c.kind == "added":
                self.item_added(c, period)
            elif c.kind == "removed":
                self.emit("item-removed", c.ref, c.path, c.line,
                          f"{c.ref}: {_NOUN[c.item]} removed after the lock on {self.policy.lock_date(period)}; "
                          f"keep it and cancel it instead (cancelled: {{date, reason, approved_by}})")
            elif c.field in DEFINITION_FIELDS:
                self.definition_changed(c, period)
        elif c.item == "record":
            if c.kind == "added" and c.field == "cancelled":
                rec = c.new or {}
                self.emit("item-cancelled", c.ref, c.path, c.line,
                          f"{c.ref}: cancelled on {show(rec.get('date'))}, approved by {rec.get('approved_by')}")
            elif c.kind in ("changed", "removed"):
                self.rewritten(c, f"`{c.field}` record")
        elif c.item in ("checkin", "measurement", "rebaseline"):
            noun = {"checkin": "check-in", "measurement": "measurement", "rebaseline": "rebaselines entry"}[c.item]
            if c.kind in ("changed", "removed"):
                self.rewritten(c, noun)
            elif c.kind == "added" and c.item != "rebaseline":
                self.dated(c, noun)

    def item_added(self, c: Change, period: Period) -> None:
        got = self.head_items.get(c.ref)
        if got is None or got.added is not None:
            return
        self.emit("item-added", c.ref, c.path, c.line,
                  f"{c.ref}: {_NOUN[c.item]} added after the lock on {self.policy.lock_date(period)} "
                  f"without an `added` record (added: {{date, reason, approved_by}})")

    def definition_changed(self, c: Change, period: Period) -> None:
        bi, hi = self.base_items.get(c.ref), self.head_items.get(c.ref)
        if bi is None or hi is None:
            return
        field = c.field
        assert field is not None
        old, new = definition_value(bi, field, period), definition_value(hi, field, period)
        if same(old, new):
            return  # e.g. the implied direction written down, a milestone retitled

        def matches(v: Any, item: Item) -> bool:
            ev = entry_value(field, v, period.id)
            return same(ev, definition_value(item, field, period)) or same(ev, written_value(item, field))

        entries = [r for r in added_rebaselines(bi, hi) if r.field == field]
        good = [r for r in entries if matches(r.from_, bi) and matches(r.to, hi)]
        if any(r.date <= self.at for r in good):
            return
        head = (f"{c.ref}: {field} changed {show(old)} → {show(new)} after the lock on "
                f"{self.policy.lock_date(period)}{' (this eases it)' if c.eased else ''}")
        if good:
            why = f"its rebaselines entry for {field} is dated {good[0].date}, after {self.at}"
        elif entries:
            r = entries[0]
            why = (f"its new rebaselines entry for {field} says {show(entry_value(field, r.from_, period.id))} → "
                   f"{show(entry_value(field, r.to, period.id))}, which is not this change")
        else:
            why = (f"add a rebaselines entry on it in the same change: {{date, field: {field}, "
                   f"from: {show(written_value(bi, field))}, to: {show(written_value(hi, field))}, reason, approved_by}}")
        self.emit("definition-changed", c.ref, c.path, c.line, f"{head}; {why}")

    def rewritten(self, c: Change, noun: str) -> None:
        if c.kind == "removed":
            msg = f"{c.ref}: an existing {noun} was removed"
        else:
            old, new = c.old or {}, c.new or {}
            keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
            detail = ", ".join(f"{k} {_brief(old.get(k))} → {_brief(new.get(k))}" for k in keys[:4])
            msg = f"{c.ref}: an existing {noun} was changed ({detail})"
        if c.item in ("checkin", "measurement"):
            msg += "; they are append-only: to correct one, add a new one with the same date after it"
        self.emit("checkin-rewritten", c.ref, c.path, c.line, msg)

    def dated(self, c: Change, noun: str) -> None:
        d = (c.new or {}).get("date")
        if not isinstance(d, date):
            return
        at = self.at
        if d > at:
            self.emit("checkin-future", c.ref, c.path, c.line, f"{c.ref}: new {noun} dated {d}, after {at}")
        elif (at - d).days > self.policy.config.backdate_days:
            self.emit("checkin-backdated", c.ref, c.path, c.line,
                      f"{c.ref}: new {noun} dated {d}, {(at - d).days} days before {at} "
                      f"(backdate_days: {self.policy.config.backdate_days})")
        if c.item == "checkin":
            b = self.base_items.get(c.ref.split("@", 1)[0])
            if isinstance(b, KeyResult) and b.checkins:
                latest = max(x.date for x in b.checkins)
                if d < latest:
                    self.emit("checkin-out-of-order", c.ref, c.path, c.line,
                              f"{c.ref}: new check-in dated {d}, before the latest one at BASE ({latest})")

    # -- closed periods ---------------------------------------------------------

    def closed_score_changed(self, pid: str) -> None:
        from okrctl.engine.closed import differences, final_scores

        moved: dict[str, tuple[list[str], list[str]]] = {}
        diffs = differences(final_scores(self.base, pid), final_scores(self.head, pid))
        for d in sorted(diffs, key=lambda d: _unit_and_ref(d.row)):  # by unit, its own row first
            uid, ref = _unit_and_ref(d.row)
            for field, a, b in _values(d):
                if a == b:
                    continue
                texts, refs = moved.setdefault(uid, ([], []))
                if ref:
                    texts.append(f"{item_part(ref)} {_score(a)} → {_score(b)}")
                    refs.append(ref)
                else:
                    texts.append(f"{'unit' if field == 'score' else 'rolled up'} {_score(a)} → {_score(b)}")
        for uid, (texts, refs) in moved.items():
            path, line = self._where(pid, uid, refs)
            shown = "; ".join(texts[:6]) + (f"; and {len(texts) - 6} more" if len(texts) > 6 else "")
            self.emit("closed-score-changed", f"{pid}/{uid}", path, line,
                      f"{pid}/{uid}: period {pid} is closed, but its scores as of its end differ between BASE and HEAD: {shown}")

    def _where(self, pid: str, uid: str, refs: list[str]) -> tuple[str, int]:
        for ws in (self.head, self.base):
            f = ws.file(pid, uid)
            if f is None:
                continue
            for ref in refs:
                item = ws.resolve(ref)
                if item is not None:
                    return f.path, item.loc.line
            return f.path, 1
        return UNITS_FILE, 1


def _unit_and_ref(row: str) -> tuple[str, str]:
    """(unit id, item reference or '' for the unit's own row) of a row of
    :func:`okrctl.engine.closed.final_scores`."""
    if row.startswith("unit "):
        return row[len("unit "):], ""
    return unit_of(row), row


def _values(d: Any) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of a :class:`okrctl.engine.closed.Difference`; a row on
    one side only has no score on the other."""
    if d.field is not None:
        return [(d.field, d.old, d.new)]
    old, new = d.old or {}, d.new or {}
    return [(f, old.get(f), new.get(f)) for f in (old or new)]


def _brief(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_brief(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{…}"
    if isinstance(v, str):
        return v if len(v) <= 40 else v[:39] + "…"
    return show(v)
