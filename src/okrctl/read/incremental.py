"""The period files of one load, incrementally: each file's records, summary, own
diagnostics and cross-file check results, taken from the persistent cache where it
holds them and computed (and stored) where it does not.

Three kinds of rows per period file (docs/architecture.md, "The cache"):

* ``okr-file``: the records and the file's own diagnostics (keyed by the blob id,
  path and period), decoded only for the files whose records are needed;
* ``summary``: the file's :class:`~okrctl.model.summary.FileSummary` and its own
  diagnostics (same key), what the other files' checks and the workspace-wide
  checks need: a few hundred bytes;
* ``checked``: the problems :func:`okrctl.checks.check_file` finds in the file,
  keyed by the file's key, the date taken as today and a digest of everything else
  those checks read (:func:`context_digest`: okrctl.yaml's and units.yaml's blobs,
  the files with errors of their own and every file's ``cross`` digest).  With one
  check-in added somewhere, no summary's ``cross`` changes and every other file's
  row is found: its records are never decoded.

Every problem a run reports is the one a load without cache would report: the
rows hold the results of the same functions over the same inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any

from okrctl import checks
from okrctl.model.problems import Problem
from okrctl.model.records import PeriodFile, Unit
from okrctl.model.summary import FileSummary, summarize

#: loads the files at these indexes from the source, telling the sink of each result
#: as it comes (:data:`okrctl.read.parallel.Sink`: position in the list, ``(records |
#: None, own diagnostics)``, its MessagePack bytes or None)
Load = Callable[[list[int], Callable[[int, tuple, "bytes | None"], None]], object]


def context_digest(config_sha: str | None, units_sha: str | None, today: date | None,
                   invalid: frozenset[str], summaries: list[FileSummary]) -> str:
    """What the checks of one file read besides the file itself (see the module doc)."""
    text = "\n".join((f"{config_sha}\0{units_sha}\0{today}", *("!" + p for p in sorted(invalid)),
                      *(s.cross for s in summaries)))
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


class PeriodFiles:
    """The period files of one load (``paths``, with their persistent-cache ``keys``:
    None without a cache or a blob id).  ``load`` reads the files at given indexes
    from the source; ``cached(i)`` is told of a file whose records come from the
    cache (its positions and document are then read again only if asked for).

    :meth:`fill` gets each file's own diagnostics and summary, with records for the
    files ``wanted`` (all when None); :meth:`check` runs the cross-file checks."""

    def __init__(self, paths: list[str], keys: list[bytes | None], store, load: Load,
                 cached: Callable[[int], None], read_codes: frozenset[str]) -> None:
        n = len(paths)
        self.paths, self.keys, self.store = paths, keys, store
        self._load, self._cached, self._read_codes = load, cached, read_codes
        self.records: list[PeriodFile | None] = [None] * n
        self.own: list[list[Problem] | None] = [None] * n
        self.summaries: list[FileSummary | None] = [None] * n
        self._have = [False] * n  # records (or the lack of them) known
        self._store_summary = [False] * n
        self.hits = self.misses = 0

    def _key(self, kind: str, i: int) -> bytes | None:
        k = self.keys[i]
        return None if k is None else self.store.key(kind, k.hex(), self.paths[i])

    def fill(self, wanted: Callable[[str], bool] | None) -> None:
        n = len(self.paths)
        todo = list(range(n))
        if self.store is not None and wanted is not None:
            skeys = {i: k for i in range(n) if not wanted(self.paths[i]) and (k := self._key("summary", i)) is not None}
            found = self.store.get_many("summary", list(skeys.values()))
            todo = []
            for i in range(n):
                hit = found.get(skeys[i]) if i in skeys else None
                if hit is None:
                    self._store_summary[i] = i in skeys
                    todo.append(i)
                    continue
                self.summaries[i], self.own[i] = hit
                self.hits += 1
                if hit[0] is not None:
                    self._cached(i)
        self._fetch(todo)

    def _fetch(self, todo: list[int]) -> None:
        """Records and own diagnostics of the files ``todo``: from ``okr-file`` rows,
        else from the source (then stored)."""
        todo = [i for i in todo if not self._have[i]]
        missed = todo
        if self.store is not None:
            keys = {i: self.keys[i] for i in todo if self.keys[i] is not None}
            found = self.store.get_many("okr-file", list(keys.values()))
            missed = []
            for i in todo:
                hit = found.get(keys[i]) if i in keys else None
                if hit is None:
                    missed.append(i)
                    continue
                self._took(i, hit, loaded=False)
                self._cached(i) if hit[0] is not None else None
        if missed:  # each result is taken (and its rows stored) as it comes
            self._load(missed, lambda k, r, encoded: self._took(missed[k], r, loaded=True, encoded=encoded))

    def _took(self, i: int, r: tuple[PeriodFile | None, list[Problem]], *, loaded: bool,
              encoded: bytes | None = None) -> None:
        pf, own = r
        if self.own[i] is None:  # a file whose summary came from the cache counts once
            self.hits += not loaded
            self.misses += loaded and self.keys[i] is not None
        self.records[i], self.own[i], self._have[i] = pf, own, True
        if self.summaries[i] is None and pf is not None:
            self.summaries[i] = summarize(pf)
        storable = self.store is not None and self.keys[i] is not None and not any(d.code in self._read_codes for d in own)
        if storable and loaded:
            self.store.put("okr-file", self.keys[i], r, encoded)
        if storable and (loaded or self._store_summary[i]):
            self.store.put("summary", self._key("summary", i), (self.summaries[i], own))

    def check(self, units: tuple[Unit, ...], index_invalid: frozenset[str], today: date | None,
              context: tuple[str | None, str | None]) -> list[Problem]:
        """The cross-file problems of every file (from ``checked`` rows where the
        context is the same) and the workspace-wide ones."""
        order = sorted((i for i, s in enumerate(self.summaries) if s is not None), key=lambda i: self.paths[i])
        summaries: list[FileSummary] = [self.summaries[i] for i in order]  # type: ignore[misc]
        index: checks.Index | None = None  # built only when a file is checked again
        by_id = {u.id: u for u in units}
        results: dict[int, list[Problem]] = {}
        ckeys: dict[int, bytes] = {}
        if self.store is not None:
            ctx = context_digest(*context, today, index_invalid, summaries)
            for i in order:
                if self.keys[i] is not None:
                    ckeys[i] = self.store.key("checked", self.keys[i].hex(), self.paths[i], ctx)  # type: ignore[union-attr]
            found = self.store.get_many("checked", list(ckeys.values()))
            for i, k in ckeys.items():
                if (hit := found.get(k)) is not None:
                    results[i] = hit
        self._fetch([i for i in order if i not in results])
        out: list[Problem] = []
        for i in order:
            if i not in results:
                pf = self.records[i]
                if pf is None:  # changed since its summary was stored: its own errors say so
                    continue
                index = index or checks.Index(summaries, index_invalid)
                results[i] = checks.check_file(pf, by_id, index, today)
                if i in ckeys:
                    self.store.put("checked", ckeys[i], results[i])
            out += results[i]
        return out + checks.check_structure(summaries, units)


def row_types() -> dict[str, Any]:
    """The persistent cache's value types of the rows of this module."""
    return {"summary": tuple[FileSummary | None, list[Problem]], "checked": list[Problem]}
