"""Git history and diff: okrctl beside the git plumbing it is built on.

    uv run python bench/bench_git.py [--commits 5000] [--units 100] [--repeat 3]

Builds, in a temporary directory, a repository of ``--commits`` commits with
``git fast-import``: a generated workspace (bench/gen_workspace.py: ``--units``
units × 4 quarters of 2025, ≈ 25 KB per period file) committed week by week, each
unit committing its own period file once a week with the check-ins (and
measurements) dated up to that week, plus a few corrections (a second check-in
with the same date) in the traced unit's files.  Then, in ONE run, median of
``--repeat``, first without and then with a commit-graph
(``git commit-graph write --reachable --changed-paths``):

* ``okrctl history REF`` in-process (:func:`okrctl.audit.history.history`, empty parse
  cache) and as a process (``python -m okrctl history REF --format json``);
* beside it the git plumbing: ``git log --format=%H -- path`` and
  ``git log --raw --no-abbrev -- path`` + one ``git cat-file --batch`` of the
  distinct blobs (no parsing);
* ``okrctl diff A B`` one commit apart and a week apart (as a process when the
  command exists; otherwise in-process: ``diff_tree`` → one ``read_blobs`` →
  parse → :func:`okrctl.engine.diff.diff_period_files` per changed file, and the table
  says so) beside ``git diff-tree -r A B``;
* the floor: ``python -m okrctl --version``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_workspace import Snapshots, generate  # noqa: E402

from okrctl import gitio  # noqa: E402
from okrctl.audit import history as H  # noqa: E402
from okrctl.engine.diff import diff_period_files  # noqa: E402
from okrctl.read.build import build_period_file  # noqa: E402
from okrctl.read.loader import ParseCache  # noqa: E402
from okrctl.model.periods import parse_period  # noqa: E402

GIT = shutil.which("git") or "git"
TRACED_UNIT = "so-0000"


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return subprocess.run([GIT, "-C", str(repo), *args], input=input, env=env, capture_output=True, check=True).stdout


# --------------------------------------------------------------------------- the repository


def as_of_week(text: str, cutoff: date) -> str:
    """The period file as it stood at ``cutoff`` (gen_workspace.Snapshots)."""
    return Snapshots(text).at(cutoff)


def _traced_kr(lines: list[str]) -> tuple[int, int]:
    o2 = lines.index("  - id: O2")
    kr = lines.index("      - id: KR1", o2)
    end = next(k for k in range(kr + 1, len(lines)) if lines[k].startswith(("      - id:", "  - id:", "#")))
    return kr, end


def latest_checkin_date(text: str) -> str | None:
    lines = text.split("\n")
    kr, end = _traced_kr(lines)
    dates = [lines[k].split(": ", 1)[1] for k in range(kr, end) if lines[k].startswith("          - date:")]
    return dates[-1] if dates else None


def add_corrections(text: str, fixes: list[tuple[str, int]]) -> str:
    """For each (date, n): a second check-in with the same date (a correction, the
    way FORMAT §5 corrects a value) after the traced KR O2/KR1's check-in of that date."""
    lines = text.split("\n")
    for d, n in fixes:
        kr, end = _traced_kr(lines)
        at = [k for k in range(kr, end) if lines[k] == f"          - date: {d}"]
        if not at:
            continue
        after = next(k for k in range(at[-1] + 1, end + 1) if k == end or lines[k].startswith("          - date:"))
        lines[after:after] = [f"          - date: {d}", f"            value: {40 + n}.5", "            by: can.bo.sua",
                              f"            note: Đính chính số liệu lần {n}"]
    return "\n".join(lines)


