"""The export tables in an embedded DuckDB: Parquet files and ``okrctl query``.

DuckDB is imported only here, inside the functions (``import duckdb`` costs
~0.3 s).  Tables reach DuckDB as typed CSV staged in a private temporary
directory (``read_csv`` with explicit column types: no type guessing), which is
faster than inserting rows from Python.

``okrctl query`` runs the user's SQL only after the connection is locked down:
no file system or network access (``enable_external_access``), no extension
installed or loaded on demand, and the configuration locked so the SQL cannot
switch any of it back (docs/export.md, "Read-only").
"""

from __future__ import annotations

from okrctl.model.messages import _

import csv
import re
import tempfile
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from okrctl.errors import UsageError
from okrctl.render.values import raw
from okrctl.reports.tables import Column, Table

#: export column type → DuckDB type (and so the Parquet physical/logical type)
DUCK_TYPES = {"text": "VARCHAR", "code": "VARCHAR", "ref": "VARCHAR", "number": "DOUBLE", "score": "DOUBLE",
              "int": "BIGINT", "date": "DATE", "bool": "BOOLEAN", "value": "VARCHAR"}

#: the statements that lock the connection before user SQL runs (order matters:
#: the lock comes last)
LOCKDOWN = ("SET enable_external_access = false", "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false", "SET lock_configuration = true")

_NULL = "\\N"


class QueryError(UsageError):
    """User SQL that DuckDB refused (syntax, unknown table, a forbidden statement)."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stage(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(table.names)
        for row in table.rows:
            w.writerow([_NULL if v is None else raw(v) for v in row])


def load(con: Any, tables: Mapping[str, Table], tmp: Path) -> None:
    """Create one DuckDB table per export table, with the documented types."""
    for name, t in tables.items():
        path = tmp / f"{name}.csv"
        _stage(t, path)
        cols = ", ".join(f"'{c.name}': '{DUCK_TYPES[c.type]}'" for c in t.columns)
        con.execute(f"CREATE TABLE {_q(name)} AS SELECT * FROM read_csv('{path.as_posix()}', header = true, "
                    f"auto_detect = false, columns = {{{cols}}}, delim = ',', quote = '\"', escape = '\"', "
                    f"nullstr = '{_NULL}', allow_quoted_nulls = false, dateformat = '%Y-%m-%d')")


def parquet_files(tables: Mapping[str, Table]) -> dict[str, bytes]:
    """``{<table>.parquet: bytes}``: one Parquet file per table (zstd), typed."""
    import duckdb

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="okrctl-export-") as d:
        tmp = Path(d)
        con = duckdb.connect(":memory:")
        try:
            load(con, tables, tmp)
            for name in tables:
                target = tmp / f"{name}.parquet"
                con.execute(f"COPY {_q(name)} TO '{target.as_posix()}' (FORMAT parquet, COMPRESSION zstd)")
                out[target.name] = target.read_bytes()
        finally:
            con.close()
    return out


def connect(tables: Mapping[str, Table]) -> Any:
    """An in-memory DuckDB holding ``tables``, locked down for untrusted SQL."""
    import duckdb

    con = duckdb.connect(":memory:")
    with tempfile.TemporaryDirectory(prefix="okrctl-query-") as d:
        load(con, tables, Path(d))
    for stmt in LOCKDOWN:
        con.execute(stmt)
    return con


def _column_type(duck_type: str) -> str:
    t = str(duck_type).upper()
    if t == "BOOLEAN":
        return "bool"
    if t == "DATE":
        return "date"
    if "INT" in t:
        return "int"
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        return "number"
    return "text"


def _cell(v: Any, col_type: str) -> Any:
    if v is None or isinstance(v, (bool, int, float, str, date)):
        return v
    if isinstance(v, Decimal):
        return v
    return str(v)


def error_line(exc: Exception, sql: str) -> str:
    """DuckDB's message on one line, with the position (``line L, column C``) when it
    gives one."""
    text = str(exc)
    head = text.split("\n", 1)[0].strip()
    m = re.search(r"^LINE (\d+): (.*)\n(\s*)\^", text, re.M)
    if m:
        col = len(m.group(3)) - len(f"LINE {m.group(1)}: ") + 1
        prefix = m.group(2)
        # DuckDB abbreviates long lines with "..." at the start
        if prefix.startswith("...") and col > 3:
            line_text = sql.splitlines()[int(m.group(1)) - 1] if sql.splitlines() else ""
            window = prefix[3:]
            at = line_text.find(window[:20])
            col = at + col - 3 if at >= 0 else col
        return f"{head} (line {m.group(1)}, column {col})"
    pos = re.search(r"position[: ]+(\d+)", text)
    return f"{head} (position {pos.group(1)})" if pos else head


def run(con: Any, sql: str) -> Table:
    """Run ``sql``; its result as a :class:`Table` (``key`` ``query``)."""
    import duckdb

    try:
        rel = con.execute(sql)
        desc = rel.description or []
        rows = rel.fetchall() if desc else []
    except duckdb.Error as exc:
        raise QueryError(_("query: {error_line}").format(error_line=error_line(exc, sql))) from None
    cols: list[Column] = []
    seen: set[str] = set()
    for d in desc:
        name = str(d[0])
        while name in seen:
            name += "_"
        seen.add(name)
        cols.append(Column(name, _column_type(d[1])))  # type: ignore[arg-type]
    types = [c.type for c in cols]
    return Table("query", tuple(cols), tuple(tuple(_cell(v, t) for v, t in zip(r, types)) for r in rows))
