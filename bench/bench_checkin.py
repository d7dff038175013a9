"""Check-in into a pathological but valid period file (issue 12 #13).

    uv run python bench/bench_checkin.py [--checkins 23000] [--limit 6]

Copies sample-workspace/ to a temporary directory, gives one key result of
``okrs/2026-Q2/so-khcn-vp.yaml`` N one-line flow check-ins (23,000 make a file of
~0.97 MB, just under the 1 MiB read limit), then measures the CPU time (user +
system, children included) of ``okrctl checkin … --dry-run`` end to end, and of the
two edit engines alone on those bytes: the ruamel round trip
(``yamledit.append_item``) and the splice (``yamledit.splice_item``).  Exits 1 when
the command takes more than ``--limit`` CPU seconds: the time limit lives here, not
in the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = "okrs/2026-Q2/so-khcn-vp.yaml"
OLD = """        checkins:
          - {date: 2026-04-30, value: 92, confidence: 0.8, by: hoang.thi.g,
             evidence: ["Báo cáo số 52/BC-VP"]}
"""


def make(ws: Path, n: int) -> int:
    shutil.copytree(ROOT / "sample-workspace", ws)
    p = ws / FILE
    text = p.read_text(encoding="utf-8")
    assert OLD in text
    lines = ["        checkins:\n"] + [f"          - {{date: 2026-04-{1 + i * 29 // n:02d}, value: {80 + i % 20}}}\n"
                                        for i in range(n)]
    p.write_text(text.replace(OLD, "".join(lines)), encoding="utf-8")
    return p.stat().st_size


def cpu(fn) -> str:
    """CPU seconds of ``fn()`` with the cyclic GC off (as the CLI runs), and how it ended."""
    gc.disable()
    t = time.process_time()
    try:
        fn()
        how = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        how = f"refused: {getattr(exc, 'message', exc)}"[:70]
    finally:
        gc.enable()
    return f"{time.process_time() - t:.2f} s CPU ({how})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkins", type=int, default=23000)
    ap.add_argument("--limit", type=float, default=6.0, help="CPU seconds the command may take")
    ap.add_argument("--engines", action="store_true", help="also time the round trip alone (slow: ~15 s)")
    args = ap.parse_args()
    from okrctl.write import yamledit

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        size = make(ws, args.checkins)
        print(f"{FILE}: {size:,} bytes, {args.checkins:,} check-ins")
        check = subprocess.run([sys.executable, "-m", "okrctl", "-C", str(ws), "validate"], capture_output=True)
        assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "okrctl", "-C", str(ws), "checkin", "2026-Q2/so-khcn-vp/O1/KR1",
                               "95", "--date", "2026-05-10", "--dry-run"], capture_output=True,
                              env={**os.environ, "NO_COLOR": "1"})
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert proc.returncode == 0, proc.stderr.decode()
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"okrctl checkin --dry-run: {used:.2f} s CPU, {wall:.2f} s wall")
        data = (ws / FILE).read_bytes()
        item = {"date": datetime.date(2026, 5, 10), "value": 95}
        path = ["objectives", 0, "key_results", 0]
        print(f"  splice engine alone:     {cpu(lambda: yamledit.splice_item(data, path, 'checkins', item))}")
        if args.engines:
            print(f"  round-trip engine alone: {cpu(lambda: yamledit.append_item(data, path, 'checkins', item))}")
        if used > args.limit:
            print(f"FAIL: more than {args.limit:g} s CPU")
            sys.exit(1)


if __name__ == "__main__":
    main()