def build_repo(repo: Path, n_commits: int, units: int) -> dict:
    """``n_commits`` commits through one ``git fast-import``; returns facts about it."""
    src = repo.parent / "gen"
    files = generate(src, units, 4)
    texts = {(p.parent.name, p.stem): p.read_text(encoding="utf-8") for p in files}
    unit_ids = sorted({u for _, u in texts}, key=lambda u: (u != "tp", u))
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    stream: list[bytes] = []
    mark = 0
    t0 = int(datetime(2025, 1, 3, 9, 0, tzinfo=timezone(timedelta(hours=7))).timestamp())

    def blob(data: bytes) -> bytes:
        return b"data %d\n" % len(data) + data + b"\n"

    def commit(message: str, changes: list[tuple[str, bytes]], ts: int) -> None:
        nonlocal mark
        mark += 1
        author = "Nguyễn Văn A <a@example.org>".encode()
        msg = message.encode()
        stream.append(b"commit refs/heads/main\nmark :%d\n" % mark)
        stream.append(b"author " + author + b" %d +0700\n" % ts)
        stream.append(b"committer " + author + b" %d +0700\n" % ts)
        stream.append(b"data %d\n" % len(msg) + msg + b"\n")
        for path, data in changes:
            stream.append(b"M 100644 inline " + path.encode() + b"\n" + blob(data))
        stream.append(b"\n")

    commit("Khởi tạo không gian làm việc", [("okrctl.yaml", (src / "okrctl.yaml").read_bytes()),
                                            ("units.yaml", (src / "units.yaml").read_bytes())], t0 - 86400)
    if n_commits > 1 + 52 * len(unit_ids) + 8:
        raise SystemExit(f"{n_commits} commits need more than 52 weeks of {len(unit_ids)} units: raise --units")
    made = 1
    week = 0
    corrections = 0
    fixes: dict[str, list[tuple[str, int]]] = {}
    start = date(2025, 1, 3)
    while made < n_commits:
        cutoff = start + timedelta(days=7 * week)
        q = (cutoff.month - 1) // 3 + 1
        quarter = f"2025-Q{q}"
        week_in_q = (cutoff - date(2025, 3 * (q - 1) + 1, 1)).days // 7
        for i, u in enumerate(unit_ids):
            if made >= n_commits:
                break
            ts = t0 + week * 7 * 86400 + i * 60
            path = f"okrs/{quarter}/{u}.yaml"
            text = add_corrections(as_of_week(texts[(quarter, u)], cutoff), fixes.get(path, []))
            commit(f"{u}: cập nhật tuần {week + 1}\n\nOkr-Ref: {quarter}/{u}", [(path, text.encode())], ts)
            made += 1
            d = latest_checkin_date(text) if u == TRACED_UNIT and week_in_q in (3, 7, 10) else None
            if d is not None and made < n_commits:
                corrections += 1
                fixes.setdefault(path, []).append((d, corrections))
                text = add_corrections(as_of_week(texts[(quarter, u)], cutoff), fixes[path])
                commit(f"{u}: đính chính số liệu tuần {week + 1}", [(path, text.encode())], ts + 30)
                made += 1
        week += 1
    data = b"".join(stream)
    git(repo, "fast-import", "--quiet", "--force", input=data)
    git(repo, "reset", "-q", "--hard", "main")
    git(repo, "config", "core.commitGraph", "true")
    return {"commits": made, "weeks": week, "units": len(unit_ids), "stream_mb": len(data) / 1e6, "corrections": corrections}


# --------------------------------------------------------------------------- measuring


class T(float):
    """A median that remembers the fastest run (shown in parentheses: on a busy
    machine the minimum is the better estimate of the cost)."""

    low: float

    def __new__(cls, times: list[float]) -> "T":
        t = super().__new__(cls, statistics.median(times))
        t.low = min(times)
        return t


def timed(fn, repeat: int) -> tuple[T, object]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return T(times), result


def plumbing_history(repo: Path, path: str) -> int:
    out = git(repo, "log", "--raw", "-z", "--no-abbrev", "--no-renames", "--first-parent", "--format=%x01%H", "--", path)
    shas = []
    for tok in out.split(b"\0"):
        tok = tok.lstrip(b"\n")
        if tok.startswith(b":"):
            new = tok.split(b" ")[3].decode()
            if set(new) != {"0"}:
                shas.append(new)
    distinct = list(dict.fromkeys(shas))
    data = git(repo, "cat-file", "--batch", input="".join(s + "\n" for s in distinct).encode())
    return len(data)


def inprocess_diff(repo_obj, a: str, b: str) -> int:
    """What ``okrctl diff A B`` does, in-process: changed files only."""
    changed = repo_obj.diff_tree(a, b, "")
    shas = [s for _, p, o, n in changed if p.startswith("okrs/") for s in (o, n) if s]
    blobs = repo_obj.read_blobs(shas)
    cache = ParseCache()
    n = 0
    for _status, path, old, new in changed:
        if not path.startswith("okrs/"):
            continue
        _, pid, name = path.split("/")
        period = parse_period(pid)
        sides = []
        for sha in (old, new):
            if sha is None:
                sides.append(None)
                continue
            doc, _ = cache.get("okr-file", sha, path, blobs[sha])
            sides.append(build_period_file(doc, path, name[:-5], period, sha) if doc is not None else None)
        n += len(diff_period_files(sides[0], sides[1]))
    return n


