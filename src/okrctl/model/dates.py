"""Dates of the workspace (docs/format.md, docs/scoring.md): "today" in the workspace time zone, the
scoring date D and the default period.

Today's date depends on the workspace ``timezone``.  What an unknown zone name does
is the caller's choice, explicit in ``on_unknown_zone``:

* ``"raise"`` (the default): the error of :mod:`zoneinfo` propagates
  (``ZoneInfoNotFoundError``, ``ValueError`` or ``OSError``, see :data:`UNKNOWN_ZONE`);
* ``"utc"``: the date in UTC -- for writes and checks, where an unknown zone is
  already reported by ``validate`` (OKR241) and must not stop the command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrctl.model.periods import Period, periods_containing
from okrctl.model.records import Config

__all__ = ["UNKNOWN_ZONE", "default_period", "periods_with_files", "scoring_date", "today", "today_in"]

#: what :class:`zoneinfo.ZoneInfo` raises for a name it cannot use
#: (``OSError``: a directory such as ``America``)
UNKNOWN_ZONE = (ZoneInfoNotFoundError, ValueError, OSError)

OnUnknownZone = Literal["raise", "utc"]


def today_in(timezone: str, *, on_unknown_zone: OnUnknownZone = "raise") -> date:
    """The current date in the IANA time zone ``timezone``."""
    try:
        return datetime.now(ZoneInfo(timezone)).date()
    except UNKNOWN_ZONE:
        if on_unknown_zone == "raise":
            raise
        return datetime.now(ZoneInfo("UTC")).date()


def today(config: Config, *, on_unknown_zone: OnUnknownZone = "raise") -> date:
    """The current date in the workspace ``timezone`` (docs/format.md)."""
    return today_in(config.timezone, on_unknown_zone=on_unknown_zone)


def scoring_date(config: Config, as_of: date | None = None) -> date:
    """D: ``--as-of``, else ``as_of`` of okrctl.yaml, else today."""
    if as_of is not None:
        return as_of
    if config.as_of is not None:
        return config.as_of
    return today(config)


def periods_with_files(period_ids: Iterable[str], d: date, fiscal_year_start: int = 1) -> list[Period]:
    """The periods containing ``d`` among ``period_ids`` (the periods that have
    files), shortest first: the first is the default period of docs/scoring.md, the others
    are the longer periods a reference without its period could also mean."""
    with_files = set(period_ids)
    return [p for p in periods_containing(d, fiscal_year_start) if p.id in with_files]


def default_period(period_ids: Iterable[str], d: date, fiscal_year_start: int = 1) -> Period | None:
    """The shortest period containing ``d`` among ``period_ids`` (the periods that
    have files) -- the default period of docs/scoring.md; None if none."""
    found = periods_with_files(period_ids, d, fiscal_year_start)
    return found[0] if found else None
