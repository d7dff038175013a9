"""Every change to one objective, key result or KPI across commits (``okrctl history``).

The audit trail of okrctl is git history.  :func:`history` turns the commits that
touched one period file into a timeline of *semantic* events for one item, oldest
first::

    {commit, date, author, email, ref, kind, field, old, new}

How it reads git (docs/json.md, docs/performance.md):

* ONE ``git log --raw --first-parent -- okrs/PERIOD/UNIT.yaml``
  (:meth:`okrctl.gitio.Repo.log_path`): only the commits of the main line that
  changed the unit's period file, oldest first, each with the file's blob SHA at
  that commit.  No ``--follow`` (items are identified by id, never by file name),
  so git's changed-path Bloom filters apply when a commit-graph exists.
* ONE ``git cat-file --batch`` (:meth:`okrctl.gitio.Repo.read_blobs`) for the
  distinct blob SHAs; each distinct blob is parsed and schema-checked once
  (:class:`okrctl.read.loader.ParseCache`, keyed by SHA) and built into a
  :class:`~okrctl.model.records.PeriodFile` once.
* Consecutive versions are compared with :func:`okrctl.engine.diff.diff_period_files`
  on copies of the two files cut down to the item, so the events use the same
  names and views as ``okrctl diff``/``check``.

What the events say:

* ``field: "created"`` (kind ``added``, ``new`` = the item's definition) when the
  item appears, ``field: "removed"`` (kind ``removed``, ``old`` = its last
  definition) when it disappears from a valid file;
* one event per changed definition field (``title``, ``target``, ...), old → new;
* ``field: "checkin"`` / ``"measurement"`` / ``"rebaseline"`` for records added,
  changed or removed, named ``REF@DATE#N`` (N-th of that date, 1-based), with the
  record (value, confidence, by, note, evidence; reason and approved_by);
* ``field: "added"`` / ``"cancelled"`` for those approval records;
* ``field: "file"``: kind ``deleted`` when the commit deleted the period file while
  the item was in it (the item is gone; a later re-added file creates it again),
  kind ``invalid`` when the file could not be read at that commit (invalid YAML,
  schema errors, too large, object missing).  An invalid version never stops the
  history: it is reported, and the next valid version is compared with the last
  valid one.

For an objective, the events of its key results are included (their ``ref`` says
which).  Dates: ``date`` is the *committer* date converted to the workspace
``timezone``; ``author_date`` is kept too.  Both are claims made by whoever
created the commit, never proof (docs/ci.md): the order of events is the order of
the main line, not of the dates.

This module is a library: no typer, no rich; git only through :mod:`okrctl.gitio`.
"""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrctl.engine.diff import diff_period_files, jsonable, kpi_fields, kr_fields, objective_fields
from okrctl.errors import OkrctlError
from okrctl.model import dates, layout, refs
from okrctl.model.layout import CONFIG_FILE, parse_period_path
from okrctl.model.periods import Period, is_period_id, parse_period
from okrctl.model.records import KPI, Config, KeyResult, Objective, PeriodFile
from okrctl.model.refs import Ref

__all__ = [
    "Event",
    "History",
    "HistoryError",
    "RefSpec",
    "default_period_id",
    "event_to_json",
    "filter_events",
    "history",
    "history_to_json",
    "parse_ref",
    "workspace_settings",
]

EventKind = Literal["added", "changed", "removed", "deleted", "invalid"]

class HistoryError(OkrctlError):
    """The history cannot be told: a bad reference, settings that do not load, an
    item that never existed (exit 2)."""


# ---------------------------------------------------------------------------- references


#: a parsed reference (:class:`okrctl.model.refs.Ref`)
RefSpec = Ref


def parse_ref(ref: str) -> RefSpec:
    """Parse a reference (docs/format.md, :func:`okrctl.model.refs.parse_ref`); raises
    :class:`HistoryError` (exit 2) with a readable message when it is malformed."""
    try:
        return refs.parse_ref(ref)
    except refs.RefError as exc:
        raise HistoryError(exc.message) from None


def default_period_id(period_ids: Iterable[str], as_of: date, fiscal_year_start: int = 1) -> str | None:
    """The default period of docs/scoring.md: the shortest period containing ``as_of``
    that has files (:func:`okrctl.model.dates.default_period`, on a bare list of
    period ids so that history need not load the workspace)."""
    p = dates.default_period(period_ids, as_of, fiscal_year_start)
    return p.id if p else None


