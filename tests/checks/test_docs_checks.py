"""docs/checks.md documents every diagnostic code, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from okrctl.model.problems import CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
HEADING = re.compile(r"^### (OKR\d{3}) (\S+)$", re.M)


def _text() -> str:
    return DOC.read_text("utf-8")


def test_every_code_has_a_heading_and_every_heading_a_code():
    headings = HEADING.findall(_text())
    codes = [code for code, _name in headings]
    assert len(codes) == len(set(codes)), "a code is documented twice"
    assert set(codes) == set(CODES)


def test_headings_carry_the_registered_names_in_order():
    headings = HEADING.findall(_text())
    assert headings == [(c.code, c.name) for c in sorted(CODES.values(), key=lambda c: c.code)]


def test_no_stray_code_headings():
    # any level-3 heading starting with OKR must follow the `### OKRxxx name` form
    stray = [ln for ln in _text().splitlines() if ln.startswith("### OKR") and not HEADING.match(ln)]
    assert stray == []


def test_each_section_gives_severity_and_fix():
    text = _text()
    parts = HEADING.split(text)
    # parts: [preamble, code, name, body, code, name, body, ...]
    bodies = {parts[i]: parts[i + 2] for i in range(1, len(parts), 3)}
    for code, body in bodies.items():
        assert f"**{CODES[code].severity}.**" in body, code
        assert "**Fix:**" in body, code


def test_each_code_has_the_short_anchor_sarif_links_to():
    # SARIF rules link to docs/checks.md#okr101; GitHub's own heading anchor would be
    # #okr101-unknown-key, so each heading is preceded by an explicit anchor
    text = _text()
    for code in CODES:
        assert f'<a id="{code.lower()}"></a>\n### {code} ' in text, code
