"""The cache as its user meets it: real git repositories, the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl_text
from gitutil import commit_all, git, sample_in_git

NFILES = 14


@pytest.fixture
def repo(tmp_path, isolated_git) -> Path:
    return sample_in_git(tmp_path / "repo")


run = run_okrctl_text


def ok(*args, **kw):
    r = run(*args, **kw)
    assert r.returncode in (0, 1), r.stderr
    return r


def last_run(root: Path) -> dict:
    r = run("-C", str(root), "cache", "info", "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_warm_and_cold_give_identical_json_and_the_cache_is_in_the_git_directory(repo):
    outs = {}
    for label in ("cold", "warm", "off"):
        extra = ("--no-cache",) if label == "off" else ()
        outs[label] = [ok("-C", str(repo), *extra, "validate", "--format", "json").stdout]
        if label == "cold":
            assert last_run(repo)["last_run"]["misses"] == NFILES
        outs[label].append(ok("-C", str(repo), *extra, "score", "--format", "json").stdout)
    assert outs["cold"] == outs["warm"] == outs["off"]
    info = last_run(repo)
    assert info["path"] == str(repo / ".git" / "okrctl" / "cache.sqlite")
    # one row per settings file, three per period file (records, summary, check
    # results), validate's whole result and score's output (docs/architecture.md, "The cache")
    assert info["entries"] == 2 + 3 * (NFILES - 2) + 2 and info["last_run"]["hits"] == NFILES and info["last_run"]["misses"] == 0
    assert git(repo, "status", "--porcelain", "--ignored") == ""  # nothing in the working tree


def test_edit_branch_switch_and_checkout_are_seen(repo):
    ok("-C", str(repo), "score", "--format", "json")
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    git(repo, "checkout", "-q", "-b", "other")
    f.write_text(f.read_text(encoding="utf-8").replace("value: 120,", "value: 130,", 1), encoding="utf-8")
    edited = ok("-C", str(repo), "score", "--format", "json").stdout  # a dirty file: hashed, a miss
    assert last_run(repo)["last_run"]["misses"] == 1
    assert edited == ok("-C", str(repo), "--no-cache", "score", "--format", "json").stdout
    commit_all(repo, "edit")
    assert ok("-C", str(repo), "score", "--format", "json").stdout == edited
    assert last_run(repo)["last_run"]["misses"] == 0  # committed: the same blob
    git(repo, "checkout", "-q", "main")
    back = ok("-C", str(repo), "score", "--format", "json").stdout
    assert back != edited
    assert back == ok("-C", str(repo), "--no-cache", "score", "--format", "json").stdout
    assert last_run(repo)["last_run"]["misses"] == 0
    # --rev reads the other branch's tree from the cache too
    assert ok("-C", str(repo), "score", "--rev", "other", "--format", "json").stdout == edited
    assert last_run(repo)["last_run"]["misses"] == 0


def test_check_reads_only_the_changed_blob(repo):
    ok("-C", str(repo), "validate")
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# một dòng chú thích\n", encoding="utf-8")
    warm = run("-C", str(repo), "check", "HEAD", "--format", "json")
    assert last_run(repo)["last_run"] == {**last_run(repo)["last_run"], "misses": 1}
    cold = run("-C", str(repo), "--no-cache", "check", "HEAD", "--format", "json")
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    d1 = run("-C", str(repo), "diff", "HEAD", "--format", "json")
    d2 = run("-C", str(repo), "--no-cache", "diff", "HEAD", "--format", "json")
    assert (d1.returncode, d1.stdout) == (d2.returncode, d2.stdout) and d1.returncode == 0


def test_settings_diff_with_cached_settings(repo):
    """diff of okrctl.yaml needs its parsed document, which a cache hit did not
    parse: it is parsed on demand."""
    ok("-C", str(repo), "validate")
    cfg = repo / "okrctl.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("checkin_grace_days: 15", "checkin_grace_days: 10"), encoding="utf-8")
    commit_all(repo, "grace")
    ok("-C", str(repo), "validate")
    d1 = run("-C", str(repo), "diff", "HEAD~1", "HEAD", "--format", "json")
    d2 = run("-C", str(repo), "--no-cache", "diff", "HEAD~1", "HEAD", "--format", "json")
    assert d1.returncode == 0, d1.stderr
    assert d1.stdout == d2.stdout
    assert "checkin_grace_days" in d1.stdout


def test_info_and_clear_text(repo):
    ok("-C", str(repo), "validate")
    ok("-C", str(repo), "validate")
    r = run("-C", str(repo), "cache", "info")
    lines = r.stdout.splitlines()
    assert r.returncode == 0
    assert lines[0] == f"path:     {repo / '.git' / 'okrctl' / 'cache.sqlite'}"
    assert lines[1:3] == ["status:   on", "entries:  39 rows"]  # 2 + 3 × 12 and validate's whole result
    assert lines[3].startswith("size:     0.1 MB of records") and lines[3].endswith("(limit 2048 MB, OKRCTL_CACHE_MAX_MB)")
    assert lines[4] == "last run: 100% (14 of 14 files)"
    assert all(len(x) <= 80 for x in lines[1:])
    r = run("-C", str(repo), "cache", "clear")
    assert (r.returncode, r.stdout) == (0, f"removed 39 entries from {repo / '.git' / 'okrctl' / 'cache.sqlite'}\n")
    assert last_run(repo)["entries"] == 0
    r = run("-C", str(repo), "cache", "info")
    assert r.stdout.splitlines()[2:] == ["entries:  0 rows", "size:     0.0 MB of records, " + r.stdout.splitlines()[3].split(", ", 1)[1],
                                         "last run: no run yet"]


def test_no_cache_flag_and_environment_write_nothing(repo):
    for args, env in ((("--no-cache",), None), ((), {"OKRCTL_NO_CACHE": "1"})):
        ok("-C", str(repo), *args, "validate", env=env)
        assert not (repo / ".git" / "okrctl" / "cache.sqlite").exists()
    r = run("-C", str(repo), "--no-cache", "cache", "info", "--format", "json")
    assert json.loads(r.stdout)["status"] == "off (--no-cache)"


def test_outside_git_the_cache_dir_is_used_but_never_inside_the_workspace(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    cache = tmp_path / "cache"
    out = [ok("-C", str(ws), "score", "--format", "json", env={"OKRCTL_CACHE_DIR": str(cache)}).stdout for _ in range(2)]
    assert out[0] == out[1]
    info = json.loads(run("-C", str(ws), "cache", "info", "--format", "json",
                                 env={"OKRCTL_CACHE_DIR": str(cache)}).stdout)
    assert info["path"] == str(cache / "cache.sqlite") and info["last_run"]["hits"] == NFILES
    inside = ws / "okrs" / ".cache"
    r = run("-C", str(ws), "score", "--format", "json", env={"OKRCTL_CACHE_DIR": str(inside)})
    assert (r.returncode, r.stdout) == (0, out[0])
    assert not inside.exists()
    r = run("-C", str(ws), "cache", "info", env={"OKRCTL_CACHE_DIR": str(inside)})
    assert r.returncode == 0 and "status:   unavailable:" in r.stdout and "inside the workspace" in r.stdout
    r = run("-C", str(ws), "cache", "clear", env={"OKRCTL_CACHE_DIR": str(inside)})
    assert r.returncode == 2 and r.stderr.startswith("okrctl: cannot clear the cache:") and "Traceback" not in r.stderr


def test_a_symlinked_cache_folder_is_not_followed(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".git" / "okrctl").symlink_to(elsewhere)
    r = ok("-C", str(repo), "validate")
    assert r.returncode == 0
    assert list(elsewhere.iterdir()) == []
    assert "symbolic link" in run("-C", str(repo), "cache", "info").stdout


@pytest.mark.slow
def test_a_cold_load_shows_a_progress_bar_on_a_terminal_only(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from conftest import subprocess_env
    from gen_workspace import generate

    ws = tmp_path / "ws"
    generate(ws, units=110, quarters=1, seed=3)
    env = subprocess_env({"OKRCTL_CACHE_DIR": str(tmp_path / "cache"), "OKRCTL_JOBS": "1"})
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "okrctl", "-C", str(ws), "validate"], stdout=subprocess.PIPE,
                         stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, _ = p.communicate(timeout=300)
    os.close(master)
    seen = b"".join(chunks).decode("utf-8", "replace")
    assert p.returncode == 0, seen
    assert "reading files (working tree)" in seen and "/110" in seen
    assert b"reading" not in out
    piped = run("-C", str(ws), "--no-cache", "validate", env={"OKRCTL_JOBS": "1"})  # cold too, but not a terminal
    assert (piped.returncode, piped.stderr) == (0, "ok: 112 files checked, no problems\n")


def test_rows_stored_from_the_forked_workers_bytes_give_the_output_of_a_load_without_cache(tmp_path):
    """A first run with more than 48 files shares them with a forked worker, whose
    MessagePack is stored as it came (paths and blob ids elided, in batches); a
    `score` that decodes those rows prints what `--no-cache` prints."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from gen_workspace import generate

    ws = tmp_path / "ws"
    generate(ws, units=60, quarters=1, seed=11)
    env = {"OKRCTL_CACHE_DIR": str(tmp_path / "cache"), "OKRCTL_JOBS": "2"}
    first = ok("-C", str(ws), "validate", "--format", "json", env=env).stdout
    info = json.loads(run("-C", str(ws), "cache", "info", "--format", "json", env=env).stdout)
    assert info["last_run"]["misses"] == 62 and info["entries"] == 2 + 3 * 60 + 1
    scored = ok("-C", str(ws), "score", "--period", "2025-Q1", "--format", "json", env=env).stdout  # every row decoded
    info = json.loads(run("-C", str(ws), "cache", "info", "--format", "json", env=env).stdout)
    assert info["last_run"]["hits"] == 62 and info["last_run"]["misses"] == 0
    assert scored == ok("-C", str(ws), "--no-cache", "score", "--period", "2025-Q1", "--format", "json", env=env).stdout
    assert first == ok("-C", str(ws), "--no-cache", "validate", "--format", "json", env=env).stdout
