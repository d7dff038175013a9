"""okrctl history · okrctl codeowners"""

from __future__ import annotations

import sys
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from okrctl.cli.app import EXIT_FINDINGS, CliError, app, check_rev, parse_date_option, state
from okrctl.cli.workspace import workspace_root


class HistoryFormat(str, Enum):
    text = "text"
    json = "json"


# ----------------------------------------------------------------------------- history


@app.command()
def history(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", show_default=False,
                                       help="PERIOD/UNIT/OBJ/KR, PERIOD/UNIT/OBJ or PERIOD/UNIT/KPI; without PERIOD, the default period (the shortest period with files containing today, or as_of).")],
    rev: Annotated[str | None, typer.Option("--rev", metavar="REV", help="History up to REV (tag, branch, SHA) instead of HEAD.")] = None,
    fmt: Annotated[HistoryFormat, typer.Option("--format", "-f", help="text: a timeline grouped per commit; json: FORMAT §9 events.")] = HistoryFormat.text,
    field: Annotated[list[str] | None, typer.Option("--field", metavar="FIELD", help="Only events of this field (repeatable): target, title, checkin, measurement, rebaseline, cancelled, added, created, removed, file, ...")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="YYYY-MM-DD", help="Only commits dated on or after this day (commit date in the workspace time zone).")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD", help="Only commits dated on or before this day.")] = None,
) -> None:
    """Every change to one key result, objective or KPI across commits, oldest first.

    Reads only the commits of the main line (first parents) that changed the
    unit's period file okrs/PERIOD/UNIT.yaml, and shows, per commit (short SHA,
    commit date in the workspace time zone, author, subject), each change as
    field: old → new: the item created, definition fields (title, target,
    baseline, ...), check-ins and measurements added, corrected or removed
    (named REF@DATE#N), rebaseline, added and cancelled records, the item
    removed, and the file deleted or unreadable at a commit. An objective's
    history includes its key results. Uncommitted changes are not shown.

    Commit dates are claims recorded by whoever made the commit, not proof; the
    order is the order of the main line. A shallow clone is refused (exit 2):
    check out with fetch-depth: 0. An unknown or malformed REF is a usage
    error (exit 2).

    The same, with plain git (no okrctl needed):

      git log -p --first-parent -- okrs/2026-Q2/so-khcn.yaml

      git log --grep 'Okr-Ref: 2026-Q2/so-khcn/O1/KR1'      (commits made by okrctl's write commands carry this trailer)

    Examples:

      okrctl history 2026-Q2/so-khcn/O1/KR1

      okrctl history so-khcn/K1 --field measurement

      okrctl history 2026-Q2/so-khcn/O1/KR1 --field target --field rebaseline --format json

      okrctl history 2026-Q1/so-khcn/O1 --rev okr/close/2026-Q1
    """
    from okrctl import gitio
    from okrctl.audit import history as H
    from okrctl.render import dumps, envelope

    st = state(ctx)
    check_rev(rev)
    since_d = parse_date_option(since, "--since")
    until_d = parse_date_option(until, "--until")
    root = workspace_root(st)
    try:
        spec = H.parse_ref(ref)
        repo = gitio.Repo.discover(root)
        prefix = repo.relpath(root)
        repo.require_full_history("okrctl history")
        if rev is not None:
            source: Any = gitio.GitTreeSource(repo, repo.resolve(rev), prefix)
        else:
            from okrctl.read.source import WorkingTreeSource

            source = WorkingTreeSource(root)
        config, periods = H.workspace_settings(source)
        period = spec.period
        if period is None:
            from okrctl.engine.scoring import scoring_date

            D = scoring_date(config)
            period = H.default_period_id(periods, D, config.fiscal_year_start)
            if period is None:
                raise H.HistoryError(f"{ref}: no period with files contains {D} (periods with files: "
                                     f"{', '.join(periods) or 'none'}); write the period: PERIOD/{ref}")
        h = H.history(repo, prefix, ref, rev or "HEAD", fiscal_year_start=config.fiscal_year_start,
                      timezone=config.timezone, period=period)
    except gitio.GitError as exc:
        raise CliError(exc.message) from None
    except H.HistoryError as exc:
        raise CliError(exc.message, exc.code) from None
    events = H.filter_events(h.events, fields=field, since=since_d, until=until_d)
    if fmt is HistoryFormat.json:
        sys.stdout.write(dumps(envelope("history", H.history_to_json(h, events))))
        return
    sys.stdout.write(render_history_text(h, events, rev or "HEAD", filtered=bool(field or since_d or until_d)))


