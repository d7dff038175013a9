"""The rules on a change (docs/ci.md): what ``okrctl check BASE [HEAD]`` enforces.

:data:`~okrctl.model.problems.RULES` (the check family of the one registry of
codes) holds the rules: code, name, default severity, one line of description.
:func:`check_change` judges the semantic changes between two versions of a
workspace (:mod:`okrctl.engine.diff`) at a date J and returns :class:`~okrctl.model.problems.Problem` records.

Everything that decides the outcome -- the severities (``policy.rules``),
``lock_after_days``, ``locked_periods``, ``backdate_days``,
``checkin_grace_days``, the fiscal year that gives each period its dates, and the
units' owners and approvers -- is read from the *policy revision* (``--policy``,
default BASE), so a change can never relax its own check.  Each side is scored
with its own scoring settings.
Commit dates play no part: J is a parameter.

Pure: no git, no terminal.  The caller loads both versions; see
:func:`check_change` for which files each must hold.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from okrctl import krtypes
from okrctl.engine.definitions import (
    NOUN,
    Item,
    added_rebaselines,
    brief,
    definition_value,
    entry_value,
    feeders_in,
    improves,
    same,
    same_mapping,
    show,
    written_value,
)
from okrctl.engine.diff import DEFINITION_FIELDS, Change
from okrctl.engine.rule_records import RecordRules
from okrctl.engine.rule_results import ResultRules
from okrctl.model.layout import file_ref, is_settings_file, path_order, period_of_path
from okrctl.model.periods import Period, parse_period
from okrctl.model.problems import CODES, RULES, Problem, Severity
from okrctl.model.records import Config, KeyResult, Unit, Workspace
from okrctl.model.refs import unit_of

CODES_BY_NAME = {c.name: c for c in CODES.values() if c.family == "check"}


def severity_of(config: Config, rule: str) -> Severity | None:
    """The severity of ``rule`` under ``config`` (the policy's); None when it is off."""
    if rule not in RULES:  # base-unreadable: not configurable
        return CODES_BY_NAME[rule].severity
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
            return _("listed in policy.locked_periods")
        grace = self.config.checkin_grace_days
        last = period.end + timedelta(days=grace)
        if self.at > last:
            return _("it ended on {end} and its {grace}-day grace for check-ins ended on {last}").format(end=period.end, grace=grace, last=last)
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


def _feeder_changes(policy: Policy, base: Workspace, head: Workspace, paths: set[str]):
    """``(period id, period, feeders at BASE, feeders at HEAD, targets whose feeders
    differ)`` per period after its lock with a changed file in ``paths``; the
    feeders are those of the changed files only."""
    periods: dict[str, Period] = {}
    for path in paths:
        pid = period_of_path(path)
        p = policy.period(pid) if pid else None
        if p is not None and policy.after_lock(p):
            periods[pid] = p  # type: ignore[index]
    for pid, period in periods.items():
        changed = {p for p in paths if period_of_path(p) == pid}
        part_b = feeders_in([f for f in base.files if f.path in changed], pid, policy.at)
        part_h = feeders_in([f for f in head.files if f.path in changed], pid, policy.at)
        targets = [t for t in sorted(set(part_b) | set(part_h))
                   if not same_mapping(part_b.get(t, {}), part_h.get(t, {}))]
        yield pid, period, part_b, part_h, targets


def feeder_periods(config: Config, base: Workspace, head: Workspace, changed_paths: Iterable[str], at: date) -> list[str]:
    """The periods of which :func:`check_change` needs every HEAD file for the
    feeders of aligned KRs: after their lock (per ``config``, the policy's), with
    an objective of a changed file whose alignment or weight moved.  ``base`` and
    ``head`` need hold only the changed files (and may hold more)."""
    paths = set(changed_paths)
    return sorted(pid for pid, _p, _b, _h, targets in _feeder_changes(Policy(config, at), base, head, paths) if targets)


# ------------------------------------------------------------------ the check


def check_change(base: Workspace, head: Workspace, changes: Sequence[Change], at: date, *,
                 score_closed: bool = True, policy: tuple[Config, Sequence[Unit]] | None = None,
                 base_unreadable: Sequence[Problem] = (), ci_changed: Sequence[str] = ()) -> list[Problem]:
    """Judge ``changes`` (from BASE to HEAD) at ``at`` (J) with the rules of
    ``policy`` (the policy revision's config and units; default BASE's).

    ``base`` must hold every period file named by a change, and every file of the
    periods :func:`periods_to_rescore` names (it may hold more); ``head`` every
    file (feeders of aligned KRs are read from it).  ``score_closed=False`` skips
    closed-result-changed (for a HEAD that does not validate, whose scores mean
    nothing).  ``base_unreadable`` are the diagnostics of BASE files that did not
    load; ``ci_changed`` the repository paths configuring CI or review that
    changed.  Findings come sorted by path and line."""
    config, units = policy if policy is not None else (base.config, base.units)
    checker = _Checker(base, head, changes, at, config, units)
    for d in base_unreadable:
        checker.emit("base-unreadable", d.path, d.path, d.line,
                     _("{path} does not load at BASE ({code} {message}), so the change to it cannot be judged; repair it in a change of its own first").format(path=d.path, code=d.code, message=d.message))
    for p in ci_changed:
        checker.emit("ci-config-changed", p, p, 1,
                     _("{p} configures CI or review and changed: have the workspace's root approvers review it").format(p=p))
    return checker.run(score_closed)




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


class _Checker(RecordRules, ResultRules):
    def __init__(self, base: Workspace, head: Workspace, changes: Sequence[Change], at: date,
                 config: Config, units: Sequence[Unit]) -> None:
        self.base = base
        self.head = head
        self.changes = list(changes)
        self.at = at
        self.policy = Policy(config, at)
        self.units = units
        paths = {c.path for c in self.changes}
        self.paths = paths
        self.base_items = _index(base, paths)
        self.head_items = _index(head, paths)
        self.out: list[Problem] = []
        self._validity: dict[tuple[str, int], str | None] = {}

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
        self.feeders()
        if score_closed and severity_of(self.policy.config, "closed-result-changed") is not None:
            ids = {f.period.id for f in self.base.files} | {f.period.id for f in self.head.files}
            for pid in periods_to_rescore(self.policy.config, {c.path for c in self.changes}, self.at, ids):
                self.closed_result_changed(pid)
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
        moved = self.open_rollups_moved()
        tail = _("; as of {at} it moves {moved}").format(at=self.at, moved=moved) if moved else ""
        self.emit("policy-changed", path, path, min(c.line for c in group),
                  _("{path} changed: {shown}; this change is still judged by the settings and rules of the policy revision{tail}").format(path=path, shown=shown, tail=tail))

    def locked_period_changed(self, path: str, period: Period, why: str, group: list[Change]) -> None:
        kinds = {c.kind for c in group if c.item == "file"}
        what = "added" if "added" in kinds else "removed" if "removed" in kinds else "changed"
        self.emit("locked-period-changed", file_ref(path), path, min(c.line for c in group),
                  _("{path} was {what}, but period {id} is closed ({why})").format(path=path, what=what, id=period.id, why=why))

    # -- records ----------------------------------------------------------------

    def one(self, c: Change, period: Period, locked: bool) -> None:
        if c.item in NOUN:
            if c.kind == "removed":
                self.removed_with_records(c)
            if not locked:
                return
            if c.kind == "added":
                self.item_added(c, period)
            elif c.kind == "removed":
                self.emit("item-removed", c.ref, c.path, c.line,
                          _("{ref}: {NOUN} removed after the lock on {lock_date}; keep it and cancel it instead (cancelled: {{date, reason, approved_by}})").format(ref=c.ref, NOUN=NOUN[c.item], lock_date=self.policy.lock_date(period)))
            elif c.field in DEFINITION_FIELDS:
                self.definition_changed(c, period)
        elif c.item == "record":
            if c.kind == "added":
                item = self.head_items.get(c.ref)
                rec = getattr(item, c.field or "", None) if item is not None else None
                if rec is None:
                    return
                self.record_added(c, rec, _("`{field}` record").format(field=c.field), period)
                if c.field == "cancelled" and self.valid(rec, unit_of(c.ref), period):
                    self.emit("item-cancelled", c.ref, c.path, c.line,
                              _("{ref}: cancelled on {show}, approved by {approved_by}").format(ref=c.ref, show=show(rec.date), approved_by=rec.approved_by))
            else:
                self.rewritten(c, _("`{field}` record").format(field=c.field))
        elif c.item in ("checkin", "measurement", "rebaseline"):
            noun = {"checkin": _("check-in"), "measurement": _("measurement"), "rebaseline": _("rebaselines entry")}[c.item]
            if c.kind in ("changed", "removed"):
                self.rewritten(c, noun)
            elif c.item == "rebaseline":
                rec = self._rebaseline_of(c)
                if rec is not None:
                    self.record_added(c, rec, noun, period)
            else:
                self.dated(c, noun)
                self.corrected(c, noun)

    def item_added(self, c: Change, period: Period) -> None:
        got = self.head_items.get(c.ref)
        if got is None:
            return
        rec = got.added
        covered_by = c.ref
        if rec is None and isinstance(got, KeyResult):  # one `added` record on a new objective covers its KRs
            parent = self.head_items.get(c.ref.rsplit("/", 1)[0])
            if parent is not None and parent.ref not in self.base_items:
                rec, covered_by = parent.added, parent.ref
        uid = unit_of(c.ref)
        if rec is not None and self.valid(rec, uid, period):
            self.emit("item-added-recorded", c.ref, c.path, c.line,
                      _("{ref}: {NOUN} added after the lock on {lock_date}, recorded on {date} ({brief}), approved by {approved_by}{value}").format(ref=c.ref, NOUN=NOUN[c.item], lock_date=self.policy.lock_date(period), date=rec.date, brief=brief(rec.reason), approved_by=rec.approved_by, value='' if covered_by == c.ref else _(" on {ref}").format(ref=covered_by)))
            return
        why = _("its `added` record is not valid") if rec is not None else \
            _("without an `added` record (added: {date, reason, approved_by})")
        self.emit("item-added", c.ref, c.path, c.line,
                  _("{ref}: {NOUN} added after the lock on {lock_date} {why}").format(ref=c.ref, NOUN=NOUN[c.item], lock_date=self.policy.lock_date(period), why=why))

    def definition_changed(self, c: Change, period: Period) -> None:
        bi, hi = self.base_items.get(c.ref), self.head_items.get(c.ref)
        if bi is None or hi is None:
            return
        field = c.field
        assert field is not None
        old, new = definition_value(bi, field, period), definition_value(hi, field, period)
        if same(old, new):
            return  # e.g. the implied direction written down, a milestone retitled
        eased = c.eased or improves(self.base, self.head, self.base_items, bi, hi, period, self.at)
        self.judge_definition(c.ref, c.path, c.line, field, bi, hi, old, new, eased, period)

    def judge_definition(self, ref: str, path: str, line: int, field: str, bi: Item, hi: Item, old: Any, new: Any,
                         eased: bool, period: Period) -> None:
        def matches(v: Any, item: Item, value: Any) -> bool:
            ev = entry_value(field, v, period.id)
            if field == "feeders":
                return same_mapping(ev, value)
            return same(ev, value) or same(ev, written_value(item, field))

        entries = [r for r in added_rebaselines(bi, hi) if r.field == field]
        good = [r for r in entries if matches(r.from_, bi, old) and matches(r.to, hi, new)]
        uid = unit_of(ref)
        valid = [r for r in good if self.valid(r, uid, period)]
        head = (f"{ref}: {field} changed {show(old)} → {show(new)} after the lock on "
                f"{self.policy.lock_date(period)}{' (this eases it)' if eased else ''}")
        if valid:
            if eased:
                r = valid[0]
                self.emit("target-eased", ref, path, line,
                          _("{head}; accepted through the rebaselines entry of {date} approved by {approved_by} ({brief})").format(head=head, date=r.date, approved_by=r.approved_by, brief=brief(r.reason)))
            return
        if good:
            why = _("its rebaselines entry for {field} is not valid: {invalid_because}").format(field=field, invalid_because=self.invalid_because(good[0], uid, period))
        elif entries:
            r = entries[0]
            why = (_("its new rebaselines entry for {field} says {show} → {show2}, which is not this change").format(field=field, show=show(entry_value(field, r.from_, period.id)), show2=show(entry_value(field, r.to, period.id))))
        else:
            wb = old if field == "feeders" else written_value(bi, field)
            wh = new if field == "feeders" else written_value(hi, field)
            where = " in its own file" if field == "feeders" else " in the same change"
            why = (_("add a rebaselines entry on it{where}: {{date, field: {field}, from: {show}, to: {show2}, reason, approved_by}}").format(where=where, field=field, show=show(wb), show2=show(wh)))
        self.emit("definition-changed", ref, path, line, _("{head}; {why}").format(head=head, why=why))

    # -- eased by its effect (docs/ci.md) ---------------------------------------------

    def feeders(self) -> None:
        """After the lock, a change of an aligned KR's feeders is a definition change
        of that KR, recorded on the KR's own file (docs/ci.md)."""
        for pid, period, part_b, part_h, targets in _feeder_changes(self.policy, self.base, self.head, self.paths):
            full_h = feeders_in(self.head.files_for(pid), pid, self.at)
            changed = {p for p in self.paths if period_of_path(p) == pid}
            for target in targets:
                hk = self.head.resolve(target)
                if not isinstance(hk, KeyResult) or not krtypes.of(hk).fed_by_objectives:
                    continue
                bk = self.base_items.get(target) if self._path_of(target) in changed else hk
                if not isinstance(bk, KeyResult):
                    continue  # the KR is new: item-added judges it
                new = dict(full_h.get(target, {}))
                old = {k: v for k, v in new.items() if k not in part_h.get(target, {})}
                old.update(part_b.get(target, {}))
                path = self._path_of(target)
                self.judge_definition(target, path, hk.loc.line, "feeders", bk, hk, old, new, True, period)

    def _path_of(self, ref: str) -> str:
        parts = ref.split("/")
        return f"okrs/{parts[0]}/{parts[1]}.yaml"

