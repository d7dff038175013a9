"""Generate a synthetic, valid okrctl workspace of N units × M quarters.

    uv run python bench/gen_workspace.py OUT_DIR --units 50 --quarters 4 [--seed 1]

Each unit-quarter file has 5 objectives × 3 KRs × 13 weekly check-ins and 3 KPIs
with monthly measurements, Vietnamese titles and comments (≈ 25 KB, like the
files measured in shared/research/performance.md).  Output is deterministic.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

TITLES = [
    "Đẩy mạnh chuyển đổi số trong quản lý nhà nước",
    "Nâng cao chất lượng dịch vụ công trực tuyến toàn trình",
    "Phát triển hệ sinh thái đổi mới sáng tạo",
    "Tăng cường ứng dụng khoa học và công nghệ",
    "Cải cách thủ tục hành chính, giảm thời gian xử lý hồ sơ",
]
KR_TITLES = [
    "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến",
    "Số doanh nghiệp khởi nghiệp được hỗ trợ",
    "Số ngày xử lý hồ sơ trung bình",
]


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    end = (date(year + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
    return start, end


def unit_file(rng: random.Random, unit: str, year: int, q: int) -> str:
    start, end = quarter_bounds(year, q)
    out = [
        "# yaml-language-server: $schema=../../schema/okr-file.schema.json",
        f"# Kế hoạch OKR quý {q}/{year} — đơn vị {unit}",
        "objectives:",
    ]
    for oi in range(5):
        out += [
            f"  - id: O{oi + 1}",
            f"    title: {TITLES[oi]} ({unit})",
            f"    owner: can.bo.{oi}",
            f"    kind: {'aspirational' if oi == 4 else 'committed'}",
            f"    weight: {1 + oi % 2}",
            "    key_results:",
        ]
        for ki in range(3):
            base = rng.randint(10, 50)
            target = base + rng.randint(10, 50)
            dec = ki == 2
            if dec:
                base, target = target, base
            out += [
                f"      - id: KR{ki + 1}",
                f"        title: {KR_TITLES[ki]}",
                '        unit: "%"' if ki == 0 else ("        unit: ngày" if dec else "        unit: doanh nghiệp"),
                f"        baseline: {base}",
                f"        target: {target}",
                "        frequency: weekly",
                "        checkins:",
            ]
            v = float(base)
            for w in range(13):
                d = start + timedelta(days=7 * w + 4)
                if d > end:
                    break
                v += (target - base) / 14 * rng.uniform(0.5, 1.5)
                out += [
                    f"          - date: {d.isoformat()}",
                    f"            value: {v:.1f}",
                    f"            confidence: {rng.choice(['0.5', '0.6', '0.7', '0.8', '0.9'])}",
                    f"            by: can.bo.{oi}",
                ]
                if w % 3 == 0:
                    out.append(f"            note: Đã cập nhật số liệu tuần {w + 1}, theo báo cáo số {rng.randint(1, 300)}/BC-{unit.upper()}")
    out.append("# ---- Chỉ số KPI ----")
    out.append("kpis:")
    for k in range(3):
        out += [
            f"  - id: K{k + 1}",
            f"    title: Tỷ lệ hồ sơ giải quyết đúng hạn {k + 1}",
            '    unit: "%"',
            "    target: 95",
            "    alert: 90",
            "    frequency: monthly",
            "    measurements:",
        ]
        for m in range(3):
            d = quarter_bounds(year, q)[0].replace(month=3 * (q - 1) + m + 1, day=28)
            out.append(f"      - {{date: {d.isoformat()}, value: {rng.uniform(85, 99):.1f}, source: Hệ thống một cửa điện tử}}")
    return "\n".join(out) + "\n"


def generate(root: Path, units: int, quarters: int, seed: int = 1, year: int = 2025) -> list[Path]:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "okrctl.yaml").write_text(
        "name: Thành phố thử nghiệm\nlocale: vi\ntimezone: Asia/Ho_Chi_Minh\nas_of: "
        f"{year}-11-15\n", encoding="utf-8")
    lines = ["units:", "  - id: tp", "    name: UBND Thành phố"]
    ids = []
    for i in range(units - 1):
        uid = f"so-{i:04d}" if i < 20 else f"phong-{i:04d}"
        parent = "tp" if i < 20 else f"so-{i % 20:04d}"
        lines += [f"  - id: {uid}", f"    name: Đơn vị số {i}", f"    parent: {parent}"]
        ids.append(uid)
    (root / "units.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = []
    for q in range(1, quarters + 1):
        d = root / "okrs" / f"{year + (q - 1) // 4}-Q{(q - 1) % 4 + 1}"
        d.mkdir(parents=True, exist_ok=True)
        for uid in ["tp", *ids]:
            p = d / f"{uid}.yaml"
            p.write_text(unit_file(rng, uid, year + (q - 1) // 4, (q - 1) % 4 + 1), encoding="utf-8")
            written.append(p)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--quarters", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    files = generate(a.out, a.units, a.quarters, a.seed)
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} period files, {size / 1e6:.1f} MB, to {a.out}")


if __name__ == "__main__":
    main()
