"""The committed compiled validators (read/_validators.py) are exactly what the
generator makes from the packaged schemas today, and they decide like
fastjsonschema compiled in the process and like jsonschema."""

from __future__ import annotations

import copy

import fastjsonschema
import pytest

from conftest import SAMPLE
from okrctl.read import schemagen, schemas


def test_the_committed_validators_are_regenerated_from_the_schemas():
    assert schemagen.TARGET.read_text(encoding="utf-8") == schemagen.source(), (
        "schema changed: run `uv run python -m okrctl.read.schemagen` and commit read/_validators.py")


def _docs():
    for path in sorted(SAMPLE.rglob("*.yaml")):
        kind = {"okrctl.yaml": "workspace", "units.yaml": "units"}.get(path.name, "okr-file")
        yield kind, path


def _mutations(value):
    """The document and a few broken copies (a wrong type, an unknown key, a removed key)."""
    yield value
    if isinstance(value, dict):
        for key in list(value)[:4]:
            for bad in (None, 7, "x", [], {"y": 1}):
                broken = copy.deepcopy(value)
                broken[key] = bad
                yield broken
            gone = copy.deepcopy(value)
            del gone[key]
            yield gone
        extra = copy.deepcopy(value)
        extra["nonsense"] = 1
        yield extra


@pytest.mark.parametrize("kind,path", list(_docs()), ids=lambda x: getattr(x, "name", x))
def test_committed_validators_decide_like_fastjsonschema_and_jsonschema(kind, path):
    from okrctl.read.yamlread import parse

    value = parse(path.read_bytes(), str(path))[0].value
    compiled = fastjsonschema.compile(schemas.schema(kind), formats={"date": schemas._is_date})
    for doc in _mutations(value):
        try:
            compiled(copy.deepcopy(doc))
            expected = True
        except fastjsonschema.JsonSchemaException:
            expected = False
        assert schemas.is_valid(kind, doc) == expected
        assert schemas._slow(kind).is_valid(doc) == expected
