"""okrctl report"""

from __future__ import annotations

from okrctl.model.messages import _

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import app, check_rev
from okrctl.cli.output import OutputOpt, choose_format, emit
from okrctl.cli.score import AsOfOpt, LocaleOpt, PeriodOpt, RevOpt, UnitOpt, setup
from okrctl.errors import UsageError

#: the notes file of a period, relative to the workspace
NOTES_DIR = "reports"
MAX_NOTES_BYTES = 1 << 20


class ReportFormat(str, Enum):
    md = "md"
    html = "html"
    docx = "docx"
    pdf = "pdf"


class Edition(str, Enum):
    progress = "progress"
    close = "close"


def _previous(ws, p):
    """The period of the same kind that ends the day before ``p`` starts, if it has files."""
    from okrctl.engine import scoring

    return next((q for q in scoring.all_periods(ws) if q.kind == p.kind and (p.start - q.end).days == 1), None)


def _source(opened):
    """Where the numbers come from: the ``--rev`` commit, HEAD when the workspace is
    committed as it is, else the working tree."""
    from okrctl import gitio
    from okrctl.errors import OkrctlError
    from okrctl.reports.quarterly import Source

    try:
        repo = gitio.Repo.discover(opened.root)
        sha = opened.rev
        if sha is None:
            head = repo.head()
            rel = repo.relpath(opened.root)
            sha = head if head and repo.is_clean([rel] if rel else []) else None
        if sha is None:
            return Source("working tree")
        info = repo.commit_info(sha)
        return Source("commit", sha, info.committer_date.date())
    except OkrctlError:
        return Source("working tree")


def _track(label: str, color: str):
    """A progress bar over a sequence on a terminal's stderr (:func:`okrctl.cli.output.progress`)."""
    from okrctl.cli.output import progress

    return lambda items: progress(items, label, color, total=len(items))


def _events(opened, files, color: str):
    """The git history of the period's items up to ``--rev`` (or HEAD), or None when
    the workspace is not in a git repository with commits and full history."""
    from okrctl.audit.items import items_events
    from okrctl.errors import OkrctlError

    try:
        return [e for _, e in items_events(opened.root, files, opened.rev, skip_unknown=True,
                                           track=_track("history", color))]
    except OkrctlError:
        return None


