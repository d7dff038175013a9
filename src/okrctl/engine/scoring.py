"""Scoring (FORMAT §6): every number ``okrctl score`` and ``okrctl rollup`` show.

A pure module: no I/O, no git, no terminal.  The only clock read is :func:`today`.
All arithmetic is exact (:class:`fractions.Fraction`); numbers of the records
(``int`` or :class:`decimal.Decimal`, exactly as written) are converted exactly
by :func:`to_fraction`, so a KR at exactly 0.7 grades as 0.7.

One :class:`ScoreResult` feeds every output format (table, JSON, CSV, Markdown);
:func:`score_to_json` renders the ``score`` payload of FORMAT §9.

Readings of FORMAT where it is silent or ambiguous (see also each docstring):

* A cancelled item keeps the score it reached (shown in reports); it only leaves
  the weighted means and gets status ``cancelled``.  In particular an objective's
  score is the mean over the KRs not cancelled *in their own right*, so a cancelled
  objective still shows the score it had reached.  Its KRs have status
  ``cancelled`` and ``KRScore.cancelled`` is true.
* ``aggregate: sum``: ``value`` is baseline + the sum of increments — the *v* of the
  §5 formula, comparable with baseline and target.
* Milestone ``value``: the done ids of the current check-in, each once, in the
  order written.  Ids that are not milestones of the KR (a validation error) weigh
  nothing.
* ``aligns_to`` in JSON is the fully qualified reference ``PERIOD/UNIT/OBJ[/KR]``.
* ``direction`` in JSON: for a metric KR the effective direction (as written, else
  ``increase`` when target > baseline, otherwise ``decrease``); for a maintain KR
  as written; null for the other types.  ``target`` is the ``target`` field as
  written (null for non-metric KRs; a maintain threshold is not a target).
* Feeders of an aligned KR are objectives in files of units taking part in the
  period.  "Has data" (§6.6.5) follows the text literally: a non-cancelled KR
  (any weight) of a non-cancelled feeder (any weight).
* Every JSON number is a float (weights, baselines and targets too), the nearest
  double of the exact value, unrounded.
* Grades: ``config.grades[kind]``, or the FORMAT §3 default bands when the
  settings give none for that kind.
* Alignment tree: shows the objectives of the period and of every enclosing
  period with files; an objective aligning to a KR hangs under that KR's
  objective with ``via`` = the KR ref; order is longer periods first, then
  units.yaml order, then file order.
* Invalid records that validation rejects never crash scoring: a metric KR with
  baseline = target scores 0 with null progress; milestones all of weight 0 score
  0 and pace by ``elapsed``; an alignment cycle contributes a null term.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from okrctl.model.records import (
    DEFAULT_GRADES,
    KPI,
    Approval,
    CheckIn,
    Config,
    GradeBand,
    KeyResult,
    Measurement,
    Number,
    Objective,
    PeriodFile,
    Unit,
    Workspace,
)
from okrctl.model.periods import Period, is_period_id, periods_containing

__all__ = [
    "KPI_STATUSES",
    "KR_STATUSES",
    "OBJECTIVE_STATUS_SEVERITY",
    "AlignNode",
    "KPIScore",
    "KRScore",
    "ObjectiveScore",
    "ScoreResult",
    "TreeNode",
    "UnitScore",
    "alignment_to_json",
    "alignment_tree",
    "all_periods",
    "current_checkin",
    "current_measurement",
    "default_period",
    "elapsed_fraction",
    "frequency_windows",
    "grade_for",
    "is_cancelled",
    "kpi_to_json",
    "kr_to_json",
    "objective_to_json",
    "qualified_aligns_to",
    "score_to_json",
    "score_workspace",
    "scoring_date",
    "to_fraction",
    "today",
    "tree_to_json",
    "unit_tree",
    "weighted_mean",
]

#: every status a KR or objective can have
KR_STATUSES = ("cancelled", "done", "missed", "on_track", "at_risk", "off_track", "no_data")
#: every status a KPI can have
KPI_STATUSES = ("cancelled", "no_data", "green", "amber", "red")
#: §6.7: the worst status among counted KRs, worst first
OBJECTIVE_STATUS_SEVERITY = ("off_track", "at_risk", "no_data", "on_track")

ZERO = Fraction(0)
ONE = Fraction(1)


# ---------------------------------------------------------------------------
# small exact helpers
# ---------------------------------------------------------------------------


def to_fraction(x: Number | Fraction) -> Fraction:
    """Exact conversion of a record number.  ``bool`` and ``float`` are refused:
    a binary double would silently break exactness (0.7 ≠ 7/10)."""
    if isinstance(x, (bool, float)):
        raise TypeError(f"not an exact number: {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"not a finite number: {x!r}")
        return Fraction(x)
    raise TypeError(f"not a number: {x!r}")


def _frac_or_none(x: Number | None) -> Fraction | None:
    return None if x is None else to_fraction(x)


def _clamp(x: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    return lo if x < lo else min(x, hi)


def is_cancelled(record: Approval | None, as_of: date) -> bool:
    """An item is cancelled at D when its ``cancelled.date`` ≤ D."""
    return record is not None and record.date <= as_of


def weighted_mean(terms: Iterable[tuple[Fraction | None, Number | Fraction, bool]]) -> Fraction | None:
    """Weighted mean of ``(score, weight, cancelled)`` terms (FORMAT §6): terms whose
    weight is 0, whose score is null or that are cancelled are left out; a mean
    with no term left is null."""
    num = ZERO
    den = ZERO
    for score, weight, cancelled in terms:
        w = to_fraction(weight)
        if cancelled or score is None or w == 0:
            continue
        num += w * score
        den += w
    return None if den == 0 else num / den


def elapsed_fraction(period: Period, as_of: date) -> Fraction:
    """elapsed = clamp((D − start + 1) / (end − start + 1), 0, 1)."""
    return _clamp(Fraction((as_of - period.start).days + 1, period.days), ZERO, ONE)


def current_checkin(checkins: Sequence[CheckIn], as_of: date) -> CheckIn | None:
    """The latest check-in dated ≤ D; among equal dates the last in the file."""
    best: CheckIn | None = None
    for c in checkins:
        if c.date <= as_of and (best is None or c.date >= best.date):
            best = c
    return best


def current_measurement(measurements: Sequence[Measurement], as_of: date) -> Measurement | None:
    """The latest measurement dated ≤ D; among equal dates the last in the file."""
    best: Measurement | None = None
    for m in measurements:
        if m.date <= as_of and (best is None or m.date >= best.date):
            best = m
    return best


def _sum_of_increments(checkins: Sequence[CheckIn], as_of: date) -> Fraction:
    """Σ over the dates ≤ D of the last check-in of each date (corrections replace)."""
    last_of_date: dict[date, CheckIn] = {}
    for c in checkins:
        if c.date <= as_of:
            last_of_date[c.date] = c
    return sum((to_fraction(c.value) for c in last_of_date.values()), ZERO)  # type: ignore[arg-type]


def qualified_aligns_to(obj: Objective) -> str | None:
    """The fully qualified ``aligns_to`` of an objective: the loader's
    ``aligns_to_ref`` when set, else ``aligns_to`` with the objective's own
    period prefixed when the written reference leaves the period out."""
    if obj.aligns_to_ref:
        return obj.aligns_to_ref
    if not obj.aligns_to:
        return None
    first = obj.aligns_to.split("/", 1)[0]
    if is_period_id(first):
        return obj.aligns_to
    return f"{obj.ref.split('/', 1)[0]}/{obj.aligns_to}"


def grade_for(config: Config, kind: str, score: Fraction | None) -> str | None:
    """§6.8: the label of the first band of ``grades[kind]`` whose min ≤ score."""
    if score is None:
        return None
    bands: tuple[GradeBand, ...] = config.grades.get(kind) or DEFAULT_GRADES.get(kind, ())
    for band in bands:
        if to_fraction(band.min) <= score:
            return band.label
    return None


def _last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def frequency_windows(frequency: str, period: Period) -> list[tuple[date, date]]:
    """§6.10: calendar weeks (Monday–Sunday), calendar months or calendar quarters
    (whatever ``fiscal_year_start``), cut to the period; inclusive (start, end)."""
    out: list[tuple[date, date]] = []
    s = period.start
    while s <= period.end:
        if frequency == "weekly":
            e = s + timedelta(days=6 - s.weekday())
        elif frequency == "monthly":
            e = _last_day_of_month(s.year, s.month)
        elif frequency == "quarterly":
            e = _last_day_of_month(s.year, (s.month - 1) // 3 * 3 + 3)
        else:
            raise ValueError(f"unknown frequency {frequency!r}")
        e = min(e, period.end)
        out.append((s, e))
        s = e + timedelta(days=1)
    return out


def _overdue(
    frequency: str | None,
    due_days: int,
    dates: Iterable[date],
    period: Period,
    as_of: date,
    cancelled: bool,
) -> bool:
    """§6.10: the latest window whose end is more than ``due_days`` days before D
    has no check-in dated inside it.  Windows never extend past the period, so
    after the period end the latest window is at most the period's last one."""
    if cancelled or frequency is None:
        return False
    latest: tuple[date, date] | None = None
    for s, e in frequency_windows(frequency, period):
        if (as_of - e).days > due_days:
            latest = (s, e)
        else:
            break
    if latest is None:
        return False
    s, e = latest
    return not any(s <= d <= e for d in dates)


