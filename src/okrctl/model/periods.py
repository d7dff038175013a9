"""Period ids and calendar arithmetic (docs/format.md).

A period is ``YYYY`` (year), ``YYYY-H1``/``YYYY-H2`` (half) or ``YYYY-Q1``..``Q4``
(quarter).  A year is named after the calendar year in which it ends: with
``fiscal_year_start`` m > 1, year ``YYYY`` runs from (YYYY−1)-m-01 to
YYYY-(m−1)-last day.  Start and end dates are inclusive.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PERIOD_RE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<kind>[HQ])(?P<n>[1-4]))?\Z")

PeriodKind = Literal["year", "half", "quarter"]
_KIND_MONTHS = {"year": 12, "half": 6, "quarter": 3}


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    idx = year * 12 + (month - 1) + months
    return idx // 12, idx % 12 + 1


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    kind: PeriodKind
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def encloses(self, other: "Period") -> bool:
        """True when ``other`` lies within this period (equal periods included)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, start: date | None, end: date | None) -> bool:
        return (start is None or start <= self.end) and (end is None or end >= self.start)

    def __str__(self) -> str:
        return self.id


#: the years a period (and so any date okrctl scores or judges at) may fall in
MIN_YEAR, MAX_YEAR = 1900, 2999


def is_period_id(text: str) -> bool:
    m = PERIOD_RE.match(text)
    if not m:
        return False
    kind, n = m.group("kind"), m.group("n")
    return kind is None or (kind == "H" and n in "12") or kind == "Q"


def parse_period(text: str, fiscal_year_start: int = 1) -> Period:
    """Parse a period id; raises ValueError with a readable message."""
    m = PERIOD_RE.match(text)
    if not m or not is_period_id(text):
        raise ValueError(f"{text!r} is not a period id (YYYY, YYYY-H1, YYYY-H2 or YYYY-Q1..Q4)")
    year = int(m.group("year"))
    if year < MIN_YEAR or year > MAX_YEAR:
        raise ValueError(f"{text!r}: year out of range")
    fy = fiscal_year_start
    # first month of fiscal year `year`
    sy, sm = (year, 1) if fy == 1 else (year - 1, fy)
    kind_letter, n = m.group("kind"), m.group("n")
    if kind_letter is None:
        kind: PeriodKind = "year"
        offset = 0
    elif kind_letter == "H":
        kind = "half"
        offset = (int(n) - 1) * 6
    else:
        kind = "quarter"
        offset = (int(n) - 1) * 3
    y0, m0 = _add_months(sy, sm, offset)
    y1, m1 = _add_months(y0, m0, _KIND_MONTHS[kind] - 1)
    end = date(y1, m1, calendar.monthrange(y1, m1)[1])
    return Period(text, kind, date(y0, m0, 1), end)


def periods_containing(d: date, fiscal_year_start: int = 1) -> list[Period]:
    """The quarter, half and year containing ``d``, shortest first."""
    # the fiscal year containing d is named after the calendar year in which it ends
    if fiscal_year_start == 1:
        fy = d.year
    else:
        fy = d.year + 1 if d.month >= fiscal_year_start else d.year
    year = parse_period(str(fy), fiscal_year_start)
    months = (d.year - year.start.year) * 12 + d.month - year.start.month
    q = months // 3 + 1
    h = months // 6 + 1
    return [
        parse_period(f"{fy}-Q{q}", fiscal_year_start),
        parse_period(f"{fy}-H{h}", fiscal_year_start),
        year,
    ]


def day_after(d: date) -> date:
    return d + timedelta(days=1)
