"""``type: maintain`` -- keep a number on the right side of ``threshold`` (docs/format.md).

score 1 when the current value meets the threshold (≥, or ≤ with
``direction: decrease``), else 0; on track exactly when it does.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from okrctl.krtypes.base import NumberKRType, Reading
from okrctl.krtypes.exact import ONE, ZERO, to_fraction
from okrctl.model.periods import Period
from okrctl.model.records import CheckIn, KeyResult


class Maintain(NumberKRType):
    name = "maintain"
    fields = frozenset({"threshold", "direction"})

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        if current is None:
            return Reading()
        v = to_fraction(current.value)  # type: ignore[arg-type]
        th = to_fraction(kr.threshold)  # type: ignore[arg-type]
        met = v <= th if kr.direction == "decrease" else v >= th
        return Reading(value=v, raw=ONE if met else ZERO, met=met)

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        if current is None:
            return "no_data"
        return "on_track" if reading.met else "off_track"

    def direction(self, kr: KeyResult) -> str | None:
        """As written, else ``increase``."""
        return kr.direction or "increase"

    def eased(self, base: KeyResult, field: str, old: Any, new: Any) -> bool:
        """Moving the threshold to the easy side."""
        if field == "threshold":
            return (new - old) < 0 if (base.direction or "increase") == "increase" else (new - old) > 0
        return False


TYPE = Maintain()
