"""``type: metric`` (FORMAT §5): score, progress, status, direction, eased, JSON value, checks."""

from __future__ import annotations

from datetime import date
from fractions import Fraction as F

from factories import ci, config, kr, metric
from krscore import MID, score_kr

from okrctl import krtypes

TYPE = krtypes.get("metric")


def test_metric_increase():
    # (52 − 45) / (80 − 45) = 7/35 = 1/5
    k = score_kr(metric(baseline=45, target=80, checkins=[ci("2026-01-15", 52, confidence="0.7")]))
    assert k.value == 52
    assert k.progress == F(1, 5)
    assert k.score == F(1, 5)
    assert k.value_date == date(2026, 1, 15)
    assert k.confidence == F(7, 10)


def test_metric_below_baseline_scores_zero_but_progress_is_negative():
    # (40 − 45) / 35 = −1/7 → score at least 0
    k = score_kr(metric(baseline=45, target=80, checkins=[ci("2026-01-15", 40)]))
    assert k.progress == F(-1, 7)
    assert k.score == 0


def test_metric_decreasing():
    # baseline 20 → target 10: (14 − 20) / (10 − 20) = 3/5
    k = score_kr(metric(baseline=20, target=10, checkins=[ci("2026-01-15", 14)]))
    assert (k.progress, k.score) == (F(3, 5), F(3, 5))
    assert k.direction == "decrease"
    # worse than baseline: (25 − 20) / −10 = −1/2 → 0
    k = score_kr(metric(baseline=20, target=10, checkins=[ci("2026-01-15", 25)]))
    assert (k.progress, k.score) == (F(-1, 2), 0)
    # past target: (8 − 20) / −10 = 6/5 → capped at max_score 1
    k = score_kr(metric(baseline=20, target=10, checkins=[ci("2026-01-15", 8)]))
    assert (k.progress, k.score) == (F(6, 5), 1)


def test_metric_progress_vs_score_beyond_target_with_max_score_1_2():
    cfg = config(max_score="1.2")
    # (130 − 0) / 100 = 13/10 → clamp to 1.2
    k = score_kr(metric(baseline=0, target=100, checkins=[ci("2026-01-15", 130)]), cfg=cfg)
    assert (k.progress, k.score) == (F(13, 10), F(6, 5))
    # (110 − 0) / 100 = 11/10 is under the cap
    k = score_kr(metric(baseline=0, target=100, checkins=[ci("2026-01-15", 110)]), cfg=cfg)
    assert (k.progress, k.score) == (F(11, 10), F(11, 10))
    assert k.status == "done"  # 1.1 ≥ T = 1
    # with the default cap 1 the same value scores 1
    k = score_kr(metric(baseline=0, target=100, checkins=[ci("2026-01-15", 110)]))
    assert (k.progress, k.score) == (F(11, 10), 1)


def test_metric_exact_decimal_arithmetic():
    # (0.8 − 0.1) / (1.1 − 0.1) = 0.7 exactly (in binary floats 0.7000000000000001)
    k = score_kr(metric(baseline="0.1", target="1.1", checkins=[ci("2026-01-15", "0.8")]), kind="aspirational")
    assert k.score == F(7, 10)
    assert k.status == "done"  # score = T = 0.7


def test_metric_aggregate_sum_with_corrections():
    k = metric(
        baseline=10,
        target=50,
        aggregate="sum",
        checkins=[
            ci("2026-01-10", 5),
            ci("2026-01-20", 7),
            ci("2026-01-20", 9, confidence="0.5"),  # correction: replaces 7
            ci("2026-02-01", 4, confidence="0.6"),
            ci("2026-01-25", 1),  # out of order in the file, still counted
            ci("2026-03-01", 100),  # after D: ignored
        ],
    )
    s = score_kr(k)
    # v = 10 + 5 + 9 + 4 + 1 = 29; (29 − 10) / 40 = 19/40
    assert s.value == 29
    assert s.progress == F(19, 40)
    assert s.score == F(19, 40)
    # value_date and confidence come from the current check-in (latest ≤ D)
    assert s.value_date == date(2026, 2, 1)
    assert s.confidence == F(3, 5)


def test_metric_aggregate_sum_correction_on_latest_date():
    k = metric(baseline=0, target=10, aggregate="sum", checkins=[ci("2026-01-10", 2), ci("2026-01-10", 3)])
    # only the last check-in of 2026-01-10 counts: v = 0 + 3 → 3/10
    s = score_kr(k)
    assert (s.value, s.score) == (3, F(3, 10))


def test_metric_aggregate_sum_no_checkin_yet():
    s = score_kr(metric(baseline=0, target=10, aggregate="sum", checkins=[ci("2026-03-01", 5)]))
    assert (s.value, s.score, s.progress, s.status) == (None, 0, None, "no_data")


# ---------------------------------------------------------------------------
# the type module on its own
# ---------------------------------------------------------------------------


def test_metric_read_without_distance_scores_zero_with_null_progress():
    # baseline = target (OKR220): value read, progress null, raw 0
    r = TYPE.read(metric(baseline=5, target=5), ci("2026-01-15", 7), MID)
    assert (r.value, r.progress, r.raw) == (7, None, 0)
    assert TYPE.read(metric(), None, MID) == krtypes.Reading()


def test_metric_direction_written_or_implied():
    assert TYPE.direction(metric(baseline=0, target=10)) == "increase"
    assert TYPE.direction(metric(baseline=10, target=0)) == "decrease"
    assert TYPE.direction(metric(baseline=10, target=0, direction="increase")) == "increase"
    assert TYPE.direction(kr(type="metric")) is None  # no baseline/target


def test_metric_eased_by_moving_target_or_baseline_towards_the_other():
    up = metric(baseline=0, target=100)
    assert TYPE.eased(up, "target", 100, 90) is True
    assert TYPE.eased(up, "target", 100, 110) is False
    assert TYPE.eased(up, "baseline", 0, 10) is False  # a higher baseline lowers (v − b) / (t − b)
    down = metric(baseline=20, target=10)
    assert TYPE.eased(down, "target", 10, 12) is True
    assert TYPE.eased(down, "target", 10, 8) is False
    assert TYPE.eased(up, "threshold", 5, 1) is False  # not a metric field


def test_metric_value_json_is_the_nearest_double():
    assert TYPE.value_json(F(1, 3)) == 1 / 3
    assert TYPE.value_json(None) is None


def test_metric_checks():
    k = metric(baseline=5, target=5)
    assert [d.code for d in TYPE.check(k, "O1/KR1", [], "2026-Q1")] == ["OKR220"]
    k = metric(baseline=0, target=10, direction="decrease")
    (d,) = TYPE.check(k, "O1/KR1", [], "2026-Q1")
    assert (d.code, d.message) == ("OKR221", "O1/KR1: direction is decrease but baseline 0 → target 10 is a increase")
    assert TYPE.check(metric(baseline=0, target=10, direction="increase"), "O1/KR1", [], "2026-Q1") == []
    assert [d.message for d in TYPE.check_checkin(k, ci("2026-01-15", True), "O1/KR1")] == [
        "O1/KR1: a metric check-in needs a number in `value`"]
    assert [d.code for d in TYPE.check_checkin(k, ci("2026-01-15", done=["a"]), "O1/KR1")] == ["OKR224"]
    assert TYPE.check_checkin(k, ci("2026-01-15", 3), "O1/KR1") == []