# ---------------------------------------------------------------------------
# dates and periods
# ---------------------------------------------------------------------------


def today(config: Config) -> date:
    """The current date in the workspace ``timezone`` (FORMAT §2)."""
    return datetime.now(ZoneInfo(config.timezone)).date()


def scoring_date(config: Config, as_of: date | None = None) -> date:
    """D: ``--as-of``, else ``as_of`` of okrctl.yaml, else today."""
    if as_of is not None:
        return as_of
    if config.as_of is not None:
        return config.as_of
    return today(config)


def all_periods(ws: Workspace) -> list[Period]:
    """The periods that have files, sorted by (start, length)."""
    seen: dict[str, Period] = {}
    for f in ws.files:
        seen.setdefault(f.period.id, f.period)
    return sorted(seen.values(), key=lambda p: (p.start, p.days, p.id))


def default_period(ws: Workspace, d: date) -> Period | None:
    """The shortest period containing ``d`` that has files (FORMAT §6); None if none."""
    with_files = {f.period.id for f in ws.files}
    for p in periods_containing(d, ws.config.fiscal_year_start):  # shortest first
        if p.id in with_files:
            return p
    return None


# ---------------------------------------------------------------------------
# result records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KRScore:
    """One key result at D.

    ``value``: a Fraction (metric — with ``aggregate: sum`` baseline + the sum —
    and maintain), a bool (boolean), a tuple of done milestone ids (milestone),
    None without a current check-in and for aligned KRs.  ``progress`` is the
    unclamped formula (metric with a current check-in only).  ``expected`` is the
    pace target of §6.6.7 (T × due-weight fraction or elapsed) whether or not the
    status rule used it.  ``cancelled`` is true when the KR or its objective is
    cancelled at D; ``rebaselined`` when the KR has ``rebaselines`` entries."""

    kr: KeyResult
    target_T: Fraction
    value: Fraction | bool | tuple[str, ...] | None
    value_date: date | None
    progress: Fraction | None
    score: Fraction | None
    confidence: Fraction | None
    status: str
    overdue: bool
    rebaselined: bool
    cancelled: bool
    objective_ref: str
    #: cancelled in its own right (``cancelled.date`` ≤ D on the KR itself)
    kr_cancelled: bool = False
    checkin: CheckIn | None = None
    expected: Fraction = ZERO
    has_data: bool = False
    #: aligned KRs: refs of the feeding objectives (same period), in file order
    feeders: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return self.kr.ref

    @property
    def T(self) -> Fraction:
        return self.target_T

    @property
    def direction(self) -> str | None:
        """Effective direction: metric as written or from baseline→target;
        maintain as written (default increase); None for other types."""
        kr = self.kr
        if kr.type == "metric":
            if kr.direction:
                return kr.direction
            if kr.baseline is None or kr.target is None:
                return None
            return "increase" if to_fraction(kr.target) > to_fraction(kr.baseline) else "decrease"
        if kr.type == "maintain":
            return kr.direction or "increase"
        return None


