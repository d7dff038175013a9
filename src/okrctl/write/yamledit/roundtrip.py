"""Edits through a ruamel.yaml round trip: load the file, change the document, dump it.

Every edit goes through the same gates, and anything that does not pass them raises
:class:`~okrctl.write.errors.WriteRefused` instead of writing:

1. **Decode** (:mod:`~okrctl.write.yamledit.style`).
2. **No-op gate.** The file is loaded with a *fresh* ``ruamel.yaml`` round-trip instance
   (``preserve_quotes``, ``width=4096``, indentation and ``---`` detected from the text) and
   dumped unchanged.  Unless that reproduces the text exactly, the file is refused, naming
   the first line ruamel would change.
3. **Edit.** Append only.  Comments that ruamel attaches to the last node of a list or
   mapping (a blank line and a ``# ===== Phần 2 =====`` banner after the last check-in, the
   file's closing comments) are detached from the previous last item and re-attached after
   the new one, so the new lines land directly under the previous item.
4. **Verify** the new text before returning it (:mod:`~okrctl.write.yamledit.verify`).

Programming errors (a value of an unsupported type, NaN/Infinity) raise
``TypeError``/``ValueError``, not :class:`~okrctl.write.errors.WriteRefused`.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit.emit import _dump_rt, _new_yaml, _scalar, _to_node
from okrctl.write.yamledit.style import _decode, _detect_styles, _encode, _Envelope, _last_content_line, _Style
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

__all__ = ["add_to_list", "append_item", "round_trips"]


# --------------------------------------------------------------------------------------
# The no-op gate
# --------------------------------------------------------------------------------------


def _load_rt(text: str, style: _Style, name: str) -> Any:
    from ruamel.yaml import YAMLError

    try:
        return _new_yaml(style).load(text)
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise WriteRefused(
            _("{name} cannot be parsed{where}: {problem}; fix it before okrctl writes to it").format(name=name, where=where, problem=problem),
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except (ValueError, RecursionError) as e:  # impossible dates, huge ints, deep nesting
        raise WriteRefused(_("{name} cannot be parsed: {e}; fix it before okrctl writes to it").format(name=name, e=e)) from None


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
        raise WriteRefused(_("{name} is empty; okrctl will not write into an empty file").format(name=name))
    doc = _load_rt(text, _Style(2, 4, 2, False), name)
    if doc is None:
        raise WriteRefused(_("{name} holds no data (only comments); okrctl will not write into it").format(name=name))
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
        _("{name} uses formatting okrctl cannot preserve (a no-op round trip changes line {line}); edit it by hand").format(name=name, line=line),
        line=line,
    )


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
# Navigation
# --------------------------------------------------------------------------------------


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
                raise WriteRefused(_("{name}: {here} is not a list").format(name=name, here=here))
            if not -len(node) <= step < len(node):
                raise WriteRefused(_("{name}: {fmt_path} does not exist").format(name=name, fmt_path=_fmt_path(path[: i + 1])))
            step = step % len(node)
        else:
            if not isinstance(node, CommentedMap):
                raise WriteRefused(_("{name}: {here} is not a mapping").format(name=name, here=here))
            if step not in node:
                raise WriteRefused(_("{name}: {fmt_path} does not exist").format(name=name, fmt_path=_fmt_path(path[: i + 1])))
        child = node[step]
        if flow_at is None and _is_flow(child):
            flow_at = _node_start(node, step)
        node = child
    return node, flow_at


def _region(lines: list[str], at: tuple[int, int], name: str) -> _Expect:
    try:
        end = _flow_end_line(lines, *at)
    except ValueError:
        raise WriteRefused(_("{name}: cannot find the end of the flow collection on line {value}").format(name=name, value=at[0] + 1)) from None
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
        raise WriteRefused(_("{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand").format(name=name))
    container, flow_at = _walk(doc, container_path, name)
    if not isinstance(container, CommentedMap):
        raise WriteRefused(_("{name}: {fmt_path} is not a mapping").format(name=name, fmt_path=_fmt_path(container_path)))
    npath = _norm_path(doc, container_path)
    plain_item = _norm(item)

    lst = container.get(list_key)
    if list_key in container and lst is not None and not isinstance(lst, CommentedSeq):
        raise WriteRefused(_("{name}: {fmt_path} is not a list").format(name=name, fmt_path=_fmt_path([*container_path, list_key])))

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
            raise WriteRefused(_("{name}: {fmt_path} is an empty mapping; edit it by hand").format(name=name, fmt_path=_fmt_path(container_path)))
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
        raise WriteRefused(_("{name} is written in flow style (JSON-like); okrctl edits only block-style YAML; edit it by hand").format(name=name))
    if not isinstance(doc, CommentedMap):
        raise WriteRefused(_("{name}: the document root is not a mapping").format(name=name))
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
            raise WriteRefused(_("{name}: {fmt_path} is not a mapping").format(name=name, fmt_path=_fmt_path(key_path[: depth + 1])))
        if flow_at is None and _is_flow(child):
            flow_at = node.lc.value(key)
        node, depth = child, depth + 1
    last = key_path[-1]
    lst = node.get(last) if depth == len(key_path) - 1 else None
    if lst is not None and not isinstance(lst, CommentedSeq):
        raise WriteRefused(_("{name}: {fmt_path} is not a list").format(name=name, fmt_path=_fmt_path(key_path)))
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
            raise WriteRefused(_("{name}: {value} is empty; edit it by hand").format(name=name, value=_fmt_path(key_path[:depth]) if depth else 'the document root'))
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


def round_trips(data: bytes) -> bool:
    """True when the no-op gate of :func:`append_item` / :func:`add_to_list` accepts
    ``data`` (a ruamel round trip reproduces it byte for byte)."""
    try:
        text, _unused = _decode(data, "the file")
        _gate(text, "the file")
    except WriteRefused:
        return False
    return True


