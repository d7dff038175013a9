"""Renderers: one report value in, one output format out (the registry is
:mod:`okrctl.render.formats`).  Only this package and ``okrctl.cli`` may import
rich or tabulate."""

from __future__ import annotations

import json

from okrctl import __version__

SCHEMA_VERSION = 1


def envelope(command: str, payload: dict) -> dict:
    """The JSON envelope every ``--format json`` output shares (docs/json.md)."""
    return {"okrctl": __version__, "schema_version": SCHEMA_VERSION, "command": command, **payload}


def dumps(obj: dict) -> str:
    """JSON text, UTF-8 as is; a lone surrogate (a non-UTF-8 byte of a file name)
    is written as its ``\\uDCxx`` escape, so the text always encodes."""
    from okrctl.render.textsafe import SURROGATE

    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if SURROGATE.search(text) else text