@dataclass(frozen=True)
class ObjectiveScore:
    objective: Objective
    T: Fraction
    score: Fraction | None
    status: str
    grade: str | None
    key_results: tuple[KRScore, ...]
    cancelled: bool
    #: the fully qualified aligns_to, or None
    aligns_to: str | None = None
    unit_id: str = ""
    period_id: str = ""

    @property
    def ref(self) -> str:
        return self.objective.ref

    @property
    def target_T(self) -> Fraction:
        return self.T

    @property
    def counted_key_results(self) -> tuple[KRScore, ...]:
        """§6.7: KRs not cancelled (in their own right) and with weight > 0."""
        return tuple(k for k in self.key_results if not k.kr_cancelled and to_fraction(k.kr.weight) > 0)


@dataclass(frozen=True)
class KPIScore:
    kpi: KPI
    value: Fraction | None
    value_date: date | None
    status: str
    overdue: bool
    cancelled: bool = False
    measurement: Measurement | None = None

    @property
    def ref(self) -> str:
        return self.kpi.ref


@dataclass(frozen=True)
class UnitScore:
    """A unit taking part in the period.  ``score`` is its own score (objectives),
    ``rolled_score`` the org roll-up (§6.4).  ``file`` is None when the unit has
    no file for the period (then it has no objectives and a null own score)."""

    unit: Unit
    file: PeriodFile | None
    score: Fraction | None
    rolled_score: Fraction | None
    objectives: tuple[ObjectiveScore, ...]
    kpis: tuple[KPIScore, ...]
    depth: int
    #: ids of the children taking part in the period, in units.yaml order
    children: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.unit.id

    @property
    def parent(self) -> str | None:
        return self.unit.parent


