"""``okrctl report`` writers: Markdown and HTML through Jinja2 templates shipped as
package data (autoescape on for HTML), DOCX through python-docx, PDF from the HTML.
Each reads only the :class:`okrctl.reports.quarterly.QuarterlyReport` value, through
:func:`okrctl.render.report.view.view`."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okrctl.render.formats import RenderOptions
    from okrctl.reports.quarterly import QuarterlyReport

#: default cap of the Markdown edition (a GitHub comment holds 65,536 characters)
MAX_MD_CHARS = 60_000


@lru_cache(maxsize=2)
def environment(autoescape: bool):
    import jinja2

    from okrctl.render.textsafe import md_escape

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("okrctl.render.report", "templates"),
        autoescape=autoescape, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    return env


def markdown(report: QuarterlyReport, options: RenderOptions, max_chars: int = MAX_MD_CHARS) -> str:
    """The short edition for a PR comment; detail (the full KR table, then the
    heat map, then the changes) is dropped first when over ``max_chars``."""
    from okrctl.render.report.view import view

    v = view(report, options.locale)
    tpl = environment(False).get_template("report.md.j2")
    notice = v.labels("truncated", n=f"{max_chars:,}")
    for level in ("full", "no_table", "no_heat", "minimal"):
        out = tpl.render(v=v, L=v.labels, level=level, notice=None if level == "full" else notice)
        if len(out) <= max_chars:
            return out
    return out[: max(0, max_chars - len(notice) - 2)] + "\n\n" + notice + "\n" if len(out) > max_chars else out


def html(report: QuarterlyReport, options: RenderOptions, track=None) -> str:
    """One self-contained HTML file: inline CSS and SVG, no script, no request to
    any host, printable on A4.  ``track`` wraps the objectives whose charts are
    drawn (a progress bar)."""
    from markupsafe import Markup

    from okrctl.render.report import charts
    from okrctl.render.report.catalogue import GLYPHS
    from okrctl.render.report.view import view

    v = view(report, options.locale)
    L = v.labels
    for o in (track or list)(v.objectives):
        o["bullets"] = Markup(charts.bullets(o["scores"], L, report.max_score))
        o["burnup_svgs"] = [Markup(charts.burnup(b, L)) for b in o["burnups"]]
    v.extra["heatmap"] = Markup(charts.heatmap(report.unit_rows, report.week_ends, L))
    return environment(True).get_template("report.html.j2").render(v=v, L=L, lang=L.locale, glyphs=GLYPHS)


def weasyprint_pdf(page: str) -> bytes | None:
    """The HTML page as PDF through WeasyPrint, or ``None`` when it is not installed."""
    try:
        import weasyprint
    except (ImportError, OSError):  # OSError: installed without its system libraries
        return None
    return weasyprint.HTML(string=page).write_pdf()
