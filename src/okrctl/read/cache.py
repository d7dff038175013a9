"""The persistent cache of per-file results: what the loader derives from ONE file.

For each workspace file the loader's per-file stage (read → parse → schema → typed
records → the checks that need only that file) is a pure function of the file's
bytes, its path (records embed ``PERIOD/UNIT`` references and ``Loc`` paths), the
period it belongs to (dates depend on the fiscal year start) and okrctl itself.
This module stores that result in SQLite, keyed by a hash of all of these:

* the git blob id of the bytes (from the index or ``ls-tree``; hashed by the
  loader for dirty and untracked files),
* the kind of file, its path and, for period files, the period's id and dates,
* a *fingerprint* of okrctl: the cache format version, okrctl's version, Python's
  version, the packaged JSON Schemas' bytes, the fields of every record type, and
  the size and modification time of the modules that compute the result.

Values are msgspec MessagePack of the frozen dataclasses of :mod:`okrctl.model`
(data only: no pickle, nothing that runs code when read), each row with a BLAKE2b
checksum over key and value.  A row that fails its checksum or does not decode
into the expected types is a miss and is rebuilt; a value that does not survive
an encode/decode round trip exactly (``==``) is never stored.  The database is
opened in WAL mode with a busy timeout and written with ``INSERT OR REPLACE`` in
one short transaction per run, so two okrctl processes can use it at once; any
SQLite error makes the cache unavailable for that run (the command goes on
without it), and a file that is not a database is removed and recreated.

Size: the least recently used rows go when the values pass ``OKRCTL_CACHE_MAX_MB``
(default :data:`DEFAULT_MAX_MB`), down to 80% of it; the rows this process wrote or
read are never among them (a run larger than the limit keeps its own rows).

Memory: large rows (an ``okr-file`` row is ≈ 58 KB) are written in batches of
:data:`BATCH_BYTES` as they come, not all at the end; the small ones (summaries,
check results) wait for the last transaction, so that they lie together in the file.

Where it lives is decided by the command line (:mod:`okrctl.cli.cachecmd`): the
git directory (``.git/okrctl/cache.sqlite``) or the user cache directory, never
the working tree.  This module only refuses a path whose folder or files are
symbolic links.
"""

from __future__ import annotations

from okrctl.model.messages import _

import hashlib
import os
import stat
import sys
import time
from dataclasses import dataclass, fields, is_dataclass
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from okrctl.errors import OkrctlError
from okrctl.read.tagged import _any_plan, _wrap, ext_hook, to_ext

#: bump when the layout of keys or values changes
FORMAT_VERSION = 2
#: the city (2,000 units x 4 quarters) takes 467 MB of rows: four such workspaces' worth
DEFAULT_MAX_MB = 2048
#: rows at least this large are written in batches during a load
BIG_ROW = 4096
#: a batch of large rows is written once it holds this many bytes (2,000 units, first
#: run with the cache: peak 407 MB with batches of 32 MB, 355 MB with 1 MB; 317 MB storing nothing)
BATCH_BYTES = 1 << 20
CACHE_FILE = "cache.sqlite"
_SIDE_FILES = ("-wal", "-shm", "-journal")
#: modules whose code decides a per-file result (their size and mtime are in the fingerprint)
_CODE_PACKAGES = ("model", "krtypes", "checks", "read")


class CacheUnavailable(OkrctlError):
    """The cache cannot be used this run: ordinary commands go on without it;
    ``okrctl cache clear`` stops with it (exit 2)."""


def disabled_by_env() -> bool:
    return os.environ.get("OKRCTL_NO_CACHE", "") not in ("", "0")


def max_bytes() -> int:
    raw = os.environ.get("OKRCTL_CACHE_MAX_MB", "")
    return (int(raw) if raw.isdigit() else DEFAULT_MAX_MB) << 20


# ---------------------------------------------------------------- fingerprint

