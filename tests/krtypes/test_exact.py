"""Exact conversions: the fast paths and the per-value text of ``fixed`` give what
the plain conversion gives, for every type of the same value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrctl.krtypes.exact import _fixed, as_float, fixed, to_fraction

fractions = st.fractions(max_denominator=10**6).filter(lambda f: abs(f) < 10**12)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9, max_value=10**9)


@given(fractions, st.integers(min_value=0, max_value=6))
def test_fixed_kept_per_value_is_the_computed_text(f, places):
    assert fixed(f, places) == _fixed.__wrapped__(f, places)
    assert fixed(f, places) == fixed(f, places)


@given(decimals, st.integers(min_value=0, max_value=6))
def test_a_decimal_and_its_fraction_give_the_same_text_and_float(d, places):
    f = Fraction(d)
    assert to_fraction(d) == f and type(to_fraction(d)) is Fraction
    assert fixed(d, places) == fixed(f, places) == _fixed.__wrapped__(f, places)
    assert as_float(d) == as_float(f) == f.numerator / f.denominator


def test_exact_examples_and_refusals():
    assert fixed(Decimal("0.4945"), 2) == "0.49"
    assert fixed(Fraction(-1, 1000), 2) == "0"
    assert fixed(Decimal("1e30"), 2) == "1" + "0" * 30
    assert as_float(Fraction(7, 10)) == 0.7
    for bad in (True, 0.5):
        with pytest.raises(TypeError):
            fixed(bad, 2)  # never answered from the values kept for 1 or 1/2
    fixed(1, 2)
    with pytest.raises(TypeError):
        fixed(True, 2)
    for bad in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            fixed(bad, 2)
