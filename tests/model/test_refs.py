"""model.refs: references PERIOD/UNIT/OBJ[/KR] (FORMAT §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrctl.model import refs
from okrctl.model.refs import Ref, RefError


def test_parse_with_and_without_period():
    assert refs.parse_ref("2026-Q2/so-khcn/O1/KR1") == Ref("2026-Q2", "so-khcn", "O1", "KR1")
    assert refs.parse_ref("2026/ha-noi/K1") == Ref("2026", "ha-noi", "K1", None)
    assert refs.parse_ref("so-khcn/O1") == Ref(None, "so-khcn", "O1", None)
    assert refs.parse_ref("so-khcn/O1/KR2") == Ref(None, "so-khcn", "O1", "KR2")


@pytest.mark.parametrize("bad", ["", "-x", "so-khcn", "2026-Q1/so-khcn", "a/b/c/d/e", "2026-Q1/So/O1",
                                 "so-khcn/O 1", "so-khcn/O1/", "2026-Q5/so-khcn/O1/KR1/x", "so-khcn/-O1"])
def test_parse_refuses(bad):
    with pytest.raises(RefError) as exc:
        refs.parse_ref(bad)
    assert isinstance(exc.value, ValueError) and exc.value.message == str(exc.value)


def test_parse_messages():
    with pytest.raises(RefError, match=r"^'x' is not a reference: expected PERIOD/UNIT/OBJECTIVE\[/KR\]"):
        refs.parse_ref("x")
    with pytest.raises(RefError, match=r"^'2026-Q1/Ha/O1': 'Ha' is not a unit id"):
        refs.parse_ref("2026-Q1/Ha/O1")
    with pytest.raises(RefError) as exc:  # not printable: shown escaped, no raw ESC
        refs.parse_ref("a\x1bb/O1")
    assert exc.value.message.startswith("'a\\\\x1bb/O1': ")


def test_qualified_text_local_path():
    r = Ref(None, "so-khcn", "O1", "KR2")
    assert r.qualified("2026-Q1") == "2026-Q1/so-khcn/O1/KR2"
    assert r.text() == str(r) == "so-khcn/O1/KR2"
    assert r.local() == "O1/KR2"
    assert r.path("2026-Q1") == "okrs/2026-Q1/so-khcn.yaml"
    assert Ref("2026", "ha-noi", "K1").path("2025") == "okrs/2026/ha-noi.yaml"
    with pytest.raises(RefError, match="the period is missing"):
        r.qualified()


def test_text_helpers():
    assert refs.split_period("2026-Q1/so-khcn/O1") == ("2026-Q1", ["so-khcn", "O1"])
    assert refs.split_period("so-khcn/O1") == (None, ["so-khcn", "O1"])
    assert refs.split_period("") == (None, [])
    assert refs.has_period("2026-H2/x/O1") and not refs.has_period("2026-H3/x/O1")
    assert refs.qualify("ha-noi/O2/KR1", "2026") == "2026/ha-noi/O2/KR1"
    assert refs.qualify("2025/ha-noi/O2", "2026") == "2025/ha-noi/O2"
    assert refs.period_of("2026-Q1/a/O1/KR1") == "2026-Q1"
    assert refs.unit_of("2026-Q1/a/O1/KR1") == "a" and refs.unit_of("2026") == ""
    assert refs.local_part("2026-Q1/a/O1/KR1") == "a/O1/KR1"
    assert refs.item_part("2026-Q1/a/O1/KR1") == "O1/KR1"
    assert refs.objective_ref("2026-Q1/a/O1/KR1") == "2026-Q1/a/O1"
    assert refs.split_qualified("2026-Q1/a/O1/KR1") == Ref("2026-Q1", "a", "O1", "KR1")
    assert refs.split_qualified("2026-Q1/a/K1") == Ref("2026-Q1", "a", "K1")
    assert refs.split_qualified("a/K1") is None
    assert refs.format_ref("2026", "a", "O1") == "2026/a/O1"
    assert refs.format_ref(None, "a", "O1", "KR1") == "a/O1/KR1"


_periods = st.one_of(
    st.none(),
    st.integers(1900, 2999).map(str),
    st.builds(lambda y, n: f"{y}-H{n}", st.integers(1900, 2999), st.integers(1, 2)),
    st.builds(lambda y, n: f"{y}-Q{n}", st.integers(1900, 2999), st.integers(1, 4)),
)
_units = st.from_regex(refs.UNIT_ID_RE.pattern.removesuffix(r"\Z"), fullmatch=True).filter(lambda u: not refs.has_period(u))
_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,12}", fullmatch=True)


@given(_periods, _units, _ids, st.none() | _ids)
def test_parse_inverts_format(period, unit, item, kr):
    r = Ref(period, unit, item, kr)
    assert refs.parse_ref(refs.format_ref(period, unit, item, kr)) == r
    assert refs.parse_ref(r.text()) == r


@given(_periods, _units, _ids, st.none() | _ids, st.integers(1900, 2999).map(str))
def test_qualify_agrees_with_ref(period, unit, item, kr, default):
    r = Ref(period, unit, item, kr)
    q = refs.qualify(r.text(), default)
    assert q == r.qualified(default)
    assert refs.split_qualified(q) == Ref(period or default, unit, item, kr)
    assert refs.period_of(q) == (period or default) and refs.unit_of(q) == unit


# ---- one resolution rule for every command (issue 14, item 5)

PERIODS = ["2026", "2026-Q1", "2026-Q2"]


def test_choose_period_takes_the_shortest_period_with_files():
    from datetime import date

    c = refs.choose_period("so-khcn/O1/KR1", PERIODS, date(2026, 5, 15))
    assert (c.period, c.rest, c.defaulted, c.others) == ("2026-Q2", ("so-khcn", "O1", "KR1"), True, ("2026",))
    assert refs.choose_period("so-khcn/O1", PERIODS, date(2026, 8, 1)).period == "2026"
    written = refs.choose_period("2026/so-khcn/O1/KR1", PERIODS, date(2026, 5, 15))
    assert (written.period, written.defaulted, written.check(lambda p: True)) == ("2026", False, [])


def test_choose_period_without_a_period_with_files():
    from datetime import date

    with pytest.raises(RefError, match=r"^so-khcn/O1: no period with files contains 2027-01-02 \(periods with files: "
                                       r"2026, 2026-Q1, 2026-Q2\); write the period first, e.g. PERIOD/so-khcn/O1$"):
        refs.choose_period("so-khcn/O1", PERIODS, date(2027, 1, 2))


def test_choose_period_says_when_more_than_one_item_could_be_meant():
    from datetime import date

    c = refs.choose_period("so-khcn/O1/KR1", PERIODS, date(2026, 5, 15))
    others = c.check(lambda p: True)
    assert others == ["2026/so-khcn/O1/KR1"]
    assert c.note(others) == ("so-khcn/O1/KR1 means 2026-Q2/so-khcn/O1/KR1 (the default period at 2026-05-15); "
                              "also exists: 2026/so-khcn/O1/KR1 -- write the period to choose another")
    assert c.note(c.check(lambda p: p == "2026-Q2")) is None
    with pytest.raises(RefError, match=r"^so-khcn/O1/KR1: not in 2026-Q2, the default period at 2026-05-15 .*"
                                       r"it is in: 2026/so-khcn/O1/KR1; write the period to choose$"):
        c.check(lambda p: p == "2026")
