"""The pre-commit hook in .pre-commit-hooks.yaml: its definition, its `files`
pattern, and its `entry` run the way pre-commit runs it (cwd = the repository
root, the matching files passed as paths relative to it)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hook() -> dict:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(hooks, list)
    (h,) = [h for h in hooks if h["id"] == "okrctl-validate"]
    return h


def test_hook_definition(hook):
    assert hook["entry"] == "okrctl validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True
    assert hook["files"] == r"(^|/)(okrctl|units)\.yaml$|(^|/)okrs/.+\.ya?ml$"
    assert hook["name"]


@pytest.mark.parametrize("path", [
    "okrctl.yaml",
    "units.yaml",
    "okrs/2026-Q1/so-khcn.yaml",
    "okrs/2026/ha-noi.yaml",
    "okrs/2026-Q1/team.yml",          # reported by okrctl as OKR110, so it must reach it
    "okrs/2026-Q1/Bad_Name.yaml",
    "okrs/team.yaml",
    "okr/okrs/2026-H1/team.yaml",     # a workspace in a subdirectory
    "sample-workspace/okrctl.yaml",
    "sample-workspace/units.yaml",
])
def test_files_pattern_matches(hook, path):
    # pre-commit selects files with re.search
    assert re.search(hook["files"], path)


@pytest.mark.parametrize("path", [
    "README.md",
    "my-okrctl.yaml",
    "okrctl.yaml.bak",
    "units.yml",
    "docs/okrs.md",
    "okrs/2026-Q1/notes.txt",
    "okrs-old/2026/team.yaml",
    "x-okrs/2026/team.yaml",
    ".github/workflows/ci.yaml",
    ".pre-commit-config.yaml",
    "schema/okr-file.schema.json",
])
def test_files_pattern_does_not_match(hook, path):
    assert not re.search(hook["files"], path)


UNITS = """\
units:
  - id: root
    name: Root
  - id: team
    name: Team
    parent: root
"""

GOOD = """\
objectives:
  - id: O1
    title: Objective
    key_results:
      - id: KR1
        title: Key result
        baseline: 0
        target: 10
