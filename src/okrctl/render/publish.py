"""The files of an ``okrctl publish`` package (:mod:`okrctl.reports.publish`):
``index.html`` (the close report, links to every data file, how to verify),
``data/`` (the export tables as CSV with a BOM, Parquet and JSON),
``datapackage.json``, ``manifest.sha256``, the signed close tag when there is one,
and the pinned evidence files with ``--with-evidence``.

:func:`render_package` returns ``{path: bytes}``; the same plan always gives the same
bytes (``okrctl verify --published`` relies on it).
"""

from __future__ import annotations

from html import escape

from okrctl.reports.publish import (
    DATA_DIR,
    DESCRIPTOR,
    INDEX,
    MANIFEST,
    TAG_FILE,
    PublishPlan,
    datapackage,
    descriptor_bytes,
    manifest,
)

#: key → (vi, en): the words of the open-data section
TEXT = {
    "heading": ("Dữ liệu mở và cách kiểm tra", "Open data and how to verify it"),
    "intro": ("Gói dữ liệu này công bố kết quả của kỳ {period} như khi kỳ được khoá (thẻ git {tag}, commit {commit}). "
              "Giấy phép: {licence}. Gói công bố kết quả công việc, không công bố thông tin cá nhân.",
              "This package publishes the results of {period} as they were when the period was closed (git tag "
              "{tag}, commit {commit}). Licence: {licence}. It publishes work, never people."),
    "data": ("Tệp dữ liệu", "Data files"),
    "file": ("Tệp", "File"),
    "what": ("Nội dung", "What it holds"),
    "size": ("Dung lượng (byte)", "Size (bytes)"),
    "csv": ("bảng {t} (CSV, UTF-8 có BOM, mở được bằng Excel)", "table {t} (CSV, UTF-8 with a BOM, opens in Excel)"),
    "parquet": ("bảng {t} (Parquet)", "table {t} (Parquet)"),
    "json": ("mọi bảng trong một tệp JSON", "every table in one JSON file"),
    "descriptor": ("mô tả gói dữ liệu (Frictionless Data Package)", "the package descriptor (Frictionless Data Package)"),
    "manifest": ("mã băm SHA-256 của mọi tệp", "the SHA-256 of every file"),
    "tagfile": ("thẻ khoá kỳ có chữ ký số", "the signed close tag"),
    "evidence": ("Minh chứng được ghim bằng mã băm", "Evidence pinned by hash"),
    "ev_ref": ("Kết quả then chốt", "Key result"),
    "ev_date": ("Ngày báo cáo", "Check-in date"),
    "ev_doc": ("Tài liệu", "Document"),
    "ev_hash": ("SHA-256", "SHA-256"),
    "verify": ("Cách kiểm tra", "How to verify"),
    "v1": ("Tệp không bị sửa: trong thư mục này chạy", "No file was changed: in this directory run"),
    "v2": ("Số liệu đúng với kho dữ liệu: với bản sao kho git của cơ quan, chạy",
           "The numbers are the repository's: with a clone of the agency's git repository, run"),
    "v3": ("Thẻ khoá kỳ có chữ ký số: kiểm tra chữ ký bằng", "The close tag is signed: check its signature with"),
    "v4": ("Hướng dẫn chi tiết: docs/publish.md của okrctl.", "Step by step: okrctl's docs/publish.md."),
}


def words(locale: str) -> dict[str, str]:
    i = 0 if locale == "vi" else 1
    return {k: v[i] for k, v in TEXT.items()}


def _describe(path: str, t: dict[str, str]) -> str:
    name = path.rsplit("/", 1)[-1]
    stem, _, ext = name.rpartition(".")
    if path == DESCRIPTOR:
        return t["descriptor"]
    if path == MANIFEST:
        return t["manifest"]
    if path == TAG_FILE:
        return t["tagfile"]
    if ext == "json":
        return t["json"]
    return t[ext].format(t=stem) if ext in ("csv", "parquet") else name


def _link(path: str) -> str:
    return f'<a href="{escape(path)}">{escape(path)}</a>'


