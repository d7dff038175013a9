"""Typed, immutable records of a workspace.

Every record carries ``loc``: the workspace-relative path and the 1-based line and
column where it is written, so any later pass (scoring, diff, check, history) can
point at it.  Numbers are :class:`decimal.Decimal` or ``int`` exactly as written
(``1.10`` is exactly 11/10); dates are :class:`datetime.date`; text is NFC.
Records are built by :mod:`okrctl.read.loader` from documents that passed the schema,
so they hold no invalid values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Literal

from okrctl.model.layout import CONFIG_FILE, UNITS_FILE, parse_period_path, period_file
from okrctl.model.periods import Period
from okrctl.model.refs import split_qualified

Number = int | Decimal
KRType = Literal["metric", "boolean", "milestone", "maintain", "aligned"]
Direction = Literal["increase", "decrease"]
Kind = Literal["committed", "aspirational"]
Frequency = Literal["weekly", "monthly", "quarterly"]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Loc:
    """Where a record is written: ``Loc(path, line, column)``, or, from the loader,
    a lazy one: the file's blob id ``sha`` and the JSON path ``at`` of the record in
    the document, whose line and column are computed on first access by the
    resolver registered for that blob (:func:`register_positions`; the loader's
    composes the file with the positional reader), so a cold load builds no node
    trees for files nobody asks about.  A plain value either way (msgspec and
    pickle encode the fields); equality and hashing use path, line and column."""

    path: str
    ln: int = 0
    col: int = 0
    #: blob id of the file (lazy positions only)
    sha: str | None = None
    #: JSON path of the record in its document (lazy positions only)
    at: tuple[str | int, ...] = ()

    @property
    def line(self) -> int:
        if not self.ln:
            self._resolve()
        return self.ln

    @property
    def column(self) -> int:
        if not self.ln:
            self._resolve()
        return self.col

    def _resolve(self) -> None:
        resolver = _POSITIONS.get(self.sha) if self.sha is not None else None
        line, col = resolver(self.at) if resolver is not None else (1, 1)
        object.__setattr__(self, "ln", line)
        object.__setattr__(self, "col", col)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Loc:
            return NotImplemented
        if self.sha is not None and self.sha == other.sha and self.at == other.at:  # type: ignore[attr-defined]
            return self.path == other.path  # type: ignore[attr-defined]  # same blob, same place: no need to resolve
        return (self.path, self.line, self.column) == (other.path, other.line, other.column)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.column))

    def __repr__(self) -> str:
        return f"Loc(path={self.path!r}, line={self.line}, column={self.column})"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


#: blob id -> (JSON path -> (line, column)); filled by the loader for every file it reads
_POSITIONS: dict[str, Callable[[tuple], tuple[int, int]]] = {}


def register_positions(sha: str, resolver: Callable[[tuple], tuple[int, int]]) -> None:
    """Lazy :class:`Loc` values of the blob ``sha`` resolve through ``resolver``
    (the same bytes give the same positions, whatever their path or revision)."""
    _POSITIONS[sha] = resolver


@dataclass(frozen=True, slots=True)
class GradeBand:
    min: Number
    label: str


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """The optional ``report:`` block of okrctl.yaml: the Decree 30/2020 header and
    closing of ``okrctl report``.  Absent values stay empty (never invented)."""

    agency: str = ""
    parent_agency: str = ""
    abbreviation: str = ""
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()
    #: the licence of published open data (``okrctl publish``): an SPDX id
    licence: str = "CC-BY-4.0"


@dataclass(frozen=True, slots=True)
class Config:
    name: str
    locale: str = "en"
    timezone: str = "UTC"
    fiscal_year_start: int = 1
    checkin_grace_days: int = 15
    as_of: date | None = None
    max_score: Number = 1
    aspirational_target: Number = Decimal("0.7")
    pace_at_risk: Number = Decimal("0.10")
    pace_off_track: Number = Decimal("0.25")
    grades: dict[str, tuple[GradeBand, ...]] = field(default_factory=dict)
    #: days after a period's start when it locks, per period kind
    lock_after_days: dict[str, int] = field(default_factory=lambda: {"year": 14, "half": 14, "quarter": 14})
    locked_periods: tuple[str, ...] = ()
    backdate_days: int = 15
    #: rule name -> "error" | "warning" | "off" (only what the file sets)
    rules: dict[str, str] = field(default_factory=dict)
    report: ReportHeader = ReportHeader()
    loc: Loc = Loc(CONFIG_FILE, 1, 1)


DEFAULT_GRADES: dict[str, tuple[GradeBand, ...]] = {
    "committed": (GradeBand(1, "green"), GradeBand(Decimal("0.7"), "yellow"), GradeBand(0, "red")),
    "aspirational": (GradeBand(Decimal("0.7"), "green"), GradeBand(Decimal("0.4"), "yellow"), GradeBand(0, "red")),
}


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    parent: str | None = None
    owners: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    weight: Number = 1
    self_weight: Number = 1
    from_: date | None = None
    until: date | None = None
    replaced_by: tuple[str, ...] = ()
    loc: Loc = Loc(UNITS_FILE, 1, 1)
    #: where ``parent:`` and ``replaced_by:`` are written (diagnostics point there)
    parent_loc: Loc | None = None
    replaced_by_loc: Loc | None = None

    def takes_part(self, period: Period) -> bool:
        return period.overlaps(self.from_, self.until)


@dataclass(frozen=True, slots=True)
class Approval:
    """An ``added`` or ``cancelled`` record."""

    date: date
    reason: str
    approved_by: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Rebaseline:
    date: date
    field: str
    from_: object
    to: object
    reason: str
    approved_by: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class PinnedEvidence:
    """An evidence document pinned by its SHA-256 (docs/format.md): a file of the
    workspace (``path``, relative to it) or an external document (``url``)."""

    sha256: str
    path: str | None = None
    url: str | None = None
    title: str | None = None
    #: where the item is written (not part of its value)
    loc: Loc | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        return self.path or self.url or ""

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("path", "url", "sha256", "title") if getattr(self, k) is not None}


#: a check-in's evidence item: a link or document number, or a pinned document
Evidence = str | PinnedEvidence


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A KR check-in.  ``value`` is a number (metric, maintain), a bool (boolean)
    or None; ``done`` is the full set of done milestone ids (milestone KRs)."""

    date: date
    value: Number | bool | None
    done: tuple[str, ...] | None
    confidence: Number | None
    by: str | None
    note: str | None
    evidence: tuple[Evidence, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Measurement:
    date: date
    value: Number
    source: str | None
    note: str | None
    by: str | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    title: str
    weight: Number
    due: date | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class KeyResult:
    ref: str  # PERIOD/UNIT/OBJ/KR
    id: str
    title: str
    type: KRType
    loc: Loc
    unit: str | None = None
    owner: str | None = None
    baseline: Number | None = None
    target: Number | None = None
    direction: Direction | None = None
    aggregate: Literal["last", "sum"] = "last"
    threshold: Number | None = None
    due: date | None = None
    milestones: tuple[Milestone, ...] = ()
    frequency: Frequency | None = None
    due_days: int = 7
    weight: Number = 1
    checkins: tuple[CheckIn, ...] = ()
    rebaselines: tuple[Rebaseline, ...] = ()
    added: Approval | None = None
    cancelled: Approval | None = None
    review: str | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    ref: str  # PERIOD/UNIT/OBJ
    id: str
    title: str
    loc: Loc
    owner: str | None = None
    kind: Kind = "committed"
    weight: Number = 1
    aligns_to: str | None = None  # as written
    aligns_to_ref: str | None = None  # fully qualified PERIOD/UNIT/OBJ[/KR]
    key_results: tuple[KeyResult, ...] = ()
    rebaselines: tuple[Rebaseline, ...] = ()
    added: Approval | None = None
    cancelled: Approval | None = None
    review: str | None = None
    #: where ``aligns_to:`` is written (diagnostics point there)
    aligns_to_loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class KPI:
    ref: str  # PERIOD/UNIT/KPI
    id: str
    title: str
    target: Number
    loc: Loc
    unit: str | None = None
    owner: str | None = None
    direction: Direction = "increase"
    alert: Number | None = None
    frequency: Frequency | None = None
    due_days: int = 7
    measurements: tuple[Measurement, ...] = ()
    rebaselines: tuple[Rebaseline, ...] = ()
    added: Approval | None = None
    cancelled: Approval | None = None
    review: str | None = None


@dataclass(frozen=True, slots=True)
class PeriodFile:
    path: str
    unit: str
    period: Period
    objectives: tuple[Objective, ...]
    kpis: tuple[KPI, ...]
    sha: str | None = None

    def holds(self, local) -> bool:
        """Does this file hold the item ``local``: ``[OBJ, KR]``, ``[OBJ]`` or ``[KPI]``
        (a reference's segments after the unit)?"""
        if not local:
            return False
        obj = next((o for o in self.objectives if o.id == local[0]), None)
        if len(local) == 2:
            return obj is not None and any(k.id == local[1] for k in obj.key_results)
        return obj is not None or any(k.id == local[0] for k in self.kpis)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A loaded workspace.  ``files`` is sorted by path.

    ``invalid``: the paths of period files that have errors of their own (they may
    be missing from ``files`` when they could not be read at all).  Nothing is
    scored from them: their unit is "not scored" in that period, and references
    into them are not checked (the file's own error is the one to fix)."""

    config: Config
    units: tuple[Unit, ...]
    files: tuple[PeriodFile, ...]
    label: str = "working tree"
    invalid: frozenset[str] = frozenset()

    def is_invalid(self, period_id: str, unit_id: str) -> bool:
        """Whether the file of ``unit_id`` for ``period_id`` has errors of its own."""
        return period_file(period_id, unit_id) in self.invalid

    def invalid_in(self, period_id: str) -> list[str]:
        """The invalid period files of ``period_id``, sorted."""
        return sorted(p for p in self.invalid if parse_period_path(p) is not None and parse_period_path(p)[0] == period_id)  # type: ignore[index]

    @property
    def unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    def file(self, period_id: str, unit_id: str) -> PeriodFile | None:
        for f in self.files:
            if f.unit == unit_id and f.period.id == period_id:
                return f
        return None

    def period_ids(self) -> list[str]:
        return sorted({f.period.id for f in self.files})

    def files_for(self, period_id: str) -> list[PeriodFile]:
        return [f for f in self.files if f.period.id == period_id]

    def children(self) -> dict[str | None, list[Unit]]:
        out: dict[str | None, list[Unit]] = {}
        for u in self.units:
            out.setdefault(u.parent, []).append(u)
        return out

    def resolve(self, ref: str) -> Objective | KeyResult | KPI | None:
        """Look up a fully qualified reference PERIOD/UNIT/ID[/KR]."""
        r = split_qualified(ref)
        if r is None:
            return None
        f = self.file(str(r.period), r.unit)
        if f is None:
            return None
        for o in f.objectives:
            if o.id == r.item:
                if r.kr is None:
                    return o
                for kr in o.key_results:
                    if kr.id == r.kr:
                        return kr
                return None
        if r.kr is None:
            for k in f.kpis:
                if k.id == r.item:
                    return k
        return None


def _positional_pickle(cls: type) -> None:
    """Pickle a record as (class, field values): about twice as fast to load as the
    default for slotted dataclasses, which matters when a worker process sends a
    whole workspace back (loader's parallel path)."""
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):  # noqa: N807
        return (cls, tuple(getattr(self, n) for n in names))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]


for _cls in (Loc, GradeBand, ReportHeader, Config, Unit, Approval, Rebaseline, CheckIn, Measurement, Milestone,
             KeyResult, Objective, KPI, PeriodFile, Workspace):
    _positional_pickle(_cls)
