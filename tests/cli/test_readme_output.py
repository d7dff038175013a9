"""README.md shows the real 80-column output of ``okrctl -C sample-workspace score``
(issue 14, done-when): the block under ``readme-score-80`` is what the command
prints at COLUMNS=80 without colour, and the visible excerpt is its beginning."""

from __future__ import annotations

import re

from conftest import ROOT, SAMPLE, run_okrctl


def _block(text: str, after: str) -> list[str]:
    m = re.search(re.escape(after) + r".*?\n```text\n(.*?)\n```", text, flags=re.S)
    assert m, f"README.md has no text block after {after!r}"
    return [ln.rstrip() for ln in m.group(1).splitlines()]


def test_readme_shows_the_real_80_column_score_view():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    r = run_okrctl("-C", str(SAMPLE), "score", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert r.returncode == 0
    real = [ln.rstrip() for ln in r.stdout.decode().rstrip("\n").splitlines()]
    assert _block(readme, "<!-- readme-score-80") == real, "README.md: paste the output of COLUMNS=80 okrctl -C sample-workspace score"
    excerpt = _block(readme, "In an 80-column terminal")
    assert excerpt[-1] == "…" and excerpt[:-1] == real[: len(excerpt) - 1]
    assert max(len(ln) for ln in real) <= 80
