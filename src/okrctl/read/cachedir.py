"""Where okrctl keeps derived data it can always rebuild (compiled validators now;
the content-addressed parse cache later).  ``OKRCTL_CACHE_DIR`` overrides the
default ``$XDG_CACHE_HOME/okrctl`` (``~/.cache/okrctl``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("OKRCTL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "okrctl"


def read_cached(name: str) -> str | None:
    try:
        return (cache_dir() / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_cached(name: str, text: str) -> None:
    """Best effort and atomic: a cache that cannot be written is simply not used."""
    path = cache_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass
