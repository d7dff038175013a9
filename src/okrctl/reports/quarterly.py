"""The value behind ``okrctl report``: one :class:`QuarterlyReport`, pure data,
computed once from scoring and roll-up; every renderer (Markdown, HTML, DOCX, PDF)
reads only this value.

Readings (documented in docs/report.md):

* Scope is the ``--unit`` subtree, or every unit taking part in the period.  The
  organisation score is the roll-up score of the top unit(s) in scope (their
  weighted mean when there are several tops).
* The organisation grade uses the ``committed`` bands and, like every grade, is
  shown only once the period has ended (as-of date ≥ its last day).
* "Checked in on time": the share of counted KRs (not cancelled, not aligned)
  that are not overdue (docs/scoring.md) at the as-of date.
* "Needs a decision", by rule: a KR off track or missed whose weight is at least
  the mean weight of its objective's counted KRs; an overdue KR; a KPI in red;
  a KR whose confidence fell by 0.2 or more between its last two check-ins.
* A unit's status in the heat map is the worst status of its counted KRs at each
  week's end (week ends are the period start + 7k − 1 days, the last one cut at the
  period end); weeks after the as-of date are left empty.
* Changes in the period come from the records themselves (``rebaselines``,
  ``added``, ``cancelled`` dated within the period, up to the as-of date, and
  check-ins with the date of an earlier one), so they are there with or without
  git; with git's history events the commit that wrote each is added, and what
  only git knows (definition changes without a record, items created without an
  ``added`` record, check-ins edited in place).  Late check-ins (committed after
  the as-of date) need git: without it they are unknown (None).
* The close edition (a period that has ended) lists the missed KRs in place of
  "needs a decision".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from okrctl.engine import scoring
from okrctl.engine.results import KPIScore, KRScore, ObjectiveScore, ScoreResult, UnitScore
from okrctl.krtypes.exact import to_fraction
from okrctl.model.records import ReportHeader, Workspace

#: the status counts of the summary, in the order shown
SUMMARY_STATUSES = ("done", "on_track", "at_risk", "off_track", "missed", "no_data", "cancelled")
#: worst first: a unit's status in the heat map
UNIT_SEVERITY = ("off_track", "missed", "at_risk", "no_data", "on_track", "done")
#: the narrative sections of the notes file, in order
NOTE_SECTIONS = ("problems", "priorities", "recommendations")
#: a confidence drop this large puts a KR on the "needs a decision" list
CONFIDENCE_DROP = Fraction(1, 5)


@dataclass(frozen=True)
class Summary:
    score: Fraction | None
    grade: str | None
    counts: dict[str, int]
    on_time: Fraction | None
    kpis_red: int
    n_krs: int
    n_kpis: int


@dataclass(frozen=True)
class Attention:
    """One line of "needs a decision": ``reason`` is a catalogue key."""

    ref: str
    title: str
    unit: str
    reason: str
    status: str
    note: str | None


@dataclass(frozen=True)
class BurnUp:
    """Check-in values over the period (no interpolation), the target as steps."""

    ref: str
    title: str
    start: date
    end: date
    as_of: date
    baseline: Fraction
    points: tuple[tuple[date, Fraction], ...]
    targets: tuple[tuple[date, Fraction], ...]  # (from date, target), first at start


@dataclass(frozen=True)
class ObjectiveBlock:
    unit: str
    unit_name: str
    score: ObjectiveScore
    burnups: tuple[BurnUp, ...]


@dataclass(frozen=True)
class UnitRow:
    unit: UnitScore
    counts: dict[str, int]
    fresh: Fraction | None  # share of counted KRs not overdue
    has_data: bool
    weeks: tuple[str | None, ...]  # status at each week's end; None: no KRs or after as-of


@dataclass(frozen=True)
class Change:
    """``kind``: ``rebaseline``, ``added``, ``cancelled`` (from the records, with
    the commit that wrote them when git is there); from git only: ``changed`` (a
    target/baseline/threshold changed with no rebaseline record) and
    ``correction`` (a check-in edited, or a later one with the same date)."""

    date: date
    kind: str
    ref: str
    title: str
    field: str | None
    old: object
    new: object
    reason: str
    commit: str | None = None


@dataclass(frozen=True)
class LateCheckin:
    """A check-in dated up to the as-of date but committed after it."""

    ref: str
    date: date
    committed: date
    commit: str


@dataclass(frozen=True)
class CheckinRow:
    date: date
    ref: str
    value: object
    confidence: object
    note: str | None
    by: str | None


@dataclass(frozen=True)
class Source:
    """Where the numbers come from: a commit (sha, date) or the working tree."""

    label: str
    sha: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class QuarterlyReport:
    kind = "quarterly"
    name: str
    header: ReportHeader
    result: ScoreResult
    units: tuple[UnitScore, ...]
    ended: bool
    edition: str
    source: Source
    summary: Summary
    attention: tuple[Attention, ...]
    objectives: tuple[ObjectiveBlock, ...]
    kpis: tuple[KPIScore, ...]
    unit_rows: tuple[UnitRow, ...]
    week_ends: tuple[date, ...]
    changes: tuple[Change, ...]
    notes: dict[str, str | None]
    overdue: tuple[str, ...]
    units_without_data: tuple[str, ...]
    checkins: tuple[CheckinRow, ...]
    #: the comparison period's (or revision's) summary
    compare: Summary | None = None
    compare_label: str | None = None
    #: the date the comparison period is scored at (None: a revision, or no comparison)
    compare_as_of: date | None = None
    with_names: bool = False
    late_commits: tuple[LateCheckin, ...] | None = None  # None: unknown (no git)
    max_score: Fraction = Fraction(1)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def period(self):
        return self.result.period

    @property
    def as_of(self) -> date:
        return self.result.as_of

    def all_key_results(self) -> list[tuple[str, KRScore]]:
        return [(u.unit.name, k) for u in self.units for o in u.objectives for k in o.key_results]


def counted(k: KRScore) -> bool:
    return not k.cancelled and k.kr.type != "aligned" and to_fraction(k.kr.weight) > 0


def _krs(units: Sequence[UnitScore]) -> list[KRScore]:
    return [k for u in units for o in u.objectives for k in o.key_results]


def status_counts(krs: Sequence[KRScore]) -> dict[str, int]:
    out = dict.fromkeys(SUMMARY_STATUSES, 0)
    for k in krs:
        out[k.status] = out.get(k.status, 0) + 1
    return out


def _on_time(krs: Sequence[KRScore]) -> Fraction | None:
    c = [k for k in krs if counted(k)]
    return Fraction(sum(1 for k in c if not k.overdue), len(c)) if c else None


def worst(statuses: Sequence[str]) -> str | None:
    for s in UNIT_SEVERITY:
        if s in statuses:
            return s
    return None


def org_score(units: Sequence[UnitScore]) -> Fraction | None:
    ids = {u.unit.id for u in units}
    tops = [u for u in units if u.unit.parent not in ids]
    return scoring.weighted_mean((u.rolled_score, u.unit.weight, False) for u in tops)


def summarise(ws: Workspace, units: Sequence[UnitScore], ended: bool) -> Summary:
    krs = _krs(units)
    kpis = [k for u in units for k in u.kpis]
    s = org_score(units)
    return Summary(s, scoring.grade_for(ws.config, "committed", s) if ended else None, status_counts(krs),
                   _on_time(krs), sum(1 for k in kpis if k.status == "red"), len(krs), len(kpis))


def _drop(k: KRScore, as_of: date) -> bool:
    cs = [c for c in k.kr.checkins if c.date <= as_of and c.confidence is not None]
    if len(cs) < 2:
        return False
    return to_fraction(cs[-2].confidence) - to_fraction(cs[-1].confidence) >= CONFIDENCE_DROP


def attention(units: Sequence[UnitScore], as_of: date) -> tuple[Attention, ...]:
    out: list[Attention] = []
    for u in units:
        for o in u.objectives:
            ws = [to_fraction(k.kr.weight) for k in o.key_results if counted(k)]
            mean = sum(ws, Fraction(0)) / len(ws) if ws else Fraction(0)
            for k in o.key_results:
                if k.cancelled:
                    continue
                note = k.checkin.note if k.checkin else None
                reason = None
                if k.status in ("off_track", "missed") and to_fraction(k.kr.weight) >= mean:
                    reason = "reason_" + k.status
                elif k.overdue:
                    reason = "reason_overdue"
                elif _drop(k, as_of):
                    reason = "reason_confidence"
                if reason:
                    out.append(Attention(k.ref, k.kr.title, u.unit.name, reason, k.status, note))
        for kp in u.kpis:
            if kp.status == "red":
                note = kp.measurement.note if kp.measurement else None
                out.append(Attention(kp.ref, kp.kpi.title, u.unit.name, "reason_kpi_red", kp.status, note))
    return tuple(out)


def missed(units: Sequence[UnitScore]) -> tuple[Attention, ...]:
    """The close edition's list in place of "needs a decision": every counted KR missed."""
    return tuple(Attention(k.ref, k.kr.title, u.unit.name, "reason_missed_close", k.status,
                           k.checkin.note if k.checkin else None)
                 for u in units for o in u.objectives for k in o.key_results if counted(k) and k.status == "missed")