def section(plan: PublishPlan, files: dict[str, bytes]) -> str:
    """The "open data" section of ``index.html``: the data files, the pinned
    evidence and the commands that verify the package."""
    t = words(plan.locale)
    out = [f'<section id="open-data">\n<h2 id="publish">{escape(t["heading"])}</h2>',
           "<p>" + escape(t["intro"].format(period=plan.period.id, tag=plan.tag, commit=plan.commit,
                                            licence=plan.licence)) + "</p>",
           f"<h3>{escape(t['data'])}</h3>",
           f"<table><thead><tr><th>{escape(t['file'])}</th><th>{escape(t['what'])}</th>"
           f"<th>{escape(t['size'])}</th></tr></thead><tbody>"]
    listed = sorted(p for p in files if p.startswith(DATA_DIR + "/") or p == TAG_FILE) + [DESCRIPTOR, MANIFEST]
    for p in listed:
        size = f'<td class="n">{len(files[p])}</td>' if p in files else "<td></td>"
        out.append(f"<tr><td>{_link(p)}</td><td>{escape(_describe(p, t))}</td>{size}</tr>")
    out.append("</tbody></table>")
    if plan.evidence:
        out.append(f"<h3>{escape(t['evidence'])}</h3>")
        out.append(f"<table><thead><tr><th>{escape(t['ev_ref'])}</th><th>{escape(t['ev_date'])}</th>"
                   f"<th>{escape(t['ev_doc'])}</th><th>{escape(t['ev_hash'])}</th></tr></thead><tbody>")
        for e in plan.evidence:
            label = escape(e.title or e.path or e.url or "")
            if e.included and e.path:
                doc = f'<a href="{escape(e.path)}">{label}</a>'
            elif e.url:
                doc = f'{label}<br><span class="mono">{escape(e.url)}</span>'
            else:
                doc = f'{label}<br><span class="mono">{escape(e.path or "")}</span>'
            out.append(f"<tr><td>{escape(e.ref)}</td><td>{escape(e.date)}</td><td>{doc}</td>"
                       f'<td class="mono">{escape(e.sha256)}</td></tr>')
        out.append("</tbody></table>")
    out += [f"<h3>{escape(t['verify'])}</h3>", "<ol>",
            f"<li>{escape(t['v1'])} <code>sha256sum -c {MANIFEST}</code></li>",
            f"<li>{escape(t['v2'])} <code>okrctl verify {escape(plan.period.id)} --published DIR</code></li>"]
    if plan.signed_tag is not None:
        out.append(f"<li>{escape(t['v3'])} <code>git verify-tag {escape(plan.tag)}</code></li>")
    out += [f"<li>{escape(t['v4'])}</li>", "</ol>", "</section>\n"]
    return "\n".join(out)


STYLE = ("<style>#open-data .mono, #open-data code { font-family: monospace; font-size: 8.5pt; }\n"
         "#open-data .mono { word-break: break-all; } #open-data code { white-space: nowrap; }</style>\n")


def index_html(plan: PublishPlan, files: dict[str, bytes]) -> str:
    """The close report of the period (``okrctl report --edition close``) with the
    open-data section before its footer."""
    from okrctl.render.formats import RenderOptions
    from okrctl.render.report import html

    page = html(plan.report, RenderOptions(plan.locale))
    extra = section(plan, files)
    at = page.rfind("<footer")
    if at < 0:
        at = page.rfind("</body>")
    page = page[:at] + extra + page[at:]
    head = page.find("</head>")
    return page[:head] + STYLE + page[head:] if head >= 0 else page


def render_package(plan: PublishPlan) -> dict[str, bytes]:
    """Every file of the package, path → bytes."""
    from okrctl.render.export import write_csv, write_json, write_parquet

    files: dict[str, bytes] = {}
    for name, data in write_csv(plan.tables, excel=True).items():
        files[f"{DATA_DIR}/{name}"] = data
    for name, data in write_parquet(plan.tables).items():
        files[f"{DATA_DIR}/{name}"] = data
    for name, data in write_json(plan.tables).items():
        files[f"{DATA_DIR}/{name}"] = data
    files.update(plan.evidence_files)
    if plan.signed_tag is not None:
        files[TAG_FILE] = plan.signed_tag
    files[INDEX] = index_html(plan, files).encode("utf-8")
    files[DESCRIPTOR] = descriptor_bytes(datapackage(plan, files))
    files[MANIFEST] = manifest(files)
    return files
