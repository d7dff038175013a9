"""Fields typed ``object``/``Any`` in MessagePack (the persistent cache's rows and
the forked worker's wire): msgspec would decode a Decimal or a date there as a
string, so such a value travels as a tagged extension that keeps its exact type
(:func:`_wrap` on the way out, the decoders' ``ext_hook`` with :func:`_untag` on
the way in)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any


#: msgpack extension code of a value of an untyped (``object``) field
_ANY_EXT = 1
_ANY = "any"


def _any_plan(tp: Any, seen: dict | None = None):
    """Where ``tp`` holds fields typed ``object``/``Any`` (msgspec would decode a
    Decimal or a date there as a string): ``_ANY`` for such a field, ``{class:
    {field: plan}}`` for dataclasses that lead to one, None when there is none."""
    import typing

    seen = {} if seen is None else seen
    if tp is object or tp is Any:
        return _ANY
    if is_dataclass(tp) and isinstance(tp, type):
        if tp in seen:
            return seen[tp]
        seen[tp] = None  # a recursive type: no plan through itself
        hints = typing.get_type_hints(tp)
        sub = {f.name: p for f in fields(tp) if (p := _any_plan(hints.get(f.name), seen)) is not None}
        seen[tp] = {tp: sub} if sub else None
        return seen[tp]
    merged: dict = {}
    for arg in typing.get_args(tp):
        p = _any_plan(arg, seen)
        if p == _ANY:
            return _ANY
        if p:
            merged.update(p)
    return merged or None


def _tag(v: Any) -> Any:
    from datetime import date
    from decimal import Decimal

    from okrctl.model.messages import Msg

    if isinstance(v, Msg):  # a translatable message: its id and arguments, not its English
        return ["M", [v.msgid, _tag(v.args), v.plural, v.n]]
    if isinstance(v, Decimal):
        return ["D", str(v)]
    if isinstance(v, date):
        return ["d", v.isoformat()]
    if isinstance(v, tuple):
        return ["t", [_tag(x) for x in v]]
    if isinstance(v, list):
        return ["l", [_tag(x) for x in v]]
    if isinstance(v, dict):
        return ["m", [[_tag(k), _tag(x)] for k, x in v.items()]]
    if v is None or isinstance(v, (str, int, bool)):
        return ["v", v]
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _untag(t: Any) -> Any:
    from datetime import date
    from decimal import Decimal

    kind, v = t
    if kind == "M":
        from okrctl.model.messages import Msg

        msgid, args, plural, n = v
        if not isinstance(msgid, str) or not isinstance(plural, (str, type(None))) or not isinstance(n, (int, type(None))):
            raise ValueError("not a message")
        args = _untag(args)
        if not isinstance(args, dict):
            raise ValueError("not a message")
        return Msg(msgid, args, plural, n)
    if kind == "D":
        return Decimal(v)
    if kind == "d":
        return date.fromisoformat(v)
    if kind == "t":
        return tuple(_untag(x) for x in v)
    if kind == "l":
        return [_untag(x) for x in v]
    if kind == "m":
        return {_untag(k): _untag(x) for k, x in v}
    if kind == "v" and (v is None or isinstance(v, (str, int, bool))):
        return v
    raise ValueError("not a tagged value")


def _wrap(value: Any, plan, ext) -> Any:
    """``value`` with every untyped field's value replaced by an extension that
    keeps its exact type (only the records on ``plan``'s paths are rebuilt)."""
    if plan == _ANY:
        return ext(_tag(value))
    if value is None or not plan:
        return value
    if isinstance(value, (tuple, list)):
        new = [_wrap(v, plan, ext) for v in value]
        return value if all(a is b for a, b in zip(new, value)) else type(value)(new)
    sub = plan.get(type(value))
    if sub is None:
        return value
    from dataclasses import replace

    changes = {}
    for name, p in sub.items():
        old = getattr(value, name)
        new = _wrap(old, p, ext)
        if new is not old:
            changes[name] = new
    return replace(value, **changes) if changes else value


def ext_hook(code: int, data: memoryview) -> Any:
    """msgspec's ``ext_hook`` for the values :func:`to_ext` wrapped."""
    import msgspec

    if code != _ANY_EXT:
        raise ValueError("unknown extension")
    return _untag(msgspec.msgpack.decode(data))


def to_ext(tagged: Any) -> Any:
    """A tagged untyped value (:func:`_wrap`'s ``ext``) as a MessagePack extension."""
    import msgspec

    return msgspec.msgpack.Ext(_ANY_EXT, msgspec.msgpack.encode(tagged))
