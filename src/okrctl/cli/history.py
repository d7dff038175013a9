"""okrctl history · okrctl codeowners"""

from __future__ import annotations

from okrctl.model.messages import _

from enum import Enum
from typing import Annotated

import typer

from okrctl.cli.app import app, check_rev, parse_date_option, state, warn
from okrctl.cli.output import OutputOpt, choose_format, emit
from okrctl.cli.workspace import workspace_root
from okrctl.render.history import render_history_text


class HistoryFormat(str, Enum):
    text = "text"
    json = "json"


# ----------------------------------------------------------------------------- history


@app.command()
def history(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", show_default=False,
                                       help="PERIOD/UNIT/OBJ/KR, PERIOD/UNIT/OBJ or PERIOD/UNIT/KPI; without PERIOD, the default period (the shortest period with files containing today, or as_of).")],
    rev: Annotated[str | None, typer.Option("--rev", metavar="REV", help="History up to REV (tag, branch, SHA) instead of HEAD.")] = None,
    fmt: Annotated[HistoryFormat | None, typer.Option("--format", "-f", help="text: a timeline grouped per commit (the default); json: docs/json.md events.")] = None,
    output: OutputOpt = None,
    field: Annotated[list[str] | None, typer.Option("--field", metavar="FIELD", help="Only events of this field (repeatable): target, title, checkin, measurement, rebaseline, cancelled, added, created, removed, file, ...")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="YYYY-MM-DD", help="Only commits dated on or after this day (commit date in the workspace time zone).")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD", help="Only commits dated on or before this day.")] = None,
) -> None:
    """Every change to one key result, objective or KPI across commits, oldest first.

    Reads only the commits of the main line (first parents) that changed the
    unit's period file okrs/PERIOD/UNIT.yaml, and shows, per commit (short SHA,
    commit date in the workspace time zone, author, subject), each change as
    field: old → new: the item created, definition fields (title, target,
    baseline, ...), check-ins and measurements added, corrected or removed
    (named REF@DATE#N), rebaseline, added and cancelled records, the item
    removed, and the file deleted or unreadable at a commit. An objective's
    history includes its key results. Uncommitted changes are not shown.

    Commit dates are claims recorded by whoever made the commit, not proof; the
    order is the order of the main line. A shallow clone is refused (exit 2):
    check out with fetch-depth: 0. An unknown or malformed REF is a usage
    error (exit 2).

    The same, with plain git (no okrctl needed):

      git log -p --first-parent -- okrs/2026-Q2/so-khcn.yaml

      git log --grep 'Okr-Ref: 2026-Q2/so-khcn/O1/KR1'      (commits made by okrctl's write commands carry this trailer)

    Examples:

      okrctl history 2026-Q2/so-khcn/O1/KR1

      okrctl history so-khcn/K1 --field measurement

      okrctl history 2026-Q2/so-khcn/O1/KR1 --field target --field rebaseline --format json

      okrctl history 2026-Q1/so-khcn/O1 --rev okr/close/2026-Q1
    """
    from okrctl.audit import history as H
    from okrctl.render import dumps, envelope

    st = state(ctx)
    check_rev(rev)
    fmt = choose_format(fmt, output, HistoryFormat, HistoryFormat.text)
    since_d = parse_date_option(since, "--since")
    until_d = parse_date_option(until, "--until")
    unknown = [f for f in field or () if f not in H.HISTORY_FIELDS]
    if unknown:
        import difflib

        from okrctl.errors import UsageError

        near = difflib.get_close_matches(unknown[0], H.HISTORY_FIELDS, n=1)
        hint = _(" (did you mean {field}?)").format(field=near[0]) if near else ""
        raise UsageError(_("--field {unknown}: no such field{hint}; known fields: {HISTORY_FIELDS}").format(unknown=unknown[0], hint=hint, HISTORY_FIELDS=', '.join(H.HISTORY_FIELDS)))
    root = workspace_root(st)
    h = H.history_of(root, ref, rev)
    if h.note:
        warn([h.note])
    events = H.filter_events(h.events, fields=field, since=since_d, until=until_d)
    if fmt is HistoryFormat.json:
        emit(dumps(envelope("history", H.history_to_json(h, events))), output)
        return
    emit(render_history_text(h, events, rev or "HEAD", filtered=bool(field or since_d or until_d)), output)


# ---- text rendering


# ----------------------------------------------------------------------------- codeowners


