"""The result rules of ``okrctl check`` (docs/ci.md): closed-result-changed
and the open-period roll-ups that policy-changed lists.  A mixin of
:class:`okrctl.engine.rules._Checker`."""

from __future__ import annotations

from okrctl.model.messages import _

from typing import Any

from okrctl.engine.definitions import score_text
from okrctl.model.layout import UNITS_FILE
from okrctl.model.periods import parse_period
from okrctl.model.refs import item_part, unit_of


class ResultRules:
    """Scores on both sides: each with its own scoring settings."""

    def open_rollups_moved(self) -> str:
        """The rolled-up scores of units of open periods the change moves as of J
        (``old → new``), when both sides hold every file of those periods."""
        from okrctl.engine.scoring import score_workspace

        texts = []
        for pid in sorted({f.period.id for f in self.head.files} | {f.period.id for f in self.base.files}):
            p = self.policy.period(pid)
            if p is None or self.policy.closed(p) or p.start > self.at:
                continue
            try:
                hp = parse_period(pid, self.head.config.fiscal_year_start)
                bp = parse_period(pid, self.base.config.fiscal_year_start)
            except ValueError:
                continue
            b = {u.unit.id: u.rolled_score for u in score_workspace(self.base, bp, self.at).units}
            h = {u.unit.id: u.rolled_score for u in score_workspace(self.head, hp, self.at).units}
            for uid in list(b) + [u for u in h if u not in b]:
                if b.get(uid) != h.get(uid):
                    texts.append(f"{pid}/{uid} {score_text(b.get(uid))} → {score_text(h.get(uid))}")
        if not texts:
            return ""
        return "rolled-up scores " + "; ".join(texts[:6]) + (f"; and {len(texts) - 6} more" if len(texts) > 6 else "")

    def closed_result_changed(self, pid: str) -> None:
        from okrctl.engine.closed import differences, final_results

        moved: dict[str, tuple[list[str], list[str]]] = {}
        diffs = differences(final_results(self.base, pid), final_results(self.head, pid))
        for d in sorted(diffs, key=lambda d: _unit_and_ref(d.row)):  # by unit, its own row first
            uid, ref = _unit_and_ref(d.row)
            for field, a, b in _values(d):
                if a == b:
                    continue
                texts, refs = moved.setdefault(uid, ([], []))
                what = item_part(ref) if ref else ("rolled up" if field == "rolled_score" else "unit")
                name = "" if field in ("score", "rolled_score") else f"{field} "
                fmt = score_text if field in ("score", "rolled_score") else (lambda v: "none" if v is None else str(v))
                texts.append(f"{what} {name}{fmt(a)} → {fmt(b)}")
                if ref:
                    refs.append(ref)
        for uid, (texts, refs) in moved.items():
            path, line = self._where(pid, uid, refs)
            shown = "; ".join(texts[:6]) + (f"; and {len(texts) - 6} more" if len(texts) > 6 else "")
            self.emit("closed-result-changed", f"{pid}/{uid}", path, line,
                      _("{pid}/{uid}: period {pid} is closed, but its final results differ between BASE and HEAD: {shown}").format(pid=pid, uid=uid, shown=shown))

    def _where(self, pid: str, uid: str, refs: list[str]) -> tuple[str, int]:
        for ws in (self.head, self.base):
            f = ws.file(pid, uid)
            if f is None:
                continue
            for ref in refs:
                item = ws.resolve(ref)
                if item is not None:
                    return f.path, item.loc.line
            return f.path, 1
        return UNITS_FILE, 1


def _unit_and_ref(row: str) -> tuple[str, str]:
    """(unit id, item reference or '' for the unit's own row) of a row of
    :func:`okrctl.engine.closed.final_scores`."""
    if row.startswith("unit "):
        return row[len("unit "):], ""
    return unit_of(row), row


def _values(d: Any) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of a :class:`okrctl.engine.closed.Difference`; a row on
    one side only has no score on the other."""
    if d.field is not None:
        return [(d.field, d.old, d.new)]
    old, new = d.old or {}, d.new or {}
    return [(f, old.get(f), new.get(f)) for f in (old or new)]
