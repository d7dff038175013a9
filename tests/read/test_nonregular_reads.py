"""Issue 12 item 1: no read blocks on a FIFO or runs forever on a device; every
file okrctl reads is a regular file under a size cap."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from okrctl.read.source import MAX_FILE_BYTES, read_regular
from conftest import SAMPLE, run_okrctl


def _workspace_with_fifo(tmp_path: Path, name: str) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    (ws / name).unlink()
    os.mkfifo(ws / name)
    return ws


def test_codeowners_refuses_a_fifo_named_units_yaml(tmp_path):
    ws = _workspace_with_fifo(tmp_path, "units.yaml")
    proc = run_okrctl("-C", str(ws), "codeowners", timeout=20)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "okrctl: units.yaml is not a regular file"


def test_checkin_refuses_a_fifo_period_file(tmp_path):
    ws = _workspace_with_fifo(tmp_path, "okrs/2026-Q2/so-khcn-vp.yaml")
    proc = run_okrctl("-C", str(ws), "checkin", "2026-Q2/so-khcn-vp/O1/KR1", "95", "--date", "2026-05-10", timeout=20)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.decode() == ("okrctl: okrs/2026-Q2/so-khcn-vp.yaml is not a regular file; "
                                    "okrctl will not write to okrs/2026-Q2/so-khcn-vp.yaml\n")


def test_read_regular_refuses_fifo_device_and_oversized(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(fifo)  # returns at once: O_NONBLOCK
    with pytest.raises(OSError, match="not a regular file"):
        read_regular("/dev/zero")
    big = tmp_path / "big"
    big.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(OSError, match=f"limit \\({MAX_FILE_BYTES + 1} bytes"):
        read_regular(big)
    link = tmp_path / "link"
    link.symlink_to(big)
    with pytest.raises(OSError):
        read_regular(link)
    ok = tmp_path / "ok"
    ok.write_bytes(b"abc")
    assert read_regular(ok) == b"abc"


def test_proc_files_are_capped_not_trusted_for_size(tmp_path):
    # /proc files report st_size 0; the cap still applies to what is read
    assert len(read_regular("/proc/self/status", limit=1 << 20)) > 0
    with pytest.raises(OSError):
        read_regular("/proc/self/status", limit=10)


def test_codeowners_check_refuses_a_fifo_target(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    os.mkfifo(ws / "CODEOWNERS")
    proc = run_okrctl("-C", str(ws), "codeowners", "--check", "-o", str(ws / "CODEOWNERS"), timeout=20)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines()[-1] == f"okrctl: cannot read {ws / 'CODEOWNERS'}: not a regular file"
