"""References (docs/format.md): ``PERIOD/UNIT/OBJECTIVE[/KR]`` or ``PERIOD/UNIT/KPI``.

Where the period is implied (``aligns_to`` inside a file, the command line) it may
be left out: ``ha-noi/O2/KR1``.  The first segment is a period exactly when it
matches the period pattern; references match ids exactly (case-sensitive).

* :func:`parse_ref` -- a reference typed by a user, validated (:class:`RefError`);
* :func:`split_period` -- the period (or None) and the other segments, not validated;
* :func:`qualify`, :func:`has_period`, :func:`period_of`, :func:`local_part`,
  :func:`objective_ref` -- the small operations on a reference held as text;
* :func:`format_ref` / :meth:`Ref.text` -- back to text;
* :meth:`Ref.path` -- the period file that holds the item;
* :func:`choose_period` -- THE rule for a reference typed without its period, the
  same in every command (``checkin``, ``measure``, ``history``): the default period
  of docs/scoring.md at a date D, with the longer periods that also contain D, and
  :meth:`PeriodChoice.check` to say when more than one item could be meant.
"""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from okrctl.errors import UsageError
from okrctl.model.layout import period_file
from okrctl.model.periods import is_period_id

__all__ = [
    "ITEM_ID_RE",
    "UNIT_ID_RE",
    "PeriodChoice",
    "Ref",
    "RefError",
    "choose_period",
    "format_ref",
    "has_period",
    "item_part",
    "local_part",
    "objective_ref",
    "parse_ref",
    "period_of",
    "qualify",
    "split_period",
    "split_qualified",
    "unit_of",
]

#: a unit id: ``[a-z][a-z0-9-]*``, at most 64 characters
UNIT_ID_RE = re.compile(r"[a-z][a-z0-9-]{0,63}\Z")
#: an objective, key result, KPI or milestone id
ITEM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")

_USAGE = _("expected PERIOD/UNIT/OBJECTIVE[/KR] or PERIOD/UNIT/KPI, e.g. 2026-Q2/so-khcn/O1/KR1 (PERIOD may be left out)")


class RefError(UsageError, ValueError):
    """A malformed reference; ``message`` is one line for the user (exit 2)."""


def format_ref(period: str | None, unit: str, item: str, kr: str | None = None) -> str:
    """``PERIOD/UNIT/ITEM[/KR]``, leaving out the parts that are None."""
    return "/".join(x for x in (period, unit, item, kr) if x is not None)


