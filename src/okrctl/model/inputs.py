"""Numbers and booleans typed by a user, parsed exactly or refused with a hint
(:class:`InputError`, one line naming what was typed).

Pure text parsers: the KR types (:mod:`okrctl.krtypes`) parse a check-in's value
with them, the write use cases their options.
"""

from __future__ import annotations

from okrctl.model.messages import _

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from okrctl.errors import UsageError

__all__ = ["MAX_EXPONENT", "InputError", "number_text", "parse_bool", "parse_number"]

#: a number whose decimal exponent is beyond this is refused, in files and typed
#: (Fraction(1e999999999) would need a billion digits)
MAX_EXPONENT = 40


class InputError(UsageError, ValueError):
    """What was typed cannot be used; ``message`` is one line for the user (exit 2)."""


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


_NON_FINITE = re.compile(r"[+-]?\.?(?:inf|infinity|nan)", re.IGNORECASE)


_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:([.,  _'])[0-9]{3})+(?:([.,])[0-9]+)?")


def parse_number(text: str, what: str = "VALUE") -> Decimal:
    """A finite decimal number typed by a user, exactly (``62.50`` stays ``62.50``).

    Accepted: ``62``, ``-3``, ``0.25``, ``.5``, ``1e3`` (written back as ``1000``), with
    full-width digits or a Unicode minus normalised.  Refused with a hint: a decimal
    comma (``1,5`` → ``1.5``), thousands separators (``1.234,5``, ``1,234.5``, ``1 234``),
    ``nan``/``inf``, ``%``, hex and ``_`` separators, a decimal exponent beyond ±40."""
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not s:
        raise InputError(_("{what}: empty; write a number such as 62 or 62.5").format(what=what))
    if _NUMBER.fullmatch(s):
        try:
            d = Decimal(s)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid text
            raise InputError(_("{what}: {text!r} is not a number").format(what=what, text=text)) from None
        if d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
            raise InputError(_("{what}: {text!r} is out of range (okrctl reads numbers whose decimal exponent lies within ±{MAX_EXPONENT})").format(what=what, text=text, MAX_EXPONENT=MAX_EXPONENT))
        return d
    if _NON_FINITE.fullmatch(s):
        raise InputError(_("{what}: {text!r} is not a finite number; write a plain decimal such as 62.5").format(what=what, text=text))
    if s.endswith("%") and _NUMBER.fullmatch(s[:-1].strip()):
        raise InputError(_("{what}: write the number without the % sign: {strip} (the KR's unit says what it counts)").format(what=what, strip=s[:-1].strip()))
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", s):
        whole, frac = s.split(",")
        if len(frac) == 3:
            raise InputError(_("{what}: {text!r} is ambiguous; write {whole}.{frac} (a decimal) or {whole}{frac} (a whole number): a dot for decimals, no thousands separator").format(what=what, text=text, whole=whole, frac=frac))
        raise InputError(_("{what}: {text!r}: use a dot as the decimal separator: {whole}.{frac}").format(what=what, text=text, whole=whole, frac=frac))
    m = _THOUSANDS.fullmatch(s)
    if m and m.group(1) != m.group(2):
        sep, dec = m.group(1), m.group(2)
        digits = s if dec is None else s[: s.rindex(dec)]
        plain = digits.replace(sep, "") + ("" if dec is None else "." + s[s.rindex(dec) + 1 :])
        raise InputError(_("{what}: {text!r}: write numbers without thousands separators and with a dot for decimals: {plain}").format(what=what, text=text, plain=plain))
    if re.fullmatch(r"[+-]?0[xXoObB][0-9a-fA-F_]+|[+-]?[0-9][0-9_]*(?:\.[0-9_]*)?", s):
        raise InputError(_("{what}: {text!r}: write plain decimal digits (no hex, octal or _ separators)").format(what=what, text=text))
    raise InputError(_("{what}: {text!r} is not a number; write a plain decimal such as 62 or 62.5").format(what=what, text=text))


_TRUE = frozenset({"true", "yes", "có", "co"})


_FALSE = frozenset({"false", "no", "không", "khong"})


def parse_bool(text: str, what: str = "VALUE") -> bool:
    """``true``/``false``; also ``yes``/``no`` and Vietnamese ``có``/``không`` (with or
    without diacritics), in any letter case.  Written to the file as ``true``/``false``."""
    s = unicodedata.normalize("NFC", text).strip().casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InputError(_("{what}: {text!r}: a boolean key result takes true or false (also yes/no, có/không)").format(what=what, text=text))


def number_text(d: Decimal) -> str:
    """A parsed number as okrctl echoes it back (``1e3`` → ``1000``, never ``-0``)."""
    text = format(d, "f")
    return "0" if text == "-0" else text
