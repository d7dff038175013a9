"""Inline SVG charts of ``okrctl report``, written by hand from the report value:
no library, no script, deterministic (same value → same bytes).  Every piece of
text from the workspace is XML-escaped; status is colour and glyph."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from html import escape

from okrctl.engine.results import KRScore
from okrctl.render.report.catalogue import COLOURS, GLYPHS, Labels
from okrctl.render.textsafe import one_line
from okrctl.reports.quarterly import SUMMARY_STATUSES, BurnUp, UnitRow

#: chart width in SVG units (the printed content width, 165 mm, at ~4.6 units/mm)
WIDTH = 760
SYMBOL_FONT = "DejaVu Sans, sans-serif"
#: the narrowest bullet bar (SVG units)
MIN_BAR = 300


def _x(text: object) -> str:
    return escape(one_line(str(text)), quote=True)


def _f(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (stable bytes)."""
    s = f"{float(x):.1f}"
    return s[:-2] if s.endswith(".0") else s


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


#: estimated advance widths, in em, of the serif stack at its widest (DejaVu Serif);
#: symbols are drawn in DejaVu Sans, up to 1 em
_NARROW = frozenset(" .,:;'|!()[]{}ijlIft-/")
_WIDE = frozenset("mwMW@%")


def text_width(text: str, size: float = 12) -> float:
    """The estimated width of ``text`` at ``size`` (SVG units): an over-estimate,
    so that a label given this much room is not clipped."""
    import unicodedata

    em = 0.0
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch):
            continue
        if ch in _NARROW:
            em += 0.35
        elif ch in _WIDE:
            em += 0.95
        elif ord(ch) >= 0x2000:  # arrows, bullets, status glyphs
            em += 1.0
        elif ch.isupper():
            em += 0.78
        else:  # lower case (with Vietnamese marks), digits
            em += 0.62
    return em * size