#: processes run with compiled bytecode cached (as an installed okrctl has it), kept
#: out of the source tree; PYTHONDONTWRITEBYTECODE would recompile every module on
#: every run (≈ +0.35 s)
PROC_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def process(cmd: list[str], repeat: int, cwd: Path) -> float:
    def run():
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, env=PROC_ENV)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')}")
        return r
    run()  # warm-up: bytecode cache, page cache
    return timed(run, repeat)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the repository here and keep it")
    a = ap.parse_args()
    gc.disable()
    tmp = tempfile.mkdtemp(prefix="okrctl-bench-git-")
    PROC_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
    try:
        repo = (a.keep or Path(tmp)) / "repo"
        t0 = time.perf_counter()
        facts = build_repo(repo, a.commits, a.units)
        build_s = time.perf_counter() - t0
        # the traced file: the Q3 file (complete when the history covers the year), else Q1's
        quarter = "2025-Q3" if facts["weeks"] >= 40 else "2025-Q1"
        ref = f"{quarter}/{TRACED_UNIT}/O2/KR1"
        path = f"okrs/{quarter}/{TRACED_UNIT}.yaml"
        n_touch = len(git(repo, "log", "--format=%H", "--first-parent", "--", path).split())
        distinct = len(set(git(repo, "log", "--format=", "--raw", "--no-abbrev", "--", path).split()[3::6]))
        size = sum(f.stat().st_size for f in (repo / "okrs").rglob("*.yaml")) / 1e6
        print(f"repository: {facts['commits']} commits ({facts['units']} units x 4 quarters, "
              f"{facts['weeks']} weekly rounds, fast-import stream {facts['stream_mb']:.0f} MB, built in {build_s:.1f} s); "
              f"working tree {size:.1f} MB")
        print(f"traced: {ref}: {path} is touched by {n_touch} commits ({distinct} distinct blobs)")
        exists = subprocess.run([sys.executable, "-m", "okrctl", "diff", "--help"], capture_output=True).returncode == 0
        r = gitio.Repo.discover(repo)
        head = r.resolve("HEAD")
        one_back = r.resolve("HEAD~1")
        week_back = r.resolve(f"HEAD~{facts['units']}")
        changed_1 = len(r.diff_tree(one_back, head, ""))
        changed_w = len(r.diff_tree(week_back, head, ""))
        h = H.history(r, "", ref, cache=ParseCache())
        assert h.commits == n_touch, (h.commits, n_touch)
        print(f"history: {len(h.events)} events; diff one commit apart: {changed_1} file(s); a week apart: {changed_w} files")
        py = [sys.executable, "-m", "okrctl", "-C", str(repo)]
        rows: list[tuple[str, list[float]]] = []
        graph_time = None
        for with_graph in (False, True):
            if with_graph:
                t0 = time.perf_counter()
                git(repo, "commit-graph", "write", "--reachable", "--changed-paths")
                graph_time = time.perf_counter() - t0
            else:
                for f in (repo / ".git/objects/info").glob("commit-graph*"):
                    if f.is_file():
                        f.unlink()
                    else:
                        shutil.rmtree(f)
            col = []

            def rep(fn):
                return timed(fn, a.repeat)[0]

            col.append(rep(lambda: git(repo, "log", "--format=%H", "--first-parent", "--", path)))
            col.append(rep(lambda: plumbing_history(repo, path)))
            col.append(rep(lambda: H.history(gitio.Repo.discover(repo), "", ref, cache=ParseCache())))
            warm = ParseCache()
            H.history(gitio.Repo.discover(repo), "", ref, cache=warm)
            col.append(rep(lambda: H.history(gitio.Repo.discover(repo), "", ref, cache=warm)))  # noqa: B023
            col.append(process([*py, "history", ref, "--format", "json"], a.repeat, repo))
            col.append(rep(lambda: git(repo, "diff-tree", "-r", "--raw", "--no-abbrev", one_back, head)))
            if exists:
                col.append(process([*py, "diff", one_back, head], a.repeat, repo))
            else:
                col.append(rep(lambda: inprocess_diff(gitio.Repo.discover(repo), one_back, head)))
            col.append(rep(lambda: git(repo, "diff-tree", "-r", "--raw", "--no-abbrev", week_back, head)))
            if exists:
                col.append(process([*py, "diff", week_back, head], a.repeat, repo))
            else:
                col.append(rep(lambda: inprocess_diff(gitio.Repo.discover(repo), week_back, head)))
            col.append(process([sys.executable, "-m", "okrctl", "--version"], a.repeat, repo))
            rows.append(("with" if with_graph else "without", col))
        how = "process" if exists else "in-process (okrctl diff not built yet)"
        names = [
            "git log --format=%H -- path",
            "git log --raw -- path + cat-file --batch",
            "okrctl history REF (in-process)",
            "  … with every blob already parsed (git + build + diff)",
            "okrctl history REF (process)",
            "git diff-tree -r A B (one commit apart)",
            f"okrctl diff A B, one commit apart, {how}",
            "git diff-tree -r A B (a week apart)",
            f"okrctl diff A B, a week apart, {how}",
            "python -m okrctl --version (the floor)",
        ]
        print(f"\nmedian of {a.repeat} (fastest), seconds; commit-graph write --reachable --changed-paths took {graph_time:.2f} s\n")
        print(f"| {'operation':<62} | no commit-graph | commit-graph + Bloom |")
        print(f"|{'-' * 64}|-----------------|----------------------|")
        for i, name in enumerate(names):
            a_, b_ = rows[0][1][i], rows[1][1][i]
            print(f"| {name:<62} | {f'{a_:.3f} ({a_.low:.3f})':>15} | {f'{b_:.3f} ({b_.low:.3f})':>20} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the repository itself lives elsewhere with --keep


if __name__ == "__main__":
    main()
