"""okrctl export"""

from __future__ import annotations

from okrctl.model.messages import _

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, check_rev, parse_date_option, state
from okrctl.cli.output import progress
from okrctl.cli.score import AsOfOpt, LocaleOpt, PeriodOpt, RevOpt
from okrctl.errors import UsageError


class ExportFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    parquet = "parquet"


_EXT = {".csv": ExportFormat.csv, ".xlsx": ExportFormat.xlsx, ".json": ExportFormat.json,
        ".parquet": ExportFormat.parquet}

TableOpt = Annotated[list[str] | None, typer.Option(
    "--table", "-t", metavar="TABLE",
    help="Only this table (repeatable): units, objectives, key_results, checkins, kpis, measurements, "
         "changes (read from git; only when named), _meta.")]
WithNamesOpt = Annotated[bool, typer.Option(
    "--with-names", help="Include the person columns (owner, by, approved_by); left out by default.")]


def export_setup(ctx, period, all_periods, as_of, rev, tables, with_names, locale):
    """Load, score and build the export tables (shared by ``export`` and ``query``)."""
    from okrctl.cli.workspace import open_workspace, require_valid
    from okrctl.engine import scoring
    from okrctl.model.periods import parse_period
    from okrctl.reports import export as X

    st = state(ctx)
    d = parse_date_option(as_of, "--as-of")
    wanted = list(dict.fromkeys(tables or []))
    for t in wanted:
        if t not in X.TABLES:
            raise UsageError(_("--table: no table {t!r} (have: {TABLES})").format(t=t, TABLES=', '.join(X.TABLES)))
    if period is not None and all_periods:
        raise UsageError(_("--period and --all-periods exclude each other"))
    opened = open_workspace(st, check_rev(rev))
    require_valid(opened, st)
    ws = opened.result.workspace
    assert ws is not None
    D = scoring.scoring_date(ws.config, d)
    if all_periods:
        periods = scoring.all_periods(ws)
    elif period is not None:
        try:
            periods = [parse_period(period, ws.config.fiscal_year_start)]
        except ValueError as exc:
            raise UsageError(_("--period: {exc}").format(exc=exc)) from None
    else:
        p = scoring.default_period(ws, D)
        if p is None:
            raise UsageError(_("no period with files contains {D}; pass --period or --all-periods").format(D=D))
        periods = [p]
    results = [scoring.score_workspace(ws, p, D)
               for p in progress(periods, "scoring", st.color, total=len(periods))]
    opts = X.ExportOptions(with_names=with_names, source_commit=opened.rev or _head(opened.root),
                           locale=(locale.value if locale else None) or ws.config.locale)
    changes = None
    if "changes" in wanted:
        from okrctl.audit.items import definition_changes

        ids = {p.id for p in periods}
        rows = definition_changes(opened.root, [f for f in ws.files if f.period.id in ids], opened.rev, with_names)
        changes = X.changes_table(rows, opts)
    out = X.export_tables(results, opts, changes)
    return st, {k: v for k, v in out.items() if not wanted or k in wanted}, opts


def _head(root: Path) -> str | None:
    """The commit checked out, when the workspace is in a git repository with one."""
    from okrctl import gitio

    try:
        return gitio.Repo.discover(root).head()
    except gitio.GitError:
        return None


def _format(fmt: ExportFormat | None, output: Path | None) -> ExportFormat:
    if fmt is not None:
        return fmt
    if output is not None and output.suffix.lower() in _EXT:
        return _EXT[output.suffix.lower()]
    raise UsageError(_("--format csv|xlsx|json|parquet is required (or -o FILE with one of those extensions)"))


def _write(files: dict[str, bytes], output: Path | None, fmt: ExportFormat) -> None:
    from okrctl.write.fsio import atomic_write

    try:
        if len(files) == 1 and (output is None or output.suffix.lower() == "." + fmt.value):
            data = next(iter(files.values()))
            if output is None:
                if fmt in (ExportFormat.xlsx, ExportFormat.parquet) and sys.stdout.isatty():
                    raise UsageError(_("{value} is binary: write it to a file with -o FILE").format(value=fmt.value))
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                atomic_write(output, data)
            return
        if output is None:
            raise UsageError(_("{value} writes one file per table: give a directory with -o DIR (or one table with --table)").format(value=fmt.value))
        if output.exists() and not output.is_dir():
            raise UsageError(_("-o {output}: not a directory ({value} writes one file per table)").format(output=output, value=fmt.value))
        output.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            atomic_write(output / name, data)
    except OSError as exc:
        raise UsageError(_("cannot write {value}: {strerror}").format(value=exc.filename or output, strerror=exc.strerror)) from None


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat | None, typer.Option("--format", "-f", help="csv, xlsx, json or parquet (default: from the -o extension).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH", help="A directory (csv, parquet: one file per table) or a file (xlsx, json, or one --table).")] = None,
    period: PeriodOpt = None,
    all_periods: Annotated[bool, typer.Option("--all-periods", help="Every period with files, each scored as of the same date.")] = False,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    table: TableOpt = None,
    with_names: WithNamesOpt = False,
    excel: Annotated[bool, typer.Option("--excel", help="csv: start each file with a UTF-8 BOM so Excel reads Vietnamese text.")] = False,
    locale: LocaleOpt = None,
) -> None:
    """The workspace as flat tables for Excel, CSV, JSON and Parquet.

    Tables (docs/export.md lists every column, its type and meaning): units,
    objectives, key_results, checkins, kpis, measurements, _meta, and changes
    (the definition history from git) when asked for with --table changes.
    Person names (owner, by, approved_by) only with --with-names.

    Examples:

      okrctl export --format csv -o export/

      okrctl export --format xlsx -o okr-2026-Q2.xlsx

      okrctl export --all-periods --format parquet -o data/

      okrctl export --table key_results --format csv --excel -o krs.csv

      okrctl export --format json --table units
    """
    from okrctl.render.export import WRITERS

    fmt = _format(fmt, output)
    _unused, tables, opts = export_setup(ctx, period, all_periods, as_of, rev, table, with_names, locale)
    writer = WRITERS[fmt.value]
    if fmt is ExportFormat.csv:
        files = writer(tables, excel)
    elif fmt is ExportFormat.xlsx:
        files = writer(tables, opts.locale)
    else:
        files = writer(tables)
    _write(files, output, fmt)
