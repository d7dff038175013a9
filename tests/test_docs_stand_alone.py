"""The repository's docs stand alone (issue 14 item 12): nothing users read points
at the design notes the project was built from — no "FORMAT §…", "FORMAT.md",
``shared/…`` or ``../shared`` — in README.md, CHANGELOG.md, docs/, the schemas,
the sample and example workspaces, or anywhere in src/ (messages, help texts and
docstrings reach users through ``--help``, ``help(okrctl)`` and the report)."""

from __future__ import annotations

import re

from conftest import ROOT

#: ``FORMAT`` as a word (``_LOG_FORMAT`` and DuckDB's ``(FORMAT parquet`` are code)
FORBIDDEN = re.compile(r"(?<!\w)FORMAT(?!\s+parquet)\b|FORMAT\.md|(?<![\w-])(?:\.\./)*shared/(?:research|design|FORMAT)")
PLACES = ("README.md", "CHANGELOG.md", "docs", "schema", "src", "sample-workspace", "examples")
TEXT = {".md", ".py", ".json", ".yaml", ".yml", ".txt", ".j2", ".html", ".toml", ".po", ".pot", ""}


def _files():
    for place in PLACES:
        p = ROOT / place
        if p.is_file():
            yield p
            continue
        for f in sorted(p.rglob("*")):
            if f.is_file() and f.suffix in TEXT and "__pycache__" not in f.parts:
                yield f


def test_no_reference_to_design_notes():
    hits = []
    for f in _files():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if FORBIDDEN.search(line):
                hits.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert hits == [], "references users cannot follow:\n" + "\n".join(hits)


def test_the_pattern_catches_what_it_must():
    for bad in ("see FORMAT §6.10", "FORMAT.md §3", "(FORMAT section 8)", "shared/research/performance.md",
                "../shared/FORMAT.md", "in FORMAT order"):
        assert FORBIDDEN.search(bad), bad
    for fine in ("_LOG_FORMAT = 1", "COPY t TO 'x' (FORMAT parquet)", "--format json", "docs/format.md"):
        assert not FORBIDDEN.search(fine), fine