@dataclass(frozen=True)
class ScoreResult:
    workspace_name: str
    period: Period
    as_of: date
    units: tuple[UnitScore, ...]
    elapsed: Fraction = ZERO
    _index: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        idx = self._index
        for u in self.units:
            idx["unit:" + u.unit.id] = u
            for o in u.objectives:
                idx[o.ref] = o
                for k in o.key_results:
                    idx[k.ref] = k
            for kp in u.kpis:
                idx[kp.ref] = kp

    def unit(self, id: str) -> UnitScore | None:
        return self._index.get("unit:" + id)

    def find(self, ref: str) -> KRScore | ObjectiveScore | KPIScore | None:
        """Look up ``PERIOD/UNIT/OBJ[/KR]`` or ``PERIOD/UNIT/KPI``; the period may be
        left out (it is then this result's period)."""
        if not is_period_id(ref.split("/", 1)[0]):
            ref = f"{self.period.id}/{ref}"
        return self._index.get(ref)

    def objectives(self) -> Iterator[ObjectiveScore]:
        for u in self.units:
            yield from u.objectives

    def key_results(self) -> Iterator[KRScore]:
        for o in self.objectives():
            yield from o.key_results

    def kpis(self) -> Iterator[KPIScore]:
        for u in self.units:
            yield from u.kpis

    def subtree(self, unit_id: str) -> tuple[UnitScore, ...]:
        """The unit and its descendants taking part, in units.yaml order (for ``--unit``)."""
        root = self.unit(unit_id)
        if root is None:
            return ()
        keep = {unit_id}
        stack = [unit_id]
        while stack:
            u = self.unit(stack.pop())
            assert u is not None
            for c in u.children:
                if c not in keep:
                    keep.add(c)
                    stack.append(c)
        return tuple(u for u in self.units if u.unit.id in keep)


# ---------------------------------------------------------------------------
# the scorer
# ---------------------------------------------------------------------------