"""

BROKEN = GOOD.replace("        target: 10\n", "        targte: 10\n")


def make_repo(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def selected(root: Path, pattern: str) -> list[str]:
    """What pre-commit passes with --all-files: every file matching `files`, as a
    POSIX path relative to the repository root."""
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and re.search(pattern, rel):
            out.append(rel)
    return out


def run_hook(hook: dict, root: Path, files: list[str]) -> subprocess.CompletedProcess:
    argv: list[str] = []
    for word in shlex.split(hook["entry"]):
        argv += [sys.executable, "-m", "okrctl"] if word == "okrctl" else [word]
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return subprocess.run(argv + files, cwd=root, env=env, capture_output=True, text=True, timeout=60)


def base_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    make_repo(root, {
        "README.md": "# OKRs\n",
        "okrctl.yaml": "name: Test\n",
        "units.yaml": UNITS,
        "okrs/2026-Q1/root.yaml": GOOD,
        "okrs/2026-Q1/team.yaml": GOOD,
        "okrs/2026-Q2/team.yaml": GOOD,
    })
    return root


def test_entry_passes_on_a_valid_workspace(hook, tmp_path):
    root = base_repo(tmp_path)
    files = selected(root, hook["files"])
    assert files == ["okrctl.yaml", "okrs/2026-Q1/root.yaml", "okrs/2026-Q1/team.yaml",
                     "okrs/2026-Q2/team.yaml", "units.yaml"]
    r = run_hook(hook, root, files)
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    assert r.stderr.strip() == "ok: 5 files checked, no problems"


def test_entry_fails_on_a_broken_file_and_reports_only_it(hook, tmp_path):
    root = base_repo(tmp_path)
    (root / "okrs/2026-Q1/team.yaml").write_text(BROKEN, encoding="utf-8")
    r = run_hook(hook, root, selected(root, hook["files"]))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert [ln.split(" ", 3)[:3] for ln in lines] == [
        ["okrs/2026-Q1/team.yaml:5:9:", "error", "OKR102"],
        ["okrs/2026-Q1/team.yaml:8:9:", "error", "OKR101"],
    ]
    assert "did you mean 'target'?" in lines[1]


def test_entry_reports_only_the_files_passed(hook, tmp_path):
    # pre-commit passes only the staged files: an error in another file is not
    # reported (the whole workspace is still loaded), and the exit code follows
    root = base_repo(tmp_path)
    (root / "okrs/2026-Q1/team.yaml").write_text(BROKEN, encoding="utf-8")
    r = run_hook(hook, root, ["okrs/2026-Q2/team.yaml", "units.yaml"])
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    r = run_hook(hook, root, ["okrs/2026-Q1/team.yaml"])
    assert r.returncode == 1
    assert {ln.split(":", 1)[0] for ln in r.stdout.splitlines()} == {"okrs/2026-Q1/team.yaml"}


def test_entry_reports_cross_file_problems_in_the_passed_file(hook, tmp_path):
    # a file aligning to an objective that does not exist: found because the whole
    # workspace is loaded, reported because the file was passed
    root = base_repo(tmp_path)
    bad = GOOD.replace("    title: Objective\n", "    title: Objective\n    aligns_to: 2026/root/O9\n")
    (root / "okrs/2026-Q2/team.yaml").write_text(bad, encoding="utf-8")
    r = run_hook(hook, root, ["okrs/2026-Q1/team.yaml", "okrs/2026-Q2/team.yaml"])
    assert r.returncode == 1
    assert [ln.split(" ", 3)[:3] for ln in r.stdout.splitlines()] == [["okrs/2026-Q2/team.yaml:4:16:", "error", "OKR211"]]


def test_hook_finds_a_workspace_in_a_subdirectory(tmp_path):
    """pre-commit runs from the repository root; the workspace may sit below it."""
    from conftest import SAMPLE, run_okrctl
    import shutil

    ws = tmp_path / "repo" / "okr"
    shutil.copytree(SAMPLE, ws)
    bad = ws / "okrs" / "2026-Q2" / "so-khcn-vp.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    r = run_okrctl("validate", "okr/okrs/2026-Q2/so-khcn-vp.yaml", "okr/okrs/2026-Q2/so-khcn.yaml", cwd=tmp_path / "repo")
    assert r.returncode == 1
    out = r.stdout.decode()
    assert out.startswith("okr/okrs/2026-Q2/so-khcn-vp.yaml:")
    assert "OKR101" in out and "so-khcn.yaml:" not in out.replace("so-khcn-vp.yaml", "")
    missing = run_okrctl("validate", "okr/okrs/2026-Q2/gone.yaml", cwd=tmp_path / "repo")
    assert missing.returncode == 2 and b"no such file" in missing.stderr


def test_hook_validates_each_of_two_workspaces_once(hook, tmp_path):
    """A repository with two workspaces: each path is checked in its own workspace
    (issue 14, item 11); the exit code is the worst of the two."""
    root = tmp_path / "repo"
    for ws in ("a", "b"):
        make_repo(root / ws, {"okrctl.yaml": f"name: {ws}\n", "units.yaml": UNITS,
                              "okrs/2026-Q1/root.yaml": GOOD, "okrs/2026-Q1/team.yaml": GOOD})
    files = selected(root, hook["files"])
    assert len(files) == 8
    r = run_hook(hook, root, files)
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    assert r.stderr.strip() == "ok: 8 files checked, no problems"
    (root / "b/okrs/2026-Q1/team.yaml").write_text(BROKEN, encoding="utf-8")
    r = run_hook(hook, root, files)
    assert r.returncode == 1, r.stderr
    assert [ln.split(" ", 3)[:3] for ln in r.stdout.splitlines()] == [
        ["b/okrs/2026-Q1/team.yaml:5:9:", "error", "OKR102"],
        ["b/okrs/2026-Q1/team.yaml:8:9:", "error", "OKR101"],
    ]
    # only the files of workspace a: a's workspace alone, and it is valid
    r = run_hook(hook, root, [f for f in files if f.startswith("a/")])
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    # json: one document, paths as given
    import json
    r = subprocess.run([sys.executable, "-m", "okrctl", "validate", "--format", "json", *files], cwd=root,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["summary"] == {"files": 8, "errors": 2, "warnings": 0}
    assert {p["path"] for p in doc["diagnostics"]} == {"b/okrs/2026-Q1/team.yaml"}


def _pypi_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_try_repo_against_a_local_clone(tmp_path):
    """``pre-commit try-repo`` with a local clone of this repository (its committed
    HEAD): pre-commit installs okrctl from the clone as it would from GitHub, and the
    hook passes on the sample workspace and fails on a broken file, reporting it."""
    import shutil

    from conftest import SAMPLE
    from gitutil import commit_all, git, identity_env, init_repo

    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is a dev dependency; it is not installed")
    if not _pypi_reachable():
        pytest.skip("pypi.org is unreachable: try-repo installs okrctl's dependencies from it")
    clone = tmp_path / "okrctl-clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True, timeout=120,
                   capture_output=True)
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    init_repo(ws)
    commit_all(ws, "OKR")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1", **identity_env()}
    env.pop("GITHUB_ACTIONS", None)

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(clone), "okrctl-validate", "--all-files", "--color", "never"],
                              cwd=ws, env=env, capture_output=True, text=True, timeout=600)

    r = try_repo()
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^okrctl validate\.+Passed$", r.stdout, re.M), r.stdout
    bad = ws / "okrs/2026-Q2/so-khcn-vp.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("        target: 100\n", "        targte: 100\n", 1), encoding="utf-8")
    git(ws, "add", "-A")
    r = try_repo()
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"^okrctl validate\.+Failed$", r.stdout, re.M), r.stdout
    assert "okrs/2026-Q2/so-khcn-vp.yaml:" in r.stdout and "OKR101" in r.stdout
    assert "so-khcn-cds.yaml:" not in r.stdout  # one broken file: problems only in it
