"""Scoring (docs/scoring.md): every number ``okrctl score`` and ``okrctl rollup`` show.

A pure module: no I/O, no git, no terminal.  The only clock read is :func:`today`
(from :mod:`okrctl.model.dates`, re-exported here with :func:`scoring_date`).
All arithmetic is exact (:class:`fractions.Fraction`); numbers of the records
(``int`` or :class:`decimal.Decimal`, exactly as written) are converted exactly
by :func:`to_fraction`, so a KR at exactly 0.7 grades as 0.7.

One :class:`ScoreResult` feeds every output format (table, JSON, CSV, Markdown);
:func:`okrctl.engine.payload.score_to_json` renders the ``score`` payload of
docs/json.md; the records are in :mod:`okrctl.engine.results`, the roll-up trees in
:mod:`okrctl.engine.rollup`, the rules of each KR type in :mod:`okrctl.krtypes`.

Readings where the format is silent or ambiguous (see also each docstring):

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
* Grades: ``config.grades[kind]``, or the docs/format.md default bands when the
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
import functools
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction

from okrctl import krtypes
from okrctl.engine.results import (
    NOT_SCORED,
    KPI_STATUSES,
    KR_STATUSES,
    OBJECTIVE_STATUS_SEVERITY,
    KPIScore,
    KRScore,
    ObjectiveScore,
    ScoreResult,
    UnitScore,
)
from okrctl.krtypes.exact import ONE, ZERO, clamp, frac_or_none, to_fraction
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
from okrctl.model import dates
from okrctl.model.dates import scoring_date, today
from okrctl.model.layout import parse_period_path, period_file
from okrctl.model.periods import Period, parse_period
from okrctl.model.refs import period_of, qualify, unit_of

__all__ = [
    "KPI_STATUSES",
    "KR_STATUSES",
    "OBJECTIVE_STATUS_SEVERITY",
    "KPIScore",
    "KRScore",
    "ObjectiveScore",
    "ScoreResult",
    "UnitScore",
    "all_periods",
    "current_checkin",
    "current_measurement",
    "default_period",
    "elapsed_fraction",
    "frequency_windows",
    "grade_for",
    "is_cancelled",
    "qualified_aligns_to",
    "score_workspace",
    "scoring_date",
    "to_fraction",
    "today",
    "weighted_mean",
]


# ---------------------------------------------------------------------------
# small exact helpers
# ---------------------------------------------------------------------------


def is_cancelled(record: Approval | None, as_of: date) -> bool:
    """An item is cancelled at D when its ``cancelled.date`` ≤ D."""
    return record is not None and record.date <= as_of


def weighted_mean(terms: Iterable[tuple[Fraction | None, Number | Fraction, bool]]) -> Fraction | None:
    """Weighted mean of ``(score, weight, cancelled)`` terms (docs/scoring.md): terms whose
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
    return clamp(Fraction((as_of - period.start).days + 1, period.days), ZERO, ONE)


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


def qualified_aligns_to(obj: Objective) -> str | None:
    """The fully qualified ``aligns_to`` of an objective: the loader's
    ``aligns_to_ref`` when set, else ``aligns_to`` with the objective's own
    period prefixed when the written reference leaves the period out."""
    if obj.aligns_to_ref:
        return obj.aligns_to_ref
    if not obj.aligns_to:
        return None
    return qualify(obj.aligns_to, period_of(obj.ref))


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


@functools.lru_cache(maxsize=64)
def _windows(frequency: str, period: Period) -> tuple[tuple[date, date], ...]:
    """:func:`frequency_windows`, computed once per (frequency, period) in a run
    (every key result of a period asks for the same few)."""
    return tuple(frequency_windows(frequency, period))


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
    for s, e in _windows(frequency, period):
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


