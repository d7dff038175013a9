"""Rendering values as YAML: the ruamel.yaml instances okrctl dumps with, the quoting
rules for strings, and new documents (:func:`dump_document`).

Values are written explicitly: ``Decimal``/``float`` as plain decimals (never ``1e-07``),
``date`` as ``2026-05-10``, ``bool`` as ``true``/``false``, strings plain only when neither a
YAML 1.1 nor a YAML 1.2 reader could take them for anything but a string
(:func:`needs_quotes`).

Programming errors (a value of an unsupported type, NaN/Infinity) raise
``TypeError``/``ValueError``.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from okrctl.write.yamledit.style import _Style

__all__ = ["dump_document", "needs_quotes"]

_WIDTH = 4096


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


def _dump_rt(doc: Any, style: _Style) -> str:
    buf = io.StringIO()
    _new_yaml(style).dump(doc, buf)
    return buf.getvalue()


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
