"""Value formatting for people and for machines (render/values.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from okrctl.render import values as V


@pytest.mark.parametrize("x, places, out", [
    (Fraction(1, 3), 2, "0.33"), (Decimal("80.0"), 2, "80"), (Fraction(-1, 1000), 2, "0"), (None, 2, "—"),
    (True, 2, "true"), (Fraction(4945, 10000) * 100, 0, "49"), (7, 2, "7"),
])
def test_num(x, places, out):
    assert V.num(x, places) == out


def test_score_percent_day_count():
    assert (V.score(Fraction(329, 720)), V.score(None)) == ("0.46", "—")
    assert (V.percent(Fraction(4945, 10000)), V.percent(None)) == ("49%", "—")
    assert (V.day(date(2026, 5, 15)), V.day(None)) == ("2026-05-15", "—")
    assert V.count(12345) == "12,345"
    assert (V.yes_no(True, "vi"), V.yes_no(False, "en"), V.yes_no(None, "en")) == ("có", "no", "—")


@pytest.mark.parametrize("x, out", [
    (None, ""), (True, "true"), (Fraction(7, 10), "0.7"), (Fraction(6), "6"), (Decimal("1.50"), "1.50"),
    (("m1", "m2"), "m1,m2"), (date(2026, 1, 2), "2026-01-02"), (3, "3"), ("t", "t"),
])
def test_raw(x, out):
    assert V.raw(x) == out
