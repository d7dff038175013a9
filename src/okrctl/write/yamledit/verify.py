"""The verification every edit passes before its bytes are returned.

(a) The new text is the original with lines inserted at exactly the expected place, right
after the last content line of the previous item (or, when the target is a flow
collection such as ``locked_periods: []``, with only that collection's lines changed);
(b) every full-line comment of the original is still there, in order, and no comment or
blank line was added; (c) re-loaded, it equals the original data plus the value, types
included.  (c) reads both files with libyaml (a few ms for 25 KB; ruamel's slower reader
only when libyaml cannot read the original), and the new value, rendered alone, must read
back as itself under both YAML 1.2 (ruamel) and YAML 1.1 (PyYAML).

The expected data is computed on a normalised, type-tagged copy of the original
(:func:`_norm`, :func:`_set_in`, :func:`_appender`, :func:`_with_added`).
"""

from __future__ import annotations

from okrctl.model.messages import _

import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit.emit import _dump_rt
from okrctl.write.yamledit.style import _Style


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
        raise WriteRefused(_("{name}: okrctl produced text it cannot read back ({e}); nothing was written").format(name=name, e=e)) from None


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
        raise WriteRefused(_("{name}: okrctl produced an empty file; nothing was written").format(name=name))
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
            _("{name}: okrctl's edit {problem}; nothing was written").format(name=name, problem=problem),
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
            _("{name}: okrctl's edit would add comment or blank lines at line {value}; nothing was written").format(name=name, value=expect.start + 1),
            line=expect.start + 1,
        )
    new_comments = iter(x.strip() for x in n if x.lstrip().startswith("#"))
    for i, line in enumerate(o):
        if line.lstrip().startswith("#"):
            want = line.strip()
            if not any(c == want for c in new_comments):
                raise WriteRefused(
                    _("{name}: okrctl's edit would lose or move the comment on line {value}; nothing was written").format(name=name, value=i + 1),
                    line=i + 1,
                )
    # end-of-line comments inside a rewritten region
    old_region = "\n".join(replaced)
    new_region = "\n".join(added)
    for m in re.finditer(r"(?:^|\s)(#.*)$", old_region, re.MULTILINE):
        if m.group(1).strip() not in new_region:
            raise WriteRefused(_("{name}: okrctl's edit would lose the comment {strip!r}; nothing was written").format(name=name, strip=m.group(1).strip()))
    # (c) reloads to the intended structure
    if _reload_pair(old, new, update, name) is False:
        raise WriteRefused(_("{name}: okrctl's edit does not read back as intended; nothing was written").format(name=name))


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
                raise WriteRefused(_("{name}: okrctl produced text it cannot read back ({e}); nothing was written").format(name=name, e=e)) from None
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
        raise WriteRefused(_("{name}: okrctl cannot write this value unambiguously ({strip!r}); nothing was written").format(name=name, strip=text.strip()))


def _fmt_path(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the document root"


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
