"""Every user-visible string of ``okrctl report``, in Vietnamese and English (a test
keeps the two catalogues the same set of keys), and the locale's way of writing
dates, numbers and periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from okrctl.render.i18n import t as common
from okrctl.render.values import NONE, num

VI = {
    "motto_1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto_2": "Độc lập - Tự do - Hạnh phúc",
    "number": "Số:",
    "doc_title": "BÁO CÁO",
    "subject": "Kết quả thực hiện mục tiêu, kết quả then chốt (OKR) và chỉ số (KPI) {period}",
    "title_short": "Báo cáo OKR/KPI {period}",
    "s_basis": "I. Căn cứ, phạm vi và số liệu",
    "s_summary": "II. Tóm tắt kết quả",
    "s_objectives": "III. Kết quả thực hiện các mục tiêu",
    "s_kpis": "IV. Chỉ số theo dõi (KPI)",
    "s_units": "V. Tình hình theo đơn vị",
    "s_changes": "VI. Điều chỉnh trong kỳ",
    "s_problems": "VII. Tồn tại, hạn chế và nguyên nhân",
    "s_priorities": "VIII. Nhiệm vụ trọng tâm kỳ tới",
    "s_recommendations": "IX. Đề xuất, kiến nghị",
    "s_quality": "X. Chất lượng số liệu",
    "s_appendix_krs": "Phụ lục 1. Bảng đầy đủ các kết quả then chốt",
    "s_appendix_log": "Phụ lục 2. Nhật ký cập nhật",
    "s_appendix_method": "Phụ lục 3. Cách tính các số liệu",
    "s_attention": "Cần lãnh đạo cho ý kiến",
    "period": "Kỳ báo cáo",
    "as_of": "Số liệu tính đến",
    "units_covered": "Đơn vị có số liệu / tổng số",
    "source": "Nguồn số liệu",
    "compare_base": "Kỳ so sánh",
    "none_compare": "không so sánh",
    "working_tree": "bản làm việc (chưa ghi vào git)",
    "commit": "commit",
    "metric": "Chỉ tiêu",
    "this_period": "Kỳ này",
    "delta": "Thay đổi",
    "org_score": "Điểm tổng hợp toàn đơn vị",
    "grade": "Xếp loại",
    "grade_pending": "chưa xếp loại (kỳ chưa kết thúc)",
    "on_time": "Tỷ lệ KR cập nhật đúng hạn",
    "kpis_red": "Số KPI ở mức đỏ",
    "n_krs": "Số kết quả then chốt",
    "n_kpis": "Số KPI",
    "nothing_attention": "Không có nội dung cần xin ý kiến.",
    "s_attention_close": "Các kết quả then chốt không đạt",
    "s_objectives_close": "III. Kết quả cuối kỳ các mục tiêu",
    "nothing_attention_close": "Không có kết quả then chốt nào không đạt.",
    "reason_missed_close": "không đạt",
    "reason_off_track": "chậm tiến độ, trọng số cao",
    "reason_missed": "không đạt, trọng số cao",
    "reason_overdue": "quá hạn cập nhật",
    "reason_kpi_red": "KPI ở mức đỏ",
    "reason_confidence": "độ tin cậy giảm từ 0,2 trở lên",
    "reason": "Lý do",
    "latest_note": "Ghi chú cập nhật gần nhất",
    "item": "Nội dung",
    "unit": "Đơn vị",
    "kr": "Kết quả then chốt",
    "baseline_target": "Gốc → chỉ tiêu",
    "current": "Hiện tại",
    "date": "Ngày",
    "progress": "Tiến độ",
    "pace": "Nhịp cần đạt",
    "score": "Điểm",
    "status": "Trạng thái",
    "confidence": "Tin cậy",
    "objective_line": "Điểm {score} · {status}",
    "burnup_title": "Diễn biến: {title}",
    "burnup_target": "chỉ tiêu",
    "burnup_pace": "nhịp cần đạt",
    "burnup_value": "giá trị cập nhật",
    "no_objectives": "Không có mục tiêu trong phạm vi báo cáo.",
    "kpi": "KPI",
    "target": "Chỉ tiêu",
    "alert": "Ngưỡng cảnh báo",
    "latest": "Giá trị gần nhất",
    "trend": "Diễn biến trong kỳ",
    "no_kpis": "Không có KPI trong phạm vi báo cáo.",
    "rolled_score": "Điểm tổng hợp",
    "counts": "Số KR theo trạng thái",
    "freshness": "Cập nhật đúng hạn",
    "heatmap_title": "Trạng thái các đơn vị theo tuần (cuối mỗi tuần)",
    "week": "T{n}",
    "change": "Thay đổi",
    "kind_rebaseline": "điều chỉnh",
    "kind_added": "bổ sung",
    "kind_cancelled": "hủy bỏ",
    "kind_changed": "thay đổi (không có bản ghi điều chỉnh)",
    "kind_correction": "đính chính cập nhật",
    "late_item": "{ref} (cập nhật ngày {day}, ghi vào git ngày {committed}, {commit})",
    "no_changes": "Không có điều chỉnh trong kỳ.",
    "placeholder": "(chưa có nội dung)",
    "overdue_items": "KR và KPI quá hạn cập nhật",
    "units_no_data": "Đơn vị chưa có số liệu",
    "late_commits": "Cập nhật được ghi vào git sau ngày chốt số liệu",
    "late_unknown": "không xác định được (không phải kho git)",
    "none": "không có",
    "recipients": "Nơi nhận:",
    "by": "Người cập nhật",
    "value": "Giá trị",
    "note": "Ghi chú",
    "ref": "Mã",
    "no_checkins": "Không có cập nhật trong kỳ.",
    "method": (
        "Tiến độ của KR định lượng = (giá trị hiện tại − giá trị gốc) / (chỉ tiêu − giá trị gốc). "
        "Điểm KR, mục tiêu và đơn vị là trung bình có trọng số, tính chính xác. "
        "Nhịp cần đạt = phần thời gian đã qua của kỳ (hoặc theo các mốc). "
        "Trạng thái tính từ số liệu, không theo tự đánh giá. "
        "Xếp loại chỉ hiển thị khi kỳ đã kết thúc. Báo cáo đánh giá công việc, không đánh giá cá nhân."
    ),
    "truncated": "… đã lược bớt chi tiết để không vượt {n} ký tự; xem báo cáo HTML đầy đủ.",
    "no_charts": "(Bản Word này không có biểu đồ: cài resvg-py để có; bản HTML có đủ biểu đồ.)",
    "footer": "Tạo bởi okrctl · đánh giá công việc, không đánh giá cá nhân",
    "headline": "Tổng quan",
    "legend": "Chú giải",
    "page_of": "Trang",
}

EN = {
    "motto_1": "SOCIALIST REPUBLIC OF VIETNAM",
    "motto_2": "Independence - Freedom - Happiness",
    "number": "No.:",
    "doc_title": "REPORT",
    "subject": "Results of objectives, key results (OKR) and indicators (KPI), {period}",
    "title_short": "OKR/KPI report {period}",
    "s_basis": "I. Basis, scope and data",
    "s_summary": "II. Summary",
    "s_objectives": "III. Objectives",
    "s_kpis": "IV. Key performance indicators (KPIs)",
    "s_units": "V. Units",
    "s_changes": "VI. Changes during the period",
    "s_problems": "VII. Problems and causes",
    "s_priorities": "VIII. Next period's priorities",
    "s_recommendations": "IX. Recommendations",
    "s_quality": "X. Data quality",
    "s_appendix_krs": "Appendix 1. All key results",
    "s_appendix_log": "Appendix 2. Check-in log",
    "s_appendix_method": "Appendix 3. How the numbers are computed",
    "s_attention": "Needs a decision",
    "period": "Period",
    "as_of": "Data as of",
    "units_covered": "Units with data / total",
    "source": "Data source",
    "compare_base": "Compared with",
    "none_compare": "no comparison",
    "working_tree": "working tree (not committed to git)",
    "commit": "commit",
    "metric": "Measure",
    "this_period": "This period",
    "delta": "Change",
    "org_score": "Organisation roll-up score",
    "grade": "Grade",
    "grade_pending": "not graded (period not ended)",
    "on_time": "KRs checked in on time",
    "kpis_red": "KPIs in red",
    "n_krs": "Key results",
    "n_kpis": "KPIs",
    "nothing_attention": "Nothing needs a decision.",
    "s_attention_close": "Missed key results",
    "s_objectives_close": "III. Final results of the objectives",
    "nothing_attention_close": "No key result was missed.",
    "reason_missed_close": "missed",
    "reason_off_track": "off track, high weight",
    "reason_missed": "missed, high weight",
    "reason_overdue": "check-in overdue",
    "reason_kpi_red": "KPI in red",
    "reason_confidence": "confidence fell by 0.2 or more",
    "reason": "Reason",
    "latest_note": "Latest check-in note",
    "item": "Item",
    "unit": "Unit",
    "kr": "Key result",
    "baseline_target": "Baseline → target",
    "current": "Current",
    "date": "Date",
    "progress": "Progress",
    "pace": "Expected pace",
    "score": "Score",
    "status": "Status",
    "confidence": "Conf.",
    "objective_line": "Score {score} · {status}",
    "burnup_title": "Burn-up: {title}",
    "burnup_target": "target",
    "burnup_pace": "expected pace",
    "burnup_value": "check-in value",
    "no_objectives": "No objectives in scope.",
    "kpi": "KPI",
    "target": "Target",
    "alert": "Alert",
    "latest": "Latest value",
    "trend": "Trend in the period",
    "no_kpis": "No KPIs in scope.",
    "rolled_score": "Rolled-up score",
    "counts": "KRs by status",
    "freshness": "Checked in on time",
    "heatmap_title": "Unit status by week (at each week's end)",
    "week": "W{n}",
    "change": "Change",
    "kind_rebaseline": "rebaselined",
    "kind_added": "added",
    "kind_cancelled": "cancelled",
    "kind_changed": "changed (no rebaseline record)",
    "kind_correction": "check-in corrected",
    "late_item": "{ref} (check-in of {day}, committed {committed}, {commit})",
    "no_changes": "No changes during the period.",
    "placeholder": "(no content yet)",
    "overdue_items": "KRs and KPIs with overdue check-ins",
    "units_no_data": "Units with no data",
    "late_commits": "Check-ins committed after the as-of date",
    "late_unknown": "unknown (not a git repository)",
    "none": "none",
    "recipients": "Recipients:",
    "by": "By",
    "value": "Value",
    "note": "Note",
    "ref": "Ref",
    "no_checkins": "No check-ins in the period.",
    "method": (
        "Progress of a metric KR = (current − baseline) / (target − baseline). "
        "KR, objective and unit scores are exact weighted means. "
        "Expected pace = the elapsed share of the period (or the milestone schedule). "
        "Status is computed from the data, never self-declared. "
        "Grades are shown only once the period has ended. The report scores work, never people."
    ),
    "truncated": "… detail dropped to stay under {n} characters; see the full HTML report.",
    "no_charts": "(This Word edition has no charts: install resvg-py to get them; the HTML edition has them all.)",
    "footer": "Made by okrctl · scores work, never people",
    "headline": "Headline",
    "legend": "Legend",
    "page_of": "Page",
}

CATALOGUES = {"vi": VI, "en": EN}

#: a glyph per status, so a cell reads without colour
GLYPHS = {"done": "✓", "on_track": "●", "at_risk": "!", "off_track": "✕", "missed": "✗", "no_data": "–",
          "cancelled": "⊘", "green": "●", "amber": "!", "red": "✕", None: ""}
#: colour-blind-safe fills per status
COLOURS = {"done": "#1c518a", "on_track": "#247d29", "at_risk": "#e0a100", "off_track": "#af3333",
           "missed": "#6b1f1f", "no_data": "#bdbdbd", "cancelled": "#8c8c8c", "green": "#247d29",
           "amber": "#e0a100", "red": "#af3333", None: "#ffffff"}

#: the labels the close edition replaces by their ``KEY_close`` form
CLOSE_TITLES = ("s_attention", "s_objectives", "nothing_attention")

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class Labels:
    """``labels[key]`` in one locale; :meth:`status` for status words."""

    def __init__(self, locale: str, edition: str = "progress") -> None:
        self.locale = locale if locale in CATALOGUES else "en"
        self._c = dict(CATALOGUES[self.locale])
        if edition == "close":  # the close edition: the same places, titled for a period that has ended
            for key in CLOSE_TITLES:
                self._c[key] = self._c[key + "_close"]

    def __getitem__(self, key: str) -> str:
        return self._c[key]

    def __call__(self, key: str, **kw: object) -> str:
        return self._c[key].format(**kw)

    def status(self, s: str | None) -> str:
        return common(s, self.locale) if s else ""

    def num(self, x: object, places: int = 2) -> str:
        s = num(x, places) if not isinstance(x, float) else num(Decimal(repr(x)), places)
        return s.replace(".", ",") if self.locale == "vi" else s

    def pct(self, x: Fraction | None) -> str:
        return NONE if x is None else f"{self.num(x * 100, 0)}%"

    def day(self, d: date | None) -> str:
        if d is None:
            return NONE
        return f"{d.day:02d}/{d.month:02d}/{d.year}" if self.locale == "vi" else d.isoformat()

    def long_date(self, d: date, place: str = "") -> str:
        """Decree 30: "Hà Nội, ngày 05 tháng 3 năm 2026" — the day zero-padded below
        10, the month only for 1 and 2."""
        if self.locale != "vi":
            return f"{place + ', ' if place else ''}{d.strftime('%d %B %Y')}"
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        return f"{place + ', ' if place else ''}ngày {d.day:02d} tháng {month} năm {d.year}"

    def period(self, period) -> str:
        pid, kind = period.id, period.kind
        year = period.start.year if kind == "year" else int(pid[:4])
        if kind == "quarter":
            n = int(pid[-1])
            return f"quý {_ROMAN[n]} năm {year}" if self.locale == "vi" else f"Q{n} {year}"
        if kind == "half":
            n = int(pid[-1])
            return f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}" if self.locale == "vi" else f"H{n} {year}"
        return f"năm {pid}" if self.locale == "vi" else pid
