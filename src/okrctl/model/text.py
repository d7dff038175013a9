"""Characters that must not reach a terminal or a file unseen: C0/C1 controls (but
tab and newline), bidi overrides and marks, and the Unicode line separators.  A
unit name or a note could otherwise inject terminal escapes or GitHub workflow
commands, or hide text.

:data:`CONTROL` is what human output escapes (:mod:`okrctl.render.textsafe`);
:data:`CONTROL_OR_BOM` is what typed text refuses (:mod:`okrctl.write.inputs`): the
same set plus U+FEFF, a byte order mark pasted into a value.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL", "CONTROL_OR_BOM"]

_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u2028\u2029"

#: terminal-unsafe characters (escaped in human output)
CONTROL = re.compile(f"[{_UNSAFE}]")
#: terminal-unsafe characters and U+FEFF (refused in typed text)
CONTROL_OR_BOM = re.compile(f"[{_UNSAFE}\ufeff]")


#: above this length a string is normalised by :func:`nfc`'s linear route
_LONG = 256


def nfc(s: str) -> str:
    """``unicodedata.normalize("NFC", s)``, in time linear in ``len(s)``.

    CPython sorts a run of combining marks by insertion (its canonical ordering), so
    a value of 60,000 marks of alternating classes takes seconds (issue 12 #4).
    A long string that is not already NFC is decomposed character by character,
    each run of non-starters is put in canonical order with a stable sort (which is
    what canonical ordering is), and the result, now ordered, is composed by
    CPython in linear time."""
    if s.isascii():
        return s
    import unicodedata

    if len(s) <= _LONG or unicodedata.is_normalized("NFC", s):
        return unicodedata.normalize("NFC", s)
    normalize, combining = unicodedata.normalize, unicodedata.combining
    chars = [d for c in s for d in (normalize("NFD", c) if ord(c) >= 0xC0 else c)]
    out: list[str] = []
    run: list[str] = []
    for c in chars:
        if combining(c):
            run.append(c)
            continue
        if run:
            out += sorted(run, key=combining) if len(run) > 1 else run
            run = []
        out.append(c)
    if run:
        out += sorted(run, key=combining) if len(run) > 1 else run
    return normalize("NFC", "".join(out))
