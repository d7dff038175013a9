"""Rendering of values (okrctl.write.yamledit.emit): quoting, numbers, dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit import append_item, needs_quotes

from yamlutil import ITEM, KR0, PERIOD, check_append, load11, load12


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("62.5"), "62.5"),
        (Decimal("62.50"), "62.50"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("1.5E+3"), "1500"),
        (Decimal("-0.25"), "-0.25"),
        (Decimal("52"), "52"),
        (1e-7, "0.0000001"),
        (0.1, "0.1"),
        (12, "12"),
        (-3, "-3"),
        (True, "true"),
        (False, "false"),
        (date(2026, 5, 10), "2026-05-10"),
        (None, ""),
    ],
)
def test_value_rendering(value, text):
    new = append_item(b"checkins: []\n", [], "checkins", {"v": value})
    assert new == f"checkins:\n  - v: {text}".rstrip().encode() + b"\n"
    got = load12(new)["checkins"][0]["v"]
    assert got == (float(value) if isinstance(value, Decimal) else value)
    assert type(got) is type(load11(new)["checkins"][0]["v"])


AMBIGUOUS = [
    "yes", "no", "Yes", "NO", "on", "Off", "y", "n", "Y", "true", "False", "null", "Null", "~", "",
    "1:30", "12:30:00", "007", "0912345678", "08", "0o17", "0x1F", "0b101", "1e3", "1E3", "1_000", ".5", "1.",
    "+1", "-1", "1.10", "3.14", ".inf", "-.Inf", ".NaN", "2026-05-10", "2024-1-5", "2026-05-10T10:00:00+07:00",
    "2026-05-10 10:00:00", " leading", "trailing ", "# not a comment", "a # b", "key: value", "ends with:",
    "- item", "-", "? q", "@user", "`cmd`", "!tag", "&anchor", "*alias", "%percent", "|", ">", "'single'",
    '"double"', "[x]", "{y: 1}", "a, b", "---", "...", "=", "<<", "tab\there", "line\nbreak", "nbsp\u00a0x",
    "bidi\u202eevil", "zero\u200bwidth", "https://x.vn/?q=1",
]


@pytest.mark.parametrize("s", AMBIGUOUS)
def test_ambiguous_strings_are_quoted_and_read_back_as_strings(s):
    assert needs_quotes(s)
    new = append_item(b"checkins: []\n", [], "checkins", {"note": s, "evidence": [s]})
    item = load12(new)["checkins"][0]
    assert item == {"note": s, "evidence": [s]}
    assert load11(new)["checkins"][0] == {"note": s, "evidence": [s]}
    line = new.decode().split("\n")[1]
    assert line.startswith('  - note: "'), line


@pytest.mark.parametrize(
    "s",
    ["tran.thi.b", "2026-Q1", "Đã tích hợp 12 thủ tục mới", "https://dichvucong.hanoi.gov.vn/bao-cao/2026-04",
     "Báo cáo số 12/BC-SKHCN", "1st place", "O1.KR2", "50% done", "v1.2.3", "it's fine", 'say "hi"'],
)
def test_safe_strings_stay_plain(s):
    assert not needs_quotes(s)
    new = append_item(b"checkins: []\n", [], "checkins", {"note": s, "evidence": [s, s]})
    assert new == f"checkins:\n  - note: {s}\n    evidence: [{s}, {s}]\n".encode()
    assert load12(new)["checkins"][0] == {"note": s, "evidence": [s, s]}
    assert load11(new)["checkins"][0] == {"note": s, "evidence": [s, s]}


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
@settings(max_examples=300, deadline=None, database=None)
def test_any_string_reads_back_identically(s):
    try:
        new = append_item(b"checkins: []\n", [], "checkins", {"note": s, "evidence": [s]})
    except WriteRefused:
        # strings ruamel cannot render faithfully (e.g. NEL, U+2028) must be refused, never mangled
        assert any(c in s for c in "\x85\u2028\u2029\r") or any(ord(c) < 32 and c not in "\t\n" for c in s)
        return
    assert load12(new)["checkins"][0] == {"note": s, "evidence": [s]}
    assert load11(new)["checkins"][0] == {"note": s, "evidence": [s]}


def test_unrepresentable_values_raise_and_the_next_call_still_works():
    for bad in ({"v": Decimal("NaN")}, {"v": float("inf")}, {"v": object()}, {"v": b"bytes"}):
        with pytest.raises((ValueError, TypeError)):
            append_item(PERIOD, KR0, "checkins", bad)
    # a fresh ruamel instance per operation: nothing leaks from the failures (reliability #37)
    check_append(PERIOD, KR0, "checkins", ITEM)
