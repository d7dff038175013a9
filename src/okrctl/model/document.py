"""What checks and the diff need of a parsed file: its plain value and where each
part of it stands.  :class:`okrctl.read.yamlread.Parsed` is the implementation; the
layers above ``read`` see only this protocol, so they do not depend on the YAML
reader."""

from __future__ import annotations

from typing import Protocol


class Document(Protocol):
    #: the document as plain values (dicts, lists, text, Decimal, bool, date, None)
    value: object

    def position(self, path: tuple | list, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value (or its key, with ``key``) reached by
        a JSON path of keys and indexes; (1, 1) when the path names nothing."""
        ...
