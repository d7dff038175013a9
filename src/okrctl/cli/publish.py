"""okrctl publish: a closed period as a verifiable open-data package
(:mod:`okrctl.write.publish`, :mod:`okrctl.render.publish`); ``verify --published``
(in :mod:`okrctl.cli.close`) recomputes it with :func:`build`."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr

from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, state
from okrctl.cli.score import LocaleOpt
from okrctl.cli.workspace import workspace_root

WithEvidenceOpt = Annotated[bool, typer.Option(
    "--with-evidence", help="Include the pinned local evidence files (external ones are always listed with their hashes).")]
PublishNamesOpt = Annotated[bool, typer.Option(
    "--with-names", help="Include person names (owner, by, approved_by, the signer); left out by default: the package publishes work, never people.")]


def _history(root: Path, files, sha: str):
    from okrctl.audit.items import items_events
    from okrctl.errors import OkrctlError

    try:
        return [e for _item, e in items_events(root, files, sha, skip_unknown=True)]
    except OkrctlError:
        return None


def build(root: Path, period: str, locale: str | None, with_names: bool, with_evidence: bool):
    """``(plan, {path: bytes})``: the package of ``period`` from its close tag."""
    from okrctl.render.publish import render_package
    from okrctl.write.publish import prepare

    plan = prepare(root, period, locale=locale, with_names=with_names, with_evidence=with_evidence,
                   history=_history)
    return plan, render_package(plan)


@app.command()
def publish(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="A period closed with okrctl close.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="DIR", help="The package directory (default: publish-PERIOD). Missing or empty, unless --force.")] = None,
    locale: LocaleOpt = None,
    with_names: PublishNamesOpt = False,
    with_evidence: WithEvidenceOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty output directory.")] = False,
) -> None:
    """Publish a closed period as an open-data package.

    Reads the tree of the close tag okr/close/PERIOD (never the working tree; exit 1
    when the period is not closed) and writes one directory, all or nothing, that
    works offline and from any web server: index.html (the close report, links to
    every file, how to verify), data/ (every export table as CSV with a BOM, Parquet
    and JSON), datapackage.json (Frictionless Data Package: licence, source tag and
    commit, each file's sha256 and schema), manifest.sha256 (sha256sum -c) and, for a
    signed tag, close-tag.txt.  The same tag always gives byte-identical files:
    okrctl verify PERIOD --published DIR checks a copy.  docs/publish.md explains it.

    Examples:

      okrctl publish 2026-Q1 -o public/okr-2026-Q1

      okrctl publish 2026-Q1 --locale en --with-evidence -o public/okr-2026-Q1-en
    """
    from okrctl.reports.publish import MANIFEST
    from okrctl.write.publish import write_package

    root = workspace_root(state(ctx))
    plan, files = build(root, period, locale.value if locale else None, with_names, with_evidence)
    out = output if output is not None else Path(f"publish-{plan.period.id}")
    write_package(out, files, force=force, mtime=plan.created.timestamp())
    total = sum(len(b) for b in files.values())
    print(tr(ngettext("published {period} ({tag} → {sha}): {n} file, {size} bytes in {out}",
                      "published {period} ({tag} → {sha}): {n} files, {size} bytes in {out}", len(files)).format(
        period=plan.period.id, tag=plan.tag, sha=plan.commit[:12], size=f"{total:,}", out=out)))
    print(tr(_("check it: cd {out} && sha256sum -c {manifest}").format(out=out, manifest=MANIFEST)))
