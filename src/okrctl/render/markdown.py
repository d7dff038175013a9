"""Markdown writers for ``score`` and ``rollup``.  Cells are escaped here
(:func:`okrctl.render.textsafe.md_escape`), then tabulate lays the table out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from okrctl.render.i18n import t
from okrctl.render.textsafe import md_escape
from okrctl.render.values import NONE, day, kpi_value, kr_value, num, own_score_text, percent, rolled_score_text
from okrctl.render.values import score as fmt_score

if TYPE_CHECKING:
    from okrctl.engine.results import ScoreResult, UnitScore
    from okrctl.render.formats import RenderOptions
    from okrctl.reports.score_tables import Report

def md_table(headers: Sequence[str], aligns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table as lines; ``aligns``: ``left`` or ``right`` per column.
    Cells must already be Markdown (escaped text, emphasis).  The layout is
    GitHub's pipe table without padding, ``| a | b |`` over ``|---|---:|``
    (tabulate's own ``pipe`` format pads every cell to its column width)."""
    from tabulate import TableFormat, tabulate

    def row(cells: list[str], widths: list[int], _aligns: list[str]) -> str:
        return "| " + " | ".join(c.strip() for c in cells) + " |"

    def rule(widths: list[int], _aligns: list[str]) -> str:  # tabulate passes no aligns for an empty table
        return "|" + "|".join("---:" if a == "right" else "---" for a in aligns) + "|"

    fmt = TableFormat(lineabove=None, linebelowheader=rule, linebetweenrows=None, linebelow=None,
                      headerrow=row, datarow=row, padding=0, with_header_hide=None)
    text = tabulate([list(r) for r in rows], headers=list(headers), tablefmt=fmt, colalign=list(aligns),
                    disable_numparse=True, missingval="")
    return text.split("\n")


# ------------------------------------------------------------------ score

def _unit_tables(u: UnitScore, locale: str, grades: bool) -> list[str]:
    """``grades``: the period has ended (before, the grade column is left out)."""
    L = lambda k: t(k, locale)  # noqa: E731
    out: list[str] = []
    if u.objectives:
        rows = []
        for o in u.objectives:
            kind = "" if o.objective.kind == "committed" else f" _({L('aspirational')})_"
            rows.append([f"**{o.objective.id}**", f"**{md_escape(o.objective.title)}**{kind}", "",
                         f"**{fmt_score(o.score)}**", "", L(o.status), L(o.grade) if o.grade else NONE])
            for k in o.key_results:
                flags = [L(f) for f, on in (("overdue", k.overdue), ("rebaselined", k.rebaselined)) if on]
                title = md_escape(k.kr.title)
                rows.append([f"{o.objective.id}/{k.kr.id}", f"~~{title}~~" if k.cancelled else title,
                             md_escape(kr_value(k, locale)), fmt_score(k.score), num(k.confidence),
                             L(k.status) + (f" ({', '.join(flags)})" if flags else ""), ""])
        keep = 7 if grades else 6
        out += md_table([L("ref"), f"{L('objective')} / {L('key_result')}", L("value"), L("score"),
                         L("confidence"), L("status"), L("grade")][:keep],
                        ["left", "left", "right", "right", "right", "left", "left"][:keep], [r[:keep] for r in rows])
        out.append("")
    if u.kpis:
        rows = [[f"**{k.kpi.id}** {md_escape(k.kpi.title)}", md_escape(kpi_value(k)), num(k.kpi.alert),
                 L(k.status) + (f" ({L('overdue')})" if k.overdue else "")] for k in u.kpis]
        out += md_table([L("kpi"), L("value"), L("alert"), L("status")], ["left", "right", "right", "left"], rows)
        out.append("")
    return out


def render_markdown(result: ScoreResult, units: Sequence[UnitScore], locale: str) -> str:
    """The score report: a heading per unit, its objectives with their key results,
    then its KPIs."""
    L = lambda k: t(k, locale)  # noqa: E731
    p = result.period
    out = [f"# {L('title_score')}: {md_escape(result.workspace_name)}", "",
           f"{L('period')} **{p.id}** ({day(p.start)} .. {day(p.end)}), "
           f"{L('as_of')} **{day(result.as_of)}**, {L('elapsed')} {percent(result.elapsed)}", ""]
    for u in units:
        out += [f"## {md_escape(u.unit.name)} (`{u.unit.id}`)", "",
                f"{L('own_score')}: **{own_score_text(u.scored, u.score, locale)}** · "
                f"{L('rolled_score')}: **{rolled_score_text(u.rollup_complete, u.rolled_score, locale)}**", ""]
        if u.invalid_file is not None:
            out += [f"_{md_escape(L('invalid_file').format(path=u.invalid_file))}_", ""]
            continue
        if u.file is None:
            out += [f"_{L('no_file')}_", ""]
            continue
        out += _unit_tables(u, locale, result.ended)
    return "\n".join(out).rstrip() + "\n"


def score_markdown(report: Report, options: RenderOptions) -> str:
    return render_markdown(report.result, report.items, options.locale)


# ------------------------------------------------------------------ roll-up

def _heading(title_key: str, report: Report, locale: str) -> list[str]:
    r = report.result
    return [f"# {t(title_key, locale)}: {md_escape(r.workspace_name)} — {r.period.id}", "",
            f"{t('as_of', locale)} **{day(r.as_of)}**", ""]


def rollup_markdown(report: Report, options: RenderOptions) -> str:
    """The org tree as one table, children indented under their parent."""
    loc, table = options.locale, report.table
    depths = table.values("depth")
    base = min(depths, default=0)
    rows = [[f"{'&nbsp;&nbsp;' * (r['depth'] - base)}{md_escape(r['name'])} (`{r['unit']}`)",
             own_score_text(n.unit_score.scored, r["score"], loc),
             f"**{rolled_score_text(n.unit_score.rollup_complete, r['rolled_score'], loc)}**"]
            for r, n in zip(table.records(), report.items)]
    lines = md_table([t("unit", loc), t("own_score", loc), t("rolled_score", loc)], ["left", "right", "right"], rows)
    if not all(n.unit_score.rollup_complete for n in report.items):
        lines += ["", f"_{t('incomplete_note', loc)}_"]
    return "\n".join(_heading("title_rollup", report, loc) + lines) + "\n"


def alignment_markdown(report: Report, options: RenderOptions) -> str:
    """The alignment tree as a nested list (a tree, not a table)."""
    loc = options.locale
    out = _heading("alignment", report, loc)
    for r in report.table.records():
        via = f" (→ {r['via'].rsplit('/', 1)[-1]})" if r["via"] else ""
        out.append(f"{'  ' * r['depth']}- `{r['ref']}`{via} {md_escape(r['title'])} — **{fmt_score(r['score'])}** "
                   f"{t(r['status'], loc)}")
    return "\n".join(out) + "\n"
