"""Issue 12: "okrctl: internal error … please report it" is a bug, every time.

Every command runs against a small set of broken workspaces (real files in real git
repositories) and must answer with a message and its documented exit code, never a
traceback.  Also the single cases of items 14 (an unreadable folder, as a non-root
user), 16 (``COLUMNS=99999999``), 17 (``--as-of`` at the ends of the calendar) and
20 (``max_score: 1e40``, a workspace path longer than PATH_MAX)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import run_okrctl, subprocess_env
from gitutil import commit_all, init_repo, write

GOOD_CONFIG = "name: T\nas_of: 2026-02-01\n"
GOOD_UNITS = "units:\n  - id: u\n    name: U\n    owners: [a.b]\n"
GOOD_FILE = ("objectives:\n  - id: O1\n    title: T\n    key_results:\n      - id: KR1\n        title: K\n"
             "        baseline: 0\n        target: 10\n        checkins:\n          - {date: 2026-01-15, value: 5}\n"
             "kpis:\n  - id: K1\n    title: P\n    target: 10\n")

#: name → files (relative path → text); each is committed, then the last entry of
#: ``AFTER`` (if any) is written on top, uncommitted
BROKEN: dict[str, dict[str, str]] = {
    "yaml-syntax": {"okrctl.yaml": GOOD_CONFIG, "units.yaml": GOOD_UNITS,
                    "okrs/2026-Q1/u.yaml": "objectives: [\n  - id: O1\n"},
    "schema": {"okrctl.yaml": "name: T\nlocale: fr\nscoring: {max_score: 0}\n", "units.yaml": "units: 5\n",
               "okrs/2026-Q1/u.yaml": "objectives: {}\n"},
    "huge-numbers": {"okrctl.yaml": "name: T\nas_of: 2026-02-01\nscoring:\n  max_score: 1e40\n", "units.yaml": GOOD_UNITS,
                     "okrs/2026-Q1/u.yaml": GOOD_FILE.replace("value: 5", "value: 1e35").replace("target: 10\nkpis", "target: 1\nkpis")},
    "semantic": {"okrctl.yaml": "name: T\nas_of: 9999-12-31\ntimezone: Nowhere/City\n",
                 "units.yaml": "units:\n  - id: u\n    name: U\n    parent: u\n",
                 "okrs/2026-Q1/u.yaml": GOOD_FILE.replace("    title: T\n", "    title: T\n    aligns_to: u/O1\n", 1)},
    "no-workspace": {"README.md": "not a workspace\n"},
}

KR, KPI = "2026-Q1/u/O1/KR1", "2026-Q1/u/K1"
#: one run of every command (on every broken workspace)
COMMANDS: list[tuple[str, ...]] = [
    ("validate",), ("score",), ("rollup",), ("diff",), ("check", "HEAD"), ("history", KR),
    ("checkin", KR, "7", "--date", "2026-01-20"), ("measure", KPI, "3", "--date", "2026-01-20"),
    ("init", "okrs/2026-Q1/u.yaml"), ("period", "new", "2026-Q2"), ("close", "2026-Q1", "--yes"),
    ("verify", "2026-Q1"), ("codeowners",), ("codeowners", "--check"), ("report", "--format", "docx"),
]
#: more options and bad arguments (on the workspace that scores)
VARIANTS: list[tuple[str, ...]] = [
    ("validate", "--format", "sarif"), ("score", "--format", "csv"), ("score", "--period", "2026-Q9"),
    ("rollup", "--by", "alignment"), ("diff", "HEAD", "HEAD"), ("diff", "no-such-rev"),
    ("history", "../../etc/passwd"), ("checkin", KR, "abc"), ("period", "new", "2026-Q9"), ("doctor",),
]


def _repo(root: Path, files: dict[str, str]) -> Path:
    init_repo(root)
    for rel, text in files.items():
        write(root / rel, text)
    commit_all(root, "start")
    return root


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    base = tmp_path_factory.mktemp("broken")
    return {name: _repo(base / name, files) for name, files in BROKEN.items()}


def _run(template: Path, scratch: Path, args: tuple[str, ...]):
    ws = scratch / "ws"
    shutil.copytree(template, ws, symlinks=True)
    return subprocess.run([sys.executable, "-m", "okrctl", "-C", str(ws), *args], env=subprocess_env(),
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BROKEN))
def test_no_command_answers_internal_error(templates, tmp_path, name):
    def one(i_args):
        i, args = i_args
        scratch = tmp_path / f"run{i}"
        scratch.mkdir()
        return args, _run(templates[name], scratch, args)

    commands = COMMANDS + (VARIANTS if name == "huge-numbers" else [])
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(one, enumerate(commands)))
    bad = []
    for args, r in results:
        out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
        if "internal error" in out or "Traceback" in out or r.returncode not in (0, 1, 2):
            bad.append(f"okrctl {' '.join(args)} → {r.returncode}: {out.strip()[-300:]}")
    assert bad == [], "\n".join(bad)


# --------------------------------------------------------------- single items


def test_as_of_at_the_ends_of_the_calendar_is_a_usage_error(templates, tmp_path):  # item 17
    for day in ("9999-12-31", "0001-01-01"):
        (tmp_path / day).mkdir()
        r = _run(templates["huge-numbers"], tmp_path / day, ("score", "--as-of", day))
        assert r.returncode == 2
        assert r.stderr.decode().strip() == f"okrctl: --as-of: {day} is outside the years okrctl works with (1900..2999)"


def test_as_of_setting_outside_the_calendar_is_okr104(templates, tmp_path):  # item 17
    r = _run(templates["semantic"], tmp_path, ("validate",))
    assert r.returncode == 1
    assert b"okrctl.yaml:2:8: error OKR104 as_of 9999-12-31 is outside the years okrctl works with (1900..2999)" in r.stdout


def test_max_score_1e40_scores_exactly(templates, tmp_path):  # item 20
    r = _run(templates["huge-numbers"], tmp_path, ("score", "--format", "csv"))
    assert r.returncode == 0, r.stderr
    row = [line for line in r.stdout.decode().splitlines() if ",key_result," in line][0]
    assert ",100000000000000000000000000000000000," in row  # 1e35 / 1, as an exact score


def test_workspace_path_longer_than_path_max(tmp_path):  # item 20
    code = (
        "import os, subprocess, sys\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "for _ in range(22):\n"
        "    os.mkdir('d' * 200); os.chdir('d' * 200)\n"
        "open('okrctl.yaml', 'w').write('name: T\\n'); open('units.yaml', 'w').write('units: []\\n')\n"
        "for args in (['validate'], ['-C', '.', 'score']):\n"
        "    r = subprocess.run([sys.executable, '-m', 'okrctl', *args], capture_output=True, text=True)\n"
        "    print(r.returncode, r.stderr.strip())\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    hint = "cannot open the workspace: File name too long (the path is longer than the system allows; move the workspace to a shorter path)"
    assert r.stdout.splitlines() == [f"2 okrctl: the current directory: {hint}", f"2 okrctl: -C .: {hint}"]


def test_absurd_columns_is_clamped(templates, tmp_path):  # item 16
    ws = tmp_path / "ws"
    shutil.copytree(templates["huge-numbers"], ws)
    r = run_okrctl("-C", str(ws), "score", env={"COLUMNS": "99999999"})
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.decode().splitlines()) <= 1000


@pytest.mark.skipif(not shutil.which("setpriv"), reason="setpriv (util-linux) is needed to drop to user nobody")
@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to user nobody needs root; as a non-root user chmod 000 suffices but the test builds for root")
@pytest.mark.parametrize("folder, where", [("okrs/2026-Q1", "okrs/2026-Q1"), ("okrs", "okrs")])
def test_unreadable_folder_is_a_diagnostic(folder, where):  # item 14
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="okrctl-perm-"))  # pytest's tmp_path is private to root
    try:
        _unreadable(top, folder, where)
    finally:
        for p in [top, *top.rglob("*")]:
            os.chmod(p, 0o755)
        shutil.rmtree(top)


def _unreadable(tmp_path: Path, folder: str, where: str) -> None:
    os.chmod(tmp_path, 0o755)
    ws = tmp_path / "ws"
    for rel, text in {"okrctl.yaml": GOOD_CONFIG, "units.yaml": GOOD_UNITS, "okrs/2026-Q1/u.yaml": GOOD_FILE}.items():
        write(ws / rel, text)
    for p in [ws, *ws.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    os.chmod(ws / folder, 0)
    env = subprocess_env({"HOME": str(tmp_path)})
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")  # nobody cannot write the session's
    r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        sys.executable, "-m", "okrctl", "-C", str(ws), "validate"],
                       capture_output=True, env=env, timeout=120, cwd=tmp_path)
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 1, out
    assert f"{where}:1:1: error OKR005 cannot read {where}/: Permission denied" in out
    assert "internal error" not in out
