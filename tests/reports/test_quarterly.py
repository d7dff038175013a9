"""The report value of the sample: exact numbers, the attention rule, the heat map,
the notes file."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from conftest import SAMPLE
from okrctl.engine import scoring
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.reports import quarterly


@pytest.fixture(scope="module")
def value():
    ws = load_workspace(WorkingTreeSource(SAMPLE)).workspace
    p = next(p for p in scoring.all_periods(ws) if p.id == "2026-Q2")
    result = scoring.score_workspace(ws, p, date(2026, 5, 15))
    return quarterly.build(ws, result, result.units), result, ws


def test_summary(value):
    r, result, ws = value
    assert r.summary.score == result.unit("ha-noi").rolled_score
    assert r.summary.grade is None and not r.ended  # no grade before the period ends
    assert r.summary.counts == {"done": 1, "on_track": 10, "at_risk": 6, "off_track": 3, "missed": 0,
                                "no_data": 3, "cancelled": 1}
    assert r.summary.n_krs == 24 and r.summary.kpis_red == 1
    assert r.summary.on_time == Fraction(20, 22)
    assert ws.config.report.abbreviation == "SKHCN"


def test_attention_rule(value):
    r, _, _ = value
    assert [(a.ref, a.reason) for a in r.attention] == [
        ("2026-Q2/so-khcn-vp/O1/KR2", "reason_off_track"),
        ("2026-Q2/so-khcn-vp/K2", "reason_kpi_red"),
        ("2026-Q2/so-khcn-qlkh/O2/KR1", "reason_off_track"),
        ("2026-Q2/so-khcn-cds/O1/KR1", "reason_confidence"),
        ("2026-Q2/so-khcn-cds/O2/KR1", "reason_overdue"),
        ("2026-Q2/phuong-hoan-kiem/O1/KR1", "reason_off_track"),
    ]


def test_units_in_tree_order_and_heat_map(value):
    r, result, _ = value
    assert [u.unit.unit.id for u in r.unit_rows] == [u.unit.id for u in result.units]  # never ranked
    assert len(r.week_ends) == 13 and r.week_ends[0] == date(2026, 4, 7) and r.week_ends[-1] == date(2026, 6, 30)
    vp = next(u for u in r.unit_rows if u.unit.unit.id == "so-khcn-vp")
    assert vp.weeks[6] == "off_track" and vp.weeks[7:] == (None,) * 6  # nothing after the as-of date


def test_changes_come_from_the_records(value):
    r, _, _ = value
    assert [(c.date, c.kind, c.ref) for c in r.changes] == [
        (date(2026, 4, 20), "cancelled", "2026-Q2/so-khcn/O2/KR3"),
        (date(2026, 4, 22), "added", "2026-Q2/so-khcn/O2/KR4"),
        (date(2026, 4, 28), "rebaseline", "2026-Q2/so-khcn/O1/KR1"),
    ]
    burn = [b for o in r.objectives for b in o.burnups]
    assert [b.ref for b in burn] == ["2026-Q2/so-khcn-vp/O1/KR2", "2026-Q2/so-khcn-cds/O2/KR1",
                                    "2026-Q2/phuong-hoan-kiem/O1/KR1"]


def test_parse_notes():
    notes = quarterly.parse_notes("intro\n## Kiến nghị\n\nA *b*\n\n## Khác\nx\n## Problems and causes\nP\n")
    assert notes == {"problems": "P", "priorities": None, "recommendations": "A *b*"}
