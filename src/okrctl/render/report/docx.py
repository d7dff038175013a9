"""The Word edition of ``okrctl report`` (python-docx): the administrative layout of
Decree 30/2020/NĐ-CP — A4; margins top 20, bottom 20, left 30, right 15 mm; Times
New Roman 13 pt; the header as a borderless two-column table; title, subject; then
the sections of the HTML edition from the same :func:`view`; recipients and the
signature block.  Tables have fixed widths, a repeated header row and rows that do
not split across pages.  Charts are the HTML's SVG rendered to PNG by resvg-py when
it is installed, else left out.  python-docx is imported only here."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okrctl.render.formats import RenderOptions
    from okrctl.reports.quarterly import QuarterlyReport

FONT = "Times New Roman"
#: the report's font stack (the HTML's), for the charts rendered to PNG
SERIF_STACK = "Times New Roman, Tinos, Liberation Serif, Noto Serif, DejaVu Serif, serif"
#: Decree 30/2020 Appendix I: page and margins in millimetres
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
#: the width tables and charts take: the page less the side margins
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
BODY_PT, TABLE_PT, WIDE_PT = 13, 11, 10


def svg_to_png(svg: str) -> bytes | None:
    """A chart as PNG (twice the SVG's size), or ``None`` when resvg-py is missing."""
    try:
        import resvg_py
    except ImportError:
        return None
    from okrctl.render.report.charts import WIDTH

    # inline in the HTML the chart inherits the page's serif stack; alone it must be told
    svg = svg.replace('width="100%"', f'width="{WIDTH}" font-family="{SERIF_STACK}"', 1)
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=2, background="#ffffff"))


class _Writer:
    def __init__(self, as_of) -> None:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm, Pt

        self.Mm, self.Pt = Mm, Pt
        self.doc = d = docx.Document()
        s = d.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        s.header_distance = s.footer_distance = Mm(10)
        for name in ("Normal", "Heading 1", "Heading 2"):
            st = d.styles[name]
            self._font(st.element.get_or_add_rPr())
            st.font.size = Pt(BODY_PT)
            st.font.color.rgb = None
            if name != "Normal":
                st.font.bold = name != "Heading 2"
                st.font.italic = name == "Heading 2"
                st.paragraph_format.space_before = Pt(10)
                st.paragraph_format.space_after = Pt(4)
        d.styles["Normal"].paragraph_format.space_after = Pt(3)
        # the same bytes for the same report: no creation time from the clock
        when = datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc)
        cp = d.core_properties
        cp.created = cp.modified = cp.last_printed = when
        cp.author = cp.last_modified_by = "okrctl"
        cp.revision = 1

    @staticmethod
    def _font(rpr) -> None:
        """Times New Roman for every script (Latin, Vietnamese, complex, East Asian),
        without the theme fonts that would override it."""
        from docx.oxml.ns import qn

        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for k in list(fonts.attrib):
            del fonts.attrib[k]
        for a in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{a}"), FONT)

    # -------------------------------------------------------------- blocks
    def para(self, text: str = "", *, bold=False, italic=False, align=None, size=None, style=None):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(style=style)
        if align:
            p.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
        if text:
            r = p.add_run(text)
            r.bold, r.italic = bold or None, italic or None
            if size:
                r.font.size = self.Pt(size)
        return p

    def heading(self, text: str, level: int = 1):
        return self.para(text, style=f"Heading {level}")

    def _cell(self, cell, lines, *, bold=False, italic=False, align=None, size=TABLE_PT):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        lines = [lines] if isinstance(lines, (str, tuple)) else lines
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.paragraph_format.space_after = self.Pt(0)
            if align:
                p.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
            text, b, it = line if isinstance(line, tuple) else (line, bold, italic)
            if text:
                r = p.add_run(text)
                r.bold, r.italic = b or None, it or None
                r.font.size = self.Pt(size)

    def table(self, head: list[str] | None, rows: list[list[str]], widths_mm: list[float], *,
              numeric: set[int] = frozenset(), size: float = TABLE_PT, grid: bool = True):
        """A table of fixed column widths; the header row repeats on every page and
        no row splits across pages."""
        from docx.oxml.ns import qn

        t = self.doc.add_table(rows=0, cols=len(widths_mm))
        if grid:
            t.style = self.doc.styles["Table Grid"]
        t.autofit = False
        for col, w in zip(t.columns, widths_mm, strict=True):
            col.width = self.Mm(w)
        all_rows = ([head] if head else []) + rows
        for i, values in enumerate(all_rows):
            row = t.add_row()
            trpr = row._tr.get_or_add_trPr()
            trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
            if i == 0 and head:
                trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
            for j, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                cell.width = self.Mm(widths_mm[j])
                self._cell(cell, value, bold=i == 0 and bool(head), size=size,
                           align="RIGHT" if j in numeric and not (i == 0 and head) else None)
        return t

    def picture(self, svg: str) -> bool:
        png = svg_to_png(svg)
        if png is None:
            return False
        self.doc.add_picture(io.BytesIO(png), width=self.Mm(TEXT_MM))
        return True

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _widths(*parts: float) -> list[float]:
    """Column widths in mm from relative parts, summing to the text width."""
    total = sum(parts)
    return [round(TEXT_MM * p / total, 1) for p in parts]


