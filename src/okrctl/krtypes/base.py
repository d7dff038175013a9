"""What a KR type provides (docs/format.md): :class:`KRType`, the base of every type module.

A type module is pure: it sees one :class:`KeyResult` (and, where the type needs
more, the values the engine or the checks pass in) and answers for its type:

* :attr:`KRType.fields` -- the definition fields the type uses (the others have no
  effect; ``validate`` warns about them, OKR227);
* :meth:`KRType.check` / :meth:`KRType.check_checkin` -- its semantic checks;
* :meth:`KRType.read` -- value, progress and raw score at D (docs/format.md, docs/scoring.md);
* :meth:`KRType.expected_fraction`, :meth:`KRType.status` -- its part of the pace
  and status rules (§6.6.7); the engine applies the rules common to all types;
* :meth:`KRType.direction`, :meth:`KRType.in_force`, :meth:`KRType.eased` -- the
  defaults in force and what "eases" a definition (docs/ci.md);
* :meth:`KRType.value_json` -- the shape of ``value`` in JSON (docs/json.md);
* :meth:`KRType.parse_value`, :meth:`KRType.new_checkin` -- a check-in typed by a
  user (``okrctl checkin``): the value parsed from text, and the new check-in's
  value fields with the one-line summary shown to the user.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, ClassVar

from okrctl.krtypes.exact import ZERO, as_float
from okrctl.model.inputs import InputError, number_text, parse_number
from okrctl.model.problems import Problem
from okrctl.model.records import CheckIn, KeyResult, Loc, Objective
from okrctl.model.periods import Period

#: a KR's value at D: a number (metric, maintain), a bool (boolean), the done
#: milestone ids (milestone), None (no current check-in; aligned)
Value = Fraction | bool | tuple[str, ...] | None


def diag(code: str, loc: Loc, message: str) -> Problem:
    return Problem.make(code, loc.path, loc.line, loc.column, message)


@dataclass(frozen=True)
class Reading:
    """What a type reads from a KR at D, before clamping to ``[0, max_score]``.
    ``raw`` None is a null score; ``met``: a boolean KR is true, a maintain KR
    meets its threshold."""

    value: Value = None
    progress: Fraction | None = None
    raw: Fraction | None = ZERO
    met: bool = False


class KRType:
    """The base of a KR type; a type module defines one subclass and one instance."""

    #: the ``type:`` of docs/format.md
    name: ClassVar[str] = ""
    #: definition fields the type uses (docs/format.md); the others have no effect
    fields: ClassVar[frozenset[str]] = frozenset()
    #: scored from the objectives aligned to it, not from check-ins (aligned)
    fed_by_objectives: ClassVar[bool] = False

    # -- validate (docs/checks.md) ------------------------------------------

    def check(self, kr: KeyResult, name: str, feeders: Sequence[Objective], period_id: str) -> list[Problem]:
        """Checks of the definition; ``feeders``: the objectives of the KR's period
        whose ``aligns_to`` names the KR; ``name`` is ``OBJ/KR``."""
        return []

    def check_checkin(self, kr: KeyResult, c: CheckIn, name: str) -> list[Problem]:
        """Checks of one check-in's shape (dates are checked for every type)."""
        return []

    # -- score and status (docs/scoring.md) -------------------------------------

    def read(self, kr: KeyResult, current: CheckIn | None, as_of: date, feeder_mean: Fraction | None = None) -> Reading:
        """Value, progress and raw score at D.  ``current`` is the current check-in;
        ``feeder_mean`` the weighted mean of the feeders' scores (aligned only)."""
        raise NotImplementedError

    def expected_fraction(self, kr: KeyResult, elapsed: Fraction, as_of: date) -> Fraction:
        """The share of T expected by D (§6.6.7): ``elapsed`` unless the type knows better."""
        return elapsed

    def status(self, kr: KeyResult, reading: Reading, score: Fraction | None, current: CheckIn | None,
               has_data: bool, as_of: date, period: Period) -> str | None:
        """The status when the type decides it (neither cancelled nor after the
        period end); None: by pace (§6.6.7)."""
        return None

    # -- definitions (docs/ci.md) --------------------------------------------

    def direction(self, kr: KeyResult) -> str | None:
        """The effective direction; None for types without one."""
        return None

    def in_force(self, kr: KeyResult, field: str, period: Period) -> Any:
        """The value of a definition field in force, defaults filled in."""
        return getattr(kr, field, None)

    def eased(self, base: KeyResult, field: str, old: Any, new: Any) -> bool:
        """Could changing a numeric ``field`` of ``base`` from ``old`` to ``new``
        raise a score or ease a status?"""
        return False

    # -- JSON (docs/json.md) ---------------------------------------------------

    def value_json(self, value: Value) -> Any:
        return value

    # -- check-ins typed by a user (okrctl checkin) ---------------------------

    def parse_value(self, text: str, kr: KeyResult) -> Any:
        """The value of a new check-in from the text the user typed; raises
        :class:`~okrctl.model.inputs.InputError` with a hint."""
        raise InputError(_("VALUE: a {name} key result takes no check-ins").format(name=self.name))

    def new_checkin(self, kr: KeyResult, parsed: Any, current: CheckIn | None) -> tuple[dict[str, Any], str]:
        """The value fields of the new check-in (``value`` or ``done``) and its
        summary, e.g. ``62``; ``current`` is the check-in current at its date."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<KR type {self.name}>"


def check_number_checkin(kind: str, c: CheckIn, name: str) -> list[Problem]:
    """A check-in of a type measured by a number (metric, maintain)."""
    if c.done is not None:
        return [diag("OKR224", c.loc, _("{name}: a {kind} check-in carries a number in `value`, not `done`").format(name=name, kind=kind))]
    if c.value is None or isinstance(c.value, bool):
        return [diag("OKR224", c.loc, _("{name}: a {kind} check-in needs a number in `value`").format(name=name, kind=kind))]
    return []


class NumberKRType(KRType):
    """A type measured by a number in ``value`` (metric, maintain): its check-ins,
    their JSON and how a typed value becomes one."""

    def check_checkin(self, kr: KeyResult, c: CheckIn, name: str) -> list[Problem]:
        return check_number_checkin(self.name, c, name)

    def value_json(self, value: Value) -> Any:
        return as_float(value)  # type: ignore[arg-type]

    def parse_value(self, text: str, kr: KeyResult) -> Any:
        return parse_number(text)

    def new_checkin(self, kr: KeyResult, parsed: Any, current: CheckIn | None) -> tuple[dict[str, Any], str]:
        return {"value": parsed}, number_text(parsed)
