"""What scoring returns (docs/scoring.md): one :class:`ScoreResult` per period and date,
made of :class:`UnitScore`, :class:`ObjectiveScore`, :class:`KRScore` and
:class:`KPIScore` records.  Computed by :mod:`okrctl.engine.scoring`; one result
feeds every output format (:mod:`okrctl.engine.payload` for JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from okrctl import krtypes
from okrctl.krtypes.exact import ZERO, to_fraction
from okrctl.model.periods import Period
from okrctl.model.records import KPI, CheckIn, KeyResult, Measurement, Objective, PeriodFile, Unit
from okrctl.model.refs import qualify

#: every status a KR or objective of a valid workspace can have
KR_STATUSES = ("cancelled", "done", "missed", "on_track", "at_risk", "off_track", "no_data")
#: the status of a KR or objective that depends on a period file with errors of its
#: own (an aligned KR whose feeders may be in it, and the objective holding such a
#: KR): no score rather than a wrong one.  Only ``score`` and ``rollup`` show it;
#: ``report`` and ``export`` refuse a workspace with errors.
NOT_SCORED = "not_scored"
#: every status a KPI can have
KPI_STATUSES = ("cancelled", "no_data", "green", "amber", "red")
#: §6.7: the worst status among counted KRs, worst first
OBJECTIVE_STATUS_SEVERITY = ("off_track", "at_risk", "no_data", "on_track")


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
        return krtypes.of(self.kr).direction(self.kr)


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
    no file for the period (then it has no objectives and a null own score).

    ``invalid_file``: the path of the unit's file when it has errors of its own
    (then nothing of it is scored).  ``scored``: false when the own score cannot be
    computed (an invalid file, or an objective ``not_scored``); the score is then
    null.  ``rollup_complete``: false when this unit or a unit below it is not
    scored; the rolled-up score is then null, never a mean of what is left."""

    unit: Unit
    file: PeriodFile | None
    score: Fraction | None
    rolled_score: Fraction | None
    objectives: tuple[ObjectiveScore, ...]
    kpis: tuple[KPIScore, ...]
    depth: int
    #: ids of the children taking part in the period, in units.yaml order
    children: tuple[str, ...] = ()
    invalid_file: str | None = None
    scored: bool = True
    rollup_complete: bool = True

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

    @property
    def ended(self) -> bool:
        """Whether the period is over on the scoring date: only then is an
        objective's grade its final grade (docs/scoring.md); before, the pace status
        is the signal and views leave the grade out."""
        return self.as_of > self.period.end

    @property
    def complete(self) -> bool:
        """Whether every unit is scored (no file of the period has errors)."""
        return all(u.scored for u in self.units)

    def unit(self, id: str) -> UnitScore | None:
        return self._index.get("unit:" + id)

    def find(self, ref: str) -> KRScore | ObjectiveScore | KPIScore | None:
        """Look up ``PERIOD/UNIT/OBJ[/KR]`` or ``PERIOD/UNIT/KPI``; the period may be
        left out (it is then this result's period)."""
        return self._index.get(qualify(ref, self.period.id))

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