def workspace_settings(source, *, periods: bool = True) -> tuple[Config, list[str]]:
    """``okrctl.yaml`` and the ids of the periods that have files, from a
    :class:`okrctl.read.source.Source` (the working tree or a git tree), without loading
    any period file.  With ``periods=False`` (a reference that names its period)
    the files are not listed (8,000 of them in a city's workspace) and the list is
    empty, unless okrctl.yaml cannot be read, which the listing then explains.
    Raises :class:`HistoryError` when okrctl.yaml is missing or invalid."""
    from okrctl.read.build import build_config
    from okrctl.read.loader import ParseCache
    from okrctl.read.source import SourceError, blob_sha

    data = sha = None
    if not periods:
        try:
            data = source.read(CONFIG_FILE)
        except SourceError:
            data = None  # listed below: "missing" or the reason it cannot be read
    if data is None:
        files, _errors = source.list_files()
        by_path = {f.path: f for f in files}
        if CONFIG_FILE not in by_path:
            raise HistoryError(_("{CONFIG_FILE} is missing ({label})").format(CONFIG_FILE=CONFIG_FILE, label=source.label))
        try:
            data = source.read(CONFIG_FILE)
        except SourceError as exc:
            raise HistoryError(exc.message) from None
        sha = by_path[CONFIG_FILE].sha
        ids = sorted({pu[0] for f in files if (pu := parse_period_path(f.path)) is not None and is_period_id(pu[0])})
    else:
        ids = []
    doc, diags = ParseCache().get("workspace", sha or blob_sha(data), CONFIG_FILE, data)
    errors = [d for d in diags if d.severity == "error"]
    if doc is None or errors:
        first = errors[0] if errors else None
        where = f": {first.line}:{first.column} {first.code} {first.message}" if first else ""
        raise HistoryError(_("{CONFIG_FILE} is invalid{where} (run okrctl validate)").format(CONFIG_FILE=CONFIG_FILE, where=where))
    return build_config(doc), ids if periods else []


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Event:
    """One change to the item (or one of its records) made by one commit."""

    commit: str
    #: committer date, in the workspace time zone
    date: datetime
    #: author date, in the workspace time zone
    author_date: datetime
    author: str
    email: str
    subject: str
    #: the item's reference, or ``REF@DATE#N`` for a check-in, measurement or rebaseline
    ref: str
    kind: EventKind
    #: created | removed | file | checkin | measurement | rebaseline | added | cancelled | a definition field
    field: str | None
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class History:
    ref: str
    #: objective | key_result | kpi (its kind at the last version where it existed)
    item: str
    #: the period file, relative to the workspace and to the repository root
    path: str
    repo_path: str
    #: the commit the history ends at (full SHA)
    rev: str
    #: how many commits of the main line up to ``rev`` changed the period file
    commits: int
    timezone: str
    events: tuple[Event, ...]
    #: one line when REF, typed without its period, could mean more than one item
    note: str | None = None


def event_to_json(e: Event) -> dict[str, Any]:
    return {
        "commit": e.commit,
        "date": e.date.isoformat(),
        "author": e.author,
        "email": e.email,
        "ref": e.ref,
        "kind": e.kind,
        "field": e.field,
        "old": jsonable(e.old),
        "new": jsonable(e.new),
        "author_date": e.author_date.isoformat(),
        "subject": e.subject,
    }


def history_to_json(h: History, events: Sequence[Event] | None = None) -> dict[str, Any]:
    """The payload of ``okrctl history --format json`` (without the envelope)."""
    return {
        "ref": h.ref,
        "item": h.item,
        "path": h.path,
        "rev": h.rev,
        "timezone": h.timezone,
        "commits": h.commits,
        "events": [event_to_json(e) for e in (h.events if events is None else events)],
    }


#: every ``field`` an event can carry (``history --field``): the definition fields of
#: objectives, key results and KPIs (engine.diff's ``*_fields``), the records, the
#: approval records, and the item's and file's own events
HISTORY_FIELDS = (
    "title", "owner", "kind", "weight", "aligns_to", "review", "type", "unit", "baseline", "target", "direction",
    "aggregate", "threshold", "due", "milestones", "frequency", "due_days", "alert",
    "checkin", "measurement", "rebaseline", "added", "cancelled", "created", "removed", "file",
)


