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


def setup_partial(ctx, period, unit, as_of, rev, fmt, output, *, partial: bool = True, opened=None):
    """Options and the workspace; with ``partial``, period files with errors of
    their own do not stop the command (their units are "not scored", see
    :func:`okrctl.cli.workspace.require_scorable`).  ``opened``: the workspace
    when the caller has loaded it."""
    from okrctl.cli.workspace import open_workspace, require_scorable, require_valid
    from okrctl.engine import scoring
    from okrctl.model.periods import parse_period

    st = state(ctx)
    fmt = choose_format(fmt, output, ScoreFormat, ScoreFormat.table)
    d = parse_date_option(as_of, "--as-of")
    if opened is None:
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


#: the last run's workspace and report: the console script ends with ``os._exit``
#: (:func:`okrctl.cli.main.main`), so a large score is never freed object by object
_KEEP: list = []


def scored_files(period: str | None, as_of, enclosing: bool, chosen: list[str]):
    """``records_for`` of :func:`okrctl.read.loader.load_workspace`: only the files
    of the period to score (``--period``, else the default period of the listed
    files), and with ``enclosing`` those of every period enclosing it (``rollup --by
    alignment``); the period's id is appended to ``chosen``.  None (every file) when
    the period cannot be told yet: the command then reports it as before."""
    from okrctl.engine import scoring
    from okrctl.model.dates import default_period
    from okrctl.model.layout import parse_period_path
    from okrctl.model.periods import parse_period

    def choose(config, paths: list[str]):
        dirs = {pp[0] for pp in map(parse_period_path, paths) if pp is not None}
        fys = config.fiscal_year_start
        try:
            p = parse_period(period, fys) if period is not None else default_period(dirs, scoring.scoring_date(config, as_of), fys)
        except (ValueError, KeyError, OSError):  # a bad --period, an unknown time zone: reported later
            return None
        if p is None:
            return None
        keep = set()
        for d in dirs:
            try:
                q = parse_period(d, fys)
            except ValueError:
                continue
            if q.id == p.id or (enclosing and q.encloses(p)):
                keep.add(d)
        chosen.append(p.id)
        return lambda path: (pp := parse_period_path(path)) is not None and pp[0] in keep

    return choose


def run_scored(ctx, period, unit, as_of, rev, fmt, output, locale, options: str, build, *, enclosing: bool = False) -> None:
    """``score`` and ``rollup``: the whole output from the persistent cache when
    nothing it depends on changed (:mod:`okrctl.cli.scorewarm`), else load (only
    the files of the scored period, :func:`scored_files`; ``enclosing``: and of the
    periods enclosing it), score, write and store it.  ``build(ws, p, D, loc)``
    gives the report and the units whose state decides the exit
    (:func:`okrctl.cli.workspace.finish_partial`)."""
    from okrctl.cli import scorewarm
    from okrctl.cli.workspace import finish_partial, load_opened, open_source
    from okrctl.engine import scoring
    from okrctl.model.dates import today as today_in

    st = state(ctx)
    fmt = choose_format(fmt, output, ScoreFormat, ScoreFormat.table)
    d = parse_date_option(as_of, "--as-of")
    root, store, source, sha = open_source(st, check_rev(rev))
    view = scorewarm.cacheable_view(st, fmt.value, output)

    def days(config):  # the dates the output depends on: the scoring date, today (future dates)
        return scoring.scoring_date(config, d), today_in(config)

    warm = None
    if view is not None:
        extra = "\0".join((options, period or "", unit or "", as_of or "", "rev" if rev is not None else "",
                            view, locale.value if locale else "", str(root)))
        warm = scorewarm.lookup(st, store, source, today=days, extra=extra)
        if warm.hit is not None:
            scorewarm.replay(warm, output)
            return
    chosen: list[str] = []
    records_for = scored_files(period, d, enclosing, chosen) if store is not None else None
    opened = load_opened(st, root, store, source, sha, listed=warm.listed if warm else None, records_for=records_for)
    st, ws, p, D, fmt, opened = setup_partial(ctx, period, unit, as_of, rev, fmt, output, opened=opened)
    if chosen and chosen != [p.id]:  # not the period the files were chosen for: every file
        opened = load_opened(st, root, store, source, sha, listed=warm.listed if warm else None)
        st, ws, p, D, fmt, opened = setup_partial(ctx, period, unit, as_of, rev, fmt, output, opened=opened)
    loc = (locale.value if locale else None) or ws.config.locale
    report, units = build(ws, p, D, loc)
    _KEEP[:] = [opened, report]  # freed by the process's end, not object by object on return
    if warm is None:
        write_report(st, report, fmt, loc, output)
        finish_partial(opened, st, units)
        return
    text = report_text(report, fmt, loc, output)
    scorewarm.run_and_store(warm, text, lambda: emit(text, output), lambda: finish_partial(opened, st, units), D, days)


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


def report_text(report, fmt: ScoreFormat, locale: str, output: Path | None) -> str:
    """The text :func:`write_report` writes when the output is not a colour
    terminal (:func:`okrctl.cli.scorewarm.cacheable_view`)."""
    import io

    from okrctl.cli.output import FILE_WIDTH
    from okrctl.render.console import make_console
    from okrctl.render.formats import RenderOptions, render

    if fmt is not ScoreFormat.table:
        text = render(report, fmt.value, RenderOptions(locale, None))
        assert text is not None
        return text
    buf = io.StringIO()
    render(report, fmt.value, RenderOptions(locale, make_console("never", file=buf, width=FILE_WIDTH if output is not None else None)))
    return buf.getvalue()


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

    def build(ws, p, D, loc):
        result = scoring.score_workspace(ws, p, D)
        units = result.subtree(unit) if unit else result.units
        return score_report(result, units, Fraction(ws.config.max_score)), units

    run_scored(ctx, period, unit, as_of, rev, fmt, output, locale, "score", build)
