"""Every goal figure of issue 10, beside its baseline measured in the same run.

    uv run python bench/run.py [--scale tiny|sample|200|2000|city] [--quick] [--repeat N]

Builds (once; kept under ``bench/.cache/``, gitignored) a generated workspace
committed as a git history (bench/gen_workspace.py: ``--scale city`` is 2,000 units
× 4 quarters, ≈ 8,000 files and 264 MB, 20,000 commits), then times whole
processes, each the median of N runs with the min–max, CPU time (user + system of
the process and the children it waited for) and peak memory (the largest resident
set of the process or any child it waited for, from ``wait4``), and the 1-minute
load average when the figure was taken:

* bare ``yaml.load(CSafeLoader)`` of the same period files, as a process: the
  baseline of ``validate``, ``score``, ``rollup`` (cold: no okrctl cache; warm:
  once more, nothing changed; one file changed: before each run one file gets an
  edit of that run alone, so no run finds its result cached) — "n/a" for warm when
  this okrctl has no ``cache`` command;
* ``check HEAD~1 HEAD`` (the last commit changes one file) beside
  ``git diff --name-only``: cold, with every file's records cached but HEAD not
  checked yet (``validate --rev HEAD`` first), and again (HEAD checked before);
  then the first check of a new HEAD: before each run a fresh commit on top of
  HEAD changing one file (a new edit each time, under ``refs/okrctl-bench/``,
  deleted at the end; HEAD does not move), checked against HEAD, whose rows are
  warm;
  ``diff HEAD~1 HEAD`` beside ``git diff``;
* ``history REF`` beside ``git log --raw -- path`` + one ``cat-file --batch``, without
  and with a commit-graph;
* the fixed cost: ``okrctl -C sample-workspace validate`` beside
  ``python -c 'import typer'``.

Processes run with Python's bytecode cache on (kept out of the tree), as an
installed okrctl runs.  ``--quick`` measures once (the fixed cost 5 times) and
skips nothing else; with ``--scale tiny`` it takes a few seconds (the smoke test).
A command whose first run takes over 30 s is not repeated.  Exit 0 unless a command
fails (exit 2 or more): goals missed are reported, not failed.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_workspace import build_history  # noqa: E402

#: units, quarters, commits
SCALES = {
    "tiny": (5, 2, 60),
    "sample": (20, 1, 500),
    "200": (200, 1, 2000),
    "2000": (2000, 1, 5000),
    "city": (2000, 4, 20000),
}
#: bump when gen_workspace's output changes, so a cached repository is rebuilt
GENERATOR_VERSION = 2
TRACED = "O1/KR1"
SLOW = 30.0
#: GNU time, for the peak memory of the command itself (else wait4's, which also
#: counts the forked bench process before it became the command: ≈ 20–50 MB)
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None

BASELINE_LOAD = (
    "import sys, yaml\n"
    "from pathlib import Path\n"
    "docs = [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in sorted(Path(sys.argv[1]).glob('okrs/*/*.yaml'))]\n"
    "print(len(docs))\n"
)


@dataclass
class Figure:
    wall: list[float]
    cpu: list[float]
    rss_mb: float
    load: float
    code: int

    def text(self) -> str:
        w = statistics.median(self.wall)
        spread = f" ({min(self.wall):.2f}–{max(self.wall):.2f})" if len(self.wall) > 1 else ""
        return f"{w:.3f} s{spread}"


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPYCACHEPREFIX"] = str(HERE / ".cache" / "pycache")
    env.setdefault("COLUMNS", "80")
    return env


def run(cmd: list[str], cwd: Path, repeat: int, ok=(0, 1), before=None) -> Figure:
    """Run ``cmd`` ``repeat`` times (``before()`` ahead of each run); stop after one
    run that took longer than :data:`SLOW`."""
    walls, cpus, rss, code = [], [], 0, 0
    rss_file = Path(tempfile.mkstemp(prefix="okrctl-bench-rss-")[1])
    if TIME:  # GNU time forks from a small process: its %M is the command's own peak
        cmd = [TIME, "-q", "-f", "%M", "-o", str(rss_file), *cmd]
    for i in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t0)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        proc.stderr and proc.stderr.close()
        if code not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {code}: {err.strip()[-500:]}")
        cpus.append(usage.ru_utime + usage.ru_stime)
        try:
            rss = max(rss, int(rss_file.read_text().split()[-1]) / 1024)
        except (OSError, ValueError, IndexError):
            rss = max(rss, usage.ru_maxrss / 1024)
        if i == 0 and walls[0] > SLOW:
            break
    rss_file.unlink(missing_ok=True)
    return Figure(walls, cpus, rss, os.getloadavg()[0], code)


#: the installed console script, as users run it (else ``python -m okrctl``)
_SCRIPT = Path(sys.executable).with_name("okrctl")


def okrctl(*args: str) -> list[str]:
    return [str(_SCRIPT), *args] if _SCRIPT.exists() else [sys.executable, "-m", "okrctl", *args]


def git(repo: Path, *args: str) -> list[str]:
    return ["git", "-C", str(repo), *args]


def workspace(scale: str, units: int, quarters: int, commits: int, cache_dir: Path) -> Path:
    key = hashlib.sha256(f"{GENERATOR_VERSION} {units} {quarters} {commits}".encode()).hexdigest()[:10]
    repo = cache_dir / f"{scale}-{key}"
    if (repo / ".git" / "okrctl-bench-done").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    t0 = time.perf_counter()
    facts = build_history(repo, units, quarters, commits)
    (repo / ".git" / "okrctl-bench-done").write_text(repr(facts), encoding="utf-8")
    print(f"generated {repo}: {facts['commits']} commits in {time.perf_counter() - t0:.1f} s")
    return repo


_edits = itertools.count(1)

#: the ref of the fresh commits of "first check of a new HEAD" (HEAD itself never moves)
NEW_HEAD = "refs/okrctl-bench/new-head"


def new_edit(original: bytes) -> bytes:
    """``original`` (a generated period file) with its first objective's owner
    renamed to a value of this run alone (process id and a counter), so every call
    is a content no cache has seen."""
    edited = original.replace(b"owner: can.bo.0", f"owner: can.bo.{os.getpid()}-{next(_edits)}".encode(), 1)
    assert edited != original, "no owner: can.bo.0 to edit"
    return edited


def new_commit(repo: Path, changed: Path) -> None:
    """Point :data:`NEW_HEAD` at a new commit on top of HEAD that changes ``changed``
    (a new edit, :func:`new_edit`), without touching HEAD, the index or the files:
    git plumbing with an index of its own."""
    rel = changed.relative_to(repo).as_posix()
    head = subprocess.run(git(repo, "show", f"HEAD:{rel}"), capture_output=True, check=True).stdout
    blob = subprocess.run(git(repo, "hash-object", "-w", "--stdin"), input=new_edit(head), capture_output=True,
                          check=True).stdout.decode().strip()
    with tempfile.TemporaryDirectory(prefix="okrctl-bench-index-") as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        subprocess.run(git(repo, "read-tree", "HEAD"), env=env, check=True, capture_output=True)
        subprocess.run(git(repo, "update-index", "--cacheinfo", f"100644,{blob},{rel}"), env=env, check=True,
                       capture_output=True)
        tree = subprocess.run(git(repo, "write-tree"), env=env, check=True, capture_output=True, text=True).stdout.strip()
    when = subprocess.run(git(repo, "log", "-1", "--format=%cI", "HEAD"), check=True, capture_output=True,
                          text=True).stdout.strip()  # HEAD's date: the commit adds no time of its own
    commit = subprocess.run(git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "bench: one file changed"),
                            env={**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
                                 "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
                                 "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
                            check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(git(repo, "update-ref", NEW_HEAD, commit), check=True, capture_output=True)


def has_cache_command() -> bool:
    r = subprocess.run(okrctl("cache", "--help"), capture_output=True, env=_env())
    return r.returncode == 0


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        mem_s = f"{mem / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        mem_s = "? RAM"
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem_s}; Python {platform.python_version()}, {gitv}; "
            f"okrctl at {head or '?'}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []

    def add(self, name: str, fig: Figure | None, base: Figure | None = None, goal: str = "", ratio_of=None) -> None:
        if fig is None:
            self.rows.append((name, "n/a", base.text() if base else "", "", goal, ""))
            return
        ratio = ""
        if base is not None:
            b = statistics.median(base.wall)
            ratio = f"{statistics.median(fig.wall) / b:.1f}× wall, {statistics.median(fig.cpu) / statistics.median(base.cpu):.1f}× CPU" if b else ""
        elif ratio_of is not None:
            ratio = ratio_of
        self.rows.append((name, f"{fig.text()}, CPU {statistics.median(fig.cpu):.2f} s, {fig.rss_mb:.0f} MB",
                          base.text() if base else "", ratio, goal, f"{fig.load:.1f}"))
        print(f"  {name}: {self.rows[-1][1]} (load {fig.load:.1f})", file=sys.stderr, flush=True)  # progress

    def print(self) -> None:
        head = ("figure", "okrctl: wall median (min–max), CPU, peak RSS", "baseline", "vs baseline", "goal", "load")
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for r in self.rows:
            print("| " + " | ".join(r) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=list(SCALES), default="city")
    ap.add_argument("--quick", action="store_true", help="one run of each figure (the fixed cost: 5)")
    ap.add_argument("--repeat", type=int, help="runs per figure (default 3; 1 with --quick)")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where generated repositories are kept (bench/.cache)")
    a = ap.parse_args()
    repeat = a.repeat or (1 if a.quick else 3)
    units, quarters, commits = SCALES[a.scale]
    print(f"machine: {machine()}")
    repo = workspace(a.scale, units, quarters, commits, a.cache.resolve())
    files = sorted(repo.glob("okrs/*/*.yaml"))
    size = sum(p.stat().st_size for p in files) / 1e6
    n_commits = subprocess.run(git(repo, "rev-list", "--count", "HEAD"), capture_output=True, text=True).stdout.strip()
    period = files[-1].parent.name
    print(f"workspace: {a.scale}: {units} units x {quarters} quarters, {len(files)} period files, {size:.0f} MB, "
          f"{n_commits} commits; period {period}; {repeat} run(s) per figure\n")
    cache = has_cache_command()
    t = Table()
    base = run([sys.executable, "-c", BASELINE_LOAD, str(repo)], repo, repeat)
    t.add("bare yaml.load(CSafeLoader) of the period files [baseline]", base)

    def clear() -> None:
        if cache:
            subprocess.run(okrctl("-C", str(repo), "cache", "clear"), capture_output=True, env=_env())

    goals = {"validate": ("≤ 10 s (moonshot 5 s), CPU ≤ 0.3× baseline; ≤ 1.5 GB", "≤ 0.3 s; ≤ 0.5 GB"),
             "score": ("", "≤ 1 s (moonshot 0.5 s); ≤ 0.5 GB"),
             "rollup": ("", "≤ 1 s; ≤ 0.5 GB")}
    changed = repo / "okrs" / period / ("so-0000.yaml" if units > 1 else "tp.yaml")
    for command in ("validate", "score", "rollup"):
        args = okrctl("-C", str(repo), command, *(("--period", period) if command != "validate" else ()))
        cold = run(args, repo, repeat, before=clear)
        t.add(f"{command}, cold", cold, base, goals[command][0])
        if cache:
            run(args, repo, 1)
            t.add(f"{command}, warm (nothing changed)", run(args, repo, repeat), base, goals[command][1])
            original = changed.read_bytes()

            def touch() -> None:  # a new edit every run: never a state whose rows are cached
                changed.write_bytes(new_edit(original))
            try:
                t.add(f"{command}, one file changed", run(args, repo, repeat, before=touch), base, "≤ warm + that file")
            finally:
                changed.write_bytes(original)
        else:
            t.add(f"{command}, warm (nothing changed)", None, None, goals[command][1] + " (no `okrctl cache` yet)")
            t.add(f"{command}, one file changed", None, None, "≤ warm + that file")
    gd = run(git(repo, "diff", "--name-only", "HEAD~1", "HEAD"), repo, repeat)
    t.add("git diff --name-only HEAD~1 HEAD [baseline]", gd)
    check_cmd = okrctl("-C", str(repo), "check", "HEAD~1", "HEAD", "--at", "2025-11-15")
    t.add("check HEAD~1 HEAD (one file changed)", run(check_cmd, repo, repeat, before=clear), gd, "≤ 2 s")
    if cache:
        def records_only() -> None:  # every file's records cached, HEAD not checked yet
            clear()
            subprocess.run(okrctl("-C", str(repo), "validate", "--rev", "HEAD"), capture_output=True, env=_env())

        t.add("check HEAD~1 HEAD, records cached, first check of HEAD", run(check_cmd, repo, 1, before=records_only), gd,
              "≤ 2 s")
        t.add("check HEAD~1 HEAD again (HEAD checked before)", run(check_cmd, repo, repeat), gd, "≤ 2 s")
        new_head = okrctl("-C", str(repo), "check", "HEAD", NEW_HEAD, "--at", "2025-11-15")
        t.add("check HEAD NEW, first check of a new HEAD (one file changed, its parent checked)",
              run(new_head, repo, repeat, before=lambda: new_commit(repo, changed)), gd, "≤ 2 s")
        subprocess.run(git(repo, "update-ref", "-d", NEW_HEAD), capture_output=True)
    gdiff = run(git(repo, "diff", "HEAD~1", "HEAD"), repo, repeat)
    t.add("git diff HEAD~1 HEAD [baseline]", gdiff)
    t.add("diff HEAD~1 HEAD", run(okrctl("-C", str(repo), "diff", "HEAD~1", "HEAD"), repo, repeat), gdiff, "≤ 0.3 s")
    ref = f"{period}/{changed.stem}/{TRACED}"
    path = f"okrs/{period}/{changed.name}"
    plumbing = ("set -e; git log --raw --no-abbrev --first-parent --format=%H -- " + path
                + " | awk '/^:/ {print $4}' | sort -u | git cat-file --batch > /dev/null")
    for graph in (False, True):
        info = repo / ".git" / "objects" / "info"
        for f in info.glob("commit-graph*"):
            shutil.rmtree(f) if f.is_dir() else f.unlink()
        if graph:
            subprocess.run(git(repo, "commit-graph", "write", "--reachable", "--changed-paths"), check=True, capture_output=True)
        label = "with" if graph else "without"
        gl = run(["sh", "-c", plumbing], repo, repeat)
        t.add(f"git log --raw -- path + cat-file --batch, {label} commit-graph [baseline]", gl)
        t.add(f"history {ref}, {label} commit-graph", run(okrctl("-C", str(repo), "history", ref, "--format", "json"),
                                                           repo, repeat, before=clear), gl, "≤ 2× baseline")
    fixed_n = 5 if a.quick else max(repeat, 11)
    # interleaved, so that both see the same load
    typer_fig, val = Figure([], [], 0, 0, 0), Figure([], [], 0, 0, 0)
    for _ in range(fixed_n + 1):
        for fig, cmd in ((typer_fig, [sys.executable, "-c", "import typer"]),
                         (val, okrctl("-C", str(ROOT / "sample-workspace"), "validate"))):
            one = run(cmd, ROOT, 1)
            if _:  # the first round warms the caches
                fig.wall += one.wall
                fig.cpu += one.cpu
                fig.rss_mb, fig.load = max(fig.rss_mb, one.rss_mb), one.load
    t.add("python -c 'import typer' [baseline]", typer_fig)
    above = statistics.median(val.wall) - statistics.median(typer_fig.wall)
    above_cpu = statistics.median(val.cpu) - statistics.median(typer_fig.cpu)
    t.add("okrctl -C sample-workspace validate (fixed cost)", val, None, "≤ 0.15 s above baseline",
          ratio_of=f"+{above:.3f} s wall, +{above_cpu:.3f} s CPU")
    t.print()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"okrctl cache: {'yes' if cache else 'not in this okrctl (warm figures n/a)'}")


if __name__ == "__main__":
    main()
