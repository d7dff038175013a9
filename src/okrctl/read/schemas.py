"""JSON Schemas: the single source of truth for the three file kinds.

The canonical files live in ``schema/`` at the repository root; the package ships
an identical copy (a test keeps them equal).  Validation has two tiers:

1. a compiled validator (fastjsonschema's generated Python code, ~20× faster than
   jsonschema, committed as ``read/_validators.py`` by ``read/schemagen.py``)
   answers "valid or not" for every document;
2. only a document that failed is explained by jsonschema, which lists *every*
   error; each is mapped to the line and column of the offending node.

Remote ``$ref``s are never fetched: the jsonschema registry refuses retrieval and
the generator gives fastjsonschema a handler table that refuses every URI scheme.
"""

from __future__ import annotations

from okrctl.model.messages import N_, _

import json
import re
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import islice
from importlib import resources

from okrctl.model.problems import Problem
from okrctl.read.yamlread import Parsed

KINDS = ("workspace", "units", "okr-file")
#: schema errors explained per file; a file with thousands is listed in part
MAX_EXPLAINED = 200


@cache
def schema(kind: str) -> dict:
    data = resources.files("okrctl").joinpath("schema", f"{kind}.schema.json").read_text("utf-8")
    return json.loads(data)


@cache
def _fast(kind: str):
    """The compiled validator of ``kind``: generated at development time from the
    packaged schema into ``read/_validators.py`` (``python -m okrctl.read.schemagen``;
    a test regenerates it and compares), imported like any other module, never
    generated per run nor loaded from a cache (docs/performance.md, docs/security.md)."""
    from okrctl.read._validators import VALIDATORS

    fn, formats = VALIDATORS[kind], {"date": _is_date}
    return lambda value: fn(value, formats)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


#: a ``$`` not preceded by a backslash (fastjsonschema's own rewrite)
_DOLLAR = re.compile(r"(?<!\\)\$")


def _pattern(validator, pattern: str, instance: object, schema: dict):
    """``pattern`` as ECMA-262 and fastjsonschema read it: ``$`` is the end of the
    text.  (Python's ``$`` also matches before a final newline, so ``"O1\\n"`` would
    pass here, fail the fast tier, and end as a vague OKR100.)"""
    import jsonschema

    if isinstance(instance, str) and not re.search(_DOLLAR.sub(r"\\Z", pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _slow(kind: str):
    import jsonschema
    import referencing
    import referencing.exceptions

    def retrieve(uri: str):
        raise referencing.exceptions.NoSuchResource(ref=uri)

    registry = referencing.Registry(retrieve=retrieve)
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date")(_is_date)
    validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})
    return validator(schema(kind), registry=registry, format_checker=checker)


def is_valid(kind: str, value: object) -> bool:
    from okrctl.read._validators import Invalid

    try:
        _fast(kind)(value)
    except Invalid:
        return False
    return True


def _scalar_text_fix(kind: str, doc: Parsed) -> bool:
    """YAML typing by the schema: where the schema wants text and the document has
    a plain scalar that YAML 1.2 read as a number or boolean (``title: 2026``,
    ``id: 007``), use the scalar's source text.  Returns True if anything changed."""
    changed = False
    for err in islice(_slow(kind).iter_errors(doc.value), MAX_EXPLAINED * 5):
        if err.validator != "type":
            continue
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        inst = err.instance
        if "string" not in wanted or isinstance(inst, (str, dict, list)) or inst is None:
            continue
        path = list(err.absolute_path)
        if not path:
            continue
        text = doc.source_text(path)
        if text is None:
            continue
        parent = doc.value
        for part in path[:-1]:
            parent = parent[part]  # type: ignore[index]
        parent[path[-1]] = text  # type: ignore[index]
        changed = True
    return changed


#: period files validated in this process before the typed model (msgspec) is used:
#: importing msgspec and generating the model (≈ 20–35 ms) pays only on larger loads
TYPED_AFTER = 16
_typed_seen = 0


def _typed_accepts(kind: str, value: object) -> bool:
    """The typed model's "valid" (:mod:`okrctl.read.typed`); False (undecided: the
    committed validators decide) for other kinds and the first files of a process."""
    global _typed_seen
    if kind != "okr-file":
        return False
    _typed_seen += 1
    if _typed_seen <= TYPED_AFTER:
        return False
    from okrctl.read import typed

    return typed.accepts(value)


def validate(kind: str, doc: Parsed, path: str) -> list[Problem]:
    """Validate a parsed document; coerce plain scalars to text where the schema
    wants text; return diagnostics with positions (empty when valid).  A period file
    the typed model accepts is valid (it accepts only what the committed validators
    accept); anything else is decided by them and explained by jsonschema."""
    if _typed_accepts(kind, doc.value) or is_valid(kind, doc.value):
        return []
    for _unused in range(3):
        if not _scalar_text_fix(kind, doc):
            break
        if is_valid(kind, doc.value):
            return []
    errors = list(islice(_slow(kind).iter_errors(doc.value), MAX_EXPLAINED + 1))
    flat: list[Problem] = []
    for err in errors[:MAX_EXPLAINED]:
        flat.extend(_to_diagnostic(err, doc, path, kind))
    if not flat:  # the two validators disagree: never pass silently
        flat.append(Problem.make("OKR100", path, 1, 1, _("the document does not match its schema")))
    if len(errors) > MAX_EXPLAINED:
        flat.append(Problem.make("OKR100", path, 1, 1, _("more than {MAX_EXPLAINED} schema errors; only the first {MAX_EXPLAINED} are listed").format(MAX_EXPLAINED=MAX_EXPLAINED)))
    return flat


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


