"""okrctl score · okrctl rollup"""

from __future__ import annotations

from okrctl.model.messages import _

from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import Locale, app, check_rev, parse_date_option, state
from okrctl.cli.output import OutputOpt, TextView, choose_format, emit
from okrctl.errors import UsageError


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", metavar="PERIOD", help="YYYY, YYYY-H1/H2 or YYYY-Q1..Q4 (default: the shortest period with files that contains the scoring date).")]
UnitOpt = Annotated[str | None, typer.Option("--unit", "-u", metavar="UNIT", help="Only this unit and the units below it.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="Score as of this date (default: as_of in okrctl.yaml, else today in the workspace time zone).")]
RevOpt = Annotated[str | None, typer.Option("--rev", metavar="REV", help="Read the workspace as committed at REV (tag, branch, SHA). With --as-of it reproduces any past report.")]
FormatOpt = Annotated[ScoreFormat | None, typer.Option("--format", "-f", help="Output format (default: table, or from the -o extension).")]
LocaleOpt = Annotated[Locale | None, typer.Option("--locale", help="Language of labels and status words (default: locale in okrctl.yaml). JSON never translates.")]


def setup(ctx, period, unit, as_of, rev, fmt, output):
    """Options and a valid workspace (any error refuses the command)."""
    return setup_partial(ctx, period, unit, as_of, rev, fmt, output, partial=False)[:5]


def setup_partial(ctx, period, unit, as_of, rev, fmt, output, *, partial: bool = True):
    """Options and the workspace; with ``partial``, period files with errors of
    their own do not stop the command (their units are "not scored", see
    :func:`okrctl.cli.workspace.require_scorable`)."""
    from okrctl.cli.workspace import open_workspace, require_scorable, require_valid
    from okrctl.engine import scoring
    from okrctl.model.periods import parse_period

    st = state(ctx)
    fmt = choose_format(fmt, output, ScoreFormat, ScoreFormat.table)
    d = parse_date_option(as_of, "--as-of")
    opened = open_workspace(st, check_rev(rev))
    (require_scorable if partial else require_valid)(opened, st)
    ws = opened.result.workspace
    assert ws is not None
    D = scoring.scoring_date(ws.config, d)
    if period is not None:
        try:
            p = parse_period(period, ws.config.fiscal_year_start)
        except ValueError as exc:
            raise UsageError(_("--period: {exc}").format(exc=exc)) from None
    else:
        p = scoring.default_period(ws, D)
        if p is None:
            have = ", ".join(ws.period_ids()) or "none"
            raise UsageError(_("no period with files contains {D} (periods with files: {have}); pass --period").format(D=D, have=have))
    if unit is not None and unit not in ws.unit_by_id:
        raise UsageError(_("--unit: no unit {unit!r} in units.yaml").format(unit=unit))
    return st, ws, p, D, fmt, opened


def write_report(st, report, fmt: ScoreFormat, locale: str, output: Path | None) -> None:
    """Write ``report`` in ``fmt`` to stdout or ``-o FILE`` (a terminal view to a
    file is plain text)."""
    from okrctl.render.formats import RenderOptions, render

    view = TextView(st.color, output) if fmt is ScoreFormat.table else None
    text = render(report, fmt.value, RenderOptions(locale, view.console if view else None))
    if view is not None:
        view.close()
    elif text is not None:
        emit(text, output)


@app.command()
def score(
    ctx: typer.Context,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    locale: LocaleOpt = None,
) -> None:
    """Score every objective, key result and KPI of a period.

    Shows each unit (in units.yaml order) with its objectives and key results:
    progress bar, value / target, score, confidence, status (on track, at risk,
    off track, no data, done, missed, cancelled), grade; KPIs with green/amber/red.
    "late" marks a key result or KPI whose check-in is overdue, ↺ a rebaselined
    KR. A unit whose file has errors is "not scored" (exit 1); the others are
    scored.

    Examples:

      okrctl score

      okrctl score --period 2026-Q1 --unit so-khcn

      okrctl score --as-of 2026-03-31 --rev okr/close/2026-Q1 --format json

      okrctl score -o scores.csv
    """
    from okrctl.engine import scoring
    from okrctl.reports.score_tables import score_report

    from okrctl.cli.workspace import finish_partial

    st, ws, p, D, fmt, opened = setup_partial(ctx, period, unit, as_of, rev, fmt, output)
    result = scoring.score_workspace(ws, p, D)
    units = result.subtree(unit) if unit else result.units
    loc = (locale.value if locale else None) or ws.config.locale
    write_report(st, score_report(result, units, Fraction(ws.config.max_score)), fmt, loc, output)
    finish_partial(opened, st, units)


