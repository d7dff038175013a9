"""Atomic writes and the workspace lock (okrctl.write.fsio)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from okrctl.read.source import WorkingTreeSource, blob_sha
from okrctl.write.errors import WriteRefused
from okrctl.write.fsio import atomic_write, file_lock, lock_path

from gitutil import git, init_repo
from writeutil import run_writers_together
from yamlutil import PERIOD, added_lines, b, load12


# ----------------------------------------------------------------------------- atomic_write


def test_atomic_write_replaces_and_keeps_mode(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(b"a: 1\n")
    f.chmod(0o640)
    atomic_write(f, b"a: 2\n")
    assert f.read_bytes() == b"a: 2\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["x.yaml"]


def test_atomic_write_new_file_gets_umask_mode(tmp_path):
    f = tmp_path / "new.yaml"
    old = os.umask(0o022)
    try:
        atomic_write(f, b"a: 1\n")
    finally:
        os.umask(old)
    assert f.read_bytes() == b"a: 1\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o644


def test_atomic_write_refuses_symlink(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_bytes(b"a: 1\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(WriteRefused, match="symbolic link"):
        atomic_write(link, b"a: 2\n")
    assert real.read_bytes() == b"a: 1\n" and link.is_symlink()
    with pytest.raises(WriteRefused, match="not a regular file"):
        atomic_write(tmp_path, b"x")


def test_atomic_write_expected_sha(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(b"a: 1\n")
    read = f.read_bytes()
    atomic_write(f, b"a: 2\n", expected_sha=blob_sha(read))
    assert f.read_bytes() == b"a: 2\n"
    # someone else changed the file since we read it: refuse, leave their bytes, no temp file
    with pytest.raises(WriteRefused, match="changed by someone else"):
        atomic_write(f, b"a: 3\n", expected_sha=blob_sha(read))
    assert f.read_bytes() == b"a: 2\n"
    # …even when the change happens after our temp file was written
    def edit(_tmp: Path) -> None:
        f.write_bytes(b"a: edited\n")

    with pytest.raises(WriteRefused, match="changed by someone else"):
        atomic_write(f, b"a: 4\n", expected_sha=blob_sha(b"a: 2\n"), _before_replace=edit)
    assert f.read_bytes() == b"a: edited\n"
    f.unlink()
    with pytest.raises(WriteRefused, match="removed"):
        atomic_write(f, b"a: 5\n", expected_sha=blob_sha(read))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_os_errors_become_writerefused(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(b"a: 1\n")

    def disk_full(_tmp: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(WriteRefused, match="No space left on device; nothing was written"):
        atomic_write(f, b"a: 2\n", _before_replace=disk_full)
    assert f.read_bytes() == b"a: 1\n" and [p.name for p in tmp_path.iterdir()] == ["x.yaml"]
    with pytest.raises(WriteRefused, match="cannot write in"):
        atomic_write(tmp_path / "missing-dir" / "x.yaml", b"a: 1\n")


def test_atomic_write_cleans_up_on_error(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(b"a: 1\n")

    def boom(_tmp: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(f, b"a: 2\n", _before_replace=boom)
    assert f.read_bytes() == b"a: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.yaml"]


KILL_CHILD = """
import os, sys, time
from pathlib import Path
from okrctl.write.fsio import atomic_write
from okrctl.write.yamledit import append_item
path, marker = Path(sys.argv[1]), Path(sys.argv[2])
new = append_item(path.read_bytes(), ["objectives", 0, "key_results", 0], "checkins", {"value": 99})
def hook(tmp):
    part = marker.with_name(marker.name + '.part')  # the parent waits for the marker: publish it whole
    part.write_text(str(tmp))
    os.replace(part, marker)
    time.sleep(60)
