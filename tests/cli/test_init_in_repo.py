"""``okrctl init`` inside an existing git repository (issue 14, item 3): the workspace
in a subfolder, CI and hook files at the repository's top with the workspace path in
them, .gitignore extended; then the everyday commands work, and the generated
pre-commit configuration runs with pre-commit itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from conftest import run_okrctl
from gitutil import commit_all, git, identity_env, init_repo, write
from okrctl.model.periods import parse_period


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


def _repo_with_okr(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository with a README and a .gitignore, then ``okrctl init okr``
    committed: (repo, period, init's stderr)."""
    repo = init_repo(tmp_path / "repo")
    write(repo / "README.md", "# Kế hoạch\n")
    write(repo / ".gitignore", "node_modules/\n*.log")  # no final newline
    commit_all(repo, "start")
    r = run_okrctl("init", "okr", "--locale", "vi", "--unit", "so-khcn", "--name", "Sở KHCN", cwd=repo)
    assert r.returncode == 0, r.stderr.decode()
    err = r.stderr.decode()
    # `init --locale vi` speaks Vietnamese (docs/languages.md)
    m = re.search(r"^kỳ (\d{4}-Q\d): quý (hiện tại|tiếp theo)", err, re.M)
    assert m, err
    commit_all(repo, "okrctl init okr")
    return repo, m.group(1), err


def test_init_in_an_existing_repository_then_validate_checkin_check(tmp_path):
    repo, period, err = _repo_with_okr(tmp_path)
    out_files = sorted(git(repo, "ls-files").splitlines())
    assert out_files == sorted([
        ".github/workflows/okrctl.yml", ".gitignore", ".pre-commit-config.yaml", "README.md",
        "okr/.gitattributes", "okr/.vscode/settings.json", "okr/okrctl.yaml", f"okr/okrs/{period}/so-khcn.yaml",
        "okr/schema/okr-file.schema.json", "okr/schema/units.schema.json", "okr/schema/workspace.schema.json",
        "okr/units.yaml"])
    assert (repo / ".gitignore").read_text() == (
        "node_modules/\n*.log\n# the temporary files of an interrupted okrctl write\n.*.tmp\n")
    wf = yaml.safe_load((repo / ".github/workflows/okrctl.yml").read_text())
    assert [s.get("run") for s in wf["jobs"]["okrctl"]["steps"][-3:]] == [
        "okrctl -C okr validate", 'okrctl -C okr check "$BASE_SHA"',
        'okrctl -C okr diff "$BASE_SHA" --format md >> "$GITHUB_STEP_SUMMARY"']
    (hook,) = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert (hook["entry"], hook["files"]) == ("okrctl -C okr validate", r"^okr/((okrctl|units)\.yaml|okrs/.+\.ya?ml)$")

    assert run_okrctl("-C", "okr", "validate", cwd=repo).returncode == 0
    # the period is open for planning (or not started): a first real edit of a
    # definition passes check
    pf = repo / "okr/okrs" / period / "so-khcn.yaml"
    pf.write_text(pf.read_text(encoding="utf-8").replace("target: 60", "target: 65"), encoding="utf-8")
    commit_all(repo, "raise the target")
    r = run_okrctl("-C", "okr", "check", "HEAD~1", cwd=repo)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert "target: 60 → 65" in r.stdout.decode()
    # a check-in, committed by okrctl, judged on its date
    day = max(parse_period(period).start, date.today()) + timedelta(days=1)
    r = run_okrctl("-C", "okr", "checkin", f"{period}/so-khcn/O1/KR1", "45", "--date", day.isoformat(),
                   "--by", "hoang.thi.g", "--commit", cwd=repo, env=identity_env())
    assert r.returncode == 0, r.stderr.decode()
    assert git(repo, "log", "-1", "--format=%s").strip().startswith("okr")
    assert git(repo, "status", "--porcelain") == ""
    r = run_okrctl("-C", "okr", "check", "HEAD~1", "--at", day.isoformat(), cwd=repo)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    # init again in the same repository: refused for the workspace, nothing touched
    before = (repo / ".gitignore").read_bytes()
    again = run_okrctl("init", "okr", cwd=repo)
    assert again.returncode == 2 and b"already exist" in again.stderr
    assert (repo / ".gitignore").read_bytes() == before


