"""Reader throughput: okrctl's reader and validator beside a bare PyYAML load.

    uv run python bench/bench_read.py [--units 50] [--quarters 4] [--repeat 3]

Generates a workspace (bench/gen_workspace.py) in a temporary directory, reads
every period file into memory, then times, in one process with the cyclic GC off
(as the CLI runs):

* bare ``yaml.load(data, Loader=yaml.CSafeLoader)`` of every file (the baseline);
* ``yaml.compose`` with CSafeLoader (node tree with positions, PyYAML's resolver);
* okrctl's reader (``okrctl.read.yamlread.parse``: libyaml compose, YAML 1.2 typing,
  strictness checks, positions);
* okrctl's full validation pipeline (``load_workspace``: read, parse, compiled
  schema check, typed records, semantic checks) with an empty parse cache, in one
  process and as ``okrctl validate`` runs it (a forked worker takes a share of the
  files when there are many and more than one core);
* ruamel.yaml safe/pure on the first 10 files, for scale;
* the ``okrctl validate`` command end to end (a fresh process, median wall time).

Prints MB/s for each; the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import yaml  # noqa: E402
from gen_workspace import generate  # noqa: E402

from okrctl.read.loader import ParseCache, load_workspace  # noqa: E402
from okrctl.read.source import WorkingTreeSource  # noqa: E402
from okrctl.read.yamlread import parse  # noqa: E402


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--quarters", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    gc.disable()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        files = generate(root, a.units, a.quarters)
        datas = [p.read_bytes() for p in files]
        mb = sum(map(len, datas)) / 1e6
        print(f"workspace: {len(files)} period files, {mb:.1f} MB ({a.units} units x {a.quarters} quarters); median of {a.repeat}")
        rows = []

        def row(name, seconds, size=mb):
            rows.append((name, seconds, size / seconds))
            print(f"  {name:<52} {seconds:8.3f} s {size / seconds:8.2f} MB/s", flush=True)

        row("bare yaml.load(CSafeLoader)  [baseline]", timed(lambda: [yaml.load(d, Loader=yaml.CSafeLoader) for d in datas], a.repeat))
        row("yaml.compose(CSafeLoader)", timed(lambda: [yaml.compose(d, Loader=yaml.CSafeLoader) for d in datas], a.repeat))
        row("okrctl reader (yamlread.parse)", timed(lambda: [parse(d, "x.yaml") for d in datas], a.repeat))
        row("okrctl validate pipeline, 1 process (load_workspace)", timed(lambda: load_workspace(WorkingTreeSource(root), cache=ParseCache()), a.repeat))
        row("okrctl validate pipeline, as `validate` runs it (parallel)", timed(lambda: load_workspace(WorkingTreeSource(root), cache=ParseCache(), parallel=True), a.repeat))
        try:
            from ruamel.yaml import YAML

            few = datas[:10]
            y = YAML(typ="safe", pure=True)
            row("ruamel.yaml safe/pure (first 10 files)", timed(lambda: [y.load(d) for d in few], 1), sum(map(len, few)) / 1e6)
        except ImportError:
            pass
        cmd = [sys.executable, "-m", "okrctl", "-C", str(root), "validate"]
        walls = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            rc = subprocess.run(cmd, capture_output=True).returncode
            walls.append(time.perf_counter() - t0)
            assert rc == 0, "generated workspace must validate clean"
        row("`okrctl validate` end to end (process)", statistics.median(walls))
        base = rows[0][1]
        serial, parallel = rows[3][1], rows[4][1]
        print(f"validate pipeline / bare load: {serial / base:.2f}x the time in one process, "
              f"{parallel / base:.2f}x as `okrctl validate` runs it "
              f"({'within' if parallel <= base else 'OVER'} the target of 1.0x)")


if __name__ == "__main__":
    main()
