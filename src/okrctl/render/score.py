"""``okrctl score`` and ``okrctl rollup`` on a terminal (rich): the score tree
(key results under their objectives, unit by unit) and the roll-up trees — views
that are not one flat table.  Registered in :mod:`okrctl.render.formats` as the
``table`` format; Markdown is in :mod:`okrctl.render.markdown`, CSV and JSON are
written from the report's typed table and payload."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from okrctl.engine.results import ScoreResult, UnitScore
from okrctl.engine.rollup import AlignNode, TreeNode
from okrctl.render.i18n import t
from okrctl.render.layout import GAP, Column, grid, natural_width, tokens, tree_glyphs, wrap
from okrctl.render.plain import Lines
from okrctl.render.textsafe import one_line
from okrctl.render.values import day, kpi_value, kr_value, num, own_score_text, percent, rolled_score_text
from okrctl.render.values import score as fmt_score

if TYPE_CHECKING:
    from okrctl.render.formats import RenderOptions
    from okrctl.reports.score_tables import Report

STATUS_STYLE = {
    "done": "bold green", "on_track": "green", "at_risk": "yellow", "off_track": "bold red",
    "missed": "red", "no_data": "dim", "cancelled": "dim strike", "not_scored": "bold magenta",
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
#: narrowest title column before the next step of :data:`NARROW_STEPS`
TITLE_MIN = 20
#: what gives way, in order, when the title column would be narrower than
#: TITLE_MIN: the grade, the "late" marker moves under the status, the progress
#: bar, the confidence; then titles go on their own line (docs/cli.md)
NARROW_STEPS = ("grade", "split", "bar", "conf")
#: narrowest unit-name (or objective) column of the trees before the bar gives way
LABEL_MIN = 28
Row = dict[str, list[Text]]


def _title(text: str, markers: Sequence[str], style: str = "", T: type = Text) -> list[Text]:
    """A title as wrap tokens; each marker is one token, never split."""
    return tokens(one_line(text), style, T) + [T(m, style="magenta" if m == "↺" else style) for m in markers]


def _unit_rows(u: UnitScore, locale: str, max_score: Fraction, show_grade: bool, T: type = Text) -> list[Row]:
    """The table rows of one unit: objectives, their KRs (├/└ under them), KPIs.
    ``title`` holds wrap tokens, ``late`` the overdue marker of the status;
    ``T``: rich's ``Text`` or :class:`okrctl.render.plain.PlainText`."""
    rows: list[Row] = []
    late = T(f"· {t('overdue_short', locale)}", style="bold magenta")
    for o in u.objectives:
        style = STATUS_STYLE.get(o.status, "")
        kind = [] if o.objective.kind == "committed" else [f"[{t('aspirational', locale)}]"]
        row: Row = {
            "ref": [T(o.objective.id, style="bold")],
            "title": _title(o.objective.title, kind, "bold", T),
            "bar": [T(bar(o.score, max_score), style=style)],
            "score": [T(fmt_score(o.score), style="bold")],
            "status": [T(t(o.status, locale), style=style)],
        }
        if show_grade:
            row["grade"] = [T(t(o.grade, locale) if o.grade else "—", style=GRADE_STYLE.get(o.grade or "", ""))]
        rows.append(row)
        for i, k in enumerate(o.key_results):
            glyph = "└" if i == len(o.key_results) - 1 else "├"
            title = _title(k.kr.title, ["↺"] if k.rebaselined else [], "dim strike" if k.cancelled else "", T)
            rows.append({
                "ref": [T(f"{glyph} {k.kr.id}")],
                "title": title,
                "bar": [T(bar(k.score, max_score), style=STATUS_STYLE.get(k.status, ""))],
                "value": [T(one_line(kr_value(k, locale)))],
                "score": [T(fmt_score(k.score))],
                "conf": [T(num(k.confidence), style="dim")],
                "status": [T(t(k.status, locale), style=STATUS_STYLE.get(k.status, ""))],
                "late": [late] if k.overdue else [],
            })
    for k in u.kpis:
        rows.append({
            "ref": [T(k.kpi.id, style="bold")],
            "title": _title("KPI · " + k.kpi.title, [], "", T),
            "value": [T(one_line(kpi_value(k)))],
            "status": [T(t(k.status, locale), style=STATUS_STYLE.get(k.status, ""))],
            "late": [late] if k.overdue else [],
        })
    return rows


def _status_cells(rows: list[Row], split: bool, T: type = Text) -> None:
    """The overdue marker after the status on one line, or under it."""
    for r in rows:
        if r.get("late"):
            status = r["status"][0]
            r["status"] = [status, r["late"][0]] if split else [T.assemble(status, " ", r["late"][0])]


