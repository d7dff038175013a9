"""``okrctl report`` end to end: the sample in and out of git, and generated workspaces.

    uv run python bench/bench_report.py [--repeat 7] [--formats md,html,docx]
                                        [--units 200,2000] [--scale-repeat 3] [--scale-formats md,html]

Each figure is a whole process (``python -m okrctl``, start-up included) with
Python's bytecode cache on (as an installed package runs; ``PYTHONDONTWRITEBYTECODE``
is removed from the environment), after one warm-up run; runs of the same table are
interleaved so that a change in the machine's load touches them alike.  Printed: the
median, the fastest and slowest run, the peak RSS and the load average before and
after (the machine is shared).

* The sample (``sample-workspace/``) copied twice: outside git, and committed in a
  repository of its own (three commits, each 2026-Q2 file in two distinct versions),
  so that sections 7 and 9 read the history of every objective and KPI.
* ``--units N,...``: ``bench/gen_workspace.py`` workspaces of N units × 1 quarter
  (2025-Q1, ≈ 33 KB per unit), committed in one commit; ``report --period 2025-Q1``.
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

sys.path.insert(0, str(Path(__file__).parent))

from gen_workspace import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "FORCE_COLOR")}
GIT_ENV = {**ENV, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def git(repo: Path, *args: str, when: str = "2026-05-14T09:00:00+07:00") -> None:
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def commit_all(repo: Path, message: str, when: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message, when=when)


def sample_in_git(dest: Path) -> Path:
    """The sample in a repository of three commits: as it is, then every period file
    of 2026-Q2 with one more comment line (a new version of each to read and diff),
    then as it is again."""
    shutil.copytree(SAMPLE, dest)
    git(dest, "init", "-q", "-b", "main")
    commit_all(dest, "the sample", "2026-05-08T09:00:00+07:00")
    files = sorted((dest / "okrs" / "2026-Q2").glob("*.yaml"))
    final = {f: f.read_bytes() for f in files}
    for f in files:
        f.write_bytes(final[f] + "# cập nhật tuần 19\n".encode())
    commit_all(dest, "weekly update", "2026-05-12T09:00:00+07:00")
    for f in files:
        f.write_bytes(final[f])
    commit_all(dest, "weekly update", "2026-05-14T09:00:00+07:00")
    return dest


def run_once(args: list[str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system of the process and the git processes it
    waited for: what a shared machine's load does not inflate much) and peak RSS (MB)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "okrctl", *args], env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"okrctl {' '.join(args)} exited {proc.returncode}: {err.strip()[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(title: str, commands: dict[str, list[str]], repeat: int, warm_up: bool = True) -> None:
    load0 = os.getloadavg()[0]
    for args in commands.values() if warm_up else ():
        run_once(args)  # warm-up: bytecode cache, page cache
    times: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(repeat):
        for name, args in commands.items():
            t, c, m = run_once(args)
            times[name].append(t)
            cpu[name].append(c)
            rss[name] = max(rss[name], m)
    load1 = os.getloadavg()[0]
    print(f"\n{title} (median of {repeat}; load average {load0:.1f} → {load1:.1f})")
    print("| command | wall, median | wall, min – max | CPU, median | CPU, min | peak RSS |")
    print("|---|---|---|---|---|---|")
    for name, ts in times.items():
        print(f"| `{name}` | {_ms(statistics.median(ts))} | {_ms(min(ts))} – {_ms(max(ts))} "
              f"| {_ms(statistics.median(cpu[name]))} | {_ms(min(cpu[name]))} | {rss[name]} MB |")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--formats", default="md,html,docx")
    ap.add_argument("--units", default="", help="comma-separated unit counts of generated workspaces (e.g. 200,2000)")
    ap.add_argument("--scale-repeat", type=int, default=3)
    ap.add_argument("--scale-formats", default="md,html")
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--warm-up-below", type=int, default=500,
                    help="warm up the generated workspaces of at most this many units (larger: no warm-up run)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="okrctl-bench-report-") as tmp:
        base = Path(tmp)
        out = base / "out"
        out.mkdir()
        if not a.skip_sample:
            plain = base / "plain"
            shutil.copytree(SAMPLE, plain)
            in_git = sample_in_git(base / "git")
            cmds = {"okrctl score (sample, outside git)": ["-C", str(plain), "score"]}
            for f in a.formats.split(","):
                cmds[f"report --format {f} (outside git)"] = ["-C", str(plain), "report", "--format", f,
                                                            "-o", str(out / f"plain.{f}")]
                cmds[f"report --format {f} (in git)"] = ["-C", str(in_git), "report", "--format", f,
                                                                   "-o", str(out / f"git.{f}")]
            table("The sample workspace", cmds, a.repeat)
        for n in [int(x) for x in a.units.split(",") if x]:
            ws = base / f"u{n}"
            generate(ws, n, 1)
            git(ws, "init", "-q", "-b", "main")
            commit_all(ws, "generated", "2025-04-01T09:00:00+07:00")
            cmds = {f"score --period 2025-Q1 ({n} units)": ["-C", str(ws), "score", "--period", "2025-Q1", "--format", "json"]}
            for f in a.scale_formats.split(","):
                cmds[f"report --format {f} ({n} units)"] = ["-C", str(ws), "report", "--period", "2025-Q1", "--format", f,
                                                            "-o", str(out / f"u{n}.{f}")]
            table(f"Generated workspace: {n} units x 1 quarter, committed", cmds, a.scale_repeat,
                  warm_up=n <= a.warm_up_below)


if __name__ == "__main__":
    main()