_TYPE_NAMES = {"string": N_("text"), "number": N_("a number"), "integer": N_("a whole number"),
               "boolean": N_("true or false"), "object": N_("a mapping"), "array": N_("a list"), "null": "null"}


def _where(root: object, path: list) -> str:
    """A readable location: ``objectives[O1].key_results[KR2].checkins[3]``."""
    out = ""
    node = root
    for p in path:
        if isinstance(p, int):
            item = node[p] if isinstance(node, list) and p < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) else f"[{p + 1}]"
            node = item
        else:
            out += f".{p}" if out else str(p)
            node = node.get(p) if isinstance(node, dict) else None
    return out or _("the document")


def _to_diagnostic(err, doc: Parsed, path: str, kind: str) -> list[Problem]:
    loc = list(err.absolute_path)
    where = _where(doc.value, loc)
    v = err.validator
    if v in ("if", "allOf", "anyOf", "not"):
        subs = list(err.context or [])
        if subs:
            out = []
            for sub in subs:
                out.extend(_to_diagnostic(sub, doc, path, kind))
            return out
    if v == "additionalProperties" and isinstance(err.instance, dict):
        props = err.schema.get("properties", {})
        out = []
        for key in err.instance:
            if key in props or key.startswith("x-"):
                continue
            line, col = doc.position(loc + [key], key=True)
            hint = _suggest(key, props) if len(out) < MAX_EXPLAINED else ""  # the rest are only counted
            if kind == "workspace" and loc == ["policy", "rules"]:
                out.append(Problem.make("OKR243", path, line, col,
                                           _("policy.rules: {key!r} is not a rule of okrctl check{hint}; the rules are {props}").format(key=key, hint=hint, props=', '.join(props))))
                continue
            out.append(Problem.make("OKR101", path, line, col,
                                       _("unknown key {key!r} in {where}{hint}; keys starting with 'x-' are free for your own data").format(key=key, where=where, hint=hint)))
        return out
    if v == "required":
        missing = [k for k in err.validator_value if k not in err.instance]
        line, col = doc.position(loc, key=bool(loc))
        return [Problem.make("OKR102", path, line, col, _("{where} is missing required key {k!r}").format(where=where, k=k)) for k in missing]
    line, col = doc.position(loc)
    if v == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = _TYPE_NAMES.get(wanted[0], wanted[0])
        for w in wanted[1:]:
            names = _("{one} or {other}").format(one=names, other=_TYPE_NAMES.get(w, w))
        hint = ""
        if isinstance(err.instance, str) and "boolean" in wanted and err.instance.lower() in ("yes", "no", "on", "off", "y", "n"):
            hint = _(" (YAML 1.2 reads yes/no/on/off as text; write true or false)")
        elif isinstance(err.instance, str) and any(w in ("number", "integer") for w in wanted):
            hint = _(" (it is quoted or not a plain decimal number)")
        return [Problem.make("OKR103", path, line, col, _("{where} must be {names}, not {describe}{hint}").format(where=where, names=names, describe=_describe(err.instance), hint=hint))]
    if v == "format" or (v == "pattern" and err.schema.get("format") == "date"):
        return [Problem.make("OKR105", path, line, col, _("{where}: {describe} is not a real date (YYYY-MM-DD)").format(where=where, describe=_describe(err.instance)))]
    if v == "enum":
        opts = ", ".join(str(o) for o in err.validator_value)
        return [Problem.make("OKR104", path, line, col, _("{where}: {describe} is not one of: {opts}").format(where=where, describe=_describe(err.instance), opts=opts))]
    if v == "const":
        return [Problem.make("OKR104", path, line, col, _("{where} must be {validator_value!r}").format(where=where, validator_value=err.validator_value))]
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        rel = {"minimum": _("at least"), "maximum": _("at most"), "exclusiveMinimum": _("more than"),
               "exclusiveMaximum": _("less than")}[v]
        return [Problem.make("OKR104", path, line, col, _("{where} must be {rel} {validator_value}, not {describe}").format(where=where, rel=rel, validator_value=err.validator_value, describe=_describe(err.instance)))]
    if v == "pattern":
        return [Problem.make("OKR104", path, line, col, _("{where}: {describe} does not match the required form {validator_value}").format(where=where, describe=_describe(err.instance), validator_value=err.validator_value))]
    if v in ("minItems", "minLength"):
        what = _("must not be empty") if err.validator_value == 1 else _("needs at least {n} entries").format(n=err.validator_value)
        return [Problem.make("OKR104", path, line, col, _("{where} {what}").format(where=where, what=what))]
    if v in ("maxLength", "maxItems"):
        return [Problem.make("OKR104", path, line, col, _("{where} is too long (at most {validator_value})").format(where=where, validator_value=err.validator_value))]
    if v == "uniqueItems":
        return [Problem.make("OKR104", path, line, col, _("{where} lists the same entry twice").format(where=where))]
    if v == "oneOf":
        return [Problem.make("OKR104", path, line, col, _("{where}: {describe} is not a valid value").format(where=where, describe=_describe(err.instance)))]
    return [Problem.make("OKR100", path, line, col, _("{where}: {message}").format(where=where, message=err.message))]


def _suggest(key: str, props: dict) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(props), n=1, cutoff=0.75)
    return _(" (did you mean {key!r}?)").format(key=close[0]) if close else ""
