"""Load a workspace: read → parse → schema → typed records → semantic checks.

``load_workspace(source)`` returns the :class:`~okrctl.model.records.Workspace` (or None
when ``okrctl.yaml``/``units.yaml`` are unusable) and every diagnostic found.  It
never raises for bad input.  Parsed documents are cached by content hash (the git
blob SHA), so the same bytes are parsed once per process whatever their path or
revision.  With a :class:`okrctl.read.cache.RecordCache` (``store=``), the whole
per-file result (records and the file's own diagnostics) is looked up by blob id
first, and only the misses are read and parsed (see docs/architecture.md, "The
cache").
"""

from __future__ import annotations

import gc
from okrctl.model.messages import _

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfoNotFoundError

from okrctl import checks
from okrctl.errors import ConfigError
from okrctl.model.problems import Problem, cap_per_file, sort_problems
from okrctl.model.records import (
    Config,
    PeriodFile,
    Unit,
    Workspace,
    register_positions,
)
from okrctl.model.layout import CONFIG_FILE, UNITS_FILE, period_file
from okrctl.model.periods import is_period_id, parse_period
from okrctl.read.build import build_config, build_period_file, build_units
from okrctl.model.summary import FileSummary
from okrctl.read.cache import Documents, WithBytes
from okrctl.read.incremental import PeriodFiles, row_types
from okrctl.read.parallel import load_in_parallel as _load_in_parallel
from okrctl.read.schemas import validate as schema_validate
from okrctl.read.source import Source, SourceError, blob_sha
from okrctl.read.yamlread import Parsed, parse, parse_reference

if TYPE_CHECKING:
    from okrctl.read.cache import RecordCache


class WorkspaceNotFound(ConfigError):
    """No okrctl.yaml in the directory or any parent (exit 2)."""


