"""The persistent cache of per-file results (read/cache.py): hits, misses,
invalidation, damage, two processes at once, and warm == cold."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from okrctl.read import cache as C
from okrctl.read import loader
from okrctl.read.loader import CACHED_TYPES, ParseCache, load_workspace, open_record_cache
from okrctl.read.source import WorkingTreeSource

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_workspace import generate  # noqa: E402
from writeutil import run_writers_together  # noqa: E402

NFILES = 14  # okrctl.yaml, units.yaml and the sample's 12 period files


def _load(root: Path, db: Path, **kw):
    rc = kw.pop("rc", None) or open_record_cache(C.Store(db))
    res = load_workspace(WorkingTreeSource(root), cache=ParseCache(), store=rc, **kw)
    return res, rc.stats


def _cold(root: Path):
    return load_workspace(WorkingTreeSource(root), cache=ParseCache())


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    return root


def test_second_run_hits_every_file_and_equals_a_cold_load(ws, tmp_path):
    db = tmp_path / "c" / "cache.sqlite"
    first, s1 = _load(ws, db)
    second, s2 = _load(ws, db)
    # each period file: its records, its summary and its cross-file check results
    assert (s1.hits, s1.misses, s1.stored) == (0, NFILES, 2 + 3 * (NFILES - 2))
    assert (s2.hits, s2.misses, s2.stored) == (NFILES, 0, 0)
    cold = _cold(ws)
    assert second.workspace == cold.workspace == first.workspace
    assert second.diagnostics == cold.diagnostics
    # a document not parsed this run is parsed on demand
    assert set(second.documents) == set(cold.documents)
    assert second.documents["okrctl.yaml"].value == cold.documents["okrctl.yaml"].value
    info = C.Store(db).info()
    assert info["entries"] == 2 + 3 * (NFILES - 2)
    assert info["last_run"] == {"hits": NFILES, "misses": 0, "corrupt": 0, "whole": 0, "at": info["last_run"]["at"]}


def test_an_edit_misses_that_file_only_and_is_seen(ws, tmp_path):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    f = ws / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("key_results:", "key_result:", 1), encoding="utf-8")
    res, s = _load(ws, db)
    assert (s.hits, s.misses) == (NFILES - 1, 1)
    assert res.diagnostics == _cold(ws).diagnostics
    assert any(d.path == "okrs/2026-Q2/so-khcn-cds.yaml" and d.code == "OKR102" for d in res.diagnostics)


def test_the_same_bytes_under_another_path_are_another_entry(ws, tmp_path):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    (ws / "okrs/2026-Q2/so-khcn-cds.yaml").rename(ws / "okrs/2026-Q2/so-tc.yaml")
    res, s = _load(ws, db)
    assert s.misses == 1
    assert res.diagnostics == _cold(ws).diagnostics
    assert any(d.code == "OKR112" for d in res.diagnostics)  # unit: disagrees with the new path


def test_a_new_okrctl_version_misses_everything(ws, tmp_path):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    res, s = _load(ws, db, rc=C.RecordCache(C.Store(db), CACHED_TYPES, version="99.0"))
    assert (s.hits, s.misses) == (0, NFILES)
    assert res.workspace == _cold(ws).workspace


def test_a_changed_schema_misses_everything(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    real = C.schema_bytes
    monkeypatch.setattr(C, "schema_bytes", lambda: real() + b" ")
    _, s = _load(ws, db)
    assert (s.hits, s.misses) == (0, NFILES)


def test_a_changed_record_type_misses_everything(ws, tmp_path):
    """Another field in a record (h-fastread's Loc, say) is another fingerprint."""
    from dataclasses import make_dataclass

    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    other = make_dataclass("Loc2", [("path", str), ("line", int)], frozen=True)
    types = dict(CACHED_TYPES, extra=other)
    _, s = _load(ws, db, rc=C.RecordCache(C.Store(db), types))
    assert (s.hits, s.misses) == (0, NFILES)


def test_damaged_rows_are_misses_and_are_rebuilt(ws, tmp_path):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT key, value FROM entries ORDER BY key").fetchall()
    # flip one byte in the middle of every other value (the checksum catches it)
    for key, value in rows[::2]:
        v = bytearray(value)
        v[len(v) // 2] ^= 0x55
        con.execute("UPDATE entries SET value = ? WHERE key = ?", (bytes(v), key))
    # and one row whose checksum was fixed up to match bytes that do not decode
    key, value = rows[1]
    bad = b"\xc1" + value[1:]
    con.execute("UPDATE entries SET value = ?, checksum = ? WHERE key = ?", (bad, C._checksum(key, bad), key))
    con.commit()
    con.close()
    damaged = [k for k, _v in rows[::2]] + [key]
    # a load of every file reads every kind of row but the summaries; a damaged
    # settings or records row is a miss (the file is read again), a damaged check
    # result is computed again from the records
    kinds = _kinds(rows)
    read = [k for k in damaged if kinds[k] != "summary"]
    misses = [k for k in damaged if kinds[k] in ("workspace", "units", "okr-file")]
    assert len(read) > len(misses) > 0
    res, s = _load(ws, db)
    assert (s.corrupt, s.misses, s.hits) == (len(read), len(misses), NFILES - len(misses))
    assert res.workspace == _cold(ws).workspace
    assert res.diagnostics == _cold(ws).diagnostics
    _, s = _load(ws, db)
    assert (s.corrupt, s.hits) == (0, NFILES)


def _kinds(rows) -> dict[bytes, str]:
    """The kind of each (undamaged) row, told by the type it decodes into."""
    import msgspec

    out = {}
    for key, value in rows:
        for kind in ("checked", "summary", "okr-file", "workspace", "units", "result"):
            try:
                msgspec.msgpack.decode(value, type=CACHED_TYPES[kind], ext_hook=lambda c, d: None)
            except (msgspec.DecodeError, msgspec.ValidationError):
                continue
            out[key] = kind
            break
    assert len(out) == len(rows)
    return out


def test_a_file_that_is_not_a_database_is_replaced(ws, tmp_path):
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    db.write_bytes(b"this is not a database" * 100)
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    res, s = _load(ws, db)
    assert s.misses == NFILES and res.workspace == _cold(ws).workspace
    assert C.Store(db).info()["entries"] == 2 + 3 * (NFILES - 2)


def test_a_symlinked_cache_folder_or_file_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    with pytest.raises(C.CacheUnavailable, match="symbolic link"):
        C.Store(tmp_path / "linked" / "cache.sqlite")
    real = tmp_path / "real"
    real.mkdir()
    (real / "cache.sqlite").symlink_to(elsewhere / "x.sqlite")
    with pytest.raises(C.CacheUnavailable, match="symbolic link"):
        C.Store(real / "cache.sqlite")
    assert list(elsewhere.iterdir()) == []


def test_untyped_fields_keep_their_exact_types(tmp_path):
    """Rebaseline.from_/to are typed ``object``: a Decimal, a date, a tuple there come
    back as themselves (not as the strings and lists msgspec would give)."""
    from datetime import date
    from decimal import Decimal

    from okrctl.model.records import Loc, Rebaseline

    rc = C.RecordCache(C.Store(tmp_path / "c.sqlite"), {"rb": tuple[Rebaseline, ...]})
    loc = Loc("p", 1, 1)
    value = (Rebaseline(date(2026, 1, 1), "title", "a", "b", "r", "x", loc),
             Rebaseline(date(2026, 1, 1), "target", Decimal("1.50"), 2, "r", "x", loc),
             Rebaseline(date(2026, 1, 1), "due", date(2026, 3, 1), None, "r", "x", loc),
             Rebaseline(date(2026, 1, 1), "x", (True, Decimal("-0")), {"k": [1, "2"]}, "r", "x", loc))
    rc.put("rb", b"k1", value)
    rc.flush()
    assert rc.stats.stored == 1
    got = rc.get_many("rb", [b"k1"])[b"k1"]
    assert got == value
    assert [type(r.from_) for r in got] == [str, Decimal, date, tuple] and str(got[1].from_) == "1.50"
    assert type(got[3].to["k"]) is list


def test_a_value_that_does_not_round_trip_exactly_is_not_stored(tmp_path):
    from okrctl.model.records import Loc

    rc = C.RecordCache(C.Store(tmp_path / "c.sqlite"), {"loc": Loc})
    rc.put("loc", b"k1", Loc("p", 1, 1))
    rc.put("loc", b"k2", Loc("p", True, 1))  # type: ignore[arg-type]  # a bool where an int belongs
    rc.flush()
    assert rc.stats.stored == 1
    assert rc.get_many("loc", [b"k1", b"k2"]) == {b"k1": Loc("p", 1, 1)}


def test_a_value_too_large_for_messagepack_is_not_stored(tmp_path):
    from okrctl.model.records import Loc

    rc = C.RecordCache(C.Store(tmp_path / "c.sqlite"), {"loc": Loc})
    rc.put("loc", b"k1", Loc("p", 2**70, 1))  # past 64 bits: msgspec raises OverflowError
    rc.flush()
    assert rc.stats.stored == 0
    assert rc.get_many("loc", [b"k1"]) == {}


def test_eviction_keeps_the_cache_under_its_limit_but_never_the_runs_own_rows(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("OKRCTL_CACHE_MAX_MB", "0")  # every write evicts down to 80% of 0
    db = tmp_path / "cache.sqlite"
    _load(ws, db)
    first = {bytes(k) for (k,) in sqlite3.connect(db).execute("SELECT key FROM entries")}
    assert len(first) == 2 + 3 * (NFILES - 2)  # this run's rows: kept, whatever the limit
    f = ws / "okrs" / "2026-Q2" / "so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("title:", "title: Đổi", 1), encoding="utf-8")
    _, s = _load(ws, db)  # a new process: keeps what it read and wrote, evicts the rest
    assert (s.hits, s.misses, s.stored) == (NFILES - 1, 1, 3)
    now = {bytes(k) for (k,) in sqlite3.connect(db).execute("SELECT key FROM entries")}
    # read: the settings' rows and the other 11 files' records and check results (every
    # record is asked for, so no summary is read); written: the edited file's 3 rows
    assert len(now) == 2 + 2 * (NFILES - 3) + 3 and len(now - first) == 3
    f.write_text(f.read_text(encoding="utf-8").replace("title: Đổi", "title:", 1), encoding="utf-8")
    _, s = _load(ws, db)
    assert (s.hits, s.misses) == (NFILES - 1, 1)


def test_a_later_write_of_the_same_process_never_evicts_its_earlier_rows(tmp_path, monkeypatch):
    """``validate`` flushes the loader's rows, then its whole-result row; ``score``
    writes its output row through a second RecordCache over the same Store."""
    from okrctl.model.records import Loc

    monkeypatch.setenv("OKRCTL_CACHE_MAX_MB", "0")
    store = C.Store(tmp_path / "c.sqlite")
    a, b = C.RecordCache(store, {"loc": Loc}), C.RecordCache(store, {"loc": Loc})
    a.put("loc", b"a", Loc("p", 1, 1))
    a.flush()
    b.put("loc", b"b", Loc("p", 2, 1))
    b.flush()
    assert C.Store(tmp_path / "c.sqlite").info()["entries"] == 2
    other = C.RecordCache(C.Store(tmp_path / "c.sqlite"), {"loc": Loc})  # the next process
    other.put("loc", b"c", Loc("p", 3, 1))
    other.flush()
    assert other.get_many("loc", [b"a", b"b", b"c"]) == {b"c": Loc("p", 3, 1)}


def test_large_rows_are_written_in_batches_during_the_load(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    generate(root, units=loader.PARALLEL_MIN_FILES + 2, quarters=1, seed=3)
    monkeypatch.setenv("OKRCTL_JOBS", "2")
    monkeypatch.setattr(loader, "_parallel_workers", lambda n: 1)
    monkeypatch.setattr(C, "BATCH_BYTES", 200_000)  # a few period files' records per batch
    db = tmp_path / "cache.sqlite"
    rc = open_record_cache(C.Store(db))
    batches: list[int] = []
    real = rc.store.write_rows
    seen: list[int] = []

    def write_rows(rows):
        batches.append(len(rows))
        real(rows)
        # written and committed now: another connection sees them before the load ends
        seen.append(sqlite3.connect(db).execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    rc.store.write_rows = write_rows  # type: ignore[method-assign]
    first = load_workspace(WorkingTreeSource(root), cache=ParseCache(), store=rc, parallel=True)
    nperiod = loader.PARALLEL_MIN_FILES + 2
    # the period files' records and units.yaml's: the large rows (summaries and check results wait)
    assert len(batches) >= 5 and sum(batches) <= nperiod + 1 and seen == sorted(seen) and seen[0] == batches[0]
    assert rc.stats.stored == 2 + 3 * nperiod
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    assert rows == 2 + 3 * nperiod
    second, s = _load(root, db)
    assert (s.hits, s.misses) == (nperiod + 2, 0)
    cold = _cold(root)
    assert second.workspace == first.workspace == cold.workspace
    assert second.diagnostics == first.diagnostics == cold.diagnostics


def test_a_workers_bytes_are_stored_as_they_came_and_are_the_caches_own_encoding(tmp_path, monkeypatch):
    """The forked worker's MessagePack is stored without being encoded, decoded and
    compared again here: it must be exactly what put() would have stored."""
    root = tmp_path / "ws"
    generate(root, units=loader.PARALLEL_MIN_FILES + 2, quarters=1, seed=5)
    monkeypatch.setenv("OKRCTL_JOBS", "2")
    monkeypatch.setattr(loader, "_parallel_workers", lambda n: 1)
    db = tmp_path / "cache.sqlite"
    rc = open_record_cache(C.Store(db))
    given: list[bool] = []
    real_put = rc.put

    def put(kind, key, value, encoded=None):
        if kind == "okr-file":
            given.append(encoded is not None)
        real_put(kind, key, value, encoded)

    rc.put = put  # type: ignore[method-assign]
    first = load_workspace(WorkingTreeSource(root), cache=ParseCache(), store=rc, parallel=True)
    nperiod = loader.PARALLEL_MIN_FILES + 2
    assert len(given) == nperiod and 0 < given.count(True) < nperiod  # the worker's share came as bytes
    plain = open_record_cache(C.Store(tmp_path / "plain.sqlite"))
    monkeypatch.setattr(C, "BATCH_BYTES", 1 << 40)  # plain's rows stay in _big, to be looked at
    import msgspec

    from okrctl.read.wire import Codec

    dec = rc._decoders["okr-file"]
    values = []
    with sqlite3.connect(db) as con:
        for (v,) in con.execute("SELECT value FROM entries WHERE size > 4096"):  # units.yaml's row too
            try:
                values.append((bytes(v), Codec.share(dec.decode(v))))
            except msgspec.ValidationError:
                continue
    assert len(values) == nperiod
    for v, value in values:
        assert value[0].objectives[0].loc.path == value[0].path  # elided in the row, put back
        assert b"\xa4path\xa1\x00" in v and value[0].path.encode() not in v[200:]
        plain.put("okr-file", b"x", value)
        assert plain._big[-1][1] == v  # put()'s own encoding of the decoded value: the same bytes
    second, s = _load(root, db)
    assert (s.hits, s.misses) == (nperiod + 2, 0)
    assert second.workspace == first.workspace == _cold(root).workspace


_WRITER = """
import sys, shutil
from pathlib import Path
from okrctl.read import cache as C
from okrctl.read.loader import ParseCache, load_workspace, open_record_cache
from okrctl.read.source import WorkingTreeSource
target, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
root = target.parent / who
(target.parent / f"ready-{who}").touch()
while not go.exists():
    pass
for _ in range(5):
    rc = open_record_cache(C.Store(target))
    res = load_workspace(WorkingTreeSource(root), cache=ParseCache(), store=rc)
    assert res.workspace is not None and len(res.workspace.files) == 12
"""


def test_two_processes_write_at_once(tmp_path):
    db = tmp_path / "cache.sqlite"
    for who in ("p1", "p2"):
        shutil.copytree(SAMPLE, tmp_path / who)
    # p2's files differ from p1's, so both add entries at the same time
    f = tmp_path / "p2" / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# p2\n", encoding="utf-8")
    g = tmp_path / "p2" / "units.yaml"
    g.write_text(g.read_text(encoding="utf-8") + "\n# p2\n", encoding="utf-8")
    run_writers_together(_WRITER, db, tmp_path)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # p1's rows; p2's units.yaml, changed file (records and summary), and the check
    # results of all 12 period files (units.yaml is part of their context)
    assert con.execute("SELECT COUNT(*) FROM entries").fetchone() == (2 + 3 * (NFILES - 2) + 1 + 2 + 12,)
    con.close()
    _, s = _load(tmp_path / "p2", db)
    assert (s.hits, s.corrupt) == (NFILES, 0)


# --------------------------------------------------------------- warm == cold (generated)

def _mutate(root: Path, files: list[Path], picks: list[int]) -> None:
    """Break a few files in ways that give diagnostics of every stage."""
    for n, i in enumerate(picks):
        f = files[i % len(files)]
        text = f.read_text(encoding="utf-8")
        f.write_text([text.replace("target:", "taget:", 1), text + "\n  bad: [\n", text.replace("baseline:", "baseline: x #", 1),
                      text.replace("objectives:", "objectives: 3\nx:", 1)][n % 4], encoding="utf-8")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=st.integers(2, 6), quarters=st.integers(1, 2), seed=st.integers(0, 10_000),
       picks=st.lists(st.integers(0, 50), max_size=3))
def test_warm_equals_cold_on_generated_workspaces(tmp_path_factory, units, quarters, seed, picks):
    root = tmp_path_factory.mktemp("gen") / "ws"
    files = generate(root, units=units, quarters=quarters, seed=seed)
    _mutate(root, files, picks)
    db = root.parent / "cache.sqlite"
    cold = _cold(root)
    first, _ = _load(root, db, today=cold.workspace.config.as_of if cold.workspace else None)
    warm, s = _load(root, db, today=cold.workspace.config.as_of if cold.workspace else None)
    assert s.misses == 0
    assert warm.workspace == first.workspace
    assert warm.diagnostics == first.diagnostics
    plain = load_workspace(WorkingTreeSource(root), cache=ParseCache(),
                           today=cold.workspace.config.as_of if cold.workspace else None)
    assert warm.diagnostics == plain.diagnostics and warm.workspace == plain.workspace


def test_cached_messages_stay_translatable(tmp_path):
    """A diagnostic's message is stored as its message id and arguments, so a warm run
    in Vietnamese prints Vietnamese (not the English of the run that filled the cache)."""
    from okrctl.model.messages import Msg, _, tr
    from okrctl.model.problems import Problem

    rc = open_record_cache(C.Store(tmp_path / "cache.sqlite"))
    msg = _("unknown key {key}; did you mean {hint}?").format(key="titel", hint=_("title"))
    value = (None, [Problem.make("OKR101", "okrs/2026-Q2/x.yaml", 3, 5, msg)])
    key = rc.key("okr-file", "0" * 40, "okrs/2026-Q2/x.yaml")
    rc.put("okr-file", key, value)
    rc.flush()
    got = open_record_cache(C.Store(tmp_path / "cache.sqlite")).get_many("okr-file", [key])[key]
    back = got[1][0].message
    assert isinstance(back, Msg)
    assert (back.msgid, back.args["key"], back.args["hint"].msgid) == (msg.msgid, "titel", "title")
    assert str(back) == str(msg) == "unknown key titel; did you mean title?"
    assert tr(back, "vi") == tr(msg, "vi")


def test_a_cached_records_position_reads_only_its_own_blob(tmp_path, isolated_git):
    """A record from the cache has a lazy position: asking for its line reads that
    file's blob again, and only that one (not the whole tree of the revision)."""
    from gitutil import sample_in_git
    from okrctl import gitio

    repo = gitio.Repo.discover(sample_in_git(tmp_path / "repo"))
    head = repo.resolve("HEAD")
    db = tmp_path / "c" / "cache.sqlite"
    cold = load_workspace(gitio.GitTreeSource(repo, head, ""), cache=ParseCache(),
                          store=open_record_cache(C.Store(db)))
    source = gitio.GitTreeSource(repo, head, "")
    warm = load_workspace(source, cache=ParseCache(), store=open_record_cache(C.Store(db)))
    assert source._blobs == {}  # every file came from the cache
    pf = next(f for f in warm.workspace.files if f.path == "okrs/2026-Q2/so-khcn.yaml")
    want = next(f for f in cold.workspace.files if f.path == pf.path)
    loc, cold_loc = pf.objectives[1].key_results[0].loc, want.objectives[1].key_results[0].loc
    assert (loc.line, loc.column) == (cold_loc.line, cold_loc.column) and loc.line > 1
    assert list(source._blobs) == [pf.sha]
