"""The report value in words: every cell as the text a reader sees, in one locale.
Markdown, HTML and DOCX all draw from :func:`view`, so a number reads the same in
every format.  Text from the workspace passes :func:`okrctl.render.textsafe.one_line`
(control and bidi characters made visible); each format then escapes for itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from okrctl.engine.results import KRScore
from okrctl.render.report.catalogue import GLYPHS, Labels
from okrctl.render.textsafe import escape_controls, one_line
from okrctl.render.values import NONE
from okrctl.reports.quarterly import SUMMARY_STATUSES, QuarterlyReport

#: emoji per status for Markdown (GitHub strips colours)
EMOJI = {"done": "🔵", "on_track": "🟢", "at_risk": "🟡", "off_track": "🔴", "missed": "⚫", "no_data": "⚪",
         "cancelled": "⊘", "green": "🟢", "amber": "🟡", "red": "🔴", None: " "}


@dataclass
class View:
    labels: Labels
    header: dict[str, Any]
    basis: list[tuple[str, str]]
    headline: list[tuple[str, str, str, str]]
    attention: list[dict[str, str]]
    objectives: list[dict[str, Any]]
    kpis: list[dict[str, str]]
    units: list[dict[str, Any]]
    weeks: list[str]
    changes: list[dict[str, str]]
    notes: list[tuple[str, str | None]]
    quality: list[tuple[str, str]]
    all_krs: list[dict[str, str]]
    log: list[dict[str, str]]
    with_names: bool
    extra: dict[str, Any] = field(default_factory=dict)


def text(s: object) -> str:
    return one_line(str(s)) if s is not None else ""


def _value(L: Labels, v: object) -> str:
    if v is None:
        return NONE
    if isinstance(v, bool):
        return L.status("yes" if v else "no")
    if isinstance(v, (int, Fraction)) or type(v).__name__ == "Decimal":
        return L.num(v)
    return text(v)


def kr_current(L: Labels, k: KRScore) -> str:
    kr = k.kr
    unit = f" {text(kr.unit)}" if kr.unit else ""
    if kr.type == "boolean":
        return NONE if k.value is None else L.status("yes" if k.value else "no")
    if kr.type == "milestone":
        done = len(k.value) if isinstance(k.value, tuple) else 0
        return f"{done}/{len(kr.milestones)}"
    if kr.type == "aligned":
        return NONE
    return f"{L.num(k.value) if k.value is not None else NONE}{unit}"


def baseline_target(L: Labels, k: KRScore) -> str:
    kr = k.kr
    if kr.type == "metric":
        return f"{L.num(kr.baseline)} → {L.num(kr.target)}"
    if kr.type == "maintain":
        return f"{'≥' if (kr.direction or 'increase') == 'increase' else '≤'} {L.num(kr.threshold)}"
    if kr.type == "milestone":
        return f"{len(kr.milestones)}"
    return NONE


def kr_row(L: Labels, k: KRScore, unit_name: str = "") -> dict[str, str]:
    return {
        "ref": k.ref, "id": text(k.kr.id), "title": text(k.kr.title), "unit": text(unit_name),
        "bt": baseline_target(L, k), "current": kr_current(L, k), "date": L.day(k.value_date),
        "progress": L.pct(k.progress), "pace": L.pct(k.expected), "score": L.num(k.score),
        "status": L.status(k.status), "status_key": k.status, "glyph": GLYPHS[k.status],
        "emoji": EMOJI[k.status], "confidence": L.num(k.confidence),
    }


def _delta(this: Fraction | int | None, prev: Fraction | int | None, L: Labels, pct: bool = False) -> str:
    if this is None or prev is None:
        return ""
    d = Fraction(this) - Fraction(prev)
    if d == 0:
        return "="
    s = L.pct(abs(d)) if pct else L.num(abs(d))
    return ("▲ " if d > 0 else "▼ ") + s


def _headline(r: QuarterlyReport, L: Labels) -> list[tuple[str, str, str, str]]:
    s, c = r.summary, r.compare
    rows = [(L["org_score"], L.num(s.score), L.num(c.score) if c else "", _delta(s.score, c and c.score, L))]
    if r.ended:
        rows.append((L["grade"], L.status(s.grade) or NONE, L.status(c.grade) if c else "", ""))
    rows.append((L["n_krs"], str(s.n_krs), str(c.n_krs) if c else "", _delta(s.n_krs, c and c.n_krs, L)))
    for st in SUMMARY_STATUSES:
        rows.append((f"{GLYPHS[st]} {L.status(st)}", str(s.counts.get(st, 0)),
                     str(c.counts.get(st, 0)) if c else "", _delta(s.counts.get(st, 0), c and c.counts.get(st, 0), L)))
    rows.append((L["on_time"], L.pct(s.on_time), L.pct(c.on_time) if c else "",
                 _delta(s.on_time, c and c.on_time, L, pct=True)))
    rows.append((L["kpis_red"], str(s.kpis_red), str(c.kpis_red) if c else "", _delta(s.kpis_red, c and c.kpis_red, L)))
    return rows


def _trend(L: Labels, k) -> str:
    ms = [m for m in k.kpi.measurements if k.value_date is None or m.date <= k.value_date]
    p = [m for m in ms if m.date >= ms[0].date] if ms else []
    return " → ".join(L.num(m.value) for m in p[-6:]) or NONE


def view(r: QuarterlyReport, locale: str) -> View:
    L = Labels(locale, r.edition)
    h = r.header
    period_words = L.period(r.period)
    header = {
        "parent_agency": text(h.parent_agency), "agency": text(h.agency),
        "number": f"{L['number']}        /BC-{text(h.abbreviation)}" if h.abbreviation else f"{L['number']}        /BC-",
        "date_line": L.long_date(r.as_of, text(h.place)), "title": L["doc_title"],
        "subject": L("subject", period=period_words), "short_title": L("title_short", period=period_words),
        "signer_title": text(h.signer_title), "signer_name": text(h.signer_name),
        "recipients": [text(x) for x in h.recipients], "name": text(r.name),
    }
    with_data = sum(1 for u in r.unit_rows if u.has_data)
    src = r.source
    source = (f"{L['commit']} {src.sha[:12]} ({L.day(src.date)})" if src.sha else L["working_tree"])
    basis = [(L["period"], f"{r.period.id} ({L.day(r.period.start)} – {L.day(r.period.end)})"),
             (L["as_of"], L.day(r.as_of)),
             (L["units_covered"], f"{with_data} / {len(r.unit_rows)}"),
             (L["source"], text(source)),
             (L["compare_base"], (text(r.compare_label) + (f" ({L.day(r.compare_as_of)})" if r.compare_as_of else ""))
              if r.compare_label else L["none_compare"])]
    attention = [{"ref": a.ref, "title": text(a.title), "unit": text(a.unit), "reason": L[a.reason],
                  "status": L.status(a.status), "status_key": a.status, "glyph": GLYPHS.get(a.status, ""), "emoji": EMOJI.get(a.status, ""),
                  "note": text(a.note) if a.note else NONE} for a in r.attention]
    objectives = []
    for b in r.objectives:
        o = b.score
        line = L("objective_line", score=L.num(o.score), status=L.status(o.status))
        if r.ended and o.grade:
            line += f" · {L['grade']} {L.status(o.grade)}"
        objectives.append({"ref": o.ref, "id": text(o.objective.id), "title": text(o.objective.title),
                           "unit": text(b.unit_name), "line": line, "status_key": o.status,
                           "glyph": GLYPHS[o.status], "krs": [kr_row(L, k) for k in o.key_results],
                           "scores": o.key_results, "burnups": b.burnups})
    kpis = [{"ref": k.ref, "title": text(k.kpi.title), "unit": text(k.kpi.unit or ""),
             "target": L.num(k.kpi.target), "alert": L.num(k.kpi.alert), "latest": L.num(k.value),
             "date": L.day(k.value_date), "trend": _trend(L, k), "status": L.status(k.status),
             "status_key": k.status, "glyph": GLYPHS[k.status], "emoji": EMOJI[k.status]} for k in r.kpis]
    units = [{"name": text(u.unit.unit.name), "depth": u.unit.depth, "score": L.num(u.unit.rolled_score),
              "counts": " ".join(f"{GLYPHS[s]}{n}" for s, n in u.counts.items() if n),
              "fresh": L.pct(u.fresh), "weeks": list(u.weeks),
              "emoji_weeks": "".join(EMOJI[s] if s else "·" for s in u.weeks)} for u in r.unit_rows]
    changes = []
    for c in r.changes:
        what = (f"{text(c.field)}: {_value(L, c.old)} → {_value(L, c.new)}" if c.field else "")
        kind = L["kind_" + c.kind] + (f" · {L['commit']} {c.commit[:7]}" if c.commit else "")
        changes.append({"date": L.day(c.date), "kind": kind, "ref": c.ref, "title": text(c.title),
                        "what": what, "reason": text(c.reason), "commit": (c.commit or "")[:7]})
    notes = [(L["s_" + s], escape_controls(r.notes[s]) if r.notes.get(s) else None) for s in r.notes]
    late = (L["late_unknown"] if r.late_commits is None else
            ("; ".join(L("late_item", ref=x.ref, day=L.day(x.date), committed=L.day(x.committed), commit=x.commit[:7])
                       for x in r.late_commits) or L["none"]))
    quality = [(L["overdue_items"], ", ".join(r.overdue) or L["none"]),
               (L["units_no_data"], ", ".join(text(n) for n in r.units_without_data) or L["none"]),
               (L["late_commits"], late)]
    all_krs = [kr_row(L, k, name) for name, k in r.all_key_results()]
    log = [{"date": L.day(c.date), "ref": c.ref, "value": _value(L, c.value),
            "confidence": L.num(c.confidence) if c.confidence is not None else NONE,
            "note": text(c.note) if c.note else "", "by": text(c.by) if c.by else ""} for c in r.checkins]
    weeks = [L("week", n=i + 1) for i in range(len(r.week_ends))]
    return View(L, header, basis, _headline(r, L), attention, objectives, kpis, units, weeks, changes, notes,
                quality, all_krs, log, r.with_names)

