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

TEXT = {
    "vi": {
        "heading": "Dữ liệu mở và cách kiểm tra",
        "intro": "Gói dữ liệu này công bố kết quả của kỳ {period} như khi kỳ được khoá (thẻ git {tag}, "
                 "commit {commit}). Giấy phép: {licence}. Gói công bố kết quả công việc, không công bố thông tin cá nhân.",
        "data": "Tệp dữ liệu",
        "file": "Tệp", "what": "Nội dung", "size": "Dung lượng (byte)",
        "csv": "bảng {t} (CSV, UTF-8 có BOM, mở được bằng Excel)", "parquet": "bảng {t} (Parquet)",
        "json": "mọi bảng trong một tệp JSON", "descriptor": "mô tả gói dữ liệu (Frictionless Data Package)",
        "manifest": "mã băm SHA-256 của mọi tệp", "tagfile": "thẻ khoá kỳ có chữ ký số",
        "evidence": "Minh chứng được ghim bằng mã băm",
        "ev_ref": "Kết quả then chốt", "ev_date": "Ngày báo cáo", "ev_doc": "Tài liệu", "ev_hash": "SHA-256",
        "verify": "Cách kiểm tra",
        "v1": "Tệp không bị sửa: trong thư mục này chạy",
        "v2": "Số liệu đúng với kho dữ liệu: với bản sao kho git của cơ quan, chạy",
        "v3": "Thẻ khoá kỳ có chữ ký số: kiểm tra chữ ký bằng",
        "v4": "Hướng dẫn chi tiết: docs/publish.md của okrctl.",
    },
    "en": {
        "heading": "Open data and how to verify it",
        "intro": "This package publishes the results of {period} as they were when the period was closed (git tag "
                 "{tag}, commit {commit}). Licence: {licence}. It publishes work, never people.",
        "data": "Data files",
        "file": "File", "what": "What it holds", "size": "Size (bytes)",
        "csv": "table {t} (CSV, UTF-8 with a BOM, opens in Excel)", "parquet": "table {t} (Parquet)",
        "json": "every table in one JSON file", "descriptor": "the package descriptor (Frictionless Data Package)",
        "manifest": "the SHA-256 of every file", "tagfile": "the signed close tag",
        "evidence": "Evidence pinned by hash",
        "ev_ref": "Key result", "ev_date": "Check-in date", "ev_doc": "Document", "ev_hash": "SHA-256",
        "verify": "How to verify",
        "v1": "No file was changed: in this directory run",
        "v2": "The numbers are the repository's: with a clone of the agency's git repository, run",
        "v3": "The close tag is signed: check its signature with",
        "v4": "Step by step: okrctl's docs/publish.md.",
    },
}


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
    t = TEXT[plan.locale if plan.locale in TEXT else "en"]
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