class _Scorer:
    def __init__(self, ws: Workspace, period: Period, as_of: date) -> None:
        cfg = ws.config
        self.ws = ws
        self.config = cfg
        self.period = period
        self.D = as_of
        self.after_end = as_of > period.end
        self.max_score = to_fraction(cfg.max_score)
        self.aspirational_T = to_fraction(cfg.aspirational_target)
        self.at_risk = to_fraction(cfg.pace_at_risk)
        self.off_track = to_fraction(cfg.pace_off_track)
        self.elapsed = elapsed_fraction(period, as_of)
        self.units = [u for u in ws.units if u.takes_part(period)]
        taking_part = {u.id for u in self.units}
        self.files = [f for f in ws.files_for(period.id) if f.unit in taking_part]
        self.feeders: dict[str, list[Objective]] = {}
        for f in self.files:
            for o in f.objectives:
                target = qualified_aligns_to(o)
                if target is not None:
                    self.feeders.setdefault(target, []).append(o)
        self._objectives: dict[str, ObjectiveScore] = {}
        self._visiting: set[str] = set()

    # -- helpers ----------------------------------------------------------------

    def T(self, obj: Objective) -> Fraction:
        return self.aspirational_T if obj.kind == "aspirational" else ONE

    def has_data(self, kr: KeyResult, visiting: frozenset[str] = frozenset()) -> bool:
        """§6.6.5: a check-in ≤ D, or for aligned KRs a non-cancelled KR of a
        non-cancelled feeder that has data."""
        if kr.type != "aligned":
            return any(c.date <= self.D for c in kr.checkins)
        if kr.ref in visiting:
            return False
        visiting = visiting | {kr.ref}
        for feeder in self.feeders.get(kr.ref, ()):
            if is_cancelled(feeder.cancelled, self.D):
                continue
            for k in feeder.key_results:
                if not is_cancelled(k.cancelled, self.D) and self.has_data(k, visiting):
                    return True
        return False

    # -- key results --------------------------------------------------------------

    def key_result(self, kr: KeyResult, obj: Objective) -> KRScore:
        D = self.D
        T = self.T(obj)
        cancelled = is_cancelled(kr.cancelled, D) or is_cancelled(obj.cancelled, D)
        cur = current_checkin(kr.checkins, D) if kr.type != "aligned" else None
        value: Fraction | bool | tuple[str, ...] | None = None
        progress: Fraction | None = None
        raw: Fraction | None = ZERO
        feeders: tuple[str, ...] = ()
        met = False  # maintain: threshold met; boolean: true

        if kr.type == "metric":
            if cur is not None:
                b = to_fraction(kr.baseline)  # type: ignore[arg-type]
                t = to_fraction(kr.target)  # type: ignore[arg-type]
                if kr.aggregate == "sum":
                    v = b + _sum_of_increments(kr.checkins, D)
                else:
                    v = to_fraction(cur.value)  # type: ignore[arg-type]
                value = v
                if t != b:
                    progress = (v - b) / (t - b)
                    raw = max(progress, ZERO)
        elif kr.type == "boolean":
            if cur is not None:
                met = cur.value is True
                value = met
                raw = ONE if met else ZERO
        elif kr.type == "milestone":
            if cur is not None:
                done = tuple(dict.fromkeys(cur.done or ()))
                value = done
                weights = {m.id: to_fraction(m.weight) for m in kr.milestones}
                total = sum(weights.values(), ZERO)
                if total > 0:
                    raw = sum((weights.get(i, ZERO) for i in done), ZERO) / total
        elif kr.type == "maintain":
            if cur is not None:
                v = to_fraction(cur.value)  # type: ignore[arg-type]
                value = v
                th = to_fraction(kr.threshold)  # type: ignore[arg-type]
                met = v <= th if kr.direction == "decrease" else v >= th
                raw = ONE if met else ZERO
        elif kr.type == "aligned":
            feeding = self.feeders.get(kr.ref, [])
            feeders = tuple(o.ref for o in feeding)
            raw = weighted_mean(self._feeder_term(o) for o in feeding)
        else:  # pragma: no cover - the schema forbids other types
            raise ValueError(f"unknown KR type {kr.type!r}")

        score = None if raw is None else _clamp(raw, ZERO, self.max_score)
        has_data = self.has_data(kr)

        # expected pace (§6.6.7)
        frac = self.elapsed
        if kr.type == "milestone" and all(m.due is not None for m in kr.milestones):
            total = sum((to_fraction(m.weight) for m in kr.milestones), ZERO)
            if total > 0:
                due = sum((to_fraction(m.weight) for m in kr.milestones if m.due <= D), ZERO)  # type: ignore[operator]
                frac = due / total
        expected = T * frac

        status = self._kr_status(kr, cancelled, score, T, cur, met, has_data, expected)
        return KRScore(
            kr=kr,
            target_T=T,
            value=value,
            value_date=None if cur is None else cur.date,
            progress=progress,
            score=score,
            confidence=None if cur is None else _frac_or_none(cur.confidence),
            status=status,
            overdue=kr.type != "aligned"
            and _overdue(kr.frequency, kr.due_days, (c.date for c in kr.checkins), self.period, D, cancelled),
            rebaselined=bool(kr.rebaselines),
            cancelled=cancelled,
            objective_ref=obj.ref,
            kr_cancelled=is_cancelled(kr.cancelled, D),
            checkin=cur,
            expected=expected,
            has_data=has_data,
            feeders=feeders,
        )

    def _feeder_term(self, o: Objective) -> tuple[Fraction | None, Number, bool]:
        if o.ref in self._visiting:  # an alignment cycle (a validation error)
            return (None, o.weight, False)
        return (self.objective(o).score, o.weight, is_cancelled(o.cancelled, self.D))

    def _kr_status(
        self,
        kr: KeyResult,
        cancelled: bool,
        score: Fraction | None,
        T: Fraction,
        cur: CheckIn | None,
        met: bool,
        has_data: bool,
        expected: Fraction,
    ) -> str:
        D = self.D
        if cancelled:
            return "cancelled"
        if self.after_end:
            return "done" if score is not None and score >= T else "missed"
        if kr.type == "boolean":
            if met:
                return "done"
            due = kr.due if kr.due is not None else self.period.end
            return "off_track" if D > due else "on_track"
        if kr.type == "maintain":
            if cur is None:
                return "no_data"
            return "on_track" if met else "off_track"
        if kr.type in ("metric", "milestone") and cur is None:
            return "no_data"
        if kr.type == "aligned" and (score is None or not has_data):
            return "no_data"
        assert score is not None
        if score >= T:
            return "done"
        shortfall = expected - score
        if shortfall <= self.at_risk:
            return "on_track"
        if shortfall <= self.off_track:
            return "at_risk"
        return "off_track"

    # -- objectives ---------------------------------------------------------------

    def objective(self, obj: Objective) -> ObjectiveScore:
        done = self._objectives.get(obj.ref)
        if done is not None:
            return done
        self._visiting.add(obj.ref)
        try:
            krs = tuple(self.key_result(kr, obj) for kr in obj.key_results)
        finally:
            self._visiting.discard(obj.ref)
        D = self.D
        T = self.T(obj)
        score = weighted_mean((ks.score, ks.kr.weight, ks.kr_cancelled) for ks in krs)
        cancelled = is_cancelled(obj.cancelled, D)
        counted = [ks for ks in krs if not ks.kr_cancelled and to_fraction(ks.kr.weight) > 0]
        if cancelled or not counted:
            status = "cancelled"
        elif self.after_end:
            status = "done" if score is not None and score >= T else "missed"
        elif all(ks.status == "done" for ks in counted):
            status = "done"
        else:
            present = {ks.status for ks in counted}
            status = next((s for s in OBJECTIVE_STATUS_SEVERITY if s in present), "on_track")
        parts = obj.ref.split("/")
        result = ObjectiveScore(
            objective=obj,
            T=T,
            score=score,
            status=status,
            grade=grade_for(self.config, obj.kind, score),
            key_results=krs,
            cancelled=cancelled,
            aligns_to=qualified_aligns_to(obj),
            unit_id=parts[1] if len(parts) > 1 else "",
            period_id=parts[0],
        )
        self._objectives[obj.ref] = result
        return result

    # -- KPIs -----------------------------------------------------------------------

    def kpi(self, k: KPI) -> KPIScore:
        D = self.D
        cancelled = is_cancelled(k.cancelled, D)
        cur = current_measurement(k.measurements, D)
        value = None if cur is None else to_fraction(cur.value)
        if cancelled:
            status = "cancelled"
        elif value is None:
            status = "no_data"
        else:
            dec = k.direction == "decrease"

            def meets(limit: Number) -> bool:
                lim = to_fraction(limit)
                return value <= lim if dec else value >= lim  # type: ignore[operator]

            if meets(k.target):
                status = "green"
            elif k.alert is not None and meets(k.alert):
                status = "amber"
            else:
                status = "red"
        return KPIScore(
            kpi=k,
            value=value,
            value_date=None if cur is None else cur.date,
            status=status,
            overdue=_overdue(k.frequency, k.due_days, (m.date for m in k.measurements), self.period, D, cancelled),
            cancelled=cancelled,
            measurement=cur,
        )

    # -- units ----------------------------------------------------------------------

    def run(self) -> ScoreResult:
        ws = self.ws
        ids = {u.id for u in self.units}
        children: dict[str, list[str]] = {u.id: [] for u in self.units}
        for u in self.units:
            if u.parent in ids:
                children[u.parent].append(u.id)  # type: ignore[index]
        by_id = {u.id: u for u in self.units}
        file_of = {f.unit: f for f in self.files}

        own: dict[str, tuple[PeriodFile | None, tuple[ObjectiveScore, ...], tuple[KPIScore, ...], Fraction | None]] = {}
        for u in self.units:
            f = file_of.get(u.id)
            objs = tuple(self.objective(o) for o in f.objectives) if f else ()
            kpis = tuple(self.kpi(k) for k in f.kpis) if f else ()
            score = weighted_mean((o.score, o.objective.weight, o.cancelled) for o in objs)
            own[u.id] = (f, objs, kpis, score)

        rolled: dict[str, Fraction | None] = {}

        def roll(uid: str, stack: frozenset[str] = frozenset()) -> Fraction | None:
            if uid in rolled:
                return rolled[uid]
            stack = stack | {uid}
            terms: list[tuple[Fraction | None, Number, bool]] = [(own[uid][3], by_id[uid].self_weight, False)]
            for c in children[uid]:
                if c not in stack:
                    terms.append((roll(c, stack), by_id[c].weight, False))
            rolled[uid] = weighted_mean(terms)
            return rolled[uid]

        def depth(uid: str) -> int:
            n = 0
            seen = {uid}
            p = by_id[uid].parent
            while p in ids and p not in seen:
                seen.add(p)  # type: ignore[arg-type]
                n += 1
                p = by_id[p].parent  # type: ignore[index]
            return n

        units = tuple(
            UnitScore(
                unit=u,
                file=own[u.id][0],
                score=own[u.id][3],
                rolled_score=roll(u.id),
                objectives=own[u.id][1],
                kpis=own[u.id][2],
                depth=depth(u.id),
                children=tuple(children[u.id]),
            )
            for u in self.units
        )
        return ScoreResult(
            workspace_name=ws.config.name,
            period=self.period,
            as_of=self.D,
            units=units,
            elapsed=self.elapsed,
        )


