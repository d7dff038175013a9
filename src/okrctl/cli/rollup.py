"""okrctl rollup: scores rolled up the organisation (or the alignment) tree."""

from __future__ import annotations

from enum import Enum
from fractions import Fraction
from typing import Annotated

import typer

from okrctl.cli.app import app
from okrctl.cli.output import OutputOpt
from okrctl.cli.score import (
    AsOfOpt,
    FormatOpt,
    LocaleOpt,
    PeriodOpt,
    RevOpt,
    UnitOpt,
    run_scored,
)


class RollupBy(str, Enum):
    org = "org"
    alignment = "alignment"


@app.command()
def rollup(
    ctx: typer.Context,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    by: Annotated[RollupBy, typer.Option("--by", help="org: the unit tree with own and rolled-up scores; alignment: top objectives with the objectives aligned to them, across units and periods.")] = RollupBy.org,
    depth: Annotated[int | None, typer.Option("--depth", "-d", min=0, metavar="N", help="Show N levels below the top (0: only the top).")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    locale: LocaleOpt = None,
) -> None:
    """Roll scores up the organisation (or the alignment) tree.

    A unit's rolled-up score is the weighted mean of its own score (weight
    self_weight) and the rolled-up scores of its children taking part in the
    period (weight: each child's weight). A unit whose file has errors is "not
    scored" and every unit above it "incomplete" (no rolled-up score; exit 1).

    Examples:

      okrctl rollup

      okrctl rollup --depth 1

      okrctl rollup --by alignment --period 2026-Q2
    """
    from okrctl.engine import scoring
    from okrctl.engine.rollup import alignment_tree, unit_tree
    from okrctl.reports.score_tables import alignment_report, rollup_report

    def build(ws, p, D, loc):
        result = scoring.score_workspace(ws, p, D)
        max_score = Fraction(ws.config.max_score)
        if by is RollupBy.org:
            forest = unit_tree(result)
            if unit:
                forest = [n for root in forest for n in root.walk() if n.unit.id == unit]
            report = rollup_report(result, forest, depth, max_score)
        else:
            nodes = alignment_tree(ws, p, D, result=result)
            if unit:
                keep = {u.unit.id for u in result.subtree(unit)}
                nodes = [n for n in nodes if n.unit in keep]
            report = alignment_report(result, nodes, depth, max_score)
        return report, result.subtree(unit) if unit else result.units

    run_scored(ctx, period, unit, as_of, rev, fmt, output, locale, f"rollup\0{by.value}\0{depth}", build,
               enclosing=by is RollupBy.alignment)
