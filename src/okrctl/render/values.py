"""Number and value formatting shared by every human-readable format."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def num(x: object, places: int = 2) -> str:
    """An exact number for people: at most ``places`` decimals, no trailing zeros."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, Fraction):
        d = Decimal(x.numerator) / Decimal(x.denominator)
    elif isinstance(x, (int, Decimal)):
        d = Decimal(x)
    else:
        return str(x)
    q = d.quantize(Decimal(1).scaleb(-places))
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def score(x: Fraction | None) -> str:
    return "—" if x is None else num(x, 2)


def percent(x: Fraction | None) -> str:
    return "—" if x is None else f"{num(x * 100, 0)}%"