@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed reference: ``PERIOD/UNIT/OBJ[/KR]`` or ``PERIOD/UNIT/KPI``;
    ``period`` is None when it was left out."""

    period: str | None
    unit: str
    item: str
    kr: str | None = None

    def qualified(self, period: str | None = None) -> str:
        """The reference with its period, ``period`` standing in for a missing one."""
        p = self.period or period
        if p is None:
            raise RefError(_("{text}: the period is missing").format(text=self.text()))
        return format_ref(p, self.unit, self.item, self.kr)

    def text(self) -> str:
        """The reference as written (without a period when it has none)."""
        return format_ref(self.period, self.unit, self.item, self.kr)

    def local(self) -> str:
        """``ITEM`` or ``ITEM/KR``: the item within its file."""
        return self.item if self.kr is None else f"{self.item}/{self.kr}"

    def path(self, period: str | None = None) -> str:
        """The period file, relative to the workspace: ``okrs/PERIOD/UNIT.yaml``."""
        return period_file(str(self.period or period), self.unit)

    def __str__(self) -> str:
        return self.text()


def split_period(ref: str) -> tuple[str | None, list[str]]:
    """``(period or None, the other segments)``; nothing is validated
    (``""`` gives ``(None, [])``)."""
    parts = ref.split("/") if ref else []
    if parts and is_period_id(parts[0]):
        return parts[0], parts[1:]
    return None, parts


def parse_ref(ref: str) -> Ref:
    """Parse a reference typed by a user; raises :class:`RefError` with a readable
    message when it is malformed (the period is optional)."""
    shown = ref if ref.isprintable() else ref.encode("unicode_escape").decode("ascii")
    if not ref or ref.startswith("-"):
        raise RefError(_("{shown!r} is not a reference: {USAGE}").format(shown=shown, USAGE=_USAGE))
    period, rest = split_period(ref)
    if len(rest) not in (2, 3):
        raise RefError(_("{shown!r} is not a reference: {USAGE}").format(shown=shown, USAGE=_USAGE))
    unit, item = rest[0], rest[1]
    kr = rest[2] if len(rest) == 3 else None
    if not UNIT_ID_RE.match(unit):
        raise RefError(_("{shown!r}: {unit!r} is not a unit id ([a-z][a-z0-9-]*); {USAGE}").format(shown=shown, unit=unit, USAGE=_USAGE))
    for part in (item, kr):
        if part is not None and not ITEM_ID_RE.match(part):
            raise RefError(_("{shown!r}: {part!r} is not an objective, key result or KPI id; {USAGE}").format(shown=shown, part=part, USAGE=_USAGE))
    return Ref(period, unit, item, kr)


def has_period(ref: str) -> bool:
    """Does the reference start with a period?"""
    return is_period_id(ref.split("/", 1)[0])


def qualify(ref: str, period_id: str) -> str:
    """Add the implied period to a reference (docs/format.md)."""
    return ref if has_period(ref) else f"{period_id}/{ref}"


def period_of(ref: str) -> str:
    """The first segment of a qualified reference: its period."""
    return ref.split("/", 1)[0]


def split_qualified(ref: str) -> Ref | None:
    """A fully qualified reference (as the records hold them) split into its parts;
    None unless it has 3 or 4 segments.  Nothing is validated."""
    parts = ref.split("/")
    if len(parts) not in (3, 4):
        return None
    return Ref(parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else None)


def unit_of(ref: str) -> str:
    """The second segment of a qualified reference: its unit ('' when it has none)."""
    parts = ref.split("/", 2)
    return parts[1] if len(parts) > 1 else ""


def item_part(ref: str) -> str:
    """A qualified reference without period and unit: ``OBJ[/KR]`` or ``KPI``."""
    return ref.split("/", 2)[2]


def local_part(ref: str) -> str:
    """A qualified reference without its period: ``UNIT/OBJ[/KR]``."""
    return ref.split("/", 1)[1]


def objective_ref(ref: str) -> str:
    """``PERIOD/UNIT/OBJ`` of a qualified reference to an objective or one of its KRs."""
    return "/".join(ref.split("/")[:3])


@dataclass(frozen=True)
class PeriodChoice:
    """The period a reference typed by a user names: the one written, or the default
    period at ``date`` (``defaulted``), with ``others``: the longer periods with files
    that also contain ``date`` (shortest first)."""

    period: str
    rest: tuple[str, ...]
    defaulted: bool
    date: date | None = None
    others: tuple[str, ...] = ()

    def check(self, holds: Callable[[str], bool]) -> list[str]:
        """``holds(period)``: does that period's file have the item?  Returns the
        other references the user may have meant (to mention; empty when the
        reference is unambiguous); raises :class:`RefError` listing them when the
        default period lacks the item but a longer period has it."""
        if not self.defaulted:
            return []
        local = "/".join(self.rest)
        others = [f"{p}/{local}" for p in self.others if holds(p)]
        if others and not holds(self.period):
            raise RefError(ngettext(
                "{local}: not in {period}, the default period at {date} (the shortest period with files containing "
                "that date); it is in: {others}; write the period to choose",
                "{local}: not in {period}, the default period at {date} (the shortest period with files containing "
                "that date); they are in: {others}; write the period to choose",
                len(others)).format(local=local, period=self.period, date=self.date, others=", ".join(others)))
        return others

    def note(self, others: list[str]) -> str | None:
        """The one line that says which of several items a reference was taken to mean."""
        if not others:
            return None
        local = "/".join(self.rest)
        return _("{local} means {period}/{local} (the default period at {date}); also exists: {others} -- "
                 "write the period to choose another").format(local=local, period=self.period, date=self.date,
                                                               others=", ".join(others))


def choose_period(ref: str, period_ids: Iterable[str], d: date, fiscal_year_start: int = 1) -> PeriodChoice:
    """The period of ``ref`` (a reference as typed, validated or not): the one written,
    else the default period at ``d`` (docs/format.md, docs/scoring.md: the shortest period containing
    ``d`` that has files).  ``d`` is the scoring date (``--as-of``, else ``as_of``,
    else today) -- or a check-in's ``--date``, which is the date the record describes.
    Raises :class:`RefError` when no period with files contains ``d``."""
    from okrctl.model.dates import periods_with_files

    period, rest = split_period(ref)
    if period is not None:
        return PeriodChoice(period, tuple(rest), False)
    ids = sorted(set(period_ids))
    found = periods_with_files(ids, d, fiscal_year_start)
    if not found:
        raise RefError(_("{ref}: no period with files contains {d} (periods with files: {value}); write the period first, e.g. PERIOD/{ref}").format(ref=ref, d=d, value=', '.join(ids) or 'none'))
    return PeriodChoice(found[0].id, tuple(rest), True, d, tuple(p.id for p in found[1:]))
