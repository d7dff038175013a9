"""Renderers: one report value in, one output format out (the registry is
:mod:`okrctl.render.formats`).  Only this package and ``okrctl.cli`` may import
rich or tabulate."""

from __future__ import annotations

import json

from okrctl import __version__

SCHEMA_VERSION = 1
#: below this many characters of compact JSON, Python's indenting encoder is
#: quicker than importing msgspec (≈ 4.5 ms) to indent it
FAST_FROM = 1 << 16


def envelope(command: str, payload: dict) -> dict:
    """The JSON envelope every ``--format json`` output shares (docs/json.md)."""
    return {"okrctl": __version__, "schema_version": SCHEMA_VERSION, "command": command, **payload}


def dumps(obj: dict, *, fast_from: int = FAST_FROM) -> str:
    """JSON text, UTF-8 as is, indented by two spaces (exactly ``json.dumps(obj,
    ensure_ascii=False, indent=2)``); a lone surrogate (a non-UTF-8 byte of a file
    name) is written as its ``\\uDCxx`` escape, so the text always encodes.

    Python's indenting encoder is pure Python (≈ 1 s on a 26 MB score of 2,000
    units): the compact text comes from its C encoder (every number and string
    spelt as Python spells it) and msgspec only adds the indentation.  NaN or
    infinity (not JSON, refused by msgspec), lone surrogates and texts shorter
    than ``fast_from`` characters go the slow way."""
    from okrctl.render.textsafe import SURROGATE

    compact = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if len(compact) >= fast_from and not SURROGATE.search(compact):
        import msgspec

        try:
            return msgspec.json.format(compact, indent=2) + "\n"
        except msgspec.DecodeError:
            pass
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if SURROGATE.search(text) else text