atomic_write(path, new, _before_replace=hook)
"""


def test_sigkill_between_temp_write_and_rename_leaves_original_intact(tmp_path):
    ws = tmp_path / "ws"
    (ws / "okrs" / "2026-Q2").mkdir(parents=True)
    f = ws / "okrs" / "2026-Q2" / "so-1.yaml"
    f.write_bytes(PERIOD)
    marker = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(f), str(marker)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "child exited early"
            assert time.monotonic() < deadline, "child never reached the rename"
            time.sleep(0.02)
        tmp = Path(marker.read_text())
        assert tmp.exists() and tmp.read_bytes() != PERIOD  # the new content is fully on disk
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert f.read_bytes() == PERIOD
    assert load12(f.read_bytes())["objectives"][0]["id"] == "O1"
    leftovers = [p.name for p in f.parent.iterdir() if p != f]
    assert leftovers == [tmp.name]
    assert tmp.name.startswith(".so-1.yaml.") and tmp.name.endswith(".tmp")
    files, errors = WorkingTreeSource(ws).list_files()
    assert [x.path for x in files] == ["okrs/2026-Q2/so-1.yaml"] and not errors


# ----------------------------------------------------------------------------- locking


def test_file_lock_times_out_with_writerefused(tmp_path):
    with file_lock(tmp_path) as lock:
        assert lock == lock_path(tmp_path) and lock.parent == Path(os.environ["OKRCTL_CACHE_DIR"]) / "locks"
        child = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pathlib import Path; from okrctl.write.fsio import file_lock; from okrctl.write.errors import WriteRefused\n"
             "try:\n    with file_lock(Path(sys.argv[1]), timeout=0.3): print('got it')\n"
             "except WriteRefused as e: print(e.message)",
             str(tmp_path)],
            capture_output=True, text=True, timeout=30, check=True,
        )
        assert child.stdout.startswith("another okrctl is writing in"), child.stdout
    # released: can be taken again, and the lock file stays in place
    with file_lock(tmp_path, timeout=0.5):
        pass
    assert lock.exists()
    assert list(tmp_path.iterdir()) == []  # nothing left in the directory written to


def test_lock_lives_in_the_git_directory(tmp_path):
    """Issue 12 #19: a lock never dirties the user's working tree."""
    repo = init_repo(tmp_path / "repo")
    period = repo / "okrs" / "2026-Q2"
    period.mkdir(parents=True)
    with file_lock(period) as lock:
        assert lock.parent == repo / ".git" / "okrctl" / "locks"
    assert list(period.iterdir()) == []
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    # a linked worktree locks inside its own git directory, never in the tree
    git(repo, "commit", "-q", "--allow-empty", "-m", "x")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    (tmp_path / "wt" / "d").mkdir()
    with file_lock(tmp_path / "wt" / "d") as lock:
        assert lock.is_relative_to(repo / ".git" / "worktrees")


WRITER = """
import sys, time
from pathlib import Path
from okrctl.read.source import blob_sha
from okrctl.write.fsio import atomic_write, file_lock
from okrctl.write.yamledit import append_item
path, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
(go.parent / f"ready-{who}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(50):
    with file_lock(path.parent, timeout=60):
        data = path.read_bytes()
        new = append_item(data, [], "checkins", {"by": who, "seq": i})
        atomic_write(path, new, expected_sha=blob_sha(data))
"""


SMALL = b("""\
    # Check-ins
    checkins:
      - date: 2026-04-30
        value: 55.5   # xác nhận

    # ===== Phần 2 =====
    kpis: []
    """)


def test_two_processes_append_concurrently(tmp_path):
    f = tmp_path / "so-1.yaml"
    f.write_bytes(SMALL)
    run_writers_together(WRITER, f, tmp_path)
    data = f.read_bytes()
    checkins = load12(data)["checkins"]
    mine = [(c["by"], c["seq"]) for c in checkins if "seq" in c]
    assert sorted(mine) == sorted((w, i) for w in ("p1", "p2") for i in range(50))
    for w in ("p1", "p2"):  # each writer's items are in its own order
        assert [s for who, s in mine if who == w] == list(range(50))
    # the lock is fair: the writers take turns instead of one starving until the other is done
    switches = sum(1 for x, y in zip(mine, mine[1:]) if x[0] != y[0])
    assert switches >= 10, [who for who, _ in mine]
    added_lines(SMALL, data)
    assert data.count(b"# ===== Ph") == 1 and data.index(b"seq: 49") < data.index(b"# ===== Ph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "ready-p1", "ready-p2", "so-1.yaml"]
