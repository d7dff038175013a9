"""The score and roll-up views on a console without colour are laid out in plain
strings (okrctl.render.plain) instead of rich ``Text``: the same bytes as the rich
path, for any unit names and titles (Vietnamese, wide characters, tabs, long
words, empty text) at any width.  Both paths run on the same console; only
:func:`okrctl.render.plain.plain_console` is switched."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import okrctl
from conftest import SAMPLE
from okrctl.engine.rollup import alignment_tree, unit_tree
from okrctl.render import plain
from okrctl.render.console import make_console
from okrctl.render.formats import RenderOptions, render
from okrctl.reports.score_tables import alignment_report, rollup_report, score_report

WORDS = ["Chuyển", "đổi", "số", "toàn", "diện", "Sở", "Khoa học", "và", "Công nghệ", "KPI", "100%",
         "漢字", "表示", "🙂", "Ｆｕｌｌ", "x" * 45, "Nguyễn\u0301", "a\tb", "[x]", "—", "↺", "·"]
title = st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=14).map(" ".join)


@pytest.fixture(scope="module")
def sample():
    ws = okrctl.load(SAMPLE).workspace
    return ws, okrctl.score(ws)


def renamed(result, names):
    """``result`` with unit names and objective, key result and KPI titles from ``names``."""
    it = iter(names * 200)
    units = []
    for u in result.units:
        objectives = tuple(replace(o, objective=replace(o.objective, title=next(it)),
                                   key_results=tuple(replace(k, kr=replace(k.kr, title=next(it))) for k in o.key_results))
                           for o in u.objectives)
        kpis = tuple(replace(k, kpi=replace(k.kpi, title=next(it))) for k in u.kpis)
        units.append(replace(u, unit=replace(u.unit, name=next(it)), objectives=objectives, kpis=kpis))
    return replace(result, units=tuple(units), workspace_name=next(it))


def both(report, locale: str, width: int, monkeypatch) -> tuple[str, str]:
    out = []
    for rich in (False, True):
        with monkeypatch.context() as m:
            if rich:
                m.setattr(plain, "plain_console", lambda console: False)
            buf = io.StringIO()
            assert render(report, "table", RenderOptions(locale, make_console("never", file=buf, width=width))) is None
            out.append(buf.getvalue())
    return out[0], out[1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(title, min_size=1, max_size=8), width=st.sampled_from([20, 33, 60, 80, 120, 200]),
       locale=st.sampled_from(["en", "vi"]), first=st.integers(0, 15), count=st.integers(0, 6))
def test_score_and_rollup_views_are_the_same_bytes_as_rich(sample, monkeypatch, names, width, locale, first, count):
    _ws, result = sample
    result = renamed(result, names)
    units = result.units[first:first + count] if count else result.units
    fast, slow = both(score_report(result, units, Fraction(1)), locale, width, monkeypatch)
    assert fast == slow
    assert fast.count("\n") >= 1 + len(units)
    forest = unit_tree(result)
    fast, slow = both(rollup_report(result, forest, None if count == 0 else count, Fraction(1)), locale, width, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("width", [20, 80, 120])
@pytest.mark.parametrize("as_of", [date(2026, 5, 15), date(2026, 7, 10)])
def test_sample_views_at_fixed_widths(sample, monkeypatch, width, as_of):
    ws, _ = sample
    result = okrctl.score(ws, "2026-Q2", as_of)  # before and after the end: the grade column
    nodes = alignment_tree(ws, result.period, as_of, result=result)
    for report in (score_report(result, result.units, Fraction(1)),
                   rollup_report(result, unit_tree(result), None, Fraction(1)),
                   alignment_report(result, nodes, None, Fraction(1))):
        fast, slow = both(report, "vi", width, monkeypatch)
        assert fast == slow and fast


def test_a_colour_console_keeps_rich(sample):
    _ws, result = sample
    buf = io.StringIO()
    console = make_console("always", file=buf, width=100)
    assert not plain.plain_console(console)
    render(score_report(result, result.units, Fraction(1)), "table", RenderOptions("en", console))
    assert "\x1b[" in buf.getvalue()
