"""Untrusted text in human output: escape control and bidi characters so a unit
name cannot inject terminal escapes, GitHub workflow commands or hide text."""

from __future__ import annotations

import re

from okrctl.model.text import CONTROL as _CONTROL


def escape_controls(s: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def one_line(s: str) -> str:
    return escape_controls(s.replace("\r\n", " ").replace("\n", " "))


def md_escape(s: str) -> str:
    """Escape text for a Markdown table cell."""
    s = one_line(s)
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", s)


def md_code(s: str) -> str:
    """Text as a Markdown code span that is safe in a table cell."""
    return "`" + one_line(s).replace("`", "'").replace("|", "\\|") + "`"


def csv_safe(value: object) -> object:
    """A CSV/XLSX cell from untrusted text: control and bidi characters escaped (a
    ``cat`` of the file must not drive the terminal), spreadsheet formulas
    neutralised."""
    if not isinstance(value, str):
        return value
    value = escape_controls(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
