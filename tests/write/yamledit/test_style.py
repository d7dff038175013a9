"""The file's style is kept (okrctl.write.yamledit.style): indentation, CRLF, BOM, final
newline, document start."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from okrctl.write.yamledit import roundtrip as yamlwrite
from okrctl.write.yamledit import append_item

from yamlutil import ITEM, ITEM_LINES, KR0, PERIOD, check_append


STYLES = {
    "2-space, indented sequences": ("objectives:\n  - id: O1\n    key_results:\n      - id: KR1\n        checkins:\n"
                                    "          - date: 2026-01-15\n            value: 52\n",
                                    "          - date: 2026-05-10\n            value: 62.5\n"),
    "2-space, sequences not indented": ("objectives:\n- id: O1\n  key_results:\n  - id: KR1\n    checkins:\n"
                                        "    - date: 2026-01-15\n      value: 52\n",
                                        "    - date: 2026-05-10\n      value: 62.5\n"),
    "4-space, dash offset 2": ("objectives:\n  - id: O1\n    key_results:\n      - id: KR1\n        checkins:\n"
                               "          - date: 2026-01-15\n            value: 52\nscoring:\n    max_score: 1\n",
                               "          - date: 2026-05-10\n            value: 62.5\n"),
    "4-space, dash offset 4": ("objectives:\n    -   id: O1\n        key_results:\n            -   id: KR1\n"
                               "                checkins:\n                    -   date: 2026-01-15\n"
                               "                        value: 52\n",
                               "                    -   date: 2026-05-10\n                        value: 62.5\n"),
    "4-space, sequences not indented": ("objectives:\n-   id: O1\n    key_results:\n    -   id: KR1\n        checkins:\n"
                                        "        -   date: 2026-01-15\n            value: 52\n",
                                        "        -   date: 2026-05-10\n            value: 62.5\n"),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_indentation_styles(style):
    old, added = STYLES[style]
    item = {"date": date(2026, 5, 10), "value": Decimal("62.5")}
    new = check_append(old.encode(), KR0, "checkins", item)
    cut = old.index("scoring:") if "scoring:" in old else len(old)
    assert new.decode() == old[:cut] + added + old[cut:]


def test_indentation_detected_when_creating_a_list():
    old = b"objectives:\n    -   id: O1\n        key_results:\n            -   id: KR1\n                target: 1\n"
    new = check_append(old, KR0, "checkins", {"value": 1})
    assert new.endswith(b"                target: 1\n                checkins:\n                    -   value: 1\n")


def test_crlf_stays_crlf():
    old = PERIOD.replace(b"\n", b"\r\n")
    new = check_append(old, KR0, "checkins", ITEM)
    assert new == append_item(PERIOD, KR0, "checkins", ITEM).replace(b"\n", b"\r\n")
    assert new.count(b"\n") == new.count(b"\r\n")


def test_bom_is_kept():
    bom = b"\xef\xbb\xbf"
    new = append_item(bom + PERIOD, KR0, "checkins", ITEM)
    assert new == bom + append_item(PERIOD, KR0, "checkins", ITEM)


def test_bom_and_crlf_together():
    bom = b"\xef\xbb\xbf"
    new = append_item(bom + PERIOD.replace(b"\n", b"\r\n"), KR0, "checkins", ITEM)
    assert new == bom + append_item(PERIOD, KR0, "checkins", ITEM).replace(b"\n", b"\r\n")


def test_missing_final_newline_stays_missing():
    old = b"checkins:\n  - date: 2026-01-15\n    value: 52"
    new = check_append(old, [], "checkins", ITEM)
    assert new == old + b"\n" + b"\n".join(b"  " + x.encode() for x in ITEM_LINES)


def test_gate_tries_other_indentation_candidates(monkeypatch):
    """A wrong first guess costs a dump, not a refusal; the document dumped with the wrong
    settings is still edited correctly."""
    right = yamlwrite._detect_styles(PERIOD.decode())[0]
    wrong = yamlwrite._Style(4, 6, 4, False)
    monkeypatch.setattr(yamlwrite, "_detect_styles", lambda text: [wrong, right])
    assert check_append(PERIOD, KR0, "checkins", ITEM) == append_item(PERIOD, KR0, "checkins", ITEM)


def test_explicit_document_start_is_kept():
    old = b"---\n# header\ncheckins:\n  - date: 2026-01-15\n    value: 52\n"
    new = check_append(old, [], "checkins", ITEM)
    assert new.startswith(b"---\n# header\n")
