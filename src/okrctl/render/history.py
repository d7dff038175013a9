"""``okrctl history`` as text: one line per event, values shown for people."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


_PLAIN_KEYS = {"by", "approved_by", "owner", "type", "direction", "aggregate", "frequency", "kind", "aligns_to"}
_LABEL = {"approved_by": "approved by"}


def _fv(v: Any, key: str | None = None) -> str:
    """One value for human eyes: numbers as written, text quoted and escaped."""
    from datetime import date

    from okrctl.render.textsafe import one_line

    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return one_line(v) if key in _PLAIN_KEYS else f'"{one_line(v)}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(one_line(x) if isinstance(x, str) else _fv(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fv(x, k)}" for k, x in v.items() if x is not None) + "}"
    return one_line(str(v))


def _record_body(view: dict) -> str:
    """A check-in, measurement, rebaseline or added/cancelled record on one line;
    its date is already in the event's name."""
    parts = []
    d = dict(view)
    if "field" in d and "from" in d:  # rebaseline
        parts.append(f"{d.pop('field')} {_fv(d.pop('from'))} → {_fv(d.pop('to'))}")
        d.pop("date", None)
    elif "value" in d or "done" in d:
        d.pop("date", None)
        parts.append(_fv(d.pop("value")) if "value" in d else f"done {_fv(d.pop('done'))}")
    for k, x in d.items():
        if x is None:
            continue
        parts.append(_fv(x, k) if k == "date" else f"{_LABEL.get(k, k)} {_fv(x, k)}")
    return ", ".join(parts)


def _changed_body(old: dict, new: dict) -> str:
    keys = list(dict.fromkeys([*old, *new]))
    return ", ".join(f"{_LABEL.get(k, k)} {_fv(old.get(k), k)} → {_fv(new.get(k), k)}"
                     for k in keys if old.get(k) != new.get(k))


def _created_body(view: dict) -> str:
    d = dict(view)
    d.pop("id", None)
    title = d.pop("title", None)
    rest = ", ".join(f"{k} {_fv(x, k)}" for k, x in d.items())
    return f"{_fv(title)}" + (f" ({rest})" if rest else "")


def event_line(e, item_ref: str) -> str:
    """``field: old → new`` for one event, relative to the item of the history."""
    from okrctl.render.textsafe import one_line

    owner, _, when = e.ref.partition("@")
    who = owner[len(item_ref) + 1:] + " " if owner.startswith(item_ref + "/") else ""
    if e.field == "created":
        return f"{who}created: {_created_body(e.new)}"
    if e.field == "removed":
        return f"{who}removed (was {_fv(e.old.get('title'))})"
    if e.kind == "deleted":
        return f"file deleted: {one_line(e.old)} (the item is gone with it)"
    if e.kind == "invalid":
        return f"file unreadable at this commit, skipped: {one_line(e.new)}"
    if e.field in ("checkin", "measurement", "rebaseline"):
        name = f"{e.field} {when}"
    elif e.field in ("added", "cancelled") and isinstance(e.old or e.new, dict):
        name = f"{e.field} record"
    else:
        return f"{who}{e.field}: {_fv(e.old, e.field)} → {_fv(e.new, e.field)}"
    if e.kind == "added":
        return f"{who}{name} added: {_record_body(e.new)}"
    if e.kind == "removed":
        return f"{who}{name} removed: {_record_body(e.old)}"
    return f"{who}{name} changed: {_changed_body(e.old, e.new)}"


def _when(dt) -> str:
    return dt.isoformat(sep=" ", timespec="minutes")


def render_history_text(h, events, rev: str, *, filtered: bool = False) -> str:
    from okrctl.render.textsafe import one_line

    kind = {"key_result": "key result", "objective": "objective", "kpi": "KPI"}[h.item]
    upto = h.rev[:12] if rev == h.rev else f"{one_line(rev)} ({h.rev[:12]})"
    n = len(events)
    lines = [
        f"{h.ref} · {kind} · {h.repo_path}",
        f"{h.commits} commit{'s' if h.commits != 1 else ''} changed the file up to {upto}; "
        f"{n} event{'s' if n != 1 else ''}{' (filtered)' if filtered else ''}, oldest first. "
        f"Dates: commit dates in {h.timezone}, as recorded by git.",
    ]
    current = None
    for e in events:
        if e.commit != current:
            current = e.commit
            authored = f" (authored {_when(e.author_date)})" if e.author_date != e.date else ""
            lines += ["", f"{e.commit[:12]}  {_when(e.date)}{authored}  {one_line(e.author)}  {one_line(e.subject)}"]
        lines.append("    " + event_line(e, h.ref))
    if not events:
        lines += ["", "no events" + (" match the filters" if filtered else "")]
    return "\n".join(lines) + "\n"


#: values shown without quotes: handles and enumerations
