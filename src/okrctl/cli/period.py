"""okrctl period new: roll unfinished objectives into a new period (:mod:`okrctl.write.period_new`)."""

from __future__ import annotations

from okrctl.model.messages import _, tr

import sys
from typing import Annotated

import typer

from okrctl.cli.app import app, state, warn
from okrctl.cli.workspace import workspace_root

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
            carried = "; ".join(f"{o} ({', '.join(krs)})" for o, krs in nf.objectives) or _("no unfinished objectives")
            kpis = _("; KPIs {kpis}").format(kpis=", ".join(nf.kpis)) if nf.kpis else ""
            done = _("would create {path}: {carried}{kpis}") if dry_run else _("created {path}: {carried}{kpis}")
            print(tr(done.format(path=nf.path, carried=carried, kpis=kpis)), file=sys.stderr if dry_run else sys.stdout)
    for what, why in plan.skipped:
        print(tr(_("skipped {what}: {why}").format(what=what, why=why)), file=sys.stderr if dry_run else sys.stdout)
    warn(plan.notes)
    if not plan.files and not plan.skipped:
        print(tr(_("nothing to create for {period}").format(period=plan.period)), file=sys.stderr)
