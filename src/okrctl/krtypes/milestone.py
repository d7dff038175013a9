"""``type: milestone`` -- weighted milestones done (docs/format.md).

score = weight of the milestones done / total weight; a check-in lists every
milestone done so far.  When every milestone has a ``due``, the pace expects the
weight due by D rather than the elapsed share of the period.
"""

from __future__ import annotations

from okrctl.model.messages import _

import unicodedata
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from okrctl.krtypes.base import KRType, Reading, Value, diag
from okrctl.krtypes.exact import ZERO, to_fraction
from okrctl.model.inputs import InputError
from okrctl.model.problems import Problem
from okrctl.model.periods import Period
from okrctl.model.records import CheckIn, KeyResult, Objective


class Milestone(KRType):
    name = "milestone"
    fields = frozenset({"milestones"})

    def check(self, kr: KeyResult, name: str, feeders: Sequence[Objective], period_id: str) -> list[Problem]:
        if kr.milestones and all(m.weight == 0 for m in kr.milestones):
            return [diag("OKR222", kr.loc, _("{name}: all milestone weights are 0").format(name=name))]
        return []

    def check_checkin(self, kr: KeyResult, c: CheckIn, name: str) -> list[Problem]:
        if c.done is None or c.value is not None:
            return [diag("OKR224", c.loc, _("{name}: a milestone check-in lists the milestones done so far in `done: [...]`").format(name=name))]
        ms_ids = {m.id for m in kr.milestones}
        return [diag("OKR223", c.loc, _("{name}: check-in names milestone {mid!r}, which the KR does not define (has: {sorted})").format(name=name, mid=mid, sorted=', '.join(sorted(ms_ids))))
                for mid in c.done if mid not in ms_ids]

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        """``value``: the done ids of the current check-in, each once, in the order
        written; ids that are not milestones of the KR weigh nothing."""
        if current is None:
            return Reading()
        done = tuple(dict.fromkeys(current.done or ()))
        weights = {m.id: to_fraction(m.weight) for m in kr.milestones}
        total = sum(weights.values(), ZERO)
        if total > 0:
            return Reading(value=done, raw=sum((weights.get(i, ZERO) for i in done), ZERO) / total)
        return Reading(value=done)

    def expected_fraction(self, kr: KeyResult, elapsed: Fraction, as_of: date) -> Fraction:
        """The weight due by D when every milestone has a ``due``."""
        if all(m.due is not None for m in kr.milestones):
            total = sum((to_fraction(m.weight) for m in kr.milestones), ZERO)
            if total > 0:
                due = sum((to_fraction(m.weight) for m in kr.milestones if m.due <= as_of), ZERO)  # type: ignore[operator]
                return due / total
        return elapsed

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        return "no_data" if current is None else None

    def value_json(self, value: Value) -> Any:
        return list(value) if isinstance(value, tuple) else value

    def parse_value(self, text: str, kr: KeyResult) -> list[str]:
        """The milestones done, ``M1,M2`` (or ``[M1, M2]``); each a milestone of the KR."""
        s = unicodedata.normalize("NFC", text).strip()
        if s.startswith("[") and s.endswith("]"):
            s = s[1:-1]
        ids = [p.strip() for p in s.split(",") if p.strip()]
        if not ids:
            raise InputError(_("VALUE: name the milestones done, e.g. {items}").format(items=','.join(m.id for m in kr.milestones[:2])))
        known = [m.id for m in kr.milestones]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise InputError(_("VALUE: {ref} has no milestone {unknown} (its milestones: {known})").format(ref=kr.ref, unknown=', '.join(unknown), known=', '.join(known)))
        return ids

    def new_checkin(self, kr: KeyResult, parsed: Any, current: CheckIn | None) -> tuple[dict[str, Any], str]:
        """``done``: the milestones done at ``current`` and the new ones, in the KR's order."""
        done = set(current.done or ()) if current is not None else set()
        done |= set(parsed)
        order = [m.id for m in kr.milestones]
        full = [i for i in order if i in done] + sorted(i for i in done if i not in order)
        return {"done": full}, ", ".join(full)


TYPE = Milestone()
