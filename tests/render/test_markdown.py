"""Markdown writers: tabulate lays out pipe tables from cells we escaped ourselves."""

from __future__ import annotations

import okrctl

import dataclasses
from datetime import date

import pytest

from conftest import SAMPLE
from okrctl.engine.rollup import alignment_tree, unit_tree
from okrctl.engine import scoring
from okrctl.model.periods import parse_period
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.render.formats import RenderOptions, render
from okrctl.render.markdown import md_table
from okrctl.reports.score_tables import alignment_report, rollup_report, score_report


@pytest.fixture(scope="module")
def sample():
    ws = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache()).workspace
    p = parse_period("2026-Q2", ws.config.fiscal_year_start)
    return ws, p, scoring.score_workspace(ws, p, date(2026, 5, 15))


def _cells(line: str) -> list[str]:
    assert line.startswith("| ") and line.endswith(" |"), line
    return line[2:-2].split(" | ")


def test_md_table_layout():
    lines = md_table(["A", "B"], ["left", "right"], [["x", "1.50"], ["", "**2**"]])
    assert lines == ["| A | B |", "|---|---:|", "| x | 1.50 |", "|  | **2** |"]
    # numbers stay as written, an empty table keeps its header and rule
    assert md_table(["A"], ["right"], []) == ["| A |", "|---:|"]


def test_score_markdown_tables(sample):
    ws, p, result = sample
    text = render(score_report(result, result.units), "md", RenderOptions("en"))
    lines = text.splitlines()
    assert lines[0] == "# Scores: Sở Khoa học và Công nghệ Hà Nội"
    i = lines.index("## Sở Khoa học và Công nghệ (`so-khcn`)")
    # mid-quarter: no grade column, the pace status is the signal
    header = lines.index("| Ref | Objective / Key result | Value | Score | Conf. | Status |", i)
    assert lines[header + 1] == "|---|---|---:|---:|---:|---|"
    rows = [_cells(x) for x in lines[header + 2:] if x.startswith("| ")][:2]
    assert rows[0][0] == "**O1**" and rows[0][3] == "**0.46**" and rows[0][5:] == ["on track"]
    assert rows[1][0] == "O1/KR1" and rows[1][2:6] == ["77 / 80 %", "0.7", "0.8", "on track (rebaselined)"]
    assert all(len(_cells(x)) == 6 for x in lines[header:header + 9] if x.startswith("| ") and "---" not in x)
    assert "Grade" not in text


def test_score_markdown_grades_a_past_period(sample):
    ws, p, result = sample
    past = okrctl.score(ws, "2026-Q1")
    text = render(score_report(past, past.units), "md", RenderOptions("en"))
    assert "| Ref | Objective / Key result | Value | Score | Conf. | Status | Grade |" in text


def test_markdown_escapes_cells_before_layout(sample):
    ws, p, result = sample
    u = result.unit("so-khcn")
    o = u.objectives[0]
    evil = dataclasses.replace(o.objective, title="a | b *c*\n<x>")
    unit = dataclasses.replace(u, objectives=(dataclasses.replace(o, objective=evil),))
    text = render(score_report(result, [unit]), "md", RenderOptions("en"))
    line = next(x for x in text.splitlines() if x.startswith("| **O1** |"))
    assert _cells(line)[1] == r"**a \| b \*c\* \<x\>**"


def test_rollup_and_alignment_markdown(sample):
    ws, p, result = sample
    text = render(rollup_report(result, unit_tree(result), depth_limit=1), "md", RenderOptions("vi"))
    lines = text.splitlines()
    assert lines[4:7] == ["| Đơn vị | Điểm riêng | Điểm tổng hợp |", "|---|---:|---:|",
                          "| UBND Thành phố Hà Nội (`ha-noi`) | — | **0.37** |"]
    assert lines[7] == "| &nbsp;&nbsp;Sở Khoa học và Công nghệ (`so-khcn`) | 0.38 | **0.35** |"
    nodes = alignment_tree(ws, p, date(2026, 5, 15), result=result)
    text = render(alignment_report(result, nodes, depth_limit=1), "md", RenderOptions("en"))
    assert text.splitlines()[4].startswith("- `2026/ha-noi/O1` Phát triển chính quyền số")
    assert text.splitlines()[5].startswith("  - `2026/so-khcn/O1` (→ KR2) ")
