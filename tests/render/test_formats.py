"""The format registry and its generic writers (CSV, JSON) on the sample workspace."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import SAMPLE, subprocess_env
from okrctl.engine.rollup import unit_tree
from okrctl.engine import scoring
from okrctl.model.periods import parse_period
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.render.formats import (
    EXTENSIONS, WRITERS, RenderOptions, UnknownFormat, format_for, formats, render, table_csv, writer,
)
from okrctl.reports.score_tables import KINDS, rollup_report, score_report
from okrctl.reports.tables import Column, Table


@pytest.fixture(scope="module")
def sample():
    ws = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache()).workspace
    p = parse_period("2026-Q2", ws.config.fiscal_year_start)
    return ws, p, scoring.score_workspace(ws, p, date(2026, 5, 15))


@pytest.mark.parametrize("path, fmt", [("out.json", "json"), ("a/b.CSV", "csv"), ("r.md", "md"),
                                       ("r.markdown", "md"), ("x.txt", "table")])
def test_format_for(path, fmt):
    assert format_for(path) == fmt


@pytest.mark.parametrize("path", ["report.odt", "report", "dir.md/report", ".csv.bak"])
def test_format_for_unknown_extension(path):
    with pytest.raises(UnknownFormat, match="cannot tell the format"):
        format_for(path)


def test_every_kind_has_every_format_and_every_entry_resolves():
    for kind in KINDS:
        assert set(formats(kind)) == {"table", "json", "csv", "md"}
    for (kind, fmt) in WRITERS:
        assert callable(writer(kind, fmt))
    # sarif is a format of the problem commands (render/problems.py), docx and pdf of
    # ``okrctl report`` (render/report/), not of the table reports
    assert set(EXTENSIONS.values()) <= {f for _, f in WRITERS} | {"sarif", "docx", "pdf"}
    with pytest.raises(UnknownFormat, match="no 'xlsx' output"):
        writer("score", "xlsx")


def test_csv_writer_is_rfc4180_and_injection_safe():
    t = Table("t", (Column("a"), Column("n", "number"), Column("s", "score"), Column("b", "bool"), Column("v", "value"),
                    Column("d", "date")),
              (('=1+2, "q"', Fraction(1, 3), None, True, ("m1", "m2"), date(2026, 1, 2)),
               ("multi\nline", 5, Fraction(-1, 2), False, None, None)))
    text = table_csv(t)
    assert text.splitlines()[0] == "a,n,s,b,v,d"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'=1+2, \"q\"", "0.3333333333333333", "", "true", "m1,m2", "2026-01-02"]
    # numbers stay numbers: a negative score is not a formula
    assert rows[2] == ["multi\nline", "5", "-0.5", "false", "", ""]


@pytest.mark.parametrize("text, cell", [("-5", "'-5"), ("+1", "'+1"), ("@SUM(A1)", "'@SUM(A1)"), ("=1", "'=1"),
                                        ("\tx", "'\tx"),
                                        ("\rx", "\\u000dx")])  # a CR is escaped first, so nothing is left to guard
def test_csv_guard_neutralises_text_cells_only(text, cell):
    t = Table("t", (Column("a"), Column("n", "number")), ((text, Decimal("-5")),))
    row = list(csv.reader(io.StringIO(table_csv(t), newline="")))[1]
    assert row == [cell, "-5"]


def test_score_csv_parses_back_with_exact_cells(sample):
    ws, p, result = sample
    text = render(score_report(result, result.units), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    kr = next(r for r in rows if r["ref"] == "2026-Q2/so-khcn/O1/KR1")
    assert kr == {"period": "2026-Q2", "as_of": "2026-05-15", "unit": "so-khcn", "level": "key_result",
                  "ref": "2026-Q2/so-khcn/O1/KR1", "title": kr["title"], "kind": "committed", "type": "metric",
                  "weight": kr["weight"], "unit_of_measure": "%", "baseline": "70", "target": "80", "value": "77",
                  "value_date": kr["value_date"], "progress": "0.7", "score": "0.7", "confidence": "0.8",
                  "status": "on_track", "grade": "", "overdue": "false", "rebaselined": "true", "rolled_score": ""}
    assert rows[0]["level"] == "unit" and rows[0]["unit"] == "ha-noi" and rows[0]["score"] == ""


def test_rollup_csv_and_json(sample):
    ws, p, result = sample
    report = rollup_report(result, unit_tree(result), depth_limit=0)
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[0] == ["period", "as_of", "unit", "name", "parent", "depth", "score", "rolled_score"]
    assert rows[1][:7] == ["2026-Q2", "2026-05-15", "ha-noi", "UBND Thành phố Hà Nội", "", "0", ""] and len(rows) == 2
    doc = json.loads(render(report, "json"))
    assert (doc["command"], doc["schema_version"], doc["by"]) == ("rollup", 1, "org")
    assert doc["tree"][0]["unit"] == "ha-noi" and doc["tree"][0]["children"] == []


def test_terminal_writer_prints_to_the_console(sample):
    from okrctl.render.console import make_console

    ws, p, result = sample
    buf = io.StringIO()
    out = render(score_report(result, result.units), "table", RenderOptions("en", make_console("never", file=buf)))
    assert out is None and "so-khcn" in buf.getvalue() and "on track" in buf.getvalue()


def test_text_formats_do_not_load_rich_or_tabulate():
    """Heavy libraries load inside the writer that needs them."""
    code = ("import sys; from okrctl.render import formats; formats.writer('score', 'csv'); formats.writer('score', 'json');"
            "print(sorted(m for m in ('rich', 'tabulate', 'typer') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_export_column_has_a_vietnamese_header():
    """xlsx headers follow the workspace locale: no export column falls back to its id in vi."""
    from okrctl.render.xlsx import VI_HEADERS
    from okrctl.reports.export import SPECS, TABLES

    missing = sorted({name for table in TABLES if table in SPECS for name, _type, _doc in SPECS[table]} - set(VI_HEADERS))
    assert missing == []
