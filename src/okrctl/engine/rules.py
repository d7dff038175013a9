"""The rules on a change (FORMAT §8): what ``okrctl check BASE [HEAD]`` enforces.

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

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrctl import krtypes
from okrctl.engine.diff import DEFINITION_FIELDS, Change, by_date_position, effective_direction, is_eased
from okrctl.model.layout import CI_CONFIG_PATHS, UNITS_FILE, file_ref, is_settings_file, path_order, period_of_path
from okrctl.model.records import KPI, Approval, Config, KeyResult, Objective, PeriodFile, Rebaseline, Unit, Workspace
from okrctl.model.periods import Period, parse_period
from okrctl.model.problems import CODES, RULES, Problem, Severity

CODES_BY_NAME = {c.name: c for c in CODES.values() if c.family == "check"}
from okrctl.model.refs import item_part, qualify, unit_of

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


#: definition fields with a default in force when left out (FORMAT §5)
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
        return _score(v)
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


def _score(x: Fraction | None) -> str:
    if x is None:
        return "none"
    d = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.0001"))
    s = format(d, "f").rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def same_mapping(a: Any, b: Any) -> bool:
    """Two feeders mappings {reference: weight} with exactly equal weights."""
    if not isinstance(a, dict) or not isinstance(b, dict) or set(a) != set(b):
        return False
    return all(Fraction(a[k]) == Fraction(b[k]) for k in a if not isinstance(a[k], bool) and not isinstance(b[k], bool))


def _feeders_in(files: Iterable[PeriodFile], period_id: str, at: date) -> dict[str, dict[str, Any]]:
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
                     f"{d.path} does not load at BASE ({d.code} {d.message}), so the change to it cannot be judged; "
                     f"repair it in a change of its own first")
    for p in ci_changed:
        checker.emit("ci-config-changed", p, p, 1,
                     f"{p} configures CI or review and changed: have the workspace's root approvers review it")
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


# ------------------------------------------------------------------ approvers (FORMAT §8)


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


class _Checker:
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
        tail = f"; as of {self.at} it moves {moved}" if moved else ""
        self.emit("policy-changed", path, path, min(c.line for c in group),
                  f"{path} changed: {shown}; this change is still judged by the settings and rules of the policy "
                  f"revision{tail}")

    def open_rollups_moved(self) -> str:
        """The rolled-up scores of units of open periods the change moves as of J
        (``old → new``), when both sides hold every file of those periods."""
        from okrctl.engine.scoring import score_workspace

        texts = []
        for pid in sorted({f.period.id for f in self.head.files} | {f.period.id for f in self.base.files}):
            p = self.policy.period(pid)
            if p is None or self.policy.closed(p) or p.start > self.at:
                continue
            try:
                hp = parse_period(pid, self.head.config.fiscal_year_start)
                bp = parse_period(pid, self.base.config.fiscal_year_start)
            except ValueError:
                continue
            b = {u.unit.id: u.rolled_score for u in score_workspace(self.base, bp, self.at).units}
            h = {u.unit.id: u.rolled_score for u in score_workspace(self.head, hp, self.at).units}
            for uid in list(b) + [u for u in h if u not in b]:
                if b.get(uid) != h.get(uid):
                    texts.append(f"{pid}/{uid} {_score(b.get(uid))} → {_score(h.get(uid))}")
        if not texts:
            return ""
        return "rolled-up scores " + "; ".join(texts[:6]) + (f"; and {len(texts) - 6} more" if len(texts) > 6 else "")

    def locked_period_changed(self, path: str, period: Period, why: str, group: list[Change]) -> None:
        kinds = {c.kind for c in group if c.item == "file"}
        what = "added" if "added" in kinds else "removed" if "removed" in kinds else "changed"
        self.emit("locked-period-changed", file_ref(path), path, min(c.line for c in group),
                  f"{path} was {what}, but period {period.id} is closed ({why})")

    # -- records ----------------------------------------------------------------

    def invalid_because(self, rec: Any, unit_id: str, period: Period) -> str | None:
        """Why an added record is not valid (FORMAT §8), or None when it is."""
        reason = getattr(rec, "reason", None)
        if not isinstance(reason, str) or not reason.strip(" .\t-_—–…"):
            return "its reason is blank"
        d = getattr(rec, "date", None)
        if not isinstance(d, date) or d < period.start or d > self.at:
            return f"its date {show(d)} is not in [{period.start}, {self.at}] (the period start to J)"
        approvers = approvers_of(self.units, self.head.units, unit_id)
        if approvers is None:
            return f"unit {unit_id} is unknown at the policy revision and has no known ancestor, so nobody can approve it"
        if approvers and getattr(rec, "approved_by", None) not in approvers:
            return (f"approved_by {getattr(rec, 'approved_by', None)!s} is not an approver of unit {unit_id} "
                    f"({', '.join(sorted(approvers))})")
        return None

    def valid(self, rec: Any, unit_id: str, period: Period) -> bool:
        return self.invalid_because(rec, unit_id, period) is None

    def record_added(self, c: Change, rec: Any, noun: str, period: Period) -> None:
        """approval-invalid / approval-unverifiable and the date rules of an added record."""
        uid = unit_of(c.ref)
        why = self.invalid_because(rec, uid, period)
        if why is not None:
            self.emit("approval-invalid", c.ref, c.path, c.line,
                      f"{c.ref}: the new {noun} is not valid: {why}; the change it covers is judged as if it had no record")
        elif not approvers_of(self.units, self.head.units, uid):
            self.emit("approval-unverifiable", c.ref, c.path, c.line,
                      f"{c.ref}: unit {uid} has no approvers (nor do its ancestors) in units.yaml, so approved_by "
                      f"{getattr(rec, 'approved_by', None)} cannot be judged; name approvers")
        self.dated(c, noun)

    # -- per change -------------------------------------------------------------

    def one(self, c: Change, period: Period, locked: bool) -> None:
        if c.item in _NOUN:
            if c.kind == "removed":
                self.removed_with_records(c)
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
            if c.kind == "added":
                item = self.head_items.get(c.ref)
                rec = getattr(item, c.field or "", None) if item is not None else None
                if rec is None:
                    return
                self.record_added(c, rec, f"`{c.field}` record", period)
                if c.field == "cancelled" and self.valid(rec, unit_of(c.ref), period):
                    self.emit("item-cancelled", c.ref, c.path, c.line,
                              f"{c.ref}: cancelled on {show(rec.date)}, approved by {rec.approved_by}")
            else:
                self.rewritten(c, f"`{c.field}` record")
        elif c.item in ("checkin", "measurement", "rebaseline"):
            noun = {"checkin": "check-in", "measurement": "measurement", "rebaseline": "rebaselines entry"}[c.item]
            if c.kind in ("changed", "removed"):
                self.rewritten(c, noun)
            elif c.item == "rebaseline":
                rec = self._rebaseline_of(c)
                if rec is not None:
                    self.record_added(c, rec, noun, period)
            else:
                self.dated(c, noun)
                self.corrected(c, noun)

    def _rebaseline_of(self, c: Change) -> Rebaseline | None:
        ref, _, rest = c.ref.partition("@")
        item = self.head_items.get(ref)
        if item is None:
            return None
        d, _, n = rest.partition("#")
        return by_date_position(item.rebaselines).get((date.fromisoformat(d), int(n)))

    def removed_with_records(self, c: Change) -> None:
        """checkin-rewritten for the check-ins and records of a removed (or renamed)
        item, before the lock too: a reported value never disappears."""
        item = self.base_items.get(c.ref)
        if item is None:
            return
        counts: dict[str, int] = {}
        subs: list[Any] = [item, *getattr(item, "key_results", ())]
        for x in subs:
            for attr, noun in (("checkins", "check-in"), ("measurements", "measurement"), ("rebaselines", "rebaselines entry")):
                n = len(getattr(x, attr, ()))
                if n:
                    counts[noun] = counts.get(noun, 0) + n
            for attr in ("added", "cancelled"):
                if getattr(x, attr, None) is not None:
                    counts[f"`{attr}` record"] = counts.get(f"`{attr}` record", 0) + 1
        if not counts:
            return
        what = ", ".join(f"{n} {noun}{'s' if n > 1 and not noun.endswith('record') else ''}" for noun, n in counts.items())
        self.emit("checkin-rewritten", c.ref, c.path, c.line,
                  f"{c.ref}: {_NOUN[c.item]} removed or renamed with its {what}: a reported value never "
                  f"disappears; keep the item and cancel it (cancelled: {{date, reason, approved_by}})")

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
                      f"{c.ref}: {_NOUN[c.item]} added after the lock on {self.policy.lock_date(period)}, "
                      f"recorded on {rec.date} ({_brief(rec.reason)}), approved by {rec.approved_by}"
                      f"{'' if covered_by == c.ref else ' on ' + covered_by}")
            return
        why = "its `added` record is not valid" if rec is not None else \
            "without an `added` record (added: {date, reason, approved_by})"
        self.emit("item-added", c.ref, c.path, c.line,
                  f"{c.ref}: {_NOUN[c.item]} added after the lock on {self.policy.lock_date(period)} {why}")

    def definition_changed(self, c: Change, period: Period) -> None:
        bi, hi = self.base_items.get(c.ref), self.head_items.get(c.ref)
        if bi is None or hi is None:
            return
        field = c.field
        assert field is not None
        old, new = definition_value(bi, field, period), definition_value(hi, field, period)
        if same(old, new):
            return  # e.g. the implied direction written down, a milestone retitled
        eased = c.eased or self.improves(bi, hi, period)
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
                          f"{head}; accepted through the rebaselines entry of {r.date} approved by {r.approved_by} "
                          f"({_brief(r.reason)})")
            return
        if good:
            why = f"its rebaselines entry for {field} is not valid: {self.invalid_because(good[0], uid, period)}"
        elif entries:
            r = entries[0]
            why = (f"its new rebaselines entry for {field} says {show(entry_value(field, r.from_, period.id))} → "
                   f"{show(entry_value(field, r.to, period.id))}, which is not this change")
        else:
            wb = old if field == "feeders" else written_value(bi, field)
            wh = new if field == "feeders" else written_value(hi, field)
            where = " in its own file" if field == "feeders" else " in the same change"
            why = (f"add a rebaselines entry on it{where}: {{date, field: {field}, "
                   f"from: {show(wb)}, to: {show(wh)}, reason, approved_by}}")
        self.emit("definition-changed", ref, path, line, f"{head}; {why}")

    # -- eased by its effect (FORMAT §8) ---------------------------------------------

    def improves(self, bi: Item, hi: Item, period: Period) -> bool:
        """As of J with BASE's check-ins, does the item score higher or have a
        better status with HEAD's definitions than with BASE's (both scored with
        HEAD's scoring settings)?"""
        from dataclasses import replace

        from okrctl.engine.scoring import score_workspace

        ws_unit = self.head.unit_by_id.get(unit_of(bi.ref)) or self.base.unit_by_id.get(unit_of(bi.ref))
        if ws_unit is None:
            return False
        unit = replace(ws_unit, parent=None, from_=None, until=None)

        def result(obj: Objective | None, kpi: KPI | None):
            f = PeriodFile(f"okrs/{period.id}/{unit.id}.yaml", unit.id, period,
                           (obj,) if obj is not None else (), (kpi,) if kpi is not None else ())
            ws = Workspace(self.head.config, (unit,), (f,), label="eased")
            res = score_workspace(ws, period, self.at)
            return res.find(bi.ref)

        try:
            if isinstance(bi, KPI) and isinstance(hi, KPI):
                a, b = result(None, bi), result(None, replace(hi, measurements=bi.measurements))
                return _RANK_KPI.get(b.status, 0) > _RANK_KPI.get(a.status, 0)
            if isinstance(bi, KeyResult) and isinstance(hi, KeyResult):
                obj = self.base_items.get(bi.ref.rsplit("/", 1)[0])
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

    def feeders(self) -> None:
        """After the lock, a change of an aligned KR's feeders is a definition change
        of that KR, recorded on the KR's own file (FORMAT §8)."""
        periods = {}
        for path in self.paths:
            pid = period_of_path(path)
            p = self.policy.period(pid) if pid else None
            if p is not None and self.policy.after_lock(p):
                periods[pid] = p
        for pid, period in periods.items():
            changed = {p for p in self.paths if period_of_path(p) == pid}
            part_b = _feeders_in([f for f in self.base.files if f.path in changed], pid, self.at)
            part_h = _feeders_in([f for f in self.head.files if f.path in changed], pid, self.at)
            full_h = _feeders_in(self.head.files_for(pid), pid, self.at)
            for target in sorted(set(part_b) | set(part_h)):
                if same_mapping(part_b.get(target, {}), part_h.get(target, {})):
                    continue
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
        if c.item in ("checkin", "measurement"):
            b = self.base_items.get(c.ref.split("@", 1)[0])
            dates = [x.date for x in (getattr(b, "checkins", ()) or getattr(b, "measurements", ()))]
            if dates and d < max(dates):
                self.emit("checkin-out-of-order", c.ref, c.path, c.line,
                          f"{c.ref}: new {noun} dated {d}, before the latest one at BASE ({max(dates)})")

    def corrected(self, c: Change, noun: str) -> None:
        """checkin-corrected: an added check-in or measurement with the date of one
        BASE already has replaces a reported value."""
        d = (c.new or {}).get("date")
        b = self.base_items.get(c.ref.split("@", 1)[0])
        same_day = [x for x in (getattr(b, "checkins", ()) or getattr(b, "measurements", ())) if x.date == d]
        if not same_day:
            return
        prev = same_day[-1]
        old = prev.done if getattr(prev, "done", None) is not None else prev.value
        new = (c.new or {}).get("done", (c.new or {}).get("value"))
        self.emit("checkin-corrected", c.ref, c.path, c.line,
                  f"{c.ref}: corrects the {noun} of {d} reported at BASE: value {_brief(old)} → {_brief(new)}")

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

    # -- closed periods ---------------------------------------------------------

    def closed_result_changed(self, pid: str) -> None:
        from okrctl.engine.closed import differences, final_results

        moved: dict[str, tuple[list[str], list[str]]] = {}
        diffs = differences(final_results(self.base, pid), final_results(self.head, pid))
        for d in sorted(diffs, key=lambda d: _unit_and_ref(d.row)):  # by unit, its own row first
            uid, ref = _unit_and_ref(d.row)
            for field, a, b in _values(d):
                if a == b:
                    continue
                texts, refs = moved.setdefault(uid, ([], []))
                what = item_part(ref) if ref else ("rolled up" if field == "rolled_score" else "unit")
                name = "" if field in ("score", "rolled_score") else f"{field} "
                fmt = _score if field in ("score", "rolled_score") else (lambda v: "none" if v is None else str(v))
                texts.append(f"{what} {name}{fmt(a)} → {fmt(b)}")
                if ref:
                    refs.append(ref)
        for uid, (texts, refs) in moved.items():
            path, line = self._where(pid, uid, refs)
            shown = "; ".join(texts[:6]) + (f"; and {len(texts) - 6} more" if len(texts) > 6 else "")
            self.emit("closed-result-changed", f"{pid}/{uid}", path, line,
                      f"{pid}/{uid}: period {pid} is closed, but its final results differ between BASE and HEAD: {shown}")

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
