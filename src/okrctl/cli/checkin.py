"""okrctl checkin · measure · init · period new · close · verify

The commands that write.  The work is done by :mod:`okrctl.write`; this module turns
its results into output and its errors into exit codes: 2 when what was typed is wrong
(:class:`~okrctl.write.errors.BadInput`, or a git error), 1 when okrctl refuses the write
(:class:`~okrctl.write.errors.Refused`; the file is left byte for byte as it was).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import Locale, app, parse_date_option, state
from okrctl.cli.workspace import workspace_root
from okrctl.errors import EXIT_FINDINGS, UsageError

# VALUE may be a negative number (-3): let it through as an argument, not an option
_VALUE_CONTEXT = {"ignore_unknown_options": True}


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


def _warn(lines) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


DateOpt = Annotated[str | None, typer.Option("--date", "-d", metavar="YYYY-MM-DD",
                                             help="The last day the value describes (default: today in the workspace time zone; for a period that has ended, its last day).")]
ByOpt = Annotated[str | None, typer.Option("--by", metavar="NAME", help="Who reports it (default: git's user.name; left out when there is none).")]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", metavar="TEXT", help="A short explanation.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a unified diff and write nothing.")]
CommitOpt = Annotated[bool, typer.Option("--commit", help="Commit the file (and only it; hooks are skipped) with an Okr-Ref/Okr-Date trailer.")]


def _record(ctx, kind, ref, value, date_, dry_run, commit, **kw) -> None:
    from okrctl.write.checkin import append_record

    st = state(ctx)
    root = workspace_root(st)
    on = parse_date_option(date_, "--date")
    if dry_run and commit:
        raise UsageError("--dry-run and --commit exclude each other")
    result = append_record(root, kind, ref, value, on=on, dry_run=dry_run, commit=commit, **kw)
    _warn(result.warnings)
    if dry_run:
        sys.stdout.write(result.diff())
        print("dry run: nothing was written", file=sys.stderr)
        return
    noun = "check-in" if kind == "kr" else "measurement"
    print(f"{result.path}: {noun} {result.date} added to {result.ref}: {result.summary}")
    if result.commit:
        print(f"committed {result.commit[:12]}")


@app.command(context_settings=_VALUE_CONTEXT)
def checkin(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="PERIOD/UNIT/OBJECTIVE/KR, or UNIT/OBJECTIVE/KR for the period containing the date.")],
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
    ref: Annotated[str, typer.Argument(metavar="REF", help="PERIOD/UNIT/KPI, or UNIT/KPI for the period containing the date.")],
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


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(metavar="[DIR]", help="Where to create the workspace (default: -C DIR, else the current directory).")] = None,
    locale: Annotated[Locale, typer.Option("--locale", help="Language of the example texts and of reports.")] = Locale.en,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="The organisation's name (okrctl.yaml name, and the unit's name).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="ID", help="The unit's id (default: made from NAME).")] = None,
    period: Annotated[str | None, typer.Option("--period", metavar="PERIOD", help="The first period (default: the current quarter).")] = None,
) -> None:
    """Create a new workspace that validates.

    Writes okrctl.yaml, units.yaml with one unit, one period file with an example
    objective, key result and KPI (in the chosen language), the JSON Schemas (so the
    files' schema modelines work offline), .vscode/settings.json,
    .pre-commit-config.yaml, a GitHub Actions workflow, .gitattributes and .gitignore.

    Refuses (exit 2, nothing written) when any of these files exists.

    Examples:

      okrctl init okr --locale vi --name "Sở Khoa học và Công nghệ" --unit so-khcn

      okrctl init --period 2026-Q3
    """
    from okrctl.write.scaffold import init_workspace

    st = state(ctx)
    target = directory if directory is not None else (st.workspace if st.workspace is not None else Path.cwd())
    plan = init_workspace(target, locale=locale.value, name=name, unit=unit, period=period)
    for rel in plan.files:
        print(f"created {target / rel}")
    print(f"next: okrctl -C {target} validate; then record progress with "
          f"okrctl -C {target} checkin {plan.period}/{plan.unit}/O1/KR1 VALUE", file=sys.stderr)


period_app = typer.Typer(help="Start a new period.", no_args_is_help=True)
app.add_typer(period_app, name="period")


@period_app.command("new")
def period_new(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="The new period: YYYY, YYYY-H1/H2 or YYYY-Q1..Q4.")],
    from_: Annotated[str | None, typer.Option("--from", metavar="PERIOD", help="Carry over from this period (default: the one just before PERIOD, of the same kind).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the files that would be created and write nothing.")] = False,
) -> None:
    """Create the new period's files, carrying unfinished work over.

    For every unit with a file in the source period that takes part in PERIOD: a new
    file with the objectives that have a key result scoring below the objective's
    target (1, or 0.7 for aspirational) at the source period's end -- only those key
    results -- with each metric KR's baseline set to its last value, no check-ins, and
    the KPIs as definitions.  Existing files are never overwritten.

    Examples:

      okrctl period new 2026-Q3

      okrctl period new 2026-H2 --from 2026-Q2 --dry-run
    """
    from okrctl.write.period_new import new_period

    st = state(ctx)
    root = workspace_root(st)
    plan = new_period(root, period, from_, dry_run=dry_run)
    for nf in plan.files:
        if dry_run:
            sys.stdout.write(f"# ---- {nf.path}\n{nf.text}")
        if dry_run or nf.created:
            carried = "; ".join(f"{o} ({', '.join(krs)})" for o, krs in nf.objectives) or "no unfinished objectives"
            kpis = f"; KPIs {', '.join(nf.kpis)}" if nf.kpis else ""
            verb = "would create" if dry_run else "created"
            print(f"{verb} {nf.path}: {carried}{kpis}", file=sys.stderr if dry_run else sys.stdout)
    for what, why in plan.skipped:
        print(f"skipped {what}: {why}", file=sys.stderr if dry_run else sys.stdout)
    _warn(plan.notes)
    if not plan.files and not plan.skipped:
        print(f"nothing to create for {plan.period}", file=sys.stderr)


@app.command()
def close(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="The period to close.")],
    sign: Annotated[bool, typer.Option("--sign", help="Sign the tag (git tag -s; runs your configured gpg program).")] = False,
) -> None:
    """Close a period: lock it and tag its final scores.

    Refuses (exit 1) while the period's files, okrctl.yaml or units.yaml are invalid or
    have uncommitted changes, or when the period is already tagged.  Warns about each
    committed objective that missed its target without a `review: {note: ...}`.  Adds
    PERIOD to policy.locked_periods in okrctl.yaml (nothing else in the file changes),
    commits that file alone ("okr: close PERIOD"), and creates the annotated tag
    okr/close/PERIOD on that commit holding the scores as of the period's end as JSON.

    Examples:

      okrctl close 2026-Q1

      okrctl close 2026-Q1 --sign
    """
    from okrctl.write.close import close_period

    st = state(ctx)
    root = workspace_root(st)
    result = close_period(root, period, sign=sign)
    _warn(result.warnings)
    if result.committed:
        print(f"okrctl.yaml: {result.period} added to policy.locked_periods, committed {result.commit[:12]}")
    print(f"tagged {result.tag} on {result.commit[:12]} (scores as of the period's end; okrctl verify {result.period} checks them)")


@app.command()
def verify(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="A period closed with okrctl close.")],
    fmt: Annotated[VerifyFormat, typer.Option("--format", "-f", help="Output format.")] = VerifyFormat.text,
) -> None:
    """Check that a closed period is still what was closed.

    Reads the tag okr/close/PERIOD (exit 2 when it is missing), recomputes the scores as
    of the period's end from the tagged tree and from HEAD's tree and compares them with
    the JSON in the tag, and lists every later commit that touched okrs/PERIOD/.
    Exit 0 when everything agrees, 1 on any difference or later change.

    Examples:

      okrctl verify 2026-Q1

      okrctl verify 2026-Q1 --format json
    """
    from okrctl.write.close import verify_period

    st = state(ctx)
    root = workspace_root(st)
    result = verify_period(root, period)
    if fmt is VerifyFormat.json:
        from okrctl.render import dumps, envelope

        sys.stdout.write(dumps(envelope("verify", result.to_json())))
    else:
        sys.stdout.write(_verify_text(result))
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


def _short(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict | list):
        import json

        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= 60 else text[:59] + "…"
    return str(v)


def _verify_text(r) -> str:
    from okrctl.render.textsafe import one_line

    closed_with = f"okrctl {r.okrctl_version}" if r.okrctl_version else "unknown okrctl"
    out = [f"{r.tag} → {r.commit[:12]} (closed with {closed_with}; scores as of {r.as_of or '?'})"]
    for c in r.comparisons:
        where = f"{c.label} {c.commit[:12]}" if c.commit else c.label
        if c.error:
            out.append(f"  ✗ {where}: {one_line(c.error)}")
        elif c.match:
            out.append(f"  ✓ {where}: scores match the tag")
        else:
            out.append(f"  ✗ {where}: {len(c.differences)} difference{'s' if len(c.differences) != 1 else ''}")
            for d in c.differences[:20]:
                what = " ".join(x for x in (d["ref"], d["field"]) if x)
                out.append(f"      {one_line(what)}: {one_line(_short(d['closed']))} → {one_line(_short(d['now']))}")
            if len(c.differences) > 20:
                out.append(f"      … and {len(c.differences) - 20} more (--format json lists them all)")
    if r.later_commits:
        out.append(f"  ✗ {len(r.later_commits)} later commit{'s' if len(r.later_commits) != 1 else ''} changed okrs/{r.period}/:")
        for c in r.later_commits:
            out.append(f"      {c['commit'][:12]} {c['date'][:10]} {one_line(c['author'])}: {one_line(c['subject'])}")
    else:
        out.append(f"  ✓ no commit after the close changed okrs/{r.period}/")
    for issue in r.issues:
        out.append(f"  ✗ {one_line(issue)}")
    out.append(f"verified: {r.period} is as it was closed" if r.ok else f"verification failed: {len(r.problems)} problem{'s' if len(r.problems) != 1 else ''}")
    return "\n".join(out) + "\n"