def _burnup(k: KRScore, result: ScoreResult) -> BurnUp | None:
    kr = k.kr
    if kr.type != "metric" or kr.baseline is None or kr.target is None or kr.aggregate != "last":
        return None
    p = result.period
    pts = tuple((c.date, to_fraction(c.value)) for c in kr.checkins
                if p.start <= c.date <= result.as_of and c.value is not None and not isinstance(c.value, bool))
    steps = sorted((r for r in kr.rebaselines if r.field == "target" and r.date <= result.as_of),
                   key=lambda r: r.date)
    first = to_fraction(steps[0].from_) if steps else to_fraction(kr.target)  # type: ignore[arg-type]
    targets = [(p.start, first)] + [(max(r.date, p.start), to_fraction(r.to)) for r in steps]  # type: ignore[arg-type]
    return BurnUp(kr.ref, kr.title, p.start, p.end, result.as_of, to_fraction(kr.baseline), pts, tuple(targets))


def week_ends(result: ScoreResult) -> tuple[date, ...]:
    p = result.period
    out, d = [], p.start + timedelta(days=6)
    while d < p.end:
        out.append(d)
        d += timedelta(days=7)
    out.append(p.end)
    return tuple(out)


def heat(ws: Workspace, result: ScoreResult, units: Sequence[UnitScore],
         track: Callable[[Sequence[date]], Iterable[date]] | None = None) -> dict[str, tuple[str | None, ...]]:
    """unit id → status at each week's end (None after the as-of date or without KRs):
    the workspace scored once per week (linear in units × weeks); ``track`` wraps the
    weeks (a progress bar)."""
    rows: dict[str, list[str | None]] = {u.unit.id: [] for u in units}
    for d in (track or list)(week_ends(result)):
        if d > result.as_of and d - timedelta(days=6) > result.as_of:
            for r in rows.values():
                r.append(None)
            continue
        r_at = scoring.score_workspace(ws, result.period, min(d, result.as_of))
        for uid, r in rows.items():
            us = r_at.unit(uid)
            r.append(worst([k.status for o in us.objectives for k in o.key_results if counted(k)]) if us else None)
    return {k: tuple(v) for k, v in rows.items()}


