"""A parallel load keeps no period file's document, and every record's position is
still found (read again from the file) for the files of both processes."""

from __future__ import annotations

import sys
from pathlib import Path

from okrctl.read import loader
from okrctl.read import parallel as par
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_workspace import generate  # noqa: E402


def test_parallel_load_keeps_no_documents_and_positions_resolve(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    generate(root, units=loader.PARALLEL_MIN_FILES + 3, quarters=1, seed=5)
    serial = load_workspace(WorkingTreeSource(root), cache=ParseCache())
    monkeypatch.setattr(loader, "_parallel_workers", lambda n: 1)
    monkeypatch.setattr(par, "_CHUNK", 5)  # several messages from the worker
    cache = ParseCache()
    parallel = load_workspace(WorkingTreeSource(root), cache=cache, parallel=True)
    assert parallel.workspace == serial.workspace and parallel.diagnostics == serial.diagnostics
    kinds = sorted(kind for kind, _sha in cache._entries)
    assert kinds == ["units", "workspace"]  # okrctl.yaml and units.yaml only
    for a, b in zip(parallel.workspace.files[:4], serial.workspace.files[:4]):  # both processes' files
        ca, cb = a.objectives[1].key_results[2].checkins[3], b.objectives[1].key_results[2].checkins[3]
        assert (ca.loc.line, ca.loc.column) == (cb.loc.line, cb.loc.column)
        assert ca.loc.line > 1


def test_documents_already_parsed_are_used(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    generate(root, units=loader.PARALLEL_MIN_FILES + 1, quarters=1, seed=6)
    cache = ParseCache()
    load_workspace(WorkingTreeSource(root), cache=cache)  # one process: every document kept
    before = len(cache._entries)
    parsed = []
    real = loader.parse
    monkeypatch.setattr(loader, "parse", lambda *a: parsed.append(a[1]) or real(*a), raising=False)
    monkeypatch.setattr(loader, "_parallel_workers", lambda n: 1)
    load_workspace(WorkingTreeSource(root), cache=cache, parallel=True)
    assert len(cache._entries) == before
    assert parsed == []
