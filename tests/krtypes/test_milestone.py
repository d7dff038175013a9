"""``type: milestone`` (FORMAT §5): score by weight, pace by dues, JSON value, checks."""

from __future__ import annotations

from datetime import date
from fractions import Fraction as F

from factories import ci, kr, ms
from krscore import MID, score_kr

from okrctl import krtypes

TYPE = krtypes.get("milestone")


def test_milestone_weights_and_ids_counted_once():
    k = kr(
        type="milestone",
        milestones=[ms("a", 1), ms("b", 2), ms("c", 1)],
        checkins=[ci("2026-01-15", done=["a", "c", "a"])],
    )
    s = score_kr(k)
    # (1 + 1) / (1 + 2 + 1) = 1/2; "a" counted once
    assert s.score == F(1, 2)
    assert s.value == ("a", "c")
    assert s.progress is None


def test_milestone_done_is_the_full_set_not_the_new_ones():
    k = kr(
        type="milestone",
        milestones=[ms("a", 1), ms("b", 2), ms("c", 1)],
        checkins=[ci("2026-01-15", done=["a", "b"]), ci("2026-02-01", done=["c"])],
    )
    # the current check-in says only c is done: 1/4
    assert score_kr(k).score == F(1, 4)


def test_milestone_pace_with_dues():
    ms_ = [ms("a", 1, "2026-01-31"), ms("b", 1, "2026-02-28"), ms("c", 2, "2026-03-31")]
    k = kr(type="milestone", milestones=ms_, checkins=[ci("2026-01-31", done=["a"])])
    s = score_kr(k)
    # due ≤ D: only a → 1/4; expected = 1/4; score 1/4 → shortfall 0 → on_track
    assert s.expected == F(1, 4)
    assert (s.score, s.status) == (F(1, 4), "on_track")
    # on 02-28, b is due as well: expected 2/4, score 1/4 → shortfall 1/4 → at_risk
    s = score_kr(k, as_of=date(2026, 2, 28))
    assert (s.expected, s.status) == (F(1, 2), "at_risk")
    # aspirational: expected 0.7 × 1/2 = 0.35, shortfall 0.1 → on_track
    s = score_kr(k, as_of=date(2026, 2, 28), kind="aspirational")
    assert (s.expected, s.status) == (F(7, 20), "on_track")


def test_milestone_pace_without_all_dues_uses_elapsed():
    ms_ = [ms("a", 1, "2026-01-31"), ms("b", 1, "2026-02-28"), ms("c", 2)]  # c has no due
    k = kr(type="milestone", milestones=ms_, checkins=[ci("2026-01-31", done=["a"])])
    s = score_kr(k)
    # expected = elapsed 1/2; shortfall 1/2 − 1/4 = 1/4 → at_risk
    assert (s.expected, s.status) == (F(1, 2), "at_risk")
    # no check-in → no_data
    assert score_kr(kr(type="milestone", milestones=ms_)).status == "no_data"


def test_milestone_all_done_is_done():
    k = kr(type="milestone", milestones=[ms("a"), ms("b")], checkins=[ci("2026-01-31", done=["b", "a"])])
    s = score_kr(k)
    assert (s.score, s.status, s.value) == (1, "done", ("b", "a"))


# ---------------------------------------------------------------------------
# the type module on its own
# ---------------------------------------------------------------------------


def test_milestone_expected_fraction_by_weight_due():
    k = kr(type="milestone", milestones=[ms("a", 1, "2026-01-31"), ms("b", 3, "2026-03-01")])
    assert TYPE.expected_fraction(k, F(1, 2), MID) == F(1, 4)
    assert TYPE.expected_fraction(k, F(1, 2), date(2026, 1, 30)) == 0
    zero = kr(type="milestone", milestones=[ms("a", 0, "2026-01-31")])
    assert TYPE.expected_fraction(zero, F(1, 2), MID) == F(1, 2)  # no weight: elapsed


def test_milestone_read_ignores_unknown_ids_and_zero_weights():
    k = kr(type="milestone", milestones=[ms("a", 1), ms("b", 1)])
    r = TYPE.read(k, ci("2026-01-15", done=["x", "a"]), MID)
    assert (r.value, r.raw) == (("x", "a"), F(1, 2))
    zero = kr(type="milestone", milestones=[ms("a", 0)])
    assert TYPE.read(zero, ci("2026-01-15", done=["a"]), MID).raw == 0


def test_milestone_value_json_and_checks():
    assert TYPE.value_json(("b", "a")) == ["b", "a"]
    assert TYPE.value_json(None) is None
    k = kr(type="milestone", milestones=[ms("a", 0), ms("b", 0)])
    assert [d.message for d in TYPE.check(k, "O1/KR1", [], "2026-Q1")] == ["O1/KR1: all milestone weights are 0"]
    k = kr(type="milestone", milestones=[ms("b"), ms("a")])
    assert [(d.code, d.message) for d in TYPE.check_checkin(k, ci("2026-01-15", done=["a", "z"]), "O1/KR1")] == [
        ("OKR223", "O1/KR1: check-in names milestone 'z', which the KR does not define (has: a, b)")]
    assert [d.code for d in TYPE.check_checkin(k, ci("2026-01-15", 1), "O1/KR1")] == ["OKR224"]
