"""The parallel cold load (:func:`load_in_parallel`, used by
:func:`okrctl.read.loader.load_workspace` with ``parallel=True`` when
``loader._parallel_workers`` says so): this process loads a share of the period
files, forked workers the rest, in chunks; each worker result comes back as
MessagePack (:mod:`okrctl.read.wire`) and is decoded here one by one.  Neither
process keeps a period file's document or bytes: a record's line and column read the
file again from the source if asked (``loader._SourcePositions``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from okrctl.model.records import register_positions

if TYPE_CHECKING:
    from okrctl.model.problems import Problem
    from okrctl.model.records import PeriodFile
    from okrctl.read.loader import ParseCache, _Candidate
    from okrctl.read.source import Source
    from okrctl.read.yamlread import Parsed

#: what the forked workers read: (source, candidates, parse cache)
_FORK_STATE: tuple | None = None


#: files per message from a worker (results stream back; a city's worth in one
#: message was its size twice over in this process: the message and its bytes)
_CHUNK = 16
#: this process's share of a parallel load, against an equal one (it also decodes)
_OWN_SHARE = 0.9
_WIRE = None


class Passing:
    """A :class:`ParseCache` view for a parallel load: documents already in it are
    used, new ones are not kept (a city's documents are hundreds of MB)."""

    def __init__(self, cache: ParseCache) -> None:
        self.cache = cache

    def get(self, kind: str, sha: str, path: str, data: bytes) -> tuple[Parsed | None, list[Problem]]:
        from okrctl.read.loader import ParseCache

        if (kind, sha) in self.cache._entries:
            return self.cache.get(kind, sha, path, data)
        return ParseCache().get(kind, sha, path, data)


def _unkept(source: Source, c: _Candidate, result: tuple) -> tuple[PeriodFile | None, list[Problem]]:
    """A result of a parallel load, whose document and bytes are not kept: the
    records' positions read the file again from the source if asked."""
    from okrctl.read.loader import _SourcePositions

    if result[0] is not None and result[0].sha:
        register_positions(result[0].sha, _SourcePositions(source, c.path, result[0].sha))
    return result


def _fork_worker(indexes: list[int]) -> list[bytes]:
    """A chunk of a worker's share, each result as MessagePack (:mod:`okrctl.read.wire`)."""
    global _WIRE
    from okrctl.read.loader import _load_period_file
    from okrctl.read.wire import Wire

    assert _FORK_STATE is not None
    source, candidates, cache = _FORK_STATE
    wire = _WIRE = _WIRE or Wire()
    passing = Passing(cache)
    return [wire.dumps(_unkept(source, candidates[i], _load_period_file(source, candidates[i], passing, None)))  # type: ignore[arg-type]
            for i in indexes]


#: told of each result as it comes: (index in the list of candidates, result, its
#: MessagePack bytes when it came from a worker as such, else None)
Sink = Callable[[int, tuple, "bytes | None"], None]


def load_in_parallel(source: Source, candidates: list[_Candidate], cache: ParseCache,
                      workers: int, progress: Callable[[int, int], None] | None = None,
                      sink: Sink | None = None) -> list[tuple[PeriodFile | None, list[Problem]]]:
    """This process takes a share of the files, forked workers the rest in chunks;
    workers send back the typed records as MessagePack (:mod:`okrctl.read.wire`),
    decoded here one by one.  No file's document or bytes are kept.  ``progress``
    hears of this process's share (scaled to the whole); ``sink`` of every result as
    it comes (the persistent cache stores a worker's bytes as they are, and writes
    them in batches, instead of holding every row until the end)."""
    global _FORK_STATE
    import multiprocessing

    from okrctl.read.loader import _load_period_file
    from okrctl.read.wire import Wire

    prefetch = getattr(source, "prefetch", None)
    if prefetch is not None:
        prefetch([c.path for c in candidates])  # every blob before forking: one git process, shared by all
    n = len(candidates)
    f = _OWN_SHARE / (workers + 1)  # spread evenly over the list
    mine_idx = [i for i in range(n) if int((i + 1) * f) > int(i * f)]
    mine = set(mine_idx)
    theirs_idx = [i for i in range(n) if i not in mine]
    chunks = [theirs_idx[j:j + _CHUNK] for j in range(0, len(theirs_idx), _CHUNK)]
    _FORK_STATE = (source, candidates, cache)
    passing = Passing(cache)
    gc.freeze()  # the children do not touch (copy) the parent's objects' GC headers
    out: list = [None] * n
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.imap(_fork_worker, chunks)
            for done, i in enumerate(mine_idx, 1):
                out[i] = _unkept(source, candidates[i], _load_period_file(source, candidates[i], passing, None))  # type: ignore[arg-type]
                if sink is not None:
                    sink(i, out[i], None)
                if progress is not None:  # this process's share, scaled to the whole
                    progress(n * done // len(mine_idx), n)
            wire = Wire()
            for chunk, results in zip(chunks, pending):
                for i, data in zip(chunk, results):
                    value, encoded = wire.loads_encoded(data)
                    out[i] = _unkept(source, candidates[i], value)
                    if sink is not None:
                        sink(i, out[i], encoded)
                results.clear()
    finally:
        _FORK_STATE = None
        gc.unfreeze()
    return out
