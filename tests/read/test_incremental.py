"""Incremental checks (read/incremental.py): per-file summaries and cross-file check
results in the persistent cache.  A run re-reads and re-checks exactly what changed
and reports exactly what a load without cache reports."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from okrctl import checks
from okrctl.read import cache as C
from okrctl.read.loader import ParseCache, load_workspace, open_record_cache
from okrctl.read.source import WorkingTreeSource

TODAY = date(2026, 12, 31)
PERIOD_FILES = 12
CDS = "okrs/2026-Q1/so-khcn-cds.yaml"
SO_Q1 = "okrs/2026-Q1/so-khcn.yaml"


def _none(path: str) -> bool:
    return False


class _Counting(ParseCache):
    def __init__(self) -> None:
        super().__init__()
        self.parsed: list[str] = []

    def get(self, kind, sha, path, data):
        self.parsed.append(path)
        return super().get(kind, sha, path, data)


class Run:
    """One load with the cache at ``db``: what it parsed, which files it checked
    against the others, which rows it asked for."""

    def __init__(self, root: Path, db: Path, monkeypatch, today=TODAY, records=_none) -> None:
        rc = open_record_cache(C.Store(db))
        self.asked: dict[str, int] = {}
        get_many = rc.get_many

        def counting_get_many(kind, keys):
            if keys:
                self.asked[kind] = self.asked.get(kind, 0) + len(keys)
            return get_many(kind, keys)

        rc.get_many = counting_get_many  # type: ignore[method-assign]
        self.checked: list[str] = []
        real = checks.check_file

        def counting_check_file(pf, *a):
            self.checked.append(pf.path)
            return real(pf, *a)

        monkeypatch.setattr(checks, "check_file", counting_check_file)
        cache = _Counting()
        self.result = load_workspace(WorkingTreeSource(root), today=today, cache=cache, store=rc, records=records)
        monkeypatch.setattr(checks, "check_file", real)
        self.parsed = cache.parsed
        self.stats = rc.stats


def _cold(root: Path, today=TODAY):
    return load_workspace(WorkingTreeSource(root), today=today, cache=ParseCache())


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    return root


def test_nothing_changed_decodes_no_records_and_checks_nothing(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    first = Run(ws, db, monkeypatch)
    assert len(first.parsed) == 2 + PERIOD_FILES and len(first.checked) == PERIOD_FILES
    second = Run(ws, db, monkeypatch)
    assert (second.parsed, second.checked) == ([], [])
    # settings rows, then one summary and one check result per period file; no records
    assert second.asked == {"workspace": 1, "units": 1, "summary": PERIOD_FILES, "checked": PERIOD_FILES}
    assert second.result.workspace.files == ()
    assert [s.path for s in second.result.summaries] == sorted(s.path for s in first.result.summaries)
    assert second.result.summaries == first.result.summaries
    assert second.result.diagnostics == first.result.diagnostics == _cold(ws).diagnostics == []
    assert (second.stats.hits, second.stats.misses) == (2 + PERIOD_FILES, 0)


def test_a_checkin_edited_rereads_and_rechecks_only_that_file(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    Run(ws, db, monkeypatch)
    _edit(ws, CDS, "done: [khao-sat, thu-nghiem], confidence: 0.3,", "done: [khao-sat, thu-nghiem, ve-sau], confidence: 0.3,")
    run = Run(ws, db, monkeypatch)
    assert run.parsed == [CDS] and run.checked == [CDS]
    assert run.asked["okr-file"] == 1  # the changed file's row (a miss); no other file's records
    found = [(d.path, d.line, d.column, d.code) for d in run.result.diagnostics]
    assert found == [(CDS, 32, 13, "OKR223")]  # a milestone the KR does not define
    assert run.result.diagnostics == _cold(ws).diagnostics
    assert (run.stats.hits, run.stats.misses) == (2 + PERIOD_FILES - 1, 1)


def test_renaming_an_objective_others_align_to_rechecks_them(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    Run(ws, db, monkeypatch)
    _edit(ws, SO_Q1, "  - id: O1\n", "  - id: O9\n")
    run = Run(ws, db, monkeypatch)
    assert run.parsed == [SO_Q1]
    # the file's refs changed: every file is checked again (their records decoded from the cache)
    assert sorted(run.checked) == sorted(s.path for s in run.result.summaries) and len(run.checked) == PERIOD_FILES
    errors = [(d.path, d.line, d.column, d.code) for d in run.result.diagnostics if d.code == "OKR211"]
    assert errors == [(CDS, 14, 16, "OKR211")]
    assert run.result.diagnostics == _cold(ws).diagnostics
    # and back: the first run's rows serve again
    _edit(ws, SO_Q1, "  - id: O9\n", "  - id: O1\n")
    again = Run(ws, db, monkeypatch)
    assert (again.parsed, again.checked, again.result.diagnostics) == ([], [], [])


def test_units_yaml_changed_rechecks_every_file(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    Run(ws, db, monkeypatch)
    (ws / "units.yaml").write_text((ws / "units.yaml").read_text(encoding="utf-8") + "\n# một dòng chú thích\n", encoding="utf-8")
    run = Run(ws, db, monkeypatch)
    assert run.parsed == ["units.yaml"] and len(run.checked) == PERIOD_FILES
    assert run.result.diagnostics == _cold(ws).diagnostics == []


def test_another_day_rechecks_the_dates(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    Run(ws, db, monkeypatch)
    early = date(2026, 3, 30)  # two sample check-ins are dated 2026-03-31
    run = Run(ws, db, monkeypatch, today=early)
    assert run.parsed == [] and len(run.checked) == PERIOD_FILES
    future = [(d.path, d.code) for d in run.result.diagnostics]
    assert future and {c for _p, c in future} == {"OKR231"}
    assert run.result.diagnostics == _cold(ws, today=early).diagnostics
    assert Run(ws, db, monkeypatch).result.diagnostics == []


def test_records_of_some_files_only(ws, tmp_path, monkeypatch):
    db = tmp_path / "cache.sqlite"
    Run(ws, db, monkeypatch)
    q2 = lambda p: p.startswith("okrs/2026-Q2/")  # noqa: E731
    run = Run(ws, db, monkeypatch, records=q2)
    cold = _cold(ws)
    assert run.result.workspace.files == tuple(f for f in cold.workspace.files if q2(f.path))
    assert len(run.result.workspace.files) == 6 and run.parsed == []
    assert run.asked["okr-file"] == 6 and run.asked["summary"] == 6
    assert run.result.diagnostics == cold.diagnostics
    # the default: every file's records, as before
    full = Run(ws, db, monkeypatch, records=None)
    assert full.result.workspace == cold.workspace and "summary" not in full.asked


def test_a_row_of_the_first_layout_is_dropped(tmp_path):
    """A cache written by the first layout (a WITHOUT ROWID table) is started again."""
    import sqlite3

    db = tmp_path / "cache.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE entries (key BLOB PRIMARY KEY, value BLOB NOT NULL, checksum BLOB NOT NULL, "
                "size INTEGER NOT NULL, used INTEGER NOT NULL) WITHOUT ROWID")
    con.execute("INSERT INTO entries VALUES (x'01', x'02', x'03', 1, 1)")
    con.commit()
    con.close()
    store = C.Store(db)
    assert store.info()["entries"] == 0
    sql = sqlite3.connect(db).execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    assert "WITHOUT ROWID" not in sql.upper()


#: edits that each touch a different input of the cross-file checks; applied or undone
EDITS = [
    (CDS, "confidence: 0.3,", "confidence: 0.35,"),  # a check-in
    (SO_Q1, "  - id: O1\n", "  - id: O9\n"),  # an objective others align to
    (CDS, "aligns_to: so-khcn/O1 ", "aligns_to: so-khcn-cds/O1 "),  # aligns to itself
    ("okrs/2026-Q1/so-khcn-qlcn.yaml", "aligns_to: 2026/ha-noi/O2", "aligns_to: 2026/ha-noi/O7"),  # to nothing
    (CDS, "{date: 2026-03-31, done:", "{date: 2026-04-02, done:"),  # a date outside the period
    ("okrs/2026/ha-noi.yaml", "objectives:\n", "objectives: [\n"),  # a file that does not parse
    ("units.yaml", "units:\n", "# edited\nunits:\n"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.integers(0, len(EDITS) - 1), min_size=1, max_size=4))
def test_any_sequence_of_edits_reports_what_a_cold_load_reports(tmp_path_factory, monkeypatch, steps):
    root = tmp_path_factory.mktemp("ws") / "ws"
    shutil.copytree(SAMPLE, root)
    db = root.parent / "cache.sqlite"
    Run(root, db, monkeypatch)
    for i in steps:
        rel, old, new = EDITS[i]
        text = (root / rel).read_text(encoding="utf-8")
        (root / rel).write_text(text.replace(old, new, 1) if old in text else text.replace(new, old, 1), encoding="utf-8")
        run = Run(root, db, monkeypatch)
        assert run.result.diagnostics == _cold(root).diagnostics
        assert run.result.summaries == Run(root, db, monkeypatch, records=None).result.summaries
