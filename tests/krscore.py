"""Scoring one KR in a one-KR workspace, for the tests of scoring and of the KR types."""

from __future__ import annotations

from datetime import date

from factories import one_kr_ws

from okrctl.engine.results import KRScore
from okrctl.engine.scoring import score_workspace
from okrctl.model.periods import parse_period

Q1 = parse_period("2026-Q1")
MID = date(2026, 2, 14)  # elapsed 1/2 in Q1
END = date(2026, 3, 31)
AFTER = date(2026, 4, 1)


def score_kr(k, as_of=MID, cfg=None, period="2026-Q1", **obj_kw) -> KRScore:
    ws = one_kr_ws(k, period=period, cfg=cfg, **obj_kw)
    res = score_workspace(ws, parse_period(period), as_of)
    return res.units[0].objectives[0].key_results[0]
