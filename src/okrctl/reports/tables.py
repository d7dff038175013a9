"""A typed table: named, typed columns and rows of plain Python values.

Pure data.  A writer in :mod:`okrctl.render.formats` decides how a ``score`` or a
``date`` looks in CSV, Markdown or on a terminal; a table only says what each
column holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: What a column holds.  ``text`` free text; ``code`` a fixed word (a status, a
#: level, a kind — human formats may translate it); ``ref`` an identifier;
#: ``number`` an exact number (Fraction, Decimal, int); ``score`` a score
#: (Fraction or None); ``int`` a count or a depth; ``date`` a ``datetime.date``;
#: ``bool``; ``value`` a check-in value (number, bool or a tuple of milestone ids).
ColumnType = Literal["text", "code", "ref", "number", "score", "int", "date", "bool", "value"]

COLUMN_TYPES: tuple[str, ...] = ("text", "code", "ref", "number", "score", "int", "date", "bool", "value")


@dataclass(frozen=True)
class Column:
    """A column: its machine name (the CSV header), what it holds, and the unit of
    measure when every cell shares one (``%``); ``None`` when none or mixed."""

    name: str
    type: ColumnType = "text"
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name!r}: unknown type {self.type!r}")


@dataclass(frozen=True)
class Table:
    """``key`` names the table (``score``, ``rollup``, ``alignment``); ``title`` is
    what it is about (the workspace and period).  Each row is a tuple with one
    value per column, ``None`` for an empty cell."""

    key: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    title: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.key!r}: duplicate column names")
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key!r}: row {i} has {len(row)} cells, expected {len(self.columns)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def index(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        raise KeyError(name)

    def column(self, name: str) -> Column:
        return self.columns[self.index(name)]

    def values(self, name: str) -> list[Any]:
        """Every cell of one column, top to bottom."""
        i = self.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> Iterator[dict[str, Any]]:
        """Each row as ``{column name: value}``."""
        names = self.names
        for r in self.rows:
            yield dict(zip(names, r))


def make_table(key: str, columns: Sequence[Column], records: Sequence[dict[str, Any]], title: str = "") -> Table:
    """A table from dict rows; a missing key is an empty cell."""
    cols = tuple(columns)
    return Table(key, cols, tuple(tuple(r.get(c.name) for c in cols) for r in records), title)
