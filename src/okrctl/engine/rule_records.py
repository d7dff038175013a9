"""The record rules of ``okrctl check`` (docs/ci.md): validity of added
``rebaselines``, ``added`` and ``cancelled`` records, dates of added check-ins,
measurements and records, corrections, rewrites and the check-ins of removed
items.  A mixin of :class:`okrctl.engine.rules._Checker`."""

from __future__ import annotations

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
            return "its reason is blank"
        d = getattr(rec, "date", None)
        if not isinstance(d, date) or d < period.start or d > self.at:
            return f"its date {show(d)} is not in [{period.start}, {self.at}] (the period start to J)"
        approvers = approvers_of(self.units, self.head.units, unit_id)
        if approvers is None:
            return f"unit {unit_id} is unknown at the policy revision and has no known ancestor, so nobody can approve it"
        if approvers and getattr(rec, "approved_by", None) not in approvers:
            return (f"approved_by {getattr(rec, 'approved_by', None)!s} is not an approver of unit {unit_id} "
                    f"({', '.join(sorted(approvers))})")
        return None

    def valid(self, rec: Any, unit_id: str, period: Period) -> bool:
        return self.invalid_because(rec, unit_id, period) is None

    def record_added(self, c: Change, rec: Any, noun: str, period: Period) -> None:
        """approval-invalid / approval-unverifiable and the date rules of an added record."""
        uid = unit_of(c.ref)
        why = self.invalid_because(rec, uid, period)
        if why is not None:
            self.emit("approval-invalid", c.ref, c.path, c.line,
                      f"{c.ref}: the new {noun} is not valid: {why}; the change it covers is judged as if it had no record")
        elif not approvers_of(self.units, self.head.units, uid):
            self.emit("approval-unverifiable", c.ref, c.path, c.line,
                      f"{c.ref}: unit {uid} has no approvers (nor do its ancestors) in units.yaml, so approved_by "
                      f"{getattr(rec, 'approved_by', None)} cannot be judged; name approvers")
        self.dated(c, noun)

    # -- per change -------------------------------------------------------------

    def _rebaseline_of(self, c: Change) -> Rebaseline | None:
        ref, _, rest = c.ref.partition("@")
        item = self.head_items.get(ref)
        if item is None:
            return None
        d, _, n = rest.partition("#")
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
            for attr, noun in (("checkins", "check-in"), ("measurements", "measurement"), ("rebaselines", "rebaselines entry")):
                n = len(getattr(x, attr, ()))
                if n:
                    counts[noun] = counts.get(noun, 0) + n
            for attr in ("added", "cancelled"):
                if getattr(x, attr, None) is not None:
                    counts[f"`{attr}` record"] = counts.get(f"`{attr}` record", 0) + 1
        if not counts:
            return
        what = ", ".join(f"{n} {noun}{'s' if n > 1 and not noun.endswith('record') else ''}" for noun, n in counts.items())
        self.emit("checkin-rewritten", c.ref, c.path, c.line,
                  f"{c.ref}: {NOUN[c.item]} removed or renamed with its {what}: a reported value never "
                  f"disappears; keep the item and cancel it (cancelled: {{date, reason, approved_by}})")

    def dated(self, c: Change, noun: str) -> None:
        d = (c.new or {}).get("date")
        if not isinstance(d, date):
            return
        at = self.at
        if d > at:
            self.emit("checkin-future", c.ref, c.path, c.line, f"{c.ref}: new {noun} dated {d}, after {at}")
        elif (at - d).days > self.policy.config.backdate_days:
            self.emit("checkin-backdated", c.ref, c.path, c.line,
                      f"{c.ref}: new {noun} dated {d}, {(at - d).days} days before {at} "
                      f"(backdate_days: {self.policy.config.backdate_days})")
        if c.item in ("checkin", "measurement"):
            b = self.base_items.get(c.ref.split("@", 1)[0])
            dates = [x.date for x in (getattr(b, "checkins", ()) or getattr(b, "measurements", ()))]
            if dates and d < max(dates):
                self.emit("checkin-out-of-order", c.ref, c.path, c.line,
                          f"{c.ref}: new {noun} dated {d}, before the latest one at BASE ({max(dates)})")

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
                  f"{c.ref}: corrects the {noun} of {d} reported at BASE: value {brief(old)} → {brief(new)}")

    def rewritten(self, c: Change, noun: str) -> None:
        if c.kind == "removed":
            msg = f"{c.ref}: an existing {noun} was removed"
        else:
            old, new = c.old or {}, c.new or {}
            keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
            detail = ", ".join(f"{k} {brief(old.get(k))} → {brief(new.get(k))}" for k in keys[:4])
            msg = f"{c.ref}: an existing {noun} was changed ({detail})"
        if c.item in ("checkin", "measurement"):
            msg += "; they are append-only: to correct one, add a new one with the same date after it"
        self.emit("checkin-rewritten", c.ref, c.path, c.line, msg)