def score_workspace(ws: Workspace, period: Period, as_of: date) -> ScoreResult:
    """Score every unit taking part in ``period`` as of ``as_of`` (FORMAT §6)."""
    return _Scorer(ws, period, as_of).run()


# ---------------------------------------------------------------------------
# JSON (FORMAT §9)
# ---------------------------------------------------------------------------


def _num(x: Number | Fraction | None) -> float | None:
    """The nearest double (int / int true division is correctly rounded)."""
    if x is None:
        return None
    return float(to_fraction(x))


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _value_json(v: Fraction | bool | tuple[str, ...] | None) -> Any:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, tuple):
        return list(v)
    return _num(v)


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
        "value": _value_json(k.value),
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
    """The ``score`` payload of FORMAT §9 (without the envelope keys ``okrctl``,
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
                "objectives": [objective_to_json(o) for o in u.objectives],
                "kpis": [kpi_to_json(k) for k in u.kpis],
            }
            for u in result.units
        ],
    }


# ---------------------------------------------------------------------------
# roll-up trees (okrctl rollup)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeNode:
    """A unit in the org roll-up tree: own score, rolled-up score, children."""

    unit_score: UnitScore
    children: tuple[TreeNode, ...]

    @property
    def unit(self) -> Unit:
        return self.unit_score.unit

    @property
    def score(self) -> Fraction | None:
        return self.unit_score.score

    @property
    def rolled_score(self) -> Fraction | None:
        return self.unit_score.rolled_score

    @property
    def depth(self) -> int:
        return self.unit_score.depth

    def walk(self) -> Iterator[TreeNode]:
        """This node and its descendants, depth first (pre-order)."""
        yield self
        for c in self.children:
            yield from c.walk()


def unit_tree(result: ScoreResult) -> list[TreeNode]:
    """The units taking part as a forest: roots (no parent taking part) first,
    children in units.yaml order."""
    def build(u: UnitScore, seen: frozenset[str]) -> TreeNode:
        seen = seen | {u.unit.id}
        kids = tuple(
            build(c, seen) for cid in u.children if cid not in seen and (c := result.unit(cid)) is not None
        )
        return TreeNode(u, kids)

    return [build(u, frozenset()) for u in result.units if u.depth == 0]


@dataclass(frozen=True)
class AlignNode:
    """An objective in the alignment tree.  ``via`` is the KR ref when the
    objective aligns to a KR of its parent node (None when it aligns to the
    objective itself, and for top nodes)."""

    ref: str
    title: str
    unit: str
    period: str
    score: Fraction | None
    status: str
    grade: str | None
    kind: str
    objective: ObjectiveScore
    via: str | None
    children: tuple[AlignNode, ...]

    def walk(self) -> Iterator[AlignNode]:
        yield self
        for c in self.children:
            yield from c.walk()


def alignment_tree(
    ws: Workspace, period: Period, as_of: date, *, result: ScoreResult | None = None
) -> list[AlignNode]:
    """The alignment forest shown by ``okrctl rollup --by alignment``.

    Shown objectives: those of ``period`` and of every enclosing period that has
    files (units taking part in each), each scored as of ``as_of`` within its own
    period.  An objective whose ``aligns_to`` names a shown objective, or a KR of
    one, is its child; the others (no ``aligns_to``, or aligning to something not
    shown) are top nodes.  Order everywhere: longer periods first, then
    units.yaml order, then file order.  ``result`` may pass the already computed
    score of ``period``."""
    periods = [period] + [p for p in all_periods(ws) if p.id != period.id and p.encloses(period)]
    shown: dict[str, ObjectiveScore] = {}
    order: dict[str, tuple[int, date, int, int]] = {}
    unit_pos = {u.id: i for i, u in enumerate(ws.units)}
    for p in periods:
        r = result if (p.id == period.id and result is not None) else score_workspace(ws, p, as_of)
        for u in r.units:
            for i, o in enumerate(u.objectives):
                shown[o.ref] = o
                order[o.ref] = (-p.days, p.start, unit_pos[u.unit.id], i)

    parent_of: dict[str, tuple[str, str | None]] = {}
    for ref, o in shown.items():
        target = o.aligns_to
        if target is None:
            continue
        parts = target.split("/")
        obj_ref = "/".join(parts[:3])
        if obj_ref == ref or obj_ref not in shown:
            continue
        if len(parts) == 4:
            if not any(k.kr.id == parts[3] for k in shown[obj_ref].key_results):
                continue
            parent_of[ref] = (obj_ref, target)
        elif len(parts) == 3:
            parent_of[ref] = (obj_ref, None)

    kids: dict[str, list[str]] = {}
    for ref, (parent, _) in parent_of.items():
        kids.setdefault(parent, []).append(ref)
    for lst in kids.values():
        lst.sort(key=order.__getitem__)

    placed: set[str] = set()

    def build(ref: str) -> AlignNode:
        placed.add(ref)
        o = shown[ref]
        children = tuple(build(c) for c in kids.get(ref, ()) if c not in placed)
        return AlignNode(
            ref=ref,
            title=o.objective.title,
            unit=o.unit_id,
            period=o.period_id,
            score=o.score,
            status=o.status,
            grade=o.grade,
            kind=o.objective.kind,
            objective=o,
            via=parent_of[ref][1] if ref in parent_of else None,
            children=children,
        )

    tops = sorted((ref for ref in shown if ref not in parent_of), key=order.__getitem__)
    forest = [build(ref) for ref in tops]
    # an alignment cycle (a validation error) would hide its objectives: show them as tops
    for ref in sorted(shown, key=order.__getitem__):
        if ref not in placed:
            forest.append(build(ref))
    return forest


def tree_to_json(nodes: Sequence[TreeNode]) -> list[dict[str, Any]]:
    """The org tree as JSON: ``[{unit, name, score, rolled_score, depth, children}]``."""
    return [
        {
            "unit": n.unit.id,
            "name": n.unit.name,
            "score": _num(n.score),
            "rolled_score": _num(n.rolled_score),
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