def _notes(root: Path, period_id: str) -> dict[str, str | None]:
    from okrctl.reports.quarterly import parse_notes

    path = root / NOTES_DIR / f"{period_id}.md"
    if not path.is_file() or path.is_symlink():
        return {}
    data = path.read_bytes()[: MAX_NOTES_BYTES + 1]
    if len(data) > MAX_NOTES_BYTES:
        raise UsageError(_("{NOTES_DIR}/{period_id}.md:1:1: larger than 1 MiB").format(NOTES_DIR=NOTES_DIR, period_id=period_id))
    try:
        return parse_notes(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UsageError(_("{NOTES_DIR}/{period_id}.md:1:{value}: not UTF-8").format(NOTES_DIR=NOTES_DIR, period_id=period_id, value=exc.start + 1)) from None


@app.command()
def report(
    ctx: typer.Context,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    compare_to: Annotated[str | None, typer.Option("--compare-to", metavar="PERIOD|REV", help="Compare with this period (scored at its end) or with the workspace at this git revision (default: the previous period of the same kind, when it has files).")] = None,
    edition: Annotated[Edition, typer.Option("--edition", help="progress (during the period: pace status, \"needs a decision\") or close (a period that has ended: grades, final results, missed key results).")] = Edition.progress,
    fmt: Annotated[ReportFormat | None, typer.Option("--format", "-f", help="md (PR comment), html (one printable A4 page), docx (Word, Decree 30 layout) or pdf (the HTML printed). Default: md, or from the -o extension.")] = None,
    output: OutputOpt = None,
    locale: LocaleOpt = None,
    with_names: Annotated[bool, typer.Option("--with-names", help="Add who checked in to the check-in log (off by default: the report scores work, never people).")] = False,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1000, help="Cap of the md edition; detail is dropped first, and the report says so.")] = 60_000,
) -> None:
    """The quarterly summary leadership reads: Markdown for a PR comment, or one
    self-contained HTML page with charts in the Vietnamese administrative layout
    (Decree 30/2020/NĐ-CP), printable on A4.

    Examples:

      okrctl report -o report.html

      okrctl report --period 2026-Q1 --format html -o bao-cao-2026-Q1.html

      okrctl report --compare-to 2026-Q1 --locale en

      okrctl report -o bao-cao.docx
    """
    from okrctl.engine import scoring
    from okrctl.model.periods import parse_period
    from okrctl.render.formats import RenderOptions
    from okrctl.reports import quarterly

    fmt = choose_format(fmt, output, ReportFormat, ReportFormat.md)
    st, ws, p, D, _unused = setup(ctx, period, unit, as_of, rev, fmt, None)
    loc = (locale.value if locale else None) or ws.config.locale
    result = scoring.score_workspace(ws, p, D)
    units = result.subtree(unit) if unit else result.units

    compare = label = base_as_of = None
    base_ws, base_p, base_d = None, None, D
    if compare_to is not None and not compare_to.startswith("-"):
        try:
            base_p = parse_period(compare_to, ws.config.fiscal_year_start)
            base_ws = ws
        except ValueError:
            from okrctl.cli.workspace import open_workspace, require_valid

            opened_base = open_workspace(st, check_rev(compare_to))
            require_valid(opened_base, st)
            base_ws, base_p = opened_base.result.workspace, p
            label = f"{compare_to} ({(opened_base.rev or '')[:12]})"
    elif compare_to is not None:
        raise UsageError(_("--compare-to: {compare_to!r} is neither a period nor a revision").format(compare_to=compare_to))
    else:
        base_p = _previous(ws, p)
        base_ws = ws if base_p else None
    if base_ws is not None and base_p is not None:
        if base_p.id != p.id:
            base_d = min(base_p.end, D)
            if label is None:
                label, base_as_of = base_p.id, base_d
        base_result = scoring.score_workspace(base_ws, base_p, base_d)
        base_units = base_result.subtree(unit) if unit else base_result.units
        compare = quarterly.summarise(base_ws, base_units, base_result.as_of >= base_result.period.end)

    opened_root = _Opened(ctx, rev)
    if edition is Edition.close and D < p.end:
        raise UsageError(_("--edition close is for a period that has ended: {id} ends {isoformat}, after the as-of date {isoformat2} (use --as-of or the progress edition)").format(id=p.id, isoformat=p.end.isoformat(), isoformat2=D.isoformat()))
    value = quarterly.build(
        ws, result, units, edition=edition.value, source=_source(opened_root),
        notes=_notes(opened_root.root, p.id), compare=compare, compare_label=label, compare_as_of=base_as_of,
        with_names=with_names,
        events=_events(opened_root, [f for f in ws.files if f.period.id == p.id], st.color),
        track=_track("weekly status", st.color))
    options = RenderOptions(loc)
    charts = _track("charts", st.color)
    if fmt is ReportFormat.md:
        from okrctl.render.report import markdown

        emit(markdown(value, options, max_chars), output)
    elif fmt is ReportFormat.docx:
        from okrctl.render.report.docx import docx

        emit(docx(value, options, charts), output)
    else:
        from okrctl.render.report import html

        page = html(value, options, charts)
        emit(page if fmt is ReportFormat.html else _pdf(page), output)


def _pdf(page: str) -> bytes:
    """The HTML printed to PDF: by headless Chromium when it is on PATH, else by
    WeasyPrint when it is installed, else a one-line error saying how to get one."""
    from okrctl.gitio import tools

    chromium = tools.which(*tools.CHROMIUM_NAMES)
    if chromium is not None:
        return tools.chromium_pdf(page, chromium)
    from okrctl.render.report import weasyprint_pdf

    pdf = weasyprint_pdf(page)
    if pdf is None:
        raise UsageError(_("--format pdf needs Chromium on PATH (apt-get install chromium) or WeasyPrint (pip install 'okrctl[pdf]'); or print the --format html page from a browser"))
    return pdf


class _Opened:
    """The workspace root and the ``--rev`` commit, for the source line and notes."""

    def __init__(self, ctx, rev: str | None) -> None:
        from okrctl.cli.app import state
        from okrctl.cli.workspace import workspace_root

        self.root = workspace_root(state(ctx))
        self.rev = None
        if rev is not None:
            from okrctl import gitio

            self.rev = gitio.Repo.discover(self.root).resolve(rev)
