"""``okrctl score`` and ``okrctl rollup`` as a terminal table, Markdown and CSV.

All of them render one :class:`okrctl.engine.results.ScoreResult` (JSON comes straight
from :func:`okrctl.engine.payload.score_to_json`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from fractions import Fraction

from rich.console import Console
from rich.table import Table
from rich.text import Text

from okrctl.render.i18n import t
from okrctl.render.values import num, score as fmt_score
from okrctl.engine.results import KPIScore, KRScore, ScoreResult, UnitScore
from okrctl.engine.rollup import AlignNode, TreeNode
from okrctl.render.textsafe import csv_safe, md_escape, one_line

STATUS_STYLE = {
    "done": "bold green", "on_track": "green", "at_risk": "yellow", "off_track": "bold red",
    "missed": "red", "no_data": "dim", "cancelled": "dim strike",
    "green": "green", "amber": "yellow", "red": "bold red",
}
GRADE_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}


# ------------------------------------------------------------------ value cells

def kr_value(k: KRScore, locale: str) -> str:
    """``77 / 80 %``, ``true``, ``2/3 milestones`` …"""
    kr = k.kr
    unit = f" {kr.unit}" if kr.unit else ""
    if kr.type == "metric":
        v = num(k.value) if k.value is not None else "—"
        return f"{v} / {num(kr.target)}{unit}"
    if kr.type == "maintain":
        op = "≥" if (kr.direction or "increase") == "increase" else "≤"
        v = num(k.value) if k.value is not None else "—"
        return f"{v} ({op} {num(kr.threshold)}){unit}"
    if kr.type == "boolean":
        if k.value is None:
            return "—"
        return t("yes", locale) if k.value else t("no", locale)
    if kr.type == "milestone":
        done = len(k.value) if isinstance(k.value, tuple) else 0
        return f"{done}/{len(kr.milestones)}"
    return "—"


def kpi_value(k: KPIScore) -> str:
    unit = f" {k.kpi.unit}" if k.kpi.unit else ""
    v = num(k.value) if k.value is not None else "—"
    return f"{v} / {num(k.kpi.target)}{unit}"


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
                "value": Text(kr_value(k, locale)),
                "score": Text(fmt_score(k.score)),
                "conf": Text(num(k.confidence) if k.confidence is not None else "—", style="dim"),
                "status": status_text(k.status, locale, k.overdue),
            })
    for k in u.kpis:
        rows.append({
            "ref": Text(k.kpi.id, style="bold"),
            "title": Text("KPI · " + one_line(k.kpi.title)),
            "value": Text(kpi_value(k)),
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
    head.append(f" — {t('period', locale)} {result.period.id} ({result.period.start} .. {result.period.end}), "
                f"{t('as_of', locale)} {result.as_of}, {t('elapsed', locale)} {num(result.elapsed * 100, 0)}%", style="dim")
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


# ------------------------------------------------------------------ Markdown

def render_markdown(result: ScoreResult, units: Sequence[UnitScore], locale: str) -> str:
    L = lambda k: t(k, locale)  # noqa: E731
    out = [f"# {L('title_score')}: {md_escape(result.workspace_name)}", "",
           f"{L('period')} **{result.period.id}** ({result.period.start} .. {result.period.end}), "
           f"{L('as_of')} **{result.as_of}**, {L('elapsed')} {num(result.elapsed * 100, 0)}%", ""]
    for u in units:
        out.append(f"## {md_escape(u.unit.name)} (`{u.unit.id}`)")
        out.append("")
        out.append(f"{L('own_score')}: **{fmt_score(u.score)}** · {L('rolled_score')}: **{fmt_score(u.rolled_score)}**")
        out.append("")
        if u.file is None:
            out += [f"_{L('no_file')}_", ""]
            continue
        if u.objectives:
            out.append(f"| {L('ref')} | {L('objective')} / {L('key_result')} | {L('value')} | {L('score')} | {L('confidence')} | {L('status')} | {L('grade')} |")
            out.append("|---|---|---:|---:|---:|---|---|")
            for o in u.objectives:
                kind = "" if o.objective.kind == "committed" else f" _({L('aspirational')})_"
                out.append(f"| **{o.objective.id}** | **{md_escape(o.objective.title)}**{kind} |  | **{fmt_score(o.score)}** |  | {L(o.status)} | {L(o.grade) if o.grade else '—'} |")
                for k in o.key_results:
                    flags = []
                    if k.overdue:
                        flags.append(L("overdue"))
                    if k.rebaselined:
                        flags.append(L("rebaselined"))
                    status = L(k.status) + (f" ({', '.join(flags)})" if flags else "")
                    title = md_escape(k.kr.title)
                    if k.cancelled:
                        title = f"~~{title}~~"
                    conf = num(k.confidence) if k.confidence is not None else "—"
                    out.append(f"| {o.objective.id}/{k.kr.id} | {title} | {md_escape(kr_value(k, locale))} | {fmt_score(k.score)} | {conf} | {status} |  |")
            out.append("")
        if u.kpis:
            out.append(f"| {L('kpi')} | {L('value')} | {L('alert')} | {L('status')} |")
            out.append("|---|---:|---:|---|")
            for k in u.kpis:
                status = L(k.status) + (f" ({L('overdue')})" if k.overdue else "")
                out.append(f"| **{k.kpi.id}** {md_escape(k.kpi.title)} | {md_escape(kpi_value(k))} | {num(k.kpi.alert) if k.kpi.alert is not None else '—'} | {status} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ CSV

CSV_COLUMNS = ["period", "as_of", "unit", "level", "ref", "title", "kind", "type", "weight", "unit_of_measure",
               "baseline", "target", "value", "value_date", "progress", "score", "confidence", "status", "grade",
               "overdue", "rebaselined", "rolled_score"]


def _f(x: object) -> object:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, Fraction):
        return repr(float(x)) if x.denominator != 1 else str(x.numerator)
    if isinstance(x, tuple):
        return ",".join(x)
    return str(x)


def render_csv(result: ScoreResult, units: Sequence[UnitScore]) -> str:
    """One row per unit, objective, key result and KPI; raw numbers, ISO dates."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    p, d = result.period.id, result.as_of.isoformat()

    def row(**kw):
        w.writerow([csv_safe(_f(kw.get(c))) for c in CSV_COLUMNS])

    for u in units:
        row(period=p, as_of=d, unit=u.unit.id, level="unit", ref=f"{p}/{u.unit.id}", title=u.unit.name,
            weight=u.unit.weight, score=u.score, rolled_score=u.rolled_score)
        for o in u.objectives:
            row(period=p, as_of=d, unit=u.unit.id, level="objective", ref=o.ref, title=o.objective.title,
                kind=o.objective.kind, weight=o.objective.weight, score=o.score, status=o.status, grade=o.grade)
            for k in o.key_results:
                kr = k.kr
                row(period=p, as_of=d, unit=u.unit.id, level="key_result", ref=k.ref, title=kr.title,
                    kind=o.objective.kind, type=kr.type, weight=kr.weight, unit_of_measure=kr.unit,
                    baseline=kr.baseline, target=kr.target if kr.type != "maintain" else kr.threshold,
                    value=k.value, value_date=k.value_date, progress=k.progress, score=k.score,
                    confidence=k.confidence, status=k.status, overdue=k.overdue, rebaselined=k.rebaselined)
        for k in u.kpis:
            row(period=p, as_of=d, unit=u.unit.id, level="kpi", ref=k.ref, title=k.kpi.title,
                unit_of_measure=k.kpi.unit, target=k.kpi.target, value=k.value, value_date=k.value_date,
                status=k.status, overdue=k.overdue)
    return buf.getvalue()


