"""`okrctl validate` with one file changed since the last run: only that file is read
and checked again (read/incremental.py), and the output is byte for byte the output
of a run without cache."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import ROOT, run_okrctl_text
from gitutil import commit_all, init_repo, sample_in_git

sys.path.insert(0, str(ROOT / "bench"))
from gen_workspace import generate  # noqa: E402

CDS = "okrs/2026-Q1/so-khcn-cds.yaml"


def _run(*args: str):
    r = run_okrctl_text(*args)
    assert r.returncode in (0, 1), r.stderr
    return r


def _both(root: Path, *args: str) -> tuple[tuple[str, int], dict]:
    """The cached run's (stdout, exit code), checked equal to ``--no-cache``'s, and its
    ``cache info`` last run."""
    warm = _run("-C", str(root), "validate", *args)
    info = json.loads(_run("-C", str(root), "cache", "info", "--format", "json").stdout)["last_run"]
    off = _run("-C", str(root), "--no-cache", "validate", *args)
    assert (warm.stdout, warm.stderr, warm.returncode) == (off.stdout, off.stderr, off.returncode)
    return (warm.stdout, warm.returncode), info


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sample_cold_warm_and_one_file_changed_are_byte_identical(tmp_path, isolated_git):
    repo = sample_in_git(tmp_path / "repo")
    _edit(repo, "okrs/2026-Q1/so-khcn-qlcn.yaml", "aligns_to: 2026/ha-noi/O2", "aligns_to: 2026/ha-noi/O7")
    (out, code), info = _both(repo, "--format", "json")
    assert code == 1 and [d["code"] for d in json.loads(out)["diagnostics"]] == ["OKR211"]
    assert info["misses"] == 14
    assert _both(repo, "--format", "json")[1]["whole"] == 1
    # a check-in of another file: that file alone is read again
    _edit(repo, CDS, "confidence: 0.3,", "confidence: 0.35,")
    (again, code), info = _both(repo, "--format", "json")
    assert (again, code) == (out, 1) and (info["hits"], info["misses"], info["whole"]) == (13, 1, 0)
    # the objective so-khcn-cds aligns to is renamed: its error appears
    _edit(repo, "okrs/2026-Q1/so-khcn.yaml", "  - id: O1\n", "  - id: O9\n")
    (renamed, code), info = _both(repo, "--format", "json")
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(renamed)["diagnostics"]]
    assert (CDS, 14, "OKR211") in found and ("okrs/2026-Q1/so-khcn-qlcn.yaml", 14, "OKR211") in found
    assert (info["hits"], info["misses"]) == (13, 1)
    before = "0.35"
    for fmt, value in (("text", "0.36"), ("sarif", "0.37")):
        _edit(repo, CDS, f"confidence: {before},", f"confidence: {value},")
        before = value
        assert _both(repo, "--format", fmt)[1]["misses"] == 1


def test_generated_workspace_one_file_changed_is_byte_identical(tmp_path, isolated_git):
    ws = tmp_path / "gen"
    generate(ws, units=70, quarters=1, seed=7)  # ≥ 64 files: blob ids from git's index
    init_repo(ws)
    commit_all(ws, "init")
    first, _info = _both(ws, "--format", "json")
    changed = ws / "okrs/2025-Q1/so-0000.yaml"
    text = changed.read_text(encoding="utf-8")
    first_date = text[text.index("- date: ") + 8:][:10]
    # a check-in dated outside the quarter: an error in that file only
    changed.write_text(text.replace(f"- date: {first_date}", "- date: 2024-12-31", 1), encoding="utf-8")
    (out, code), info = _both(ws, "--format", "json")
    assert code == 1 and (info["hits"], info["misses"]) == (71, 1)
    assert [(d["path"], d["code"]) for d in json.loads(out)["diagnostics"]] == [("okrs/2025-Q1/so-0000.yaml", "OKR230")]
    changed.write_text(text, encoding="utf-8")
    assert _both(ws, "--format", "json")[0] == first
