"""The terminal views at 60, 80, 120 and 200 columns (issue 14 item 1): every
number and marker of the sample appears unbroken on one line, no line is wider
than the terminal, titles wrap instead of being cut, and hidden columns are named."""

from __future__ import annotations


import pytest
from rich.cells import cell_len

import okrctl
from conftest import SAMPLE, run_okrctl
from okrctl.render.i18n import t
from okrctl.render.layout import tree_glyphs, wrap
from okrctl.render.values import kpi_value, kr_value, score as fmt_score
from rich.text import Text

WIDTHS = (60, 80, 120, 200)


@pytest.fixture(scope="module")
def result():
    return okrctl.score(okrctl.load(SAMPLE).workspace)


def expected_score_tokens(result) -> list[str]:
    """Every number and marker the score view shows for the sample (vi)."""
    out: list[str] = []
    for u in result.units:
        out += [f"({u.unit.id})", fmt_score(u.score), fmt_score(u.rolled_score)]
        for o in u.objectives:
            out += [fmt_score(o.score)]
            if o.objective.kind != "committed":
                out.append(f"[{t('aspirational', 'vi')}]")
            for k in o.key_results:
                out += [k.kr.id, kr_value(k, "vi"), fmt_score(k.score)]
                if k.rebaselined:
                    out.append("↺")
                if k.overdue:
                    out.append(t("overdue_short", "vi"))
        for k in u.kpis:
            out += [k.kpi.id, kpi_value(k)]
            if k.overdue:
                out.append(t("overdue_short", "vi"))
    return out


def view(*args: str, width: int) -> list[str]:
    p = run_okrctl("-C", str(SAMPLE), *args, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode().splitlines()


@pytest.mark.parametrize("width", WIDTHS)
def test_score_view_keeps_every_number_and_marker(result, width):
    lines = view("score", width=width)
    assert max(cell_len(line) for line in lines) <= width
    for token in expected_score_tokens(result):
        assert any(token in line for line in lines), f"{token!r} cut at {width} columns"
    # every rebaselined mark and challenge tag is there, not just one of each
    assert sum(line.count("↺") for line in lines) == sum(k.rebaselined for k in result.key_results())
    assert sum(line.count("[thách thức]") for line in lines) == \
        sum(o.objective.kind != "committed" for o in result.objectives())
    assert not any("…" in line for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_score_view_wraps_titles_instead_of_cutting(result, width):
    text = " ".join(" ".join(view("score", width=width)).split())
    for o in result.objectives():
        for k in o.key_results:
            # the words of every title are all there, in order (joined across wrapped lines)
            assert all(w in text for w in k.kr.title.split())


def test_hidden_columns_named_in_one_line():
    assert view("score", width=80)[-1] == "Cột ẩn vì màn hình hẹp: Tiến độ, Tin cậy"
    assert view("score", width=60)[-1] == "Cột ẩn vì màn hình hẹp: Tiến độ, Tin cậy"
    assert not any("Cột ẩn" in line for line in view("score", width=120))
    assert "Tin cậy" in view("score", width=120)[6]


def test_grade_only_once_the_period_has_ended():
    mid = view("score", width=200)
    assert not any("Xếp loại" in line for line in mid)
    past = view("score", "--period", "2026-Q1", width=200)
    assert any("Xếp loại" in line for line in past)


@pytest.mark.parametrize("width", WIDTHS)
def test_rollup_view_keeps_every_score(result, width):
    lines = view("rollup", width=width)
    assert max(cell_len(line) for line in lines) <= width
    for u in result.units:
        assert any(f"({u.unit.id})" in line for line in lines)
    for line in lines[2:]:
        if "(" in line:  # a unit's row: both scores whole, right-aligned numbers
            assert "…" not in line
    scores = [s for u in result.units for s in (fmt_score(u.score), fmt_score(u.rolled_score))]
    body = " ".join(lines)
    for s in scores:
        assert s in body.split()


@pytest.mark.parametrize("width", WIDTHS)
def test_alignment_view_keeps_every_ref_score_and_status(width):
    """``rollup --by alignment``: every objective's reference, score and status
    whole on its row, no line wider than the terminal."""
    from okrctl.engine.rollup import alignment_tree

    loaded = okrctl.load(SAMPLE).workspace
    res = okrctl.score(loaded)
    nodes = [n for root in alignment_tree(loaded, res.period, res.as_of, result=res) for n in root.walk()]
    lines = view("rollup", "--by", "alignment", width=width)
    assert max(cell_len(line) for line in lines) <= width
    for n in nodes:
        row = next((ln for ln in lines if n.ref in ln), None)
        assert row is not None, f"{n.ref} cut at {width} columns"
        assert fmt_score(n.score) in row.split() and t(n.status, "vi") in row, (width, row)


def test_rollup_draws_siblings_with_tee_and_last_with_corner():
    lines = view("rollup", width=120)
    assert lines[2].startswith("UBND Thành phố Hà Nội (ha-noi)")
    assert lines[3].startswith("├ Sở Khoa học và Công nghệ (so-khcn)")
    assert lines[4].startswith("│ ├ Văn phòng Sở (so-khcn-vp)")
    assert lines[7].startswith("│ └ Phòng Đổi mới sáng tạo và Khởi nghiệp (so-khcn-dmst)")
    assert lines[8].startswith("└ UBND phường Hoàn Kiếm (phuong-hoan-kiem)")


def test_tree_glyphs():
    assert tree_glyphs([0, 1, 2, 2, 1, 2]) == ["", "├ ", "│ ├ ", "│ └ ", "└ ", "  └ "]
    assert tree_glyphs([]) == []


def test_wrap_keeps_tokens_whole_and_folds_only_overlong_words():
    parts = [Text("abc"), Text("de"), Text("[thách thức]")]
    assert [x.plain for x in wrap(parts, 8)] == ["abc de", "[thách t", "hức]"]
    assert [x.plain for x in wrap(parts, 12)] == ["abc de", "[thách thức]"]
    assert [x.plain for x in wrap([Text("abcdefghij")], 4)] == ["abcd", "efgh", "ij"]
    assert [x.plain for x in wrap([], 5)] == [""]