# ---- text rendering


#: values shown without quotes: handles and enumerations
_PLAIN_KEYS = {"by", "approved_by", "owner", "type", "direction", "aggregate", "frequency", "kind", "aligns_to"}
_LABEL = {"approved_by": "approved by"}


def _fv(v: Any, key: str | None = None) -> str:
    """One value for human eyes: numbers as written, text quoted and escaped."""
    from datetime import date

    from okrctl.render.textsafe import one_line

    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return one_line(v) if key in _PLAIN_KEYS else f'"{one_line(v)}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(one_line(x) if isinstance(x, str) else _fv(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fv(x, k)}" for k, x in v.items() if x is not None) + "}"
    return one_line(str(v))


def _record_body(view: dict) -> str:
    """A check-in, measurement, rebaseline or added/cancelled record on one line;
    its date is already in the event's name."""
    parts = []
    d = dict(view)
    if "field" in d and "from" in d:  # rebaseline
        parts.append(f"{d.pop('field')} {_fv(d.pop('from'))} → {_fv(d.pop('to'))}")
        d.pop("date", None)
    elif "value" in d or "done" in d:
        d.pop("date", None)
        parts.append(_fv(d.pop("value")) if "value" in d else f"done {_fv(d.pop('done'))}")
    for k, x in d.items():
        if x is None:
            continue
        parts.append(_fv(x, k) if k == "date" else f"{_LABEL.get(k, k)} {_fv(x, k)}")
    return ", ".join(parts)


def _changed_body(old: dict, new: dict) -> str:
    keys = list(dict.fromkeys([*old, *new]))
    return ", ".join(f"{_LABEL.get(k, k)} {_fv(old.get(k), k)} → {_fv(new.get(k), k)}"
                     for k in keys if old.get(k) != new.get(k))


def _created_body(view: dict) -> str:
    d = dict(view)
    d.pop("id", None)
    title = d.pop("title", None)
    rest = ", ".join(f"{k} {_fv(x, k)}" for k, x in d.items())
    return f"{_fv(title)}" + (f" ({rest})" if rest else "")


def event_line(e, item_ref: str) -> str:
    """``field: old → new`` for one event, relative to the item of the history."""
    from okrctl.render.textsafe import one_line

    owner, _, when = e.ref.partition("@")
    who = owner[len(item_ref) + 1:] + " " if owner.startswith(item_ref + "/") else ""
    if e.field == "created":
        return f"{who}created: {_created_body(e.new)}"
    if e.field == "removed":
        return f"{who}removed (was {_fv(e.old.get('title'))})"
    if e.kind == "deleted":
        return f"file deleted: {one_line(e.old)} (the item is gone with it)"
    if e.kind == "invalid":
        return f"file unreadable at this commit, skipped: {one_line(e.new)}"
    if e.field in ("checkin", "measurement", "rebaseline"):
        name = f"{e.field} {when}"
    elif e.field in ("added", "cancelled") and isinstance(e.old or e.new, dict):
        name = f"{e.field} record"
    else:
        return f"{who}{e.field}: {_fv(e.old, e.field)} → {_fv(e.new, e.field)}"
    if e.kind == "added":
        return f"{who}{name} added: {_record_body(e.new)}"
    if e.kind == "removed":
        return f"{who}{name} removed: {_record_body(e.old)}"
    return f"{who}{name} changed: {_changed_body(e.old, e.new)}"


def _when(dt) -> str:
    return dt.isoformat(sep=" ", timespec="minutes")


