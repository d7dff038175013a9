"""Issue 12 item 7: in a partial clone okrctl never fetches a missing object (a
fetch would run ``core.sshCommand`` or a remote helper from the repository's
config); a missing object is a clear exit-2 message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, init_repo

VP = "okrs/2026-Q2/so-khcn-vp.yaml"


@pytest.fixture
def partial_clone(tmp_path, isolated_git) -> tuple[Path, str]:
    """A real ``git clone --filter=blob:none file://…`` of a two-commit workspace;
    returns (clone, blob id of the old version of VP, which the clone lacks)."""
    src = init_repo(tmp_path / "src")
    shutil.copytree(SAMPLE, src, dirs_exist_ok=True)
    commit_all(src, "one")
    p = src / VP
    p.write_text(p.read_text(encoding="utf-8").replace("value: 92,", "value: 93,"), encoding="utf-8")
    commit_all(src, "two", date="2026-05-12T10:00:00+07:00")
    git(src, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{src}", str(clone))
    old = git(clone, "rev-parse", f"HEAD~1:{VP}").strip()
    assert f"?{old}" in git(clone, "rev-list", "--objects", "--missing=print", "--all").split()
    return clone, old


@pytest.mark.parametrize("args", [
    ("diff", "HEAD~1", "HEAD"),
    ("score", "--rev", "HEAD~1"),
    ("check", "HEAD~1", "HEAD"),
    ("history", "2026-Q2/so-khcn-vp/O1/KR1"),
])
def test_reading_an_absent_blob_never_fetches(partial_clone, args):
    clone, old = partial_clone
    proc = run_okrctl("-C", str(clone), *args)
    assert proc.returncode == 2, proc.stdout.decode() + proc.stderr.decode()
    err = proc.stderr.decode()
    assert err.startswith(f"okrctl: git object {old[:12]} ") and "partial clone" in err, err
    assert err.count("\n") == 1
    # the object is still absent: no fetch happened
    assert f"?{old}" in git(clone, "rev-list", "--objects", "--missing=print", "--all").split()


def test_a_promisor_remote_over_ssh_never_runs_ssh_command(partial_clone, tmp_path):
    clone, old = partial_clone
    marker = tmp_path / "SSH-RAN"
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 1\n")
    fake_ssh.chmod(0o755)
    git(clone, "config", "remote.origin.url", "ssh://git@example.invalid/okrs.git")
    git(clone, "config", "core.sshCommand", str(fake_ssh))
    proc = run_okrctl("-C", str(clone), "score", "--rev", "HEAD~1")
    assert proc.returncode == 2
    assert f"git object {old[:12]} is not in this partial clone" in proc.stderr.decode()
    assert not marker.exists(), marker.read_text()


def test_present_objects_still_read_in_a_partial_clone(partial_clone):
    clone, _ = partial_clone
    proc = run_okrctl("-C", str(clone), "score", "--rev", "HEAD")
    assert proc.returncode == 0, proc.stderr.decode()
