"""Pathological inputs of issue 12 (items 3 and 4): small files that once kept
``okrctl validate`` busy for minutes.  Each must now finish within its limit.

    uv run python bench/bench_hostile.py [--repeat 3] [--no-limits]

Builds a one-unit workspace per case in a temporary directory and times, as the
user runs it, ``okrctl validate`` (a fresh process, median wall time) and, in one
process, the reader on the file alone (``yamlread.parse``) and the whole load
(``load_workspace``).  Exits 1 if a case is over its limit (the limits are
generous for a 2-core machine shared with other work; the figures before the fix
are in docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.read.yamlread import parse

HEAD = "objectives: []\n"


def unknown_keys() -> str:  # 90,000 unknown top-level keys, ≈ 870 KB (was 7 minutes)
    return HEAD + "".join(f"k{i}: 1\n" for i in range(90_000))


def duplicate_keys() -> str:  # 30,000 keys written twice: 30,000 duplicates (was over 10 s)
    once = "".join(f"x-{i}: 1\n" for i in range(30_000))
    return HEAD + once + once


#: two combining marks of different classes (230, 220): CPython's canonical ordering sorts them by insertion
MARKS = "\u0301\u0323"


def combining_marks() -> str:  # ≈ 900 KB of valid text: 15 values of 30,000 alternating marks (was 35 s)
    return HEAD + "".join(f'x-note{i}: "a{MARKS * 15_000}"\n' for i in range(15))


CASES = {"90,000 unknown keys": (unknown_keys, 1, 10.0),
         "30,000 duplicate keys": (duplicate_keys, 1, 5.0),
         "900 KB of combining marks": (combining_marks, 0, 5.0)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-limits", action="store_true", help="report only, never fail")
    a = ap.parse_args()
    over = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, want_rc, limit) in CASES.items():
            ws = Path(tmp) / name.replace(" ", "-").replace(",", "")
            (ws / "okrs" / "2026-Q1").mkdir(parents=True)
            (ws / "okrctl.yaml").write_text("name: T\n", encoding="utf-8")
            (ws / "units.yaml").write_text("units:\n  - id: u\n    name: U\n", encoding="utf-8")
            data = make().encode("utf-8")
            (ws / "okrs" / "2026-Q1" / "u.yaml").write_bytes(data)
            t0 = time.perf_counter()
            parse(data, "u.yaml")
            t_parse = time.perf_counter() - t0
            t0 = time.perf_counter()
            load_workspace(WorkingTreeSource(ws), cache=ParseCache())
            t_load = time.perf_counter() - t0
            walls = []
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "okrctl", "-C", str(ws), "validate"], capture_output=True)
                walls.append(time.perf_counter() - t0)
                assert r.returncode == want_rc, r.stderr
            wall = statistics.median(walls)
            verdict = "ok" if wall <= limit else "OVER"
            print(f"{name:<28} {len(data) / 1e3:7.0f} KB  parse {t_parse:6.2f} s  load {t_load:6.2f} s  "
                  f"`okrctl validate` {wall:6.2f} s  (limit {limit:.0f} s: {verdict})", flush=True)
            if wall > limit:
                over.append(name)
    return 1 if over and not a.no_limits else 0


if __name__ == "__main__":
    sys.exit(main())
