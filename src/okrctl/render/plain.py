"""Plain text for a console without colour: the score and roll-up views' lines
without rich.

Laying out 2,000 units through rich ``Text`` objects (≈ 1.7 million of them,
each with its spans) and ``Console.print`` cost ≈ 30 s; without colour no style
reaches the output, so :class:`PlainText` keeps only the characters, with the
few ``Text`` operations :mod:`okrctl.render.layout` and
:mod:`okrctl.render.score` use, and :class:`Lines` writes a line as it is
when rich would write it unchanged (it fits the width, no tab to expand) and
hands it to rich otherwise.  ``tests/render/test_plain_render.py`` compares both
paths on generated units at several widths."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.text import Text

#: what rich's ``Text`` removes from text it is given (``strip_control_codes``)
_STRIP = {c: None for c in range(32) if strip_control_codes(chr(c)) == ""}
#: rich's ``cell_len`` of the short strings seen (words, numbers, labels repeat)
_CELLS: dict[str, int] = {}


def width(s: str) -> int:
    """``rich.cells.cell_len(s)``, remembered for short strings."""
    w = _CELLS.get(s)
    if w is None:
        w = cell_len(s)
        if len(s) <= 32:
            _CELLS[s] = w
    return w


class PlainText:
    """The characters of a rich ``Text`` (styles accepted and dropped)."""

    __slots__ = ("plain",)

    def __init__(self, text: str = "", style: Any = "") -> None:
        self.plain = text.translate(_STRIP)

    @classmethod
    def assemble(cls, *parts: Any) -> "PlainText":
        out = cls()
        out.plain = "".join(p.translate(_STRIP) if isinstance(p, str) else p.plain for p in parts)
        return out

    @property
    def cell_len(self) -> int:
        return width(self.plain)

    def append(self, text: Any, style: Any = None) -> "PlainText":
        self.plain += text.translate(_STRIP) if isinstance(text, str) else text.plain
        return self

    def append_text(self, text: Any) -> "PlainText":
        self.plain += text.plain
        return self

    def copy(self) -> "PlainText":
        out = PlainText()
        out.plain = self.plain
        return out

    def rstrip(self) -> None:
        self.plain = self.plain.rstrip()

    def __getitem__(self, index: slice) -> "PlainText":
        start, stop, step = index.indices(len(self.plain))
        assert step == 1
        out = PlainText()
        out.plain = self.plain[start:stop]
        return out

    def __add__(self, other: Any) -> "PlainText":
        return self.copy().append(other)

    def __len__(self) -> int:
        return len(self.plain)

    def __bool__(self) -> bool:
        return bool(self.plain)


def line(cells: list[tuple[str, int, bool]], gap: int) -> PlainText:
    """One line of :func:`okrctl.render.layout.grid`: each cell's text padded to
    its width (on the left when ``right``), ``gap`` spaces between, trailing
    blanks trimmed."""
    parts = []
    for text, size, right in cells:
        pad = " " * (size - width(text))
        parts.append(pad + text if right else text + pad)
    out = PlainText()
    out.plain = (" " * gap).join(parts).rstrip()
    return out


def plain_console(console: Any) -> bool:
    """Whether ``console`` writes no colour or style (then :class:`PlainText` serves)."""
    return console.color_system is None


class Lines:
    """Lines for ``console``: gathered and written at once when plain, printed by
    rich otherwise (and for a plain line rich would change: wider than the
    console, or holding a tab)."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.plain = plain_console(console)
        self.text: type = PlainText if self.plain else Text
        self._buf: list[str] = []

    def print(self, text: Any = None, *, fold: bool = True) -> None:
        """``console.print(text)``; ``fold=False``: as ``console.print(text,
        no_wrap=True, overflow="ignore", crop=False)``."""
        kw = {} if fold else {"no_wrap": True, "overflow": "ignore", "crop": False}
        if not self.plain:
            self.console.print(*(() if text is None else (text,)), **kw)
            return
        if text is None:
            self._buf.append("\n")
            return
        s = text.plain
        if "\t" not in s and (not fold or cell_len(s) <= self.console.width):
            self._buf.append(s + "\n")
            return
        self.flush()
        self.console.print(Text(s), **kw)

    def flush(self) -> None:
        if self._buf:
            self.console.file.write("".join(self._buf))
            self._buf.clear()
