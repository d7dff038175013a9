"""What the user typed: numbers, booleans, confidences, milestone ids and free texts,
parsed or refused (:class:`~okrctl.write.errors.BadInput`) with a hint."""

from __future__ import annotations

from okrctl.model.messages import _

import re
import unicodedata
from decimal import Decimal

from okrctl.model import inputs as _model_inputs
from okrctl.model.inputs import InputError
from okrctl.model.text import CONTROL_OR_BOM as _CONTROL
from okrctl.write.errors import BadInput

__all__ = ["parse_bool", "parse_number"]


def parse_number(text: str, what: str = "VALUE") -> Decimal:
    """:func:`okrctl.model.inputs.parse_number`, refusing with :class:`BadInput`."""
    try:
        return _model_inputs.parse_number(text, what)
    except InputError as exc:
        raise BadInput(exc.message) from None


def parse_bool(text: str, what: str = "VALUE") -> bool:
    """:func:`okrctl.model.inputs.parse_bool`, refusing with :class:`BadInput`."""
    try:
        return _model_inputs.parse_bool(text, what)
    except InputError as exc:
        raise BadInput(exc.message) from None


def _parse_confidence(text: str) -> Decimal:
    c = parse_number(text, "--confidence")
    if not 0 <= c <= 1:
        hint = f" (for {c}% write {c / 100})" if 1 < c <= 100 else ""
        raise BadInput(_("--confidence: {text!r} must lie between 0 and 1{hint}").format(text=text, hint=hint))
    return c


def _clean_text(text: str, what: str, *, multiline: bool = False) -> str:
    s = unicodedata.normalize("NFC", text).strip()
    if not s:
        raise BadInput(_("{what}: empty text").format(what=what))
    bad = _CONTROL.search(s) or (None if multiline else re.search("[\n\t]", s))
    if bad:
        raise BadInput(_("{what}: contains the control character U+{ord:04X}; remove it").format(what=what, ord=ord(bad.group())))
    return s

