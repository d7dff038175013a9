"""The fast, strict YAML reader.

okrctl reads a strict subset of YAML 1.2 with libyaml's C parser (PyYAML's
``CParser``), composing a node tree whose every node carries its line and column,
and converts it to plain Python values itself:

* mappings → ``dict`` with NFC text keys; duplicate keys are errors;
* sequences → ``list``;
* quoted scalars → ``str``;
* plain scalars → YAML 1.2 core schema: ``null``/``~``/empty → ``None``,
  ``true``/``false`` (three spellings) → ``bool``, decimal integers → ``int``,
  decimal fractions and exponents → :class:`decimal.Decimal` (read exactly from the
  source text), anything else → ``str`` (so ``yes`` and ``2026-01-15`` are text and
  the schema decides what they mean).

Refused, each with a diagnostic at its line and column: invalid UTF-8, a BOM or
bidi control inside the text, anchors/aliases/merge keys, explicit tags, ``%YAML``
and ``%TAG`` directives, more than one document, non-text keys, nesting deeper than
:data:`MAX_DEPTH`, scalars longer than :data:`MAX_SCALAR`, numbers in hex, octal,
with ``_`` separators or non-finite.

PyYAML's own resolver (YAML 1.1) is never used: the parser is given a resolver that
only tells plain scalars from quoted ones, so ``yes``, ``0755`` and ``1:30`` mean
what YAML 1.2 says.  The test suite checks that this reader and ruamel.yaml (YAML
1.2) load every valid document alike.
"""

from __future__ import annotations

from okrctl.model.messages import _

import re
from decimal import Decimal

import yaml
import yaml._yaml as _cyaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from okrctl.model.inputs import MAX_EXPONENT
from okrctl.model.problems import Problem
from okrctl.model.text import CONTROL_OR_BOM, nfc
from okrctl.read import fastyaml

MAX_DEPTH = 32
MAX_SCALAR = 64 * 1024

_PLAIN = "okrctl:plain"
_TEXT = "okrctl:text"
_COLL = "okrctl:collection"

_CONSTANTS: dict[str, object] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
# Plain scalars YAML 1.2 (or ruamel) would read as numbers that okrctl refuses.
_BAD_NUMBER = re.compile(
    r"(?:[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO][0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9_]+)?)\Z"
)
_NUMBER_START = frozenset("0123456789+-.")
# BOM and bidi controls (Trojan Source); NEL, LS and PS, which libyaml (YAML 1.1) takes
# for line breaks but YAML 1.2 and editors do not, so every later line number would
# be off and a value would silently lose the character.
_FORBIDDEN_CHARS = re.compile("[\ufeff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x85\u2028\u2029]")
# the same set as it can be written in a double-quoted scalar's escapes; tab and
# newline stay allowed (multi-line notes)
_ESCAPED_CONTROL = CONTROL_OR_BOM
_SUSPECT = re.compile(r"[&*]|^[ \t]*%", re.M)


class _Composer(_cyaml.CParser):
    """libyaml's parser/composer with a resolver that only marks plain scalars."""

    # PyYAML calls these two hooks for every node; okrctl's typing needs no path
    # context, so they are C builtins that accept the arguments and do nothing
    # useful (a class attribute that is a type is not bound to the instance).
    descend_resolver = slice  # descend_resolver(parent, index) -> a throwaway slice
    ascend_resolver = tuple  # ascend_resolver() -> ()

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _TEXT
        return _COLL


