"""Splicing: the edits of :mod:`~okrctl.write.yamledit.roundtrip` for files whose
formatting ruamel cannot reproduce.

Hand-written files often use layouts ruamel's emitter does not reproduce: a flow
mapping continued on a second line (``- {date: …,\\n   note: …}``), values aligned in
columns (``committed:    [...]``).  The no-op gate refuses them, rightly: a ruamel dump
would rewrite those lines.  For the two edits okrctl needs (append a mapping to a list,
add a scalar to a list) there is a second way that never re-emits the file at all: find
the insertion point with the libyaml reader's node positions, render only the new lines
(each value through the same representer as the round-trip path), splice them into the
original text, and run the same verification (:mod:`~okrctl.write.yamledit.verify`).
Anything unusual (a flow list spanning lines, an explicit ``null``, a value that would
not fit on one line) is refused rather than guessed.
"""

from __future__ import annotations

from okrctl.model.messages import _

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit.emit import _dump_rt, _scalar, _to_node
from okrctl.write.yamledit.style import _decode, _detect_styles, _encode, _last_content_line, _Style
from okrctl.write.yamledit.verify import (
    _appender,
    _check_rendering,
    _Expect,
    _fmt_path,
    _norm,
    _set_in,
    _verify,
    _with_added,
)

__all__ = ["splice_item", "splice_to_list"]


def _parse_nodes(text: str, name: str) -> Any:
    from okrctl.read.yamlread import parse

    parsed, diags = parse(text.encode("utf-8"), name)
    if parsed is None:
        d = next((x for x in diags if x.severity == "error"), diags[0] if diags else None)
        where = f" (line {d.line})" if d is not None else ""
        detail = d.message if d is not None else "unreadable YAML"
        raise WriteRefused(_("{name} cannot be parsed{where}: {detail}; fix it before okrctl writes to it").format(name=name, where=where, detail=detail),
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
            raise WriteRefused(_("{name}: {fmt_path} is written in flow style; okrctl cannot add to it safely; edit it by hand").format(name=name, fmt_path=_fmt_path(path[:i])))
        if isinstance(step, int) and not isinstance(step, bool):
            if not isinstance(node, SequenceNode):
                raise WriteRefused(_("{name}: {fmt_path} is not a list").format(name=name, fmt_path=_fmt_path(path[:i])))
            if not -len(node.value) <= step < len(node.value):
                raise WriteRefused(_("{name}: {fmt_path} does not exist").format(name=name, fmt_path=_fmt_path(path[: i + 1])))
            step = step % len(node.value)
            npath.append(step)
            node = node.value[step]
        else:
            if not isinstance(node, MappingNode):
                raise WriteRefused(_("{name}: {value} is not a mapping").format(name=name, value=_fmt_path(path[:i]) if i else 'the document root'))
            pair = _map_get(node, step)
            if pair is None:
                raise WriteRefused(_("{name}: {fmt_path} does not exist").format(name=name, fmt_path=_fmt_path(path[: i + 1])))
            npath.append(_norm(step))
            node = pair[1]
    if _is_flow_node(node):
        raise WriteRefused(_("{name}: {fmt_path} is written in flow style; okrctl cannot add to it safely; edit it by hand").format(name=name, fmt_path=_fmt_path(path)))
    return node, npath


def _flow_text(value: Any, style: _Style, name: str) -> str:
    """``value`` rendered as a one-line flow scalar or collection, with the same
    representer (quoting, decimals, dates) as the round-trip path."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq([_to_node(value, flow=True)])
    seq.fa.set_flow_style()
    out = _dump_rt(seq, style).rstrip("\n")
    if "\n" in out or not (out.startswith("[") and out.endswith("]")):
        raise WriteRefused(_("{name}: the new value is too long to write on one line; nothing was written").format(name=name))
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
        raise WriteRefused(_("{name}: {fmt_path} is not a mapping").format(name=name, fmt_path=_fmt_path(container_path)))
    if not container.value:
        raise WriteRefused(_("{name}: {fmt_path} is an empty mapping; edit it by hand").format(name=name, fmt_path=_fmt_path(container_path)))
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
            raise WriteRefused(_("{name}: the items of {fmt_path} are not mappings").format(name=name, fmt_path=_fmt_path([*container_path, list_key])))
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
        raise WriteRefused(_("{name}: {fmt_path} is a flow list ([...]); okrctl cannot add to it safely here; edit it by hand").format(name=name, fmt_path=_fmt_path([*container_path, list_key])))
    else:
        raise WriteRefused(_("{name}: {fmt_path} is not a list").format(name=name, fmt_path=_fmt_path([*container_path, list_key])))

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
        raise WriteRefused(_("{name}: the document root is not a mapping").format(name=name))
    if _is_flow_node(root):
        raise WriteRefused(_("{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand").format(name=name))
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
            raise WriteRefused(_("{name}: {fmt_path} is not a mapping").format(name=name, fmt_path=_fmt_path(key_path[: depth + 1])))
        if _is_flow_node(child):
            raise WriteRefused(_("{name}: {fmt_path} is written in flow style; okrctl cannot add to it safely here; edit it by hand").format(name=name, fmt_path=_fmt_path(key_path[: depth + 1])))
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
                raise WriteRefused(_("{name}: {fmt_path} is a flow list spanning lines; okrctl cannot add to it safely here; edit it by hand").format(name=name, fmt_path=_fmt_path(key_path)), line=s.line + 1)
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
            raise WriteRefused(_("{name}: {fmt_path} is empty in an unexpected way; edit it by hand").format(name=name, fmt_path=_fmt_path(key_path)))
    elif lst is not None and _is_empty_null(lst):
        key_col = pair[0].start_mark.column  # type: ignore[index]
        at = pair[0].start_mark.line + 1  # type: ignore[index]
        new_lines = [" " * (key_col + style.offset) + "- " + " " * max(0, style.sequence - style.offset - 2) + vtext]
        expect = _Expect(at, at)
    elif lst is not None:
        raise WriteRefused(_("{name}: {fmt_path} is not a list").format(name=name, fmt_path=_fmt_path(key_path)))
    else:
        if null_key is not None:
            col = null_key.start_mark.column + style.mapping
            at = null_key.start_mark.line + 1
            missing = key_path[depth + 1 :]
        else:
            if not node.value:
                raise WriteRefused(_("{name}: {value} is empty; edit it by hand").format(name=name, value=_fmt_path(key_path[:depth]) if depth else 'the document root'))
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


def _plain_scalar(node: Any) -> Any:
    """A scalar node's text as a string (for ``if_absent`` comparisons of ids)."""
    return getattr(node, "value", None)
