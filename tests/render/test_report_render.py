"""The report's catalogue, Decree 30 dates and escaping of hostile titles in every
text format."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE
from okrctl.engine import scoring
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.render.formats import RenderOptions
from okrctl.render.report import html, markdown
from okrctl.render.report.catalogue import EN, VI, Labels
from okrctl.reports import quarterly


def test_catalogues_have_the_same_keys_and_no_empty_string():
    assert set(VI) == set(EN)
    assert all(VI[k].strip() and EN[k].strip() for k in VI)
    # every placeholder of one language exists in the other
    for k in VI:
        assert sorted(re.findall(r"\{(\w+)\}", VI[k])) == sorted(re.findall(r"\{(\w+)\}", EN[k])), k


@pytest.mark.parametrize(("d", "text"), [
    (date(2026, 3, 5), "Hà Nội, ngày 05 tháng 3 năm 2026"),
    (date(2026, 2, 15), "Hà Nội, ngày 15 tháng 02 năm 2026"),
    (date(2026, 1, 9), "Hà Nội, ngày 09 tháng 01 năm 2026"),
    (date(2026, 12, 31), "Hà Nội, ngày 31 tháng 12 năm 2026"),
    (date(2026, 10, 1), "Hà Nội, ngày 01 tháng 10 năm 2026"),
])
def test_decree_30_date(d, text):
    assert Labels("vi").long_date(d, "Hà Nội") == text


HOSTILE = 'A | `x` <script>alert(1)</script> =SUM(A1) "q"'
#: bidi controls never get past validate (OKR014, even written as an escape), so the
#: test puts one into the loaded record itself: the report escapes it all the same
BIDI = " \u202eevil"


def _hostile_report(tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    f = root / "okrs" / "2026-Q2" / "so-khcn-vp.yaml"
    text = f.read_text(encoding="utf-8")
    old = "title: Thời gian giải quyết trung bình"
    assert old in text
    title = unicodedata.normalize("NFD", "Thời gian") + " " + HOSTILE
    f.write_text(text.replace(old, "title: " + json.dumps(title, ensure_ascii=True) + " #", 1), encoding="utf-8")
    res = load_workspace(WorkingTreeSource(root))
    ws = res.workspace
    assert ws is not None, res.diagnostics
    kr = next(k for f in ws.files for o in f.objectives for k in o.key_results if HOSTILE in k.title)
    object.__setattr__(kr, "title", kr.title + BIDI)  # records are frozen; a test may reach in
    period = next(p for p in scoring.all_periods(ws) if p.id == "2026-Q2")
    result = scoring.score_workspace(ws, period, date(2026, 5, 15))
    return quarterly.build(ws, result, result.units)


def test_hostile_titles_are_escaped(tmp_path):
    value = _hostile_report(tmp_path)
    page = html(value, RenderOptions("vi"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "\\u202e" in page
    assert "&#34;q&#34;" in page or "&quot;q&quot;" in page
    assert "Thời gian A" in page  # NFD input is NFC in the report
    assert unicodedata.normalize("NFD", "Thời gian") not in page
    md = markdown(value, RenderOptions("vi"))
    line = next(ln for ln in md.splitlines() if "SUM(A1)" in ln)
    assert "A \\| \\`x\\` \\<script\\>" in line  # no cell break, no code span, no tag
    assert line.count(" | ") == 4  # the attention row keeps its five cells
    assert "\u202e" not in md


def test_hostile_titles_in_the_docx(tmp_path):
    """python-docx escapes XML itself; controls and bidi characters arrive visible."""
    import io
    import zipfile

    from okrctl.render.report.docx import docx

    data = docx(_hostile_report(tmp_path), RenderOptions("vi"))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "\u202e" not in xml and "\\u202e" in xml
    assert "Thời gian A" in xml
