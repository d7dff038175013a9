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
