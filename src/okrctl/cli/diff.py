"""okrctl diff · okrctl check: options, the comparison (:mod:`okrctl.audit.compare`)
and its rendering (:mod:`okrctl.render.diff`)."""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import (
    ProblemFormat,
    app,
    display_path_fn,
    parse_date_option,
    problem_format,
    state,
)
from okrctl.cli.workspace import workspace_root
from okrctl.errors import EXIT_FINDINGS, EXIT_OK, UsageError


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


def _check_revs(*revs: str | None) -> None:
    for r in revs:
        if r is not None and (r.startswith("-") or not r.strip()):
            raise UsageError(f"{r!r} is not a revision")


# --------------------------------------------------------------------------- commands

BaseArg = Annotated[str | None, typer.Argument(metavar="BASE", show_default=False, help="Revision to compare from (default HEAD).")]
HeadArg = Annotated[str | None, typer.Argument(metavar="HEAD", show_default=False, help="Revision to compare to (default: the working tree).")]


@app.command()
def diff(
    ctx: typer.Context,
    base: BaseArg = None,
    head: HeadArg = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="text (grouped by unit and period), json, or md (a PR comment, $GITHUB_STEP_SUMMARY).")] = DiffFormat.text,
) -> None:
    """Show what changed between two versions of the workspace, by id.

    Objectives, key results and KPIs added, removed or changed field by field
    (old → new, eased changes marked), and check-ins, measurements, rebaselines
    and approval records added, changed or removed.  Ends with a one-line summary.
    Always exits 0 (it only informs; `okrctl check` judges).

    Examples:

      okrctl diff                        (HEAD against the working tree)

      okrctl diff origin/main            (origin/main against the working tree)

      okrctl diff v1.0 v1.1 --format json

      okrctl diff origin/main --format md >> "$GITHUB_STEP_SUMMARY"
    """
    from okrctl.render import diff as R

    st = state(ctx)
    _check_revs(base, head)
    root = workspace_root(st)
    from okrctl.audit.compare import compare

    out = compare(root, base or "HEAD", head)
    show = display_path_fn(root)
    if fmt is DiffFormat.json:
        sys.stdout.write(R.render_json("diff", out))
    elif fmt is DiffFormat.md:
        sys.stdout.write(R.render_diff_markdown(out, show))
    else:
        from okrctl.render.console import make_console

        R.render_diff_text(out, make_console(st.color), show)
    raise typer.Exit(EXIT_OK)


@app.command()
def check(
    ctx: typer.Context,
    base: Annotated[str, typer.Argument(metavar="BASE", help="The revision the change starts from (e.g. origin/main); its settings and rules apply.")],
    head: HeadArg = None,
    at: Annotated[str | None, typer.Option("--at", metavar="YYYY-MM-DD", help="Judge the change as of this date (default: today in the workspace time zone).")] = None,
    fmt: Annotated[ProblemFormat | None, typer.Option("--format", "-f", help="text, json, github (annotations; the default under GitHub Actions), sarif (code scanning) or md (a PR comment).")] = None,
) -> None:
    """Apply the change rules to the change from BASE to HEAD.

    Eased targets, edits after the lock without an approval record, rewritten
    check-ins, changes to closed periods, ... (every rule is explained in
    docs/ci.md).  The rules, their severities and every threshold are read from
    okrctl.yaml at BASE, so a change cannot relax its own check; HEAD must also
    validate.  Exit 1 when any finding is an error, 0 otherwise, 2 when git (or
    BASE) cannot be read.

    Examples:

      okrctl check origin/main

      okrctl check origin/main HEAD --at 2026-05-20 --format json
    """
    from okrctl.render import diff as R

    st = state(ctx)
    _check_revs(base, head)
    J = parse_date_option(at, "--at")
    fmt = problem_format(fmt)
    root = workspace_root(st)
    from okrctl.audit.compare import compare

    out = compare(root, base, head, at=J, check=True)
    show = display_path_fn(root)
    if fmt is ProblemFormat.json:
        sys.stdout.write(R.render_json("check", out))
    elif fmt is ProblemFormat.github:
        sys.stdout.write(R.render_github(out, show))
    elif fmt is ProblemFormat.sarif:
        from okrctl.render.problems import render_sarif

        sys.stdout.write(render_sarif(out.findings, show))
    elif fmt is ProblemFormat.md:
        sys.stdout.write(R.render_check_markdown(out, show))
    else:
        from okrctl.render.console import make_console

        R.render_check_text(out, make_console(st.color), show)
    from okrctl.model.problems import has_errors

    raise typer.Exit(EXIT_FINDINGS if has_errors(out.findings) else EXIT_OK)
