"""okrctl check: the rules of docs/ci.md applied to a change (:mod:`okrctl.audit.compare`), rendered by :mod:`okrctl.render.diff` and :mod:`okrctl.render.problems`."""

from __future__ import annotations

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
from okrctl.cli.diff import HeadArg, check_revs
from okrctl.cli.output import OutputOpt, TextView, choose_format, emit
from okrctl.cli.workspace import workspace_root
from okrctl.errors import EXIT_FINDINGS, EXIT_OK


@app.command()
def check(
    ctx: typer.Context,
    base: Annotated[str, typer.Argument(metavar="BASE", help="The revision the change starts from (e.g. refs/remotes/origin/main or the base commit's sha); its settings and rules apply unless --policy names another.")],
    head: HeadArg = None,
    at: Annotated[str | None, typer.Option("--at", metavar="YYYY-MM-DD", help="Judge the change as of this date (default: today in the workspace time zone).")] = None,
    policy: Annotated[str | None, typer.Option("--policy", metavar="REV", help="The revision whose rules, thresholds and approvers apply (default BASE); BASE must be its merge base with HEAD. In CI: the target branch's tip.")] = None,
    fmt: Annotated[ProblemFormat | None, typer.Option("--format", "-f", help="text, json, github (annotations; the default under GitHub Actions), sarif (code scanning) or md (a PR comment).")] = None,
    output: OutputOpt = None,
) -> None:
    """Apply the change rules to the change from BASE to HEAD.

    Eased targets, edits after the lock without an approval record, rewritten
    check-ins, changes to closed periods, ... (every rule is explained in
    docs/ci.md).  The rules, their severities and every threshold are read from
    okrctl.yaml and units.yaml of the policy revision (--policy, default BASE),
    so a change cannot relax its own check; BASE must be the merge base of the
    policy revision and HEAD; HEAD must also validate.  Ambiguous revision names
    are refused.  Exit 1 when any finding is an error, 0 otherwise, 2 when git
    (or the policy) cannot be read.

    Examples:

      okrctl check refs/remotes/origin/main

      okrctl check "$(git merge-base origin/main HEAD)" --policy refs/remotes/origin/main

      okrctl check refs/remotes/origin/main HEAD --at 2026-05-20 --format json
    """
    from okrctl.render import diff as R

    st = state(ctx)
    check_revs(base, head, policy)
    J = parse_date_option(at, "--at")
    fmt = choose_format(fmt, output, ProblemFormat, problem_format(None))
    root = workspace_root(st)
    from okrctl.audit.compare import compare
    from okrctl.cli.cache import record_cache

    out = compare(root, base, head, at=J, check=True, policy_rev=policy, store=record_cache(st, root))
    show = display_path_fn(root)
    if fmt is ProblemFormat.json:
        emit(R.render_json("check", out), output)
    elif fmt is ProblemFormat.github:
        emit(R.render_github(out, show), output)
    elif fmt is ProblemFormat.sarif:
        from okrctl.render.problems import render_sarif

        emit(render_sarif(out.findings, show), output)
    elif fmt is ProblemFormat.md:
        emit(R.render_check_markdown(out, show), output)
    else:
        view = TextView(st.color, output)
        R.render_check_text(out, view.console, show)
        view.close()
    from okrctl.model.problems import has_errors

    raise typer.Exit(EXIT_FINDINGS if has_errors(out.findings) else EXIT_OK)
