"""Scoring (FORMAT §6) and the `score` JSON (FORMAT §9).

Every expected number is computed by hand in a comment.  Most tests use period
2026-Q1 = 2026-01-01..2026-03-31 (90 days) and D = 2026-02-14, where
elapsed = (44 + 1) / 90 = 1/2, so the committed expected pace is 1/2 and the
aspirational one 0.7 × 1/2 = 0.35.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction as F
from zoneinfo import ZoneInfo

import pytest
from krscore import AFTER, END, MID, Q1, score_kr
from factories import (
    approval,
    ci,
    config,
    kpi,
    kr,
    meas,
    metric,
    ms,
    objective,
    one_kr_ws,
    pfile,
    rebaseline,
    unit,
    workspace,
)

from okrctl.model.records import GradeBand
from okrctl.model.periods import parse_period
from okrctl.engine.payload import alignment_to_json, score_to_json, tree_to_json
from okrctl.engine.rollup import alignment_tree, unit_tree
from okrctl.engine.scoring import (
    KPIScore,
    KRScore,
    ObjectiveScore,
    all_periods,
    default_period,
    elapsed_fraction,
    frequency_windows,
    grade_for,
    qualified_aligns_to,
    score_workspace,
    scoring_date,
    to_fraction,
    today,
    weighted_mean,
)

def score_obj(krs, as_of=MID, cfg=None, **obj_kw) -> ObjectiveScore:
    ws = workspace([pfile("2026-Q1", "u", [objective("O1", krs, **obj_kw)])], cfg=cfg)
    return score_workspace(ws, Q1, as_of).units[0].objectives[0]


def score_kpi(k, as_of=MID, period="2026-Q1") -> KPIScore:
    ws = workspace([pfile(period, "u", [], [k])])
    return score_workspace(ws, parse_period(period), as_of).units[0].kpis[0]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def test_elapsed_mid_quarter_is_exactly_half():
    # (2026-02-14 − 2026-01-01 + 1) / 90 = 45/90
    assert elapsed_fraction(Q1, MID) == F(1, 2)
    assert elapsed_fraction(Q1, date(2025, 12, 1)) == 0  # clamped below
    assert elapsed_fraction(Q1, date(2026, 1, 1)) == F(1, 90)
    assert elapsed_fraction(Q1, END) == 1
    assert elapsed_fraction(Q1, date(2026, 7, 1)) == 1  # clamped above


def test_to_fraction_is_exact_and_refuses_floats():
    assert to_fraction(Decimal("1.10")) == F(11, 10)
    assert to_fraction(Decimal("1e3")) == 1000
    assert to_fraction(7) == 7
    with pytest.raises(TypeError):
        to_fraction(0.7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_fraction(True)


def test_weighted_mean_leaves_out_zero_null_and_cancelled():
    # (2·1/2 + 1·1) / 3 = 2/3; the weight-0, null and cancelled terms are left out
    terms = [(F(1, 2), 2, False), (F(1), 1, False), (F(0), 0, False), (None, 5, False), (F(0), 3, True)]
    assert weighted_mean(terms) == F(2, 3)
    assert weighted_mean([(None, 1, False), (F(1), 0, False), (F(1), 1, True)]) is None
    assert weighted_mean([]) is None


# ---------------------------------------------------------------------------
# current check-in
# ---------------------------------------------------------------------------


def test_checkin_after_as_of_is_ignored():
    k = metric(baseline=0, target=100, checkins=[ci("2026-01-15", 30), ci("2026-02-15", 90)])
    s = score_kr(k)  # D = 02-14
    assert (s.value, s.score, s.value_date) == (30, F(3, 10), date(2026, 1, 15))
    s = score_kr(k, as_of=date(2026, 2, 15))
    assert (s.value, s.value_date) == (90, date(2026, 2, 15))


def test_two_checkins_on_one_date_last_in_file_wins():
    k = metric(
        baseline=0,
        target=100,
        checkins=[ci("2026-01-20", 60, confidence="0.9"), ci("2026-01-20", 40, confidence="0.4"), ci("2026-01-10", 99)],
    )
    s = score_kr(k)
    assert (s.value, s.score, s.confidence, s.value_date) == (40, F(2, 5), F(2, 5), date(2026, 1, 20))
    assert s.checkin is not None and s.checkin.value == 40


def test_no_checkin_metric():
    s = score_kr(metric(baseline=0, target=100))
    assert (s.value, s.value_date, s.progress, s.score, s.confidence) == (None, None, None, 0, None)
    assert s.status == "no_data"
    assert s.has_data is False


# ---------------------------------------------------------------------------
# §6.6 KR status
# ---------------------------------------------------------------------------


def _m(v, **kw):
    return metric(baseline=0, target=100, checkins=[ci("2026-01-15", v)], **kw)


def test_pace_boundaries_committed():
    # expected = 1 × 1/2
    assert score_kr(_m(40)).status == "on_track"  # shortfall 1/2 − 2/5 = 1/10 = at_risk → on_track
    assert score_kr(_m(39)).status == "at_risk"  # shortfall 11/100
    assert score_kr(_m(25)).status == "at_risk"  # shortfall 1/4 = off_track → at_risk
    assert score_kr(_m(24)).status == "off_track"  # shortfall 26/100
    assert score_kr(_m(60)).status == "on_track"  # negative shortfall
    s = score_kr(_m(40))
    assert s.expected == F(1, 2)
    assert s.target_T == 1


def test_pace_boundaries_aspirational():
    # T = 0.7, expected = 0.7 × 1/2 = 7/20
    assert score_kr(_m(25), kind="aspirational").status == "on_track"  # shortfall 1/10
    assert score_kr(_m(24), kind="aspirational").status == "at_risk"  # 11/100
    assert score_kr(_m(10), kind="aspirational").status == "at_risk"  # 1/4
    assert score_kr(_m(9), kind="aspirational").status == "off_track"  # 26/100
    assert score_kr(_m(25), kind="aspirational").expected == F(7, 20)


def test_score_exactly_at_T_is_done():
    assert score_kr(_m(70), kind="aspirational").status == "done"  # 0.7 ≥ 0.7
    assert score_kr(_m(69), kind="aspirational").status == "on_track"  # shortfall 0.35 − 0.69 < 0
    assert score_kr(_m(100)).status == "done"  # 1 ≥ 1
    # the last day, elapsed 1: 0.99 → shortfall 0.01 → on_track, not done
    assert score_kr(_m(99), as_of=END).status == "on_track"


def test_custom_pace_thresholds():
    cfg = config(pace_at_risk="0.05", pace_off_track="0.15")
    # shortfall 1/2 − 0.45 = 0.05 → on_track; 0.44 → 0.06 → at_risk; 0.35 → 0.15 → at_risk; 0.34 → off
    assert score_kr(_m(45), cfg=cfg).status == "on_track"
    assert score_kr(_m(44), cfg=cfg).status == "at_risk"
    assert score_kr(_m(35), cfg=cfg).status == "at_risk"
    assert score_kr(_m(34), cfg=cfg).status == "off_track"


def test_day_after_period_end_done_or_missed():
    assert score_kr(_m(100), as_of=AFTER).status == "done"
    assert score_kr(_m(99), as_of=AFTER).status == "missed"
    assert score_kr(_m(70), as_of=AFTER, kind="aspirational").status == "done"
    assert score_kr(_m(69), as_of=AFTER, kind="aspirational").status == "missed"
    # no check-in at all: score 0 → missed (not no_data)
    assert score_kr(metric(baseline=0, target=1), as_of=AFTER).status == "missed"
    # the last day of the period is still judged by pace
    assert score_kr(_m(99), as_of=END).status == "on_track"


def test_cancelled_kr():
    k = _m(100, cancelled="2026-02-01")
    s = score_kr(k)
    assert s.status == "cancelled"
    assert s.cancelled and s.kr_cancelled
    assert s.score == 1  # keeps the score it reached; leaves the means
    # cancelled after D: not yet cancelled
    s = score_kr(_m(100, cancelled="2026-02-15"))
    assert (s.status, s.cancelled) == ("done", False)
    # cancelled on D itself: cancelled (cancelled.date ≤ D)
    assert score_kr(_m(100, cancelled="2026-02-14")).status == "cancelled"
    # cancelled beats "after the end"
    assert score_kr(_m(0, cancelled="2026-02-01"), as_of=AFTER).status == "cancelled"


def test_kr_of_cancelled_objective_is_cancelled():
    s = score_kr(_m(50), cancelled=approval("2026-02-01"))
    assert s.status == "cancelled"
    assert s.cancelled and not s.kr_cancelled


def test_rebaselined_flag_and_rebaselines_never_change_numbers():
    k = _m(50, rebaselines=[rebaseline("2026-01-20", "target", 200, 100)])
    s = score_kr(k)
    assert s.rebaselined is True
    assert s.score == F(1, 2)  # the definition as written: 50/100
    assert score_kr(_m(50)).rebaselined is False


# ---------------------------------------------------------------------------
# aligned KRs
# ---------------------------------------------------------------------------


def _aligned_ws(feeders, parent_kind="committed", extra_parent_krs=()):
    """Unit p has O1 with aligned KR A (and optional others); feeders are
    (unit, Objective) pairs of the same period aligning to p/O1/A."""
    p_file = pfile(Q1, "p", [objective("O1", [kr("A", "aligned"), *extra_parent_krs], kind=parent_kind)])
    by_unit: dict[str, list] = {}
    for u, o in feeders:
        by_unit.setdefault(u, []).append(o)
    files = [p_file] + [pfile(Q1, u, objs) for u, objs in by_unit.items()]
    units = [unit("p")] + [unit(u, "p") for u in by_unit]
    return workspace(files, units)


def test_aligned_weighted_mean_of_feeders():
    ws = _aligned_ws(
        [
            ("c1", objective("O1", [_m(50)], weight=2, aligns_to="p/O1/A")),  # score 1/2
            ("c2", objective("O1", [_m(100)], aligns_to="2026-Q1/p/O1/A")),  # score 1
            ("c2", objective("O2", [_m(0)], weight=0, aligns_to="p/O1/A")),  # weight 0: out
            ("c2", objective("O3", [_m(0)], cancelled=approval("2026-02-01"), aligns_to="p/O1/A")),  # out
            ("c2", objective("O4", [_m(0)], aligns_to="p/O1")),  # aligns to the objective, not the KR
        ]
    )
    res = score_workspace(ws, Q1, MID)
    a = res.find("2026-Q1/p/O1/A")
    assert isinstance(a, KRScore)
    # (2·1/2 + 1·1) / 3 = 2/3
    assert a.score == F(2, 3)
    assert a.value is None and a.progress is None and a.value_date is None
    assert set(a.feeders) == {"2026-Q1/c1/O1", "2026-Q1/c2/O1", "2026-Q1/c2/O2", "2026-Q1/c2/O3"}
    # shortfall 1/2 − 2/3 < 0 → on_track
    assert a.status == "on_track"
    assert res.find("p/O1").score == F(2, 3)  # the period may be left out


def test_aligned_all_feeders_left_out_is_null():
    ws = _aligned_ws(
        [
            ("c1", objective("O1", [_m(50)], weight=0, aligns_to="p/O1/A")),
            ("c1", objective("O2", [_m(50)], cancelled=approval("2026-01-01"), aligns_to="p/O1/A")),
        ],
        extra_parent_krs=[_m(80, id="B")],
    )
    res = score_workspace(ws, Q1, MID)
    a = res.find("p/O1/A")
    assert a.score is None
    # the weight-0 feeder still has data, but the score is null → no_data
    assert a.status == "no_data"
    # objective: the null term is left out, score = B's 4/5
    o = res.find("p/O1")
    assert o.score == F(4, 5)
    assert o.status == "no_data"  # worst of {no_data, on_track}
    # after the end: a null score is missed
    assert score_workspace(ws, Q1, AFTER).find("p/O1/A").status == "missed"


def test_aligned_without_data_is_no_data():
    # feeders exist but none of their KRs has a check-in: score 0, no data
    ws = _aligned_ws([("c1", objective("O1", [metric(baseline=0, target=10)], aligns_to="p/O1/A"))])
    a = score_workspace(ws, Q1, MID).find("p/O1/A")
    assert (a.score, a.has_data, a.status) == (0, False, "no_data")


def test_aligned_has_data_ignores_cancelled_feeder_krs():
    # the only KR with data is cancelled; the other has none → no_data
    o = objective("O1", [_m(90, id="X", cancelled="2026-01-20"), metric("Y", 0, 10)], aligns_to="p/O1/A")
    a = score_workspace(_aligned_ws([("c1", o)]), Q1, MID).find("p/O1/A")
    assert a.has_data is False
    assert a.status == "no_data"
    assert a.score == 0  # feeder score: only Y counts, 0


def test_aligned_has_data_through_nested_aligned_kr():
    # p/O1/A ← c1/O1 (aligned KR B) ← g/O1 with a check-in
    files = [
        pfile(Q1, "p", [objective("O1", [kr("A", "aligned")])]),
        pfile(Q1, "c1", [objective("O1", [kr("B", "aligned")], aligns_to="p/O1/A")]),
        pfile(Q1, "g", [objective("O1", [_m(30)], aligns_to="c1/O1/B")]),
    ]
    ws = workspace(files, [unit("p"), unit("c1", "p"), unit("g", "c1")])
    res = score_workspace(ws, Q1, MID)
    a = res.find("p/O1/A")
    assert a.has_data is True
    assert a.score == F(3, 10)  # 30/100 passed up twice
    # shortfall 1/2 − 3/10 = 1/5 → at_risk
    assert a.status == "at_risk"


def test_aligned_ignores_feeders_of_other_periods():
    files = [
        pfile("2026", "p", [objective("O1", [kr("A", "aligned"), _m(60, id="B")])]),
        pfile("2026-Q1", "c", [objective("O1", [_m(100)], aligns_to="2026/p/O1/A")]),
    ]
    ws = workspace(files, [unit("p"), unit("c", "p")])
    res = score_workspace(ws, parse_period("2026"), MID)
    assert res.find("2026/p/O1/A").score is None
    assert res.find("2026/p/O1").score == F(3, 5)


def test_alignment_cycle_does_not_crash():
    # invalid (validation rejects cycles), but scoring must still terminate
    files = [
        pfile(Q1, "a", [objective("O1", [kr("A", "aligned")], aligns_to="b/O1/B")]),
        pfile(Q1, "b", [objective("O1", [kr("B", "aligned")], aligns_to="a/O1/A")]),
    ]
    res = score_workspace(workspace(files), Q1, MID)
    assert res.find("a/O1/A").score is None
    assert res.find("b/O1/B").score is None
    assert len(alignment_tree(workspace(files), Q1, MID)) == 1  # the cycle shown from one of its objectives


def test_qualified_aligns_to():
    o = objective("O1", [_m(1)])
    assert qualified_aligns_to(o) is None
    o = objective("O1", [_m(1)], aligns_to="ha-noi/O2/KR1")
    assert qualified_aligns_to(dataclasses.replace(o, ref="2026-Q1/u/O1")) == "2026-Q1/ha-noi/O2/KR1"
    o = objective("O1", [_m(1)], aligns_to="2026/ha-noi/O2")
    assert qualified_aligns_to(dataclasses.replace(o, ref="2026-Q1/u/O1")) == "2026/ha-noi/O2"
    # the loader's resolution wins
    o = objective("O1", [_m(1)], aligns_to="x/O2", aligns_to_ref="2026/x/O2")
    assert qualified_aligns_to(dataclasses.replace(o, ref="2026-Q1/u/O1")) == "2026/x/O2"


# ---------------------------------------------------------------------------
# §6.7 objective status, §6.8 grade
# ---------------------------------------------------------------------------


def test_objective_score_is_weighted_mean_of_krs():
    o = score_obj(
        [
            _m(50, id="A", weight=3),  # 1/2
            _m(100, id="B"),  # 1
            _m(0, id="C", weight=0),  # out
            _m(0, id="D", cancelled="2026-01-01"),  # out
        ]
    )
    # (3·1/2 + 1) / 4 = 5/8
    assert o.score == F(5, 8)


def test_objective_cancelled():
    o = score_obj([_m(100)], cancelled=approval("2026-02-14"))
    assert (o.status, o.cancelled) == ("cancelled", True)
    assert o.score == 1  # keeps its score for display
    assert o.key_results[0].status == "cancelled"
    o = score_obj([_m(100)], cancelled=approval("2026-02-15"))
    assert (o.status, o.cancelled) == ("done", False)


def test_objective_with_no_counted_kr_is_cancelled():
    o = score_obj([_m(100, id="A", cancelled="2026-01-01"), _m(100, id="B", cancelled="2026-01-02")])
    assert (o.status, o.score, o.grade) == ("cancelled", None, None)
    assert o.counted_key_results == ()
    # also after the end
    o = score_obj([_m(100, id="A", cancelled="2026-01-01")], as_of=AFTER)
    assert o.status == "cancelled"


def test_objective_after_end():
    assert score_obj([_m(100), _m(100, id="B")], as_of=AFTER).status == "done"
    # (1 + 0.9) / 2 = 0.95 < 1 → missed
    assert score_obj([_m(100), _m(90, id="B")], as_of=AFTER).status == "missed"
    # aspirational: (0.8 + 0.6)/2 = 0.7 ≥ 0.7 → done
    assert score_obj([_m(80), _m(60, id="B")], as_of=AFTER, kind="aspirational").status == "done"
    # a null score → missed (a single aligned KR without feeders)
    o = score_obj([kr("A", "aligned")], as_of=AFTER)
    assert (o.score, o.status) == (None, "missed")


def test_objective_every_counted_kr_done():
    # B is off_track but has weight 0, C is cancelled: only A counts
    o = score_obj([_m(100, id="A"), _m(0, id="B", weight=0), _m(0, id="C", cancelled="2026-01-01")])
    assert o.status == "done"
    assert [k.kr.id for k in o.counted_key_results] == ["A"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # 100 → done, 60 → on_track, 39 → at_risk, 10 → off_track, None → no_data
        ((100, 60), "on_track"),
        ((100, 60, None), "no_data"),
        ((60, None, 39), "at_risk"),
        ((None, 39, 10, 100), "off_track"),
        ((10, 39), "off_track"),
        ((None,), "no_data"),
    ],
)
def test_objective_worst_status(values, expected):
    krs = [
        metric(f"K{i}", 0, 100, checkins=[] if v is None else [ci("2026-01-15", v)]) for i, v in enumerate(values)
    ]
    assert score_obj(krs).status == expected


def test_grades_both_kinds():
    # default bands: committed 1/0.7/0, aspirational 0.7/0.4/0
    assert score_obj([_m(100)]).grade == "green"
    assert score_obj([_m(99)]).grade == "yellow"
    assert score_obj([_m(70)]).grade == "yellow"
    assert score_obj([_m(69)]).grade == "red"
    assert score_obj([_m(0)]).grade == "red"
    assert score_obj([_m(70)], kind="aspirational").grade == "green"
    assert score_obj([_m(69)], kind="aspirational").grade == "yellow"
    assert score_obj([_m(40)], kind="aspirational").grade == "yellow"
    assert score_obj([_m(39)], kind="aspirational").grade == "red"
    assert score_obj([kr("A", "aligned")]).grade is None  # null score


def test_grades_from_config_and_exact_boundary():
    cfg = config(
        grades={
            "committed": (GradeBand(Decimal("0.9"), "A"), GradeBand(Decimal("0.5"), "B"), GradeBand(0, "C")),
            "aspirational": (GradeBand(Decimal("0.7"), "hi"), GradeBand(0, "lo")),
        }
    )
    assert grade_for(cfg, "committed", F(9, 10)) == "A"
    assert grade_for(cfg, "committed", F(89, 100)) == "B"
    assert grade_for(cfg, "committed", F(0)) == "C"
    assert grade_for(cfg, "aspirational", F(7, 10)) == "hi"
    assert grade_for(cfg, "committed", None) is None
    # 0.3 × 3 = 0.9 exactly (floats give 0.8999999999999999)
    k = metric(baseline=0, target=3, checkins=[ci("2026-01-15", "2.7")])
    assert score_obj([k], cfg=cfg).grade == "A"


# ---------------------------------------------------------------------------
# §6.9 KPIs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "alert", "status"),
    [
        ("98", "95", "green"),  # meets target
        ("99", "95", "green"),
        ("97", "95", "amber"),
        ("95", "95", "amber"),  # meets alert exactly
        ("94.9", "95", "red"),
        ("97", None, "red"),  # no alert: no amber
        ("98", None, "green"),
    ],
)
def test_kpi_increase(value, alert, status):
    k = kpi(target=98, alert=alert, measurements=[meas("2026-01-31", value)])
    s = score_kpi(k)
    assert s.status == status
    assert s.value == to_fraction(Decimal(value))
    assert s.value_date == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("value", "alert", "status"),
    [
        ("5", "8", "green"),
        ("4", "8", "green"),
        ("7", "8", "amber"),
        ("8", "8", "amber"),
        ("8.1", "8", "red"),
        ("6", None, "red"),
    ],
)
def test_kpi_decrease(value, alert, status):
    k = kpi(target=5, alert=alert, direction="decrease", measurements=[meas("2026-01-31", value)])
    assert score_kpi(k).status == status


def test_kpi_no_data_cancelled_and_current_measurement():
    assert score_kpi(kpi()).status == "no_data"
    later = kpi(measurements=[meas("2026-02-20", 100)])
    assert (score_kpi(later).status, score_kpi(later).value) == ("no_data", None)
    c = kpi(measurements=[meas("2026-01-31", 100)], cancelled="2026-02-01")
    assert score_kpi(c).status == "cancelled"
    # same date: the last in the file wins
    two = kpi(target=98, measurements=[meas("2026-01-31", 99), meas("2026-01-31", 90), meas("2026-01-15", 99)])
    assert (score_kpi(two).status, score_kpi(two).value) == ("red", 90)


def test_kpis_never_enter_okr_scores():
    ws = workspace([pfile(Q1, "u", [objective("O1", [_m(50)])], [kpi(measurements=[meas("2026-01-31", 0)])])])
    assert score_workspace(ws, Q1, MID).units[0].score == F(1, 2)


# ---------------------------------------------------------------------------
# §6.10 overdue
# ---------------------------------------------------------------------------


def test_windows():
    # 2026-01-01 is a Thursday: the first week is cut to Thu 1 – Sun 4
    w = frequency_windows("weekly", Q1)
    assert w[0] == (date(2026, 1, 1), date(2026, 1, 4))
    assert w[1] == (date(2026, 1, 5), date(2026, 1, 11))
    assert w[-1] == (date(2026, 3, 30), date(2026, 3, 31))  # Mon 30 – Tue 31, cut
    assert len(w) == 14
    assert frequency_windows("monthly", Q1) == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert frequency_windows("quarterly", Q1) == [(date(2026, 1, 1), date(2026, 3, 31))]
    # fiscal year from February: 2025-Q1 = Feb–Apr 2025, cut calendar quarters
    fq = parse_period("2025-Q1", 2)
    assert (fq.start, fq.end) == (date(2024, 2, 1), date(2024, 4, 30))
    assert frequency_windows("quarterly", fq) == [
        (date(2024, 2, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 4, 30)),
    ]


def _weekly(*dates, due_days=7, **kw):
    return metric(baseline=0, target=10, frequency="weekly", due_days=due_days, checkins=[ci(x, 1) for x in dates], **kw)


def test_overdue_weekly():
    # D = Mon 01-19: window 01-05..01-11 ends 8 days before (> 7) → it is the latest due window
    assert score_kr(_weekly("2026-01-04"), as_of=date(2026, 1, 19)).overdue is True
    assert score_kr(_weekly("2026-01-08"), as_of=date(2026, 1, 19)).overdue is False
    assert score_kr(_weekly("2026-01-11"), as_of=date(2026, 1, 19)).overdue is False  # window's last day
    # D = Sun 01-18: 01-11 is exactly 7 days before, not more → latest is 01-01..01-04
    assert score_kr(_weekly("2026-01-04"), as_of=date(2026, 1, 18)).overdue is False
    assert score_kr(_weekly(), as_of=date(2026, 1, 18)).overdue is True
    # before any window is due: never overdue
    assert score_kr(_weekly(), as_of=date(2026, 1, 11)).overdue is False
    # status and score do not change
    s = score_kr(_weekly("2026-01-04"), as_of=date(2026, 1, 19))
    # elapsed 19/90, shortfall 19/90 − 9/90 = 1/9 ≈ 0.11 → at_risk
    assert s.score == F(1, 10) and s.status == "at_risk"


def test_overdue_due_days_edge():
    # due_days 3: window 01-05..01-11 is due when D − 01-11 > 3, i.e. from 01-15
    assert score_kr(_weekly("2026-01-04", due_days=3), as_of=date(2026, 1, 14)).overdue is False
    assert score_kr(_weekly("2026-01-04", due_days=3), as_of=date(2026, 1, 15)).overdue is True
    # due_days 0: the day after the window ends
    assert score_kr(_weekly("2026-01-04", due_days=0), as_of=date(2026, 1, 12)).overdue is True
    assert score_kr(_weekly("2026-01-04", due_days=0), as_of=date(2026, 1, 11)).overdue is False


def test_overdue_monthly():
    def m(*dates):
        return kr(type="maintain", threshold=1, direction="increase", frequency="monthly",
                  checkins=[ci(x, 1) for x in dates])  # fmt: skip

    # D = 02-08: January ended 8 days before → due; only a February check-in → overdue
    assert score_kr(m("2026-02-01"), as_of=date(2026, 2, 8)).overdue is True
    assert score_kr(m("2026-01-31"), as_of=date(2026, 2, 8)).overdue is False
    # D = 02-07: January ended exactly 7 days before → nothing due yet
    assert score_kr(m(), as_of=date(2026, 2, 7)).overdue is False


def test_overdue_quarterly_in_a_year():
    y = "2026"

    def q(*dates):
        return metric(baseline=0, target=10, frequency="quarterly", checkins=[ci(x, 1) for x in dates])

    assert score_kr(q("2026-03-15"), as_of=date(2026, 4, 8), period=y).overdue is False
    assert score_kr(q("2026-04-02"), as_of=date(2026, 4, 8), period=y).overdue is True
    assert score_kr(q(), as_of=date(2026, 4, 7), period=y).overdue is False  # Q1 ended 7 days before


def test_overdue_after_period_end_stays_last_window():
    def mo(*dates):
        return metric(baseline=0, target=10, frequency="monthly", checkins=[ci(x, 1) for x in dates])

    # 04-05: March ended 5 days before → not yet due; February is the latest due window
    assert score_kr(mo("2026-02-10"), as_of=date(2026, 4, 5)).overdue is False
    # 04-20, and long after: March stays the window
    assert score_kr(mo("2026-02-10"), as_of=date(2026, 4, 20)).overdue is True
    assert score_kr(mo("2026-03-31"), as_of=date(2026, 4, 20)).overdue is False
    assert score_kr(mo("2026-02-10"), as_of=date(2027, 1, 1)).overdue is True
    assert score_kr(mo("2026-03-01"), as_of=date(2027, 1, 1)).overdue is False


def test_overdue_cancelled_and_no_frequency():
    assert score_kr(_weekly(cancelled="2026-01-10"), as_of=date(2026, 2, 1)).overdue is False
    assert score_kr(_weekly(), as_of=date(2026, 2, 1), cancelled=approval("2026-01-10")).overdue is False
    assert score_kr(metric(baseline=0, target=1), as_of=date(2026, 3, 1)).overdue is False


def test_overdue_kpi():
    k = kpi(frequency="monthly", measurements=[meas("2026-01-31", 100)])
    assert score_kpi(k, as_of=date(2026, 3, 8)).overdue is True  # Feb is due, none in Feb
    assert score_kpi(k, as_of=date(2026, 3, 7)).overdue is False  # only Jan is due
    assert score_kpi(kpi(frequency="monthly", cancelled="2026-01-01"), as_of=date(2026, 3, 8)).overdue is False
    assert score_kpi(kpi(), as_of=date(2026, 3, 8)).overdue is False


def test_overdue_fiscal_quarter_windows_are_calendar():
    # fys 2: 2025-Q1 = 2024-02-01..2024-04-30; windows Feb–Mar, Apr
    cfg = config(fiscal_year_start=2)
    k = metric(baseline=0, target=10, frequency="quarterly", checkins=[ci("2024-04-02", 1)])
    f = pfile(parse_period("2025-Q1", 2), "u", [objective("O1", [k])])
    ws = workspace([f], cfg=cfg)
    res = score_workspace(ws, parse_period("2025-Q1", 2), date(2024, 4, 8))
    assert res.find("2025-Q1/u/O1/KR1").overdue is True  # 03-31 + 8 days, nothing in Feb–Mar


# ---------------------------------------------------------------------------
# units: taking part, own and rolled-up scores
# ---------------------------------------------------------------------------


def test_units_from_until():
    units = [
        unit("root"),
        unit("old", "root", until="2026-03-31"),
        unit("new", "root", from_="2026-04-01"),
        unit("gone", "root", until="2025-12-31"),
        unit("late", "root", from_="2026-03-31"),  # last day of Q1: overlaps
    ]
    ws = workspace([pfile(Q1, "root", [objective("O1", [_m(50)])])], units)
    q1 = score_workspace(ws, Q1, MID)
    assert [u.unit.id for u in q1.units] == ["root", "old", "late"]
    q2 = score_workspace(ws, parse_period("2026-Q2"), date(2026, 5, 1))
    assert [u.unit.id for u in q2.units] == ["root", "new", "late"]
    year = score_workspace(ws, parse_period("2026"), MID)
    assert [u.unit.id for u in year.units] == ["root", "old", "new", "late"]
    # units without a file take part with no objectives and null scores
    old = q1.unit("old")
    assert old is not None
    assert (old.file, old.objectives, old.kpis, old.score, old.rolled_score) == (None, (), (), None, None)
    assert q1.unit("gone") is None


def _unit_ws():
    """root (self_weight 2, own 1/2) ← c1 (weight 2, own 1), c2 (no file), c3 (own 0) ← g (own 1/2)."""
    units = [
        unit("root", self_weight=2),
        unit("c1", "root", weight=2),
        unit("c2", "root"),
        unit("c3", "root"),
        unit("g", "c3"),
        unit("x", "root", weight=5, until="2025-12-31"),  # not taking part: never counted
    ]
    files = [
        pfile(Q1, "root", [objective("O1", [_m(50)])]),
        pfile(Q1, "c1", [objective("O1", [_m(100)])]),
        pfile(Q1, "c3", [objective("O1", [_m(0)])]),
        pfile(Q1, "g", [objective("O1", [_m(100)]), objective("O2", [_m(0)])]),
    ]
    return workspace(files, units)


def test_rollup_with_weight_and_self_weight():
    res = score_workspace(_unit_ws(), Q1, MID)
    own = {u.unit.id: u.score for u in res.units}
    rolled = {u.unit.id: u.rolled_score for u in res.units}
    assert own == {"root": F(1, 2), "c1": 1, "c2": None, "c3": 0, "g": F(1, 2)}
    # g: own only → 1/2;  c3: (1·0 + 1·1/2) / 2 = 1/4;  c1: 1;  c2: null (left out)
    # root: (2·1/2 + 2·1 + 1·1/4) / (2 + 2 + 1) = 3.25 / 5 = 13/20
    assert rolled == {"root": F(13, 20), "c1": 1, "c2": None, "c3": F(1, 4), "g": F(1, 2)}
    assert {u.unit.id: u.depth for u in res.units} == {"root": 0, "c1": 1, "c2": 1, "c3": 1, "g": 2}
    assert res.unit("root").children == ("c1", "c2", "c3")


def test_rollup_self_weight_zero_and_unit_mean_of_objectives():
    units = [unit("r", self_weight=0), unit("c", "r")]
    files = [
        pfile(Q1, "r", [objective("O1", [_m(100)])]),
        pfile(
            Q1,
            "c",
            [
                objective("O1", [_m(20)], weight=3),  # 1/5
                objective("O2", [_m(60)]),  # 3/5
                objective("O3", [_m(100)], weight=0),  # out
                objective("O4", [_m(100)], cancelled=approval("2026-01-01")),  # out
            ],
        ),
    ]
    res = score_workspace(workspace(files, units), Q1, MID)
    # c own: (3·1/5 + 3/5) / 4 = 6/20 = 3/10
    assert res.unit("c").score == F(3, 10)
    # r own 1 has self_weight 0: rolled = c's 3/10
    assert res.unit("r").score == 1
    assert res.unit("r").rolled_score == F(3, 10)


def test_unit_tree():
    res = score_workspace(_unit_ws(), Q1, MID)
    tree = unit_tree(res)
    assert [n.unit.id for n in tree] == ["root"]
    assert [n.unit.id for n in tree[0].children] == ["c1", "c2", "c3"]
    assert [n.unit.id for n in tree[0].children[2].children] == ["g"]
    assert [n.unit.id for n in tree[0].walk()] == ["root", "c1", "c2", "c3", "g"]
    assert (tree[0].score, tree[0].rolled_score, tree[0].depth) == (F(1, 2), F(13, 20), 0)
    js = tree_to_json(tree)
    assert js[0]["rolled_score"] == 0.65
    assert js[0]["children"][2]["children"][0] == {
        "unit": "g", "name": "G", "score": 0.5, "rolled_score": 0.5, "scored": True, "rollup_complete": True,
        "invalid_file": None, "depth": 2, "children": []
    }  # fmt: skip
    json.dumps(js)


def test_subtree():
    res = score_workspace(_unit_ws(), Q1, MID)
    assert [u.unit.id for u in res.subtree("c3")] == ["c3", "g"]
    assert [u.unit.id for u in res.subtree("root")] == ["root", "c1", "c2", "c3", "g"]
    assert res.subtree("nope") == ()


# ---------------------------------------------------------------------------
# periods: fiscal year, default period, scoring date
# ---------------------------------------------------------------------------


def test_fiscal_year_july():
    fys = 7
    cfg = config(fiscal_year_start=fys)
    year = parse_period("2026", fys)
    q1 = parse_period("2026-Q1", fys)
    assert (year.start, year.end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert (q1.start, q1.end) == (date(2025, 7, 1), date(2025, 9, 30))
    # elapsed on 2025-08-15: (31 + 14 + 1) / 92 = 46/92 = 1/2
    assert elapsed_fraction(q1, date(2025, 8, 15)) == F(1, 2)
    # in the year: 46 / 365
    assert elapsed_fraction(year, date(2025, 8, 15)) == F(46, 365)
    files = [
        pfile(year, "u", [objective("O1", [_m(30)])]),
        pfile(q1, "u", [objective("O1", [metric(baseline=0, target=100, checkins=[ci("2025-08-01", 40)])])]),
    ]
    ws = workspace(files, cfg=cfg)
    assert default_period(ws, date(2025, 8, 15)) == q1
    assert default_period(ws, date(2025, 10, 1)) == year  # 2026-Q2 and H1 have no files
    assert default_period(ws, date(2026, 7, 1)) is None  # that is fiscal 2027
    assert default_period(ws, date(2025, 6, 30)) is None  # fiscal 2025
    res = score_workspace(ws, q1, date(2025, 8, 15))
    k = res.find("2026-Q1/u/O1/KR1")
    # expected 1/2, score 2/5: shortfall 1/10 → on_track
    assert (k.score, k.expected, k.status) == (F(2, 5), F(1, 2), "on_track")
    assert k.value_date == date(2025, 8, 1)


def test_default_period_picks_shortest_with_files():
    files = [
        pfile("2026", "u", [objective("O1", [_m(1)])]),
        pfile("2026-H1", "u", [objective("O1", [_m(1)])]),
        pfile("2026-Q1", "u", [objective("O1", [_m(1)])]),
    ]
    ws = workspace(files)
    assert default_period(ws, MID).id == "2026-Q1"
    assert default_period(ws, date(2026, 5, 1)).id == "2026-H1"  # no Q2 file
    assert default_period(ws, date(2026, 8, 1)).id == "2026"  # no Q3 or H2 file
    assert default_period(ws, date(2027, 1, 1)) is None
    assert default_period(workspace([]), MID) is None


def test_all_periods_sorted_by_start_and_length():
    files = [
        pfile("2026-Q2", "u", []),
        pfile("2026", "u", []),
        pfile("2026-Q1", "u", []),
        pfile("2026-H1", "v", []),
        pfile("2026-Q1", "v", []),
        pfile("2025-Q4", "u", []),
    ]
    ws = workspace(files)
    assert [p.id for p in all_periods(ws)] == ["2025-Q4", "2026-Q1", "2026-H1", "2026", "2026-Q2"]


def test_scoring_date_precedence():
    cfg = config(as_of="2026-05-15")
    assert scoring_date(cfg, date(2026, 1, 2)) == date(2026, 1, 2)
    assert scoring_date(cfg, None) == date(2026, 5, 15)
    assert scoring_date(config(), None) == today(config())


def test_today_uses_the_workspace_timezone():
    east = config(timezone="Pacific/Kiritimati")  # UTC+14
    west = config(timezone="Etc/GMT+12")  # UTC−12
    before = datetime.now(ZoneInfo("UTC")).date()
    t_east, t_west = today(east), today(west)
    after = datetime.now(ZoneInfo("UTC")).date()
    # 26 hours apart: the dates always differ
    assert t_east > t_west
    assert before - timedelta(days=1) <= t_west and t_east <= after + timedelta(days=1)
    assert today(config()) in (before, after)


# ---------------------------------------------------------------------------
# ScoreResult lookups
# ---------------------------------------------------------------------------


def test_find_and_unit():
    ws = workspace([pfile(Q1, "u", [objective("O1", [_m(50)])], [kpi("K1")])])
    res = score_workspace(ws, Q1, MID)
    assert isinstance(res.find("2026-Q1/u/O1"), ObjectiveScore)
    assert isinstance(res.find("2026-Q1/u/O1/KR1"), KRScore)
    assert isinstance(res.find("u/K1"), KPIScore)
    assert res.find("2026-Q1/u/O2") is None
    assert res.find("2026-Q2/u/O1") is None
    assert res.unit("u").unit.id == "u"
    assert res.unit("v") is None
    assert res.elapsed == F(1, 2)
    assert [k.ref for k in res.key_results()] == ["2026-Q1/u/O1/KR1"]


# ---------------------------------------------------------------------------
# alignment tree
# ---------------------------------------------------------------------------


def test_alignment_tree():
    year = parse_period("2026")
    q2 = parse_period("2026-Q2")
    units = [unit("ha-noi"), unit("so", "ha-noi"), unit("cds", "so")]
    files = [
        # 2026: ha-noi O1 with KR1 at 30/100; O2 on its own
        pfile(year, "ha-noi", [objective("O1", [_m(30, id="KR1")]), objective("O2", [_m(0)])]),
        pfile(
            q2,
            "so",
            [
                objective("O1", [_m(50)], aligns_to="2026/ha-noi/O1"),
                objective("O2", [_m(100)], aligns_to="2026/ha-noi/O1/KR1"),
                objective("O3", [_m(10)], aligns_to="2026-Q1/ha-noi/O9"),  # not shown → top
            ],
        ),
        pfile(q2, "cds", [objective("O1", [_m(20)], aligns_to="so/O1")]),
        pfile("2026-Q1", "so", [objective("O9", [_m(1)], aligns_to="2026/ha-noi/O2")]),  # not shown
    ]
    ws = workspace(files, units)
    d = date(2026, 5, 15)
    forest = alignment_tree(ws, q2, d)
    assert [n.ref for n in forest] == ["2026/ha-noi/O1", "2026/ha-noi/O2", "2026-Q2/so/O3"]
    o1 = forest[0]
    assert [c.ref for c in o1.children] == ["2026-Q2/so/O1", "2026-Q2/so/O2"]
    assert o1.children[1].via == "2026/ha-noi/O1/KR1"
    assert o1.children[0].via is None
    assert [c.ref for c in o1.children[0].children] == ["2026-Q2/cds/O1"]
    assert forest[1].children == ()
    assert (o1.unit, o1.period, o1.title) == ("ha-noi", "2026", "Objective O1")
    # the year objective is scored within its own period: 2026-05-15 is day 135 of 365
    # expected 135/365 = 27/73 ≈ 0.37; score 0.3 → shortfall ≈ 0.07 → on_track
    assert o1.score == F(3, 10)
    assert o1.status == "on_track"
    # the same KR in Q2 terms (elapsed 45/91) would be at_risk; the quarter node uses Q2:
    # so/O1 at 0.5, expected 45/91 ≈ 0.4945 → on_track
    assert (o1.children[0].score, o1.children[0].status) == (F(1, 2), "on_track")
    assert [n.ref for n in forest[0].walk()] == ["2026/ha-noi/O1", "2026-Q2/so/O1", "2026-Q2/cds/O1", "2026-Q2/so/O2"]
    js = alignment_to_json(forest)
    assert js[0]["children"][1]["via"] == "2026/ha-noi/O1/KR1"
    assert js[0]["score"] == 0.3
    json.dumps(js)
    # viewing the year: only the year's objectives are shown
    assert [n.ref for n in alignment_tree(ws, year, d)] == ["2026/ha-noi/O1", "2026/ha-noi/O2"]


def test_alignment_tree_uses_passed_result():
    ws = workspace([pfile(Q1, "u", [objective("O1", [_m(50)]), objective("O2", [_m(0)], aligns_to="u/O1")])])
    res = score_workspace(ws, Q1, MID)
    forest = alignment_tree(ws, Q1, MID, result=res)
    assert [n.ref for n in forest] == ["2026-Q1/u/O1"]
    assert forest[0].objective is res.find("u/O1")
    assert [c.ref for c in forest[0].children] == ["2026-Q1/u/O2"]


# ---------------------------------------------------------------------------
# §9 JSON
# ---------------------------------------------------------------------------

KR_KEYS = [
    "ref", "title", "type", "unit", "baseline", "target", "direction", "weight", "value", "value_date",
    "progress", "score", "confidence", "status", "overdue", "rebaselined",
]  # fmt: skip
OBJ_KEYS = ["ref", "title", "kind", "weight", "owner", "aligns_to", "score", "status", "grade", "key_results"]
KPI_KEYS = ["ref", "title", "unit", "direction", "target", "alert", "value", "value_date", "status", "overdue"]
UNIT_KEYS = ["unit", "name", "score", "rolled_score", "scored", "rollup_complete", "invalid_file", "objectives", "kpis"]


def _json_ws():
    units = [
        unit("ha-noi", name="UBND Thành phố Hà Nội"),
        unit("so", "ha-noi", name="Sở KH&CN", weight=2),
        unit("empty", "ha-noi"),
        unit("old", "ha-noi", until="2025-12-31"),
    ]
    so = pfile(
        Q1,
        "so",
        [
            objective(
                "O1",
                [
                    metric("KR1", baseline=45, target=80, unit="%", frequency="weekly",
                           checkins=[ci("2026-01-15", 52, confidence="0.7")],
                           rebaselines=[rebaseline("2026-01-10", "target", 90, 80)]),
                    kr("KR2", "milestone", milestones=[ms("a"), ms("b")],
                       checkins=[ci("2026-02-01", done=["b"])], weight=2),
                    kr("KR3", "boolean"),
                    kr("KR4", "maintain", threshold="2.5", direction="decrease",
                       checkins=[ci("2026-02-01", "1.5")]),
                    metric("KR5", baseline=0, target=10, aggregate="sum",
                           checkins=[ci("2026-01-05", 2), ci("2026-01-12", "1.5")]),
                ],
                owner="tran.thi.b",
                weight=2,
                aligns_to="ha-noi/O1/A",
            ),
            objective("O2", [metric("KR1", 10, 0)], kind="aspirational"),
        ],
        [kpi("K1", target=98, alert=95, unit="%", measurements=[meas("2026-01-31", "97.2")], frequency="monthly")],
    )  # fmt: skip
    hn = pfile(Q1, "ha-noi", [objective("O1", [kr("A", "aligned")])])
    return workspace([so, hn], units)


def test_score_to_json_shape_and_values():
    res = score_workspace(_json_ws(), Q1, MID)
    js = score_to_json(res)
    assert list(js) == ["period", "as_of", "units"]
    assert js["period"] == "2026-Q1"
    assert js["as_of"] == "2026-02-14"
    # every unit taking part, in units.yaml order, with or without a file
    assert [u["unit"] for u in js["units"]] == ["ha-noi", "so", "empty"]
    for u in js["units"]:
        assert list(u) == UNIT_KEYS
        for o in u["objectives"]:
            assert list(o) == OBJ_KEYS
            for k in o["key_results"]:
                assert list(k) == KR_KEYS
        for k in u["kpis"]:
            assert list(k) == KPI_KEYS
    empty = js["units"][2]
    assert empty == {"unit": "empty", "name": "EMPTY", "score": None, "rolled_score": None, "scored": True,
                     "rollup_complete": True, "invalid_file": None, "objectives": [], "kpis": []}

    so = js["units"][1]
    assert so["name"] == "Sở KH&CN"
    o1 = so["objectives"][0]
    assert o1["ref"] == "2026-Q1/so/O1"
    assert o1["aligns_to"] == "2026-Q1/ha-noi/O1/A"  # fully qualified
    assert (o1["kind"], o1["weight"], o1["owner"]) == ("committed", 2.0, "tran.thi.b")
    kr1, kr2, kr3, kr4, kr5 = o1["key_results"]
    assert kr1 == {
        "ref": "2026-Q1/so/O1/KR1", "title": "Key result KR1", "type": "metric", "unit": "%",
        "baseline": 45.0, "target": 80.0, "direction": "increase", "weight": 1.0,
        "value": 52.0, "value_date": "2026-01-15", "progress": 0.2, "score": 0.2, "confidence": 0.7,
        # shortfall 1/2 − 1/5 = 3/10 → off_track; weekly: week 02-02..02-08 (6 days ago) not
        # due; 01-26..02-01 (13 days) is due and has no check-in → overdue
        "status": "off_track", "overdue": True, "rebaselined": True,
    }  # fmt: skip
    assert isinstance(kr1["baseline"], float)
    # milestone: 1/2, value the list of done ids, no progress
    assert (kr2["value"], kr2["score"], kr2["progress"], kr2["weight"]) == (["b"], 0.5, None, 2.0)
    assert (kr2["baseline"], kr2["target"], kr2["direction"]) == (None, None, None)
    assert (kr3["value"], kr3["score"], kr3["status"], kr3["value_date"]) == (None, 0.0, "on_track", None)
    assert (kr4["value"], kr4["score"], kr4["direction"], kr4["status"]) == (1.5, 1.0, "decrease", "on_track")
    # sum: value = baseline 0 + 2 + 1.5 = 3.5 → 0.35; value_date of the latest check-in
    assert (kr5["value"], kr5["score"], kr5["progress"], kr5["value_date"]) == (3.5, 0.35, 0.35, "2026-01-12")
    assert kr5["overdue"] is False
    # O1 score: (0.2 + 2·0.5 + 0 + 1 + 0.35) / 6 = 2.55 / 6 = 0.425
    assert o1["score"] == 0.425
    assert o1["grade"] == "red"
    o2 = so["objectives"][1]
    assert (o2["kind"], o2["aligns_to"], o2["key_results"][0]["direction"]) == ("aspirational", None, "decrease")
    assert (o2["score"], o2["status"], o2["grade"]) == (0.0, "no_data", "red")
    # so own: (2·0.425 + 0) / 3 = 0.85/3 = 17/60
    assert so["score"] == float(F(17, 60))
    assert so["rolled_score"] == float(F(17, 60))
    assert so["kpis"][0] == {
        "ref": "2026-Q1/so/K1", "title": "KPI K1", "unit": "%", "direction": "increase", "target": 98.0,
        "alert": 95.0, "value": 97.2, "value_date": "2026-01-31", "status": "amber", "overdue": False,
    }  # fmt: skip
    hn = js["units"][0]
    # aligned A: one feeder so/O1 (0.425); value null
    a = hn["objectives"][0]["key_results"][0]
    assert (a["value"], a["score"], a["progress"], a["baseline"]) == (None, 0.425, None, None)
    # ha-noi own 0.425 (self_weight 1); children: so 17/60 (weight 2), empty null
    # rolled: (0.425 + 2·17/60) / 3 = (51/120 + 68/120) / 3 = 119/360
    assert hn["rolled_score"] == float(F(119, 360))
    # JSON-serialisable as is
    assert json.loads(json.dumps(js)) == js


def test_score_to_json_floats_are_nearest_doubles():
    # 1/3 → the double nearest to 1/3, unrounded
    k = metric(baseline=0, target=3, checkins=[ci("2026-01-15", 1)])
    js = score_to_json(score_workspace(one_kr_ws(k), Q1, MID))
    kr_js = js["units"][0]["objectives"][0]["key_results"][0]
    assert kr_js["score"] == 1 / 3
    assert kr_js["progress"] == 1 / 3
    # exact 0.7 is the double 0.7
    k = metric(baseline="0.1", target="1.1", checkins=[ci("2026-01-15", "0.8")])
    js = score_to_json(score_workspace(one_kr_ws(k), Q1, MID))
    assert js["units"][0]["objectives"][0]["key_results"][0]["score"] == 0.7
    assert js["units"][0]["score"] == 0.7


def test_score_to_json_boolean_value_and_status_after_end():
    k = kr(type="boolean", checkins=[ci("2026-03-01", True)])
    js = score_to_json(score_workspace(one_kr_ws(k), Q1, AFTER))
    o = js["units"][0]["objectives"][0]
    assert (o["key_results"][0]["value"], o["key_results"][0]["status"], o["status"], o["grade"]) == (
        True,
        "done",
        "done",
        "green",
    )
    assert js["as_of"] == "2026-04-01"
