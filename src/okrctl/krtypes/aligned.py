"""``type: aligned`` -- the weighted mean of the objectives aligned to it (docs/format.md, docs/scoring.md).

No check-ins and no frequency.  The engine finds the feeders (objectives of the
same period whose ``aligns_to`` names the KR), scores them and passes the mean
(:meth:`Aligned.read`); this module stays pure.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from okrctl.krtypes.base import KRType, Reading, diag
from okrctl.model.problems import Problem
from okrctl.model.periods import Period
from okrctl.model.records import CheckIn, KeyResult, Objective


class Aligned(KRType):
    name = "aligned"
    fields = frozenset()
    fed_by_objectives = True

    def check(self, kr: KeyResult, name: str, feeders: Sequence[Objective], period_id: str) -> list[Problem]:
        out = []
        if kr.checkins:
            out.append(diag("OKR226", kr.checkins[0].loc, _("{name}: an aligned KR takes its score from the objectives aligned to it and has no check-ins").format(name=name)))
        if kr.frequency:
            out.append(diag("OKR226", kr.loc, _("{name}: an aligned KR has no reporting frequency").format(name=name)))
        if not feeders:
            out.append(diag("OKR214", kr.loc, _("{name}: no objective of {period_id} has aligns_to naming {ref}; an aligned KR needs at least one").format(name=name, period_id=period_id, ref=kr.ref)))
        return out

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        """``feeder_mean``: the weighted mean of the feeders' scores (null when none counts)."""
        return Reading(raw=feeder_mean)

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        return "no_data" if score is None or not has_data else None


TYPE = Aligned()
