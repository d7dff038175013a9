"""Issue 12 item 11: a period folder (or okrs/) that is a git submodule is refused as
OKR006 in the working tree, as it is at a revision: its files belong to another
repository, whose history okrctl's audit trail does not cover."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, init_repo

MSG = "is a git submodule or a repository of its own (a link to another repository); okrctl refuses links"


@pytest.fixture
def with_submodule(tmp_path, isolated_git):
    sub = init_repo(tmp_path / "sub")
    shutil.copy(SAMPLE / "okrs/2026-Q2/so-khcn-vp.yaml", sub / "so-khcn-vp.yaml")
    commit_all(sub, "period in another repository")
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(SAMPLE, repo, dirs_exist_ok=True)
    shutil.rmtree(repo / "okrs/2026-Q2")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "okrs/2026-Q2")
    commit_all(repo, "with a submodule")
    assert (repo / "okrs/2026-Q2/.git").is_file() and (repo / "okrs/2026-Q2/so-khcn-vp.yaml").is_file()
    return repo


def test_working_tree_refuses_a_submodule_period_folder(with_submodule):
    proc = run_okrctl("-C", str(with_submodule), "validate")
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert f"okrs/2026-Q2:1:1: error OKR006 okrs/2026-Q2/ {MSG}" in out
    assert "so-khcn-vp.yaml" not in out.replace("okrs/2026-Q2:", "")  # nothing of it was read


def test_revision_refuses_it_too(with_submodule):
    proc = run_okrctl("-C", str(with_submodule), "validate", "--rev", "HEAD")
    assert proc.returncode == 1
    assert "OKR006 okrs/2026-Q2/ is a submodule" in proc.stdout.decode()


def test_a_repository_inside_okrs_is_refused(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    init_repo(ws / "okrs")
    proc = run_okrctl("-C", str(ws), "validate")
    assert proc.returncode == 1
    assert f"okrs:1:1: error OKR006 okrs/ {MSG}" in proc.stdout.decode()
