"""How a file is written, so that an edit can write it back the same way.

* The bytes around the text: strict UTF-8; a leading UTF-8 BOM is stripped and restored;
  CRLF files are converted to LF for the parser and back afterwards (mixed or CR-only line
  endings are refused); a missing final newline stays missing (:func:`_decode`,
  :func:`_encode`).
* The indentation of block mappings and sequences, and whether the document starts with
  ``---`` (:func:`_detect_styles`).
* Where a node's lines end, judged by indentation (:func:`_last_content_line`).
"""

from __future__ import annotations

from okrctl.model.messages import _

import re
from collections.abc import Iterator
from dataclasses import dataclass

from okrctl.write.errors import WriteRefused


_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class _Envelope:
    bom: bool
    crlf: bool
    final_newline: bool


def _decode(data: bytes, name: str) -> tuple[str, _Envelope]:
    """Text with LF line ends and a final newline, plus what is needed to restore the bytes."""
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise WriteRefused(
            _("{name} is not valid UTF-8 (byte 0x{data:02X} on line {line}); save it as UTF-8 or edit it by hand").format(name=name, data=data[e.start], line=line),
            line=line,
        ) from None
    if "\ufeff" in text:
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise WriteRefused(
            _("{name} contains a byte-order mark (U+FEFF) on line {line}; remove it or edit the file by hand").format(name=name, line=line),
            line=line,
        )
    crlf_count = text.count("\r\n")
    crlf = crlf_count > 0
    if crlf:
        if crlf_count != text.count("\n") or crlf_count != text.count("\r"):
            raise WriteRefused(_("{name} mixes CRLF and other line endings; okrctl cannot preserve that; edit it by hand").format(name=name))
        text = text.replace("\r\n", "\n")
    elif "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise WriteRefused(
            _("{name} uses CR line endings (line {line}); okrctl cannot preserve them; edit it by hand").format(name=name, line=line),
            line=line,
        )
    final_newline = text.endswith("\n")
    if not final_newline and text:
        text += "\n"
    return text, _Envelope(bom, crlf, final_newline)


def _encode(text: str, env: _Envelope) -> bytes:
    if not env.final_newline and text.endswith("\n"):
        text = text[:-1]
    if env.crlf:
        text = text.replace("\n", "\r\n")
    out = text.encode("utf-8")
    return _BOM + out if env.bom else out


@dataclass(frozen=True, slots=True)
class _Style:
    mapping: int
    sequence: int
    offset: int
    explicit_start: bool


_KEY_ONLY = re.compile(r"^( *)(?:- +)*([^\s#-][^#]*?|-[^\s#][^#]*?):\s*(?:#.*)?$")


_DASH = re.compile(r"^( *)-( +)(?=\S)")


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(text.split("\n")):
        s = line.strip()
        if s and not s.startswith("#"):
            yield i, line


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _detect_styles(text: str) -> list[_Style]:
    """Candidate indentation settings, most likely first.

    *mapping* is the indent of a block mapping nested under a ``key:`` line; *offset* the
    column of a block sequence's dash relative to its ``key:``; *sequence* the column of the
    sequence item's content relative to that key.  The first occurrence of each decides.
    """
    mapping: int | None = None
    sequence: int | None = None
    offset: int | None = None
    explicit_start = False
    lines = list(_content_lines(text))
    if lines and (lines[0][1].rstrip() == "---" or lines[0][1].startswith("--- ")):
        explicit_start = True
    for (_unused, prev), (_unused, cur) in zip(lines, lines[1:], strict=False):
        m = _KEY_ONLY.match(prev)
        if not m:
            continue
        # column of the key itself: skip leading spaces and "- " dashes
        key_col = len(prev) - len(prev.lstrip(" -")) if prev.lstrip().startswith("- ") else _indent_of(prev)
        d = _DASH.match(cur)
        if d:
            if offset is None:
                offset = len(d.group(1)) - key_col
                sequence = offset + 1 + len(d.group(2))
        elif mapping is None and _indent_of(cur) > key_col:
            mapping = _indent_of(cur) - key_col
        if mapping is not None and offset is not None:
            break
    m_ = mapping or 2
    if offset is None or sequence is None or offset < 0:
        offset, sequence = m_, m_ + 2
    cands = [_Style(m_, sequence, offset, explicit_start)]
    for alt in (
        _Style(m_, sequence, offset, not explicit_start),
        _Style(sequence - offset, sequence, offset, explicit_start),
        _Style(2, 4, 2, explicit_start),
        _Style(2, 2, 0, explicit_start),
        _Style(4, 4, 2, explicit_start),
        _Style(4, 6, 4, explicit_start),
    ):
        if alt not in cands and alt.mapping > 0 and alt.sequence >= alt.offset + 2:
            cands.append(alt)
    return cands[:3]


def _last_content_line(lines: list[str], start: int, min_col: int) -> int:
    """Last line (0-based) holding content of the node starting on ``start`` whose lines are
    indented at least ``min_col``: later comment-only and blank lines are not content."""
    last = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(stripped) < min_col or line.startswith(("---", "...")):
            break
        last = i
    return last
