"""okrctl score · okrctl rollup"""

from __future__ import annotations

import sys
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import CliError, Locale, app, check_rev, parse_date_option, state


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class RollupBy(str, Enum):
    org = "org"
    alignment = "alignment"


PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", metavar="PERIOD", help="YYYY, YYYY-H1/H2 or YYYY-Q1..Q4 (default: the shortest period with files that contains the scoring date).")]
UnitOpt = Annotated[str | None, typer.Option("--unit", "-u", metavar="UNIT", help="Only this unit and the units below it.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="Score as of this date (default: as_of in okrctl.yaml, else today in the workspace time zone).")]
RevOpt = Annotated[str | None, typer.Option("--rev", metavar="REV", help="Read the workspace as committed at REV (tag, branch, SHA). With --as-of it reproduces any past report.")]
FormatOpt = Annotated[ScoreFormat | None, typer.Option("--format", "-f", help="Output format (default: table, or from the -o extension).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE; the format follows its extension (.json, .csv, .md).")]
LocaleOpt = Annotated[Locale | None, typer.Option("--locale", help="Language of labels and status words (default: locale in okrctl.yaml). JSON never translates.")]


def _setup(ctx, period, unit, as_of, rev, fmt, output):
    from okrctl.engine import scoring
    from okrctl.cli.workspace import open_workspace, require_valid
    from okrctl.model.periods import parse_period

    st = state(ctx)
    if fmt is None and output is not None:
        from okrctl.render import format_from_path

        guessed = format_from_path(str(output), ("json", "csv", "md", "table"))
        if guessed is None:
            raise CliError(f"-o {output}: cannot tell the format from the extension; add --format json|csv|md")
        fmt = ScoreFormat(guessed)
    fmt = fmt or ScoreFormat.table
    d = parse_date_option(as_of, "--as-of")
    opened = open_workspace(st, check_rev(rev))
    require_valid(opened, st)
    ws = opened.result.workspace
    assert ws is not None
    D = scoring.scoring_date(ws.config, d)
    if period is not None:
        try:
            p = parse_period(period, ws.config.fiscal_year_start)
        except ValueError as exc:
            raise CliError(f"--period: {exc}") from None
    else:
        p = scoring.default_period(ws, D)
        if p is None:
            have = ", ".join(ws.period_ids()) or "none"
            raise CliError(f"no period with files contains {D} (periods with files: {have}); pass --period")
    if unit is not None and unit not in ws.unit_by_id:
        raise CliError(f"--unit: no unit {unit!r} in units.yaml")
    return st, ws, p, D, fmt


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from okrctl.write.fsio import atomic_write

    try:
        atomic_write(output, text.encode("utf-8"))
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from None


def _console(st, output):
    from okrctl.render.console import make_console

    if output is None:
        return make_console(st.color), None
    import io

    buf = io.StringIO()
    return make_console("never", file=buf, width=140), buf


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
    "late" marks a key result or KPI whose check-in is overdue (FORMAT §6.10),
    ↺ a rebaselined KR.

    Examples:

      okrctl score

      okrctl score --period 2026-Q1 --unit so-khcn

      okrctl score --as-of 2026-03-31 --rev okr/close/2026-Q1 --format json

      okrctl score -o scores.csv
    """
    from okrctl.engine import scoring
    from okrctl.engine.payload import score_to_json
    from okrctl.render import dumps, envelope

    st, ws, p, D, fmt = _setup(ctx, period, unit, as_of, rev, fmt, output)
    result = scoring.score_workspace(ws, p, D)
    units = result.subtree(unit) if unit else result.units
    loc = (locale.value if locale else None) or ws.config.locale
    if fmt is ScoreFormat.json:
        payload = score_to_json(result)
        if unit:
            keep = {u.unit.id for u in units}
            payload["units"] = [u for u in payload["units"] if u["unit"] in keep]
        _emit(dumps(envelope("score", payload)), output)
        return
    from okrctl.render import score as R

    if fmt is ScoreFormat.csv:
        _emit(R.render_csv(result, units), output)
    elif fmt is ScoreFormat.md:
        _emit(R.render_markdown(result, units, loc), output)
    else:
        console, buf = _console(st, output)
        R.render_table(result, units, console, loc, Fraction(ws.config.max_score))
        if buf is not None:
            _emit(buf.getvalue(), output)


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
    period (weight: each child's weight).

    Examples:

      okrctl rollup

      okrctl rollup --depth 1

      okrctl rollup --by alignment --period 2026-Q2
    """
    from okrctl.engine import scoring
    from okrctl.engine.payload import alignment_to_json, tree_to_json
    from okrctl.engine.rollup import alignment_tree, unit_tree
    from okrctl.render import dumps, envelope
    from okrctl.render import score as R

    st, ws, p, D, fmt = _setup(ctx, period, unit, as_of, rev, fmt, output)
    result = scoring.score_workspace(ws, p, D)
    loc = (locale.value if locale else None) or ws.config.locale
    max_score = Fraction(ws.config.max_score)
    if by is RollupBy.org:
        forest = unit_tree(result)
        if unit:
            forest = [n for root in forest for n in root.walk() if n.unit.id == unit]
        rows = R.rollup_rows(forest, depth)
        tree_json, csv_fn, md_fn, table_fn = (
            lambda: tree_to_json(forest), R.render_rollup_csv, R.render_rollup_markdown, R.render_rollup_table)
    else:
        nodes = alignment_tree(ws, p, D, result=result)
        if unit:
            keep = {u.unit.id for u in result.subtree(unit)}
            nodes = [n for n in nodes if n.unit in keep]
        rows = R.align_rows(nodes, depth)
        tree_json, csv_fn, md_fn, table_fn = (
            lambda: alignment_to_json(nodes), R.render_alignment_csv, R.render_alignment_markdown,
            R.render_alignment_table)
    if fmt is ScoreFormat.json:
        def trim(items: list, d: int) -> list:
            return [{**n, "children": trim(n["children"], d + 1) if depth is None or d < depth else []} for n in items]
        payload = {"period": p.id, "as_of": D.isoformat(), "by": by.value, "tree": trim(tree_json(), 0)}
        _emit(dumps(envelope("rollup", payload)), output)
    elif fmt is ScoreFormat.csv:
        _emit(csv_fn(result, rows), output)
    elif fmt is ScoreFormat.md:
        _emit(md_fn(result, rows, loc), output)
    else:
        console, buf = _console(st, output)
        table_fn(result, rows, console, loc, max_score)
        if buf is not None:
            _emit(buf.getvalue(), output)
