"""Typed validation of a period file: one msgspec conversion decides "valid" for
the common file, generated from the published JSON Schema (issue 10 item 3).

The model is built, once per process, from ``schema/okr-file.schema.json`` itself
(:func:`model`), so the two cannot drift: each construct of the schema becomes a
msgspec constraint or a small check, and a construct the generator does not know
stops it (:class:`Unsupported`; ``tests/read/test_typed.py`` builds it, so a schema
change the generator cannot follow fails the suite).

It only ever **narrows**: :func:`accepts` says True only for documents the
committed validators (``read/_validators.py``) accept too, and a document it refuses
goes to them and, when it really is invalid, to jsonschema for the diagnostics, so
no message changes.  What it leaves to the slower tiers by design:

* free ``x-`` keys (``patternProperties: {"^x-": {}}`` beside
  ``additionalProperties: false``): the Structs forbid unknown fields, so a file
  with an ``x-`` key is decided by the committed validators;
* the object branch of a ``oneOf`` (pinned evidence): only the other branches are
  modelled;
* integers written as a decimal (``due_days: 7.0``): msgspec's ``int`` takes ints.

Numbers are okrctl's exact ``int``/``Decimal`` values, never ``bool``: each
``number`` (with its ``minimum``/``maximum``) is a custom type checked by
:func:`_number_hook`, because msgspec would convert the text ``"1.5"`` into a
``Decimal`` and has no bounds on one.  The per-type requirements of a key result
(``allOf`` of ``if``/``then``) and ``uniqueItems`` are checks run after the
conversion (``__post_init__``).  ``tests/read/test_typed.py`` compares the decision
with the committed validators and jsonschema on generated documents near the
schema's edges.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from okrctl.errors import OkrctlError
from okrctl.model.messages import _

KIND = "okr-file"


class Unsupported(OkrctlError):
    """The schema uses a construct the generator does not model (a development
    error: the test that builds the model fails; :func:`accepts` then leaves every
    file to the committed validators)."""


def _unsupported(what: str) -> Unsupported:
    return Unsupported(_("the period-file schema uses {what}, which the typed model does not read").format(what=what))


# ---------------------------------------------------------------- numbers

class _Number:
    """Base of the generated number types: ``lo``/``hi`` bounds (None: open),
    ``booleans``: ``true``/``false`` accepted too (``type: [number, boolean]``)."""

    lo: Any = None
    hi: Any = None
    booleans = False
    instance: Any = None


def _number_type(lo, hi, booleans: bool) -> type:
    name = f"Number_{lo}_{hi}_{'b' if booleans else ''}"
    tp = type(name, (_Number,), {"lo": lo, "hi": hi, "booleans": booleans})
    tp.instance = tp()
    return tp


def _number_hook(tp: type, v: Any) -> Any:
    """msgspec's ``dec_hook`` for the number types: the value is an exact number
    within the bounds (the result is a marker; the document keeps its values)."""
    if not (isinstance(tp, type) and issubclass(tp, _Number)):
        raise TypeError("not a number type")
    cls = v.__class__
    if cls is bool:
        if tp.booleans:
            return tp.instance
        raise ValueError("a number, not true or false")
    if cls is Decimal:
        if not v.is_finite():
            raise ValueError("not a finite number")
    elif cls is not int:
        raise ValueError("not a number")
    if (tp.lo is not None and v < tp.lo) or (tp.hi is not None and v > tp.hi):
        raise ValueError("out of bounds")
    return tp.instance


# ---------------------------------------------------------------- the generator

#: keys of a schema object that only document it
_NOTES = frozenset(("description", "title", "default", "$comment", "examples", "$schema", "$id", "$defs"))
#: ``$`` not preceded by a backslash: the end of the text in ECMA-262 (fastjsonschema's rewrite)
_DOLLAR = re.compile(r"(?<!\\)\$")


class _Gen:
    def __init__(self, root: dict) -> None:
        import msgspec

        self.msgspec = msgspec
        self.root = root
        self.defs: dict[str, Any] = {}
        self.numbers: dict[tuple, type] = {}

    def ref(self, ref: str) -> Any:
        if not ref.startswith("#/$defs/"):
            raise _unsupported(ref)
        name = ref[len("#/$defs/"):]
        if name not in self.defs:
            self.defs[name] = None  # a recursive reference would be refused below
            self.defs[name] = self.type(self.root["$defs"][name], name)
        if self.defs[name] is None:
            raise _unsupported(f"recursive {ref}")
        return self.defs[name]

    def number(self, s: dict, booleans: bool) -> type:
        lo, hi = s.get("minimum"), s.get("maximum")
        key = (lo, hi, booleans)
        if key not in self.numbers:
            self.numbers[key] = _number_type(lo, hi, booleans)
        return self.numbers[key]

    def type(self, s: dict, name: str) -> Any:
        Meta = self.msgspec.Meta
        if s == {}:
            return Any
        if "$ref" in s:
            if set(s) - _NOTES - {"$ref"}:
                raise _unsupported(f"$ref with siblings at {name}")
            return self.ref(s["$ref"])
        if "enum" in s:
            values = s["enum"]
            if set(s) - _NOTES - {"enum"} or not all(isinstance(v, str) for v in values):
                raise _unsupported(f"enum at {name}")
            return Literal[tuple(values)]  # type: ignore[valid-type]
        if "oneOf" in s and "type" not in s:
            # the alternatives that are not objects (an object alternative is left to
            # the committed validators: narrowing)
            alts = [a for a in s["oneOf"] if self._resolved(a).get("type") != "object"]
            if set(s) - _NOTES - {"oneOf"} or len(alts) != 1:
                raise _unsupported(f"oneOf at {name}")
            return self.type(alts[0], name)
        t = s.get("type")
        if t == "object":
            return self.struct(s, name)
        if t == "array":
            return self.array(s, name)
        if t == "string":
            return self.string(s, name)
        if t == "number" or (isinstance(t, list) and sorted(t) == ["boolean", "number"]):
            if set(s) - _NOTES - {"type", "minimum", "maximum"}:
                raise _unsupported(f"number at {name}")
            return self.number(s, isinstance(t, list))
        if t == "integer":
            if set(s) - _NOTES - {"type", "minimum", "maximum"}:
                raise _unsupported(f"integer at {name}")
            return Annotated[int, Meta(ge=s.get("minimum"), le=s.get("maximum"))]
        if t == "boolean" and set(s) - _NOTES == {"type"}:
            return bool
        raise _unsupported(f"{t!r} at {name}")

    def _resolved(self, s: dict) -> dict:
        while "$ref" in s:
            s = self.root["$defs"][s["$ref"][len("#/$defs/"):]]
        return s

    def string(self, s: dict, name: str) -> Any:
        extra = set(s) - _NOTES - {"type", "minLength", "maxLength", "pattern", "format"}
        if extra:
            raise _unsupported(f"string {sorted(extra)} at {name}")
        fmt = s.get("format")
        if fmt == "date":
            # msgspec's date is exactly YYYY-MM-DD and a real day: the schema's pattern
            # and format together
            if s.get("pattern") not in (None, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$") or "minLength" in s or "maxLength" in s:
                raise _unsupported(f"date at {name}")
            from datetime import date

            return date
        if fmt is not None:
            raise _unsupported(f"format {fmt!r} at {name}")
        pattern = s.get("pattern")
        meta = self.msgspec.Meta(min_length=s.get("minLength"), max_length=s.get("maxLength"),
                                 pattern=_DOLLAR.sub(r"\\Z", pattern) if pattern is not None else None)
        return Annotated[str, meta]

    def array(self, s: dict, name: str) -> Any:
        extra = set(s) - _NOTES - {"type", "items", "minItems", "uniqueItems"}
        if extra:
            raise _unsupported(f"array {sorted(extra)} at {name}")
        item = self.type(s.get("items", {}), f"{name}[]")
        tp = list[item]  # type: ignore[valid-type]
        if "minItems" in s:
            tp = Annotated[tp, self.msgspec.Meta(min_length=s["minItems"])]
        return tp

    def struct(self, s: dict, name: str) -> type:
        extra = set(s) - _NOTES - {"type", "properties", "patternProperties", "additionalProperties", "required",
                                   "allOf", "oneOf"}
        if extra:
            raise _unsupported(f"object {sorted(extra)} at {name}")
        if s.get("additionalProperties", True) is not False or set(s.get("patternProperties", {})) - {"^x-"}:
            raise _unsupported(f"open object at {name}")
        if "oneOf" in s:  # e.g. pinned evidence's path-or-url: not modelled
            raise _unsupported(f"oneOf object at {name}")
        required = set(s.get("required", ()))
        props = s.get("properties", {})
        if required - set(props):
            raise _unsupported(f"required key without a property at {name}")
        fields = []
        unique = []
        for key, sub in props.items():
            tp = self.type(sub, f"{name}.{key}")
            if self._resolved(sub).get("uniqueItems"):
                unique.append(key)
            fields.append((key, tp) if key in required else (key, tp, None))
        rules = [self.if_then(rule, props, name) for rule in s.get("allOf", ())]
        ns: dict = {}
        if rules or unique:
            ns["__post_init__"] = _post_init(rules, unique)
        safe = re.sub(r"\W", "_", name)
        return self.msgspec.defstruct(f"T_{safe}", fields, kw_only=True, forbid_unknown_fields=True, namespace=ns)

    def if_then(self, rule: dict, props: dict, name: str) -> tuple[str, str, bool, tuple[str, ...]]:
        """``{if: {properties: {K: {const: V}}, [required: [K]]}, then: {required: [...]}}``
        as (K, V, whether the ``if`` requires K, the keys ``then`` requires)."""
        cond, then = rule.get("if", {}), rule.get("then", {})
        if set(rule) != {"if", "then"} or set(then) != {"required"} or set(cond) - {"properties", "required"}:
            raise _unsupported(f"allOf at {name}")
        if len(cond.get("properties", {})) != 1:
            raise _unsupported(f"if at {name}")
        (key, sub), = cond["properties"].items()
        if set(sub) != {"const"} or not isinstance(sub["const"], str) or cond.get("required", [key]) != [key]:
            raise _unsupported(f"if at {name}")
        if key not in props or not set(then["required"]) <= set(props):
            raise _unsupported(f"if/then keys at {name}")
        return key, sub["const"], "required" in cond, tuple(then["required"])


def _post_init(rules: list, unique: list[str]):
    """The checks after conversion.  A field is None exactly when its key is absent
    (no modelled type admits null)."""

    def __post_init__(self) -> None:
        for key, const, key_required, then in rules:
            v = getattr(self, key)
            # an absent key satisfies ``properties``: the ``if`` then holds unless it requires the key
            holds = v == const if v is not None else not key_required
            if holds and any(getattr(self, k) is None for k in then):
                raise ValueError("a key this type requires is missing")
        for key in unique:
            v = getattr(self, key)
            if v is not None and len(set(v)) != len(v):
                raise ValueError("the same entry twice")

    return __post_init__


@cache
def model() -> Any:
    """The msgspec type of a period file, generated from its packaged schema."""
    from okrctl.read.schemas import schema

    root = schema(KIND)
    return _Gen(root).type(root, "file")


def accepts(value: object) -> bool:
    """True only when the committed validators accept ``value`` too (see the module doc)."""
    import msgspec

    tp = _usable_model()
    if tp is None:
        return False
    try:
        msgspec.convert(value, tp, dec_hook=_number_hook)
    except msgspec.ValidationError:
        return False
    return True


@cache
def _usable_model() -> Any:
    """:func:`model`, or None when the schema has outgrown the generator (then the
    committed validators decide every file, as before the typed model)."""
    try:
        return model()
    except Unsupported:
        return None
