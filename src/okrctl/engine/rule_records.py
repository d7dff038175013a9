"""The record rules of ``okrctl check`` (docs/ci.md): validity of added
``rebaselines``, ``added`` and ``cancelled`` records, dates of added check-ins,
measurements and records, corrections, rewrites and the check-ins of removed
items.  A mixin of :class:`okrctl.engine.rules._Checker`."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

from datetime import date
from typing import Any

from okrctl.engine.definitions import NOUN, approvers_of, brief, show
from okrctl.engine.diff import Change, by_date_position
from okrctl.model.periods import Period
from okrctl.model.records import Rebaseline
from okrctl.model.refs import unit_of


class RecordRules:
    """approval-invalid, approval-unverifiable, item-cancelled's validity,
    checkin-rewritten, checkin-corrected, checkin-backdated, checkin-future and
    checkin-out-of-order."""

    def invalid_because(self, rec: Any, unit_id: str, period: Period) -> str | None:
        """Why an added record is not valid (docs/ci.md), or None when it is."""
        reason = getattr(rec, "reason", None)
        if not isinstance(reason, str) or not reason.strip(" .\t-_—–…"):
            return _("its reason is blank")
        d = getattr(rec, "date", None)
        if not isinstance(d, date) or d < period.start or d > self.at:
            return _("its date {show} is not in [{start}, {at}] (the period start to J)").format(show=show(d), start=period.start, at=self.at)
        approvers = approvers_of(self.units, self.head.units, unit_id)
        if approvers is None:
            return _("unit {unit_id} is unknown at the policy revision and has no known ancestor, so nobody can approve it").format(unit_id=unit_id)
        if approvers and getattr(rec, "approved_by", None) not in approvers:
            return (_("approved_by {getattr!s} is not an approver of unit {unit_id} ({sorted})").format(getattr=getattr(rec, 'approved_by', None), unit_id=unit_id, sorted=', '.join(sorted(approvers))))
        return None

    def valid(self, rec: Any, unit_id: str, period: Period) -> bool:
        return self.invalid_because(rec, unit_id, period) is None

    def record_added(self, c: Change, rec: Any, noun: str, period: Period) -> None:
        """approval-invalid / approval-unverifiable and the date rules of an added record."""
        uid = unit_of(c.ref)
        why = self.invalid_because(rec, uid, period)
        if why is not None:
            self.emit("approval-invalid", c.ref, c.path, c.line,
                      _("{ref}: the new {noun} is not valid: {why}; the change it covers is judged as if it had no record").format(ref=c.ref, noun=noun, why=why))
        elif not approvers_of(self.units, self.head.units, uid):
            self.emit("approval-unverifiable", c.ref, c.path, c.line,
                      _("{ref}: unit {uid} has no approvers (nor do its ancestors) in units.yaml, so approved_by {getattr} cannot be judged; name approvers").format(ref=c.ref, uid=uid, getattr=getattr(rec, 'approved_by', None)))
        self.dated(c, noun)

    # -- per change -------------------------------------------------------------

    def _rebaseline_of(self, c: Change) -> Rebaseline | None:
        ref, _unused, rest = c.ref.partition("@")
        item = self.head_items.get(ref)
        if item is None:
            return None
        d, _unused, n = rest.partition("#")
        return by_date_position(item.rebaselines).get((date.fromisoformat(d), int(n)))

    def removed_with_records(self, c: Change) -> None:
        """checkin-rewritten for the check-ins and records of a removed (or renamed)
        item, before the lock too: a reported value never disappears."""
        item = self.base_items.get(c.ref)
        if item is None:
            return
        counts: dict[str, int] = {}
        subs: list[Any] = [item, *getattr(item, "key_results", ())]
        for x in subs:
            for attr in ("checkins", "measurements", "rebaselines", "added", "cancelled"):
                value = getattr(x, attr, None)
                n = len(value) if isinstance(value, (list, tuple)) else (value is not None)
                if n:
                    counts[attr] = counts.get(attr, 0) + n
        if not counts:
            return
        what = ", ".join(_counted(attr, n) for attr, n in counts.items())
        self.emit("checkin-rewritten", c.ref, c.path, c.line,
                  _("{ref}: {NOUN} removed or renamed with its {what}: a reported value never disappears; keep the item and cancel it (cancelled: {{date, reason, approved_by}})").format(ref=c.ref, NOUN=NOUN[c.item], what=what))

    def dated(self, c: Change, noun: str) -> None:
        d = (c.new or {}).get("date")
        if not isinstance(d, date):
            return
        at = self.at
        if d > at:
            self.emit("checkin-future", c.ref, c.path, c.line, _("{ref}: new {noun} dated {d}, after {at}").format(ref=c.ref, noun=noun, d=d, at=at))
        elif (at - d).days > self.policy.config.backdate_days:
            self.emit("checkin-backdated", c.ref, c.path, c.line,
                      _("{ref}: new {noun} dated {d}, {days} days before {at} (backdate_days: {backdate_days})").format(ref=c.ref, noun=noun, d=d, days=(at - d).days, at=at, backdate_days=self.policy.config.backdate_days))
        if c.item in ("checkin", "measurement"):
            b = self.base_items.get(c.ref.split("@", 1)[0])
            dates = [x.date for x in (getattr(b, "checkins", ()) or getattr(b, "measurements", ()))]
            if dates and d < max(dates):
                self.emit("checkin-out-of-order", c.ref, c.path, c.line,
                          _("{ref}: new {noun} dated {d}, before the latest one at BASE ({max})").format(ref=c.ref, noun=noun, d=d, max=max(dates)))

    def corrected(self, c: Change, noun: str) -> None:
        """checkin-corrected: an added check-in or measurement with the date of one
        BASE already has replaces a reported value."""
        d = (c.new or {}).get("date")
        b = self.base_items.get(c.ref.split("@", 1)[0])
        same_day = [x for x in (getattr(b, "checkins", ()) or getattr(b, "measurements", ())) if x.date == d]
        if not same_day:
            return
        prev = same_day[-1]
        old = prev.done if getattr(prev, "done", None) is not None else prev.value
        new = (c.new or {}).get("done", (c.new or {}).get("value"))
        self.emit("checkin-corrected", c.ref, c.path, c.line,
                  _("{ref}: corrects the {noun} of {d} reported at BASE: value {brief} → {brief2}").format(ref=c.ref, noun=noun, d=d, brief=brief(old), brief2=brief(new)))

    def rewritten(self, c: Change, noun: str) -> None:
        if c.kind == "removed":
            msg = _("{ref}: an existing {noun} was removed").format(ref=c.ref, noun=noun)
        else:
            old, new = c.old or {}, c.new or {}
            keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
            detail = ", ".join(f"{k} {brief(old.get(k))} → {brief(new.get(k))}" for k in keys[:4])
            msg = _("{ref}: an existing {noun} was changed ({detail})").format(ref=c.ref, noun=noun, detail=detail)
        if c.item in ("checkin", "measurement"):
            msg = _("{message}; they are append-only: to correct one, add a new one with the same date after it").format(
                message=msg)
        self.emit("checkin-rewritten", c.ref, c.path, c.line, msg)


def _counted(attr: str, n: int) -> str:
    """``2 check-ins``, ``1 `added` record`` in the language of the run (a message)."""
    if attr == "checkins":
        return ngettext("{n} check-in", "{n} check-ins", n)
    if attr == "measurements":
        return ngettext("{n} measurement", "{n} measurements", n)
    if attr == "rebaselines":
        return ngettext("{n} rebaselines entry", "{n} rebaselines entries", n)
    return _("{n} `{attr}` record").format(n=n, attr=attr)
