"""The output format registry: ``(report kind, format) → writer``.

A writer takes a :class:`okrctl.reports.score_tables.Report` and
:class:`RenderOptions`; a text writer returns the text, a terminal writer prints
to ``options.console`` and returns None.  Entries name the writer as
``"module:function"`` so a format's libraries (rich, tabulate) load only when it
is used.  A new format is one writer plus one :data:`WRITERS` entry (and, for
``-o FILE``, one :data:`EXTENSIONS` entry).

The generic writers live here: ``csv`` writes the report's typed table and
``json`` its docs/json.md payload.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from okrctl.render import dumps, envelope
from okrctl.render.textsafe import csv_safe
from okrctl.render.values import raw

if TYPE_CHECKING:
    from okrctl.reports.score_tables import Report
    from okrctl.reports.tables import Table


@dataclass(frozen=True)
class RenderOptions:
    """``locale``: labels in human formats (JSON and CSV never translate);
    ``console``: where terminal writers print (a ``rich.console.Console``)."""

    locale: str = "en"
    console: Any = None


Writer = Callable[["Report", RenderOptions], "str | None"]

#: (kind, format) → "module:function"
WRITERS: dict[tuple[str, str], str] = {
    ("score", "table"): "okrctl.render.score:score_terminal",
    ("score", "json"): "okrctl.render.formats:write_json",
    ("score", "csv"): "okrctl.render.formats:write_csv",
    ("score", "md"): "okrctl.render.markdown:score_markdown",
    ("rollup", "table"): "okrctl.render.score:rollup_terminal",
    ("rollup", "json"): "okrctl.render.formats:write_json",
    ("rollup", "csv"): "okrctl.render.formats:write_csv",
    ("rollup", "md"): "okrctl.render.markdown:rollup_markdown",
    ("alignment", "table"): "okrctl.render.score:alignment_terminal",
    ("alignment", "json"): "okrctl.render.formats:write_json",
    ("alignment", "csv"): "okrctl.render.formats:write_csv",
    ("alignment", "md"): "okrctl.render.markdown:alignment_markdown",
    ("quarterly", "md"): "okrctl.render.report:markdown",
    ("quarterly", "html"): "okrctl.render.report:html",
}

#: ``-o FILE`` extension (lower case) → format
EXTENSIONS: dict[str, str] = {".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md", ".txt": "table",
                              ".sarif": "sarif", ".html": "html", ".htm": "html",
                              ".docx": "docx", ".pdf": "pdf"}

#: the JSON ``command`` of each kind (``rollup --by alignment`` is the rollup command)
COMMANDS = {"score": "score", "rollup": "rollup", "alignment": "rollup"}


class UnknownFormat(ValueError):
    """No writer for this kind and format, or no format for this file name."""


def formats(kind: str) -> tuple[str, ...]:
    """The formats ``kind`` can be written in, in registry order."""
    return tuple(f for k, f in WRITERS if k == kind)


def writer(kind: str, fmt: str) -> Writer:
    try:
        target = WRITERS[(kind, fmt)]
    except KeyError:
        raise UnknownFormat(f"no {fmt!r} output for {kind!r} (have: {', '.join(formats(kind))})") from None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def format_for(path: str) -> str:
    """The format of ``-o FILE`` from its extension (case-insensitive)."""
    name = str(path).replace("\\", "/").rsplit("/", 1)[-1]
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        return EXTENSIONS[ext]
    except KeyError:
        raise UnknownFormat(f"cannot tell the format from the extension {ext or '(none)'!r}; "
                            f"known: {' '.join(EXTENSIONS)}") from None


def render(report: Report, fmt: str, options: RenderOptions | None = None) -> str | None:
    """Write ``report`` in ``fmt``: the text, or None when a terminal writer printed it."""
    return writer(report.kind, fmt)(report, options or RenderOptions())


# ------------------------------------------------------------------ generic writers

def table_csv(table: Table) -> str:
    """RFC 4180 CSV (CRLF line ends, so a CR or LF inside a cell is always
    quoted): a header of column names, then one line per row; values as :func:`okrctl.render.values.raw` writes them; text cells that a
    spreadsheet would take for a formula neutralised (numbers stay numbers: ``-5``
    is a number, not a formula)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.names)
    for row in table.rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def csv_cell(v: object) -> object:
    """One CSV cell: text through :func:`csv_safe`, every other value as
    :func:`raw` writes it (never guarded: a negative number stays a number)."""
    return csv_safe(v) if isinstance(v, str) else raw(v)


def write_csv(report: Report, options: RenderOptions) -> str:
    return table_csv(report.table)


def write_json(report: Report, options: RenderOptions) -> str:
    return dumps(envelope(COMMANDS[report.kind], report.payload()))
