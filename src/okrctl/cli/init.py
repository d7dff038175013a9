"""okrctl init: a new workspace that validates (:mod:`okrctl.write.scaffold`)."""

from __future__ import annotations

from okrctl.model.messages import _, tr

import sys
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import Locale, app, state


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(metavar="DIR", help="Where to create the workspace (default: -C DIR, else the current directory).")] = None,
    locale: Annotated[Locale, typer.Option("--locale", help="Language of the example texts and of reports.")] = Locale.en,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="The organisation's name (okrctl.yaml name, and the unit's name).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="ID", help="The unit's id (default: made from NAME).")] = None,
    period: Annotated[str | None, typer.Option("--period", metavar="PERIOD", help="The first period (default: the current quarter while open for planning, else the next).")] = None,
) -> None:
    """Create a new workspace that validates.

    Writes okrctl.yaml, units.yaml with one unit, one period file with an example
    objective, key result and KPI (in the chosen language), the JSON Schemas (so the
    files' schema modelines work offline), .vscode/settings.json and .gitattributes.
    At the top of the git repository holding DIR (DIR itself outside git):
    .pre-commit-config.yaml (a local hook running the installed okrctl) and
    .github/workflows/okrctl.yml, each unless it exists, and .gitignore (extended).

    The default period is the current quarter while it is open for planning (until
    its start + policy.lock_after_days), else the next quarter; stderr says which.

    Refuses (exit 2, nothing written) when any workspace file exists.

    Examples:

      okrctl init okr --locale vi --name "Sở Khoa học và Công nghệ" --unit so-khcn

      okrctl init --period 2026-Q3
    """
    from okrctl.write.scaffold import init_workspace

    st = state(ctx)
    target = directory if directory is not None else (st.workspace if st.workspace is not None else Path.cwd())
    plan = init_workspace(target, locale=locale.value, name=name, unit=unit, period=period)
    for rel in plan.files:
        print(tr(_("created {path}").format(path=target / rel)))
    assert plan.repo_root is not None
    for rel in plan.repo_files:
        print(tr(_("created {path}").format(path=_shown(plan.repo_root / rel))))
    for path, (created, lines) in plan.extended.items():
        print(tr(_("created {path}").format(path=_shown(path)) if created else
                 _("extended {path}: {lines}").format(path=_shown(path),
                                                      lines=", ".join(ln for ln in lines if not ln.startswith("#")))))
    from okrctl.write.scaffold import PRE_COMMIT_CONFIG, WORKFLOW

    if WORKFLOW not in plan.repo_files:
        print(tr(_("note: {path} exists and was left as it is").format(path=_shown(plan.repo_root / WORKFLOW))),
              file=sys.stderr)
    if PRE_COMMIT_CONFIG not in plan.repo_files:
        print(tr(_("note: {path} exists and was left as it is; add this hook under its repos:\n{hook}")
                 .format(path=_shown(plan.repo_root / PRE_COMMIT_CONFIG), hook=plan.hook.rstrip())), file=sys.stderr)
    if plan.period_reason:
        print(tr(plan.period_reason), file=sys.stderr)
    print(tr(_("next: okrctl -C {target} validate; then record progress with okrctl -C {target} checkin {ref} VALUE")
             .format(target=target, ref=f"{plan.period}/{plan.unit}/O1/KR1")), file=sys.stderr)


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    import os

    rel = os.path.relpath(path)
    return path.as_posix() if rel.startswith("..") else rel