def render_history_text(h, events, rev: str, *, filtered: bool = False) -> str:
    from okrctl.render.textsafe import one_line

    kind = {"key_result": "key result", "objective": "objective", "kpi": "KPI"}[h.item]
    upto = h.rev[:12] if rev == h.rev else f"{one_line(rev)} ({h.rev[:12]})"
    n = len(events)
    lines = [
        f"{h.ref} · {kind} · {h.repo_path}",
        f"{h.commits} commit{'s' if h.commits != 1 else ''} changed the file up to {upto}; "
        f"{n} event{'s' if n != 1 else ''}{' (filtered)' if filtered else ''}, oldest first. "
        f"Dates: commit dates in {h.timezone}, as recorded by git.",
    ]
    current = None
    for e in events:
        if e.commit != current:
            current = e.commit
            authored = f" (authored {_when(e.author_date)})" if e.author_date != e.date else ""
            lines += ["", f"{e.commit[:12]}  {_when(e.date)}{authored}  {one_line(e.author)}  {one_line(e.subject)}"]
        lines.append("    " + event_line(e, h.ref))
    if not events:
        lines += ["", "no events" + (" match the filters" if filtered else "")]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- codeowners


def _load_units(root: Path):
    """units.yaml's units (:func:`okrctl.audit.codeowners.load_units`); errors are
    shown on stderr and end the command."""
    from okrctl.audit.codeowners import load_units
    from okrctl.model.layout import UNITS_FILE
    from okrctl.read.source import SourceError

    try:
        units, errors = load_units(root)
    except SourceError as exc:
        raise CliError(exc.message) from None
    if units is None:
        for d in errors[:20]:
            print(f"{d.path}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}", file=sys.stderr)
        raise CliError(f"{UNITS_FILE} has errors; fix them first (okrctl validate)", EXIT_FINDINGS)
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
    approvers; without approvers by the owners of its parent unit; without
    either (a root unit) by the approvers, else owners, of the root unit(s).
    Those root reviewers also own okrctl.yaml, units.yaml and anything else
    under okrs/. Paths are relative to the repository root, also when the
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
            raise CliError(f"--map: {item!r} is not HANDLE=OWNER")
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
        print("okrctl: note: the workspace is not in a git repository; paths are relative to the workspace", file=sys.stderr)
    try:
        text, warnings = C.render_codeowners(units, repo_prefix, C.owner_fn(prefix, table))
    except C.UnwritableOwner as exc:
        from okrctl.render.textsafe import one_line

        raise CliError(f"units.yaml: handle {one_line(exc.handle)!r} cannot be written in CODEOWNERS as "
                       f"{one_line(exc.owner)!r}; give it an owner with --map '{one_line(exc.handle)}=@user'") from None
    for w in warnings:
        print(f"okrctl: warning: {w}", file=sys.stderr)
    if check:
        target = output
        if target is None:
            top = repo.toplevel if repo is not None else root
            target = C.find_codeowners(top)
            if target is None:
                raise CliError("no CODEOWNERS file in .github/, the repository root, docs/ or .gitlab/; "
                               "generate it with okrctl codeowners -o .github/CODEOWNERS", EXIT_FINDINGS)
        try:
            current = target.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            raise CliError(f"{target} does not exist; generate it with okrctl codeowners -o {target}", EXIT_FINDINGS) from None
        except OSError as exc:
            raise CliError(f"cannot read {target}: {exc.strerror}") from None
        if current == text:
            print(f"{target} is up to date", file=sys.stderr)
            return
        import difflib

        sys.stdout.writelines(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                   fromfile=str(target), tofile="generated"))
        raise CliError(f"{target} is out of date with units.yaml; regenerate it with okrctl codeowners -o {target}", EXIT_FINDINGS)
    if output is None:
        sys.stdout.write(text)
        return
    from okrctl.write.errors import WriteRefused
    from okrctl.write.fsio import atomic_write

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(output, text.encode("utf-8"))
    except WriteRefused as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from None
    print(f"wrote {output}", file=sys.stderr)
