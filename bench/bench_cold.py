"""Cold path, whole process: okrctl `validate`/`score` beside a bare
``yaml.load(CSafeLoader)`` of the same files, in the same run (median of N, peak RSS
from ``/usr/bin/time -v``).

    uv run python bench/bench_cold.py WORKSPACE [WORKSPACE...] [--runs 3] [--before SRC]

``--before SRC`` also runs another okrctl source tree (e.g. ``git archive`` of an
older commit unpacked, its ``src/``) through PYTHONPATH, for before/after figures.
Generate workspaces with ``bench/gen_workspace.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

BASELINE = """
import glob, sys, yaml
for f in sorted(glob.glob(sys.argv[1] + '/**/*.yaml', recursive=True)):
    with open(f, 'rb') as fh:
        yaml.load(fh.read(), Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str], env: dict) -> tuple[float, float, float, int]:
    """(wall s, user+sys s, peak RSS MB, exit code) of one run."""
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
    err = p.stderr

    def field(name: str) -> str:
        m = re.search(rf"{re.escape(name)}: (.+)", err)
        return m.group(1).strip() if m else "0"

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(x) for x in wall.split(":")]
    secs = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return secs, cpu, int(field("Maximum resident set size (kbytes)")) / 1024, p.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workspaces", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", type=Path, help="src/ of an older okrctl to compare with")
    ap.add_argument("--commands", default="validate,score")
    ap.add_argument("--quick", action="store_true", help="only before/after (no 1-core and reference-reader rows)")
    args = ap.parse_args()
    py = sys.executable
    variants = [("after", {})]
    if args.before:
        variants.insert(0, ("before", {"PYTHONPATH": str(args.before)}))
    if not args.quick:
        variants.append(("after, 1 core", {"OKRCTL_JOBS": "1"}))
        variants.append(("after, reference reader", {"OKRCTL_YAML": "reference"}))
    print(f"| workspace | command | variant | wall s (median of {args.runs}) | CPU s | peak RSS MB | × baseline wall | × baseline CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for ws in args.workspaces:
        files = len(list(ws.glob("**/*.yaml")))
        label = f"{ws.name} ({files} files)"
        base = [timed([py, "-c", BASELINE, str(ws)], dict(os.environ)) for _ in range(args.runs)]
        bw, bc, bm = (statistics.median(x[i] for x in base) for i in range(3))
        print(f"| {label} | bare CSafeLoader load | — | {bw:.2f} | {bc:.2f} | {bm:.0f} | 1.00 | 1.00 |", flush=True)
        for cmd in args.commands.split(","):
            extra = ["--period", _period(ws)] if cmd == "score" else []
            for name, env in variants:
                e = dict(os.environ, **env)
                runs = [timed([py, "-m", "okrctl", "-C", str(ws), cmd, *extra], e) for _ in range(args.runs)]
                w, c, m = (statistics.median(x[i] for x in runs) for i in range(3))
                rc = {x[3] for x in runs}
                print(f"| {label} | {cmd} | {name} (exit {','.join(map(str, sorted(rc)))}) | {w:.2f} | {c:.2f} | {m:.0f} "
                      f"| {w / bw:.2f} | {c / bc:.2f} |", flush=True)


def _period(ws: Path) -> str:
    return sorted(p.name for p in (ws / "okrs").iterdir() if p.is_dir())[-1]


if __name__ == "__main__":
    main()
