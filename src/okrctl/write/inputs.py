"""What the user typed: numbers, booleans, confidences, milestone ids and free texts,
parsed or refused (:class:`~okrctl.write.errors.BadInput`) with a hint."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from okrctl.model.records import KeyResult
from okrctl.read.yamlread import MAX_EXPONENT
from okrctl.write.errors import BadInput

__all__ = ["parse_bool", "parse_number"]


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
        raise BadInput(f"{what}: empty; write a number such as 62 or 62.5")
    if _NUMBER.fullmatch(s):
        try:
            d = Decimal(s)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid text
            raise BadInput(f"{what}: {text!r} is not a number") from None
        if d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
            raise BadInput(f"{what}: {text!r} is out of range (okrctl reads numbers whose decimal exponent lies within ±{MAX_EXPONENT})")
        return d
    if _NON_FINITE.fullmatch(s):
        raise BadInput(f"{what}: {text!r} is not a finite number; write a plain decimal such as 62.5")
    if s.endswith("%") and _NUMBER.fullmatch(s[:-1].strip()):
        raise BadInput(f"{what}: write the number without the % sign: {s[:-1].strip()} (the KR's unit says what it counts)")
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", s):
        whole, frac = s.split(",")
        if len(frac) == 3:
            raise BadInput(f"{what}: {text!r} is ambiguous; write {whole}.{frac} (a decimal) or {whole}{frac} (a whole number): a dot for decimals, no thousands separator")
        raise BadInput(f"{what}: {text!r}: use a dot as the decimal separator: {whole}.{frac}")
    m = _THOUSANDS.fullmatch(s)
    if m and m.group(1) != m.group(2):
        sep, dec = m.group(1), m.group(2)
        digits = s if dec is None else s[: s.rindex(dec)]
        plain = digits.replace(sep, "") + ("" if dec is None else "." + s[s.rindex(dec) + 1 :])
        raise BadInput(f"{what}: {text!r}: write numbers without thousands separators and with a dot for decimals: {plain}")
    if re.fullmatch(r"[+-]?0[xXoObB][0-9a-fA-F_]+|[+-]?[0-9][0-9_]*(?:\.[0-9_]*)?", s):
        raise BadInput(f"{what}: {text!r}: write plain decimal digits (no hex, octal or _ separators)")
    raise BadInput(f"{what}: {text!r} is not a number; write a plain decimal such as 62 or 62.5")


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
    raise BadInput(f"{what}: {text!r}: a boolean key result takes true or false (also yes/no, có/không)")


def _parse_confidence(text: str) -> Decimal:
    c = parse_number(text, "--confidence")
    if not 0 <= c <= 1:
        hint = f" (for {c}% write {c / 100})" if 1 < c <= 100 else ""
        raise BadInput(f"--confidence: {text!r} must lie between 0 and 1{hint}")
    return c


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u2028\u2029]")


def _clean_text(text: str, what: str, *, multiline: bool = False) -> str:
    s = unicodedata.normalize("NFC", text).strip()
    if not s:
        raise BadInput(f"{what}: empty text")
    bad = _CONTROL.search(s) or (None if multiline else re.search("[\n\t]", s))
    if bad:
        raise BadInput(f"{what}: contains the control character U+{ord(bad.group()):04X}; remove it")
    return s


def _milestone_ids(text: str, kr: KeyResult) -> list[str]:
    s = unicodedata.normalize("NFC", text).strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    ids = [p.strip() for p in s.split(",") if p.strip()]
    if not ids:
        raise BadInput(f"VALUE: name the milestones done, e.g. {','.join(m.id for m in kr.milestones[:2])}")
    known = [m.id for m in kr.milestones]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BadInput(f"VALUE: {kr.ref} has no milestone {', '.join(unknown)} (its milestones: {', '.join(known)})")
    return ids