def changes(units: Sequence[UnitScore], result: ScoreResult, events: Sequence | None = None) -> tuple[Change, ...]:
    """The changes of the period.  ``events`` are the git history events of the items
    (:class:`okrctl.audit.history.Event`: commit, date, ref, kind, field, old, new),
    or None without git: then only what the records say."""
    p, d = result.period, result.as_of
    out: list[Change] = []
    titles: dict[str, str] = {}

    def add(rec, title: str, ref: str) -> None:
        titles[ref] = title
        for r in getattr(rec, "rebaselines", ()):
            if p.start <= r.date <= d:
                out.append(Change(r.date, "rebaseline", ref, title, r.field, r.from_, r.to, r.reason))
        for kind in ("added", "cancelled"):
            a = getattr(rec, kind)
            if a is not None and p.start <= a.date <= d:
                out.append(Change(a.date, kind, ref, title, None, None, None, a.reason))

    for u in units:
        for o in u.objectives:
            add(o.objective, o.objective.title, o.ref)
            for k in o.key_results:
                add(k.kr, k.kr.title, k.ref)
                out.extend(_corrections(k, p.start, d))
        for kp in u.kpis:
            add(kp.kpi, kp.kpi.title, kp.ref)
    if events is not None:
        out = _with_git(out, [e for e in events if e.ref.split("@")[0] in titles], titles, result)
    return tuple(sorted(out, key=lambda c: (c.date, c.ref, c.kind)))


