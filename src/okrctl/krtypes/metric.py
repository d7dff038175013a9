"""``type: metric`` -- a number moving from ``baseline`` to ``target`` (docs/format.md).

score = clamp((v − baseline) / (target − baseline), 0, max_score); with
``aggregate: sum`` v is baseline + the sum of the increments checked in.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from okrctl.krtypes.base import NumberKRType, Reading, diag
from okrctl.krtypes.exact import ZERO, to_fraction
from okrctl.model.problems import Problem
from okrctl.model.periods import Period
from okrctl.model.records import CheckIn, KeyResult, Objective


def sum_of_increments(checkins: Sequence[CheckIn], as_of: date) -> Fraction:
    """Σ over the dates ≤ D of the last check-in of each date (corrections replace)."""
    last_of_date: dict[date, CheckIn] = {}
    for c in checkins:
        if c.date <= as_of:
            last_of_date[c.date] = c
    return sum((to_fraction(c.value) for c in last_of_date.values()), ZERO)  # type: ignore[arg-type]


def _sign(base_target: Any, base_baseline: Any) -> int:
    try:
        return 1 if base_target > base_baseline else -1
    except TypeError:
        return 1


class Metric(NumberKRType):
    name = "metric"
    fields = frozenset({"baseline", "target", "direction", "aggregate"})

    def check(self, kr: KeyResult, name: str, feeders: Sequence[Objective], period_id: str) -> list[Problem]:
        if kr.baseline == kr.target:
            return [diag("OKR220", kr.loc, _("{name}: baseline and target are both {target}; a metric needs a distance to cover").format(name=name, target=kr.target))]
        if kr.direction is not None:
            implied = "increase" if kr.target > kr.baseline else "decrease"  # type: ignore[operator]
            if kr.direction != implied:
                return [diag("OKR221", kr.loc, _("{name}: direction is {direction} but baseline {baseline} → target {target} is a {implied}").format(name=name, direction=kr.direction, baseline=kr.baseline, target=kr.target, implied=implied))]
        return []

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        if current is None:
            return Reading()
        b = to_fraction(kr.baseline)  # type: ignore[arg-type]
        t = to_fraction(kr.target)  # type: ignore[arg-type]
        if kr.aggregate == "sum":
            v = b + sum_of_increments(kr.checkins, as_of)
        else:
            v = to_fraction(current.value)  # type: ignore[arg-type]
        if t == b:  # invalid (OKR220): scores 0 with null progress
            return Reading(value=v)
        progress = (v - b) / (t - b)
        return Reading(value=v, progress=progress, raw=max(progress, ZERO))

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        return "no_data" if current is None else None

    def direction(self, kr: KeyResult) -> str | None:
        """As written, else ``increase`` when target > baseline, otherwise ``decrease``."""
        if kr.direction:
            return kr.direction
        if kr.baseline is None or kr.target is None:
            return None
        return "increase" if kr.target > kr.baseline else "decrease"

    def eased(self, base: KeyResult, field: str, old: Any, new: Any) -> bool:
        """Moving the target towards the baseline (or the baseline towards the target)."""
        if field in ("target", "baseline") and base.target is not None and base.baseline is not None:
            return _sign(base.target, base.baseline) * (new - old) < 0
        return False


TYPE = Metric()
