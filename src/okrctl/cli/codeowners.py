"""okrctl codeowners: CODEOWNERS from units.yaml (:mod:`okrctl.audit.codeowners`)."""

from __future__ import annotations

from okrctl.model.messages import _, tr

import sys
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, state
from okrctl.cli.workspace import workspace_root
from okrctl.errors import FindingsError, UsageError


def _load_units(root: Path):
    """units.yaml's units (:func:`okrctl.audit.codeowners.load_units`); errors are
    shown on stderr and end the command."""
    from okrctl.audit.codeowners import load_units
    from okrctl.model.layout import UNITS_FILE

    units, errors = load_units(root)
    if units is None:
        for d in errors[:20]:
            print(f"{d.path}:{d.line}:{d.column}: {d.severity} {d.code} {tr(d.message)}", file=sys.stderr)
        raise FindingsError(_("{UNITS_FILE} has errors; fix them first (okrctl validate)").format(UNITS_FILE=UNITS_FILE))
    return units


@app.command()
def codeowners(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of standard output, e.g. .github/CODEOWNERS.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 (and show the difference) if FILE (-o, else the CODEOWNERS found in the repository) is not what would be generated.")] = False,
    prefix: Annotated[str, typer.Option("--prefix", metavar="TEXT", help="Put TEXT before each handle: @ (a user), or e.g. @my-org/ (a team).")] = "@",
    mapping: Annotated[list[str] | None, typer.Option("--map", metavar="HANDLE=OWNER", help="Write OWNER for HANDLE (repeatable), e.g. --map tran.thi.b=@tranthib or --map tran.thi.b=b@example.org.")] = None,
) -> None:
    """Generate a GitHub/GitLab CODEOWNERS file from units.yaml.

    Each unit's period files (okrs/*/UNIT.yaml) are owned by the unit's
    approvers (its own, else its parent's owners) and its ancestors'
    approvers; a unit with none gets its own owners. The approvers, else
    owners, of the root unit(s) own okrctl.yaml, units.yaml, schema/, anything
    else under okrs/, and the CI and review configuration (.github/, .gitlab/,
    .gitlab-ci.yml, CODEOWNERS, docs/CODEOWNERS, .pre-commit-config.yaml).
    Paths through a symbolic link are refused. Paths are relative to the repository root, also when the
    workspace is a subdirectory. Handles become @handle (see --prefix, --map);
    a handle holding @ (an e-mail address) is written as it is.

    With branch protection "Require review from Code Owners" (GitHub) or
    "Code owner approval" (GitLab), a change to a unit's OKRs then needs the
    approval of its reviewers.

    Examples:

      okrctl codeowners -o .github/CODEOWNERS

      okrctl codeowners -o .github/CODEOWNERS --check       (in CI)

      okrctl codeowners --prefix @so-khcn/ --map tran.thi.b=@tranthib
    """
    st = state(ctx)
    root = workspace_root(st)
    table: dict[str, str] = {}
    for item in mapping or ():
        handle, sep, owner = item.partition("=")
        if not sep or not handle.strip() or not owner.strip():
            raise UsageError(_("--map: {item!r} is not HANDLE=OWNER").format(item=item))
        table[handle.strip()] = owner.strip()
    units = _load_units(root)
    from okrctl import gitio
    from okrctl.audit import codeowners as C

    repo = None
    try:
        repo = gitio.Repo.discover(root)
        repo_prefix = repo.relpath(root)
    except gitio.GitError:
        repo_prefix = ""
        print(tr(_("okrctl: note: the workspace is not in a git repository; paths are relative to the workspace")), file=sys.stderr)
    try:
        text, warnings = C.render_codeowners(units, repo_prefix, C.owner_fn(prefix, table))
    except C.UnwritableOwner as exc:
        from okrctl.render.textsafe import one_line

        raise UsageError(_("units.yaml: handle {handle!r} cannot be written in CODEOWNERS as {owner!r}; give it an owner with --map '{handle}=@user'").format(handle=one_line(exc.handle), owner=one_line(exc.owner))) from None
    for w in warnings:
        print(tr(_("okrctl: warning: {message}").format(message=w)), file=sys.stderr)
    top = repo.toplevel if repo is not None else root

    def no_links(path: Path) -> None:
        try:
            C.refuse_symlinks(top.resolve(), path.absolute())
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    if check:
        target = output
        if target is None:
            top = repo.toplevel if repo is not None else root
            target = C.find_codeowners(top)
            if target is None:
                raise FindingsError(_("no CODEOWNERS file in .github/, the repository root, docs/ or .gitlab/; generate it with okrctl codeowners -o .github/CODEOWNERS"))
        no_links(target)
        try:
            from okrctl.read.source import read_regular  # no FIFO, device or final link; size-capped

            current = read_regular(target).decode("utf-8", "replace")
        except FileNotFoundError:
            raise FindingsError(_("{target} does not exist; generate it with okrctl codeowners -o {target}").format(target=target)) from None
        except OSError as exc:
            raise UsageError(_("cannot read {target}: {strerror}").format(target=target, strerror=exc.strerror)) from None
        if current == text:
            print(tr(_("{target} is up to date").format(target=target)), file=sys.stderr)
            return
        import difflib

        sys.stdout.writelines(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                   fromfile=str(target), tofile="generated"))
        raise FindingsError(_("{target} is out of date with units.yaml; regenerate it with okrctl codeowners -o {target}").format(target=target))
    if output is None:
        sys.stdout.write(text)
        return
    from okrctl.write.fsio import atomic_write

    no_links(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(output, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(_("cannot write {output}: {strerror}").format(output=output, strerror=exc.strerror)) from None
    print(tr(_("wrote {output}").format(output=output)), file=sys.stderr)