def _fit(text: str, width: float) -> str:
    """``text``, cut with an ellipsis to fit ``width`` by :func:`text_width`."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _open(height: float, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}" '
            f'width="100%" role="img" aria-label="{_x(label)}" font-size="12">'
            f"<title>{_x(label)}</title>")


def bullets(krs: Sequence[KRScore], labels: Labels, max_score: Fraction) -> str:
    """One bullet bar per KR: the score as a bar (0 … max score), the expected pace
    as a vertical marker, grade bands in grey, the status glyph on the right."""
    rows = [k for k in krs if not k.cancelled]
    if not rows:
        return ""
    # the right-hand labels get the room the longest needs; the bar takes the rest
    # (the widest possible label too, so that the bars of every chart line up)
    right = [f"{GLYPHS[k.status]} {labels.num(k.score)} {labels.status(k.status)}" for k in rows]
    widest = labels.num(max_score * Fraction(99, 100))
    right += [f"{GLYPHS[s]} {widest} {labels.status(s)}" for s in SUMMARY_STATUSES]
    gap, row_h = 8, 26
    label_w = max(text_width(t) for t in right)
    left = 250
    bar_w = WIDTH - left - 2 * gap - label_w
    if bar_w < MIN_BAR:  # very long labels: the titles give way first
        left, bar_w = max(120, left - (MIN_BAR - bar_w)), MIN_BAR
    h = 18 + row_h * len(rows)
    out = [_open(h, labels["progress"])]
    out.append(f'<text x="{left}" y="12" fill="#555">0</text>'
               f'<text x="{_f(left + bar_w)}" y="12" fill="#555" text-anchor="end">{_x(labels.num(max_score))}</text>')
    for i, k in enumerate(rows):
        y = 18 + i * row_h
        out.append(f'<text x="0" y="{y + 16}">{_x(_fit(k.kr.id + " " + k.kr.title, left - gap))}</text>')
        for j, shade in enumerate(("#eeeeee", "#e0e0e0", "#d2d2d2")):
            x0 = left + bar_w * (0, Fraction(4, 10), Fraction(7, 10))[j]
            x1 = left + bar_w * (Fraction(4, 10), Fraction(7, 10), 1)[j]
            out.append(f'<rect x="{_f(x0)}" y="{y + 3}" width="{_f(x1 - x0)}" height="18" fill="{shade}"/>')
        sc = k.score if k.score is not None else Fraction(0)
        w = float(min(max(sc / max_score, 0), 1)) * bar_w
        out.append(f'<rect x="{left}" y="{y + 8}" width="{_f(w)}" height="8" fill="{COLOURS[k.status]}"/>')
        pace = float(min(max(k.expected / max_score if max_score else 0, 0), 1)) * bar_w
        out.append(f'<line x1="{_f(left + pace)}" y1="{y + 3}" x2="{_f(left + pace)}" y2="{y + 21}" '
                   f'stroke="#000" stroke-width="2"/>')
        out.append(f'<text x="{_f(left + bar_w + gap)}" y="{y + 16}"><tspan font-family="{SYMBOL_FONT}" '
                   f'fill="{COLOURS[k.status]}">{GLYPHS[k.status]}</tspan> {_x(labels.num(k.score))} '
                   f'{_x(labels.status(k.status))}</text>')
    out.append("</svg>")
    return "".join(out)


def heatmap(rows: Sequence[UnitRow], weeks: Sequence[date], labels: Labels) -> str:
    """Units (in organisation-tree order, indented by depth) × weeks: status colour
    and glyph in every cell, blank after the as-of date."""
    if not rows:
        return ""
    left, top, row_h = 230, 22, 20
    cell = min(36, (WIDTH - left) // max(len(weeks), 1))
    h = top + row_h * len(rows) + 4
    out = [_open(h, labels["heatmap_title"])]
    for j, _ in enumerate(weeks):
        out.append(f'<text x="{_f(left + j * cell + cell / 2)}" y="14" text-anchor="middle" fill="#555">'
                   f'{_x(labels("week", n=j + 1))}</text>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        name = _cut(r.unit.unit.name, 34 - 2 * r.unit.depth)
        out.append(f'<text x="{r.unit.depth * 10}" y="{y + 14}">{_x(name)}</text>')
        for j, s in enumerate(r.weeks):
            x = left + j * cell
            out.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{row_h - 2}" fill="{COLOURS[s]}" '
                       f'stroke="#999" stroke-width="0.5"><title>{_x(labels.status(s))}</title></rect>')
            if s:
                fill = "#000" if s in ("at_risk", "no_data") else "#fff"
                out.append(f'<text x="{_f(x + (cell - 2) / 2)}" y="{y + 14}" text-anchor="middle" '
                           f'font-family="{SYMBOL_FONT}" fill="{fill}">{GLYPHS[s]}</text>')
    out.append("</svg>")
    return "".join(out)


def burnup(b: BurnUp, labels: Labels) -> str:
    """Check-in values as points joined only between real check-ins (no values
    invented), the target as a step line, the pace line baseline → target."""
    left, right, top, bottom = 60, WIDTH - 20, 24, 190
    span = (b.end - b.start).days or 1
    values = [b.baseline] + [v for _, v in b.points] + [t for _, t in b.targets]
    lo, hi = min(values), max(values)
    if lo == hi:
        hi = lo + 1

    def X(d: date) -> float:
        return left + (right - left) * (d - b.start).days / span

    def Y(v: Fraction) -> float:
        return bottom - float((v - lo) / (hi - lo)) * (bottom - top)

    title = labels("burnup_title", title=_cut(b.title, 70))
    out = [_open(bottom + 40, title), f'<text x="0" y="14" font-weight="bold">{_x(title)}</text>']
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>')
    for v in (lo, hi):
        out.append(f'<text x="{left - 6}" y="{_f(Y(v) + 4)}" text-anchor="end" fill="#555">{_x(labels.num(v))}</text>')
    # target as steps
    steps = list(b.targets) + [(b.end, b.targets[-1][1])]
    path = []
    for i, (d, v) in enumerate(steps[:-1]):
        path.append(f"{'M' if i == 0 else 'L'}{_f(X(d))},{_f(Y(v))}")
        path.append(f"L{_f(X(steps[i + 1][0]))},{_f(Y(v))}")
    out.append(f'<path d="{" ".join(path)}" fill="none" stroke="#1c518a" stroke-width="2"/>')
    # pace: baseline at start → the target in force at the end
    out.append(f'<line x1="{_f(X(b.start))}" y1="{_f(Y(b.baseline))}" x2="{_f(X(b.end))}" '
               f'y2="{_f(Y(b.targets[-1][1]))}" stroke="#555" stroke-dasharray="5,4"/>')
    # as-of marker
    out.append(f'<line x1="{_f(X(b.as_of))}" y1="{top}" x2="{_f(X(b.as_of))}" y2="{bottom}" stroke="#bbb"/>')
    if b.points:
        pts = " ".join(f"{_f(X(d))},{_f(Y(v))}" for d, v in b.points)
        out.append(f'<polyline points="{pts}" fill="none" stroke="#af3333" stroke-width="2"/>')
        for d, v in b.points:
            out.append(f'<circle cx="{_f(X(d))}" cy="{_f(Y(v))}" r="3.5" fill="#af3333">'
                       f"<title>{_x(labels.day(d))}: {_x(labels.num(v))}</title></circle>")
    ly = bottom + 26
    out.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="#1c518a" stroke-width="2"/>'
               f'<text x="{left + 30}" y="{ly}">{_x(labels["burnup_target"])}</text>'
               f'<line x1="{left + 170}" y1="{ly - 4}" x2="{left + 194}" y2="{ly - 4}" stroke="#555" '
               f'stroke-dasharray="5,4"/><text x="{left + 200}" y="{ly}">{_x(labels["burnup_pace"])}</text>'
               f'<circle cx="{left + 352}" cy="{ly - 4}" r="3.5" fill="#af3333"/>'
               f'<text x="{left + 362}" y="{ly}">{_x(labels["burnup_value"])}</text>')
    out.append("</svg>")
    return "".join(out)
