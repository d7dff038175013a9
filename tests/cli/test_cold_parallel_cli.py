"""A cold `validate` gives byte-identical output in one process and with the forked
worker (records sent back as MessagePack, positions read again from the files, the
typed model deciding most files), with diagnostics found in both processes' files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import run_okrctl

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_workspace import generate  # noqa: E402


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_one_process_and_the_worker_print_the_same(tmp_path):
    ws = tmp_path / "ws"
    files = generate(ws, units=56, quarters=1, seed=9)
    for f in files[10:14]:  # a record position (cross-file check), in files of both processes
        _edit(f, "    title:", "    aligns_to: so-9999/O1\n    title:")
    _edit(files[20], "confidence: 0.", "confidence: 1.")  # a schema error
    _edit(files[21], "\n    title:", "\n    x-ghi-chu: tự do\n    title:")  # valid, left to the validators
    _edit(files[22], "        baseline:", "        basline:")  # an unknown key (and a missing one)
    outs = {}
    for jobs in ("1", "2"):
        r = run_okrctl("-C", str(ws), "validate", "--no-cache", "--format", "json", env={"OKRCTL_JOBS": jobs})
        outs[jobs] = (r.returncode, r.stdout)
    assert outs["1"] == outs["2"]
    assert outs["1"][0] == 1
    diags = json.loads(outs["1"][1])["diagnostics"]
    assert {d["code"] for d in diags} == {"OKR211", "OKR104", "OKR101", "OKR102"}
    aligned = [(d["path"], d["line"], d["column"]) for d in diags if d["code"] == "OKR211"]
    assert aligned == [(str(f.relative_to(ws)), 5, 16) for f in files[10:14]]  # read again from each file