def filter_events(events: Iterable[Event], *, fields: Sequence[str] | None = None,
                  since: date | None = None, until: date | None = None) -> list[Event]:
    """Events whose ``field`` is one of ``fields`` and whose (local) commit date
    lies in [since, until]."""
    wanted = set(fields) if fields else None
    out = []
    for e in events:
        if wanted is not None and (e.field or "") not in wanted:
            continue
        d = e.date.date()
        if since is not None and d < since:
            continue
        if until is not None and d > until:
            continue
        out.append(e)
    return out


# ---------------------------------------------------------------------------- the item at one version


Item = Objective | KeyResult | KPI


def _items(pf: PeriodFile, spec: RefSpec) -> dict[str, Item]:
    """{ref: item} for the item named by ``spec`` in ``pf`` and, for an objective,
    its key results."""
    out: dict[str, Item] = {}
    for o in pf.objectives:
        if o.id == spec.item:
            if spec.kr is None:
                out[o.ref] = o
                for k in o.key_results:
                    out[k.ref] = k
            else:
                for k in o.key_results:
                    if k.id == spec.kr:
                        out[k.ref] = k
            return out
    if spec.kr is None:
        for k in pf.kpis:
            if k.id == spec.item:
                out[k.ref] = k
    return out


def _reduced(pf: PeriodFile, spec: RefSpec) -> PeriodFile:
    """``pf`` cut down to the item, so that diffing two versions costs nothing for
    the rest of the file."""
    objectives: tuple[Objective, ...] = ()
    kpis: tuple[KPI, ...] = ()
    for o in pf.objectives:
        if o.id == spec.item:
            if spec.kr is not None:
                o = replace(o, key_results=tuple(k for k in o.key_results if k.id == spec.kr))
            objectives = (o,)
            break
    else:
        if spec.kr is None:
            kpis = tuple(k for k in pf.kpis if k.id == spec.item)
    return replace(pf, objectives=objectives, kpis=kpis)


def _kind(item: Item) -> str:
    return "objective" if isinstance(item, Objective) else "key_result" if isinstance(item, KeyResult) else "kpi"


def definition_view(item: Item) -> dict[str, Any]:
    """The item's definition as a plain dict (the ``new`` of a ``created`` event)."""
    if isinstance(item, Objective):
        d = {"id": item.id, **objective_fields(item), "key_results": [k.id for k in item.key_results]}
    elif isinstance(item, KeyResult):
        d = {"id": item.id, **kr_fields(item)}
    else:
        d = {"id": item.id, **kpi_fields(item)}
    return {k: v for k, v in d.items() if v not in (None, [], ())}


def _all_ids(pf: PeriodFile) -> list[str]:
    out = []
    for o in pf.objectives:
        out.append(o.id)
        out += [f"{o.id}/{k.id}" for k in o.key_results]
    out += [k.id for k in pf.kpis]
    return out


# ---------------------------------------------------------------------------- the history