def test_a_second_workspace_keeps_the_existing_hook_files(tmp_path):
    repo, _, _ = _repo_with_okr(tmp_path)
    wf = (repo / ".github/workflows/okrctl.yml").read_bytes()
    pc = (repo / ".pre-commit-config.yaml").read_bytes()
    r = run_okrctl("init", "ward", "--unit", "phuong", cwd=repo)
    assert r.returncode == 0, r.stderr.decode()
    err = r.stderr.decode()
    assert (repo / ".github/workflows/okrctl.yml").read_bytes() == wf
    assert (repo / ".pre-commit-config.yaml").read_bytes() == pc
    assert ".pre-commit-config.yaml exists and was left as it is; add this hook under its repos:" in err
    assert "entry: okrctl -C ward validate" in err and r"files: ^ward/((okrctl|units)\.yaml" in err
    assert (repo / ".gitignore").read_text().count(".*.tmp") == 1  # nothing appended twice


PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))


@pytest.mark.slow
@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is a dev dependency")
def test_generated_pre_commit_configuration_runs(tmp_path):
    """pre-commit itself runs the generated configuration, with the installed okrctl
    on PATH: passes on the new workspace, fails on a broken file."""
    repo, period, _ = _repo_with_okr(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **identity_env()}
    env.pop("GITHUB_ACTIONS", None)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([PRE_COMMIT, "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=120)

    r = run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^okrctl validate\.+Passed$", r.stdout, re.M), r.stdout
    pf = repo / "okr/okrs" / period / "so-khcn.yaml"
    pf.write_text(pf.read_text(encoding="utf-8").replace("target: 60", "targte: 60"), encoding="utf-8")
    git(repo, "add", "-A")
    r = run()
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"^okrctl validate\.+Failed$", r.stdout, re.M), r.stdout
    assert f"okr/okrs/{period}/so-khcn.yaml:" in r.stdout and "OKR101" in r.stdout and "did you mean 'target'?" in r.stdout


CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema is a dev dependency")
@pytest.mark.parametrize("workspace", [".", "okr", "mục tiêu: 2026"])
def test_generated_workflow_is_a_valid_github_workflow(tmp_path, workspace):
    """check-jsonschema's vendored GitHub workflow schema (offline) accepts the
    workflow, also with a workspace path that needs quoting."""
    repo = init_repo(tmp_path / "repo")
    r = run_okrctl("init", workspace, cwd=repo)
    assert r.returncode == 0, r.stderr.decode()
    wf = repo / ".github/workflows/okrctl.yml"
    v = subprocess.run([CHECK_JSONSCHEMA, "--builtin-schema", "vendor.github-workflows", str(wf)],
                       capture_output=True, text=True, timeout=60)
    assert v.returncode == 0, v.stdout + v.stderr
    runs = [s.get("run") for s in yaml.safe_load(wf.read_text(encoding="utf-8"))["jobs"]["okrctl"]["steps"]]
    quoted = {".": "okrctl", "okr": "okrctl -C okr", "mục tiêu: 2026": "okrctl -C 'mục tiêu: 2026'"}[workspace]
    assert f"{quoted} validate" in runs
    hook = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    assert hook["entry"] == f"{quoted} validate"
    assert re.search(hook["files"], ("" if workspace == "." else workspace + "/") + "okrs/2026-Q1/x.yaml")
    assert not re.search(hook["files"], "okrs/2026-Q1/x.yaml" if workspace != "." else "other/okrs/2026-Q1/x.yaml")
