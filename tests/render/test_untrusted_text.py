"""Issue 12 #5 and #16: renderers escape untrusted text whatever reaches them
(records built in the process, as a library user or a future reader might), and an
absurd terminal width is clamped."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from factories import ci, kpi, meas, metric, objective, pfile, unit, workspace
from okrctl.engine import scoring
from okrctl.model.periods import parse_period
from okrctl.render.console import MAX_WIDTH, make_console
from okrctl.render.formats import RenderOptions, render
from okrctl.reports.score_tables import score_report

EVIL = "\x1b[2J\u202eX\x00"


@pytest.fixture(scope="module")
def report():
    k = metric("KR1", 0, 100, unit=EVIL, title="KR " + EVIL, checkins=[ci("2026-02-01", 50, note=EVIL)])
    kp = kpi("K1", 10, unit=EVIL, title="KPI " + EVIL, measurements=[meas("2026-02-01", 5)])
    f = pfile("2026-Q1", "u", [objective("O1", [k], title="O " + EVIL)], [kp])
    ws = workspace([f], units=[unit("u", name="Unit " + EVIL)])
    p = parse_period("2026-Q1", 1)
    result = scoring.score_workspace(ws, p, date(2026, 2, 15))
    return score_report(result, result.units)


def _unsafe(text: str) -> set[str]:
    return {c for c in text if c in "\x1b\x00\u202e"}


def test_score_table_escapes_the_unit_of_krs_and_kpis(report):
    buf = io.StringIO()
    render(report, "table", RenderOptions("en", make_console("never", file=buf, width=200)))
    out = buf.getvalue()
    assert _unsafe(out) == set()
    assert out.count("\\u001b[2J\\u202eX\\u0000") >= 4  # unit name, objective, KR (title and unit), KPI


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_csv_and_markdown_escape_every_text_cell(report, fmt):
    out = render(report, fmt)
    assert _unsafe(out) == set()
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
        assert "\\u001b[2J\\u202eX\\u0000" in cells  # the unit column, escaped, readable


@pytest.mark.parametrize("columns, width", [("99999999", MAX_WIDTH), ("-5", 20), ("0", 20), ("100", 100)])
def test_columns_is_clamped(monkeypatch, columns, width):
    monkeypatch.setenv("COLUMNS", columns)
    assert make_console("never", file=io.StringIO()).width == width
    assert make_console("always", file=io.StringIO()).width == width
