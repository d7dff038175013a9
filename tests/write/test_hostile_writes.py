"""Issue 12 items 9 and 12: ``init`` never writes through a symlinked folder, and
``init``, ``period new`` and ``score -o`` on a full disk answer with one clean line
and leave nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("linked", ["okrs", "schema", ".github"])
def test_init_refuses_to_write_through_a_symlinked_folder(tmp_path, linked):
    target = tmp_path / "ws"
    outside = tmp_path / "outside"
    target.mkdir()
    outside.mkdir()
    (target / linked).symlink_to(outside, target_is_directory=True)
    proc = run_okrctl("init", str(target), "--period", "2026-Q3")
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert err == f"okrctl: {target / linked} is a symbolic link; okrctl does not write through links; nothing was written\n"
    assert list(outside.iterdir()) == []
    assert _tree(target) == [linked]  # all or nothing: what was created before the link is gone again


@pytest.fixture
def tiny_disk():
    """``mount(size)`` mounts a tmpfs of ``size`` bytes and returns its path;
    skipped where this machine does not let the test mount."""
    mounted: list[str] = []

    def mount(size: int) -> Path:
        d = tempfile.mkdtemp(prefix="okrctl-full-")
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("a full disk needs a small tmpfs: mount(8) as root, which this machine does not allow")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", d], capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.decode().strip()}")
        mounted.append(d)
        return Path(d)

    yield mount
    for d in mounted:
        subprocess.run(["umount", d], check=False)
        os.rmdir(d)


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until ``leave`` bytes (rounded to pages) are free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_init_on_a_full_disk_writes_nothing(tiny_disk):
    disk = tiny_disk(256 * 1024)
    _fill(disk, 24 * 1024)  # room for okrctl.yaml and units.yaml, not for the schemas
    proc = run_okrctl("init", str(disk / "ws"), "--period", "2026-Q3")
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert err.startswith("okrctl: cannot write ") and err.endswith(": No space left on device; nothing was written\n")
    assert err.count("\n") == 1 and "internal error" not in err
    assert _tree(disk) == ["filler"]


def test_period_new_on_a_full_disk_writes_nothing(tiny_disk):
    disk = tiny_disk(1024 * 1024)
    ws = disk / "ws"
    shutil.copytree(SAMPLE, ws)
    before = _tree(ws)
    _fill(disk, 12 * 1024)  # room for two or three of the six new files
    proc = run_okrctl("-C", str(ws), "period", "new", "2026-Q3")
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    last = err.splitlines()[-1]
    assert last.startswith("okrctl: cannot write ") and last.endswith(": No space left on device; nothing was written")
    assert "internal error" not in err
    assert _tree(ws) == before


def test_score_output_on_a_full_disk(tiny_disk):
    disk = tiny_disk(64 * 1024)
    _fill(disk, 0)
    proc = run_okrctl("-C", str(SAMPLE), "score", "-o", str(disk / "score.md"))
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"okrctl: cannot write {disk / 'score.md'}: No space left on device; nothing was written\n"
    assert _tree(disk) == ["filler"]
