"""Untrusted text in human output: escape control and bidi characters so a unit
name cannot inject terminal escapes, GitHub workflow commands or hide text."""

from __future__ import annotations

import re

from okrctl.model.text import CONTROL as _CONTROL


#: lone surrogates: what a non-UTF-8 byte in a file name becomes when git's bytes
#: are decoded losslessly (``surrogateescape``)
SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}"


def escape_bytes(s: str) -> str:
    """The bytes of a non-UTF-8 name (lone surrogates) as ``\\xNN``; nothing else changes."""
    return SURROGATE.sub(_surrogate, s) if SURROGATE.search(s) else s


def escape_controls(s: str) -> str:
    """Control and bidi characters as ``\\uXXXX``, the bytes of a non-UTF-8 name as
    ``\\xNN`` (never raw bytes on the terminal or in a CI log)."""
    return escape_bytes(_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", s))


def safe_path(s: str) -> str:
    """A file name on one line with nothing a terminal or a CI log would act on: a
    newline or tab becomes ``\\n``/``\\t`` (a committed name holding
    ``\\n::error …::`` cannot forge a GitHub workflow command), other controls and
    non-UTF-8 bytes are escaped as in :func:`escape_controls`."""
    return escape_controls(s.replace("\n", "\\n").replace("\t", "\\t"))


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
    """A CSV/XLSX cell from untrusted TEXT: control and bidi characters escaped (a
    ``cat`` of the file must not drive the terminal), spreadsheet formulas
    neutralised (a leading ``'``).  Values that are not text pass unchanged: a
    number written as ``"-5"`` would turn into the text ``'-5``."""
    if not isinstance(value, str):
        return value
    value = escape_controls(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