def all_periods(ws: Workspace) -> list[Period]:
    """The periods that have files, sorted by (start, length)."""
    seen: dict[str, Period] = {}
    for f in ws.files:
        seen.setdefault(f.period.id, f.period)
    for pid in _invalid_period_ids(ws):  # a file with errors is still a file of its period
        seen.setdefault(pid, parse_period(pid, ws.config.fiscal_year_start))
    return sorted(seen.values(), key=lambda p: (p.start, p.days, p.id))


def _invalid_period_ids(ws: Workspace) -> set[str]:
    return {pp[0] for pp in map(parse_period_path, ws.invalid) if pp is not None}


def default_period(ws: Workspace, d: date) -> Period | None:
    """The shortest period containing ``d`` that has files (docs/scoring.md); None if none."""
    ids = {f.period.id for f in ws.files} | _invalid_period_ids(ws)
    return dates.default_period(ids, d, ws.config.fiscal_year_start)


# ---------------------------------------------------------------------------
# result records
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# the scorer
# ---------------------------------------------------------------------------


def _kpi_status(k: KPI, value: Fraction | None, cancelled: bool) -> str:
    """§6.9: green when the value meets the target, amber when it meets the alert."""
    if cancelled:
        return "cancelled"
    if value is None:
        return "no_data"
    dec = k.direction == "decrease"

    def meets(limit: Number) -> bool:
        lim = to_fraction(limit)
        return value <= lim if dec else value >= lim  # type: ignore[operator]

    if meets(k.target):
        return "green"
    if k.alert is not None and meets(k.alert):
        return "amber"
    return "red"


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
        self.files = [f for f in ws.files_for(period.id) if f.unit in taking_part and f.path not in ws.invalid]
        #: a file of this period has errors: the feeders of aligned KRs are not known
        self.feeders_unknown = bool(ws.invalid_in(period.id))
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
        if not krtypes.of(kr).fed_by_objectives:
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
        """The type reads value and raw score (:meth:`okrctl.krtypes.base.KRType.read`);
        for a type fed by objectives the engine scores the feeders first."""
        D = self.D
        T = self.T(obj)
        kind = krtypes.of(kr)
        cancelled = is_cancelled(kr.cancelled, D) or is_cancelled(obj.cancelled, D)
        feeders: tuple[str, ...] = ()
        if kind.fed_by_objectives:
            cur = None
            feeding = self.feeders.get(kr.ref, [])
            feeders = tuple(o.ref for o in feeding)
            reading = kind.read(kr, cur, D, weighted_mean(self._feeder_term(o) for o in feeding))
        else:
            cur = current_checkin(kr.checkins, D)
            reading = kind.read(kr, cur, D)

        raw = reading.raw
        score = None if raw is None else clamp(raw, ZERO, self.max_score)
        has_data = self.has_data(kr)
        expected = T * kind.expected_fraction(kr, self.elapsed, D)  # §6.6.7

        status = self._kr_status(kr, cancelled, score, T, cur, reading, has_data, expected)
        if kind.fed_by_objectives and self.feeders_unknown and not cancelled:
            score, status = None, NOT_SCORED
        return KRScore(
            kr=kr,
            target_T=T,
            value=reading.value,
            value_date=None if cur is None else cur.date,
            progress=reading.progress,
            score=score,
            confidence=None if cur is None else frac_or_none(cur.confidence),
            status=status,
            overdue=not kind.fed_by_objectives
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
        reading: krtypes.Reading,
        has_data: bool,
        expected: Fraction,
    ) -> str:
        """Cancelled, after the end, the type's own rule (:meth:`KRType.status`),
        else by pace (§6.6.7)."""
        if cancelled:
            return "cancelled"
        if self.after_end:
            return "done" if score is not None and score >= T else "missed"
        by_type = krtypes.of(kr).status(kr, reading, score, cur, has_data, self.D, self.period)
        if by_type is not None:
            return by_type
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
        elif any(ks.status == NOT_SCORED for ks in counted):
            status, score = NOT_SCORED, None
        elif self.after_end:
            status = "done" if score is not None and score >= T else "missed"
        elif all(ks.status == "done" for ks in counted):
            status = "done"
        else:
            present = {ks.status for ks in counted}
            status = next((s for s in OBJECTIVE_STATUS_SEVERITY if s in present), "on_track")
        result = ObjectiveScore(
            objective=obj,
            T=T,
            score=score,
            status=status,
            grade=grade_for(self.config, obj.kind, score),
            key_results=krs,
            cancelled=cancelled,
            aligns_to=qualified_aligns_to(obj),
            unit_id=unit_of(obj.ref),
            period_id=period_of(obj.ref),
        )
        self._objectives[obj.ref] = result
        return result

    # -- KPIs -----------------------------------------------------------------------

    def kpi(self, k: KPI) -> KPIScore:
        D = self.D
        cancelled = is_cancelled(k.cancelled, D)
        cur = current_measurement(k.measurements, D)
        value = None if cur is None else to_fraction(cur.value)
        return KPIScore(
            kpi=k,
            value=value,
            value_date=None if cur is None else cur.date,
            status=_kpi_status(k, value, cancelled),
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
        invalid = {u.id: path for u in self.units if (path := period_file(self.period.id, u.id)) in ws.invalid}
        scored: dict[str, bool] = {}
        for u in self.units:
            f = file_of.get(u.id)
            objs = tuple(self.objective(o) for o in f.objectives) if f else ()
            kpis = tuple(self.kpi(k) for k in f.kpis) if f else ()
            scored[u.id] = u.id not in invalid and not any(o.status == NOT_SCORED for o in objs)
            score = weighted_mean((o.score, o.objective.weight, o.cancelled) for o in objs) if scored[u.id] else None
            own[u.id] = (f, objs, kpis, score)

        rolled, complete = _roll_up(self.units, children, {uid: v[3] for uid, v in own.items()}, scored)

        units = tuple(
            UnitScore(
                unit=u,
                file=own[u.id][0],
                score=own[u.id][3],
                rolled_score=rolled[u.id],
                objectives=own[u.id][1],
                kpis=own[u.id][2],
                depth=_depth(by_id, u.id),
                children=tuple(children[u.id]),
                invalid_file=invalid.get(u.id),
                scored=scored[u.id],
                rollup_complete=complete[u.id],
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


def _roll_up(units: Sequence[Unit], children: dict[str, list[str]], own: dict[str, Fraction | None],
             scored: dict[str, bool]) -> tuple[dict[str, Fraction | None], dict[str, bool]]:
    """The org roll-up of every unit (§6.4) and whether it is complete: null (and
    incomplete) when any unit of the subtree is not scored, since a mean of what is
    left would be silently wrong."""
    by_id = {u.id: u for u in units}
    rolled: dict[str, Fraction | None] = {}
    complete: dict[str, bool] = {}

    def roll(uid: str, stack: frozenset[str] = frozenset()) -> Fraction | None:
        if uid in rolled:
            return rolled[uid]
        stack = stack | {uid}
        terms: list[tuple[Fraction | None, Number, bool]] = [(own[uid], by_id[uid].self_weight, False)]
        ok = scored[uid]
        for c in children[uid]:
            if c not in stack:
                terms.append((roll(c, stack), by_id[c].weight, False))
                ok = ok and complete[c]
        complete[uid] = ok
        rolled[uid] = weighted_mean(terms) if ok else None
        return rolled[uid]

    for u in units:
        roll(u.id)
    return rolled, complete


def _depth(by_id: dict[str, Unit], uid: str) -> int:
    """Levels above ``uid`` among the units taking part (a cycle stops the count)."""
    n = 0
    seen = {uid}
    p = by_id[uid].parent
    while p in by_id and p not in seen:
        seen.add(p)  # type: ignore[arg-type]
        n += 1
        p = by_id[p].parent  # type: ignore[index]
    return n


def score_workspace(ws: Workspace, period: Period, as_of: date) -> ScoreResult:
    """Score every unit taking part in ``period`` as of ``as_of`` (docs/scoring.md)."""
    return _Scorer(ws, period, as_of).run()