def plan_columns(width: int, natural: dict[str, int], show_grade: bool, *, split_width: int) -> tuple[list[str], list[str], bool, bool]:
    """Which columns fit in ``width``: (shown, hidden because narrow, status split,
    titles on their own line).  ``natural`` holds each column's full width (the
    status on one line); ``split_width`` the status column's width when split."""
    shown = [c for c in _COLUMNS if c != "grade" or show_grade]
    w = dict(natural)
    hidden: list[str] = []
    split = False

    def title_room() -> int:
        return width - sum(w[c] for c in shown if c != "title") - GAP * (len(shown) - 1)

    for step in NARROW_STEPS:
        if title_room() >= TITLE_MIN:
            break
        if step == "split":
            split, w["status"] = True, split_width
        elif step in shown:
            shown.remove(step)
            hidden.append(step)
    if title_room() >= TITLE_MIN:
        return shown, hidden, split, False
    shown.remove("title")
    for c in reversed(hidden[:]):  # titles on their own line leave room: bring back what fits
        if sum(w[x] for x in shown) + GAP * len(shown) + w[c] <= width:
            shown = [x for x in _COLUMNS if x in shown or x == c]
            hidden.remove(c)
    return shown, hidden, split, True


def render_table(result: ScoreResult, units: Sequence[UnitScore], console: Console, locale: str, max_score: Fraction) -> None:
    """Unit by unit: a heading line, then objectives with their key results and the
    KPIs.  Every unit's table uses the same column widths, so the columns line up
    down the page.  Numbers and markers are never cut; titles wrap; at narrow
    widths columns give way in the order of :data:`NARROW_STEPS` and a last line
    says which were hidden.  The grade shows only once the period has ended
    (before that the pace status is the signal)."""
    out = Lines(console)
    T = out.text
    width = console.width or 120
    show_grade = result.ended
    headers = {"ref": t("ref", locale), "title": t("objective", locale) + " / " + t("key_result", locale),
               "bar": t("progress", locale), "value": t("value", locale), "score": t("score", locale),
               "conf": t("confidence", locale), "status": t("status", locale), "grade": t("grade", locale)}
    head = T()
    head.append(one_line(result.workspace_name), style="bold")
    p = result.period
    head.append(f" — {t('period', locale)} {p.id} ({day(p.start)} .. {day(p.end)}), "
                f"{t('as_of', locale)} {day(result.as_of)}, {t('elapsed', locale)} {percent(result.elapsed)}", style="dim")
    out.print(head)
    all_rows = {u.unit.id: _unit_rows(u, locale, max_score, show_grade, T) for u in units}
    every = [r for rows in all_rows.values() for r in rows]
    cols = {c: Column(c, headers[c], right=c in _RIGHT) for c in _COLUMNS}
    split_width = max(natural_width(cols["status"], every),
                      max((r["late"][0].cell_len for r in every if r.get("late")), default=0))
    natural = {c: natural_width(cols[c], every) for c in _COLUMNS if c not in ("title", "status")}
    _status_cells(every, split=False, T=T)
    natural["status"] = natural_width(cols["status"], every)
    shown, hidden, split, stacked = plan_columns(width, natural, show_grade, split_width=split_width)
    if split:
        for r in every:
            if r.get("late"):
                r["status"] = [r["status"][0][: -(r["late"][0].cell_len + 1)], r["late"][0]]
    widths = {c: natural_width(cols[c], every) for c in shown if c != "title"}
    if not stacked:
        widths["title"] = width - sum(widths.values()) - GAP * (len(shown) - 1)
        for r in every:
            r["title"] = wrap(r["title"], widths["title"], T)
    else:
        indent = widths["ref"] + GAP
        for r in every:
            lines = wrap(r["title"], width - indent, T)
            r["_above"] = [T.assemble(r["ref"][0], " " * (indent - r["ref"][0].cell_len), lines[0])] + \
                          [T(" " * indent) + line for line in lines[1:]]
            r["ref"] = []
    base = min((u.depth for u in units), default=0)
    columns = [Column(c, headers[c] if not (stacked and c == "ref") else headers["ref"], right=c in _RIGHT) for c in shown]
    for u in units:
        out.print()
        title = T()
        title.append("  " * (u.depth - base))
        title.append(one_line(u.unit.name), style="bold cyan")
        title.append(f" ({u.unit.id})", style="dim")
        title.append(f"  {t('own_score', locale)} {own_score_text(u.scored, u.score, locale)} · "
                     f"{t('rolled_score', locale)} {rolled_score_text(u.rollup_complete, u.rolled_score, locale)}", style="bold")
        out.print(title)
        if u.invalid_file is not None:
            out.print(T("  " + t("invalid_file", locale).format(path=one_line(u.invalid_file)), style="bold magenta"))
            continue
        if u.file is None:
            out.print(T(f"  {t('no_file', locale)}", style="dim"))
            continue
        rows = all_rows[u.unit.id]
        if not rows:
            out.print(T(f"  {t('no_objectives', locale)}", style="dim"))
            continue
        for line in grid(columns, widths, rows, T=T):
            out.print(line, fold=False)
    if hidden:
        out.print()
        out.print(T(f"{t('hidden_columns', locale)}: " + ", ".join(headers[c] for c in hidden), style="dim"))
    if not all(u.rollup_complete for u in units):
        out.print(T(t("incomplete_note", locale), style="dim"))
    out.flush()


# ------------------------------------------------------------------ roll-up

