"""``okrctl export --format xlsx``: one workbook, written with XlsxWriter
(measured against openpyxl in docs/performance.md).

* a ``README`` sheet first: what the workbook is, the ``_meta`` rows, the sheets;
* one sheet per table; row 1 the header in the workspace locale, each header cell
  carrying the stable column id as a cell comment (the id is what
  docs/export.md, CSV, JSON, Parquet and ``okrctl query`` use); the header is
  frozen and has an autofilter; widths fit the text (Vietnamese included);
* typed cells: numbers, dates (ISO format), booleans; text is written as a
  string cell (``write_string``), so ``=1+2`` stays text, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from okrctl.render.export import plain
from okrctl.render.i18n import t
from okrctl.reports.tables import Table

#: Vietnamese headers; other columns (and English) show the column id
VI_HEADERS = {
    "period": "Kỳ", "as_of": "Tính đến ngày", "unit": "Đơn vị", "name": "Tên", "parent": "Đơn vị cấp trên",
    "level": "Cấp", "weight": "Trọng số", "self_weight": "Trọng số tự thân", "from": "Từ ngày",
    "until": "Đến ngày", "score": "Điểm", "rolled_score": "Điểm tổng hợp", "objectives": "Số mục tiêu",
    "key_results": "Số kết quả then chốt", "kpis": "Số KPI", "checkin_on_time": "Tỷ lệ cập nhật đúng hạn",
    "objective": "Mục tiêu", "ref": "Mã tham chiếu", "title": "Tiêu đề", "kind": "Loại",
    "aligns_to": "Gắn với", "grade": "Xếp loại", "status": "Trạng thái", "key_result": "Kết quả then chốt",
    "type": "Kiểu", "unit_of_measure": "Đơn vị tính", "direction": "Chiều", "baseline": "Giá trị gốc",
    "target": "Chỉ tiêu", "threshold": "Ngưỡng", "target_at_start": "Chỉ tiêu đầu kỳ", "value": "Giá trị",
    "value_bool": "Giá trị (có/không)", "milestones_done": "Mốc đã xong", "value_date": "Ngày giá trị",
    "progress": "Tiến độ", "expected": "Kỳ vọng", "confidence": "Độ tin cậy", "overdue": "Quá hạn cập nhật",
    "rebaselined": "Đã điều chỉnh", "cancelled": "Đã hủy", "days_since_checkin": "Số ngày từ lần cập nhật",
    "owner": "Người phụ trách", "path": "Tệp", "line": "Dòng", "date": "Ngày", "note": "Ghi chú",
    "evidence": "Minh chứng", "position": "Thứ tự trong ngày", "superseded": "Đã được thay",
    "current": "Đang dùng", "by": "Người cập nhật", "kpi": "KPI", "alert": "Ngưỡng cảnh báo",
    "frequency": "Tần suất", "days_since_measurement": "Số ngày từ lần đo", "source": "Nguồn",
    "commit": "Commit", "field": "Trường", "old": "Giá trị cũ", "new": "Giá trị mới", "reason": "Lý do",
    "approved_by": "Người phê duyệt", "key": "Khóa",
    # the KR status counts, named with the status words of the terminal view
    **{f"krs_{s}": f"Số KR {t(s, 'vi')}" for s in ("cancelled", "done", "missed", "on_track", "at_risk", "off_track", "no_data")},
}

#: the widest a column grows (characters), and how many rows are measured
MAX_WIDTH = 60
MEASURED_ROWS = 2000


def header(name: str, locale: str) -> str:
    return VI_HEADERS.get(name, name) if locale == "vi" else name


def _width(v: Any) -> int:
    if v is None:
        return 0
    s = v.isoformat() if isinstance(v, date) else str(v)
    return max((len(line) for line in s.split("\n")), default=0)


def _sheet(wb: Any, table: Table, locale: str, fmts: dict[str, Any]) -> None:
    ws = wb.add_worksheet(table.key)
    widths = []
    for j, c in enumerate(table.columns):
        label = header(c.name, locale)
        ws.write_string(0, j, label, fmts["head"])
        if label != c.name:
            ws.write_comment(0, j, c.name)
        measured = max((_width(r[j]) for r in table.rows[:MEASURED_ROWS]), default=0)
        widths.append(min(MAX_WIDTH, max(len(label), measured) + 2))
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    types = [c.type for c in table.columns]
    for i, row in enumerate(table.rows, start=1):
        for j, (v, t) in enumerate(zip(row, types)):
            if v is None:
                continue
            v = plain(v, t)
            if isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            elif isinstance(v, date):
                ws.write_datetime(i, j, v, fmts["date"])
            else:
                s = str(v)
                ws.write_string(i, j, s, fmts["wrap"] if "\n" in s else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)


def _readme(wb: Any, tables: Mapping[str, Table], fmts: dict[str, Any]) -> None:
    ws = wb.add_worksheet("README")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, "okrctl export", fmts["head"])
    ws.write_string(1, 0, "Each sheet is one table; column ids (header comments) and types: docs/export.md.")
    r = 3
    meta = tables.get("_meta")
    if meta is not None:
        for k, v in meta.rows:
            ws.write_string(r, 0, k)
            ws.write_string(r, 1, v or "")
            r += 1
    r += 1
    ws.write_string(r, 0, "sheet", fmts["head"])
    ws.write_string(r, 1, "rows", fmts["head"])
    for name, t in tables.items():
        if name != "_meta":
            r += 1
            ws.write_string(r, 0, name)
            ws.write_number(r, 1, len(t.rows))


def workbook(tables: Mapping[str, Table], locale: str = "en") -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    fmts = {"head": wb.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1}),
            "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"})}
    _readme(wb, tables, fmts)
    for name, t in tables.items():
        if name != "_meta":
            _sheet(wb, t, locale, fmts)
    wb.close()
    return buf.getvalue()
