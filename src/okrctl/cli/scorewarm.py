"""The whole output of ``score`` and ``rollup`` in the persistent cache.

A warm run with nothing changed looks up one row keyed by every input of the
output — the (path, blob id) of every file, the scoring date and today in the
workspace time zone (:func:`okrctl.read.loader.result_key`), the command's
options, the output format and, for the terminal view, its width, the current
and workspace directories (file names in messages are shown from there) and the
language asked for — and writes it without decoding any period file: the text
on standard output, the note on standard error and the exit code with its
message and details, exactly as the run that stored it (see
docs/architecture.md, "The cache").  Only runs that end normally or with
:func:`okrctl.cli.workspace.finish_partial`'s exit are stored; a run refused
before scoring is loaded again every time.  A colour terminal is never
cached (its width and escapes belong to the terminal).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: stdout text, stderr text, the exit code of a refusal (0: none), its message
#: and detail lines (translated)
Output = tuple[str, str, int, str, list[str]]
KIND = "output"
#: okrctl's packages that turn records into the output (the loader's cache
#: fingerprint covers the ones that make the records), and the message catalogues
CODE = ("engine", "reports", "render", "cli", "locale")


def code_fingerprint() -> str:
    """The size and modification time of every module and catalogue the output
    depends on besides the records, and rich's version (it lays out the terminal
    view): an upgrade or an edit of any of them is a miss."""
    import hashlib
    from importlib.util import find_spec

    import okrctl

    pkg = Path(okrctl.__file__).parent
    h = hashlib.blake2b(digest_size=16)
    spec = find_spec("rich")
    rich = Path(spec.origin).parent if spec is not None and spec.origin else None
    for name in ("__init__.py", "text.py", "console.py", "cells.py"):
        try:
            st = os.stat(rich / name) if rich is not None else None
        except OSError:
            st = None
        h.update(f"rich/{name}:{st.st_size if st else 0}:{st.st_mtime_ns if st else 0}\0".encode())
    for sub in CODE:
        for p in sorted((pkg / sub).rglob("*")):
            if p.suffix in (".py", ".mo", ".po"):
                st = p.stat()
                h.update(f"{p.relative_to(pkg)}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


@dataclass
class Warm:
    """One command's lookup: ``listed`` for the loader on a miss, ``key`` (None:
    nothing can be cached) and ``hit``."""

    listed: Any
    key: bytes | None
    hit: Output | None
    loader_cache: Any
    rows: Any
    extra: str


def cacheable_view(st, fmt: str, output: Path | None) -> str | None:
    """What of the output device shapes the text: ``None`` when the text cannot be
    kept (colour, or a terminal whose width may change), else a description for
    the key."""
    if fmt != "table":
        return fmt
    if output is not None:
        return "table\0file"
    from okrctl.render.console import _columns, color_enabled

    if color_enabled(st.color, sys.stdout) or sys.stdout.isatty():
        return None
    return f"table\0{_columns() or 120}"


def lookup(st, store, source, *, today: Callable, extra: str) -> Warm:
    """The row of this run, if any (``store``: the loader's record cache or None)."""
    from okrctl.read.loader import list_with_shas, result_key

    if store is None:
        return Warm(None, None, None, None, None, extra)
    from okrctl.read.cache import RecordCache

    listed = list_with_shas(source, store)
    extra = "\0".join((extra, st.locale or "", os.environ.get("OKRCTL_LOCALE", ""), os.getcwd(), code_fingerprint()))
    key, _day = result_key(listed, store, today=today, extra=extra)
    rows = RecordCache(store.store, {KIND: Output})
    rows.stats = store.stats  # one run, one set of statistics
    hit = None
    if key is not None:
        row = rows.key(KIND, key.hex(), "")
        hit = rows.get_many(KIND, [row]).get(row)
    return Warm(listed, key, hit, store, rows, extra)


def replay(warm: Warm, output: Path | None) -> None:
    """Write the stored output (to ``output`` or standard output) and end as the
    stored run ended."""
    from okrctl.cli.output import emit
    from okrctl.errors import FindingsError

    assert warm.hit is not None
    text, note, code, message, details = warm.hit
    stats = warm.loader_cache.stats
    stats.hits, stats.misses, stats.whole = len(warm.listed.files), 0, 1
    warm.loader_cache.flush()
    warm.rows.flush()
    emit(text, output)
    if note:
        sys.stderr.write(note)
    if code:
        raise FindingsError(message, exit_code=code, details=details)


def run_and_store(warm: Warm, text: str, emit: Callable[[], None], finish: Callable[[], None],
                  day_used: date, recompute_today: Callable) -> None:
    """``emit`` the output, run ``finish`` (the exit of a partial result) with its
    standard error kept, and store all of it under the run's key."""
    from okrctl.errors import FindingsError
    from okrctl.model.messages import tr

    emit()
    err = io.StringIO()
    outcome: Output | None = None
    try:
        with contextlib.redirect_stderr(err):
            finish()
        outcome = (text, err.getvalue(), 0, "", [])
    except FindingsError as exc:
        outcome = (text, err.getvalue(), exc.exit_code, tr(exc.message), [tr(line) for line in exc.details])
        raise
    finally:
        sys.stderr.write(err.getvalue())
        if outcome is not None and warm.rows is not None:
            _store(warm, outcome, day_used, recompute_today)


def _store(warm: Warm, outcome: Output, day_used: date, recompute_today: Callable) -> None:
    from okrctl.read.loader import result_key

    key = warm.key
    if key is None:  # okrctl.yaml was not in the cache before this run: now it is
        key, day = result_key(warm.listed, warm.loader_cache, today=recompute_today, extra=warm.extra)
        if day is None or day[0] != day_used:  # midnight passed meanwhile
            return
    if key is None:
        return
    warm.rows.put(KIND, warm.rows.key(KIND, key.hex(), ""), outcome)
    warm.rows.flush()
