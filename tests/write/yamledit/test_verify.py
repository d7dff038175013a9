"""The verification every yamledit edit passes (okrctl.write.yamledit.verify): an edit
that is not a clean insertion is refused."""

from __future__ import annotations

import pytest

from okrctl.write.yamledit import roundtrip as yamlwrite
from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit import append_item

from yamlutil import ITEM, KR0, PERIOD


def test_naive_append_is_refused(monkeypatch):
    """Without re-anchoring, ruamel emits the new item below the banner (reliability #35); the
    position check must catch that and refuse rather than write it."""
    monkeypatch.setattr(yamlwrite, "_move_trailing", lambda old, new: None)
    with pytest.raises(WriteRefused) as e:
        append_item(PERIOD, KR0, "checkins", ITEM, name="okrs/2026-Q2/x.yaml")
    assert e.value.message == (
        "okrs/2026-Q2/x.yaml: okrctl's edit would not be a clean insertion after line 20 "
        "(line 22 would move or change); nothing was written"
    )


def test_duplicated_comment_is_refused(monkeypatch):
    """If the trailing comment were copied instead of moved, the file would still only gain
    lines; the verifier must notice the extra banner."""

    def copy_trailing(old, new):
        token = old.get()
        new.set(type(token)("\n" + token.value.split("\n", 1)[1], token.start_mark, None))

    monkeypatch.setattr(yamlwrite, "_move_trailing", copy_trailing)
    with pytest.raises(WriteRefused, match="would add comment or blank lines"):
        append_item(PERIOD, KR0, "checkins", ITEM)
