"""Cold against warm runs of the persistent cache, whole process.

    uv run python bench/bench_cache.py [--units 200 2000] [--runs 3] [--cold-runs N] [--no-sample] [--work DIR]

For the sample workspace and generated workspaces (bench/gen_workspace.py, one
quarter) committed to a git repository: ``okrctl validate`` and ``okrctl score
--format json`` with an empty cache (``okrctl cache clear`` before each run), with a
warm one, and with ``--no-cache``; the median wall and CPU seconds and peak memory
of several runs, and a check that all three give byte-identical output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_workspace import generate  # noqa: E402

GIT = shutil.which("git") or "git"


def git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@x")
    subprocess.run([GIT, "-C", str(root), "-c", "commit.gpgsign=false", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def run(args: list[str]) -> tuple[float, float, int, bytes]:
    """wall s, CPU s (user + system, children included), peak RSS MB, stdout."""
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "okrctl", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read() if p.stdout else b""
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024, out


def measure(root: Path, cmd: list[str], mode: str, runs: int) -> tuple[float, float, int, bytes]:
    walls, cpus, rss, out = [], [], 0, b""
    base = ["-C", str(root)]
    if mode == "warm":
        run([*base, *cmd])
    for _ in range(runs):
        if mode == "cold":
            run([*base, "cache", "clear"])
        w, c, m, out = run([*base, *(["--no-cache"] if mode == "off" else []), *cmd])
        walls.append(w)
        cpus.append(c)
        rss = max(rss, m)
    return statistics.median(walls), statistics.median(cpus), rss, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="*", default=[200, 2000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold-runs", type=int, default=None, help="runs with an empty cache and with --no-cache (default --runs)")
    ap.add_argument("--no-sample", action="store_true")
    ap.add_argument("--work", type=Path, default=None)
    a = ap.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="okrctl-bench-cache-"))
    spaces: list[tuple[str, Path]] = []
    sample = work / "sample"
    if not a.no_sample and not sample.exists():
        shutil.copytree(HERE.parent / "sample-workspace", sample)
        git(sample, "init", "-q")
        git(sample, "add", "-A")
        git(sample, "commit", "-qm", "sample")
    if not a.no_sample:
        spaces.append(("sample (14 files)", sample))
    for n in a.units:
        root = work / f"u{n}"
        if not root.exists():
            generate(root, units=n, quarters=1, seed=1)
            git(root, "init", "-q")
            git(root, "add", "-A")
            git(root, "commit", "-qm", "generated")
        spaces.append((f"{n} units ({n + 2} files)", root))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; median of {a.runs} warm runs, "
          f"{a.cold_runs or a.runs} cold and --no-cache runs")
    print(f"{'workspace':<22} {'command':<19} {'cold s':>7} {'warm s':>7} {'off s':>7} {'cold CPU':>8} {'warm CPU':>8} "
          f"{'cold MB':>7} {'warm MB':>7}  same")
    for label, root in spaces:
        for cmd in (["validate"], ["score", "--format", "json"]):
            got = {mode: measure(root, cmd, mode, a.runs if mode == "warm" else (a.cold_runs or a.runs))
                   for mode in ("cold", "warm", "off")}
            same = got["cold"][3] == got["warm"][3] == got["off"][3]
            c, w, o = got["cold"], got["warm"], got["off"]
            print(f"{label:<22} {' '.join(cmd):<19} {c[0]:7.2f} {w[0]:7.2f} {o[0]:7.2f} {c[1]:8.2f} {w[1]:8.2f} "
                  f"{c[2]:7d} {w[2]:7d}  {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
