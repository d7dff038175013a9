"""score's and rollup's warm path: the whole output of the last run over the same
files and options, written without decoding a file (okrctl.cli.scorewarm).  A
warm run must give exactly the bytes, the standard error and the exit code of a
run without the cache."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_okrctl_text
from gitutil import commit_all, init_repo, sample_in_git

sys.path.insert(0, str(ROOT / "bench"))
from gen_workspace import generate  # noqa: E402

COMMANDS = (("score",), ("rollup",), ("rollup", "--by", "alignment"), ("rollup", "--depth", "1"))
FORMATS = ("table", "json", "csv", "md")
BROKEN = "okrs/2026-Q2/so-khcn.yaml"
TYPO = ("    title: Chuyển đổi số toàn diện", "    titel: Chuyển đổi số toàn diện")


@pytest.fixture
def repo(tmp_path, isolated_git) -> Path:
    return sample_in_git(tmp_path / "repo")


def last_run(root: Path) -> dict:
    r = run_okrctl_text("-C", str(root), "cache", "info", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["last_run"]


def cached(root: Path, *args: str, env: dict | None = None) -> tuple[tuple[str, str, int], int]:
    """((stdout, stderr, exit code), 1 if the output came whole from the cache)."""
    r = run_okrctl_text("-C", str(root), *args, env=env)
    assert r.returncode in (0, 1), r.stderr
    return (r.stdout, r.stderr, r.returncode), last_run(root).get("whole", 0)


def uncached(root: Path, *args: str, env: dict | None = None) -> tuple[str, str, int]:
    r = run_okrctl_text("-C", str(root), "--no-cache", *args, env=env)
    return r.stdout, r.stderr, r.returncode


def test_every_command_and_format_warm_is_byte_identical_to_cold(repo):
    for command in COMMANDS:
        for fmt in FORMATS:
            args = (*command, "--format", fmt)
            first, whole_first = cached(repo, *args)
            second, whole_second = cached(repo, *args)
            assert (whole_first, whole_second) == (0, 1), args
            assert first == second == uncached(repo, *args), args
            assert first[2] == 0 and first[0]


def test_the_output_file_is_written_on_a_warm_run(repo, tmp_path):
    outs = []
    for label in ("cold", "warm"):
        out = tmp_path / f"{label}.txt"
        (_stdout, _err, rc), whole = cached(repo, "score", "-o", str(out))
        assert (rc, whole) == (0, label == "warm")
        outs.append(out.read_bytes())
    off = tmp_path / "off.txt"
    assert uncached(repo, "score", "-o", str(off))[2] == 0
    assert outs[0] == outs[1] == off.read_bytes()
    assert b"\x1b" not in outs[0] and len(outs[0].decode().splitlines()[3]) <= 140


def test_a_partial_result_replays_its_exit_code_details_and_note(repo):
    path = repo / BROKEN
    path.write_text(path.read_text(encoding="utf-8").replace(*TYPO), encoding="utf-8")
    for args, rc in ((("score", "--format", "json"), 1), (("rollup",), 1),
                     (("score", "--unit", "so-khcn-cds"), 0)):
        first, w1 = cached(repo, *args)
        second, w2 = cached(repo, *args)
        assert (w1, w2) == (0, 1), args
        assert first == second == uncached(repo, *args)
        assert first[2] == rc
        if rc:
            assert "OKR102" in first[1] and first[1].endswith("(files with errors; fix them first: okrctl validate)\n")
        else:
            assert first[1] == f"okrctl: note: {path} has errors; the units shown do not depend on it\n"


def test_the_note_names_files_as_seen_from_the_current_directory(repo):
    path = repo / BROKEN
    path.write_text(path.read_text(encoding="utf-8").replace(*TYPO), encoding="utf-8")
    args = ("score", "--unit", "so-khcn-cds")
    outside = run_okrctl_text("-C", "repo", *args, cwd=repo.parent)
    assert outside.stderr == "okrctl: note: repo/okrs/2026-Q2/so-khcn.yaml has errors; the units shown do not depend on it\n"
    inside = run_okrctl_text(*args, cwd=repo)
    assert inside.stderr == "okrctl: note: okrs/2026-Q2/so-khcn.yaml has errors; the units shown do not depend on it\n"
    assert inside.stdout == outside.stdout and inside.returncode == outside.returncode == 0
    assert last_run(repo)["whole"] == 0  # another directory: another row
    assert run_okrctl_text(*args, cwd=repo).stderr == inside.stderr and last_run(repo)["whole"] == 1


def test_what_changes_the_output_is_never_answered_from_the_cache(repo):
    base, _ = cached(repo, "score")
    assert cached(repo, "score")[1] == 1
    variants = [
        (("score", "--as-of", "2026-04-30"), None),
        (("score", "--unit", "so-khcn"), None),
        (("score", "--locale", "en"), None),
        (("score", "--period", "2026-Q2"), None),  # the default period spelt out: same output, its own row
        (("score",), {"COLUMNS": "80"}),
        (("score",), {"OKRCTL_LOCALE": "vi"}),
        (("rollup",), None),
    ]
    for args, env in variants:
        first, whole = cached(repo, *args, env=env)
        assert whole == 0, (args, env)
        assert first == uncached(repo, *args, env=env), (args, env)
        assert cached(repo, *args, env=env) == (first, 1), (args, env)
    assert cached(repo, "score")[0] == base  # the first row is still there
    # an edit (dirty file, then committed), and the scoring date in okrctl.yaml
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("value: 120,", "value: 130,", 1), encoding="utf-8")
    edited, whole = cached(repo, "score", "--format", "json")
    assert whole == 0 and edited == uncached(repo, "score", "--format", "json")
    commit_all(repo, "edit")
    assert cached(repo, "score", "--format", "json") == (edited, 1)  # committed: the same bytes, the same row
    cfg = repo / "okrctl.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("as_of: 2026-05-15", "as_of: 2026-05-01"), encoding="utf-8")
    moved, whole = cached(repo, "score", "--format", "json")
    assert whole == 0 and moved[0] != edited[0]
    assert json.loads(moved[0])["as_of"] == "2026-05-01"
    assert moved == uncached(repo, "score", "--format", "json")


def test_a_revision_is_its_own_row_and_follows_its_tree(repo):
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    committed = uncached(repo, "score", "--rev", "HEAD", "--format", "json")
    f.write_text(f.read_text(encoding="utf-8").replace("value: 120,", "value: 130,", 1), encoding="utf-8")
    first, whole = cached(repo, "score", "--rev", "HEAD", "--format", "json")
    assert (first, whole) == (committed, 0)
    assert cached(repo, "score", "--rev", "HEAD", "--format", "json") == (committed, 1)
    dirty, whole = cached(repo, "score", "--format", "json")  # the working tree: another row
    assert whole == 0 and dirty != committed and dirty == uncached(repo, "score", "--format", "json")
    commit_all(repo, "edit")
    assert cached(repo, "score", "--rev", "HEAD", "--format", "json") == (dirty, 0)  # HEAD moved: its new tree


def test_a_corrupt_row_is_not_trusted(repo):
    import sqlite3

    first, _ = cached(repo, "score")
    db = sqlite3.connect(repo / ".git" / "okrctl" / "cache.sqlite")
    with db:
        db.execute("UPDATE entries SET value = CAST(REPLACE(CAST(value AS TEXT), 'KR1', 'KR9') AS BLOB)"
                   " WHERE instr(value, CAST('KR1' AS BLOB)) > 0")
    db.close()
    again, whole = cached(repo, "score")
    assert again == first and whole == 0


def test_the_code_that_renders_is_in_the_key():
    import os

    import okrctl
    from okrctl.cli.scorewarm import code_fingerprint

    before = code_fingerprint()
    for module in ("render/plain.py", "engine/scoring.py", "reports/score_tables.py", "locale/vi/LC_MESSAGES/okrctl.mo"):
        path = os.path.join(os.path.dirname(okrctl.__file__), module)
        st = os.stat(path)
        try:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
            assert code_fingerprint() != before, module
        finally:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert code_fingerprint() == before


@pytest.mark.parametrize("seed", [3, pytest.param(11, marks=pytest.mark.slow)])
def test_generated_workspace_warm_equals_cold(tmp_path, isolated_git, seed):
    ws = tmp_path / "ws"
    generate(ws, units=70, quarters=2, seed=seed)  # ≥ 64 files: blob ids from git's index
    init_repo(ws)
    commit_all(ws, "init")
    for args in (("score", "-p", "2025-Q1"), ("score", "-p", "2025-Q2", "--format", "json"),
                 ("rollup", "-p", "2025-Q1", "--format", "md"), ("score", "-p", "2025-Q1", "--format", "csv")):
        first, w1 = cached(ws, *args)
        second, w2 = cached(ws, *args)
        assert (w1, w2) == (0, 1)
        assert first == second == uncached(ws, *args)
        assert first[2] == 0
