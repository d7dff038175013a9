"""``type: boolean`` (FORMAT §5): score, status by due, due in force, JSON value, checks."""

from __future__ import annotations

from datetime import date
from fractions import Fraction as F

from factories import ci, kr
from krscore import AFTER, END, MID, Q1, score_kr

from okrctl import krtypes

TYPE = krtypes.get("boolean")


def test_boolean():
    t = score_kr(kr(type="boolean", checkins=[ci("2026-01-15", True)]))
    assert (t.value, t.score, t.progress) == (True, 1, None)
    f = score_kr(kr(type="boolean", checkins=[ci("2026-01-15", False)]))
    assert (f.value, f.score) == (False, 0)
    n = score_kr(kr(type="boolean"))
    assert (n.value, n.score, n.value_date) == (None, 0, None)


def test_boolean_status_due():
    due = "2026-02-10"
    assert score_kr(kr(type="boolean", due=due), as_of=date(2026, 2, 10)).status == "on_track"  # D = due
    assert score_kr(kr(type="boolean", due=due), as_of=date(2026, 2, 11)).status == "off_track"  # D > due
    f = kr(type="boolean", due=due, checkins=[ci("2026-02-01", False)])
    assert score_kr(f, as_of=date(2026, 2, 11)).status == "off_track"
    t = kr(type="boolean", due=due, checkins=[ci("2026-02-12", True)])
    assert score_kr(t, as_of=date(2026, 2, 12)).status == "done"
    # without due the period end is the due date: on_track through the last day
    assert score_kr(kr(type="boolean"), as_of=END).status == "on_track"
    assert score_kr(kr(type="boolean"), as_of=AFTER).status == "missed"
    assert score_kr(t, as_of=AFTER).status == "done"


# ---------------------------------------------------------------------------
# the type module on its own
# ---------------------------------------------------------------------------


def test_boolean_read_and_status_before_the_end():
    k = kr(type="boolean", due="2026-02-10")
    r = TYPE.read(k, ci("2026-01-15", True), MID)
    assert (r.value, r.raw, r.met) == (True, 1, True)
    assert TYPE.status(k, r, F(1), None, True, MID, Q1) == "done"
    no = TYPE.read(k, None, MID)
    assert TYPE.status(k, no, F(0), None, False, date(2026, 2, 10), Q1) == "on_track"
    assert TYPE.status(k, no, F(0), None, False, date(2026, 2, 11), Q1) == "off_track"


def test_boolean_due_in_force_defaults_to_the_period_end():
    assert TYPE.in_force(kr(type="boolean"), "due", Q1) == END
    assert TYPE.in_force(kr(type="boolean", due="2026-02-10"), "due", Q1) == date(2026, 2, 10)
    assert TYPE.in_force(kr(type="boolean", weight=2), "weight", Q1) == 2


def test_boolean_value_json_and_checks():
    assert (TYPE.value_json(True), TYPE.value_json(None)) == (True, None)
    k = kr(type="boolean")
    assert TYPE.check_checkin(k, ci("2026-01-15", False), "O1/KR1") == []
    (d,) = TYPE.check_checkin(k, ci("2026-01-15", 1), "O1/KR1")
    assert (d.code, d.message) == ("OKR224", "O1/KR1: a boolean check-in needs `value: true` or `value: false`")
    assert TYPE.eased(k, "due", date(2026, 1, 1), date(2026, 2, 1)) is False
