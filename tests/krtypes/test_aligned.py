"""``type: aligned`` (FORMAT §5, §6.6.5): the module's own part.  The feeders are
found and scored by the engine: see the aligned tests in tests/engine/test_scoring.py."""

from __future__ import annotations

from fractions import Fraction as F

from factories import ci, kr, objective
from krscore import MID, Q1

from okrctl import krtypes

TYPE = krtypes.get("aligned")


def test_aligned_reads_the_mean_the_engine_passes():
    k = kr(type="aligned")
    assert TYPE.fed_by_objectives is True
    r = TYPE.read(k, None, MID, F(2, 3))
    assert (r.value, r.progress, r.raw) == (None, None, F(2, 3))
    assert TYPE.read(k, None, MID, None).raw is None


def test_aligned_status_no_data_without_score_or_data_else_by_pace():
    k = kr(type="aligned")
    r = TYPE.read(k, None, MID, F(1, 2))
    assert TYPE.status(k, r, None, None, True, MID, Q1) == "no_data"
    assert TYPE.status(k, r, F(1, 2), None, False, MID, Q1) == "no_data"
    assert TYPE.status(k, r, F(1, 2), None, True, MID, Q1) is None


def test_aligned_checks():
    k = kr(type="aligned", checkins=[ci("2026-01-15", 1)], frequency="weekly")
    out = TYPE.check(k, "O1/KR1", [], "2026-Q1")
    assert [d.code for d in out] == ["OKR226", "OKR226", "OKR214"]
    assert out[2].message.startswith("O1/KR1: no objective of 2026-Q1 has aligns_to naming ")
    assert TYPE.check(kr(type="aligned"), "O1/KR1", [objective("O2")], "2026-Q1") == []


def test_aligned_has_no_fields_and_a_null_json_value():
    assert TYPE.fields == frozenset()
    assert TYPE.value_json(None) is None
    assert TYPE.direction(kr(type="aligned", direction="increase")) is None
