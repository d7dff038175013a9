"""Writers of ``okrctl export``: the export tables (:mod:`okrctl.reports.export`) as
CSV files, one JSON document, Parquet files (through DuckDB, :mod:`okrctl.render.duck`)
or an Excel workbook (:mod:`okrctl.render.xlsx`).

Each writer returns ``{file name: bytes}``; the command decides where they go
(a directory, one file, standard output) and writes them atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from okrctl.render import dumps, envelope
from okrctl.render.formats import table_csv
from okrctl.reports.tables import Table

BOM = "\ufeff"

#: the column types that are numbers (stored as doubles in JSON, Parquet and Excel)
NUMERIC = frozenset({"number", "score"})


def plain(v: Any, col_type: str) -> Any:
    """A cell for machines: exact numbers as the nearest double (integers stay
    integers in ``int`` columns), everything else as is."""
    if v is None or isinstance(v, bool):
        return v
    if col_type in NUMERIC and isinstance(v, (Fraction, Decimal, int)):
        return float(v)
    if col_type == "int":
        return int(v)
    return v


def csv_text(table: Table, excel: bool = False) -> str:
    """One table as RFC 4180 CSV (:func:`okrctl.render.formats.table_csv`: CRLF,
    exact numbers, ISO dates, ``true``/``false``, empty for none, text cells guarded
    against formulas); ``excel`` adds a BOM so Excel reads UTF-8."""
    return (BOM if excel else "") + table_csv(table)


def write_csv(tables: Mapping[str, Table], excel: bool = False) -> dict[str, bytes]:
    return {f"{k}.csv": csv_text(t, excel).encode("utf-8") for k, t in tables.items()}


def json_cell(v: Any, col_type: str) -> Any:
    v = plain(v, col_type)
    return v.isoformat() if isinstance(v, date) else v


def json_doc(tables: Mapping[str, Table]) -> dict[str, Any]:
    """docs/json.md envelope, ``command: export``, ``tables: {name: [row objects]}``."""
    out: dict[str, Any] = {}
    for k, t in tables.items():
        types = [c.type for c in t.columns]
        names = t.names
        out[k] = [{n: json_cell(v, ty) for n, v, ty in zip(names, row, types)} for row in t.rows]
    return envelope("export", {"tables": out})


def write_json(tables: Mapping[str, Table]) -> dict[str, bytes]:
    return {"export.json": dumps(json_doc(tables)).encode("utf-8")}


def write_parquet(tables: Mapping[str, Table]) -> dict[str, bytes]:
    from okrctl.render.duck import parquet_files

    return parquet_files(tables)


def write_xlsx(tables: Mapping[str, Table], locale: str = "en") -> dict[str, bytes]:
    from okrctl.render.xlsx import workbook

    return {"export.xlsx": workbook(tables, locale)}


#: format → writer (``{file name: bytes}``: one file per table for csv and parquet)
WRITERS = {"csv": write_csv, "json": write_json, "parquet": write_parquet, "xlsx": write_xlsx}
