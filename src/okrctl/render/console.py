"""Terminal consoles: colour policy in one place (CLI and renderers only)."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def color_enabled(mode: str, stream=None) -> bool:
    """--color always|never|auto; auto honours NO_COLOR, FORCE_COLOR, TERM=dumb and TTY."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


#: the widest and narrowest terminal okrctl lays out for: ``COLUMNS=99999999`` once
#: took 18 s and 2 GB (issue 12 #16)
MAX_WIDTH = 1000
MIN_WIDTH = 20


def _columns() -> int | None:
    """``COLUMNS`` clamped to [MIN_WIDTH, MAX_WIDTH]; None when unset or not a number."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        return None
    return min(max(width, MIN_WIDTH), MAX_WIDTH)


class _Console(Console):
    """rich's Console, except that a closed pipe (``okrctl score | head``) raises
    BrokenPipeError for cli/main.py to end quietly with 0, instead of rich's own
    ``SystemExit(1)``."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def make_console(mode: str = "auto", *, stderr: bool = False, file=None, width: int | None = None) -> Console:
    stream = file or (sys.stderr if stderr else sys.stdout)
    color = color_enabled(mode, stream)
    width = _columns() if width is None else min(max(width, MIN_WIDTH), MAX_WIDTH)
    if color:
        return _Console(file=stream, force_terminal=True, color_system="truecolor" if mode == "always" else "auto",
                       highlight=False, width=width, soft_wrap=False)
    # no colour and no other styling: plain text a script or a log can read
    return _Console(file=stream, color_system=None, force_terminal=False, no_color=True, highlight=False,
                   width=width or (None if stream.isatty() else 120), emoji=False, markup=True)
