"""Fixed-width terminal layout that never cuts a number or a marker.

rich's own table shrinks every column when the terminal is narrow and cuts cells
with an ellipsis (``0.…``).  The score and roll-up views instead lay out their
columns here: number columns keep their full width, the one text column (titles,
unit names) wraps at word boundaries with atomic *tokens* (a marker such as
``↺`` or ``[thách thức]`` is one token, never split), and the caller decides
which columns to drop when even that does not fit (docs/cli.md, "Narrow
terminals").  Each output line is padded to at most ``width`` cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

#: cells between two columns
GAP = 2


def tokens(text: str, style: str = "", T: type = Text) -> list[Text]:
    """The words of ``text`` as wrap tokens (``T``: rich's ``Text``, or
    :class:`okrctl.render.plain.PlainText` for a console without colour)."""
    return [T(w, style=style) for w in text.split()]


def wrap(parts: Sequence[Text], width: int, T: type = Text) -> list[Text]:
    """Greedy word wrap of atomic ``parts`` (joined by one space) into lines of at
    most ``width`` cells.  A part wider than ``width`` on its own is folded (only
    ever a long word of a title: numbers and markers are short)."""
    width = max(width, 1)
    lines: list[Text] = []
    line = T()
    for part in parts:
        if not part.plain:
            continue
        sep = 1 if line.plain else 0
        if line.cell_len + sep + part.cell_len <= width:
            if sep:
                line.append(" ")
            line.append_text(part)
            continue
        if line.plain:
            lines.append(line)
        line = T()
        while part.cell_len > width:
            cut = _fit(part.plain, width)
            lines.append(part[:cut])
            part = part[cut:]
        line = part.copy()
    if line.plain or not lines:
        lines.append(line)
    return lines


def _fit(s: str, width: int) -> int:
    """How many characters of ``s`` fit in ``width`` cells (at least one)."""
    n = 0
    while n < len(s) and cell_len(s[: n + 1]) <= width:
        n += 1
    return max(n, 1)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    right: bool = False


def natural_width(col: Column, rows: Sequence[dict[str, list[Text]]]) -> int:
    """The widest cell line (or the header) of ``col``."""
    return max([cell_len(col.header)] + [line.cell_len for r in rows for line in r.get(col.key, [])])


def grid(columns: Sequence[Column], widths: dict[str, int], rows: Sequence[dict[str, list[Text]]],
         header_style: str = "bold dim", T: type = Text) -> list[Text]:
    """The header line and every row's lines; a cell is a list of lines, the row as
    tall as its tallest cell; a row's ``_above`` lines come before it.  Trailing blanks are trimmed."""
    head = {c.key: wrap(tokens(c.header, header_style, T), widths[c.key], T) for c in columns}
    out = [_line(columns, widths, head, i, T) for i in range(max(len(h) for h in head.values()))]
    for r in rows:
        out.extend(r.get("_above", []))
        height = max((len(r.get(c.key, [])) for c in columns), default=1) or 1
        out.extend(_line(columns, widths, r, i, T) for i in range(height))
    return out


def _line(columns: Sequence[Column], widths: dict[str, int], row: dict[str, list[Text]], i: int,
          T: type = Text) -> Text:
    if T is not Text:  # plain strings (okrctl.render.plain)
        from okrctl.render.plain import line as plain_line

        return plain_line([(cell[i].plain if i < len(cell) else "", widths[c.key], c.right)
                           for c in columns for cell in (row.get(c.key, ()),)], GAP)
    line = T()
    for n, c in enumerate(columns):
        cell = row.get(c.key, [])
        text = cell[i].copy() if i < len(cell) else T()
        pad = widths[c.key] - text.cell_len
        if n:
            line.append(" " * GAP)
        if c.right:
            line.append(" " * pad)
            line.append_text(text)
        else:
            line.append_text(text)
            line.append(" " * pad)
    line.rstrip()
    return line


def tree_glyphs(depths: Sequence[int]) -> list[str]:
    """The tree prefix of each row of a pre-order list given by depth: ``├ `` or
    ``└ `` before a child (``└`` only for the last of its siblings) and ``│ `` down
    the side of an ancestor that has later siblings.  The shallowest depth is the
    root level and gets no glyph."""
    base = min(depths, default=0)
    out = []
    for i, d in enumerate(depths):
        prefix = ""
        for level in range(base + 1, d + 1):
            more = _has_later_sibling(depths, i, level)
            if level == d:
                prefix += "├ " if more else "└ "
            else:
                prefix += "│ " if more else "  "
        out.append(prefix)
    return out


def _has_later_sibling(depths: Sequence[int], i: int, level: int) -> bool:
    """Whether the ancestor-or-self of row ``i`` at ``level`` has a later sibling."""
    for d in depths[i + 1:]:
        if d < level:
            return False
        if d == level:
            return True
    return False
