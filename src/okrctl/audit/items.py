"""The history of many items at once: every objective and KPI of a set of period
files (``okrctl report``'s changes and late check-ins, ``okrctl export --table
changes``), with the events :func:`okrctl.audit.history.history` tells for each,
from one ``git log`` and one ``cat-file --batch`` in all."""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrctl.audit.history import (
    Event,
    HistoryError,
    _timeline,
    _unknown,
    _Versions,
    parse_ref,
    workspace_settings,
)
from okrctl.engine.diff import diff_period_files, jsonable
from okrctl.model import layout
from okrctl.model.records import PeriodFile

__all__ = ["definition_changes", "items_events"]


#: events of the definition history (check-ins and measurements have their own tables)
_RECORD_FIELDS = frozenset({"checkin", "measurement", "file"})


_PEOPLE = frozenset({"owner", "by", "approved_by"})


def _without_people(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _without_people(x) for k, x in v.items() if k not in _PEOPLE}
    if isinstance(v, (list, tuple)):
        return [_without_people(x) for x in v]
    return v


def definition_changes(root: Path, files: Iterable[PeriodFile], rev: str | None = None,
                       with_names: bool = False) -> list[dict[str, Any]]:
    """Every change to the definitions of the objectives and KPIs of ``files`` (their
    key results included), oldest first per item, as rows of ``okrctl export``'s
    ``changes`` table: period, commit, date, ref, field, old and new (as JSON text),
    reason and approved_by of rebaseline, added and cancelled records.  One
    ``git log`` and one ``cat-file`` per objective or KPI; parsed blobs are shared.
    Without ``with_names`` no person's name appears (``owner``, ``by``,
    ``approved_by`` are dropped from the values, and owner changes left out)."""
    import json

    rows: list[dict[str, Any]] = []
    for period_id, e in items_events(root, files, rev, "okrctl export --table changes"):
        if e.field in _RECORD_FIELDS or (e.field in _PEOPLE and not with_names):
            continue
        if not with_names:
            e = replace(e, old=_without_people(jsonable(e.old)), new=_without_people(jsonable(e.new)))
        rec = e.new if isinstance(e.new, dict) else e.old if isinstance(e.old, dict) else {}
        rows.append({"period": period_id, "commit": e.commit, "date": e.date.date(), "ref": e.ref,
                     "field": e.field, "old": json.dumps(jsonable(e.old), ensure_ascii=False),
                     "new": json.dumps(jsonable(e.new), ensure_ascii=False),
                     "reason": rec.get("reason") if e.field in ("rebaseline", "added", "cancelled") else None,
                     "approved_by": rec.get("approved_by") if e.field in ("rebaseline", "added", "cancelled")
                     else None})
    return rows


def items_events(root: Path, files: Iterable[PeriodFile], rev: str | None = None,
                 what: str = "okrctl report", *, skip_unknown: bool = False,
                 track: Callable[[Sequence[PeriodFile]], Iterable[PeriodFile]] | None = None,
                 ) -> list[tuple[str, Event]]:
    """(period id, event) for every event of the objectives and KPIs of ``files``
    (their key results and records included), up to ``rev`` (None: HEAD, with the
    settings of the working tree), each item's events as :func:`history` tells them.

    Git is read once for all of them: ONE ``git log --raw`` over the periods'
    directories and ONE ``cat-file --batch`` for the blobs not already in ``files``
    (a file whose blob is in the history is reused as loaded).  Each version of a
    file is built once and each pair of consecutive versions diffed once, for all
    its items; the time is proportional to the files' versions, not to their items
    times their versions.  ``track`` wraps the files (a progress bar).  Raises
    :class:`okrctl.gitio.GitError` (not a repository, a shallow clone) and
    :class:`HistoryError` (an item never committed, unless ``skip_unknown``)."""
    from okrctl import gitio
    from okrctl.read.loader import ParseCache
    from okrctl.read.source import WorkingTreeSource

    files = list(files)
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    repo.require_full_history(what)
    head = repo.resolve(rev) if rev is not None else repo.head()
    if head is None:
        raise HistoryError(_("the repository has no commits yet, so there is no history"))
    source = WorkingTreeSource(root) if rev is None else gitio.GitTreeSource(repo, head, prefix)
    config = workspace_settings(source, periods=False)[0]
    try:
        tz = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HistoryError(_("unknown time zone {timezone!r} in okrctl.yaml").format(timezone=config.timezone)) from None

    def repo_path(pf: PeriodFile) -> str:
        rel = layout.period_file(pf.period.id, pf.unit)
        return f"{prefix}/{rel}" if prefix else rel

    paths = {repo_path(pf): pf for pf in files}
    dirs = sorted({p.rpartition("/")[0] for p in paths})
    per_path: dict[str, list[tuple[Any, dict[str, str | None]]]] = {p: [] for p in paths}
    for info, changes in repo.log_path(dirs, head if rev is not None else "HEAD"):
        for path, sha in changes.items():
            if path in per_path:
                per_path[path].append((info, {path: sha}))
    loaded = {pf.sha for pf in files if pf.sha}
    blobs = repo.read_blobs({s for log in per_path.values() for _, ch in log for s in ch.values()
                             if s and s not in loaded})
    cache = ParseCache()
    out: list[tuple[str, Event]] = []
    for pf in (track or list)(files):
        path = repo_path(pf)
        log = per_path[path]
        version = _Versions(blobs, cache, layout.period_file(pf.period.id, pf.unit), pf.unit, pf.period, [pf])
        diffs: dict[tuple[int, int], dict[str, list]] = {}

        def by_item(base: PeriodFile | None, cur: PeriodFile) -> dict[str, list]:
            key = (id(base), id(cur))
            got = diffs.get(key)
            if got is None:
                got = diffs[key] = {}
                for c in diff_period_files(base, cur):
                    got.setdefault("/".join(c.ref.split("@")[0].split("/")[:3]), []).append(c)
            return got

        for item in (*pf.objectives, *pf.kpis):
            spec = parse_ref(item.ref)
            events, seen, ids = _timeline(log, path, spec, item.ref, tz, version,
                                          lambda b, c, r=item.ref: by_item(b, c).get(r, ()))
            if seen is None:
                if skip_unknown:
                    continue  # an item not committed yet has no history
                raise HistoryError(_unknown(item.ref, spec, path, head, head, len(log), list(ids)))
            out += [(pf.period.id, e) for e in events]
    return out