# ------------------------------------------------------------------ roll-up

def rollup_rows(nodes: Sequence[TreeNode], depth_limit: int | None) -> list[TreeNode]:
    rows = []
    for n in nodes:
        for m in n.walk():
            if depth_limit is None or m.depth - n.depth <= depth_limit:
                rows.append(m)
    return rows


def render_rollup_table(result: ScoreResult, rows: list[TreeNode], console: Console, locale: str, max_score: Fraction) -> None:
    console.print(Text(f"{one_line(result.workspace_name)} — {t('title_rollup', locale)} {result.period.id}, "
                       f"{t('as_of', locale)} {result.as_of}", style="bold"))
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


def render_rollup_markdown(result: ScoreResult, rows: list[TreeNode], locale: str) -> str:
    base = min((r.depth for r in rows), default=0)
    out = [f"# {t('title_rollup', locale)}: {md_escape(result.workspace_name)} — {result.period.id}", "",
           f"{t('as_of', locale)} **{result.as_of}**", "",
           f"| {t('unit', locale)} | {t('own_score', locale)} | {t('rolled_score', locale)} |", "|---|---:|---:|"]
    for r in rows:
        indent = "&nbsp;&nbsp;" * (r.depth - base)
        out.append(f"| {indent}{md_escape(r.unit.name)} (`{r.unit.id}`) | {fmt_score(r.score)} | **{fmt_score(r.rolled_score)}** |")
    return "\n".join(out) + "\n"


def render_rollup_csv(result: ScoreResult, rows: list[TreeNode]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["period", "as_of", "unit", "name", "parent", "depth", "score", "rolled_score"])
    for r in rows:
        w.writerow([csv_safe(x) for x in (result.period.id, result.as_of.isoformat(), r.unit.id, r.unit.name,
                                          r.unit.parent or "", r.depth, _f(r.score), _f(r.rolled_score))])
    return buf.getvalue()


def align_rows(nodes: Sequence[AlignNode], depth_limit: int | None) -> list[tuple[int, AlignNode]]:
    out: list[tuple[int, AlignNode]] = []

    def visit(n: AlignNode, d: int) -> None:
        if depth_limit is not None and d > depth_limit:
            return
        out.append((d, n))
        for c in n.children:
            visit(c, d + 1)

    for n in nodes:
        visit(n, 0)
    return out


def render_alignment_table(result: ScoreResult, rows: list[tuple[int, AlignNode]], console: Console, locale: str, max_score: Fraction) -> None:
    console.print(Text(f"{one_line(result.workspace_name)} — {t('alignment', locale)} {result.period.id}, "
                       f"{t('as_of', locale)} {result.as_of}", style="bold"))
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


def render_alignment_markdown(result: ScoreResult, rows: list[tuple[int, AlignNode]], locale: str) -> str:
    out = [f"# {t('alignment', locale)}: {md_escape(result.workspace_name)} — {result.period.id}", "",
           f"{t('as_of', locale)} **{result.as_of}**", ""]
    for d, n in rows:
        via = f" (→ {n.via.rsplit('/', 1)[-1]})" if n.via else ""
        out.append(f"{'  ' * d}- `{n.ref}`{via} {md_escape(n.title)} — **{fmt_score(n.score)}** {t(n.status, locale)}")
    return "\n".join(out) + "\n"


def render_alignment_csv(result: ScoreResult, rows: list[tuple[int, AlignNode]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["as_of", "depth", "ref", "period", "unit", "title", "kind", "via", "score", "status", "grade"])
    for d, n in rows:
        w.writerow([csv_safe(x) for x in (result.as_of.isoformat(), d, n.ref, n.period, n.unit, n.title, n.kind,
                                          n.via or "", _f(n.score), n.status, n.grade or "")])
    return buf.getvalue()


