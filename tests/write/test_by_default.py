"""The default of ``--by`` is a handle from a documented source (issue 14, item 6):
``git config okrctl.handle``, else ``OKRCTL_HANDLE``, else left out -- never git's
display name; ``--dry-run`` says which."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, init_repo

KR = "2026-Q2/so-khcn/O1/KR1"
ARGS = ("checkin", KR, "78", "--date", "2026-05-15", "--dry-run")


@pytest.fixture
def repo(tmp_path: Path, isolated_git) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    init_repo(root)
    git(root, "config", "user.name", "Nguyễn Văn A")
    commit_all(root, "okr: sample")
    return root


def added_line(stdout: bytes) -> str:
    return next(line for line in stdout.decode().splitlines() if line.startswith("+ "))


def test_git_config_handle_comes_first(repo: Path):
    git(repo, "config", "okrctl.handle", "hoang.thi.g")
    r = run_okrctl(*ARGS, cwd=repo, env={"OKRCTL_HANDLE": "le.van.c"})
    assert r.returncode == 0, r.stderr
    assert added_line(r.stdout) == "+          - {date: 2026-05-15, value: 78, by: hoang.thi.g}"
    assert "by: hoang.thi.g (from git config okrctl.handle)\n" in r.stderr.decode()


def test_the_environment_variable_next(repo: Path):
    r = run_okrctl(*ARGS, cwd=repo, env={"OKRCTL_HANDLE": "le.van.c"})
    assert r.returncode == 0, r.stderr
    assert added_line(r.stdout) == "+          - {date: 2026-05-15, value: 78, by: le.van.c}"
    assert "by: le.van.c (from OKRCTL_HANDLE)\n" in r.stderr.decode()


def test_left_out_never_the_display_name(repo: Path):
    r = run_okrctl(*ARGS, cwd=repo, env={"OKRCTL_HANDLE": ""})
    assert r.returncode == 0, r.stderr
    assert added_line(r.stdout) == "+          - {date: 2026-05-15, value: 78}"
    assert "Nguyễn" not in r.stdout.decode()
    assert ("by: left out (pass --by HANDLE, or set git config okrctl.handle or OKRCTL_HANDLE)\n"
            in r.stderr.decode())


def test_explicit_by_wins(repo: Path):
    git(repo, "config", "okrctl.handle", "hoang.thi.g")
    r = run_okrctl(*ARGS, "--by", "tran.thi.b", cwd=repo)
    assert added_line(r.stdout) == "+          - {date: 2026-05-15, value: 78, by: tran.thi.b}"
    assert "by: tran.thi.b (from --by)\n" in r.stderr.decode()


def test_outside_git_the_environment_variable(tmp_path: Path, isolated_git):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    r = run_okrctl("measure", "2026-Q2/so-khcn/K1", "5", "--date", "2026-05-15", "--dry-run", cwd=ws,
                   env={"OKRCTL_HANDLE": "pham.thi.d"})
    assert r.returncode == 0, r.stderr
    assert "by: pham.thi.d}" in added_line(r.stdout)
    assert "by: pham.thi.d (from OKRCTL_HANDLE)\n" in r.stderr.decode()
