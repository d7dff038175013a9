"""``type: boolean`` -- done or not, by ``due`` (docs/format.md).

score 1 when the current check-in says true, else 0; done when true, off track
after ``due`` (default: the period end), on track before.
"""

from __future__ import annotations

from okrctl.model.messages import _

from datetime import date
from fractions import Fraction
from typing import Any

from okrctl.krtypes.base import KRType, Reading, diag
from okrctl.krtypes.exact import ONE, ZERO
from okrctl.model.inputs import parse_bool
from okrctl.model.problems import Problem
from okrctl.model.periods import Period
from okrctl.model.records import CheckIn, KeyResult


class Boolean(KRType):
    name = "boolean"
    fields = frozenset({"due"})

    def check_checkin(self, kr: KeyResult, c: CheckIn, name: str) -> list[Problem]:
        if not isinstance(c.value, bool) or c.done is not None:
            return [diag("OKR224", c.loc, _("{name}: a boolean check-in needs `value: true` or `value: false`").format(name=name))]
        return []

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        if current is None:
            return Reading()
        met = current.value is True
        return Reading(value=met, raw=ONE if met else ZERO, met=met)

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        if reading.met:
            return "done"
        due = kr.due if kr.due is not None else period.end
        return "off_track" if as_of > due else "on_track"

    def in_force(self, kr: KeyResult, field: str, period: Period) -> Any:
        """``due`` defaults to the period end."""
        if field == "due":
            return kr.due or period.end
        return super().in_force(kr, field, period)

    def parse_value(self, text: str, kr: KeyResult) -> Any:
        return parse_bool(text)

    def new_checkin(self, kr: KeyResult, parsed: Any, current: CheckIn | None) -> tuple[dict[str, Any], str]:
        return {"value": parsed}, "true" if parsed else "false"


TYPE = Boolean()
