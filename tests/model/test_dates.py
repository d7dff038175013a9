"""model.dates: today in the workspace time zone, D and the default period."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from okrctl.model import dates
from okrctl.model.records import Config

#: 2026-03-31 20:30 UTC is already 2026-04-01 in Hanoi (UTC+7), still 03-31 in New York
_NOW = datetime(2026, 3, 31, 20, 30, tzinfo=timezone.utc)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: D102
        return _NOW.astimezone(tz)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(dates, "datetime", _Frozen)


def test_today_in_a_zone_ahead_of_utc(frozen):
    assert dates.today_in("UTC") == date(2026, 3, 31)
    assert dates.today_in("Asia/Ho_Chi_Minh") == date(2026, 4, 1)
    assert dates.today_in("America/New_York") == date(2026, 3, 31)
    assert dates.today(Config(name="x", timezone="Asia/Ho_Chi_Minh")) == date(2026, 4, 1)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "America", "../etc/passwd", ""])
def test_unknown_zone_raises_or_falls_back_to_utc(frozen, zone):
    with pytest.raises(dates.UNKNOWN_ZONE):
        dates.today(Config(name="x", timezone=zone))
    assert dates.today(Config(name="x", timezone=zone), on_unknown_zone="utc") == date(2026, 3, 31)
    assert dates.today_in(zone, on_unknown_zone="utc") == date(2026, 3, 31)


def test_unknown_zone_error_type(frozen):
    with pytest.raises(ZoneInfoNotFoundError):
        dates.today_in("Mars/Olympus")


def test_scoring_date(frozen):
    cfg = Config(name="x", timezone="Asia/Ho_Chi_Minh")
    assert dates.scoring_date(cfg, date(2026, 1, 2)) == date(2026, 1, 2)
    assert dates.scoring_date(Config(name="x", as_of=date(2026, 5, 15)), None) == date(2026, 5, 15)
    assert dates.scoring_date(Config(name="x", as_of=date(2026, 5, 15)), date(2026, 1, 2)) == date(2026, 1, 2)
    assert dates.scoring_date(cfg) == date(2026, 4, 1)


def test_default_period():
    ids = ["2026", "2026-H1", "2026-Q1", "2026-Q2"]
    assert dates.default_period(ids, date(2026, 2, 1)).id == "2026-Q1"
    assert dates.default_period(ids, date(2026, 8, 1)).id == "2026"
    assert dates.default_period(["2026-H1"], date(2026, 5, 1)).id == "2026-H1"
    assert dates.default_period(["2025", "junk"], date(2026, 5, 1)) is None
    assert dates.default_period([], date(2026, 5, 1)) is None
    # fiscal year starting in July: 2026-Q1 is Jul–Sep 2025
    assert dates.default_period(["2026-Q1", "2026"], date(2025, 8, 15), 7).id == "2026-Q1"
    assert dates.default_period(["2025-Q3"], date(2025, 8, 15), 7) is None
