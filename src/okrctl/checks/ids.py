"""Ids used twice in one scope (OKR210): objectives and KPIs of a file, KRs of an
objective, milestones of a KR; compared folded (NFKC, case-insensitive)."""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable

from okrctl.checks.units import fold
from okrctl.krtypes.base import diag as _d
from okrctl.model.problems import Problem
from okrctl.model.records import PeriodFile


def _dupes(items: Iterable, what: str, scope: str) -> list[Problem]:
    out = []
    seen: dict[str, object] = {}
    for it in items:
        f = fold(it.id)
        if f in seen:
            prev = seen[f]
            how = "" if prev.id == it.id else _(" (differs only in case from {id!r})").format(id=prev.id)  # type: ignore[attr-defined]
            out.append(_d("OKR210", it.loc, _("{what} id {id!r} is used twice in {scope}{how}; first at line {line}").format(what=what, id=it.id, scope=scope, how=how, line=prev.loc.line)))  # type: ignore[attr-defined]
        else:
            seen[f] = it
    return out


def check_ids(pf: PeriodFile) -> list[Problem]:
    out = _dupes([*pf.objectives, *pf.kpis], _("objective/KPI"), pf.path)
    for o in pf.objectives:
        out += _dupes(o.key_results, _("key result"), o.id)
        for kr in o.key_results:
            out += _dupes(kr.milestones, _("milestone"), f"{o.id}/{kr.id}")
    return out

