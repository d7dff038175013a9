"""Exact numbers for scoring (docs/scoring.md): record numbers become :class:`Fraction`.

Shared by the KR type modules and the engine; imports nothing of okrctl but the model.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction

from okrctl.model.records import Number

ZERO = Fraction(0)
ONE = Fraction(1)


def to_fraction(x: Number | Fraction) -> Fraction:
    """Exact conversion of a record number.  ``bool`` and ``float`` are refused:
    a binary double would silently break exactness (0.7 ≠ 7/10)."""
    t = type(x)
    if t is Fraction:  # the common cases first: scoring converts ≈ 250 numbers per file
        return x  # type: ignore[return-value]
    if t is Decimal and x.is_finite():  # type: ignore[union-attr]
        return Fraction(x)
    if isinstance(x, (bool, float)):
        raise TypeError(f"not an exact number: {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"not a finite number: {x!r}")
        return Fraction(x)
    raise TypeError(f"not a number: {x!r}")


def frac_or_none(x: Number | None) -> Fraction | None:
    return None if x is None else to_fraction(x)


def clamp(x: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    return lo if x < lo else min(x, hi)


def as_float(x: Number | Fraction | None) -> float | None:
    """The nearest double (int / int true division is correctly rounded); JSON numbers."""
    if x is None:
        return None
    if type(x) is Fraction:
        return float(x)  # numerator / denominator: the same correctly rounded division
    return float(to_fraction(x))


def fixed(x: Number | Fraction, places: int) -> str:
    """``x`` rounded half-even to ``places`` decimals, trailing zeros dropped
    (``0.4945`` → ``0.49``), exactly however large: the default 28-digit decimal
    context gave InvalidOperation for a score of 1e30 (``scoring.max_score: 1e40``,
    issue 12 #20).  The text depends on the exact value alone, so it is kept per
    value (a table of 2,000 units writes the same few thousand numbers 150,000 times)."""
    f = to_fraction(x)  # refuses bool, float and non-finite decimals, never kept
    return _fixed(f, places)


@functools.lru_cache(maxsize=1 << 16)
def _fixed(f: Fraction, places: int) -> str:
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = len(str(abs(f.numerator) // f.denominator)) + places + 30
        d = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal(1).scaleb(-places))
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