def _type_fields(tp: Any, seen: dict[str, list[str]]) -> None:
    import typing

    if is_dataclass(tp) and isinstance(tp, type):
        name = f"{tp.__module__}.{tp.__qualname__}"
        if name in seen:
            return
        hints = typing.get_type_hints(tp)
        seen[name] = [f"{f.name}:{hints.get(f.name)!r}" for f in fields(tp)]
        for f in fields(tp):
            _type_fields(hints.get(f.name), seen)
        return
    for arg in typing.get_args(tp):
        _type_fields(arg, seen)


def schema_bytes() -> bytes:
    """The packaged JSON Schemas, as the validators read them."""
    import okrctl

    return b"".join(p.name.encode() + b"\0" + p.read_bytes() + b"\0"
                    for p in sorted((Path(okrctl.__file__).parent / "schema").glob("*.json")))


def fingerprint(value_types: tuple[Any, ...], version: str | None = None) -> bytes:
    """What every cached result depends on besides its file (see the module doc)."""
    import okrctl

    h = hashlib.blake2b(digest_size=16)
    h.update(f"okrctl-cache {FORMAT_VERSION}\0{version or okrctl.__version__}\0{sys.version}\0".encode())
    pkg = Path(okrctl.__file__).parent
    h.update(schema_bytes())
    seen: dict[str, list[str]] = {}
    for tp in value_types:
        _type_fields(tp, seen)
    for name in sorted(seen):
        h.update(f"{name}({','.join(seen[name])})".encode())
    for sub in _CODE_PACKAGES:
        for p in sorted((pkg / sub).glob("*.py")):
            st = p.stat()
            h.update(f"{sub}/{p.name}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.digest()


# ---------------------------------------------------------------- the store

def _refuse_links(directory: Path) -> None:
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise CacheUnavailable(_("{path} is a symbolic link or not a folder; the cache is not used").format(path=directory))
    for suffix in ("", *_SIDE_FILES):
        p = directory / (CACHE_FILE + suffix)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            raise CacheUnavailable(_("{path} is a symbolic link or not a regular file; the cache is not used").format(path=p))


#: A rowid table with the key in its own index, the value last: a lookup reads the
#: dense key index and one leaf of the table, and the size and last-use columns are
#: read without the value's overflow pages.  (The first layout was a WITHOUT ROWID
#: table keyed by ``key``: there every page of the tree, interior ones too, held up
#: to a kilobyte of some value, so looking up the 4,000 small rows of a warm run at
#: 2,000 units touched most of a 250 MB file.)  Rows are written smallest first, so
#: a run's small rows (summaries, check results) lie together.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (key BLOB NOT NULL UNIQUE, checksum BLOB NOT NULL, size INTEGER NOT NULL,
                                    used INTEGER NOT NULL, value BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS entries_used ON entries(used);
CREATE INDEX IF NOT EXISTS entries_size ON entries(size);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _checksum(key: bytes, value: bytes) -> bytes:
    return hashlib.blake2b(key + b"\0" + value, digest_size=16).digest()


@dataclass
class RunStats:
    hits: int = 0
    misses: int = 0
    corrupt: int = 0
    stored: int = 0
    #: 1 when the whole result of the run came from the cache (no file decoded)
    whole: int = 0


class Store:
    """The SQLite file.  Every method raises :class:`CacheUnavailable` for SQLite
    trouble; callers then go on without the cache."""

    def __init__(self, path: Path) -> None:
        #: keys this process wrote or read: never evicted by it
        self._mine: set[bytes] = set()
        try:
            self._open(path)
        except OSError as exc:  # a folder that cannot be searched, a read-only home
            raise CacheUnavailable(_("cannot use {path}: {reason}").format(path=path, reason=exc.strerror or str(exc))) from None

    def _open(self, path: Path) -> None:
        import sqlite3

        self.path = path
        self._sqlite3 = sqlite3
        _refuse_links(path.parent)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CacheUnavailable(_("cannot create {path}: {reason}").format(path=path.parent, reason=exc.strerror)) from None
        _refuse_links(path.parent)
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError:  # not a database (truncated, overwritten): start again
            self._remove_files()
            try:
                self._db = self._connect()
            except sqlite3.Error as exc:
                raise CacheUnavailable(_("cannot open {path}: {reason}").format(path=path, reason=str(exc))) from None
        except sqlite3.Error as exc:
            raise CacheUnavailable(_("cannot open {path}: {reason}").format(path=path, reason=str(exc))) from None

    def _connect(self):
        db = self._sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            old = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").fetchone()
            if old is not None and "WITHOUT ROWID" in old[0].upper():  # the first layout: start again
                db.execute("DROP TABLE entries")
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _remove_files(self) -> None:
        for suffix in ("", *_SIDE_FILES):
            try:
                os.unlink(str(self.path) + suffix)
            except OSError:
                pass

    def _run(self, fn):
        try:
            return fn(self._db)
        except self._sqlite3.DatabaseError as exc:
            raise CacheUnavailable(_("{path}: {reason}").format(path=self.path, reason=str(exc))) from None

    def get_many(self, keys: list[bytes]) -> dict[bytes, tuple[bytes, bytes]]:
        def go(db):
            out: dict[bytes, tuple[bytes, bytes]] = {}
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                q = f"SELECT key, value, checksum FROM entries WHERE key IN ({','.join('?' * len(chunk))})"
                for k, v, c in db.execute(q, chunk):
                    out[bytes(k)] = (bytes(v), bytes(c))
            return out
        return self._run(go)

    def write_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        """New rows alone, in one transaction (a batch during a load; no eviction)."""
        now = int(time.time())

        def go(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                self._insert(db, rows, now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self._run(go)

    def _insert(self, db, rows: list[tuple[bytes, bytes]], now: int) -> None:
        db.executemany("INSERT OR REPLACE INTO entries(key, value, checksum, size, used) VALUES (?, ?, ?, ?, ?)",
                       [(k, v, _checksum(k, v), len(v), now) for k, v in sorted(rows, key=lambda r: len(r[1]))])
        self._mine.update(k for k, _v in rows)

    def write(self, rows: list[tuple[bytes, bytes]], touched: list[bytes], stats: RunStats, *,
              evict: bool | None = None) -> None:
        """One transaction: new rows, the last-use time of the rows read, the run's
        statistics; then eviction beyond the size limit (when rows were written
        this run: ``evict``, else ``rows``)."""
        now = int(time.time())
        self._mine.update(touched)

        def go(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                self._insert(db, rows, now)
                for i in range(0, len(touched), 500):
                    chunk = touched[i:i + 500]
                    db.execute(f"UPDATE entries SET used = ? WHERE used < ? AND key IN ({','.join('?' * len(chunk))})",
                               [now, now - 3600, *chunk])
                db.executemany("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", [
                    ("last_run_hits", str(stats.hits)), ("last_run_misses", str(stats.misses)),
                    ("last_run_corrupt", str(stats.corrupt)), ("last_run_whole", str(stats.whole)),
                    ("last_run_at", str(now))])
                if rows if evict is None else evict:
                    self._evict(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self._run(go)

    def _evict(self, db) -> None:
        """The least recently used rows, down to 80% of the limit; never a row this
        process wrote or read (:attr:`_mine`)."""
        limit = max_bytes()
        # from the index on size: the rows themselves (values first) are not read
        (total,) = db.execute("SELECT COALESCE(SUM(size), 0) FROM entries INDEXED BY entries_size").fetchone()
        if total <= limit:
            return
        goal = total - int(limit * 0.8)
        freed = 0
        doomed = []
        mine = self._mine
        for key, size in db.execute("SELECT key, size FROM entries ORDER BY used, key"):
            if key in mine:
                continue
            doomed.append(key)
            freed += size
            if freed >= goal:
                break
        db.executemany("DELETE FROM entries WHERE key = ?", [(k,) for k in doomed])

    def info(self) -> dict:
        def go(db):
            n, size = db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries").fetchone()
            meta = dict(db.execute("SELECT name, value FROM meta"))
            return n, size, meta
        n, size, meta = self._run(go)
        on_disk = 0
        for suffix in ("", "-wal"):
            try:
                on_disk += os.stat(str(self.path) + suffix).st_size
            except OSError:
                pass
        return {"path": str(self.path), "entries": n, "bytes": size, "file_bytes": on_disk, "limit_bytes": max_bytes(),
                "last_run": {k[len("last_run_"):]: int(v) for k, v in meta.items() if k.startswith("last_run_")}}

    def clear(self) -> int:
        def go(db):
            (n,) = db.execute("SELECT COUNT(*) FROM entries").fetchone()
            db.execute("DELETE FROM entries")
            db.execute("DELETE FROM meta")
            return n
        n = self._run(go)
        try:
            self._db.execute("VACUUM")
        except self._sqlite3.Error:
            pass  # another process reads it now; the rows are gone all the same
        return n

    def close(self) -> None:
        try:
            self._db.close()
        except self._sqlite3.Error:
            pass


# ---------------------------------------------------------------- typed results

class RecordCache:
    """Typed per-file results over a :class:`Store`: what the loader uses.

    ``value_types`` maps a kind of file to the type of its result; values are
    encoded with msgspec and decoded into exactly that type."""

    def __init__(self, store: Store, value_types: dict[str, Any], *, version: str | None = None,
                 codecs: Mapping[str, Any] | None = None) -> None:
        import msgspec

        #: per kind, an object with ``strip(value) -> undo`` and ``unstrip(value, undo)``
        #: (around encoding, in place) and ``share(decoded)`` (after decoding): values
        #: stored with parts elided that the decoder puts back (:mod:`okrctl.read.wire`)
        self._codecs = dict(codecs or {})
        self.store = store
        self.stats = RunStats()
        self._enabled = True
        self._types = value_types
        self._fp = fingerprint(tuple(value_types.values()), version)
        self._encoder = msgspec.msgpack.Encoder()
        self._plans = {k: _any_plan(t) for k, t in value_types.items()}
        self._decoders = {k: msgspec.msgpack.Decoder(t, ext_hook=ext_hook) for k, t in value_types.items()}
        self._msgspec = msgspec
        self._pending: list[tuple[bytes, bytes]] = []  # small rows, for flush
        self._big: list[tuple[bytes, bytes]] = []  # large rows, written in batches
        self._big_bytes = 0
        self._stored = 0
        self._wrote = False  # a batch was written since the last flush (eviction due)
        self._touched: list[bytes] = []

    def key(self, kind: str, sha: str, path: str, extra: str = "") -> bytes:
        return hashlib.blake2b(b"\0".join((self._fp, kind.encode(), sha.encode(), path.encode("utf-8", "surrogateescape"),
                                          extra.encode())), digest_size=20).digest()

    def get_many(self, kind: str, keys: list[bytes]) -> dict[bytes, Any]:
        """The decoded results found for ``keys`` (a missing, corrupt or
        undecodable row is simply absent)."""
        if not self._enabled or not keys:
            return {}
        try:
            rows = self.store.get_many(keys)
        except CacheUnavailable:
            self._enabled = False
            return {}
        dec = self._decoders[kind]
        codec = self._codecs.get(kind)
        out: dict[bytes, Any] = {}
        for k, (v, c) in rows.items():
            if c != _checksum(k, v):
                self.stats.corrupt += 1
                continue
            try:
                out[k] = dec.decode(v) if codec is None else codec.share(dec.decode(v))
            except (self._msgspec.DecodeError, ValueError, TypeError):
                self.stats.corrupt += 1
                continue
            self._touched.append(k)
        return out

    def put(self, kind: str, key: bytes, value: Any, encoded: bytes | None = None) -> None:
        """Remember ``value`` for ``key`` if it survives an exact encode/decode round
        trip.  ``encoded``: the bytes ``value`` was just decoded from by this kind's
        encoding (:mod:`okrctl.read.wire`: a forked worker's result), stored as they
        are — decoding them again gives ``value`` by construction, so nothing is
        encoded, decoded or compared.  Large rows are written in batches
        (:data:`BATCH_BYTES`) as they come, the rest by :meth:`flush`."""
        if not self._enabled:
            return
        data = encoded
        if data is None:
            codec = self._codecs.get(kind)
            try:
                plan = self._plans[kind]
                undo = codec.strip(value) if codec is not None else None
                try:
                    data = self._encoder.encode(_wrap(value, plan, to_ext) if plan else value)
                finally:
                    if codec is not None:
                        codec.unstrip(value, undo)
                back = self._decoders[kind].decode(data)
                if (back if codec is None else codec.share(back)) != value:
                    return
            except (TypeError, ValueError, OverflowError, self._msgspec.MsgspecError):
                return  # a value msgspec cannot carry exactly: not cached
        self._stored += 1
        if len(data) < BIG_ROW:
            self._pending.append((key, data))
            return
        self._big.append((key, data))
        self._big_bytes += len(data)
        if self._big_bytes >= BATCH_BYTES:
            self._write_big()

    def _write_big(self) -> None:
        rows, self._big, self._big_bytes = self._big, [], 0
        self._wrote = True
        try:
            self.store.write_rows(rows)
        except CacheUnavailable:
            self._enabled = False

    def flush(self) -> None:
        """Write the rows not yet written and this run's statistics (one transaction)."""
        if not self._enabled:
            return
        self.stats.stored, self._stored = self._stored, 0
        rows = self._pending + self._big
        try:
            self.store.write(rows, self._touched, self.stats, evict=bool(rows) or self._wrote)
        except CacheUnavailable:
            self._enabled = False
        self._pending, self._big, self._big_bytes = [], [], 0
        self._touched = []
        self._wrote = False


# ---------------------------------------------------------------- for the loader

class Documents(Mapping):
    """Parsed documents by path.  A file whose records came from the persistent
    cache was not parsed: its document is parsed again on first access."""

    def __init__(self) -> None:
        self._docs: dict[str, Any] = {}
        self._lazy: dict[str, Callable[[], Any]] = {}

    def __setitem__(self, path: str, doc: Any) -> None:
        self._docs[path] = doc

    def add_lazy(self, path: str, parse_again: Callable[[], Any]) -> None:
        self._lazy[path] = parse_again

    def __getitem__(self, path: str) -> Any:
        doc = self._docs.get(path)
        if doc is None:
            fn = self._lazy.pop(path)
            doc = fn()
            if doc is None:  # changed on disk since: no document to offer
                raise KeyError(path)
            self._docs[path] = doc
        return doc

    def __iter__(self) -> Iterator[str]:
        yield from self._docs
        yield from (p for p in list(self._lazy) if p not in self._docs)

    def __len__(self) -> int:
        return len(self._docs) + sum(1 for p in self._lazy if p not in self._docs)

    def __contains__(self, path: object) -> bool:
        return path in self._docs or path in self._lazy


class WithBytes:
    """A Source view that serves bytes already read (to hash them) once."""

    def __init__(self, source, data: dict[str, bytes]) -> None:
        self.source, self.data, self.label = source, data, source.label

    def list_files(self):
        return self.source.list_files()

    def read(self, path: str) -> bytes:
        data = self.data.pop(path, None)
        return self.source.read(path) if data is None else data

    def prefetch(self, paths=None) -> None:
        fn = getattr(self.source, "prefetch", None)
        if fn is not None:
            fn(paths)