def history(repo, prefix: str, ref: str, rev: str = "HEAD", *, fiscal_year_start: int = 1,
            timezone: str = "UTC", period: str | None = None, cache=None) -> History:
    """The history of ``ref`` up to ``rev`` (first-parent line), oldest first.

    ``repo`` is an :class:`okrctl.gitio.Repo`; ``prefix`` the workspace directory
    relative to the repository root ('' at the root).  ``ref`` is
    ``PERIOD/UNIT/OBJ[/KR]`` or ``PERIOD/UNIT/KPI``; when it leaves the period out,
    ``period`` supplies it (the CLI passes the default period of docs/scoring.md).
    Raises :class:`HistoryError` for a malformed or unknown reference, an unknown
    time zone, and :class:`okrctl.gitio.GitError` for git failures, including a
    shallow clone (``fetch-depth: 0``)."""
    from okrctl.read.loader import ParseCache

    spec = parse_ref(ref)
    if spec.period is None and period is None:
        raise HistoryError(_("{ref}: no period given and no default period; write PERIOD/{ref}").format(ref=ref))
    pid = spec.period or period
    assert pid is not None
    qref = spec.qualified(pid)
    try:
        per: Period = parse_period(pid, fiscal_year_start)
    except ValueError as exc:
        raise HistoryError(_("{ref}: {exc}").format(ref=ref, exc=exc)) from None
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HistoryError(_("unknown time zone {timezone!r} in okrctl.yaml").format(timezone=timezone)) from None
    rel = spec.path(pid)
    repo_path = f"{prefix}/{rel}" if prefix else rel

    repo.require_full_history("okrctl history")
    head = repo.head() if rev == "HEAD" else repo.resolve(rev)  # HEAD: one git process, not two
    if head is None:
        raise HistoryError(_("{qref}: the repository has no commits yet, so there is no history").format(qref=qref))
    log = repo.log_path([repo_path], head)
    blobs = repo.read_blobs([s for _, changes in log if (s := changes.get(repo_path))])
    version = _Versions(blobs, cache or ParseCache(), rel, spec.unit, per)

    def reduced_diff(base: PeriodFile | None, cur: PeriodFile) -> list:
        return diff_period_files(_reduced(base, spec) if base is not None else None, _reduced(cur, spec))

    events, seen_item, ids_seen = _timeline(log, repo_path, spec, qref, tz, version, reduced_diff)
    if seen_item is None:
        raise HistoryError(_unknown(qref, spec, repo_path, head, rev, len(log), list(ids_seen)))
    return History(qref, seen_item, rel, repo_path, head, len(log), timezone, tuple(events))


class _Versions:
    """The versions of one period file by blob SHA, each parsed, checked and built
    once however many items ask (``known``: files already built, e.g. the loaded
    workspace's, reused when their blob is in the history); a version that cannot
    be used is a one-line reason instead."""

    def __init__(self, blobs, cache, rel: str, unit: str, per: Period, known: Iterable[PeriodFile] = ()) -> None:
        self.blobs, self.cache, self.rel, self.unit, self.per = blobs, cache, rel, unit, per
        self.built: dict[str, PeriodFile | str] = {pf.sha: pf for pf in known if pf.sha}

    def __call__(self, sha: str) -> PeriodFile | str:
        from okrctl.read.build import build_period_file

        got = self.built.get(sha)
        if got is not None:
            return got
        rel, blobs = self.rel, self.blobs
        if sha in blobs:
            doc, diags = self.cache.get("okr-file", sha, rel, blobs[sha])
            errors = [d for d in diags if d.severity == "error"]
            if doc is None or errors:
                first = errors[0] if errors else None
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                got = (f"{rel}:{first.line}:{first.column}: {first.code} {first.message}{more}"
                       if first else f"{rel} is not valid")
            else:
                got = build_period_file(doc, rel, self.unit, self.per, sha)
        elif sha in blobs.too_large:
            got = f"{rel} is {blobs.too_large[sha]} bytes at this commit; okrctl reads files up to 1 MiB"
        else:
            got = f"git object {sha[:12]} of {rel} is missing (shallow or partial clone?)"
        self.built[sha] = got
        return got


def _timeline(log, repo_path: str, spec: RefSpec, qref: str, tz, version, diff) -> tuple[list[Event], str | None, dict[str, None]]:
    """The events of one item over ``log`` (the commits that changed its file, oldest
    first), the item's kind at its last version (None: never seen) and every id seen.
    ``version(sha)`` gives a built file or why it is unusable; ``diff(base, cur)`` the
    changes from the last valid version holding the item (None: none) to ``cur``."""
    events: list[Event] = []
    last: PeriodFile | None = None  # the last valid version (None: no file / not yet)
    last_items: dict[str, Item] = {}
    seen_item: str | None = None
    ids_seen: dict[str, None] = {}
    for info, changes in log:
        sha = changes.get(repo_path)

        def ev(ref_: str, kind: EventKind, field: str | None, old: Any, new: Any, info=info) -> None:
            events.append(Event(info.sha, info.committer_date.astimezone(tz), info.author_date.astimezone(tz),
                                info.author_name, info.author_email, info.subject, ref_, kind, field, old, new))

        if sha is None:  # the file was deleted
            if last_items:
                ev(qref, "deleted", "file", repo_path, None)
            last, last_items = None, {}
            continue
        cur = version(sha)
        if isinstance(cur, str):
            ev(qref, "invalid", "file", None, cur)
            continue
        ids_seen.update(dict.fromkeys(_all_ids(cur)))
        cur_items = _items(cur, spec)
        if qref in cur_items:
            seen_item = _kind(cur_items[qref])
        # items that appeared (or changed kind: an objective id reused for a KPI)
        for r, it in cur_items.items():
            old_it = last_items.get(r)
            if old_it is None or type(old_it) is not type(it):
                if old_it is not None:
                    ev(r, "removed", "removed", definition_view(old_it), None)
                ev(r, "added", "created", None, definition_view(it))
        if cur_items and (not last_items or last is None or last.sha != cur.sha):
            # with no earlier version of the item, every record of it is new
            for c in diff(last if last is not None and last_items else None, cur):
                if c.field is None:  # items added/removed: reported from the item sets
                    continue
                if c.ref == qref or c.ref.startswith(qref + "/") or c.ref.startswith(qref + "@"):
                    ev(c.ref, c.kind, c.field, c.old, c.new)
        for r, it in last_items.items():
            if r not in cur_items:
                ev(r, "removed", "removed", definition_view(it), None)
        last, last_items = cur, cur_items
    return events, seen_item, ids_seen


