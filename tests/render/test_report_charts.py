"""The report's SVG charts: every label of the bullet chart fits the viewBox by the
character-width estimate (the right-hand status labels used to be clipped)."""

from __future__ import annotations

import html as htmlmod
import re
import shutil
from datetime import date

import pytest

from conftest import SAMPLE
from okrctl.engine import scoring
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.render.report.catalogue import Labels
from okrctl.render.report.charts import WIDTH, bullets, text_width

TEXT = re.compile(r'<text x="([\d.]+)"[^>]*?( text-anchor="end")?[^>]*>(.*?)</text>')


def _labels(svg: str) -> list[tuple[float, bool, str]]:
    return [(float(x), bool(end), htmlmod.unescape(re.sub(r"<[^>]+>", "", body)))
            for x, end, body in TEXT.findall(svg)]


@pytest.fixture(scope="module")
def krs(tmp_path_factory):
    root = tmp_path_factory.mktemp("charts") / "ws"
    shutil.copytree(SAMPLE, root)
    ws = load_workspace(WorkingTreeSource(root)).workspace
    period = next(p for p in scoring.all_periods(ws) if p.id == "2026-Q2")
    result = scoring.score_workspace(ws, period, date(2026, 5, 15))
    return [k for u in result.units for o in u.objectives for k in o.key_results]


def test_text_width_estimate():
    assert text_width("") == 0
    assert text_width("ii") < text_width("mm")
    assert text_width("ệ") == text_width("e") == pytest.approx(0.62 * 12)  # NFC: one letter
    assert text_width("e\u0323\u0302") == text_width("ệ")  # NFD counts the same
    assert text_width("✕ 0,36 chậm tiến độ", 12) > 102  # what used to be clipped


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_bullet_label_fits_the_viewbox(krs, locale):
    svg = bullets(krs, Labels(locale), 1)
    assert f'viewBox="0 0 {WIDTH} ' in svg
    labels = _labels(svg)
    statuses = {k.status for k in krs if not k.cancelled}
    assert len(statuses) >= 4  # the longest status words are there
    assert len(labels) == 2 + 2 * sum(1 for k in krs if not k.cancelled)
    for x, end, text in labels:
        assert (x if end else x + text_width(text)) <= WIDTH, text
    # the titles on the left stop before the bars start
    left = min(x for x, end, t in labels if t == "0")
    for x, end, text in labels:
        if x == 0:
            assert text_width(text) <= left, text


def test_a_long_status_word_takes_room_from_the_bar(krs):
    class Long(Labels):
        def status(self, s):
            return "rất rất rất rất dài " + super().status(s)

    labels = _labels(bullets(krs, Long("vi"), 1))
    for x, end, text in labels:
        assert (x if end else x + text_width(text)) <= WIDTH, text
