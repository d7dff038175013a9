"""The export tables: definitions, schemas and docs in step; names only on request."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from okrctl.reports import export as X
from conftest import ROOT


def test_schemas_match_the_table_definitions():
    for t in X.SPECS:
        on_disk = json.loads((ROOT / "schema" / "export" / f"{t}.schema.json").read_text(encoding="utf-8"))
        assert on_disk == X.json_schema(t), f"regenerate schema/export/{t}.schema.json"
    assert sorted(p.name for p in (ROOT / "schema" / "export").iterdir()) == sorted(f"{t}.schema.json" for t in X.SPECS)


def test_docs_list_every_column_with_its_type():
    doc = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    sections = re.split(r"^### `([\w]+)`$", doc, flags=re.M)
    documented = {sections[i]: sections[i + 1] for i in range(1, len(sections), 2) if sections[i] in X.SPECS}
    assert set(documented) == set(X.SPECS)
    for t, text in documented.items():
        rows = re.findall(r"^\| `([\w]+)` \| (\w+) \| (.+) \|$", text, flags=re.M)
        assert [(n, ty) for n, ty, _ in rows] == [(n, ty) for n, ty, _ in X.SPECS[t]], t


def test_person_columns_only_with_names():
    for t in X.SPECS:
        plain = {c.name for c in X.columns(t)}
        named = {c.name for c in X.columns(t, with_names=True)}
        assert not plain & X.NAME_COLUMNS
        assert named - plain == named & X.NAME_COLUMNS


@pytest.fixture(scope="module")
def sample_tables():
    from okrctl import load, score

    ws = load(ROOT / "sample-workspace").workspace
    return X.export_tables([score(ws)]), ws


def test_rows_validate_against_their_schemas(sample_tables):
    from okrctl.render.export import json_doc

    tables, _ = sample_tables
    doc = json_doc(tables)
    for t, rows in doc["tables"].items():
        assert rows, t
        v = jsonschema.Draft202012Validator(X.json_schema(t), format_checker=jsonschema.FormatChecker())
        for r in rows:
            v.validate(r)


def test_checkin_positions_and_current(sample_tables):
    tables, _ = sample_tables
    ck = list(tables["checkins"].records())
    # exactly one current check-in per KR that has data, and it is never superseded
    current = [r for r in ck if r["current"]]
    assert len({r["ref"] for r in current}) == len(current)
    assert not any(r["superseded"] for r in current)
    krs = {r["ref"]: r for r in tables["key_results"].records()}
    for r in current:
        assert krs[r["ref"]]["value_date"] == r["date"]
    assert all(r["date"] <= r["as_of"] for r in ck)