def _unknown(qref: str, spec: RefSpec, repo_path: str, head: str, rev: str, ncommits: int, ids: list[str]) -> str:
    upto = f"{rev} ({head[:12]})" if rev != head else head[:12]
    if ncommits == 0:
        return _("{ref}: {path} has no commits up to {upto}; history shows only committed changes "
                 "(check the period and unit, or commit the file first)").format(ref=qref, path=repo_path, upto=upto)
    want = spec.local()
    close = difflib.get_close_matches(want, ids, n=3, cutoff=0.5)
    hint = (_("; did you mean {ids}?").format(ids=", ".join(close)) if close
            else (_("; ids seen: {ids}").format(ids=", ".join(ids[:12])) if ids else ""))
    return ngettext("{ref}: no such objective, key result or KPI in any version of {path} up to {upto} ({n} commit){hint}",
                    "{ref}: no such objective, key result or KPI in any version of {path} up to {upto} ({n} commits){hint}",
                    ncommits).format(ref=qref, path=repo_path, upto=upto, hint=hint)


def history_of(root: Path, ref: str, rev: str | None = None) -> History:
    """The history of ``ref`` in the workspace at ``root``, up to ``rev`` (None: the
    commit checked out, with the settings of the working tree).  A reference without
    a period takes the period that holds the scoring date, as ``okrctl history`` does."""
    from okrctl import gitio
    from okrctl.model.dates import scoring_date
    from okrctl.read.source import WorkingTreeSource

    spec = parse_ref(ref)
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    repo.require_full_history("okrctl history")
    source = WorkingTreeSource(root) if rev is None else gitio.GitTreeSource(repo, repo.resolve(rev), prefix)
    config, periods = workspace_settings(source, periods=refs.split_period(ref)[0] is None)
    # the one rule of every command (model.refs.choose_period): the default period at D
    try:
        choice = refs.choose_period(ref, periods, scoring_date(config), config.fiscal_year_start)
        others = choice.check(lambda p: _holds_now(source, p, spec.unit, choice.rest[1:], config.fiscal_year_start))
    except refs.RefError as exc:
        raise HistoryError(exc.message) from None
    h = history(repo, prefix, ref, rev or "HEAD", fiscal_year_start=config.fiscal_year_start,
                timezone=config.timezone, period=choice.period)
    return replace(h, note=choice.note(others))


def _holds_now(source, period_id: str, unit: str, local, fiscal_year_start: int) -> bool:
    """Does the period file of ``unit`` in ``period_id``, as ``source`` has it now,
    hold the item ``local``?  (False when it is missing or unreadable.)"""
    from okrctl.read.build import build_period_file
    from okrctl.read.loader import ParseCache
    from okrctl.read.source import SourceError, blob_sha

    path = layout.period_file(period_id, unit)
    try:
        data = source.read(path)
    except SourceError:
        return False
    doc, _unused = ParseCache().get("okr-file", blob_sha(data), path, data)
    if doc is None or not isinstance(doc.value, dict):
        return False
    try:
        return build_period_file(doc, path, unit, parse_period(period_id, fiscal_year_start), None).holds(local)
    except (KeyError, TypeError, ValueError):
        return False
