"""Renderers: one result record in, one output format out.  Only this package and
``okrctl.cli`` may import rich or tabulate."""

from __future__ import annotations

import json

from okrctl import __version__

SCHEMA_VERSION = 1


def envelope(command: str, payload: dict) -> dict:
    """The JSON envelope every ``--format json`` output shares (FORMAT §9)."""
    return {"okrctl": __version__, "schema_version": SCHEMA_VERSION, "command": command, **payload}


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def format_from_path(path: str, allowed: tuple[str, ...]) -> str | None:
    """Infer an output format from a file extension (``-o report.md``)."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    ext = {"markdown": "md", "htm": "html", "txt": "table"}.get(ext, ext)
    return ext if ext in allowed else None
