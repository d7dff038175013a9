"""``type: maintain`` (FORMAT §5): score by threshold, status, direction, eased, JSON value, checks."""

from __future__ import annotations

from fractions import Fraction as F

from factories import ci, kr
from krscore import AFTER, END, score_kr

from okrctl import krtypes

TYPE = krtypes.get("maintain")


def test_maintain_increase():
    def s(v):
        return score_kr(kr(type="maintain", threshold=95, direction="increase", checkins=[ci("2026-01-15", v)]))

    assert (s(96).score, s(96).status) == (1, "on_track")
    assert (s(95).score, s(95).status) == (1, "on_track")  # v ≥ threshold
    assert (s("94.9").score, s("94.9").status) == (0, "off_track")
    assert s(96).value == 96


def test_maintain_decrease():
    def s(v):
        return score_kr(kr(type="maintain", threshold=5, direction="decrease", checkins=[ci("2026-01-15", v)]))

    assert (s(4).score, s(4).status) == (1, "on_track")
    assert (s(5).score, s(5).status) == (1, "on_track")  # v ≤ threshold
    assert (s(6).score, s(6).status) == (0, "off_track")


def test_maintain_no_checkin_is_no_data_and_after_end_done_or_missed():
    k = kr(type="maintain", threshold=5, direction="decrease")
    assert (score_kr(k).status, score_kr(k).score, score_kr(k).value) == ("no_data", 0, None)
    met = kr(type="maintain", threshold=5, direction="decrease", checkins=[ci("2026-03-15", 3)])
    assert score_kr(met, as_of=END).status == "on_track"  # never done before the end
    assert score_kr(met, as_of=AFTER).status == "done"  # 1 ≥ T
    unmet = kr(type="maintain", threshold=5, direction="decrease", checkins=[ci("2026-03-15", 7)])
    assert score_kr(unmet, as_of=AFTER).status == "missed"


# ---------------------------------------------------------------------------
# the type module on its own
# ---------------------------------------------------------------------------


def test_maintain_direction_defaults_to_increase():
    assert TYPE.direction(kr(type="maintain", threshold=5)) == "increase"
    assert TYPE.direction(kr(type="maintain", threshold=5, direction="decrease")) == "decrease"


def test_maintain_eased_by_moving_the_threshold_to_the_easy_side():
    up = kr(type="maintain", threshold=95)
    assert (TYPE.eased(up, "threshold", 95, 90), TYPE.eased(up, "threshold", 95, 99)) == (True, False)
    down = kr(type="maintain", threshold=5, direction="decrease")
    assert (TYPE.eased(down, "threshold", 5, 6), TYPE.eased(down, "threshold", 5, 4)) == (True, False)
    assert TYPE.eased(up, "target", 1, 0) is False  # not a maintain field


def test_maintain_value_json_and_checks():
    assert TYPE.value_json(F(3, 2)) == 1.5
    k = kr(type="maintain", threshold=5)
    assert TYPE.check(k, "O1/KR1", [], "2026-Q1") == []
    assert [d.message for d in TYPE.check_checkin(k, ci("2026-01-15", done=[]), "O1/KR1")] == [
        "O1/KR1: a maintain check-in carries a number in `value`, not `done`"]
