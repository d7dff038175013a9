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
from okrctl.model.records import PeriodFile, Unit, Workspace
from okrctl.model.summary import FileSummary, summarize
from okrctl.model.refs import UNIT_ID_RE


def check_file(pf: PeriodFile, units: dict[str, Unit], index: Index, today: date | None) -> list[Problem]:
    """The checks of one period file against the rest of the workspace (its unit,
    ids, objectives, KRs, KPIs and dates): its problems depend on the file, the
    units, ``index`` (built from every file's summary) and ``today`` only."""
    out = check_file_unit(pf, units)
    out += check_ids(pf)
    for obj in pf.objectives:
        out += check_objective(obj, pf, index)
        for kr in obj.key_results:
            out += check_kr(kr, pf, index, today)
    for kpi in pf.kpis:
        out += check_kpi(kpi, pf, today)
    return out


def check_structure(summaries: list[FileSummary], units: tuple[Unit, ...]) -> list[Problem]:
    """The workspace-wide checks, on the summaries of every period file (path order):
    alignment cycles and chains, parents taking part."""
    return check_alignment_cycles(summaries) + check_parents_take_part(units, (s.period for s in summaries))


def check_workspace(ws: Workspace, today: date | None) -> list[Problem]:
    """Every cross-file check of ``ws`` (whose ``invalid`` names the files with
    errors of their own)."""
    summaries = [summarize(pf) for pf in ws.files]
    units = ws.unit_by_id
    index = Index(summaries, ws.invalid)
    out: list[Problem] = []
    for pf in ws.files:
        out += check_file(pf, units, index, today)
    return out + check_structure(summaries, ws.units)


__all__ = ["Index", "check_file", "check_structure", "check_config", "check_units", "check_path_keys", "check_type_fields", "check_workspace", "UNIT_ID_RE", "fold", "is_period_id", "parse_period"]
