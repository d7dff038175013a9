"""Labels, status words and headings in English and Vietnamese.

JSON keys and values never translate; only human output (tables, Markdown,
reports) goes through :func:`t`.
"""

from __future__ import annotations

LOCALES = ("en", "vi")

_EN = {
    "on_track": "on track", "at_risk": "at risk", "off_track": "off track", "no_data": "no data",
    "done": "done", "missed": "missed", "cancelled": "cancelled",
    "green": "green", "amber": "amber", "red": "red", "yellow": "yellow",
    "overdue": "overdue", "overdue_short": "late", "unit": "Unit", "objective": "Objective", "key_result": "Key result",
    "kpi": "KPI", "kpis": "KPIs", "value": "Value", "target": "Target", "progress": "Progress",
    "score": "Score", "confidence": "Conf.", "status": "Status", "grade": "Grade", "weight": "Weight",
    "own_score": "Own score", "rolled_score": "Rolled-up", "period": "Period", "as_of": "as of",
    "no_objectives": "no objectives this period", "no_file": "no file for this period",
    "elapsed": "elapsed", "title_score": "Scores", "title_rollup": "Roll-up", "aligned_to": "aligned to",
    "alignment": "Alignment", "ref": "Ref", "type": "Type", "baseline": "Baseline", "date": "Date",
    "aspirational": "aspirational", "committed": "committed", "rebaselined": "rebaselined",
    "summary_units": "units", "summary_objectives": "objectives", "summary_krs": "key results",
    "alert": "Alert", "direction": "Direction", "increase": "increase", "decrease": "decrease",
    "metric": "metric", "boolean": "boolean", "milestone": "milestone", "maintain": "maintain", "aligned": "aligned",
    "yes": "yes", "no": "no", "of": "of", "depth": "Depth",
    "hidden_columns": "Hidden at this width",
    "not_scored": "not scored", "incomplete": "incomplete",
    "invalid_file": "not scored: {path} has errors (okrctl validate)",
    "incomplete_note": "incomplete: a unit in this roll-up is not scored, so no rolled-up score is given",
}

_VI = {
    "on_track": "đúng tiến độ", "at_risk": "có nguy cơ", "off_track": "chậm tiến độ", "no_data": "chưa có số liệu",
    "done": "hoàn thành", "missed": "không đạt", "cancelled": "đã hủy",
    "green": "xanh", "amber": "vàng cam", "red": "đỏ", "yellow": "vàng",
    "overdue": "quá hạn báo cáo", "overdue_short": "trễ hạn", "unit": "Đơn vị", "objective": "Mục tiêu", "key_result": "Kết quả then chốt",
    "kpi": "KPI", "kpis": "Chỉ số KPI", "value": "Giá trị", "target": "Chỉ tiêu", "progress": "Tiến độ",
    "score": "Điểm", "confidence": "Tin cậy", "status": "Trạng thái", "grade": "Xếp loại", "weight": "Trọng số",
    "own_score": "Điểm riêng", "rolled_score": "Điểm tổng hợp", "period": "Kỳ", "as_of": "tính đến",
    "no_objectives": "không có mục tiêu trong kỳ", "no_file": "chưa có tệp cho kỳ này",
    "elapsed": "thời gian đã qua", "title_score": "Điểm OKR", "title_rollup": "Tổng hợp theo đơn vị",
    "aligned_to": "gắn với", "alignment": "Liên kết mục tiêu", "ref": "Mã", "type": "Loại", "baseline": "Giá trị gốc",
    "date": "Ngày", "aspirational": "thách thức", "committed": "cam kết", "rebaselined": "đã điều chỉnh chỉ tiêu",
    "summary_units": "đơn vị", "summary_objectives": "mục tiêu", "summary_krs": "kết quả then chốt",
    "alert": "Ngưỡng cảnh báo", "direction": "Chiều", "increase": "tăng", "decrease": "giảm",
    "metric": "định lượng", "boolean": "có/không", "milestone": "mốc công việc", "maintain": "duy trì", "aligned": "tổng hợp",
    "yes": "có", "no": "không", "of": "/", "depth": "Cấp",
    "hidden_columns": "Cột ẩn vì màn hình hẹp",
    "not_scored": "chưa tính điểm", "incomplete": "chưa đủ",
    "invalid_file": "chưa tính điểm: tệp {path} có lỗi (chạy okrctl validate)",
    "incomplete_note": "chưa đủ: có đơn vị trong phạm vi tổng hợp chưa tính điểm nên không có điểm tổng hợp",
}

_TABLES = {"en": _EN, "vi": _VI}


def t(key: str, locale: str = "en") -> str:
    """The label for ``key`` in ``locale`` (falls back to English, then the key)."""
    return _TABLES.get(locale, _EN).get(key) or _EN.get(key, key)