class Parsed:
    """A parsed document: plain values, and where each part of it stands.

    From the reference reader it holds the node tree at once.  From the fast path
    (:mod:`okrctl.read.fastyaml`) it holds only the values and the file's bytes: the
    node tree (``root``, ``nodes``, ``text``) is composed by the reference reader
    on first use, i.e. only for a file that has a diagnostic or whose positions are
    asked for (:class:`okrctl.model.records.Loc` resolves lazily)."""

    __slots__ = ("value", "_root", "_text", "_nodes", "key_index", "_data", "_path")

    def __init__(self, value: object, root: Node | None = None, text: str | None = None,
                 nodes: dict[int, Node] | None = None, *, data: bytes | None = None, path: str = "") -> None:
        self.value = value
        self._root = root
        self._text = text
        #: id(container) -> its node, for mapping values back to line:column
        self._nodes = nodes if nodes is not None or data is not None else {}
        #: id(mapping node) -> its key index (see :meth:`_keys`)
        self.key_index: dict[int, dict] = {}
        self._data = data
        self._path = path

    @property
    def lazy(self) -> bool:
        """True while the node tree has not been composed (fast path)."""
        return self._nodes is None

    @property
    def root(self) -> Node | None:
        if self._nodes is None:
            self._compose()
        return self._root

    @property
    def nodes(self) -> dict[int, Node]:
        if self._nodes is None:
            self._compose()
        return self._nodes  # type: ignore[return-value]

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode(self._data or b"", self._path)[0] or ""
        return self._text

    def _compose(self) -> None:
        """The reference reader's node tree for the values the fast path gave."""
        ref = _reference(self._data or b"", self._path)[0]
        nodes: dict[int, Node] = {}
        if ref is not None:
            self._root, self._text = ref._root, ref._text
            _pair(self.value, ref.value, ref.nodes, nodes)
        self._nodes = nodes

    def _keys(self, mapping: MappingNode) -> dict[str, tuple[Node, Node]]:
        """``{NFC key: (key node, value node)}`` of one mapping, the first of each
        key; built once per mapping, so looking up many keys stays linear."""
        index = self.key_index.get(id(mapping))
        if index is None:
            index = {}
            for k, v in mapping.value:
                if k.__class__ is ScalarNode:
                    index.setdefault(_nfc(k.value), (k, v))
            self.key_index[id(mapping)] = index
        return index

    def node_at(self, path: tuple | list) -> Node | None:
        """The node reached by a JSON path (keys and indexes) from the root; the
        deepest existing node when the path goes further than the document."""
        node = self.root
        for part in path:
            if isinstance(node, MappingNode):
                found = self._keys(node).get(part) if isinstance(part, str) else None
                if found is None:
                    return node
                node = found[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def key_node_at(self, path: tuple | list) -> Node | None:
        """The key node of the last path element, if it is a mapping key."""
        if not path:
            return self.root
        parent = self.node_at(path[:-1])
        if isinstance(parent, MappingNode) and isinstance(path[-1], str):
            found = self._keys(parent).get(path[-1])
            if found is not None:
                return found[0]
        return self.node_at(path)

    def position(self, path: tuple | list, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value (or key) at ``path``."""
        node = self.key_node_at(path) if key else self.node_at(path)
        if node is None:
            return 1, 1
        return node.start_mark.line + 1, node.start_mark.column + 1

    def container_position(self, container: object) -> tuple[int, int]:
        node = self.nodes.get(id(container))
        if node is None:
            return 1, 1
        return node.start_mark.line + 1, node.start_mark.column + 1

    def item_key_position(self, container: dict, key: str) -> tuple[int, int]:
        node = self.nodes.get(id(container))
        if isinstance(node, MappingNode):
            found = self._keys(node).get(key)
            target = found[1] if found is not None else node
            return target.start_mark.line + 1, target.start_mark.column + 1
        return 1, 1

    def source_text(self, path: tuple | list) -> str | None:
        """The exact source text of the plain scalar at ``path``."""
        node = self.node_at(path)
        if isinstance(node, ScalarNode):
            return node.value
        return None


def _pair(mine: object, ref: object, ref_nodes: dict[int, Node], out: dict[int, Node]) -> None:
    """Map the containers of ``mine`` to the nodes of the reference's equal value."""
    if isinstance(mine, dict) and isinstance(ref, dict):
        node = ref_nodes.get(id(ref))
        if node is not None:
            out[id(mine)] = node
        for k, v in mine.items():
            if k in ref:
                _pair(v, ref[k], ref_nodes, out)
    elif isinstance(mine, list) and isinstance(ref, list):
        node = ref_nodes.get(id(ref))
        if node is not None:
            out[id(mine)] = node
        for a, b in zip(mine, ref):
            _pair(a, b, ref_nodes, out)


#: NFC in linear time (every key and value is normalised once, by the walk)
_nfc = nfc


def _line(text: str, line: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _pos(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


_MISSING = object()


class _Walker:
    """Node tree → plain values.  Hot path: keep attribute lookups out of loops."""

    __slots__ = ("path", "diags", "nodes", "text", "memo", "firsts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.diags: list[Problem] = []
        self.nodes: dict[int, Node] = {}
        # plain scalars repeat a lot (dates, handles, confidences): resolve each once
        self.memo: dict[str, object] = {}
        #: id(mapping node) -> {NFC key: its first key node}, built on a mapping's first duplicate
        self.firsts: dict[int, dict[str, ScalarNode]] = {}

    def err(self, code: str, node: Node, message: str) -> None:
        m = node.start_mark
        self.diags.append(Problem.make(code, self.path, m.line + 1, m.column + 1, message))

    def walk(self, node: Node, depth: int) -> object:
        cls = node.__class__
        tag = node.tag
        if cls is ScalarNode:
            if tag is _PLAIN:
                s = node.value
                try:
                    return self.memo[s]
                except KeyError:
                    v = self.memo[s] = self.plain(node)
                    return v
            if tag is not _TEXT:
                self.err("OKR004", node, _("explicit tag {tag!r} is not allowed; remove it").format(tag=tag))
            value = node.value
            if len(value) > MAX_SCALAR:
                self.err("OKR007", node, _("value is {count} characters long; the limit is {MAX_SCALAR}").format(count=len(value), MAX_SCALAR=MAX_SCALAR))
                return ""
            if not value.isascii() or not value.isprintable():
                self.escaped_control(node, value)
            return value if value.isascii() else nfc(value)
        if tag is not _COLL:
            self.err("OKR004", node, _("explicit tag {tag!r} is not allowed; remove it").format(tag=tag))
        if depth >= MAX_DEPTH:
            self.err("OKR007", node, _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))
            return None
        walk = self.walk
        memo = self.memo
        depth += 1
        if cls is MappingNode:
            out: dict[str, object] = {}
            for knode, vnode in node.value:
                if knode.__class__ is not ScalarNode:
                    self.err("OKR009", knode, _("a mapping key must be text, not a list or mapping"))
                    continue
                kval = knode.value
                if knode.tag is _PLAIN and (kval in _CONSTANTS or kval[:1] in _NUMBER_START or kval == "<<"):
                    if kval == "<<":
                        self.err("OKR003", knode, _("merge keys (<<) are not allowed"))
                        continue
                    if kval in _CONSTANTS or _INT.match(kval) or _FLOAT.match(kval):
                        what = "number" if kval[:1] in _NUMBER_START else "null or boolean"
                        self.err("OKR009", knode, _("key {kval!r} is read as a {what}; keys must be text (quote it)").format(kval=kval, what=what))
                        continue
                elif knode.tag is not _PLAIN and knode.tag is not _TEXT:
                    self.err("OKR004", knode, _("explicit tag {tag!r} is not allowed; remove it").format(tag=knode.tag))
                if knode.tag is _TEXT and (not kval.isascii() or not kval.isprintable()):
                    self.escaped_control(knode, kval)
                key = kval if kval.isascii() else nfc(kval)
                if key in out:
                    self.duplicate(node, knode, key)
                    continue
                # the common case inline: a plain scalar seen before in this file
                if vnode.tag is _PLAIN and vnode.__class__ is ScalarNode:
                    v = memo.get(vnode.value, _MISSING)
                    out[key] = v if v is not _MISSING else walk(vnode, depth)
                else:
                    out[key] = walk(vnode, depth)
            self.nodes[id(out)] = node
            return out
        seq = [walk(item, depth) for item in node.value]
        self.nodes[id(seq)] = node
        return seq

    def escaped_control(self, node: ScalarNode, value: str) -> None:
        """A quoted scalar can write any character as an escape (``"\\u202E"``,
        ``"\\e"``, ``"\\0"``), which the scan of the raw text cannot see."""
        bad = _ESCAPED_CONTROL.search(value)
        if bad:
            ch = ord(bad.group())
            self.err("OKR014", node, _("control or bidirectional character U+{ch:04X} (written as an escape) is not allowed in text (it can hide what the text says)").format(ch=ch))

    def duplicate(self, mapping: MappingNode, knode: ScalarNode, key: str) -> None:
        firsts = self.firsts.get(id(mapping))
        if firsts is None:  # once per mapping that has a duplicate: the walk stays linear
            firsts = self.firsts[id(mapping)] = {}
            for k, _v in mapping.value:
                if k.__class__ is ScalarNode:
                    firsts.setdefault(_nfc(k.value), k)
        k = firsts[key]
        prev = k.start_mark
        extra = "" if k.value == knode.value else " after Unicode NFC normalisation"
        self.err("OKR008", knode, _("duplicate key {key!r}{extra} (first defined at {value}:{value2})").format(key=key, extra=extra, value=prev.line + 1, value2=prev.column + 1))

    def plain(self, node: ScalarNode) -> object:
        s = node.value
        if s in _CONSTANTS:
            return _CONSTANTS[s]
        if s[:1] in _NUMBER_START:
            if _INT.match(s):
                if len(s) > 40:
                    self.err("OKR007", node, _("number has more than 40 digits"))
                    return None
                return int(s)
            if _FLOAT.match(s):
                if len(s) > 64:
                    self.err("OKR007", node, _("number is longer than 64 characters"))
                    return None
                try:
                    d = Decimal(s)
                except ArithmeticError:  # an exponent beyond what Decimal can hold
                    d = None
                if d is None or (d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT):
                    self.err("OKR007", node, _("number {s!r} is out of range (its decimal exponent must lie within ±{MAX_EXPONENT})").format(s=s, MAX_EXPONENT=MAX_EXPONENT))
                    return None
                return d
            if _BAD_NUMBER.match(s):
                self.err("OKR013", node, _("{s!r} is not a plain decimal number; write it in decimal (e.g. 1000, 0.5), or quote it if it is text").format(s=s))
                return None
        if len(s) > MAX_SCALAR:
            self.err("OKR007", node, _("value is {count} characters long; the limit is {MAX_SCALAR}").format(count=len(s), MAX_SCALAR=MAX_SCALAR))
            return ""
        return _nfc(s)


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Strict UTF-8 with an optional leading BOM; CRLF is left to the parser."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return None, [Problem.make("OKR001", path, 1, 1, _("the file is UTF-16/UTF-32; save it as UTF-8"))]
    elif len(data) >= 2 and 0 in data[:2]:  # YAML 1.2 §5.2: a NUL in the first two bytes means UTF-16/32
        return None, [Problem.make("OKR001", path, 1, 1, _("the file is UTF-16/UTF-32 without a byte-order mark; save it as UTF-8"))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line, col = _pos(good, len(good))
        return None, [Problem.make("OKR001", path, line, col, _("invalid UTF-8 (byte 0x{data:02X}); save the file as UTF-8").format(data=data[exc.start]))]
    return text, []


def _scan_events(text: str, path: str) -> list[Problem]:
    """Event-level scan for anchors, aliases and directives (only run when the text
    contains '&', '*' or a line starting with '%', so it is rare)."""
    diags: list[Problem] = []
    try:
        for ev in yaml.parse(text, Loader=yaml.CSafeLoader):
            m = ev.start_mark
            if isinstance(ev, yaml.AliasEvent):
                diags.append(Problem.make("OKR003", path, m.line + 1, m.column + 1, _("alias *{anchor} is not allowed; write the value out").format(anchor=ev.anchor)))
            elif getattr(ev, "anchor", None):
                diags.append(Problem.make("OKR003", path, m.line + 1, m.column + 1, _("anchor &{anchor} is not allowed").format(anchor=ev.anchor)))
            elif isinstance(ev, yaml.DocumentStartEvent) and (ev.version or ev.tags):
                what = "%YAML" if ev.version else "%TAG"
                diags.append(Problem.make("OKR004", path, m.line + 1, m.column + 1, _("{what} directives are not allowed").format(what=what)))
            if len(diags) >= 20:
                break
    except yaml.YAMLError:
        pass  # the compose step reports syntax errors with their position
    return diags


def parse(data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    """Parse one file's bytes.  Returns the document (or None) and diagnostics; never raises."""
    return _guarded(_parse, data, path)


def parse_reference(data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    """:func:`parse` with the reference reader only (positions composed at once)."""
    return _guarded(_reference, data, path)


def _guarded(reader, data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    try:
        return reader(data, path)
    except RecursionError:
        return None, [Problem.make("OKR007", path, 1, 1, _("the document is nested too deeply"))]
    except Exception as exc:  # noqa: BLE001 - a parser bug must never become a traceback
        return None, [Problem.make("OKR015", path, 1, 1, _("internal parser error ({name__}: {exc}); please report it").format(name__=type(exc).__name__, exc=exc))]


def _parse(data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    text, diags = decode(data, path)
    if text is None:
        return None, diags
    if fastyaml.enabled() and not _FORBIDDEN_CHARS.search(text):
        value = fastyaml.load(text)
        if value is not None:
            return Parsed(value, data=data, path=path), []
    return _reference_text(text, data, path)


def _reference(data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    """The strict reference reader (libyaml + okrctl's walk), positions included."""
    text, diags = decode(data, path)
    if text is None:
        return None, diags
    return _reference_text(text, data, path)


def _reference_text(text: str, data: bytes, path: str) -> tuple[Parsed | None, list[Problem]]:
    # No whole-text NFC here: the walker normalises every key and value, and lines and
    # columns must count the characters of the file as written.
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        line, col = _pos(text, bad.start())
        ch = bad.group()
        what = ("byte-order mark" if ch == "\ufeff"
                else f"line separator U+{ord(ch):04X}" if ch in "\x85\u2028\u2029"
                else f"bidirectional control U+{ord(ch):04X}")
        return None, [Problem.make("OKR014", path, line, col, _("{what} inside the text is not allowed (it can hide what the text says)").format(what=what))]
    if _SUSPECT.search(text):
        diags = _scan_events(text, path)
        if diags:
            return None, diags
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = exc.problem or str(exc)
        if msg == "exceeded maximum nesting depth":  # libyaml's own limit (1000)
            return None, [Problem.make("OKR007", path, line, col, _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))]
        cm = exc.context_mark
        if (exc.context == "while scanning a simple key" and cm is not None and mark is not None
                and cm.line == mark.line and mark.column - cm.column > 1024):
            return None, [Problem.make("OKR007", path, cm.line + 1, cm.column + 1,
                                          _("a key longer than 1024 characters (YAML's limit for a key); shorten it"))]
        if exc.context and "expected a single document" in exc.context:
            return None, [Problem.make("OKR010", path, line, col, _("more than one YAML document in the file; keep one"))]
        if "control characters" in msg or "special characters" in msg:
            return None, [Problem.make("OKR014", path, line, col, msg)]
        if "\t" in _line(text, line)[: col]:
            msg = f"{msg} (tabs are not allowed for indentation)"
        ctx = f" {exc.context}" if exc.context else ""
        return None, [Problem.make("OKR002", path, line, col, f"{msg}{ctx}".strip())]
    except yaml.reader.ReaderError as exc:
        line, col = _pos(text, exc.position) if isinstance(exc.position, int) else (1, 1)
        return None, [Problem.make("OKR014", path, line, col, _("control character U+{value:04X} is not allowed in YAML text").format(value=ord(exc.character) if isinstance(exc.character, str) else exc.character))]
    except yaml.YAMLError as exc:
        return None, [Problem.make("OKR002", path, 1, 1, str(exc).splitlines()[0])]
    finally:
        composer.dispose()
    if root is None or (root.__class__ is ScalarNode and root.tag is _PLAIN and root.value == ""
                        and root.start_mark.index == root.end_mark.index):  # "---" alone
        return None, [Problem.make("OKR011", path, 1, 1, _("the file is empty; write at least the top-level keys (e.g. `objectives: []`)"))]
    walker = _Walker(path, text)
    value = walker.walk(root, 0)
    if walker.diags:
        return None, walker.diags
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else "a single value"
        return None, [Problem.make("OKR012", path, root.start_mark.line + 1, root.start_mark.column + 1, _("the top level must be a mapping of keys, not {kind}").format(kind=kind))]
    return Parsed(value, root, text, walker.nodes), []
