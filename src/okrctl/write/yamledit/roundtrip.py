"""Edit a user's YAML file without losing or reformatting a byte of it, and write it atomically.

This is okrctl's only write path for user data (``okrctl checkin`` appends a check-in to a
period file, ``okrctl close`` adds a period to ``policy.locked_periods`` of ``okrctl.yaml``).
Every edit goes through the same gates, and anything that does not pass them raises
:class:`WriteRefused` instead of writing:

1. **Decode.** Strict UTF-8; a leading UTF-8 BOM is stripped and restored; CRLF files are
   converted to LF for the parser and back afterwards (mixed or CR-only line endings are
   refused); a missing final newline stays missing.
2. **No-op gate.** The file is loaded with a *fresh* ``ruamel.yaml`` round-trip instance
   (``preserve_quotes``, ``width=4096``, indentation and ``---`` detected from the text) and
   dumped unchanged.  Unless that reproduces the text exactly, the file is refused, naming
   the first line ruamel would change.
3. **Edit.** Append only.  Comments that ruamel attaches to the last node of a list or
   mapping (a blank line and a ``# ===== Phần 2 =====`` banner after the last check-in, the
   file's closing comments) are detached from the previous last item and re-attached after
   the new one, so the new lines land directly under the previous item.
4. **Verify** the new text before returning it: (a) it is the original with lines inserted
   at exactly the expected place, right after the last content line of the previous item
   (or, when the target is a flow collection such as ``locked_periods: []``, with only that
   collection's lines changed); (b) every full-line comment of the original is still there,
   in order, and no comment or blank line was added; (c) re-loaded, it equals the original
   data plus the value, types included.  (c) reads both files with libyaml (a few ms for
   25 KB; ruamel's slower reader only when libyaml cannot read the original), and the new
   value, rendered alone, must read back as itself under both YAML 1.2 (ruamel) and
   YAML 1.1 (PyYAML).

Files whose formatting the no-op gate refuses (a flow mapping continued on a second
line, values aligned in columns) can still take the same two edits through
:func:`splice_item` and :func:`splice_to_list`: only the new lines are rendered and
inserted into the original text, and the result passes the same verification (4).

Values are written explicitly: ``Decimal``/``float`` as plain decimals (never ``1e-07``),
``date`` as ``2026-05-10``, ``bool`` as ``true``/``false``, strings plain only when neither a
YAML 1.1 nor a YAML 1.2 reader could take them for anything but a string.

Library module: no CLI or terminal imports.  Programming errors (a value of an unsupported
type, NaN/Infinity) raise ``TypeError``/``ValueError``, not :class:`WriteRefused`.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from okrctl.write.errors import WriteRefused

__all__ = [
    "WriteRefused",
    "add_to_list",
    "append_item",
    "needs_quotes",
    "round_trips",
    "splice_item",
    "splice_to_list",
]


_BOM = b"\xef\xbb\xbf"
_WIDTH = 4096


# --------------------------------------------------------------------------------------
# Bytes <-> text, preserving BOM, newline style and final newline
# --------------------------------------------------------------------------------------


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
            f"{name} is not valid UTF-8 (byte 0x{data[e.start]:02X} on line {line}); "
            "save it as UTF-8 or edit it by hand",
            line=line,
        ) from None
    if "\ufeff" in text:
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise WriteRefused(
            f"{name} contains a byte-order mark (U+FEFF) on line {line}; remove it or edit the file by hand",
            line=line,
        )
    crlf_count = text.count("\r\n")
    crlf = crlf_count > 0
    if crlf:
        if crlf_count != text.count("\n") or crlf_count != text.count("\r"):
            raise WriteRefused(f"{name} mixes CRLF and other line endings; okrctl cannot preserve that; edit it by hand")
        text = text.replace("\r\n", "\n")
    elif "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise WriteRefused(
            f"{name} uses CR line endings (line {line}); okrctl cannot preserve them; edit it by hand",
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


# --------------------------------------------------------------------------------------
# ruamel configuration
# --------------------------------------------------------------------------------------


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
    for (_, prev), (_, cur) in zip(lines, lines[1:], strict=False):
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


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = _decimal_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _representer_class() -> type:
    from ruamel.yaml.representer import RoundTripRepresenter

    global _REPRESENTER
    if _REPRESENTER is None:

        class _OkrRepresenter(RoundTripRepresenter):  # type: ignore[misc]
            """Round-trip representer that writes Decimal as a plain decimal."""

        # add_representer copies the registry into the subclass: ruamel's own class is untouched
        _OkrRepresenter.add_representer(Decimal, _represent_decimal)
        _REPRESENTER = _OkrRepresenter
    return _REPRESENTER


_REPRESENTER: type | None = None


def _new_yaml(style: _Style) -> Any:
    """A fresh round-trip instance (never reuse one: after an exception ruamel may silently
    dump an empty document, reliability #37)."""
    from ruamel.yaml import YAML

    y = YAML(typ="rt", pure=True)
    y.preserve_quotes = True
    y.width = _WIDTH
    y.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    y.explicit_start = style.explicit_start
    y.Representer = _representer_class()
    return y


def _load_rt(text: str, style: _Style, name: str) -> Any:
    from ruamel.yaml import YAMLError

    try:
        return _new_yaml(style).load(text)
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise WriteRefused(
            f"{name} cannot be parsed{where}: {problem}; fix it before okrctl writes to it",
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except (ValueError, RecursionError) as e:  # impossible dates, huge ints, deep nesting
        raise WriteRefused(f"{name} cannot be parsed: {e}; fix it before okrctl writes to it") from None


def _dump_rt(doc: Any, style: _Style) -> str:
    buf = io.StringIO()
    _new_yaml(style).dump(doc, buf)
    return buf.getvalue()


def _first_difference(a: list[str], b: list[str]) -> int:
    """0-based index of the first line where ``a`` and ``b`` differ."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _gate(text: str, name: str) -> tuple[Any, _Style]:
    """Load ``text`` and prove that a no-op round trip reproduces it; return the document
    and the settings that did."""
    if not text.strip():
        raise WriteRefused(f"{name} is empty; okrctl will not write into an empty file")
    doc = _load_rt(text, _Style(2, 4, 2, False), name)
    if doc is None:
        raise WriteRefused(f"{name} holds no data (only comments); okrctl will not write into it")
    first_diff: int | None = None
    for style in _detect_styles(text):
        out = _dump_rt(doc, style)
        if out == text:
            return doc, style
        if first_diff is None:
            first_diff = _first_difference(text.split("\n"), out.split("\n"))
    assert first_diff is not None
    line = first_diff + 1
    raise WriteRefused(
        f"{name} uses formatting okrctl cannot preserve (a no-op round trip changes line {line}); edit it by hand",
        line=line,
    )


# --------------------------------------------------------------------------------------
# Scalars
# --------------------------------------------------------------------------------------

_BOOL_NULL = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", "=", "<<"})
# Anything made only of digits and number punctuation (1.10, 1_000, 12:30, 2026-05-10, 1e3, .5)
_NUMERIC_ISH = re.compile(r"[-+]?[0-9._:]*[0-9][0-9._:eE+-]*")
_RADIX = re.compile(r"[-+]?0[xXoObB][0-9a-fA-F_]+")
_INF_NAN = re.compile(r"[-+]?\.(?:inf|nan)", re.IGNORECASE)
_DATE_PREFIX = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ]|$)")
_FIRST_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`\\")
_ANY_INDICATORS = frozenset(",[]{}?\t")  # PyYAML ends a flow-context plain scalar at ,?[]{}


def needs_quotes(s: str) -> bool:
    """True unless ``s`` can be written as a plain scalar that every YAML 1.1 and 1.2 reader
    (PyYAML, ruamel, yaml-rs, js-yaml …) reads back as this same string, in block and in flow
    context.  Deliberately conservative: quoting a string that did not need it is harmless."""
    if not s or s != s.strip(" ") or s.strip() != s:
        return True
    if s.lower() in _BOOL_NULL:
        return True
    if _NUMERIC_ISH.fullmatch(s) or _RADIX.fullmatch(s) or _INF_NAN.fullmatch(s) or _DATE_PREFIX.match(s):
        return True
    if s[0] in _FIRST_INDICATORS or s.startswith(("---", "...")):
        return True
    if ": " in s or " #" in s or s.endswith(":") or any(c in _ANY_INDICATORS for c in s):
        return True
    for c in s:
        cat = unicodedata.category(c)
        if cat[0] in "CZ" and c != " ":  # controls, format chars, line/paragraph separators, odd spaces
            return True
    return False


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot write {value!r}: only finite numbers")
    text = format(value, "f")
    return "0" if text == "-0" else text


def _scalar(value: Any) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        _decimal_text(value)  # raises on NaN/Infinity
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r}: only finite numbers")
        return Decimal(repr(value))  # shortest round-tripping digits: no float noise, no exponent
    if isinstance(value, _dt.datetime):
        raise TypeError("datetime values are not supported; pass a datetime.date or an ISO string")
    if isinstance(value, _dt.date):
        return _dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if needs_quotes(value) else str(value)
    raise TypeError(f"cannot write a value of type {type(value).__name__}")


def _to_node(value: Any, *, flow: bool) -> Any:
    """ruamel node for a Python value; nested collections are always flow style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        m = CommentedMap()
        for k, v in value.items():
            m[_scalar(k)] = _to_node(v, flow=True)
        if flow:
            m.fa.set_flow_style()
        else:
            m.fa.set_block_style()
        return m
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        s = CommentedSeq(_to_node(v, flow=True) for v in value)
        s.fa.set_flow_style()
        return s
    return _scalar(value)


def _block_node(value: Any) -> Any:
    """ruamel node for a fresh document: mappings and lists of mappings in block style,
    lists of scalars in flow style, ISO date text as a plain date."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        m = CommentedMap()
        for k, v in value.items():
            m[_scalar(k)] = _block_node(v)
        m.fa.set_block_style()
        return m
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return _to_node(value, flow=True)
        seq = CommentedSeq(_block_node(v) for v in value)
        seq.fa.set_block_style()
        return seq
    if isinstance(value, str) and _ISO_DATE_TEXT.fullmatch(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    return _scalar(value)


_ISO_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def dump_document(doc: Mapping, header: Iterable[str] = ()) -> str:
    """A new file's text, written by ruamel.yaml: two-space mappings, list items
    indented under their key, a blank line before each top-level section, lists of
    scalars in flow style, strings quoted only where a YAML 1.1 or 1.2 reader could
    take them for something else.  ``header`` lines (comments, e.g. the schema
    modeline) come first."""
    root = _block_node(doc)
    for i, (k, v) in enumerate(doc.items()):
        if i and isinstance(v, Mapping | list | tuple) and v:
            root.yaml_set_comment_before_after_key(_scalar(k), before="")
    body = _dump_rt(root, _Style(2, 4, 2, False))
    return "".join(f"{line}\n" for line in header) + body


# --------------------------------------------------------------------------------------
# Plain structure for verification
# --------------------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """Type-tagged plain structure: reloaded data must equal the intended data *and types*
    (``"yes"`` must not come back as ``True``, ``"007"`` not as ``7``)."""
    if isinstance(value, Mapping):
        return ("map", [(_norm(k), _norm(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return ("seq", [_norm(v) for v in value])
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", bool(value))
    if isinstance(value, int):
        return ("num", int(value))
    if isinstance(value, float | Decimal):
        f = float(value)
        return ("num", f) if f == f else ("nan",)
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, _dt.datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, _dt.date):
        return ("date", _dt.date(value.year, value.month, value.day))
    return ("other", type(value).__name__, repr(value))


def _reload_norm(text: str, name: str) -> Any:
    from ruamel.yaml import YAML, YAMLError

    try:
        return _norm(YAML(typ="safe", pure=True).load(text))
    except (YAMLError, ValueError) as e:
        raise WriteRefused(f"{name}: okrctl produced text it cannot read back ({e}); nothing was written") from None


# --------------------------------------------------------------------------------------
# Comment re-anchoring
# --------------------------------------------------------------------------------------


def _is_flow(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, CommentedMap | CommentedSeq) and bool(node.fa.flow_style())


def _is_block_nonempty(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, CommentedMap | CommentedSeq) and len(node) > 0 and not node.fa.flow_style()


@dataclass
class _Slot:
    """Where ruamel keeps the comment that follows a node's last line."""

    items: dict  # the owning collection's ``ca.items``
    key: Any
    index: int  # 2 for a mapping value's comment, 0 for a sequence item's
    width: int  # length ruamel uses for that entry
    alias: Any  # a flow collection whose ``ca.comment[0]`` shares the token, or None
    value: Any = None  # the node the comment follows

    def get(self) -> Any:
        entry = self.items.get(self.key)
        return entry[self.index] if entry else None

    def set(self, token: Any) -> None:
        entry = self.items.setdefault(self.key, [None] * self.width)
        entry[self.index] = token
        if self.alias is not None and self.alias.ca.comment:
            self.alias.ca.comment[0] = token


def _last_slot(node: Any) -> _Slot:
    """The comment slot of the deepest last node under a non-empty block collection."""
    from ruamel.yaml.comments import CommentedMap

    while True:
        if isinstance(node, CommentedMap):
            key = next(reversed(node))
            value = node[key]
            if _is_block_nonempty(value):
                node = value
                continue
            alias = value if _is_flow(value) else None
            return _Slot(node.ca.items, key, 2, 4, alias, value)
        index = len(node) - 1
        value = node[index]
        if _is_block_nonempty(value):
            node = value
            continue
        return _Slot(node.ca.items, index, 0, 4, None, value)


def _move_trailing(old: _Slot, new: _Slot) -> None:
    """Detach what follows the old last line (blank lines, banners, closing comments) from
    the old slot and attach it after the new node.  The old line's own end-of-line comment
    stays where it is."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
    from ruamel.yaml.tokens import CommentToken

    token = old.get()
    if token is None:
        return
    value = token.value
    if isinstance(old.value, LiteralScalarString | FoldedScalarString):
        # a block scalar ends with its own line break: the token holds only later lines
        keep, rest = "", value
    else:
        nl = value.find("\n")
        if nl < 0 or nl == len(value) - 1:
            return  # only an end-of-line comment: nothing follows
        keep, rest = value[: nl + 1], value[nl + 1 :]
    if keep.strip():
        token.value = keep
    else:
        old.set(None)
    new.set(CommentToken("\n" + rest, CommentMark(0), None))


# --------------------------------------------------------------------------------------
# Locating things in the original text
# --------------------------------------------------------------------------------------


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


def _flow_end_line(lines: list[str], line: int, col: int) -> int:
    """Line (0-based) of the bracket closing the flow collection opened at (line, col).
    Quotes open a quoted scalar only where a scalar can start (``it's`` is plain)."""
    depth = 0
    i, j = line, col
    quote: str | None = None
    prev = "["  # last significant character outside quotes
    while i < len(lines):
        text = lines[i]
        while j < len(text):
            c = text[j]
            if quote == "'":
                if c == "'":
                    if j + 1 < len(text) and text[j + 1] == "'":
                        j += 1
                    else:
                        quote = None
            elif quote == '"':
                if c == "\\":
                    j += 1
                elif c == '"':
                    quote = None
            elif c in "'\"" and prev in "[{,:?":
                quote = c
            elif c == "#" and (j == 0 or text[j - 1] in " \t"):
                break
            elif c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return i
            if quote is None and c not in " \t":
                prev = c
            elif quote is not None:
                prev = "x"
            j += 1
        i, j = i + 1, 0
    raise ValueError("unterminated flow collection")


# --------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Expect:
    """The only change allowed: original lines [start, end) replaced by at least one new line
    (start == end: pure insertion before line ``start``)."""

    start: int
    end: int


def _verify(old: str, new: str, expect: _Expect, update: Callable[[Any], Any], name: str) -> None:
    o = old.split("\n")
    n = new.split("\n")
    if not new.strip():
        raise WriteRefused(f"{name}: okrctl produced an empty file; nothing was written")
    # (a) new == o[:start] + added + o[end:]
    limit = min(len(o), len(n))
    p = 0
    while p < limit and o[p] == n[p]:
        p += 1
    s = 0
    while s < limit and o[-1 - s] == n[-1 - s]:
        s += 1
    problem: str | None = None
    if p < expect.start:
        problem = f"would change line {p + 1}"
    elif s < len(o) - expect.end:
        problem = f"would not be a clean insertion after line {expect.start} (line {len(o) - s} would move or change)"
    elif len(n) - (len(o) - expect.end) - expect.start < 1:
        problem = "adds nothing"
    if problem is not None:
        raise WriteRefused(
            f"{name}: okrctl's edit {problem}; nothing was written",
            line=min(p, expect.start) + 1,
        )
    # (b) every full-line comment, in order, and none added or duplicated: the new lines hold
    # as many comment-only and blank lines as the lines they replace (none, for an insertion)
    added = n[expect.start : len(n) - (len(o) - expect.end)]
    replaced = o[expect.start : expect.end]

    def shape(lines: list[str]) -> tuple[int, int]:
        return sum(1 for x in lines if x.lstrip().startswith("#")), sum(1 for x in lines if not x.strip())

    if shape(added) != shape(replaced):
        raise WriteRefused(
            f"{name}: okrctl's edit would add comment or blank lines at line {expect.start + 1}; nothing was written",
            line=expect.start + 1,
        )
    new_comments = iter(x.strip() for x in n if x.lstrip().startswith("#"))
    for i, line in enumerate(o):
        if line.lstrip().startswith("#"):
            want = line.strip()
            if not any(c == want for c in new_comments):
                raise WriteRefused(
                    f"{name}: okrctl's edit would lose or move the comment on line {i + 1}; nothing was written",
                    line=i + 1,
                )
    # end-of-line comments inside a rewritten region
    old_region = "\n".join(replaced)
    new_region = "\n".join(added)
    for m in re.finditer(r"(?:^|\s)(#.*)$", old_region, re.MULTILINE):
        if m.group(1).strip() not in new_region:
            raise WriteRefused(f"{name}: okrctl's edit would lose the comment {m.group(1).strip()!r}; nothing was written")
    # (c) reloads to the intended structure
    if _reload_pair(old, new, update, name) is False:
        raise WriteRefused(f"{name}: okrctl's edit does not read back as intended; nothing was written")


def _reload_pair(old: str, new: str, update: Callable[[Any], Any], name: str) -> bool:
    """Does ``new`` read as ``update(old)``?  Both files are read by libyaml (YAML 1.1, a few
    ms); only when libyaml cannot read the original, by ruamel's YAML 1.2 reader (slow)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            expected = update(_norm(yaml.load(old, Loader=loader)))  # noqa: S506 - a safe loader
        except Exception:  # libyaml reads the original differently or not at all: use ruamel
            expected = None
        if expected is not None:
            try:
                return _norm(yaml.load(new, Loader=loader)) == expected  # noqa: S506
            except (yaml.YAMLError, ValueError) as e:
                raise WriteRefused(f"{name}: okrctl produced text it cannot read back ({e}); nothing was written") from None
    return _reload_norm(new, name) == update(_reload_norm(old, name))


def _check_rendering(node: Any, expected: Any, style: _Style, name: str) -> None:
    """The new value, rendered alone with the same representer, must read back as itself
    under YAML 1.2 (ruamel) and YAML 1.1 (PyYAML): no string may turn into a bool, number
    or date for either kind of reader."""
    import yaml
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq([node])
    seq.fa.set_block_style()
    text = _dump_rt(seq, style)
    got12 = _norm(YAML(typ="safe", pure=True).load(text))
    got11 = _norm(yaml.safe_load(text))
    want = ("seq", [expected])
    if got12 != want or got11 != want:
        raise WriteRefused(f"{name}: okrctl cannot write this value unambiguously ({text.strip()!r}); nothing was written")


# --------------------------------------------------------------------------------------
# Navigation
# --------------------------------------------------------------------------------------


def _fmt_path(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the document root"


def _node_start(parent: Any, key: Any) -> tuple[int, int]:
    from ruamel.yaml.comments import CommentedMap

    return parent.lc.value(key) if isinstance(parent, CommentedMap) else parent.lc.item(key)


def _walk(doc: Any, path: Sequence[str | int], name: str) -> tuple[Any, tuple[int, int] | None]:
    """Follow ``path``; return the node and the (line, col) where the outermost flow
    collection on the way starts (None if all are block)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    node = doc
    flow_at: tuple[int, int] | None = None
    for i, step in enumerate(path):
        here = _fmt_path(path[:i]) if i else "the document root"
        if isinstance(step, int) and not isinstance(step, bool):
            if not isinstance(node, CommentedSeq):
                raise WriteRefused(f"{name}: {here} is not a list")
            if not -len(node) <= step < len(node):
                raise WriteRefused(f"{name}: {_fmt_path(path[: i + 1])} does not exist")
            step = step % len(node)
        else:
            if not isinstance(node, CommentedMap):
                raise WriteRefused(f"{name}: {here} is not a mapping")
            if step not in node:
                raise WriteRefused(f"{name}: {_fmt_path(path[: i + 1])} does not exist")
        child = node[step]
        if flow_at is None and _is_flow(child):
            flow_at = _node_start(node, step)
        node = child
    return node, flow_at


def _region(lines: list[str], at: tuple[int, int], name: str) -> _Expect:
    try:
        end = _flow_end_line(lines, *at)
    except ValueError:
        raise WriteRefused(f"{name}: cannot find the end of the flow collection on line {at[0] + 1}") from None
    return _Expect(at[0], end + 1)


def _insertion_after_last(node: Any, lines: list[str]) -> _Expect:
    """Expected insertion point after the last entry of a non-empty block collection."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(node, CommentedMap):
        line, col = node.lc.key(next(reversed(node)))
    else:
        line, col = node.lc.item(len(node) - 1)
    k = _last_content_line(lines, line, col) + 1
    return _Expect(k, k)


# --------------------------------------------------------------------------------------
# Public editing API
# --------------------------------------------------------------------------------------


def _finish(
    text: str,
    doc: Any,
    style: _Style,
    env: _Envelope,
    expect: _Expect,
    update: Callable[[Any], Any],
    name: str,
) -> bytes:
    new_text = _dump_rt(doc, style)
    _verify(text, new_text, expect, update, name)
    return _encode(new_text, env)


def _set_in(norm: Any, path: Sequence[Any], fn: Callable[[Any], Any]) -> Any:
    """Functional update of a normalised structure at ``path`` (keys already normalised)."""
    if not path:
        return fn(norm)
    kind, items = norm
    step, rest = path[0], path[1:]
    if kind == "seq":
        items = list(items)
        items[step] = _set_in(items[step], rest, fn)
        return ("seq", items)
    out = []
    for k, v in items:
        out.append((k, _set_in(v, rest, fn) if k == step else v))
    return ("map", out)


def _norm_path(doc: Any, path: Sequence[str | int]) -> list[Any]:
    out: list[Any] = []
    node = doc
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            step = step % len(node)
            out.append(step)
        else:
            out.append(_norm(step))
        node = node[step]
    return out


def append_item(
    data: bytes,
    container_path: list[str | int],
    list_key: str,
    item: dict,
    *,
    name: str = "the file",
) -> bytes:
    """Return new file bytes: ``item`` appended to the list at ``container[list_key]``, where
    container is the mapping reached from the document root by ``container_path`` (e.g.
    ``['objectives', 0, 'key_results', 1]``).  ``list_key`` is created (block style, at the
    end of that mapping) when absent or empty (``checkins:``); an empty flow list
    (``checkins: []``) becomes a block list.  The item's keys are written in dict order,
    as a block mapping (or a flow mapping when the list's last item is one); its own lists
    and mappings in flow style.  ``name`` is the file's name for messages.

    Raises :class:`WriteRefused` when the file cannot be edited safely (see module doc).
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(item, Mapping) or not item:
        raise TypeError("item must be a non-empty mapping")
    text, env = _decode(data, name)
    doc, style = _gate(text, name)
    lines = text.split("\n")
    if _is_flow(doc):
        raise WriteRefused(f"{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand")
    container, flow_at = _walk(doc, container_path, name)
    if not isinstance(container, CommentedMap):
        raise WriteRefused(f"{name}: {_fmt_path(container_path)} is not a mapping")
    npath = _norm_path(doc, container_path)
    plain_item = _norm(item)

    lst = container.get(list_key)
    if list_key in container and lst is not None and not isinstance(lst, CommentedSeq):
        raise WriteRefused(f"{name}: {_fmt_path([*container_path, list_key])} is not a list")

    if flow_at is not None:
        # inside a flow collection: everything stays flow, only its lines change
        expect = _region(lines, flow_at, name)
        new_item = _to_node(item, flow=True)
        if lst is None:
            container[list_key] = CommentedSeq([new_item])
            container[list_key].fa.set_flow_style()
        else:
            lst.append(new_item)
    elif lst is not None and len(lst) > 0 and _is_flow(lst):
        expect = _region(lines, container.lc.value(list_key), name)
        lst.append(_to_node(item, flow=True))
    elif lst is not None and len(lst) > 0:
        expect = _insertion_after_last(lst, lines)
        old_slot = _last_slot(lst)
        lst.append(_to_node(item, flow=_is_flow(lst[-1])))
        _move_trailing(old_slot, _last_slot(lst))
    elif list_key in container:
        # `checkins:` (null) or `checkins: []`: becomes a block list under the same key line
        key_line = container.lc.key(list_key)[0]
        value_line = container.lc.value(list_key)[0] if lst is not None else key_line
        expect = _Expect(key_line, value_line + 1)
        seq = CommentedSeq([_to_node(item, flow=False)])
        seq.fa.set_block_style()
        slot = _Slot(container.ca.items, list_key, 2, 4, lst if _is_flow(lst) else None)
        container[list_key] = seq
        _move_trailing(slot, _last_slot(seq))
        # the key's own end-of-line comment stays on the key line
        token = slot.get()
        if token is not None:
            seq.ca.comment = [token, None]
    else:
        if len(container) == 0:
            raise WriteRefused(f"{name}: {_fmt_path(container_path)} is an empty mapping; edit it by hand")
        expect = _insertion_after_last(container, lines)
        old_slot = _last_slot(container)
        seq = CommentedSeq([_to_node(item, flow=False)])
        seq.fa.set_block_style()
        container[list_key] = seq
        _move_trailing(old_slot, _last_slot(container))

    add = _appender(list_key, plain_item)

    _check_rendering(_to_node(item, flow=True), plain_item, style, name)
    return _finish(text, doc, style, env, expect, lambda before: _set_in(before, npath, add), name)


def add_to_list(
    data: bytes,
    key_path: list[str],
    value: Any,
    *,
    name: str = "the file",
    if_absent: bool = False,
) -> bytes:
    """Return new file bytes: ``value`` (a scalar) appended to the list at ``key_path`` (mapping
    keys from the root, e.g. ``['policy', 'locked_periods']``).  Missing intermediate
    mappings are created in block style at the end of their parent; a missing or null list
    is created as a one-line flow list (``locked_periods: [2026-Q1]``); a flow list stays flow
    (``[]`` → ``[2026-Q1]``), a block list gets a new ``- item`` line.  With ``if_absent``,
    a value already in the list returns ``data`` unchanged.

    Raises :class:`WriteRefused` when the file cannot be edited safely (see module doc).
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not key_path or not all(isinstance(k, str) for k in key_path):
        raise TypeError("key_path must be a non-empty list of mapping keys")
    if isinstance(value, Mapping) or (isinstance(value, Sequence) and not isinstance(value, str)):
        raise TypeError("add_to_list adds a scalar; use append_item for mappings")
    text, env = _decode(data, name)
    doc, style = _gate(text, name)
    lines = text.split("\n")
    if _is_flow(doc):
        raise WriteRefused(f"{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand")
    if not isinstance(doc, CommentedMap):
        raise WriteRefused(f"{name}: the document root is not a mapping")
    new_value = _scalar(value)

    # deepest existing ancestor
    node: Any = doc
    depth = 0
    flow_at: tuple[int, int] | None = None
    while depth < len(key_path) - 1:
        key = key_path[depth]
        if key not in node or node[key] is None:
            break
        child = node[key]
        if not isinstance(child, CommentedMap):
            raise WriteRefused(f"{name}: {_fmt_path(key_path[: depth + 1])} is not a mapping")
        if flow_at is None and _is_flow(child):
            flow_at = node.lc.value(key)
        node, depth = child, depth + 1
    last = key_path[-1]
    lst = node.get(last) if depth == len(key_path) - 1 else None
    if lst is not None and not isinstance(lst, CommentedSeq):
        raise WriteRefused(f"{name}: {_fmt_path(key_path)} is not a list")
    if if_absent and lst is not None and _norm(value) in [_norm(v) for v in lst]:
        return data

    def build(keys: list[str]) -> Any:
        """A block mapping chain ending in a one-line flow list."""
        seq = CommentedSeq([new_value])
        seq.fa.set_flow_style()
        out: Any = seq
        for k in reversed(keys):
            m = CommentedMap()
            m[_scalar(k)] = out
            m.fa.set_block_style()
            out = m
        return out

    missing = key_path[depth:]
    if flow_at is not None:
        expect = _region(lines, flow_at, name)
        if lst is not None:
            lst.append(new_value)
        else:
            node[missing[0]] = build(missing[1:])
            for m in _iter_maps(node[missing[0]]):
                m.fa.set_flow_style()
    elif lst is not None and _is_flow(lst):
        expect = _region(lines, node.lc.value(last), name)
        lst.append(new_value)
    elif lst is not None and len(lst) > 0:
        expect = _insertion_after_last(lst, lines)
        old_slot = _last_slot(lst)
        lst.append(new_value)
        _move_trailing(old_slot, _last_slot(lst))
    elif missing[0] in node:
        # `key:` with a null value (or `key:` with an empty block … which YAML reads as null)
        key_line = node.lc.key(missing[0])[0]
        slot = _Slot(node.ca.items, missing[0], 2, 4, None)
        node[missing[0]] = build(missing[1:])
        if len(missing) == 1:
            expect = _Expect(key_line, key_line + 1)
        else:
            expect = _Expect(key_line + 1, key_line + 1)
            token = slot.get()
            if token is not None:
                _move_trailing(slot, _last_slot(node[missing[0]]))
                kept = slot.get()
                if kept is not None:
                    node[missing[0]].ca.comment = [kept, None]
    else:
        if len(node) == 0:
            raise WriteRefused(f"{name}: {_fmt_path(key_path[:depth]) if depth else 'the document root'} is empty; edit it by hand")
        expect = _insertion_after_last(node, lines)
        old_slot = _last_slot(node)
        node[missing[0]] = build(missing[1:])
        _move_trailing(old_slot, _last_slot(node))

    plain_value = _norm(value)

    _check_rendering(_scalar(value), plain_value, style, name)
    return _finish(text, doc, style, env, expect, lambda before: _with_added(before, list(key_path), plain_value), name)


def _iter_maps(node: Any) -> Iterator[Any]:
    from ruamel.yaml.comments import CommentedMap

    while isinstance(node, CommentedMap):
        yield node
        node = next(iter(node.values()))


# --------------------------------------------------------------------------------------
# Splicing: the same edits for files whose formatting ruamel cannot reproduce
# --------------------------------------------------------------------------------------
#
# Hand-written files often use layouts ruamel's emitter does not reproduce: a flow
# mapping continued on a second line (``- {date: …,\n   note: …}``), values aligned in
# columns (``committed:    [...]``).  The no-op gate refuses them, rightly: a ruamel dump
# would rewrite those lines.  For the two edits okrctl needs (append a mapping to a list,
# add a scalar to a list) there is a second way that never re-emits the file at all: find
# the insertion point with the libyaml reader's node positions, render only the new lines
# (each value through the same representer as above), splice them into the original text,
# and run the same verification (a)–(c) as the round-trip path.  Anything unusual
# (a flow list spanning lines, an explicit ``null``, a value that would not fit on one
# line) is refused rather than guessed.


def round_trips(data: bytes) -> bool:
    """True when the no-op gate of :func:`append_item` / :func:`add_to_list` accepts
    ``data`` (a ruamel round trip reproduces it byte for byte)."""
    try:
        text, _ = _decode(data, "the file")
        _gate(text, "the file")
    except WriteRefused:
        return False
    return True


def _parse_nodes(text: str, name: str) -> Any:
    from okrctl.read.yamlread import parse

    parsed, diags = parse(text.encode("utf-8"), name)
    if parsed is None:
        d = next((x for x in diags if x.severity == "error"), diags[0] if diags else None)
        where = f" (line {d.line})" if d is not None else ""
        detail = d.message if d is not None else "unreadable YAML"
        raise WriteRefused(f"{name} cannot be parsed{where}: {detail}; fix it before okrctl writes to it",
                           line=d.line if d is not None else None)
    return parsed


def _is_flow_node(node: Any) -> bool:
    return bool(getattr(node, "flow_style", False))


def _is_empty_null(node: Any) -> bool:
    """``key:`` with nothing after it (not ``~`` or ``null``, which okrctl leaves alone)."""
    from yaml.nodes import ScalarNode

    return isinstance(node, ScalarNode) and node.value == "" and node.style in (None, "")


def _map_get(node: Any, key: str) -> tuple[Any, Any] | None:
    for k, v in node.value:
        if unicodedata.normalize("NFC", k.value) == key:
            return k, v
    return None


def _node_walk(root: Any, path: Sequence[str | int], name: str) -> tuple[Any, list[Any]]:
    """The node at ``path`` and the normalised path for :func:`_set_in`; refuses flow
    collections on the way (splicing edits block style only)."""
    from yaml.nodes import MappingNode, SequenceNode

    node = root
    npath: list[Any] = []
    for i, step in enumerate(path):
        if _is_flow_node(node):
            raise WriteRefused(f"{name}: {_fmt_path(path[:i])} is written in flow style; okrctl cannot add to it safely; edit it by hand")
        if isinstance(step, int) and not isinstance(step, bool):
            if not isinstance(node, SequenceNode):
                raise WriteRefused(f"{name}: {_fmt_path(path[:i])} is not a list")
            if not -len(node.value) <= step < len(node.value):
                raise WriteRefused(f"{name}: {_fmt_path(path[: i + 1])} does not exist")
            step = step % len(node.value)
            npath.append(step)
            node = node.value[step]
        else:
            if not isinstance(node, MappingNode):
                raise WriteRefused(f"{name}: {_fmt_path(path[:i]) if i else 'the document root'} is not a mapping")
            pair = _map_get(node, step)
            if pair is None:
                raise WriteRefused(f"{name}: {_fmt_path(path[: i + 1])} does not exist")
            npath.append(_norm(step))
            node = pair[1]
    if _is_flow_node(node):
        raise WriteRefused(f"{name}: {_fmt_path(path)} is written in flow style; okrctl cannot add to it safely; edit it by hand")
    return node, npath


def _flow_text(value: Any, style: _Style, name: str) -> str:
    """``value`` rendered as a one-line flow scalar or collection, with the same
    representer (quoting, decimals, dates) as the round-trip path."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq([_to_node(value, flow=True)])
    seq.fa.set_flow_style()
    out = _dump_rt(seq, style).rstrip("\n")
    if "\n" in out or not (out.startswith("[") and out.endswith("]")):
        raise WriteRefused(f"{name}: the new value is too long to write on one line; nothing was written")
    return out[1:-1]


def _node_end_line(node: Any) -> int:
    """Last line (0-based) of a scalar or flow node (block nodes end where the next token
    starts, so callers use :func:`_last_content_line` for those)."""
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _after_node(lines: list[str], node: Any, start_line: int, min_col: int) -> int:
    """0-based index of the line after the last content line of ``node``, which starts on
    ``start_line`` and whose lines are indented at least ``min_col``."""
    from yaml.nodes import MappingNode, SequenceNode

    last = _last_content_line(lines, start_line, min_col)
    if not isinstance(node, MappingNode | SequenceNode) or _is_flow_node(node):
        last = max(last, _node_end_line(node))
    return last + 1


def _item_prefix(lines: list[str], item: Any, dash_col: int) -> str:
    """The text before a sequence item's content (``'      - '``), reused for a new item
    (``'- '`` at the dash's column when the item does not start on its dash's line)."""
    prefix = lines[item.start_mark.line][: item.start_mark.column]
    return prefix if re.fullmatch(r" *- +", prefix) else " " * dash_col + "- "


def _value_min_col(key_col: int, value: Any) -> int:
    """Lines of a mapping value are indented past its key, except the dashes of a block
    sequence written at the key's own column (``key:`` then ``- item`` below it)."""
    from yaml.nodes import SequenceNode

    if isinstance(value, SequenceNode) and not _is_flow_node(value):
        return min(key_col + 1, value.start_mark.column)
    return key_col + 1


def splice_item(
    data: bytes,
    container_path: list[str | int],
    list_key: str,
    item: dict,
    *,
    name: str = "the file",
) -> bytes:
    """Like :func:`append_item`, for files the no-op gate refuses: the new item's lines are
    rendered on their own and spliced into the original text right after the list's last
    item (in the style of that item: a one-line flow mapping after a flow mapping, else a
    block mapping whose own lists are flow), or, when ``list_key`` is absent or empty
    (``checkins:``), as a new block list at the end of the container mapping.  Every other
    byte stays as it was.  The result passes the same verification as :func:`append_item`.

    Refused (:class:`WriteRefused`): a flow list or a flow container, ``checkins: []`` or
    an explicit ``null``, a value that does not fit on one line, and everything the
    verification rejects."""
    from yaml.nodes import MappingNode, SequenceNode

    if not isinstance(item, Mapping) or not item:
        raise TypeError("item must be a non-empty mapping")
    text, env = _decode(data, name)
    parsed = _parse_nodes(text, name)
    lines = text.split("\n")
    style = _detect_styles(text)[0]
    container, npath = _node_walk(parsed.root, container_path, name)
    if not isinstance(container, MappingNode):
        raise WriteRefused(f"{name}: {_fmt_path(container_path)} is not a mapping")
    if not container.value:
        raise WriteRefused(f"{name}: {_fmt_path(container_path)} is an empty mapping; edit it by hand")
    plain_item = _norm(item)
    pair = _map_get(container, list_key)
    lst = pair[1] if pair is not None else None

    def block_lines(prefix: str, content_col: int) -> list[str]:
        out = []
        for i, (k, v) in enumerate(item.items()):
            out.append((prefix if i == 0 else " " * content_col) + f"{_flow_text(k, style, name)}: {_flow_text(v, style, name)}")
        return out

    if isinstance(lst, SequenceNode) and lst.value and not _is_flow_node(lst):
        last = lst.value[-1]
        dash_col = lst.start_mark.column
        prefix = _item_prefix(lines, last, dash_col)
        at = _after_node(lines, last, last.start_mark.line, dash_col + 1)
        if isinstance(last, MappingNode) and _is_flow_node(last):
            new = [prefix + _flow_text(item, style, name)]
        elif isinstance(last, MappingNode):
            new = block_lines(prefix, len(prefix))
        else:
            raise WriteRefused(f"{name}: the items of {_fmt_path([*container_path, list_key])} are not mappings")
    elif lst is None or _is_empty_null(lst):
        key_col = container.start_mark.column
        dash = " " * (key_col + style.offset) + "- "
        dash += " " * max(0, style.sequence - style.offset - 2)
        if lst is None:
            last_key, last_value = container.value[-1]
            at = _after_node(lines, last_value, last_key.start_mark.line, _value_min_col(key_col, last_value))
            new = [" " * key_col + f"{_flow_text(list_key, style, name)}:", *block_lines(dash, len(dash))]
        else:
            at = pair[0].start_mark.line + 1  # type: ignore[index]
            new = block_lines(dash, len(dash))
    elif isinstance(lst, SequenceNode):
        raise WriteRefused(f"{name}: {_fmt_path([*container_path, list_key])} is a flow list ([...]); okrctl cannot add to it safely here; edit it by hand")
    else:
        raise WriteRefused(f"{name}: {_fmt_path([*container_path, list_key])} is not a list")

    add = _appender(list_key, plain_item)

    _check_rendering(_to_node(item, flow=True), plain_item, style, name)
    new_text = "\n".join(lines[:at] + new + lines[at:])
    _verify(text, new_text, _Expect(at, at), lambda before: _set_in(before, npath, add), name)
    return _encode(new_text, env)


def splice_to_list(
    data: bytes,
    key_path: list[str],
    value: Any,
    *,
    name: str = "the file",
    if_absent: bool = False,
) -> bytes:
    """Like :func:`add_to_list`, for files the no-op gate refuses: a one-line flow list
    gets the value before its ``]`` (``[]`` → ``[2026-Q1]``; the spaces before an
    end-of-line comment shrink so the comment keeps its column when they can), a block
    list a new ``- value`` line after its last item, ``key:`` with nothing after it a
    block list below it, and missing keys are added at the end of the deepest existing
    mapping (the last one as ``key: [value]``).  With ``if_absent``, a value already in
    the list returns ``data`` unchanged.  Verified like :func:`add_to_list`."""
    from yaml.nodes import MappingNode, SequenceNode

    if not key_path or not all(isinstance(k, str) for k in key_path):
        raise TypeError("key_path must be a non-empty list of mapping keys")
    if isinstance(value, Mapping) or (isinstance(value, Sequence) and not isinstance(value, str)):
        raise TypeError("splice_to_list adds a scalar; use splice_item for mappings")
    text, env = _decode(data, name)
    parsed = _parse_nodes(text, name)
    lines = text.split("\n")
    style = _detect_styles(text)[0]
    root = parsed.root
    if not isinstance(root, MappingNode):
        raise WriteRefused(f"{name}: the document root is not a mapping")
    if _is_flow_node(root):
        raise WriteRefused(f"{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand")
    vtext = _flow_text(value, style, name)
    plain_value = _norm(value)

    node: Any = root
    depth = 0
    null_key: Any = None  # `key:` with nothing after it, where the missing keys go
    while depth < len(key_path) - 1:
        pair = _map_get(node, key_path[depth])
        if pair is None:
            break
        child = pair[1]
        if _is_empty_null(child):
            null_key = pair[0]
            break
        if not isinstance(child, MappingNode):
            raise WriteRefused(f"{name}: {_fmt_path(key_path[: depth + 1])} is not a mapping")
        if _is_flow_node(child):
            raise WriteRefused(f"{name}: {_fmt_path(key_path[: depth + 1])} is written in flow style; okrctl cannot add to it safely here; edit it by hand")
        node, depth = child, depth + 1
    last = key_path[-1]
    pair = _map_get(node, last) if depth == len(key_path) - 1 and null_key is None else None
    lst = pair[1] if pair is not None else None

    if isinstance(lst, SequenceNode):
        if if_absent and plain_value in [_norm(_plain_scalar(v)) for v in lst.value]:
            return data
        if _is_flow_node(lst):
            s, e = lst.start_mark, lst.end_mark
            line = lines[s.line] if s.line < len(lines) else ""
            if s.line != e.line or line[s.column : s.column + 1] != "[" or line[e.column - 1 : e.column] != "]":
                raise WriteRefused(f"{name}: {_fmt_path(key_path)} is a flow list spanning lines; okrctl cannot add to it safely here; edit it by hand", line=s.line + 1)
            inner = line[s.column + 1 : e.column - 1]
            body = inner.rstrip()
            new_inner = f"{body}, {vtext}{inner[len(body):]}" if body.strip() else vtext
            rest = line[e.column :]
            grow = len(new_inner) - len(inner)
            m = re.fullmatch(r"( +)(#.*)", rest)
            if m and len(m.group(1)) > grow:
                rest = " " * (len(m.group(1)) - grow) + m.group(2)
            new_lines = [line[: s.column + 1] + new_inner + "]" + rest]
            expect = _Expect(s.line, s.line + 1)
        elif lst.value:
            last_item = lst.value[-1]
            dash_col = lst.start_mark.column
            prefix = _item_prefix(lines, last_item, dash_col)
            at = _after_node(lines, last_item, last_item.start_mark.line, dash_col + 1)
            new_lines = [prefix + vtext]
            expect = _Expect(at, at)
        else:  # pragma: no cover - an empty block sequence does not exist in YAML
            raise WriteRefused(f"{name}: {_fmt_path(key_path)} is empty in an unexpected way; edit it by hand")
    elif lst is not None and _is_empty_null(lst):
        key_col = pair[0].start_mark.column  # type: ignore[index]
        at = pair[0].start_mark.line + 1  # type: ignore[index]
        new_lines = [" " * (key_col + style.offset) + "- " + " " * max(0, style.sequence - style.offset - 2) + vtext]
        expect = _Expect(at, at)
    elif lst is not None:
        raise WriteRefused(f"{name}: {_fmt_path(key_path)} is not a list")
    else:
        if null_key is not None:
            col = null_key.start_mark.column + style.mapping
            at = null_key.start_mark.line + 1
            missing = key_path[depth + 1 :]
        else:
            if not node.value:
                raise WriteRefused(f"{name}: {_fmt_path(key_path[:depth]) if depth else 'the document root'} is empty; edit it by hand")
            col = node.start_mark.column
            last_key, last_value = node.value[-1]
            at = _after_node(lines, last_value, last_key.start_mark.line, _value_min_col(col, last_value))
            missing = key_path[depth:]
        new_lines = []
        for i, k in enumerate(missing):
            indent = " " * (col + i * style.mapping)
            ktext = _flow_text(k, style, name)
            new_lines.append(f"{indent}{ktext}: [{vtext}]" if i == len(missing) - 1 else f"{indent}{ktext}:")
        expect = _Expect(at, at)

    _check_rendering(_scalar(value), plain_value, style, name)
    new_text = "\n".join(lines[: expect.start] + new_lines + lines[expect.end :])
    _verify(text, new_text, expect, lambda before: _with_added(before, list(key_path), plain_value), name)
    return _encode(new_text, env)


def _appender(list_key: str, plain_item: Any) -> Callable[[Any], Any]:
    """A function from a normalised mapping to the same mapping with ``plain_item``
    appended to its list ``list_key`` (created when absent)."""
    key = _norm(list_key)

    def add(norm_container: Any) -> Any:
        kind, pairs = norm_container
        pairs = list(pairs)
        for i, (k, v) in enumerate(pairs):
            if k == key:
                seq = v[1] if v[0] == "seq" else []
                pairs[i] = (k, ("seq", [*seq, plain_item]))
                break
        else:
            pairs.append((key, ("seq", [plain_item])))
        return (kind, pairs)

    return add


def _with_added(norm_node: Any, keys: list[Any], plain_value: Any) -> Any:
    """The normalised document ``norm_node`` with ``plain_value`` appended to the list
    at ``keys`` (mappings and the list created when absent): what a re-read of the
    edited file must equal."""
    _kind, pairs = norm_node if norm_node[0] == "map" else ("map", [])
    pairs = list(pairs)
    key = _norm(keys[0])
    for i, (k, v) in enumerate(pairs):
        if k == key:
            if len(keys) == 1:
                seq = v[1] if v[0] == "seq" else []
                pairs[i] = (k, ("seq", [*seq, plain_value]))
            else:
                pairs[i] = (k, _with_added(v, keys[1:], plain_value))
            return ("map", pairs)
    if len(keys) == 1:
        pairs.append((key, ("seq", [plain_value])))
    else:
        pairs.append((key, _with_added(("map", []), keys[1:], plain_value)))
    return ("map", pairs)


def _plain_scalar(node: Any) -> Any:
    """A scalar node's text as a string (for ``if_absent`` comparisons of ids)."""
    return getattr(node, "value", None)
