"""Semantic checks: the rules a JSON Schema cannot express.

Each check is a pure function over typed records (and, where it needs the
position of a raw key, the parsed document) returning diagnostics.  The codes
are registered in :mod:`okrctl.model.problems` and documented in ``docs/checks.md``.
One module per family: :mod:`.config` (okrctl.yaml), :mod:`.units` (units.yaml),
:mod:`.periodfile` (objectives, KRs, KPIs, dates), :mod:`.ids` (ids used twice),
:mod:`.alignment` (alignment cycles, parents taking part); the checks of one KR
type are in its :mod:`okrctl.krtypes` module.  The loader calls the entry points
below.
"""

from __future__ import annotations

from datetime import date

from okrctl.checks.alignment import check_alignment_cycles, check_parents_take_part
from okrctl.checks.config import check_config
from okrctl.checks.ids import check_ids
from okrctl.checks.periodfile import (
    Index,
    check_file_unit,
    check_kpi,
    check_kr,
    check_objective,
    check_path_keys,
    check_type_fields,
)
from okrctl.checks.units import check_units, fold
from okrctl.model.problems import Problem
from okrctl.model.periods import is_period_id, parse_period
from okrctl.model.records import Workspace
from okrctl.model.refs import UNIT_ID_RE


def check_workspace(ws: Workspace, today: date | None) -> list[Problem]:
    out: list[Problem] = []
    units = ws.unit_by_id
    index = Index(ws)
    for pf in ws.files:
        out += check_file_unit(pf, units)
        out += check_ids(pf)
        for obj in pf.objectives:
            out += check_objective(obj, pf, index)
            for kr in obj.key_results:
                out += check_kr(kr, pf, index, today)
        for kpi in pf.kpis:
            out += check_kpi(kpi, pf, today)
    out += check_alignment_cycles(ws)
    out += check_parents_take_part(ws)
    return out


__all__ = ["check_config", "check_units", "check_path_keys", "check_type_fields", "check_workspace", "UNIT_ID_RE", "fold", "is_period_id", "parse_period"]