def _tree_table(head: Text, label_header: str, labels: list[list[Text]], numbers: list[tuple[Column, list[Text]]],
                bars: list[Text], out: Lines, locale: str) -> None:
    """A tree (labels with their glyphs) and number columns: numbers at full width,
    labels wrap, the bar column gives way first (said on the last line)."""
    T = out.text
    width = out.console.width or 120
    out.print(head)
    rows: list[Row] = [{"label": lab} for lab in labels]
    for col, cells in numbers:
        for r, cell in zip(rows, cells):
            r[col.key] = [cell]
    for r, b in zip(rows, bars):
        r["bar"] = [b]
    label_col = Column("label", label_header)
    columns = [label_col] + [c for c, _ in numbers] + [Column("bar", "")]
    widths = {c.key: natural_width(c, rows) for c in columns if c.key != "label"}
    hidden = []
    room = width - sum(widths.values()) - GAP * (len(columns) - 1)
    if room < LABEL_MIN:
        columns.pop()
        hidden.append(t("progress", locale))
        room += widths.pop("bar") + GAP
    longest = max(sum(p.cell_len + 1 for p in lab[1:]) - 1 + lab[0].cell_len for lab in labels) if labels else 0
    widths["label"] = max(min(room, longest), cell_len(label_header))
    for r, lab in zip(rows, labels):
        prefix, parts = lab[0], lab[1:]
        lines = wrap(parts, max(widths["label"] - prefix.cell_len, 1), T)
        cont = T(prefix.plain.replace("├", "│").replace("└", " "))
        r["label"] = [T.assemble(prefix, lines[0])] + [T.assemble(cont, line) for line in lines[1:]]
    for line in grid(columns, widths, rows, T=T):
        out.print(line, fold=False)
    if hidden:
        out.print(T(f"{t('hidden_columns', locale)}: " + ", ".join(hidden), style="dim"))


def render_rollup_table(result: ScoreResult, rows: list[TreeNode], console: Console, locale: str, max_score: Fraction) -> None:
    out = Lines(console)
    T = out.text
    head = T(f"{one_line(result.workspace_name)} — {t('title_rollup', locale)} {result.period.id}, "
             f"{t('as_of', locale)} {day(result.as_of)}", style="bold")
    base = min((r.depth for r in rows), default=0)
    glyphs = tree_glyphs([r.depth for r in rows])
    labels = [[T(g)] + tokens(one_line(r.unit.name), "bold" if r.depth == base else "", T) + [T(f"({r.unit.id})", style="dim")]
              for g, r in zip(glyphs, rows)]
    numbers = [(Column("own", t("own_score", locale), right=True),
                [T(own_score_text(r.unit_score.scored, r.score, locale), style="" if r.unit_score.scored else "bold magenta") for r in rows]),
               (Column("rolled", t("rolled_score", locale), right=True),
                [T(rolled_score_text(r.unit_score.rollup_complete, r.rolled_score, locale),
                      style="bold" if r.unit_score.rollup_complete else "bold magenta") for r in rows])]
    _tree_table(head, t("unit", locale), labels, numbers, [T(bar(r.rolled_score, max_score)) for r in rows], out, locale)
    if not all(r.unit_score.rollup_complete for r in rows):
        out.print(T(t("incomplete_note", locale), style="dim"))
    out.flush()


def render_alignment_table(result: ScoreResult, rows: list[tuple[int, AlignNode]], console: Console, locale: str, max_score: Fraction) -> None:
    out = Lines(console)
    T = out.text
    head = T(f"{one_line(result.workspace_name)} — {t('alignment', locale)} {result.period.id}, "
             f"{t('as_of', locale)} {day(result.as_of)}", style="bold")
    glyphs = tree_glyphs([d for d, _ in rows])
    labels = []
    for g, (d, n) in zip(glyphs, rows):
        parts = [T(g), T(n.ref, style="bold" if d == 0 else "cyan")]
        if n.via:
            parts.append(T(f"→ {n.via.rsplit('/', 1)[-1]}", style="dim"))
        labels.append(parts + tokens(one_line(n.title), "", T))
    numbers = [(Column("score", t("score", locale), right=True), [T(fmt_score(n.score)) for _, n in rows]),
               (Column("status", t("status", locale)),
                [T(t(n.status, locale), style=STATUS_STYLE.get(n.status, "")) for _, n in rows])]
    bars = [T(bar(n.score, max_score), style=STATUS_STYLE.get(n.status, "")) for _, n in rows]
    _tree_table(head, t("objective", locale), labels, numbers, bars, out, locale)
    out.flush()


# ------------------------------------------------------------------ registered writers

def score_terminal(report: Report, options: RenderOptions) -> None:
    render_table(report.result, report.items, options.console, options.locale, report.max_score)


def rollup_terminal(report: Report, options: RenderOptions) -> None:
    render_rollup_table(report.result, list(report.items), options.console, options.locale, report.max_score)


def alignment_terminal(report: Report, options: RenderOptions) -> None:
    render_alignment_table(report.result, list(report.items), options.console, options.locale, report.max_score)