def find_workspace(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding okrctl.yaml."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / CONFIG_FILE).is_file():
            return d
    raise WorkspaceNotFound(_("no {CONFIG_FILE} in {start} or any parent directory; run `okrctl init` or pass -C DIR").format(CONFIG_FILE=CONFIG_FILE, start=start))


@dataclass(slots=True)
class _Entry:
    parsed: Parsed | None
    diags: list[Problem]


class ParseCache:
    """Parsed and schema-checked documents keyed by (kind, blob SHA)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    def get(self, kind: str, sha: str, path: str, data: bytes) -> tuple[Parsed | None, list[Problem]]:
        key = (kind, sha)
        entry = self._entries.get(key)
        if entry is None:
            parsed, diags = parse(data, path)
            if parsed is not None:
                diags = schema_validate(kind, parsed, path)
                if any(d.severity == "error" for d in diags):
                    parsed = None
            entry = self._entries[key] = _Entry(parsed, diags)
        diags = entry.diags
        if diags and diags[0].path != path:
            diags = [replace(d, path=path) for d in diags]
        return entry.parsed, diags


_DEFAULT_CACHE = ParseCache()


# ---------------------------------------------------------------- the pipeline

@dataclass(frozen=True, slots=True)
class _Candidate:
    path: str
    sha: str | None
    unit_id: str
    period: object  # Period


def _load_period_file(source: Source, c: _Candidate, cache: ParseCache,
                      documents: dict[str, Parsed] | None) -> tuple[PeriodFile | None, list[Problem]]:
    """Everything that concerns one period file alone: read, parse, schema, records,
    the checks that need only this file."""
    doc, diags, sha = _read(source, c.path, c.sha, cache, "okr-file")
    if doc is None:
        return None, diags
    if documents is not None:
        documents[c.path] = doc
    diags = diags + checks.check_path_keys(doc, c.path, c.unit_id, c.period.id)  # type: ignore[attr-defined]
    pf = build_period_file(doc, c.path, c.unit_id, c.period, sha)
    return pf, diags + checks.check_type_fields(pf, doc)


#: below this many files a second process costs more than it saves
PARALLEL_MIN_FILES = 48


def _parallel_workers(n: int) -> int:
    """How many extra processes to use: one on a multi-core Linux-like system with
    enough files, none otherwise (no fork, a single core, threads running, or
    OKRCTL_JOBS=1)."""
    import multiprocessing
    import os
    import threading

    if n < PARALLEL_MIN_FILES or threading.active_count() > 1:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    jobs = os.environ.get("OKRCTL_JOBS")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    limit = int(jobs) if jobs and jobs.isdigit() else cpus
    return max(0, min(limit, cpus) - 1)


def _load_missed(source: Source, missed: list[_Candidate], cache: ParseCache, documents: Documents, *,
                 parallel: bool, prefetch: bool, progress: Callable[[int, int], None] | None, sink=None):
    """Read the files ``missed`` from the source: ``[(records | None, own diagnostics)]``;
    ``sink(index, result, encoded)`` hears of each as it comes (:data:`okrctl.read.parallel.Sink`)."""
    workers = _parallel_workers(len(missed)) if parallel else 0
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of new objects, none of them garbage: collections only cost time
    try:
        if workers:
            return _load_in_parallel(source, missed, cache, workers, progress=progress, sink=sink)
        if prefetch and missed and hasattr(source, "prefetch"):
            source.prefetch([c.path for c in missed])  # only the blobs not found (one git process)
        loaded = []
        for n, c in enumerate(missed, 1):
            loaded.append(_load_period_file(source, c, cache, documents))
            if sink is not None:
                sink(n - 1, loaded[-1], None)
            if progress is not None:
                progress(n, len(missed))
        return loaded
    finally:
        if gc_was_on:
            gc.enable()


def _printable(s: str) -> str:
    return s if s.isprintable() else "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in s)


def _printable_paths(diags: list[Problem]) -> list[Problem]:
    """A file or directory name holding a control, bidi or undecodable character (never
    a valid workspace path, so always refused) is reported with the character escaped:
    a name like ``x\\n::error::forged.yaml`` must not forge a line of CI output or
    recolour a terminal, and a non-UTF-8 name must not break the output encoding."""
    return [d if d.path.isprintable() and d.message.isprintable()
            else replace(d, path=_printable(d.path), message=_printable(d.message)) for d in diags]


@dataclass(slots=True)
class LoadResult:
    workspace: Workspace | None
    diagnostics: list[Problem]
    #: parsed documents by path (for checks that need positions of raw keys)
    documents: Mapping[str, Parsed]
    #: the summary of every period file with records (path order), including those
    #: whose records were not asked for (``load_workspace(records=)``)
    summaries: list[FileSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def blocking(self) -> list[Problem]:
        """The errors that stop every score: those outside the invalid period files
        (settings, units, a file that belongs to no unit and period).  Errors inside
        period files only stop the units whose file it is (``Workspace.invalid``)."""
        invalid = self.workspace.invalid if self.workspace is not None else frozenset()
        return [d for d in self.diagnostics if d.severity == "error" and d.path not in invalid]


def _read(source: Source, path: str, sha: str | None, cache: ParseCache, kind: str,
          data: bytes | None = None) -> tuple[Parsed | None, list[Problem], str | None]:
    try:
        data = source.read(path) if data is None else data
    except SourceError as exc:
        return None, [Problem.make(exc.code, exc.path, 1, 1, exc.message)], None
    sha = sha or blob_sha(data)
    parsed, diags = cache.get(kind, sha, path, data)
    if parsed is not None:
        register_positions(sha, _BlobPositions(data, path, parsed))
    return parsed, diags, sha


#: the result type of each kind of file in the persistent cache
CACHED_TYPES = {
    "workspace": tuple[Config | None, list[Problem]],
    "units": tuple[tuple[Unit, ...] | None, list[Problem]],
    "okr-file": tuple[PeriodFile | None, list[Problem]],
    "result": tuple[list[Problem], list[str], str | None, list[tuple[str, str]]],
    **row_types(),
    #: SHA-256s of pinned evidence files by (path, size, mtime_ns, ctime_ns, inode): read/evidence.HashMemo
    "hashes": list[tuple[str, int, int, int, int, str]],
}
#: diagnostics of reading (not of the bytes): such a result is never stored
_READ_CODES = frozenset({"OKR005", "OKR006", "OKR007"})


def open_record_cache(store) -> "RecordCache":
    """A :class:`~okrctl.read.cache.RecordCache` of the loader's per-file results over
    ``store`` (a :class:`~okrctl.read.cache.Store`)."""
    from okrctl.read.cache import RecordCache
    from okrctl.read.wire import Codec

    return RecordCache(store, CACHED_TYPES, codecs={"okr-file": Codec})


def _reparse(source: Source, path: str, kind: str, cache: ParseCache) -> Callable[[], Parsed | None]:
    def again() -> Parsed | None:
        return _read(source, path, None, cache, kind)[0]
    return again


class _BlobPositions:
    """Line and column of a JSON path in one blob, for lazy :class:`Loc` values.
    Holds the bytes (shared with the parsed document), not the node tree: the tree
    is composed, by the positional reader, on the first question."""

    __slots__ = ("data", "path", "doc")

    def __init__(self, data: bytes | None, path: str, doc: Parsed | None = None) -> None:
        self.data = data
        self.path = path
        self.doc = doc if doc is not None and not doc.lazy else None

    def __call__(self, at: tuple) -> tuple[int, int]:
        if self.doc is None:
            self.doc = parse_reference(self._bytes(), self.path)[0]
            if self.doc is None:
                return 1, 1
        return self.doc.position(at)

    def _bytes(self) -> bytes:
        return self.data or b""


class _SourcePositions(_BlobPositions):
    """The same for a file parsed in a worker process or taken from the persistent
    cache: the bytes are read again from the source on the first question (and must
    still be the same blob)."""

    __slots__ = ("source", "sha")

    def __init__(self, source: Source, path: str, sha: str) -> None:
        super().__init__(None, path)
        self.source = source
        self.sha = sha

    def _bytes(self) -> bytes:
        try:
            if hasattr(self.source, "prefetch"):  # a git tree: this blob alone, not the whole tree
                self.source.prefetch([self.path])
            data = self.source.read(self.path)
        except SourceError:
            return b""
        return data if blob_sha(data) == self.sha else b""


@dataclass(slots=True)
class Listed:
    """The files of a source, each with its blob id when a cache is used (the files
    the source did not name an id for are read and hashed; ``source`` then serves
    those bytes once more without reading them again)."""
    files: list
    errors: list
    source: Source


def list_with_shas(source: Source, store=None) -> Listed:
    files, errors = source.list_files()
    if store is not None:  # hash what the source did not name (untracked files, no git)
        pre: dict[str, bytes] = {}
        out = []
        for f in files:
            if f.sha is None:
                try:
                    pre[f.path] = source.read(f.path)
                except SourceError:
                    out.append(f)
                    continue  # read again by the loader and reported there
                f = replace(f, sha=blob_sha(pre[f.path]))
            out.append(f)
        files = out
        if pre:
            source = WithBytes(source, pre)  # type: ignore[assignment]
    return Listed(list(files), list(errors), source)


# ---------------------------------------------------------------- the whole result

#: the cached whole-workspace result of ``validate``: (diagnostics, paths of the
#: documents read, the workspace's locale (None: no usable workspace), pinned
#: evidence files as (path, sha256))
WarmResult = tuple[list[Problem], list[str], str | None, list[tuple[str, str]]]


@dataclass(slots=True)
class WarmLookup:
    listed: Listed
    key: bytes | None  # None: no key could be made (no cache, a file without a blob id)
    today: date | None  # the date the checks use, when the settings were in the cache
    hit: WarmResult | None


def warm_lookup(source: Source, store, *, today: date | Callable[[Config], date] | None, extra: str) -> WarmLookup:
    """Look up the whole result of a run over ``source`` (``store``: a
    :class:`~okrctl.read.cache.RecordCache`) without decoding any period file
    (:func:`result_key`).  Without a key the caller loads the usual way, with
    ``listed`` so that nothing is listed or hashed twice."""
    listed = list_with_shas(source, store)
    key, day = result_key(listed, store, today=today, extra=extra)
    hit = store.get_many("result", [key]).get(key) if key is not None else None
    return WarmLookup(listed, key, day, hit)


def result_key(listed: Listed, store, *, today: date | Callable[[Config], date] | None,
               extra: str) -> tuple[bytes | None, date | None]:
    """``(key, today)`` of the whole result over the files ``listed``: a digest of
    every input the result depends on — the fingerprint (in every key), the sorted
    (path, blob id) of every file listed and the listing's own errors, the date the
    checks take as today (``today`` of the cached okrctl.yaml, in its time zone) and
    ``extra`` (the caller's options).  ``(None, None)`` without a cache, for a file
    without a blob id, or when okrctl.yaml's result is not in the cache."""
    if store is None:
        return None, None
    by_path = {f.path: f.sha for f in listed.files}
    if any(sha is None for sha in by_path.values()):
        return None, None
    day: date | None = None
    if callable(today):
        sha = by_path.get(CONFIG_FILE)
        if sha is not None:  # no okrctl.yaml: nothing is checked against today
            k = store.key("workspace", sha, CONFIG_FILE)
            row = store.get_many("workspace", [k]).get(k)
            if row is None:
                return None, None
            config = row[0]
            if config is not None:  # unusable settings: nothing is checked against today
                try:
                    day = today(config)
                except (ZoneInfoNotFoundError, ValueError, OSError):
                    day = today(replace(config, timezone="UTC"))
    elif today is not None:
        day = today
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    for path in sorted(by_path):
        h.update(path.encode("utf-8", "surrogateescape") + b"\0" + by_path[path].encode() + b"\n")
    for e in listed.errors:
        h.update(f"!{e.code}\0{e.path}\0{e.message}\n".encode("utf-8", "surrogateescape"))
    return store.key("result", h.hexdigest(), "", f"{day}\0{extra}"), day


def load_workspace(source: Source, *, today: date | Callable[[Config], date] | None = None,
                   cache: ParseCache | None = None, parallel: bool = False, store=None,
                   progress: Callable[[int, int], None] | None = None, listed: "Listed | None" = None,
                   records: Callable[[str], bool] | None = None,
                   records_for: Callable[[Config, list[str]], Callable[[str], bool] | None] | None = None) -> LoadResult:
    """Load and check everything.  ``today`` (a date, or a function of the loaded
    settings giving today in the workspace time zone) is used only for the "date in
    the future" warning; None skips that check.

    ``parallel``: with many files to parse, share the work with a forked worker
    process (see :func:`_parallel_workers`).  The parsed documents of those files are
    then not kept in ``LoadResult.documents``, so commands that need them (diff,
    writes) leave it off.

    ``store``: a :class:`~okrctl.read.cache.RecordCache` (:func:`open_record_cache`);
    files found there are neither read nor parsed, the others are added to it.
    ``progress(done, total)`` is called as the files that were not found are loaded.
    ``listed``: the source's files as :func:`list_with_shas` gave them (not listed again).

    ``records``: which period files' records the caller needs (a test on the path);
    ``Workspace.files`` then holds only those, and with ``store`` the others are
    checked from their cached summaries and check results without decoding their
    records (:mod:`okrctl.read.incremental`; ``LoadResult.summaries`` covers every
    file).  None (the default): every file's records.  The diagnostics are the same
    either way.  ``records_for(config, paths)``: the same test chosen once the
    settings are read (``paths``: every period file of the workspace), e.g. the
    files of the period a command scores; None from it: every file's records."""
    cache = cache or _DEFAULT_CACHE
    diags: list[Problem] = []
    documents = Documents()
    if listed is None:
        listed = list_with_shas(source, store)
    files, errors, source = listed.files, listed.errors, listed.source
    for e in errors:
        diags.append(Problem.make(e.code, e.path, 1, 1, e.message))
    paths = {f.path: f for f in files}
    refused = {e.path for e in errors}  # already reported (a link, not a file): not "missing" too

    def settings_file(path: str, kind: str, build):
        """okrctl.yaml / units.yaml: the built record, or None (reported)."""
        if path not in paths:
            if path not in refused:
                diags.append(Problem.make("OKR111", path, 1, 1, _("{path} is missing").format(path=path)))
            return None
        sha = paths[path].sha
        key = store.key(kind, sha, path) if store is not None and sha else None
        if key is not None and (hit := store.get_many(kind, [key]).get(key)) is not None:
            store.stats.hits += 1
            record, d = hit
            diags.extend(d)
            if record is not None:
                documents.add_lazy(path, _reparse(source, path, kind, cache))
                register_positions(sha, _SourcePositions(source, path, sha))  # read again if asked
            return record
        if key is not None and hasattr(source, "prefetch"):
            source.prefetch([path])  # this blob alone, not the whole tree
        doc, d, sha = _read(source, path, sha, cache, kind)
        record = None
        if doc is not None:
            documents[path] = doc
            record, more = build(doc, sha)
            d = d + more
        diags.extend(d)
        if key is not None:
            store.stats.misses += 1
            if not any(x.code in _READ_CODES for x in d):
                store.put(kind, key, (record, d))
        return record

    def config_of(doc: Parsed, _sha: str | None):
        c = build_config(doc)
        return c, checks.check_config(c, doc)

    def units_of(doc: Parsed, sha: str | None):
        u = build_units(doc, sha)
        return u, checks.check_units(u, doc)

    config: Config | None = settings_file(CONFIG_FILE, "workspace", config_of)
    units: tuple[Unit, ...] | None = settings_file(UNITS_FILE, "units", units_of)

    fys = config.fiscal_year_start if config else 1
    candidates: list[_Candidate] = []
    seen_folded: dict[str, str] = {}
    periods: dict[str, object] = {}  # one Period per directory
    for f in files:
        if f.path in (CONFIG_FILE, UNITS_FILE):
            continue
        _unused, period_dir, name = f.path.split("/")
        folded = unicodedata.normalize("NFC", f.path).casefold()
        if folded in seen_folded:
            diags.append(Problem.make("OKR113", f.path, 1, 1, _("{path} and {seen_folded} differ only in letter case or Unicode form; they collide on macOS and Windows").format(path=f.path, seen_folded=seen_folded[folded])))
            continue
        seen_folded[folded] = f.path
        if not is_period_id(period_dir):
            diags.append(Problem.make("OKR242", f.path, 1, 1, _("directory {period_dir!r} is not a period id (YYYY, YYYY-H1/H2, YYYY-Q1..Q4)").format(period_dir=period_dir)))
            continue
        if not name.endswith(".yaml"):
            diags.append(Problem.make("OKR110", f.path, 1, 1, _("period files end in .yaml, not {name}: rename it to {period_file}").format(name=name[name.rfind('.'):], period_file=period_file(period_dir, name.rsplit('.', 1)[0]))))
            continue
        unit_id = name[: -len(".yaml")]
        if not checks.UNIT_ID_RE.match(unit_id):
            diags.append(Problem.make("OKR110", f.path, 1, 1, _("file name {name!r} is not a unit id ([a-z][a-z0-9-]*, at most 64 characters)").format(name=name)))
            continue
        period = periods.get(period_dir)
        if period is None:
            try:
                period = periods[period_dir] = parse_period(period_dir, fys)
            except ValueError as exc:
                diags.append(Problem.make("OKR242", f.path, 1, 1, str(exc)))
                continue
        candidates.append(_Candidate(f.path, f.sha, unit_id, period))

    keys: list[bytes | None] = [None] * len(candidates)
    if store is not None:
        for i, c in enumerate(candidates):
            if c.sha:
                keys[i] = store.key("okr-file", c.sha, c.path, f"{c.period.id} {c.period.start} {c.period.end}")  # type: ignore[attr-defined]

    def cached(i: int) -> None:
        c = candidates[i]
        documents.add_lazy(c.path, _reparse(source, c.path, "okr-file", cache))
        # positions of its records: the file is read again if one is asked for
        register_positions(c.sha, _SourcePositions(source, c.path, c.sha))  # type: ignore[arg-type]

    def load(todo: list[int], sink) -> list:
        return _load_missed(source, [candidates[i] for i in todo], cache, documents,
                            parallel=parallel, prefetch=store is not None, progress=progress, sink=sink)

    stage = PeriodFiles([c.path for c in candidates], keys, store, load, cached, _READ_CODES)
    if records_for is not None and records is None and config is not None:
        records = records_for(config, [c.path for c in candidates])
    stage.fill(records)
    for d in stage.own:
        diags += d or []
    if config is None or units is None:
        if store is not None:
            store.stats.hits += stage.hits
            store.stats.misses += stage.misses
            store.flush()
        return LoadResult(None, _printable_paths(cap_per_file(sort_problems(diags))), documents)
    if callable(today):
        try:
            today = today(config)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # an unknown time zone, already reported as OKR241
            today = today(replace(config, timezone="UTC"))
    # a period file with errors of its own is "invalid": references into it are not
    # checked (its own error is the one to report), and nothing is scored from it
    file_paths = {c.path for c in candidates}
    invalid = frozenset(d.path for d in diags if d.severity == "error" and d.path in file_paths)
    shas = (paths[CONFIG_FILE].sha, paths[UNITS_FILE].sha)
    diags += stage.check(units, invalid, today, shas)  # type: ignore[arg-type]
    if store is not None:
        store.stats.hits += stage.hits
        store.stats.misses += stage.misses
        store.flush()
    period_files = [pf for pf in stage.records if pf is not None and (records is None or records(pf.path))]
    ws = Workspace(config, units, tuple(sorted(period_files, key=lambda pf: pf.path)),
                   label=getattr(source, "label", "working tree"),
                   invalid=frozenset(d.path for d in diags if d.severity == "error" and d.path in file_paths))
    return LoadResult(ws, _printable_paths(cap_per_file(sort_problems(diags))), documents,
                      sorted((s for s in stage.summaries if s is not None), key=lambda s: s.path))
