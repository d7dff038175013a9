"""The score / rollup / alignment tables built from the sample workspace: exact cells."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import SAMPLE
from okrctl.engine.rollup import alignment_tree, unit_tree
from okrctl.engine import scoring
from okrctl.model.periods import parse_period
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.reports.score_tables import (
    ALIGNMENT_COLUMNS, ROLLUP_COLUMNS, SCORE_COLUMNS, alignment_report, rollup_report, score_report,
)
from okrctl.reports.tables import Column, Table, make_table

AS_OF = date(2026, 5, 15)


@pytest.fixture(scope="module")
def sample():
    res = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache())
    ws = res.workspace
    p = parse_period("2026-Q2", ws.config.fiscal_year_start)
    return ws, p, scoring.score_workspace(ws, p, AS_OF)


def _row(table: Table, **match) -> dict:
    found = [r for r in table.records() if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, len(found))
    return found[0]


def test_table_checks_its_shape():
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        Table("t", (Column("a"), Column("b")), (("x",),))
    with pytest.raises(ValueError, match="duplicate"):
        Table("t", (Column("a"), Column("a")), ())
    with pytest.raises(ValueError, match="unknown type"):
        Column("a", "colour")  # type: ignore[arg-type]
    t = make_table("t", [Column("a"), Column("n", "number", unit="%")], [{"a": "x"}, {"n": 3}])
    assert t.rows == (("x", None), (None, 3)) and t.column("n").unit == "%" and t.values("a") == ["x", None]


def test_score_table_cells(sample):
    ws, p, result = sample
    table = score_report(result, result.units).table
    assert table.key == "score" and table.columns == SCORE_COLUMNS
    assert table.column("score").type == "score" and table.column("as_of").type == "date"
    levels = table.values("level")
    assert levels[:2] == ["unit", "unit"] and levels.count("key_result") == sum(1 for _ in result.key_results())
    unit = _row(table, level="unit", unit="so-khcn")
    assert unit["ref"] == "2026-Q2/so-khcn" and unit["title"] == "Sở Khoa học và Công nghệ"
    assert unit["as_of"] == AS_OF and unit["status"] is None
    kr = _row(table, ref="2026-Q2/so-khcn/O1/KR1")
    assert (kr["level"], kr["type"], kr["unit_of_measure"], kr["value"], kr["target"]) == (
        "key_result", "metric", "%", Fraction(77), Decimal(80))
    assert (kr["score"], kr["progress"], kr["confidence"], kr["status"], kr["overdue"], kr["rebaselined"]) == (
        Fraction(7, 10), Fraction(7, 10), Fraction(4, 5), "on_track", False, True)
    assert _row(table, ref="2026-Q2/so-khcn/O1/KR2")["score"] == Fraction(329, 720)
    kpi = _row(table, ref="2026-Q2/so-khcn/K1")
    assert (kpi["level"], kpi["value"], kpi["status"], kpi["score"]) == ("kpi", Fraction(487, 5), "amber", None)


def test_score_table_for_a_subtree(sample):
    ws, p, result = sample
    report = score_report(result, result.subtree("so-khcn-cds"))
    assert set(report.table.values("unit")) == {"so-khcn-cds"}
    assert [u["unit"] for u in report.payload()["units"]] == ["so-khcn-cds"]


def test_rollup_table_cells_and_depth(sample):
    ws, p, result = sample
    forest = unit_tree(result)
    table = rollup_report(result, forest).table
    assert table.columns == ROLLUP_COLUMNS
    top = _row(table, unit="ha-noi")
    assert (top["parent"], top["depth"], top["score"], top["name"]) == (None, 0, None, "UBND Thành phố Hà Nội")
    assert top["rolled_score"] == result.unit("ha-noi").rolled_score
    assert _row(table, unit="so-khcn-vp")["parent"] == "so-khcn"
    shallow = rollup_report(result, forest, depth_limit=1)
    assert shallow.table.values("unit") == ["ha-noi", "so-khcn", "phuong-hoan-kiem"]
    assert [n["children"] for n in shallow.payload()["tree"][0]["children"]] == [[], []]


def test_alignment_table_cells(sample):
    ws, p, result = sample
    nodes = alignment_tree(ws, p, AS_OF, result=result)
    report = alignment_report(result, nodes)
    table = report.table
    assert table.columns == ALIGNMENT_COLUMNS
    assert table.rows[0][:3] == (AS_OF, 0, "2026/ha-noi/O1")
    child = _row(table, ref="2026-Q2/so-khcn-cds/O1")
    assert (child["depth"], child["via"], child["score"], child["kind"], child["period"]) == (
        3, "2026-Q2/so-khcn/O1/KR2", Fraction(43, 80), "committed", "2026-Q2")
    assert report.payload()["by"] == "alignment" and report.payload()["as_of"] == "2026-05-15"
