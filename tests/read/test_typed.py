"""The typed model of a period file (read/typed.py, generated from the published
schema) decides like the committed validators and jsonschema: it accepts only valid
documents, and every valid one except the documented narrowings (free ``x-`` keys,
pinned-evidence objects, integers written as decimals).  Non-finite numbers are not
generated: the reader never gives one (and the committed validators raise on one)."""

from __future__ import annotations

import copy
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from okrctl.read import schemas, typed
from okrctl.read.yamlread import parse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_workspace import generate  # noqa: E402


def _value(path: Path):
    return parse(path.read_bytes(), str(path))[0].value


SAMPLE_FILES = sorted((SAMPLE / "okrs").glob("*/*.yaml"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list:
    root = tmp_path_factory.mktemp("typed") / "ws"
    return [_value(f) for f in generate(root, units=3, quarters=1, seed=11)]


def _narrowed(value, key=None) -> bool:
    """Does the document hold what the typed model leaves to the validators by design?"""
    if isinstance(value, dict):
        return any(k.startswith("x-") or _narrowed(v, k) for k, v in value.items())
    if isinstance(value, list):
        return any(isinstance(v, dict) for v in value) if key == "evidence" else any(_narrowed(v) for v in value)
    return key == "due_days" and isinstance(value, Decimal)


def _agree(doc) -> None:
    valid = schemas.is_valid("okr-file", doc)
    assert schemas._slow("okr-file").is_valid(doc) == valid
    accepted = typed.accepts(doc)
    if accepted:
        assert valid, "the typed model accepted an invalid document"
    elif valid:
        assert _narrowed(doc), "the typed model refused a valid document it models"


def test_the_model_is_generated_from_the_schema():
    m = typed.model()
    assert m.__name__ == "T_file"
    assert set(m.__struct_fields__) == set(schemas.schema("okr-file")["properties"])


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_file_is_accepted(path):
    value = _value(path)
    assert schemas.is_valid("okr-file", value)
    assert typed.accepts(value) == (not _narrowed(value))


def test_generated_files_are_accepted(generated):
    assert all(typed.accepts(v) for v in generated)


def test_each_kind_of_invalid_document_is_refused(generated):
    base = generated[0]
    kr = ("objectives", 0, "key_results", 0)
    ci = (*kr, "checkins", 0)
    cases = {
        "unknown key": ((*kr, "basline"), Decimal(1)),
        "x- key (valid, left to the validators)": ((*kr, "x-note"), "free"),
        "wrong type": ((*kr, "title"), 7),
        "number as text": ((*kr, "target"), "12"),
        "boolean as number": ((*kr, "target"), True),
        "confidence above 1": ((*ci, "confidence"), Decimal("1.01")),
        "negative weight": ((*kr, "weight"), Decimal("-0.5")),
        "not a real date": ((*ci, "date"), "2025-02-30"),
        "date with a newline": ((*ci, "date"), "2025-02-03\n"),
        "id with a newline": ((*kr, "id"), "KR1\n"),
        "empty title": ((*kr, "title"), ""),
        "enum": ((*kr, "aggregate"), "mean"),
        "due_days over 366": ((*kr, "due_days"), 367),
        "null": ((*kr, "owner"), None),
        "empty key_results": (("objectives", 0, "key_results"), []),
        "done twice": ((*ci, "done"), ["M1", "M1"]),
        "maintain without threshold": ((*kr, "type"), "maintain"),
        "milestone without milestones": ((*kr, "type"), "milestone"),
    }
    for name, (path, new) in cases.items():
        doc = copy.deepcopy(base)
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        parent[path[-1]] = new
        valid = schemas.is_valid("okr-file", doc)
        assert typed.accepts(doc) is False, name
        assert valid == name.startswith("x- key"), name
    doc = copy.deepcopy(base)
    del doc["objectives"][0]["key_results"][0]["baseline"]  # a metric KR (type left out) needs its baseline
    assert not typed.accepts(doc) and not schemas.is_valid("okr-file", doc)


_EDGES = [None, True, False, 0, -1, 1, 366, 367, 10 ** 39, Decimal("0"), Decimal("1"), Decimal("-0.0"),
          Decimal("1.0000001"), Decimal("-0.1"), Decimal("0.5"), Decimal("7.0"), Decimal("1E+2"), "", "x", "O1",
          "O1\n", "KR-2_b", "a" * 2001, "b" * 129, "2025-02-30", "2025-01-05", "2025-1-5", "2024-02-29",
          "increase", "sum", "metric", "boolean", "milestone", "maintain", "aligned", "weekly",
          "so-khcn/O1", "2025-Q1/so-khcn/O1/KR1", "2025-Q5/x/O1", [], {}, ["M1", "M1"], ["M1"], [1],
          {"sha256": "0" * 64, "path": "a.pdf"}, {"date": "2025-01-05", "reason": "r", "approved_by": "an"},
          {"note": "n"}]
_KEYS = ["id", "title", "type", "baseline", "target", "threshold", "direction", "aggregate", "due", "milestones",
         "frequency", "due_days", "weight", "checkins", "value", "done", "confidence", "by", "note", "evidence",
         "date", "owner", "unit", "kind", "aligns_to", "added", "cancelled", "review", "x-mine", "nonsense",
         "key_results", "kpis", "measurements", "alert", "source", "description", "period", "rebaselines"]


def _containers(value, out):
    if isinstance(value, dict):
        out.append(value)
        for v in value.values():
            _containers(v, out)
    elif isinstance(value, list):
        out.append(value)
        for v in value:
            _containers(v, out)
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_near_the_schemas_edges_are_decided_alike(generated, data):
    """Random documents near the schema's edges: replaced, added and removed keys and
    items with edge values; the typed model never accepts what the validators refuse."""
    bases = [*generated[:1], *(_value(p) for p in SAMPLE_FILES[:3])]
    doc = copy.deepcopy(data.draw(st.sampled_from(bases)))
    for _ in range(data.draw(st.integers(1, 3))):
        conts = _containers(doc, [])
        c = data.draw(st.sampled_from(conts))
        op = data.draw(st.sampled_from(["set", "add", "del"]))
        new = copy.deepcopy(data.draw(st.sampled_from(_EDGES)))
        if isinstance(c, dict):
            if op == "del" and c:
                del c[data.draw(st.sampled_from(sorted(c)))]
            elif op == "add":
                c[data.draw(st.sampled_from(_KEYS))] = new
            elif c:
                c[data.draw(st.sampled_from(sorted(c)))] = new
        elif isinstance(c, list):
            if op == "del" and c:
                c.pop(data.draw(st.integers(0, len(c) - 1)))
            elif op == "add" or not c:
                c.append(new)
            else:
                c[data.draw(st.integers(0, len(c) - 1))] = new
    _agree(doc)


def test_a_load_through_the_typed_model_gives_exactly_the_validators_result(tmp_path, monkeypatch):
    from okrctl.read.loader import ParseCache, load_workspace
    from okrctl.read.source import WorkingTreeSource

    files = generate(tmp_path / "ws", units=6, quarters=1, seed=3)
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("confidence: 0.", "confidence: 1.", 1), encoding="utf-8")
    files[2].write_text(files[2].read_text(encoding="utf-8").replace("\n    title:", "\n    x-mine: 1\n    title:", 1),
                        encoding="utf-8")
    monkeypatch.setattr(schemas, "TYPED_AFTER", 10 ** 9)
    before = load_workspace(WorkingTreeSource(tmp_path / "ws"), cache=ParseCache())
    calls: list[bool] = []
    real = typed.accepts
    monkeypatch.setattr(typed, "accepts", lambda v: calls.append(real(v)) or calls[-1])
    monkeypatch.setattr(schemas, "TYPED_AFTER", 0)
    after = load_workspace(WorkingTreeSource(tmp_path / "ws"), cache=ParseCache())
    assert calls.count(True) == 4 and calls.count(False) == 2  # the broken file and the x- key
    assert after.diagnostics == before.diagnostics
    assert [d.code for d in after.diagnostics] == ["OKR104"]
    assert after.workspace == before.workspace
