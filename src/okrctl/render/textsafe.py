"""Untrusted text in human output: escape control and bidi characters so a unit
name cannot inject terminal escapes, GitHub workflow commands or hide text."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


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
    """Neutralise spreadsheet formulas in CSV/XLSX cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
