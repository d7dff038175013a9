"""bench/run.py, the one-command benchmark of issue 10, end to end at a tiny scale:
it generates a real git history, runs every figure and prints the table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import subprocess_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_run_quick_prints_every_figure_beside_its_baseline(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "tiny", "--quick", "--cache", str(tmp_path)],
                       capture_output=True, env=subprocess_env(), timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode()
    assert re.search(r"^machine: \d+ cores .* load average [\d.]+ [\d.]+ [\d.]+$", out, re.M)
    assert "tiny: 5 units x 2 quarters, 10 period files" in out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if line.startswith("| ")}
    for name in ("bare yaml.load(CSafeLoader) of the period files [baseline]", "validate, cold", "score, cold", "rollup, cold",
                 "validate, warm (nothing changed)", "validate, one file changed", "check HEAD~1 HEAD (one file changed)",
                 "check HEAD NEW, first check of a new HEAD (one file changed, its parent checked)", "diff HEAD~1 HEAD",
                 "git diff --name-only HEAD~1 HEAD [baseline]", "git diff HEAD~1 HEAD [baseline]",
                 "history 2025-Q2/so-0000/O1/KR1, without commit-graph", "history 2025-Q2/so-0000/O1/KR1, with commit-graph",
                 "python -c 'import typer' [baseline]", "okrctl -C sample-workspace validate (fixed cost)"):
        assert name in rows, (name, out)
    assert re.search(r"\| validate, cold \| [\d.]+ s, CPU [\d.]+ s, \d+ MB \| [\d.]+ s \| [\d.]+× wall, [\d.]+× CPU \|", rows["validate, cold"])
    assert re.search(r"\+[\d.-]+ s wall, \+[\d.-]+ s CPU", rows["okrctl -C sample-workspace validate (fixed cost)"])
    # the generated repository: 60 commits, the last one changing exactly one file
    repo = next(tmp_path.glob("tiny-*"))
    git = ["git", "-C", str(repo)]
    assert subprocess.run([*git, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip() == "60"
    assert subprocess.run([*git, "diff", "--name-only", "HEAD~1", "HEAD"], capture_output=True, text=True).stdout == "okrs/2025-Q2/so-0000.yaml\n"
    # the fresh commits of "a new HEAD" left neither a ref nor a changed file behind
    assert subprocess.run([*git, "for-each-ref", "refs/okrctl-bench"], capture_output=True, text=True).stdout == ""
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
