"""okrctl validate"""

from __future__ import annotations

from okrctl.model.messages import _

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import (
    ProblemFormat,
    app,
    check_rev,
    display_path_fn,
    problem_format,
    state,
)
from okrctl.cli.output import OutputOpt, TextView, choose_format, emit
from okrctl.errors import EXIT_FINDINGS, EXIT_OK, UsageError


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATHS", show_default=False, help="Report only these files (the whole workspace is still loaded, so cross-file rules apply).")] = None,
    fmt: Annotated[ProblemFormat | None, typer.Option("--format", "-f", help="text, json, github (annotations; the default under GitHub Actions), sarif (code scanning) or md (a PR comment).")] = None,
    output: OutputOpt = None,
    rev: Annotated[str | None, typer.Option("--rev", metavar="REV", help="Validate the workspace as committed at REV (tag, branch, SHA) instead of the working tree.")] = None,
) -> None:
    """Check every file against the schemas and the cross-file rules.

    Prints one line per problem, sorted: [bold]path:line:col: severity CODE message[/bold].
    Every code is explained in docs/checks.md.

    Examples:

      okrctl validate

      okrctl validate okrs/2026-Q2/so-khcn.yaml      (pre-commit: report only this file)

      okrctl validate --format sarif > okrctl.sarif

      okrctl validate --format md >> "$GITHUB_STEP_SUMMARY"

      okrctl validate --rev origin/main
    """
    st = state(ctx)
    fmt = choose_format(fmt, output, ProblemFormat, problem_format(None))
    if paths:
        missing = [str(p) for p in paths if not os.path.lexists(p)]
        if missing and rev is None:
            raise UsageError(_("no such file: {missing}").format(missing=missing[0]))
    groups: dict[Path | None, list[Path] | None] = {}
    if paths and st.workspace is None:
        # pre-commit passes paths relative to the repository root: each path is
        # checked in the workspace it belongs to (a repository may hold several),
        # each workspace loaded once
        from okrctl.read.loader import find_workspace

        for p in paths:
            groups.setdefault(find_workspace(Path(os.path.abspath(p)).parent), []).append(p)
    else:
        groups[st.workspace] = paths
    diags: list = []
    nfiles = 0
    for ws, ws_paths in groups.items():
        st.workspace = ws
        root, found, n = _validate_workspace(st, ws_paths, rev)
        if len(groups) > 1:  # one listing: each path as shown from the current directory
            to_display = display_path_fn(root)
            found = [replace(d, path=to_display(d.path)) for d in found]
        diags += found
        nfiles += n
    show = display_path_fn(root) if len(groups) == 1 else (lambda p: p)
    from okrctl.render import problems as R

    if fmt is ProblemFormat.json:
        emit(R.render_json(diags, nfiles), output)
    elif fmt is ProblemFormat.github:
        emit(R.render_github(diags, show), output)
    elif fmt is ProblemFormat.sarif:
        emit(R.render_sarif(diags, show), output)
    elif fmt is ProblemFormat.md:
        emit(R.render_markdown(diags, nfiles, show), output)
    else:
        from okrctl.render.console import make_console

        view = TextView(st.color, output)
        R.render_text(diags, view.console, show)
        view.close()
        err = make_console(st.color, stderr=True)
        err.print(R.summary_line(diags, nfiles), style="green" if not diags else ("red" if any(d.severity == "error" for d in diags) else "yellow"))
    if any(d.severity == "error" for d in diags):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)




def _validate_workspace(st, paths: list[Path] | None, rev: str | None):
    """The problems of one workspace (of the files in ``paths`` only, when given):
    ``(root, problems, files checked)``."""
    from okrctl.cli.workspace import open_workspace

    opened = open_workspace(st, check_rev(rev))
    diags = opened.result.diagnostics
    if rev is None and opened.result.workspace is not None:  # pinned evidence files (OKR228)
        from okrctl.model.problems import sort_problems
        from okrctl.read.evidence import check_evidence

        diags = sort_problems([*diags, *check_evidence(opened.root, opened.result.workspace)])
    nfiles = opened.nfiles
    if paths:
        wanted = set()
        outside = []
        for p in paths:
            try:
                wanted.add(Path(os.path.abspath(p)).relative_to(opened.root).as_posix())
            except ValueError:
                outside.append(str(p))
        if outside:
            raise UsageError(_("{outside} is not in the workspace at {root}; run okrctl once per workspace (-C DIR)").format(outside=outside[0], root=opened.root))
        read = set(opened.result.documents) | {d.path for d in diags}
        for name in sorted(wanted - read):
            raise UsageError(_("{name}: not a file okrctl reads (okrctl.yaml, units.yaml, okrs/PERIOD/UNIT.yaml); nothing was validated").format(name=name))
        diags = [d for d in diags if d.path in wanted]
        nfiles = len(wanted)
    return opened.root, list(diags), nfiles
