"""Issue 12 #8 (deep unit trees and alignment chains: a documented limit, checked
linearly, instead of a RecursionError in score/rollup) and #18 (diagnostics point at
the offending field, not at the item that holds it).  Real files, real CLI runs."""

from __future__ import annotations

import pytest

from conftest import run_okrctl
from okrctl.model.chains import MAX_TREE_DEPTH, chains
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource

KR = ("    key_results:\n      - id: KR1\n        title: K\n        baseline: 0\n        target: 10\n"
      "        checkins:\n          - {date: 2026-01-15, value: 5}\n")


def _ws(tmp_path, units: str, files: dict[str, str]):
    ws = tmp_path / "ws"
    (ws / "okrs" / "2026-Q1").mkdir(parents=True)
    (ws / "okrctl.yaml").write_text("name: T\nas_of: 2026-02-01\n", encoding="utf-8")
    (ws / "units.yaml").write_text(units, encoding="utf-8")
    for name, text in files.items():
        (ws / "okrs" / "2026-Q1" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return ws


def _chain_of_units(n: int) -> str:
    return "units:\n" + "".join(f"  - id: u{i}\n    name: U{i}\n" + (f"    parent: u{i - 1}\n" if i else "")
                                for i in range(n))


def _chain_of_objectives(n: int) -> str:
    return "objectives:\n" + "".join(f"  - id: O{i}\n    title: T\n" + (f"    aligns_to: u/O{i - 1}\n" if i else "") + KR
                                     for i in range(n))


def _codes(ws):
    return [(d.path, d.line, d.column, d.code) for d in load_workspace(WorkingTreeSource(ws), cache=ParseCache()).diagnostics]


def test_chains_depths_and_cycles():
    assert chains({}, []) == ({}, [])
    assert chains({"c": "b", "b": "a"}, ["a", "b", "c"]) == ({"a": 1, "b": 2, "c": 3}, [])
    assert chains({"a": "b", "b": "a", "x": "a"}, ["x"]) == ({"b": 1, "a": 2, "x": 3}, [["a", "b"]])
    assert chains({"a": "a"}, ["a"]) == ({"a": 1}, [["a"]])
    depths, _ = chains({f"n{i}": f"n{i - 1}" for i in range(1, 100_000)}, [])
    assert depths["n99999"] == 100_000


@pytest.mark.parametrize("n", [MAX_TREE_DEPTH, 700])
def test_unit_tree_depth(tmp_path, n):
    ws = _ws(tmp_path, _chain_of_units(n), {f"u{n - 1}": _chain_of_objectives(1), "u0": _chain_of_objectives(1)})
    if n == MAX_TREE_DEPTH:
        assert _codes(ws) == []
        for cmd in (["score"], ["rollup"], ["rollup", "--by", "alignment"]):
            r = run_okrctl("-C", str(ws), *cmd)
            assert r.returncode == 0, r.stderr
        return
    # unit u64 is at level 65; its parent: is on line 4 + 3·64 - 1 = 195, column 13
    assert _codes(ws) == [("units.yaml", 195, 13, "OKR206")]
    for cmd in (["score"], ["rollup"]):
        r = run_okrctl("-C", str(ws), *cmd)
        assert r.returncode == 1, r.stderr
        assert b"RecursionError" not in r.stderr and b"internal error" not in r.stderr


@pytest.mark.parametrize("n", [MAX_TREE_DEPTH, 400])
def test_alignment_chain_length(tmp_path, n):
    ws = _ws(tmp_path, "units:\n  - id: u\n    name: U\n", {"u": _chain_of_objectives(n)})
    if n == MAX_TREE_DEPTH:
        assert _codes(ws) == []
        r = run_okrctl("-C", str(ws), "rollup", "--by", "alignment")
        assert r.returncode == 0, r.stderr
        return
    # O64's aligns_to: objective i starts at line 2 + 10·i - 1 (O0 has no aligns_to); its aligns_to is line 3 of it
    assert _codes(ws) == [("okrs/2026-Q1/u.yaml", 2 + 10 * 64 - 1 + 2, 16, "OKR215")]
    r = run_okrctl("-C", str(ws), "rollup", "--by", "alignment")
    assert r.returncode == 1 and b"internal error" not in r.stderr


def test_unknown_parent_is_reported_at_the_parent_field(tmp_path):
    units = ("units:\n"                  # 1
             "  - id: a\n"               # 2
             "    name: A\n"             # 3
             "  - id: b\n"               # 4  the unit
             "    name: B\n"             # 5
             "    parent: khong-co\n"    # 6  col 13
             "    replaced_by: [a, zz]\n")  # 7 col 18
    ws = _ws(tmp_path, units, {})
    assert _codes(ws) == [("units.yaml", 6, 13, "OKR200"), ("units.yaml", 7, 18, "OKR200")]


def test_unknown_aligns_to_is_reported_at_the_aligns_to_field(tmp_path):
    text = ("objectives:\n"             # 1
            "  - id: O1\n"              # 2
            "    title: T\n"            # 3
            "    aligns_to: u/O9\n"     # 4  col 16
            + KR)
    other = ("objectives:\n  - id: O1\n    title: T\n    aligns_to: 2026-Q2/u/O1\n" + KR)
    ws = _ws(tmp_path, "units:\n  - id: u\n    name: U\n  - id: v\n    name: V\n", {"u": text, "v": other})
    assert _codes(ws) == [("okrs/2026-Q1/u.yaml", 4, 16, "OKR211"), ("okrs/2026-Q1/v.yaml", 4, 16, "OKR211")]
