"""Value formatting in one place: numbers, scores, percentages, dates, counts and
check-in values for people (``vi``/``en`` labels), and :func:`raw` for machines
(CSV cells)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from okrctl.render.i18n import t
from okrctl.render.textsafe import one_line

if TYPE_CHECKING:
    from okrctl.engine.results import KPIScore, KRScore

#: an empty value for people
NONE = "—"


def own_score_text(scored: bool, x: Fraction | None, locale: str) -> str:
    """A unit's own score, or "not scored" (its file has errors)."""
    return score(x) if scored else t("not_scored", locale)


def rolled_score_text(complete: bool, x: Fraction | None, locale: str) -> str:
    """A rolled-up score, or "incomplete" when a unit in the roll-up is not scored."""
    return score(x) if complete else t("incomplete", locale)


def num(x: object, places: int = 2) -> str:
    """An exact number for people: at most ``places`` decimals, no trailing zeros."""
    if x is None:
        return NONE
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (Fraction, int, Decimal)):
        from okrctl.krtypes.exact import fixed

        return fixed(x, places)
    return str(x)


def score(x: Fraction | None) -> str:
    return NONE if x is None else num(x, 2)


def percent(x: Fraction | None) -> str:
    """``0.4945`` → ``49%``."""
    return NONE if x is None else f"{num(x * 100, 0)}%"


def day(d: date | None) -> str:
    """A date for people: ISO 8601 in every locale (``2026-05-15``)."""
    return NONE if d is None else d.isoformat()


def count(n: int) -> str:
    """A count with thousands separators: ``12,345``."""
    return f"{n:,}"


def yes_no(x: bool | None, locale: str) -> str:
    return NONE if x is None else t("yes" if x else "no", locale)


def kr_value(k: KRScore, locale: str) -> str:
    """A key result's value against its target: ``77 / 80 %``, ``0 (≤ 0) sự cố``,
    ``có``, ``2/3`` (milestones done)."""
    kr = k.kr
    unit = f" {kr.unit}" if kr.unit else ""
    if kr.type == "metric":
        return f"{num(k.value)} / {num(kr.target)}{unit}"
    if kr.type == "maintain":
        op = "≥" if (kr.direction or "increase") == "increase" else "≤"
        return f"{num(k.value)} ({op} {num(kr.threshold)}){unit}"
    if kr.type == "boolean":
        return yes_no(None if k.value is None else bool(k.value), locale)
    if kr.type == "milestone":
        done = len(k.value) if isinstance(k.value, tuple) else 0
        return f"{done}/{len(kr.milestones)}"
    return NONE


def kpi_value(k: KPIScore) -> str:
    """A KPI's value against its target: ``97.4 / 98 %``."""
    unit = f" {k.kpi.unit}" if k.kpi.unit else ""
    return f"{num(k.value)} / {num(k.kpi.target)}{unit}"


def raw(x: object) -> str:
    """A value for machines (CSV): exact integers and decimals as written,
    other fractions as the shortest float, ISO dates, ``true``/``false``,
    milestone ids joined with commas, ``""`` for none."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, Fraction):
        return repr(float(x)) if x.denominator != 1 else str(x.numerator)
    if isinstance(x, tuple):
        return ",".join(x)
    return str(x)


def plain(v: Any, limit: int = 80, *, none: str = "none") -> str:
    """A value for people (a change, a recorded score): YAML-like, on one line,
    shortened to ``limit`` characters; ``none`` is what an absent value reads as."""
    if v is None:
        return none
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return format(v, "f") if isinstance(v, Decimal) else str(v)
    if isinstance(v, Fraction):
        return num(v, 4)
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        if v and all(isinstance(m, dict) and "id" in m for m in v):  # milestones
            return "[" + ", ".join(milestone(m) for m in v) + "]"
        return shorten("[" + ", ".join(plain(x, limit) for x in v) + "]", limit)
    if isinstance(v, dict):
        return shorten("{" + ", ".join(f"{k}: {plain(x, limit)}" for k, x in v.items()) + "}", limit)
    return shorten(one_line(str(v)), limit)


def shorten(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def milestone(m: dict) -> str:
    extra = []
    if m.get("weight", 1) != 1:
        extra.append(f"weight {plain(m['weight'])}")
    if m.get("due") is not None:
        extra.append(f"due {plain(m['due'])}")
    return one_line(str(m["id"])) + (f" ({', '.join(extra)})" if extra else "")
