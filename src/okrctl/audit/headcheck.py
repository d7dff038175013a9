"""HEAD must validate: the one call ``okrctl check`` makes for it.

:func:`validate_head` gives HEAD's errors (each becomes an
``invalid`` finding) and whether HEAD has a usable workspace.  With the
persistent cache it first looks up the whole result of the last check of the
same files (same blob ids, same J, same kind of source: the key of
:func:`okrctl.read.loader.result_key`, with ``extra`` ``"check errors, rev"``
or ``"check errors, working tree"``); on a hit no period file is decoded, and
:mod:`okrctl.audit.compare` then loads from the cache only the HEAD files its
rules need.  On a miss HEAD is validated with the records of only the files the
caller names (``needed``: the settings and the changed files) decoded; the other
files are checked from their cached summaries and check rows
(:func:`okrctl.read.loader.load_workspace`, ``records=``), so the first check of a
new HEAD with one file changed decodes that file alone.  Without a persistent
cache HEAD is loaded in full (that load also serves the rules).  Either way the
row is written.

The row is check's own, not ``validate``'s: it keeps HEAD's errors only (a
warning is never a finding of ``check``, and a workspace may have hundreds of
thousands of them, e.g. check-ins dated after J), and the pinned evidence of every check-in of HEAD as ``(evidence path, period file)``, so
that ``checkin-rewritten`` (pinned evidence that changed) can tell which files to
load without reading them all; ``validate``'s rows keep the pinned files' hashes
instead and may add OKR228, which ``check`` does not report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from okrctl.model.problems import Problem
from okrctl.model.records import Config
from okrctl.model.summary import FileSummary


@dataclass
class HeadValidation:
    """What :func:`validate_head` found."""

    #: HEAD's errors (and OKR005, a file git could not give): warnings play no part in ``check``
    diagnostics: list[Problem]
    #: okrctl.yaml and units.yaml are usable (a workspace was built)
    loaded: bool
    #: the load of HEAD when one was made (None: the result came from the cache)
    result: object | None = None
    #: ``(pinned evidence path, period file path)`` of every check-in of HEAD
    pins: list[tuple[str, str]] = field(default_factory=list)
    #: the load (``result``) decoded only the records of the files asked for
    restricted: bool = False

    @property
    def partial(self) -> bool:
        """``result`` does not hold the records of every HEAD file (the rules then
        load the ones they need): nothing was loaded (the row was in the cache), or
        only the records of the files asked for were decoded."""
        return self.result is None or self.restricted

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def pinned_files(summaries: Iterable[FileSummary]) -> list[tuple[str, str]]:
    """``(pinned evidence path, period file path)`` of every check-in's pinned
    workspace file, from the files' summaries (every period file of a load, its
    records decoded or not), sorted, each once."""
    return sorted({(pin.item.path, s.path) for s in summaries for pin in s.pins if pin.item.path})


#: diagnostics of reading, not of the bytes (git could not give a blob): never stored
_READ_CODES = frozenset({"OKR005", "OKR006", "OKR007"})


def validate_head(source, *, today: date | Callable[[Config], date], cache, store,
                  working_tree: bool, needed: Iterable[str] | None = None) -> HeadValidation:
    """Validate HEAD (``source``) as of ``today`` (J, or a function of HEAD's
    settings giving it).  ``store``: the persistent cache or None.  ``needed``:
    the paths whose records the caller reads from ``result`` (None: every file);
    with ``store`` only those are decoded (``partial`` is then True).

    HEAD is first loaded without a date: J decides only warnings (OKR231, a date
    in the future), so a HEAD without errors has none with J either, and this
    skips computing (and caching) what can be hundreds of thousands of warnings.
    A HEAD with errors is loaded again with J, as ``validate`` would: the
    per-file cap (200 problems, then one OKR016 line) counts those warnings too,
    so which errors are listed can depend on them."""
    from okrctl.read.loader import list_with_shas, load_workspace, result_key

    extra = "check errors, working tree" if working_tree else "check errors, rev"
    listed = list_with_shas(source, store)
    keys = []
    for day in (None, today):  # no errors: the same for every J; errors: as of J
        key, _day = result_key(listed, store, today=day, extra=extra)
        if key is not None:
            keys.append(key)
    found = store.get_many("result", keys) if keys else {}
    for key in keys:
        if (hit := found.get(key)) is not None:
            diagnostics, _documents, locale, pins = hit
            return HeadValidation(list(diagnostics), locale is not None, None, list(pins))
    # without a persistent cache every record is decoded anyway: keep them all
    wanted = frozenset(needed) if needed is not None and store is not None else None
    records = wanted.__contains__ if wanted is not None else None
    res = load_workspace(listed.source, today=None, cache=cache, parallel=True, store=store, listed=listed,
                         records=records)
    used: list[date] = []
    if any(d.severity == "error" for d in res.diagnostics):
        def seen(config: Config) -> date:  # the date the checks used, to key the row by
            used.append(today(config) if callable(today) else today)
            return used[-1]
        res = load_workspace(listed.source, today=seen, cache=cache, parallel=True, store=store, listed=listed,
                             records=records)
    ws = res.workspace
    pins = pinned_files(res.summaries) if ws is not None else []
    errors = [d for d in res.diagnostics if d.severity == "error" or d.code in _READ_CODES]
    if store is not None and not any(d.code in _READ_CODES for d in errors):
        key, day = result_key(listed, store, today=today if used else None, extra=extra)
        if key is not None and used and used[0] != day:  # midnight passed meanwhile
            key = None
        if key is not None:
            locale = (ws.config.locale or "") if ws is not None else None
            store.put("result", key, (errors, [], locale, pins))  # no list of documents: check needs none
            store.flush()
    return HeadValidation(errors, ws is not None, res, pins, restricted=wanted is not None)
