"""okrctl close · okrctl verify: lock a period and tag its final scores; check a closed period is still what was closed (:mod:`okrctl.write.close`)."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, state, warn
from okrctl.cli.publish import PublishNamesOpt, WithEvidenceOpt
from okrctl.cli.score import LocaleOpt
from okrctl.cli.output import OutputOpt, choose_format, emit
from okrctl.cli.workspace import workspace_root
from okrctl.errors import EXIT_FINDINGS


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def close(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="The period to close.")],
    sign: Annotated[bool, typer.Option("--sign", help="Sign the tag (git tag -s; runs your configured gpg program).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Make every check, print the change to okrctl.yaml and the tag's first line; write nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation on a terminal.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Close a period that has not ended by the scoring date (as_of, else today).")] = False,
) -> None:
    """Close a period: lock it and tag its final scores.

    Refuses (exit 1) while the period's files, okrctl.yaml or units.yaml are invalid or
    have uncommitted changes, when the period is already tagged, or when it has not
    ended by the scoring date (unless --force).  On a terminal it asks first (--yes
    does not); --dry-run shows what it would do.  To undo a close, see
    docs/writing.md ("Undoing a close").  Warns about each
    committed objective that missed its target without a `review: {note: ...}`.  Adds
    PERIOD to policy.locked_periods in okrctl.yaml (nothing else in the file changes),
    commits that file alone ("okr: close PERIOD"), and creates the annotated tag
    okr/close/PERIOD on that commit holding the scores as of the period's end as JSON.

    Examples:

      okrctl close 2026-Q1 --dry-run

      okrctl close 2026-Q1

      okrctl close 2026-Q1 --sign --yes
    """
    import sys

    from okrctl.write.close import close_period

    st = state(ctx)
    root = workspace_root(st)
    preview = None
    if dry_run or (not yes and sys.stdin.isatty() and sys.stdout.isatty()):
        preview = close_period(root, period, sign=sign, dry_run=True, force=force)
        warn(preview.warnings)
        sys.stdout.write(preview.config_diff())
        as_of = preview.payload.get("as_of")
        if dry_run:
            done = (_("dry run: would commit okrctl.yaml (\"okr: close {period}\") and tag {tag}: final scores as of "
                      "{as_of}; nothing was written") if preview.committed else
                    _("dry run: would tag {tag}: final scores as of {as_of}; nothing was written"))
            print(tr(done.format(period=preview.period, tag=preview.tag, as_of=as_of)), file=sys.stderr)
            return
        ask = (_("Commit okrctl.yaml (\"okr: close {period}\") and tag {tag} (final scores as of {as_of}); the period "
                 "is then locked. Close it?") if preview.committed else
               _("Tag {tag} (final scores as of {as_of}); the period is then locked. Close it?"))
        if not typer.confirm(tr(ask.format(period=preview.period, tag=preview.tag, as_of=as_of)), default=False, err=True):
            print(tr(_("not closed: nothing was written")), file=sys.stderr)
            raise typer.Exit(EXIT_FINDINGS)
    result = close_period(root, period, sign=sign, force=force)
    if preview is None:
        warn(result.warnings)
    if result.committed:
        print(tr(_("okrctl.yaml: {period} added to policy.locked_periods, committed {sha}")
                 .format(period=result.period, sha=result.commit[:12])))
    print(tr(_("tagged {tag} on {sha} (scores as of the period's end; okrctl verify {period} checks them)")
             .format(tag=result.tag, sha=result.commit[:12], period=result.period)))


@app.command()
def verify(
    ctx: typer.Context,
    period: Annotated[str, typer.Argument(metavar="PERIOD", help="A period closed with okrctl close.")],
    fmt: Annotated[VerifyFormat | None, typer.Option("--format", "-f", help="text (the default) or json.")] = None,
    output: OutputOpt = None,
    published: Annotated[Path | None, typer.Option("--published", metavar="DIR", help="Instead: recompute the package okrctl publish wrote from the tag and compare DIR with it, file by file.")] = None,
    locale: LocaleOpt = None,
    with_names: PublishNamesOpt = False,
    with_evidence: WithEvidenceOpt = False,
) -> None:
    """Check that a closed period is still what was closed.

    Reads the tag okr/close/PERIOD (exit 2 when it is missing), recomputes the scores as
    of the period's end from the tagged tree and from HEAD's tree and compares them with
    the JSON in the tag, and lists every later commit that touched okrs/PERIOD/.
    Exit 0 when everything agrees, 1 on any difference or later change.

    With --published DIR: recompute the package okrctl publish writes from the tag
    (the locale, --with-names and --with-evidence are read from DIR's
    datapackage.json unless given) and compare DIR with it file by file: a changed,
    missing or extra file is a difference (exit 1).

    Examples:

      okrctl verify 2026-Q1

      okrctl verify 2026-Q1 --format json

      okrctl verify 2026-Q1 --published public/okr-2026-Q1
    """
    from okrctl.write.close import verify_period

    st = state(ctx)
    fmt = choose_format(fmt, output, VerifyFormat, VerifyFormat.text)
    root = workspace_root(st)
    if published is not None:
        _verify_published(root, period, published, fmt, output, locale.value if locale else None, with_names, with_evidence)
        return
    result = verify_period(root, period)
    if fmt is VerifyFormat.json:
        from okrctl.render import dumps, envelope

        emit(dumps(envelope("verify", result.to_json())), output)
    else:
        emit(_verify_text(result), output)
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


def _verify_published(root, period, directory, fmt, output, locale, with_names, with_evidence) -> None:
    from okrctl.cli.publish import build
    from okrctl.reports.publish import compare
    from okrctl.write.publish import package_options, read_package

    found = read_package(directory)
    opts = package_options(found)
    plan, files = build(root, period, locale or opts.get("locale"), with_names or bool(opts.get("with_names")),
                        with_evidence or bool(opts.get("with_evidence")))
    diffs = compare(files, found)
    if fmt is VerifyFormat.json:
        from okrctl.render import dumps, envelope

        emit(dumps(envelope("verify", {"period": plan.period.id, "tag": plan.tag, "commit": plan.commit,
                                       "published": str(directory), "files": len(files), "ok": not diffs,
                                       "differences": [d.to_json() for d in diffs]})), output)
    else:
        from okrctl.render.textsafe import one_line

        out = [tr(ngettext("{tag} → {sha}: recomputed {n} file, compared with {directory}",
                           "{tag} → {sha}: recomputed {n} files, compared with {directory}", len(files)).format(
            tag=plan.tag, sha=plan.commit[:12], directory=one_line(str(directory))))]
        what = {"changed": _("{path} differs from the recomputed file"), "missing": _("{path} is missing"),
                "extra": _("{path} is not part of the package")}
        out += ["  ✗ " + tr(what[d.kind].format(path=one_line(d.path))) for d in diffs]
        out.append(tr(_("verified: {directory} is the package of {period}").format(
            directory=one_line(str(directory)), period=plan.period.id) if not diffs else
            ngettext("verification failed: {n} file differs", "verification failed: {n} files differ", len(diffs))))
        emit("\n".join(out) + "\n", output)
    if diffs:
        raise typer.Exit(EXIT_FINDINGS)


def _verify_text(r) -> str:
    from okrctl.render.textsafe import one_line
    from okrctl.render.values import plain

    closed_with = f"okrctl {one_line(r.okrctl_version)}" if r.okrctl_version else tr(_("unknown okrctl"))
    out = [tr(_("{tag} → {sha} (closed with {version}; scores as of {as_of})").format(
        tag=r.tag, sha=r.commit[:12], version=closed_with, as_of=one_line(r.as_of or "?")))]
    for c in r.comparisons:
        where = f"{c.label} {c.commit[:12]}" if c.commit else c.label
        if c.error:
            out.append(f"  ✗ {where}: {one_line(tr(c.error))}")
        elif c.match:
            out.append("  ✓ " + tr(_("{where}: scores match the tag").format(where=where)))
        else:
            out.append("  ✗ " + tr(ngettext("{where}: {n} difference", "{where}: {n} differences", len(c.differences))
                                   .format(where=where)))
            for d in c.differences[:20]:
                what = " ".join(x for x in (d["ref"], d["field"]) if x)
                out.append(f"      {one_line(what)}: {one_line(plain(d['closed'], 60, none='—'))} → {one_line(plain(d['now'], 60, none='—'))}")
            if len(c.differences) > 20:
                out.append("      " + tr(_("… and {n} more (--format json lists them all)").format(n=len(c.differences) - 20)))
    if r.later_commits:
        out.append("  ✗ " + tr(ngettext("{n} later commit changed okrs/{period}/:", "{n} later commits changed okrs/{period}/:",
                                         len(r.later_commits)).format(period=r.period)))
        for c in r.later_commits:
            out.append(f"      {c['commit'][:12]} {c['date'][:10]} {one_line(c['author'])}: {one_line(c['subject'])}")
    else:
        out.append("  ✓ " + tr(_("no commit after the close changed okrs/{period}/").format(period=r.period)))
    for issue in r.issues:
        out.append(f"  ✗ {one_line(tr(issue))}")
    out.append(tr(_("verified: {period} is as it was closed").format(period=r.period) if r.ok else
                  ngettext("verification failed: {n} problem", "verification failed: {n} problems", len(r.problems))))
    return "\n".join(out) + "\n"
