"""Issue 12: hostile inputs to the reader (items 3, 4 and the reader half of 5).

Time limits are not asserted here (see bench/bench_hostile.py and
docs/performance.md); these tests pin the behaviour the fixes brought: a capped,
readable list of problems, the exact NFC, and escaped control characters refused."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_okrctl
from okrctl.model.problems import MAX_PER_FILE, Problem, cap_per_file
from okrctl.model.text import nfc
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.read.yamlread import parse

PERIOD = "okrs/2026-Q1/so-khcn.yaml"


def _ws(tmp_path, period_text: str):
    ws = tmp_path / "ws"
    (ws / "okrs" / "2026-Q1").mkdir(parents=True)
    (ws / "okrctl.yaml").write_text("name: Test\n", encoding="utf-8")
    (ws / "units.yaml").write_text("units:\n  - id: so-khcn\n    name: Sở KH&CN\n", encoding="utf-8")
    (ws / PERIOD).write_text(period_text, encoding="utf-8")
    return ws


def _load(ws):
    return load_workspace(WorkingTreeSource(ws), cache=ParseCache()).diagnostics


# --------------------------------------------------------------- item 3


def test_thousands_of_unknown_keys_are_listed_200_then_counted(tmp_path):
    ws = _ws(tmp_path, "objectives: []\n" + "".join(f"k{i}: 1\n" for i in range(1000)))
    diags = _load(ws)
    assert [d.code for d in diags] == ["OKR101"] * MAX_PER_FILE + ["OKR016"]
    assert (diags[0].line, diags[0].column) == (2, 1)
    assert (diags[MAX_PER_FILE - 1].line, diags[MAX_PER_FILE].line) == (201, 202)
    assert diags[-1].message == "… and 800 more problems in this file (only the first 200 are listed)"
    assert diags[-1].severity == "error"


def test_thousands_of_duplicate_keys_each_point_at_the_first(tmp_path):
    ws = _ws(tmp_path, "objectives: []\n" + "".join(f"dup: {i}\n" for i in range(1000)))
    diags = _load(ws)
    assert [d.code for d in diags] == ["OKR008"] * MAX_PER_FILE + ["OKR016"]
    assert {d.message for d in diags[:-1]} == {"duplicate key 'dup' (first defined at 2:1)"}
    assert [d.line for d in diags[:3]] == [3, 4, 5]
    assert diags[-1].message == "… and 799 more problems in this file (only the first 200 are listed)"


def test_the_cap_in_validate_json_and_the_other_files_untouched(tmp_path):
    ws = _ws(tmp_path, "objectives: []\n" + "".join(f"k{i}: 1\n" for i in range(300)))
    (ws / "units.yaml").write_text("units:\n  - id: so-khcn\n    name: S\n    bad: 1\n", encoding="utf-8")
    r = run_okrctl("-C", str(ws), "validate", "--format", "json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    by_file = [(d["path"], d["code"]) for d in doc["diagnostics"]]
    assert by_file.count((PERIOD, "OKR101")) == 200 and by_file.count((PERIOD, "OKR016")) == 1
    assert ("units.yaml", "OKR101") in by_file
    assert doc["summary"]["errors"] == 202


def test_cap_per_file_keeps_a_warning_only_tail_a_warning():
    ps = [Problem.make("OKR101", "a.yaml", i, 1, "x") for i in range(1, 4)]
    ps += [Problem.make("OKR220", "a.yaml", 9, 1, "w", "warning")]
    out = cap_per_file(ps, limit=3)
    assert [(p.code, p.severity, p.line) for p in out] == [("OKR101", "error", 1), ("OKR101", "error", 2),
                                                           ("OKR101", "error", 3), ("OKR016", "warning", 9)]
    assert out[-1].message == "… and 1 more problem in this file (only the first 3 are listed)"
    assert cap_per_file(ps, limit=4) == ps


# --------------------------------------------------------------- item 4

_MARKS = st.sampled_from(["\u0301", "\u0323", "\u0300", "\u0302", "\u0306", "\u031b", "\u0303", "\u0309",
                          "\u05b0", "\u0345", "\u1100", "\u1161", "\u11a8", "a", "e", "o", "u", "ơ", "ê", "Ệ",
                          "\uac00", "\u0f73", "\u0344", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKS, min_size=0, max_size=400).map("".join))
def test_nfc_is_unicodedata_nfc(s):
    assert nfc(s) == unicodedata.normalize("NFC", s)


def test_nfc_of_a_long_run_of_alternating_combining_marks():
    s = "a" + "\u0301\u0323" * 2000  # classes 230, 220, 230, ...: CPython sorts them by insertion
    assert nfc(s) == "\u1ea1" + "\u0323" * 1999 + "\u0301" * 2000


def test_reader_values_and_keys_are_nfc_whatever_their_length():
    value = "e\u0302\u0301" + "\u0301\u0323" * 500
    key = "x-t\u1ec7\u0301\u0323" * 100
    doc, diags = parse(f'objectives: []\n{key}: "{value}"\n'.encode(), PERIOD)
    assert diags == []
    assert doc.value[unicodedata.normalize("NFC", key)] == unicodedata.normalize("NFC", value)


# --------------------------------------------------------------- item 5 (reader)


@pytest.mark.parametrize("escape, code", [(r"\u202Eevil", 0x202E), (r"\e[2J", 0x1B), (r"\0", 0),
                                           (r"\x85", 0x85), (r"\uFEFF", 0xFEFF), (r"\r", 0x0D),
                                           (r"\u2066x", 0x2066)])
def test_controls_written_as_escapes_are_okr014_at_the_value(escape, code):
    doc, diags = parse(f'objectives:\n  - id: O1\n    title: "ok {escape}"\n'.encode(), PERIOD)
    assert doc is None
    assert [(d.code, d.line, d.column) for d in diags] == [("OKR014", 3, 12)]
    assert f"U+{code:04X}" in diags[0].message


def test_controls_written_as_escapes_in_a_key_are_okr014():
    _, diags = parse(b'objectives: []\n"x-\\e[2J": 1\n', PERIOD)
    assert [(d.code, d.line, d.column) for d in diags] == [("OKR014", 2, 1)]


def test_tab_and_newline_escapes_stay_allowed():
    doc, diags = parse(b'objectives: []\nx-note: "a\\tb\\nc"\n', PERIOD)
    assert diags == [] and doc.value["x-note"] == "a\tb\nc"


def test_validate_cli_refuses_an_escaped_unit(tmp_path):
    ws = _ws(tmp_path, "objectives:\n  - id: O1\n    title: T\n    key_results:\n      - id: KR1\n"
                       '        title: K\n        unit: "\\e[2J%"\n        target: 10\n')
    r = run_okrctl("-C", str(ws), "validate")
    assert r.returncode == 1
    assert f"{PERIOD}:7:15: error OKR014".encode() in r.stdout
    assert b"\x1b" not in r.stdout + r.stderr
