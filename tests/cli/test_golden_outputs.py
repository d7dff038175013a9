"""Every output format of validate, check, diff, score and rollup, byte for byte
against tests/golden/ (see tests/golden/README.md; regenerate with --update-goldens).

Inputs are fixed: ``validate`` reads a copy of sample-workspace/ with deliberate
problems; ``check`` and ``diff`` read a git repository built here from the sample
workspace with two commits of fixed identity and dates; ``score`` and ``rollup`` read
sample-workspace/ itself (its ``as_of`` pins the scoring date).  Only what is
inherently variable is normalised, by :func:`conftest.normalise_output`.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import SAMPLE, normalise_output, run_okrctl
from gitutil import commit_all, env_applied, git, init_repo

#: a fixed terminal: tables are laid out for 100 columns, never coloured
TERMINAL = {"COLUMNS": "100", "LINES": "40"}

#: golden file extension of each format
EXT = {"text": "txt", "table": "txt", "github": "github.txt", "json": "json", "sarif": "sarif", "md": "md", "csv": "csv"}


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` (fails loudly if the sample changed)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="\n")


@pytest.fixture(scope="module")
def git_env(tmp_path_factory) -> dict[str, str]:
    """Neither the machine's git configuration nor an outer repository matters."""
    home = tmp_path_factory.mktemp("git-home")
    (home / "global.gitconfig").write_text("")
    return {"GIT_CONFIG_GLOBAL": str(home / "global.gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(home.parent), "HOME": str(home)}


@pytest.fixture(scope="module")
def broken_ws(tmp_path_factory) -> Path:
    """sample-workspace/ with four errors and a warning in two files."""
    ws = tmp_path_factory.mktemp("validate") / "ws"
    shutil.copytree(SAMPLE, ws)
    vp = ws / "okrs/2026-Q2/so-khcn-vp.yaml"
    edit(vp, "        target: 100\n", "        targte: 100\n")  # OKR101 unknown key (and OKR102 target missing)
    edit(vp, "{date: 2026-04-30, value: 9.5,", "{date: 2026-04-31, value: 9.5,")  # OKR105 no such date
    so = ws / "okrs/2026-Q2/so-khcn.yaml"
    edit(so, "- {date: 2026-05-04, value: false,", "- {date: 2026-05-04, value: 1,")  # OKR224 boolean KR given a number
    edit(so, "        due: 2026-06-15\n", "        due: 2026-06-15\n        aggregate: last\n")  # OKR227 warning
    qlkh = ws / "okrs/2026-Q2/so-khcn-qlkh.yaml"
    edit(qlkh, "aligns_to: so-khcn/O2/KR1", "aligns_to: so-khcn/O2/KR9")  # OKR211 unresolved reference
    return ws


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory, git_env) -> dict:
    """A repository of the sample workspace: BASE as committed on 2026-05-12, HEAD a week
    later with a target eased after the lock, a rewritten check-in, a back-dated
    check-in, a future measurement and one ordinary check-in."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    shutil.copytree(SAMPLE, repo)
    with env_applied(git_env):
        init_repo(repo)
        base = commit_all(repo, "OKR quý II/2026", date="2026-05-12T09:00:00+07:00")
        vp = repo / "okrs/2026-Q2/so-khcn-vp.yaml"
        edit(vp, "        target: 100\n", "        target: 95\n")  # eased after the lock, no rebaseline
        edit(vp, '             evidence: ["Báo cáo số 52/BC-VP"]}\n',
             '             evidence: ["Báo cáo số 52/BC-VP"]}\n'
             "          - {date: 2026-05-01, value: 93, confidence: 0.8, by: hoang.thi.g}\n")  # back-dated 18 days
        qlkh = repo / "okrs/2026-Q2/so-khcn-qlkh.yaml"
        edit(qlkh, "{date: 2026-04-30, value: 68,", "{date: 2026-04-30, value: 66,")  # rewritten check-in
        edit(qlkh, '             evidence: ["Báo cáo số 27/BC-QLKH"]}\n',
             '             evidence: ["Báo cáo số 27/BC-QLKH"]}\n'
             "          - {date: 2026-05-17, value: 73, confidence: 0.7, by: vu.van.h}\n")  # ordinary
        so = repo / "okrs/2026-Q2/so-khcn.yaml"
        edit(so, "      - {date: 2026-04-30, value: 97.4, source: Hệ thống một cửa điện tử}\n",
             "      - {date: 2026-04-30, value: 97.4, source: Hệ thống một cửa điện tử}\n"
             "      - {date: 2026-05-31, value: 98.2, source: Hệ thống một cửa điện tử}\n")  # after --at
        head = commit_all(repo, "Cập nhật tiến độ tuần 3 tháng 5", date="2026-05-19T16:30:00+07:00")
        git(repo, "tag", "base", base)
    return {"repo": repo, "base": base, "head": head}


def _run(args: list[str], cwd: Path, env: dict | None = None):
    return run_okrctl("--color", "never", *args, cwd=cwd, env={**TERMINAL, **(env or {})})


def _today() -> str:
    """Today in the sample workspace's time zone (Asia/Ho_Chi_Minh)."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def _check(golden, name: str, proc, *, code: int, root: Path, shas: dict[str, str] | None = None,
           today: tuple[str, ...] = ()) -> None:
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == code, f"exit {proc.returncode}\n{err}"
    golden(name, normalise_output(out, root=root, shas=shas, today=today))
    if err:
        golden(name + ".stderr", normalise_output(err, root=root, shas=shas, today=today))
    else:
        assert not (Path(__file__).parent.parent / "golden" / (name + ".stderr")).exists(), "stale stderr golden"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "md"])
def test_validate(golden, broken_ws, fmt):
    proc = _run(["validate", "--format", fmt], cwd=broken_ws)
    _check(golden, f"validate.{EXT[fmt]}", proc, code=1, root=broken_ws)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "md"])
def test_check(golden, history_repo, git_env, fmt):
    h = history_repo
    proc = _run(["check", "base", "HEAD", "--at", "2026-05-20", "--format", fmt], cwd=h["repo"], env=git_env)
    _check(golden, f"check.{EXT[fmt]}", proc, code=1, root=h["repo"], shas={"BASE": h["base"], "HEAD": h["head"]})


@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_diff(golden, history_repo, git_env, fmt):
    h = history_repo
    before = _today()
    proc = _run(["diff", "base", "HEAD", "--format", fmt], cwd=h["repo"], env=git_env)
    _check(golden, f"diff.{EXT[fmt]}", proc, code=0, root=h["repo"], shas={"BASE": h["base"], "HEAD": h["head"]},
           today=(before, _today()))


# score --format json and md: tests/cli/test_cli_score.py (sample-score.json, sample-score.md)
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_score(golden, fmt):
    proc = _run(["-C", str(SAMPLE), "score", "--format", fmt], cwd=SAMPLE)
    _check(golden, f"sample-score.{EXT[fmt]}", proc, code=0, root=SAMPLE)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "md"])
def test_rollup(golden, fmt):
    proc = _run(["-C", str(SAMPLE), "rollup", "--format", fmt], cwd=SAMPLE)
    _check(golden, f"sample-rollup.{EXT[fmt]}", proc, code=0, root=SAMPLE)