def docx(report: QuarterlyReport, options: RenderOptions, track=None) -> bytes:
    """The report as a .docx file (bytes); ``track`` wraps the objectives (a progress
    bar: each draws its charts as PNG)."""
    from okrctl.render.report import charts
    from okrctl.render.report.view import view

    v = view(report, options.locale)
    L, h = v.labels, v.header
    w = _Writer(report.as_of)

    # 1. the administrative header: agency left, national motto right
    hdr = w.table(None, [[
        [h["parent_agency"], (h["agency"], True, False), "_______", h["number"]],
        [(L["motto_1"], True, False), (L["motto_2"], True, False), "_______________", (h["date_line"], False, True)],
    ]], _widths(38, 62), grid=False, size=12)
    for cell in hdr.rows[0].cells:
        for p in cell.paragraphs:
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    w.para(h["title"], bold=True, align="CENTER", size=14).paragraph_format.space_before = w.Pt(18)
    w.para(h["subject"], bold=True, align="CENTER")

    # 2. basis and scope
    w.heading(L["s_basis"])
    w.table(None, [[(a, True, False), b] for a, b in v.basis], _widths(35, 65))

    # 3. summary
    w.heading(L["s_summary"])
    w.table([L["metric"], L["this_period"], L["compare_base"], L["delta"]],
            [list(r) for r in v.headline], _widths(46, 18, 18, 18), numeric={1, 2, 3})
    w.heading(L["s_attention"], 2)
    if v.attention:
        w.table([L["item"], L["unit"], L["reason"], L["latest_note"]],
                [[f"{a['glyph']} {a['title']}", a["unit"], a["reason"], a["note"]] for a in v.attention],
                _widths(34, 20, 18, 28))
    else:
        w.para(L["nothing_attention"])

    # 4. objectives, KR tables, bullet bars and burn-ups
    charted = True
    w.heading(L["s_objectives"])
    kr_head = [L["kr"], L["baseline_target"], L["current"], L["date"], L["progress"], L["pace"], L["score"],
               L["status"], L["confidence"]]
    for o in (track or list)(v.objectives):
        w.heading(f"{o['unit']} — {o['id']}. {o['title']}", 2)
        w.para(f"{o['glyph']} {o['line']}")
        w.table(kr_head, [[f"{k['id']}. {k['title']}", k["bt"], k["current"], k["date"], k["progress"], k["pace"],
                           k["score"], f"{k['glyph']} {k['status']}", k["confidence"]] for k in o["krs"]],
                _widths(25, 12, 11, 15, 9, 9, 8, 12, 9), numeric={1, 2, 3, 4, 5, 6, 8}, size=WIDE_PT)
        if o["scores"]:
            charted &= w.picture(charts.bullets(o["scores"], L, report.max_score))
        for b in o["burnups"]:
            charted &= w.picture(charts.burnup(b, L))
    if not v.objectives:
        w.para(L["no_objectives"])

    # 5. KPIs
    w.heading(L["s_kpis"])
    if v.kpis:
        w.table([L["kpi"], L["target"], L["alert"], L["latest"], L["date"], L["trend"], L["status"]],
                [[k["title"], f"{k['target']} {k['unit']}".strip(), k["alert"], k["latest"], k["date"], k["trend"],
                  f"{k['glyph']} {k['status']}"] for k in v.kpis],
                _widths(26, 12, 9, 9, 14, 18, 12), numeric={1, 2, 3, 4}, size=WIDE_PT)
    else:
        w.para(L["no_kpis"])

    # 6. units (organisation-tree order) and the heat map
    w.heading(L["s_units"])
    w.table([L["unit"], L["rolled_score"], L["counts"], L["freshness"]],
            [["    " * u["depth"] + u["name"], u["score"], u["counts"], u["fresh"]] for u in v.units],
            _widths(46, 16, 22, 16), numeric={1, 3})
    if w.picture(charts.heatmap(report.unit_rows, report.week_ends, L)):
        w.para(L["heatmap_title"], italic=True, align="CENTER", size=TABLE_PT)
    else:
        charted = False

    # 7. changes
    w.heading(L["s_changes"])
    if v.changes:
        w.table([L["date"], L["change"], L["item"], L["value"], L["reason"]],
                [[c["date"], c["kind"], f"{c['title']} ({c['ref']})", c["what"], c["reason"]] for c in v.changes],
                _widths(14, 16, 30, 20, 20), size=WIDE_PT)
    else:
        w.para(L["no_changes"])

    # 8. narrative, verbatim
    for title, body in v.notes:
        w.heading(title)
        if body:
            for line in body.split("\n"):
                w.para(line, align="JUSTIFY")
        else:
            w.para(L["placeholder"], italic=True)

    # 9. data quality
    w.heading(L["s_quality"])
    w.table(None, [[(a, True, False), b] for a, b in v.quality], _widths(35, 65))

    # 10. recipients and signature
    w.para()
    w.table(None, [[[(L["recipients"], True, True), *(f"- {r}" for r in h["recipients"])],
                    [(h["signer_title"], True, False), "", "", "", (h["signer_name"], True, False)]]],
            _widths(55, 45), grid=False, size=12)
    for p in w.doc.tables[-1].rows[0].cells[1].paragraphs:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # appendices
    w.heading(L["s_appendix_krs"])
    w.table([L["kr"], L["unit"], L["baseline_target"], L["current"], L["progress"], L["score"], L["status"],
             L["confidence"]],
            [[f"{k['title']} ({k['ref']})", k["unit"], k["bt"], k["current"], k["progress"], k["score"],
              f"{k['glyph']} {k['status']}", k["confidence"]] for k in v.all_krs],
            _widths(32, 16, 12, 10, 9, 7, 12, 9), numeric={2, 3, 4, 5, 7}, size=WIDE_PT)
    w.heading(L["s_appendix_log"])
    if v.log:
        head = [L["date"], L["ref"], L["value"], L["confidence"], L["note"]] + ([L["by"]] if v.with_names else [])
        w.table(head, [[c["date"], c["ref"], c["value"], c["confidence"], c["note"]]
                       + ([c["by"]] if v.with_names else []) for c in v.log],
                _widths(12, 28, 10, 10, 40) if not v.with_names else _widths(12, 26, 10, 10, 30, 12),
                numeric={2, 3}, size=WIDE_PT)
    else:
        w.para(L["no_checkins"])
    w.heading(L["s_appendix_method"])
    w.para(L["method"], align="JUSTIFY")
    if not charted:
        w.para(L["no_charts"], italic=True, size=TABLE_PT)
    w.para(L["footer"], italic=True, size=WIDE_PT)
    return w.bytes()
