"""``okrctl score`` and ``okrctl rollup`` on a terminal (rich): the score tree
(key results under their objectives, unit by unit) and the roll-up trees — views
that are not one flat table.  Registered in :mod:`okrctl.render.formats` as the
``table`` format; Markdown is in :mod:`okrctl.render.markdown`, CSV and JSON are
written from the report's typed table and payload."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from okrctl.engine.results import ScoreResult, UnitScore
from okrctl.engine.rollup import AlignNode, TreeNode
from okrctl.render.i18n import t
from okrctl.render.textsafe import one_line
from okrctl.render.values import day, kpi_value, kr_value, num, percent, score as fmt_score

if TYPE_CHECKING:
    from okrctl.render.formats import RenderOptions
    from okrctl.reports.score_tables import Report

STATUS_STYLE = {
    "done": "bold green", "on_track": "green", "at_risk": "yellow", "off_track": "bold red",
    "missed": "red", "no_data": "dim", "cancelled": "dim strike",
    "green": "green", "amber": "yellow", "red": "bold red",
}
GRADE_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}


# ------------------------------------------------------------------ cells

def bar(score: Fraction | None, max_score: Fraction, width: int = 10) -> str:
    if score is None:
        return "·" * width
    filled = int(round(float(min(score / max_score if max_score else score, Fraction(1))) * width))
    return "█" * filled + "░" * (width - filled)


def status_text(status: str, locale: str, overdue: bool = False) -> Text:
    txt = Text(t(status, locale), style=STATUS_STYLE.get(status, ""))
    if overdue:
        txt.append(f" · {t('overdue_short', locale)}", style="bold magenta")
    return txt


# ------------------------------------------------------------------ terminal table

_COLUMNS = ("ref", "title", "bar", "value", "score", "conf", "status", "grade")
_RIGHT = {"value", "score", "conf"}


def _unit_rows(u: UnitScore, locale: str, max_score: Fraction) -> list[dict[str, Text]]:
    """The table rows of one unit: objectives, their KRs (├/└ under them), KPIs."""
    rows: list[dict[str, Text]] = []
    for o in u.objectives:
        style = STATUS_STYLE.get(o.status, "")
        kind = "" if o.objective.kind == "committed" else f" [{t('aspirational', locale)}]"
        rows.append({
            "ref": Text(o.objective.id, style="bold"),
            "title": Text(one_line(o.objective.title) + kind, style="bold"),
            "bar": Text(bar(o.score, max_score), style=style),
            "score": Text(fmt_score(o.score), style="bold"),
            "status": status_text(o.status, locale),
            "grade": Text(t(o.grade, locale) if o.grade else "—", style=GRADE_STYLE.get(o.grade or "", "")),
        })
        for i, k in enumerate(o.key_results):
            glyph = "└" if i == len(o.key_results) - 1 else "├"
            title = Text(one_line(k.kr.title))
            if k.rebaselined:
                title.append(" ↺", style="magenta")
            if k.cancelled:
                title.stylize("dim strike")
            rows.append({
                "ref": Text(f"{glyph} {k.kr.id}"),
                "title": title,
                "bar": Text(bar(k.score, max_score), style=STATUS_STYLE.get(k.status, "")),
                "value": Text(one_line(kr_value(k, locale))),
                "score": Text(fmt_score(k.score)),
                "conf": Text(num(k.confidence), style="dim"),
                "status": status_text(k.status, locale, k.overdue),
            })
    for k in u.kpis:
        rows.append({
            "ref": Text(k.kpi.id, style="bold"),
            "title": Text("KPI · " + one_line(k.kpi.title)),
            "value": Text(one_line(kpi_value(k))),
            "status": status_text(k.status, locale, k.overdue),
        })
    return rows


def render_table(result: ScoreResult, units: Sequence[UnitScore], console: Console, locale: str, max_score: Fraction) -> None:
    """Unit by unit: a heading line, then objectives with their key results and the
    KPIs.  Every unit's table uses the same column widths, so the columns line up
    down the page; narrow terminals drop the confidence and grade columns (< 100
    columns), then the progress bar (< 70)."""
    width = console.width or 120
    shown = [c for c in _COLUMNS
             if not (width < 100 and c in ("conf", "grade")) and not (width < 70 and c == "bar")]
    headers = {"ref": t("ref", locale), "title": t("objective", locale) + " / " + t("key_result", locale),
               "bar": t("progress", locale), "value": t("value", locale), "score": t("score", locale),
               "conf": t("confidence", locale), "status": t("status", locale), "grade": t("grade", locale)}
    head = Text()
    head.append(one_line(result.workspace_name), style="bold")
    p = result.period
    head.append(f" — {t('period', locale)} {p.id} ({day(p.start)} .. {day(p.end)}), "
                f"{t('as_of', locale)} {day(result.as_of)}, {t('elapsed', locale)} {percent(result.elapsed)}", style="dim")
    console.print(head)
    all_rows = {u.unit.id: _unit_rows(u, locale, max_score) for u in units}
    widths = {c: max([len(headers[c])] + [r[c].cell_len for rows in all_rows.values() for r in rows if c in r])
              for c in shown if c != "title"}
    base = min((u.depth for u in units), default=0)
    for u in units:
        console.print()
        title = Text()
        title.append("  " * (u.depth - base))
        title.append(one_line(u.unit.name), style="bold cyan")
        title.append(f" ({u.unit.id})", style="dim")
        title.append(f"  {t('own_score', locale)} {fmt_score(u.score)} · {t('rolled_score', locale)} {fmt_score(u.rolled_score)}", style="bold")
        console.print(title)
        if u.file is None:
            console.print(Text(f"  {t('no_file', locale)}", style="dim"))
            continue
        rows = all_rows[u.unit.id]
        if not rows:
            console.print(Text(f"  {t('no_objectives', locale)}", style="dim"))
            continue
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold dim", expand=True)
        for c in shown:
            if c == "title":
                table.add_column(headers[c], overflow="ellipsis", no_wrap=True, min_width=16, ratio=1)
            else:
                table.add_column(headers[c], no_wrap=True, justify="right" if c in _RIGHT else "left",
                                 min_width=widths[c], max_width=widths[c])
        for r in rows:
            table.add_row(*[r.get(c, Text("")) for c in shown])
        console.print(table)


# ------------------------------------------------------------------ roll-up

def render_rollup_table(result: ScoreResult, rows: list[TreeNode], console: Console, locale: str, max_score: Fraction) -> None:
    console.print(Text(f"{one_line(result.workspace_name)} — {t('title_rollup', locale)} {result.period.id}, "
                       f"{t('as_of', locale)} {day(result.as_of)}", style="bold"))
    table = Table(box=None, pad_edge=False, header_style="bold dim")
    table.add_column(t("unit", locale), no_wrap=True, overflow="ellipsis")
    table.add_column(t("own_score", locale), justify="right")
    table.add_column(t("rolled_score", locale), justify="right")
    table.add_column("", no_wrap=True)
    base = min((r.depth for r in rows), default=0)
    for r in rows:
        name = Text("  " * (r.depth - base) + ("└ " if r.depth > base else ""))
        name.append(one_line(r.unit.name), style="bold" if r.depth == base else "")
        name.append(f" ({r.unit.id})", style="dim")
        table.add_row(name, fmt_score(r.score), Text(fmt_score(r.rolled_score), style="bold"), bar(r.rolled_score, max_score))
    console.print(table)


def render_alignment_table(result: ScoreResult, rows: list[tuple[int, AlignNode]], console: Console, locale: str, max_score: Fraction) -> None:
    console.print(Text(f"{one_line(result.workspace_name)} — {t('alignment', locale)} {result.period.id}, "
                       f"{t('as_of', locale)} {day(result.as_of)}", style="bold"))
    table = Table(box=None, pad_edge=False, header_style="bold dim")
    table.add_column(t("objective", locale), no_wrap=True, overflow="ellipsis", max_width=max(30, (console.width or 120) - 50))
    table.add_column(t("score", locale), justify="right")
    table.add_column("", no_wrap=True)
    table.add_column(t("status", locale), no_wrap=True)
    for d, n in rows:
        label = Text("  " * d + ("└ " if d else ""))
        label.append(n.ref, style="bold" if d == 0 else "cyan")
        if n.via:
            label.append(f" → {n.via.rsplit('/', 1)[-1]}", style="dim")
        label.append(" " + one_line(n.title))
        table.add_row(label, fmt_score(n.score), Text(bar(n.score, max_score), style=STATUS_STYLE.get(n.status, "")),
                      status_text(n.status, locale))
    console.print(table)


# ------------------------------------------------------------------ registered writers

def score_terminal(report: Report, options: RenderOptions) -> None:
    render_table(report.result, report.items, options.console, options.locale, report.max_score)


def rollup_terminal(report: Report, options: RenderOptions) -> None:
    render_rollup_table(report.result, list(report.items), options.console, options.locale, report.max_score)


def alignment_terminal(report: Report, options: RenderOptions) -> None:
    render_alignment_table(report.result, list(report.items), options.console, options.locale, report.max_score)
