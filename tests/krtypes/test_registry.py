"""The KR type registry: one module per ``type:`` of FORMAT §5, and every place
that names the types agrees with it."""

from __future__ import annotations

import json
import typing

import pytest
from conftest import ROOT
from factories import kr, metric

from okrctl import krtypes
from okrctl.model import records


def test_registry_names_in_format_order():
    assert krtypes.NAMES == ("metric", "boolean", "milestone", "maintain", "aligned")
    assert all(krtypes.get(n).name == n for n in krtypes.NAMES)
    assert krtypes.of(metric()) is krtypes.get("metric")
    with pytest.raises(ValueError, match="unknown KR type 'ratio'"):
        krtypes.get("ratio")


def test_schema_and_model_list_the_registered_types():
    schema = json.loads((ROOT / "schema" / "okr-file.schema.json").read_text(encoding="utf-8"))
    kr_def = schema["$defs"]["keyResult"]["properties"]["type"]
    assert tuple(kr_def["enum"]) == krtypes.NAMES
    assert typing.get_args(records.KRType) == krtypes.NAMES


def test_typed_fields_are_the_union_of_the_types_fields():
    assert krtypes.TYPED_FIELDS == {"baseline", "target", "direction", "aggregate", "threshold", "due", "milestones"}


def test_a_field_the_type_ignores_is_judged_by_the_type_that_uses_it():
    # FORMAT §8 as before the split: a maintain KR's (ignored) target still counts as eased
    m = kr(type="maintain", threshold=5, baseline=0, target=10)
    assert krtypes.eased(m, "target", 10, 5) is True
    b = kr(type="boolean", threshold=5)
    assert krtypes.eased(b, "threshold", 5, 4) is True
    assert krtypes.eased(b, "due_days", 7, 1) is False
