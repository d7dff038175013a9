"""okrctl evidence add: pin documents by SHA-256 to a key result's check-in
(:mod:`okrctl.write.evidence`)."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, parse_date_option, state, warn
from okrctl.cli.checkin import DateOpt, DryRunOpt
from okrctl.cli.workspace import workspace_root

evidence_app = typer.Typer(name="evidence", help="Evidence documents pinned by hash to check-ins.", no_args_is_help=True)


class CheckinChoice(str, Enum):
    new = "new"
    latest = "latest"


@evidence_app.command("add")
def add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="PERIOD/UNIT/OBJECTIVE/KR (the period may be left out).")],
    files: Annotated[list[Path] | None, typer.Argument(metavar="FILE...", show_default=False, help="Documents to copy under evidence/PERIOD/UNIT/ and pin; with --url, at most one local copy to hash.")] = None,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="Pin an external document (http/https) instead of copying a file.")] = None,
    digest: Annotated[str | None, typer.Option("--sha256", metavar="HEX", help="With --url: the document's SHA-256 (else computed from FILE).")] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", metavar="TEXT", help="What the document is (Báo cáo số 12/BC-SKHCN).")] = None,
    checkin: Annotated[CheckinChoice, typer.Option("--checkin", help="new: a new check-in repeating the current value (a reported check-in never changes); latest: add to the latest check-in (one not yet committed).")] = CheckinChoice.new,
    date_: DateOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Pin evidence documents by SHA-256 to a key result's check-in.

    Each FILE is copied to evidence/PERIOD/UNIT/ in the workspace and pinned as
    {path, sha256, title}; --url pins an external document as {url, sha256, title}.
    okrctl validate then checks that every pinned file still has its hash, okrctl
    check treats changing one as rewriting the check-in, and okrctl publish lists
    them (and includes the files with --with-evidence).

    Exit 2 when REF, a FILE or an option is wrong; exit 1 when okrctl refuses the
    write (closed period, a file it cannot edit safely, a name already taken by
    another document).

    Examples:

      okrctl evidence add 2026-Q2/so-khcn/O1/KR1 bao-cao-52.pdf --title "Báo cáo số 52/BC-SKHCN"

      okrctl evidence add so-khcn/O1/KR1 --url https://dichvucong.hanoi.gov.vn/bc.pdf --sha256 9f86d0…

      okrctl evidence add so-khcn/O1/KR1 bien-ban.pdf --checkin latest --dry-run
    """
    from okrctl.write.evidence import add_evidence

    root = workspace_root(state(ctx))
    on = parse_date_option(date_, "--date")
    result = add_evidence(root, ref, list(files or ()), url=url, digest=digest, title=title,
                          checkin=checkin.value, on=on, dry_run=dry_run)
    warn(result.warnings)
    if dry_run:
        sys.stdout.write(result.diff())
        for src, rel in result.copies:
            print(tr(_("would copy {source} to {path}").format(source=src, path=rel)), file=sys.stderr)
        print(tr(_("dry run: nothing was written")), file=sys.stderr)
        return
    for src, rel in result.copies:
        print(tr(_("copied {source} to {path}").format(source=src, path=rel)))
    if result.checkin == "new":
        done = ngettext("{path}: {n} document pinned to a new check-in of {ref} ({date})",
                        "{path}: {n} documents pinned to a new check-in of {ref} ({date})", len(result.items))
    else:
        done = ngettext("{path}: {n} document pinned to the latest check-in of {ref} ({date})",
                        "{path}: {n} documents pinned to the latest check-in of {ref} ({date})", len(result.items))
    print(tr(done.format(path=result.path, ref=result.ref, date=result.date)))

app.add_typer(evidence_app, name="evidence")
