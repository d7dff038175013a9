"""okrctl init: a new workspace that validates (:mod:`okrctl.write.scaffold`)."""

from __future__ import annotations

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
