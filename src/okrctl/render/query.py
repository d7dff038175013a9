"""``okrctl query`` output: the result table as aligned text, CSV, JSON or Markdown,
and ``--schema``."""

from __future__ import annotations

from collections.abc import Mapping

from okrctl.render import dumps, envelope
from okrctl.render.duck import DUCK_TYPES
from okrctl.render.export import json_cell
from okrctl.render.formats import table_csv
from okrctl.render.textsafe import md_escape, one_line
from okrctl.render.values import raw
from okrctl.reports.tables import Table


def render_schema(tables: Mapping[str, Table]) -> str:
    """Each table with its columns and their SQL types."""
    out = []
    for name, t in tables.items():
        out.append(f"{name} ({len(t.rows)} rows)")
        width = max((len(c.name) for c in t.columns), default=0)
        out += [f"  {c.name:<{width}}  {DUCK_TYPES[c.type]}" for c in t.columns]
    return "\n".join(out) + "\n"


def render_query(table: Table, fmt: str) -> str:
    if fmt == "csv":
        return table_csv(table)
    if fmt == "json":
        rows = [{n: json_cell(v, c.type) for n, v, c in zip(table.names, r, table.columns)} for r in table.rows]
        return dumps(envelope("query", {"columns": [{"name": c.name, "type": DUCK_TYPES[c.type]}
                                                    for c in table.columns], "rows": rows}))
    from tabulate import tabulate

    numeric = {"number", "score", "int"}
    align = ["right" if c.type in numeric else "left" for c in table.columns]
    if fmt == "md":
        body = [[md_escape(raw(v)) for v in r] for r in table.rows]
        return tabulate(body, headers=[md_escape(n) for n in table.names], tablefmt="pipe",
                        colalign=align, disable_numparse=True) + "\n"
    body = [[one_line(raw(v)) if v is not None else "" for v in r] for r in table.rows]
    text = tabulate(body, headers=list(table.names), tablefmt="simple", colalign=align, disable_numparse=True)
    return text + f"\n({len(table.rows)} row{'s' if len(table.rows) != 1 else ''})\n"
