"""okrctl checkin · measure · init · period new · close · verify

The commands that write.  The work is done by :mod:`okrctl.write`; this module turns
its results into output and its errors into exit codes: 2 when what was typed is wrong
(:class:`~okrctl.write.errors.BadInput`, or a git error), 1 when okrctl refuses the write
(:class:`~okrctl.write.errors.Refused`; the file is left byte for byte as it was).
"""

from __future__ import annotations

from okrctl.model.messages import _, tr

import sys
from typing import Annotated

import typer

from okrctl.cli.app import app, parse_date_option, state, warn
from okrctl.cli.workspace import workspace_root
from okrctl.errors import UsageError

# VALUE may be a negative number (-3): let it through as an argument, not an option
_VALUE_CONTEXT = {"ignore_unknown_options": True}




DateOpt = Annotated[str | None, typer.Option("--date", "-d", metavar="YYYY-MM-DD",
                                             help="The last day the value describes (default: today in the workspace time zone; for a period that has ended, its last day).")]
ByOpt = Annotated[str | None, typer.Option("--by", metavar="HANDLE", help="Who reports it, as a handle (hoang.thi.g). Default: git config okrctl.handle, else $OKRCTL_HANDLE; left out when neither is set.")]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", metavar="TEXT", help="A short explanation.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a unified diff and write nothing.")]
CommitOpt = Annotated[bool, typer.Option("--commit", help="Commit the file (and only it; hooks are skipped) with an Okr-Ref/Okr-Date trailer.")]


def _record(ctx, kind, ref, value, date_, dry_run, commit, **kw) -> None:
    from okrctl.write.checkin import append_record

    st = state(ctx)
    root = workspace_root(st)
    on = parse_date_option(date_, "--date")
    if dry_run and commit:
        raise UsageError(_("--dry-run and --commit exclude each other"))
    result = append_record(root, kind, ref, value, on=on, dry_run=dry_run, commit=commit, **kw)
    warn(result.warnings)
    if dry_run:
        sys.stdout.write(result.diff())
        if result.by is not None:
            print(tr(_("by: {by} (from {source})").format(by=result.by, source=result.by_from)), file=sys.stderr)
        else:
            print(tr(_("by: left out (pass --by HANDLE, or set git config okrctl.handle or OKRCTL_HANDLE)")), file=sys.stderr)
        print(tr(_("dry run: nothing was written")), file=sys.stderr)
        return
    added = (_("{path}: check-in {date} added to {ref}: {summary}") if kind == "kr"
             else _("{path}: measurement {date} added to {ref}: {summary}"))
    print(tr(added.format(path=result.path, date=result.date, ref=result.ref, summary=result.summary)))
    if result.commit:
        print(tr(_("committed {sha}").format(sha=result.commit[:12])))


@app.command(context_settings=_VALUE_CONTEXT)
def checkin(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="PERIOD/UNIT/OBJECTIVE/KR, or UNIT/OBJECTIVE/KR for the default period at --date, else at the scoring date (docs/writing.md).")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="metric/maintain: a number (62.5); boolean: true/false; milestone: done ids m1,m2.")],
    date_: DateOpt = None,
    confidence: Annotated[str | None, typer.Option("--confidence", "-c", metavar="0..1", help="How sure the owner is that the KR will be met.")] = None,
    note: NoteOpt = None,
    by: ByOpt = None,
    evidence: Annotated[list[str] | None, typer.Option("--evidence", "-e", metavar="TEXT", help="A link or document number backing the value (repeatable).")] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Append a check-in to a key result.

    The value is parsed for the KR's type: a plain decimal number for metric and
    maintain KRs (62, 62.5, -3; never 1,5), true/false (also yes/no, có/không) for a
    boolean KR, and milestone ids for a milestone KR: the ids given are merged with
    those already done by that date and the full set is written.  The new lines are
    appended after the KR's last check-in; every other byte of the file stays as it
    was, and the result must validate, or nothing is written.

    Exit 2 when VALUE, REF or an option is wrong; exit 1 when okrctl refuses the write
    (aligned or cancelled item, closed period, a file it cannot edit safely, a result
    that would not validate).

    Examples:

      okrctl checkin 2026-Q2/so-khcn/O1/KR1 78 --date 2026-05-15 --confidence 0.8

      okrctl checkin so-khcn/O1/KR3 true --note "Cổng dữ liệu mở đã vận hành"

      okrctl checkin 2026-Q2/so-khcn-cds/O1/KR1 so-nganh --evidence "Báo cáo số 52/BC-CĐS"

      okrctl checkin 2026-Q2/so-khcn/O2/KR2 216 --dry-run

      okrctl checkin 2026-Q2/so-khcn/O1/KR1 79 --commit
    """
    _record(ctx, "kr", ref, value, date_, dry_run, commit, confidence=confidence, note=note, by=by,
            evidence=evidence or ())


@app.command(context_settings=_VALUE_CONTEXT)
def measure(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="PERIOD/UNIT/KPI, or UNIT/KPI for the default period at --date, else at the scoring date.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="A plain decimal number.")],
    date_: DateOpt = None,
    source: Annotated[str | None, typer.Option("--source", "-s", metavar="TEXT", help="Where the number comes from.")] = None,
    note: NoteOpt = None,
    by: ByOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Append a measurement to a KPI.

    Same rules as checkin: the value is a plain decimal number, the date lies in the
    period, the new lines go after the KPI's last measurement and nothing else changes.

    Examples:

      okrctl measure 2026-Q2/so-khcn/K1 97.9 --date 2026-05-31 --source "Hệ thống một cửa điện tử"

      okrctl measure so-khcn/K2 4.8 --commit
    """
    _record(ctx, "kpi", ref, value, date_, dry_run, commit, source_text=source, note=note, by=by)




