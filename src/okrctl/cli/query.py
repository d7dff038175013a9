"""okrctl query"""

from __future__ import annotations

from okrctl.model.messages import _

from enum import Enum
from typing import Annotated

import typer

from okrctl.cli.app import app
from okrctl.cli.export import TableOpt, WithNamesOpt, export_setup
from okrctl.cli.output import OutputOpt, emit
from okrctl.cli.score import AsOfOpt, PeriodOpt, RevOpt
from okrctl.errors import UsageError


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


@app.command()
def query(
    ctx: typer.Context,
    sql: Annotated[str | None, typer.Argument(metavar="SQL", show_default=False, help="One SQL query (DuckDB dialect) over the export tables.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the tables and their columns (name and type) instead.")] = False,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="table (aligned text), csv, json or md.")] = QueryFormat.table,
    output: OutputOpt = None,
    period: PeriodOpt = None,
    all_periods: Annotated[bool, typer.Option("--all-periods", help="Rows of every period with files.")] = False,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    table: TableOpt = None,
    with_names: WithNamesOpt = False,
) -> None:
    """Read-only SQL over the export tables, in an embedded DuckDB.

    The tables and columns are those of okrctl export (docs/export.md; see
    --schema). The SQL cannot read or write files, reach the network or load
    extensions: DuckDB's external access and extension loading are switched
    off and its configuration locked before it runs. Bad SQL is a one-line
    error with its position (exit 2).

    Examples:

      okrctl query "select unit, ref, score from key_results where status = 'off_track' and confidence < 0.5"

      okrctl query "select u.name, count(*) from key_results k join units u using (period, unit) group by all" --format md

      okrctl query --schema
    """
    from okrctl.render import duck
    from okrctl.render.query import render_query, render_schema

    if schema == (sql is not None):
        raise UsageError(_("give one SQL query, or --schema"))
    _unused, tables, _unused = export_setup(ctx, period, all_periods, as_of, rev, table, with_names, None)
    if schema:
        emit(render_schema(tables), output)
        return
    assert sql is not None
    con = duck.connect(tables)
    try:
        result = duck.run(con, sql)
    finally:
        con.close()
    text = render_query(result, fmt.value)
    emit(text, output)