def _corrections(k: KRScore, start: date, end: date) -> list[Change]:
    """Check-ins with the date of an earlier one (docs/scoring.md: a correction; the last
    one wins), dated in [start, end], with the value they replace.  ``field`` names
    the position: ``value #N``."""
    out, seen = [], {}
    for c in k.kr.checkins:
        if c.date in seen and start <= c.date <= end:
            out.append(Change(c.date, "correction", k.ref, k.kr.title, f"#{seen[c.date][0] + 1}",
                              seen[c.date][1], c.value, ""))
        n = seen.get(c.date, (0, None))[0] + 1
        seen[c.date] = (n, c.value)
    return out


def _record(e) -> dict:
    return e.new if isinstance(e.new, dict) else e.old if isinstance(e.old, dict) else {}


def _with_git(out: list[Change], events: Sequence, titles: dict[str, str], result: ScoreResult) -> list[Change]:
    """The record changes with the commit that wrote each, and what only git knows:
    definition changes without a rebaseline record and items created (committed in
    the period up to the as-of date), check-ins edited in place (dated in the period)."""
    from dataclasses import replace

    p, d = result.period, result.as_of
    done = []
    by_item: dict[str, list] = {}  # events per item: linear, whatever the number of changes
    for e in events:
        by_item.setdefault(e.ref.split("@")[0], []).append(e)
    for c in out:
        for e in by_item.get(c.ref, ()):
            rec = _record(e)
            if c.kind == "correction":
                if e.field == "checkin" and e.kind == "added" and e.ref == f"{c.ref}@{c.date.isoformat()}{c.field}":
                    c = replace(c, commit=e.commit)
                continue
            if e.kind == "removed" or e.field != c.kind:
                continue
            if c.kind != "rebaseline" or (rec.get("date") == c.date and rec.get("field") == c.field):
                c = replace(c, commit=e.commit)
        done.append(c)
    recorded = {(c.ref, c.kind) for c in out}
    rebaselined = {(e.commit, e.ref.split("@")[0], _record(e).get("field")) for e in events if e.field == "rebaseline"}
    for e in events:
        when = e.date.date()
        in_period = p.start <= when <= d
        if e.field in ("target", "baseline", "threshold") and e.kind == "changed" and in_period \
                and (e.commit, e.ref, e.field) not in rebaselined:
            done.append(Change(when, "changed", e.ref, titles[e.ref], e.field, e.old, e.new, "", e.commit))
        elif e.field == "created" and in_period and (e.ref, "added") not in recorded:
            done.append(Change(when, "added", e.ref, titles[e.ref], None, None, None, "", e.commit))
        elif e.field == "checkin" and e.kind == "changed":
            rec = _record(e)
            day = rec.get("date")
            if isinstance(day, date) and p.start <= day <= d:
                item, pos = e.ref.split("@")[0], "#" + e.ref.rpartition("#")[2]
                old = e.old.get("value") if isinstance(e.old, dict) else None
                done.append(Change(day, "correction", item, titles[item], pos, old, rec.get("value"), "", e.commit))
    return done


def late_checkins(units: Sequence[UnitScore], result: ScoreResult, events: Sequence) -> tuple[LateCheckin, ...]:
    """Check-ins dated in the period up to the as-of date whose commit is dated after it."""
    p, d = result.period, result.as_of
    refs = {k.ref for k in _krs(units)}
    out = []
    for e in events:
        rec, item = _record(e), e.ref.split("@")[0]
        day = rec.get("date")
        if e.field == "checkin" and e.kind == "added" and item in refs and isinstance(day, date) \
                and p.start <= day <= d and e.date.date() > d:
            out.append(LateCheckin(item, day, e.date.date(), e.commit))
    return tuple(sorted(out, key=lambda x: (x.date, x.ref, x.committed)))


