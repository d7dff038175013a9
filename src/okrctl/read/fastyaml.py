"""The compiled fast path of :func:`okrctl.read.yamlread.parse`.

yaml-rs (a Rust YAML 1.2 loader, https://github.com/lava-sh/yaml-rs) builds the
Python values natively, ~20× faster than libyaml composing a node tree, but it
cannot say whether a scalar was quoted, gives ``float`` for ``1.10``, and silently
accepts anchors, tags, ``0x1F`` and ``1_000``.  So it is used only where okrctl can
prove it gives exactly what the strict reference reader (libyaml + okrctl's walk,
:mod:`okrctl.read.yamlread`) gives; every other document goes to the reference,
which also writes every diagnostic (with its line and column).  The proof has two
cheap halves:

1. a regular-expression pre-scan of the text refuses (routes to the reference)
   anything the subset forbids or yaml-rs could read differently: characters
   outside YAML's printable set, tabs and CR, a token starting with ``&``, ``*``,
   ``!`` or ``?``, a line starting with ``%``, ``---`` or ``...``, ``<<``, flow
   collections left open at the end of a line, a ``:`` at the edge of a flow
   item, and
   number-like tokens in hex, octal, binary, ``.inf``/``.nan``, with ``_``, or 39+
   digits long;
2. a walk of yaml-rs's result refuses any value whose meaning would depend on
   quoting: a text value or key that reads as a number, null or boolean when plain
   (it may have been quoted, it may not), a non-text key, a duplicate key after
   NFC, an escaped control character, nesting at the depth limit, over-long text;
   and it restores exact decimals: a ``float`` is replaced by the
   :class:`~decimal.Decimal` of its spelling in the source, found by a scan of the
   number tokens of the text, and only when every token with that float's value is
   spelled the same decimal (``1.10`` beside ``1.1`` goes to the reference).

``tests/read/test_fast_reader.py`` checks by hypothesis, on generated adversarial
documents and on every YAML file of the tests and the sample, that both paths
accept and reject the same documents and give the same values.  When the wheel is
missing, or ``OKRCTL_YAML=reference`` is set (for debugging), every document goes
to the reference.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

from okrctl.model.inputs import MAX_EXPONENT
from okrctl.model.text import CONTROL_OR_BOM, nfc

try:  # the compiled wheel is optional: without it every file takes the reference path
    from yaml_rs import loads as _loads
except ImportError:  # pragma: no cover - exercised by test_fast_reader with the import blocked
    _loads = None

#: set OKRCTL_YAML=reference to read every file with the reference reader
ENV = "OKRCTL_YAML"

# Token start: the beginning of the text, or after whitespace or a flow indicator.
_AT = r"(?<![^\s\[\]{},:])"
_RISKY = re.compile(
    r"[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"  # tab, CR, controls, NEL
    r"|^(?:%|---|\.\.\.)"  # directives, document markers
    r"|<<"  # merge keys
    r"|\{[^}\n]*$|\[[^\]\n]*$|[\[{,] *:|:[\]},]"  # flow collections over several lines, ':' at a flow edge
    rf"|{_AT}(?:[&*!]|\?(?:\s|\Z)"  # anchors, aliases, tags, explicit keys
    r"|[-+]?0[xXoObB]|[-+]?\.(?i:inf|nan)|[-+]?[0-9][0-9.eE+-]*_)"  # 0x1F 0o17 .inf 1_000
    r"|[0-9]{39}",  # numbers longer than the reference reads
    re.M,
)
# A plain scalar is a run of text between these (or the ends of the text); splitting on
# more than needed only adds candidates, and extra candidates can only refuse.
_SEPARATORS = re.compile(r"[\s,\[\]{}:]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
# what the reference reads from a plain scalar as something other than text
_CONSTANTS = frozenset(("", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"))
_NUMBER_START = frozenset("0123456789+-.")
_NUMBERISH = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9_]+)?\Z"
    r"|[-+]?0[xXoO][0-9a-fA-F_]+\Z|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)
_INT = re.compile(r"[-+]?[0-9]+\Z")
MAX_DEPTH = 32
MAX_SCALAR = 64 * 1024


class _Refused(Exception):
    """This document is for the reference reader."""


def enabled() -> bool:
    return _loads is not None and os.environ.get(ENV, "") != "reference"


def load(text: str) -> dict | None:
    """The document's value as the reference reader would give it, or None when
    this path cannot prove that (then the caller uses the reference reader)."""
    if _loads is None or _RISKY.search(text):
        return None
    try:
        value = _loads(text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - any refusal or crash of yaml-rs: the reference decides and explains
        return None
    if value.__class__ is not dict:
        return None
    try:
        return _Walk(text).mapping(value, 1)
    except _Refused:
        return None


class _Walk:
    __slots__ = ("text", "floats", "long")

    def __init__(self, text: str) -> None:
        self.text = text
        self.floats: dict[float, Decimal | None] | None = None
        self.long = len(text) > MAX_SCALAR

    def mapping(self, d: dict, depth: int) -> dict:
        if depth >= MAX_DEPTH:
            raise _Refused
        out: dict = {}
        for k, v in d.items():
            if k.__class__ is not str:
                raise _Refused
            if k[:1] in _NUMBER_START or k in _CONSTANTS or not k.isprintable():
                self.text_only(k)
            out[k if k.isascii() else nfc(k)] = self.value(v, depth)
        if len(out) != len(d):  # two spellings of one key after NFC: the reference names both
            raise _Refused
        return out

    def value(self, v: object, depth: int) -> object:
        cls = v.__class__
        if cls is str:
            if v[:1] in _NUMBER_START or v in _CONSTANTS or not v.isprintable():  # type: ignore[index,operator,union-attr]
                self.text_only(v)  # type: ignore[arg-type]
            if self.long and len(v) > MAX_SCALAR:  # type: ignore[arg-type]
                raise _Refused
            return v if v.isascii() else nfc(v)  # type: ignore[union-attr,arg-type]
        if cls is dict:
            return self.mapping(v, depth + 1)  # type: ignore[arg-type]
        if cls is list:
            if depth + 1 >= MAX_DEPTH:
                raise _Refused
            value = self.value
            return [value(x, depth + 1) for x in v]  # type: ignore[attr-defined]
        if cls is float:
            return self.decimal(v)  # type: ignore[arg-type]
        if cls is int or cls is bool or v is None:
            return v
        raise _Refused

    def text_only(self, s: str) -> None:
        """Refuse text whose meaning depends on quoting, or that hides a control."""
        if s in _CONSTANTS or _NUMBERISH.match(s):
            raise _Refused
        if not s.isprintable() and CONTROL_OR_BOM.search(s):
            raise _Refused

    def decimal(self, f: float) -> Decimal:
        """The Decimal of the float's spelling in the text: every number token of the
        text with this float value must spell the same decimal (or this is refused)."""
        floats = self.floats
        if floats is None:
            floats = self.floats = {}
            for tok in set(_SEPARATORS.split(self.text)):
                if tok[:1] in _NUMBER_START and _FLOAT.match(tok) and not _INT.match(tok):
                    d = _exact(tok)
                    fv = float(tok)
                    prev = floats.get(fv, _UNSEEN)
                    if prev is _UNSEEN:
                        floats[fv] = d
                    elif prev is not None and (d is None or str(prev) != str(d)):
                        floats[fv] = None  # two spellings of one float: ambiguous
        d = floats.get(f)
        if d is None:
            raise _Refused
        return d


_UNSEEN = Decimal(0)


def _exact(tok: str) -> Decimal | None:
    """The reference reader's Decimal of a number token, or None where it reports an error."""
    if len(tok) > 64:
        return None
    try:
        d = Decimal(tok)
    except ArithmeticError:
        return None
    if d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
        return None
    return d
