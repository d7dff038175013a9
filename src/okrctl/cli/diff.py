"""okrctl diff · okrctl check: options, the comparison (:mod:`okrctl.audit.compare`)
and its rendering (:mod:`okrctl.render.diff`)."""

from __future__ import annotations

from okrctl.model.messages import _

from enum import Enum
from typing import Annotated

import typer

from okrctl.cli.app import (
    app,
    display_path_fn,
    state,
)
from okrctl.cli.output import OutputOpt, TextView, choose_format, emit
from okrctl.cli.workspace import workspace_root
from okrctl.errors import EXIT_OK, UsageError


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


def check_revs(*revs: str | None) -> None:
    for r in revs:
        if r is not None and (r.startswith("-") or not r.strip()):
            raise UsageError(_("{r!r} is not a revision").format(r=r))


# --------------------------------------------------------------------------- commands

BaseArg = Annotated[str | None, typer.Argument(metavar="BASE", show_default=False, help="Revision to compare from (default HEAD).")]
HeadArg = Annotated[str | None, typer.Argument(metavar="HEAD", show_default=False, help="Revision to compare to (default: the working tree).")]


@app.command()
def diff(
    ctx: typer.Context,
    base: BaseArg = None,
    head: HeadArg = None,
    fmt: Annotated[DiffFormat | None, typer.Option("--format", "-f", help="text (grouped by unit and period; the default), json, or md (a PR comment, $GITHUB_STEP_SUMMARY).")] = None,
    output: OutputOpt = None,
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
    check_revs(base, head)
    fmt = choose_format(fmt, output, DiffFormat, DiffFormat.text)
    root = workspace_root(st)
    from okrctl.audit.compare import compare
    from okrctl.cli.cache import record_cache

    out = compare(root, base or "HEAD", head, store=record_cache(st, root))
    show = display_path_fn(root)
    if fmt is DiffFormat.json:
        emit(R.render_json("diff", out), output)
    elif fmt is DiffFormat.md:
        emit(R.render_diff_markdown(out, show), output)
    else:
        view = TextView(st.color, output)
        R.render_diff_text(out, view.console, show)
        view.close()
    raise typer.Exit(EXIT_OK)


