"""``--format`` and ``-o FILE`` for every command: the format follows the file's
extension unless ``--format`` names one, and the file is written atomically (a
half-written report never replaces a good one).  A terminal view written to a file
is plain text at a fixed width."""

from __future__ import annotations

from okrctl.model.messages import _

import io
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from okrctl.errors import UsageError

#: width of a terminal view written to a file
FILE_WIDTH = 140

F = TypeVar("F", bound=Enum)

OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", metavar="FILE",
    help="Write to FILE (atomically) instead of standard output; the format follows its extension "
         "(.json, .md, .csv, .sarif, .txt for the terminal view) unless --format says otherwise.")]


def choose_format(fmt: F | None, output: Path | None, formats: type[F], default: F) -> F:
    """``fmt`` if given; else the one ``output``'s extension names
    (:func:`okrctl.render.formats.format_for`; ``.txt`` is the terminal view, called
    ``table`` or ``text``); else ``default``."""
    if fmt is not None:
        return fmt
    if output is None:
        return default
    from okrctl.render.formats import EXTENSIONS, UnknownFormat, format_for

    names = [f.value for f in formats]
    text = "table" if "table" in names else "text"
    try:
        name = format_for(str(output))
    except UnknownFormat:
        name = None
    if name == "table":
        name = text
    if name not in names:
        exts = ", ".join(e for e, n in EXTENSIONS.items() if (text if n == "table" else n) in names)
        raise UsageError(_("-o {output}: cannot tell the format from the extension ({exts}); add --format {names}").format(output=output, exts=exts, names='|'.join(names)))
    return formats(name)


def emit(text: str | bytes, output: Path | None) -> None:
    """``text`` to standard output, or atomically to ``output``; ``bytes`` (a binary
    format) are refused on a terminal."""
    if output is None:
        if isinstance(text, bytes):
            if sys.stdout.isatty():
                raise UsageError(_("a binary format is not written to a terminal: use -o FILE"))
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            return
        sys.stdout.write(text)
        return
    from okrctl.write.fsio import atomic_write

    try:
        atomic_write(output, text if isinstance(text, bytes) else text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(_("cannot write {output}: {strerror}").format(output=output, strerror=exc.strerror)) from None


class TextView:
    """A rich console for a terminal view: the real terminal, or a buffer written
    to ``output`` as plain text by :meth:`close`."""

    def __init__(self, color: str, output: Path | None) -> None:
        from okrctl.render.console import make_console

        self.output = output
        self._buf = io.StringIO() if output is not None else None
        self.console = (make_console(color) if output is None
                        else make_console("never", file=self._buf, width=FILE_WIDTH))

    def close(self) -> None:
        if self._buf is not None:
            emit(self._buf.getvalue(), self.output)


def progress(items, label: str, color: str, *, total: int | None = None):
    """``items``, with a transient progress bar on stderr when stderr is a terminal
    (silent in CI logs and pipes)."""
    if not sys.stderr.isatty():
        return items
    from rich.progress import track

    from okrctl.render.console import make_console

    return track(items, description=label, total=total, transient=True, console=make_console(color, stderr=True))


class _NoBar:
    def update(self, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


class _LoadBar:
    """A transient rich progress bar on stderr, shown once the loader says at least
    ``min_total`` files are still to be parsed.  Refreshed by hand (no thread), so
    the loader stays free to fork its worker process."""

    def __init__(self, label: str, color: str, min_total: int) -> None:
        self.label, self.color, self.min_total = label, color, min_total
        self._progress = None
        self._task = None
        self._shown_at = 0.0

    def update(self, done: int, total: int) -> None:
        import time

        if self._progress is None:
            if total < self.min_total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from okrctl.render.console import make_console

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeRemainingColumn(), console=make_console(self.color, stderr=True),
                                      transient=True, auto_refresh=False, redirect_stdout=False, redirect_stderr=False)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        now = time.monotonic()
        if now - self._shown_at >= 0.1 or done >= total:
            self._shown_at = now
            self._progress.update(self._task, completed=min(done, total), total=total)
            self._progress.refresh()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def load_progress(label: str, color: str, *, min_total: int):
    """A callback pair for the loader (``update(done, total)``, ``close()``): a
    progress bar on a terminal's stderr when many files are to be parsed, nothing
    when stderr is not a terminal (CI logs, pipes)."""
    if not sys.stderr.isatty():
        return _NoBar()
    return _LoadBar(label, color, min_total)
