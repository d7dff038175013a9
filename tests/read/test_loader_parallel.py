"""The parallel load path gives exactly what the one-process path gives."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from okrctl.read import loader
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_workspace import generate  # noqa: E402


@pytest.fixture(scope="module")
def big_ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big") / "ws"
    files = generate(root, units=loader.PARALLEL_MIN_FILES + 2, quarters=1, seed=7)
    # a few broken files, so diagnostics travel back from the worker too
    files[3].write_text(files[3].read_text(encoding="utf-8").replace("baseline:", "basline:", 1), encoding="utf-8")
    files[-1].write_bytes(b"objectives: [\n")
    return root


def test_parallel_equals_serial(big_ws, monkeypatch):
    monkeypatch.setenv("OKRCTL_JOBS", "2")
    serial = load_workspace(WorkingTreeSource(big_ws), cache=ParseCache())
    calls = []
    real = loader._load_in_parallel
    monkeypatch.setattr(loader, "_parallel_workers", lambda n: 1)
    monkeypatch.setattr(loader, "_load_in_parallel", lambda *a, **k: calls.append(a[-1]) or real(*a, **k))
    parallel = load_workspace(WorkingTreeSource(big_ws), cache=ParseCache(), parallel=True)
    assert calls == [1]
    assert parallel.diagnostics == serial.diagnostics
    assert {d.code for d in serial.diagnostics} == {"OKR101", "OKR102", "OKR002"}
    assert parallel.workspace == serial.workspace
    assert len(parallel.workspace.files) == loader.PARALLEL_MIN_FILES + 2 - 2  # the two broken files are left out


def test_few_files_stay_in_one_process(monkeypatch):
    monkeypatch.setenv("OKRCTL_JOBS", "4")
    assert loader._parallel_workers(loader.PARALLEL_MIN_FILES - 1) == 0
    monkeypatch.setenv("OKRCTL_JOBS", "1")
    assert loader._parallel_workers(10_000) == 0


def test_records_pickle_positionally(big_ws):
    ws = load_workspace(WorkingTreeSource(big_ws), cache=ParseCache()).workspace
    pf = ws.files[0]
    assert pickle.loads(pickle.dumps(pf)) == pf
    assert pf.__reduce__()[0] is type(pf)
