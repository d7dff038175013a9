"""``okrctl report --format docx`` read back with python-docx: the Decree 30 page
(A4, margins, Times New Roman), the administrative header table, the section
headings, KR values equal to ``okrctl score --format json``, repeated header rows,
the same document.xml on a rerun; LibreOffice converts it to a sane PDF (slow) and
the PDF edition starts with ``%PDF`` (slow)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl

docx = pytest.importorskip("docx")
from docx.shared import Mm  # noqa: E402


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("docx") / "ws"
    shutil.copytree(SAMPLE, root)
    return root


@pytest.fixture(scope="module")
def made(ws, tmp_path_factory) -> tuple[Path, bytes]:
    out = tmp_path_factory.mktemp("out") / "bao-cao.docx"
    r = run_okrctl("-C", str(ws), "report", "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out, out.read_bytes()


def _document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def test_page_a4_margins_and_font(made):
    d = docx.Document(made[0])
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    assert d.styles["Heading 1"].font.name == "Times New Roman"


def test_administrative_header(made):
    d = docx.Document(made[0])
    hdr = d.tables[0]
    assert len(hdr.rows) == 1 and len(hdr.columns) == 2
    assert hdr.style is None or hdr.style.name != "Table Grid"  # borderless
    left = [p.text for p in hdr.cell(0, 0).paragraphs]
    right = [p.text for p in hdr.cell(0, 1).paragraphs]
    assert left[:2] == ["UBND THÀNH PHỐ HÀ NỘI", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert re.fullmatch(r"Số: +/BC-SKHCN", left[-1])  # the number is left blank for the clerk
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[-1] == "Hà Nội, ngày 15 tháng 5 năm 2026"
    paras = [p.text for p in d.paragraphs]
    i = paras.index("BÁO CÁO")
    assert paras[i + 1] == "Kết quả thực hiện mục tiêu, kết quả then chốt (OKR) và chỉ số (KPI) quý II năm 2026"


def test_section_headings_in_order(made):
    d = docx.Document(made[0])
    h1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    numbered = [h.split(".")[0] for h in h1 if re.match(r"[IVX]+\. ", h)]
    assert numbered == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    h2 = [p.text for p in d.paragraphs if p.style.name == "Heading 2"]
    assert "Sở Khoa học và Công nghệ — O1. Chuyển đổi số toàn diện hoạt động quản lý nhà nước của Sở" in h2


def test_kr_values_equal_score_json(ws, tmp_path):
    out = tmp_path / "en.docx"
    assert run_okrctl("-C", str(ws), "report", "--locale", "en", "-o", str(out)).returncode == 0
    score = json.loads(run_okrctl("-C", str(ws), "score", "--format", "json").stdout)
    expected = {k["ref"]: k for u in score["units"] for o in u["objectives"] for k in o["key_results"]}
    d = docx.Document(out)
    appendix = next(t for t in d.tables if t.rows[0].cells[0].text == "Key result" and len(t.columns) == 8)
    seen = {}
    for row in appendix.rows[1:]:
        cells = [c.text for c in row.cells]
        ref = re.search(r"\(([^()]+)\)$", cells[0]).group(1)
        seen[ref] = cells
    assert set(seen) == set(expected)
    for ref, k in expected.items():
        cells = seen[ref]
        assert cells[5] == f"{k['score']:.2f}".rstrip("0").rstrip("."), ref
        assert cells[4] == ("—" if k["progress"] is None else f"{round(k['progress'] * 100)}%"), ref
        conf = k["confidence"]
        assert cells[7] == ("—" if conf is None else f"{conf:.2f}".rstrip("0").rstrip(".")), ref
    assert seen["2026-Q2/so-khcn/O1/KR1"][3] == "77 %" and seen["2026-Q2/so-khcn/O1/KR1"][2] == "70 → 80"


def test_tables_fixed_width_repeated_header_rows(made):
    d = docx.Document(made[0])
    grids = [t for t in d.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(grids) > 8
    for t in grids:
        layout = t._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblLayout")
        assert layout is not None and layout.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") == "fixed"
        assert abs(sum(c.width for c in t.columns) - Mm(165)) < Mm(1)
    kr = next(t for t in grids if t.rows[0].cells[0].text == "Kết quả then chốt")
    assert kr._tbl.tr_lst[0].trPr.xml.count("w:tblHeader") == 1
    assert all("w:cantSplit" in tr.trPr.xml for tr in kr._tbl.tr_lst)


def test_charts_embedded_as_png(made):
    with zipfile.ZipFile(io.BytesIO(made[1])) as z:
        pngs = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        assert pngs and all(z.read(n).startswith(b"\x89PNG") for n in pngs)


def test_document_xml_is_deterministic(ws, made, tmp_path):
    again = tmp_path / "again.docx"
    assert run_okrctl("-C", str(ws), "report", "--format", "docx", "-o", str(again)).returncode == 0
    assert _document_xml(again.read_bytes()) == _document_xml(made[1])


def test_binary_format_to_a_pipe_and_by_extension(ws, made):
    piped = run_okrctl("-C", str(ws), "report", "--format", "docx")
    assert piped.returncode == 0 and piped.stdout[:2] == b"PK"
    assert _document_xml(piped.stdout) == _document_xml(made[1])


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
def test_libreoffice_converts_to_a_sane_pdf(made, tmp_path):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(made[0])], capture_output=True, timeout=180, check=True)
    pdf = (tmp_path / "bao-cao.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 40


@pytest.mark.slow
def test_pdf_edition(ws, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    r = run_okrctl("-C", str(ws), "report", "-o", str(out))
    if r.returncode == 2 and b"needs Chromium" in r.stderr:
        pytest.skip("neither Chromium nor WeasyPrint is installed")
    assert r.returncode == 0, r.stderr
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1


def _git_only_path(tmp_path: Path) -> str:
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "git").symlink_to(shutil.which("git"))
    return str(bin_)


@pytest.mark.slow
def test_pdf_by_weasyprint_without_chromium(ws, tmp_path):
    pytest.importorskip("weasyprint", reason="WeasyPrint is the optional extra okrctl[pdf]")
    out = tmp_path / "w.pdf"
    r = run_okrctl("-C", str(ws), "report", "-o", str(out), env={"PATH": _git_only_path(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_pdf_without_chromium_or_weasyprint_says_how(ws, tmp_path):
    """A WeasyPrint that cannot be imported (shadowed here) and no browser on PATH."""
    shadow = tmp_path / "shadow" / "weasyprint"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('shadowed for the test')\n")
    r = run_okrctl("-C", str(ws), "report", "--format", "pdf", "-o", str(tmp_path / "x.pdf"),
                   env={"PATH": _git_only_path(tmp_path), "PYTHONPATH": str(shadow.parent)})
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.count("\n") == 1 and "needs Chromium on PATH" in err and "okrctl[pdf]" in err
    assert not (tmp_path / "x.pdf").exists()
