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
   collections left open at the end of a line (nested ones too, or a line with
   a bracket and a quote), a ``:`` at the edge of a flow
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

from okrctl.errors import OkrctlError
from okrctl.model.inputs import MAX_EXPONENT
from okrctl.model.text import CONTROL_OR_BOM, nfc

try:  # the compiled wheel is optional: without it every file takes the reference path
    from yaml_rs import loads as _loads
except ImportError:  # pragma: no cover - exercised by test_fast_reader with the import blocked
    _loads = None

#: set OKRCTL_YAML=reference to read every file with the reference reader
ENV = "OKRCTL_YAML"

# The pre-scan, as a few searches a C loop can run fast (one alternation with a
# look-behind at every position costs 5x more; an alternation of patterns with
# different first characters defeats the engine's skip to candidates, so each is
# its own search: 200 generated files, 0.08 s less).
_BAD_CHAR = re.compile(r"[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # tab, CR, controls
_LINE_START = ("%", "---", "...")  # directives, document markers, at the start of a line
# flow collections over several lines ('{' or '[' left open at the end of a line),
# ':' at the start of a flow item (':' at its end: _FLOW_END)
_FLOW = (re.compile(r"[\[{,] *:"), re.compile(r"\{[^}\n]*$", re.M), re.compile(r"\[[^\]\n]*$", re.M))
_FLOW_END = re.compile(r":[\]},]")  # ":]", ":}", ":,"
_TOKEN_START = re.compile(r"[\s\[\]{},:](?:[&*!]|\?(?:\s|\Z))|\A(?:[&*!]|\?(?:\s|\Z))")  # anchor, alias, tag, explicit key
_LONG_NUMBER = re.compile(r"[0-9]{39}")
_NUMBER_WORDS = (re.compile(r"0[xXoObB]"), re.compile(r"\.(?:inf|Inf|INF|nan|NaN|NAN)"))  # 0x1F 0o17 .inf
_UNDERSCORE = re.compile(r"[0-9][0-9.eE+-]*_")  # 1_000


def risky(text: str, runs: set[str] | None = None) -> bool:
    """Does the text hold anything the fast path cannot prove equal (see the module doc)?
    ``runs``: the text's number runs (:data:`_NUMBER_RUN`), if already found: every
    39-digit run lies inside one, so the long-number search runs only when one is that long."""
    if runs is None:
        runs = set(_NUMBER_RUN.findall(text))
    return bool(
        _BAD_CHAR.search(text) or text.startswith(_LINE_START) or "\n%" in text or "\n---" in text
        or "\n..." in text or "<<" in text
        or (("{" in text or "[" in text) and (any(p.search(text) for p in _FLOW) or _FLOW_END.search(text)
                                              or _flow_over_lines(text)))
        or (('&' in text or '*' in text or '!' in text or '?' in text) and _TOKEN_START.search(text))
        or any(p.search(text) for p in _NUMBER_WORDS)
        or (any(len(r) >= 39 for r in runs) and _LONG_NUMBER.search(text)) or ("_" in text and _underscore_number(text))
    )


def _underscore_number(text: str) -> bool:
    """:data:`_UNDERSCORE` (``1_000``), searched only when some ``_`` follows a number
    character (``key_results`` in every file does not)."""
    i = text.find("_")
    while i >= 0:
        if i and text[i - 1] in "0123456789.eE+-":
            return _UNDERSCORE.search(text) is not None
        i = text.find("_", i + 1)
    return False


def _flow_over_lines(text: str) -> bool:
    """Might a flow collection go on past the end of a line (nested ones included:
    ``{a: [b], c\\n: 1}``)?  Conservatively yes unless every line holding a bracket
    ends with a closing one, has as many closing as opening brackets of each kind, and
    holds no quote (a quoted bracket could fool the count)."""
    seen = -2
    for m in _BRACKET.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if start == seen:
            continue
        seen = start
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if (not line.rstrip(" ").endswith(("}", "]")) or line.count("{") != line.count("}")
                or line.count("[") != line.count("]") or '"' in line or "'" in line):
            return True
    return False


_BRACKET = re.compile(r"[\[\]{}]")


# Maximal runs of number characters ('-+.0-9eE') that do not start with 'e'/'E'.  A
# plain scalar sits between whitespace, flow indicators or ':' (none of them number
# characters), so every float scalar of the document is one whole run, sign included
# (a float scalar missing from the candidates could take the decimal of another
# spelling of the same value: 0E0 and -0.).  Runs taken from words, dates and
# comments only add candidates, which can only make a float ambiguous (refused),
# never wrong.  A pattern starting with a character set lets the regex engine skip
# to candidate positions (8x faster than an optional sign first).
_NUMBER_RUN = re.compile(r"[-+.0-9][-+.0-9eE]*")
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


class _Refused(OkrctlError):
    """This document is for the reference reader (never leaves this module)."""

    def __init__(self) -> None:
        super().__init__("the fast path cannot prove this document equal; the reference reader reads it")


def enabled() -> bool:
    return _loads is not None and os.environ.get(ENV, "") != "reference"


def load(text: str) -> dict | None:
    """The document's value as the reference reader would give it, or None when
    this path cannot prove that (then the caller uses the reference reader)."""
    if _loads is None:
        return None
    runs = set(_NUMBER_RUN.findall(text))
    if risky(text, runs):
        return None
    try:
        value = _loads(text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - any refusal or crash of yaml-rs: the reference decides and explains
        return None
    if value.__class__ is not dict:
        return None
    try:
        return _Walk(text, runs).mapping(value, 1)
    except _Refused:
        return None


class _Walk:
    """yaml-rs's values → the reference reader's, or :class:`_Refused`.  Hot path:
    each distinct text is checked once (``memo``), no call per scalar."""

    __slots__ = ("text", "runs", "floats", "long", "memo")

    def __init__(self, text: str, runs: set[str] | None = None) -> None:
        self.text = text
        self.runs = runs
        self.floats: dict[float, Decimal | None] | None = None
        self.long = len(text) > MAX_SCALAR
        #: text (key or value) -> what the reference reader makes of it
        self.memo: dict[str, str] = {}

    def mapping(self, d: dict, depth: int) -> dict:
        if depth >= MAX_DEPTH:
            raise _Refused
        memo = self.memo
        floats = self.floats
        out: dict = {}
        for k, v in d.items():
            key = memo.get(k)
            if key is None:
                if k.__class__ is not str:
                    raise _Refused
                key = self.checked(k)
            cls = v.__class__
            if cls is str:
                r = memo.get(v)
                out[key] = r if r is not None else self.checked(v)
            elif cls is int or cls is bool or v is None:
                out[key] = v
            elif cls is float:
                r = floats.get(v) if floats else None  # the spelling found by an earlier value
                out[key] = r if r is not None else self.decimal(v)
            elif cls is dict:
                out[key] = self.mapping(v, depth + 1)
            elif cls is list:
                out[key] = self.sequence(v, depth + 1)
            else:
                raise _Refused
        if len(out) != len(d):  # two spellings of one key after NFC: the reference names both
            raise _Refused
        return out

    def sequence(self, items: list, depth: int) -> list:
        if depth >= MAX_DEPTH:
            raise _Refused
        memo = self.memo
        floats = self.floats
        out = []
        for v in items:
            cls = v.__class__
            if cls is str:
                r = memo.get(v)
                out.append(r if r is not None else self.checked(v))
            elif cls is int or cls is bool or v is None:
                out.append(v)
            elif cls is float:
                r = floats.get(v) if floats else None
                out.append(r if r is not None else self.decimal(v))
            elif cls is dict:
                out.append(self.mapping(v, depth + 1))
            elif cls is list:
                out.append(self.sequence(v, depth + 1))
            else:
                raise _Refused
        return out

    def checked(self, s: str) -> str:
        """Text as the reference gives it (NFC); refused when its meaning would depend
        on quoting (it reads as a number, null or boolean when plain), when it hides a
        control character (an escape), or is longer than the limit."""
        if s in _CONSTANTS or (s[:1] in _NUMBER_START and _NUMBERISH.match(s)):
            raise _Refused
        if not s.isprintable() and CONTROL_OR_BOM.search(s):
            raise _Refused
        if self.long and len(s) > MAX_SCALAR:
            raise _Refused
        r = self.memo[s] = s if s.isascii() else nfc(s)
        return r

    def decimal(self, f: float) -> Decimal:
        """The Decimal of the float's spelling in the text: every number token of the
        text with this float value must spell the same decimal (or this is refused)."""
        floats = self.floats
        if floats is None:
            floats = self.floats = {}
            runs = self.runs if self.runs is not None else set(_NUMBER_RUN.findall(self.text))
            for tok in runs:
                if _FLOAT.match(tok) and not _INT.match(tok):
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