def checkin_log(units: Sequence[UnitScore], result: ScoreResult) -> tuple[CheckinRow, ...]:
    p = result.period
    rows = []
    for k in _krs(units):
        for c in k.kr.checkins:
            if p.start <= c.date <= result.as_of:
                value = c.value if c.done is None else ", ".join(c.done)
                rows.append(CheckinRow(c.date, k.ref, value, c.confidence, c.note, c.by))
    return tuple(sorted(rows, key=lambda r: (r.date, r.ref)))


def build(ws: Workspace, result: ScoreResult, units: Sequence[UnitScore], *, edition: str = "progress",
          source: Source = Source("working tree"), notes: dict[str, str | None] | None = None,
          compare: Summary | None = None, compare_label: str | None = None, compare_as_of: date | None = None,
          with_names: bool = False, events: Sequence | None = None,
          track: Callable[[Sequence[date]], Iterable[date]] | None = None) -> QuarterlyReport:
    """The report of ``units`` (all units of ``result``, or a ``--unit`` subtree);
    ``events``: the git history of the period's items, None without git; ``track`` wraps the
    weeks of the heat map (a progress bar)."""
    units = tuple(units)
    ended = result.as_of >= result.period.end
    if edition == "close" and not ended:
        raise ValueError(f"the close edition is for a period that has ended: {result.period.id} ends "
                         f"{result.period.end.isoformat()}, after the as-of date {result.as_of.isoformat()}")
    hm = heat(ws, result, units, track)
    attn = missed(units) if edition == "close" else attention(units, result.as_of)
    attn_refs = {a.ref for a in attn}
    blocks = []
    for u in units:
        for o in u.objectives:
            bus = tuple(b for k in o.key_results if k.ref in attn_refs and (b := _burnup(k, result)) is not None)
            blocks.append(ObjectiveBlock(u.unit.id, u.unit.name, o, bus))
    rows = []
    for u in units:
        krs = [k for o in u.objectives for k in o.key_results]
        rows.append(UnitRow(u, status_counts(krs), _on_time(krs), any(k.has_data for k in krs), hm[u.unit.id]))
    overdue = tuple([k.ref for k in _krs(units) if k.overdue and not k.cancelled]
                    + [k.ref for u in units for k in u.kpis if k.overdue and not k.cancelled])
    return QuarterlyReport(
        name=ws.config.name, header=ws.config.report, result=result, units=units, ended=ended, edition=edition,
        source=source, summary=summarise(ws, units, ended), attention=attn, objectives=tuple(blocks),
        kpis=tuple(k for u in units for k in u.kpis), unit_rows=tuple(rows), week_ends=week_ends(result),
        changes=changes(units, result, events), notes={s: (notes or {}).get(s) for s in NOTE_SECTIONS},
        overdue=overdue, units_without_data=tuple(r.unit.unit.name for r in rows if not r.has_data),
        checkins=checkin_log(units, result), compare=compare, compare_label=compare_label, compare_as_of=compare_as_of,
        with_names=with_names,
        late_commits=None if events is None else late_checkins(units, result, events), max_score=Fraction(ws.config.max_score))


#: headings of the notes file (``reports/<PERIOD>.md``), casefolded, per section
NOTE_HEADINGS = {
    "problems": ("tồn tại, hạn chế và nguyên nhân", "tồn tại, hạn chế", "problems and causes", "problems"),
    "priorities": ("nhiệm vụ trọng tâm kỳ tới", "nhiệm vụ kỳ tới", "nhiệm vụ quý tới", "next period's priorities",
                   "priorities"),
    "recommendations": ("đề xuất, kiến nghị", "kiến nghị", "recommendations"),
}


def parse_notes(text: str) -> dict[str, str | None]:
    """The narrative sections of a notes file: each ``## Heading`` of
    :data:`NOTE_HEADINGS` with the text under it, verbatim (trimmed); other headings
    and text before the first heading are ignored."""
    import unicodedata

    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in unicodedata.normalize("NFC", text).splitlines():
        if line.startswith("## "):
            h = line[3:].strip().rstrip(":").casefold()
            current = next((s for s, names in NOTE_HEADINGS.items() if h in names), None)
            if current is not None:
                out.setdefault(current, [])
            continue
        if current is not None:
            out[current].append(line)
    return {s: ("\n".join(out[s]).strip() or None) if s in out else None for s in NOTE_SECTIONS}
