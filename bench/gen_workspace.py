"""Generate a synthetic, valid okrctl workspace of N units × M quarters, and its
history as a git repository.

    uv run python bench/gen_workspace.py OUT_DIR --units 50 --quarters 4 [--seed 1]
    uv run python bench/gen_workspace.py OUT_REPO --units 2000 --quarters 4 --commits 20000

Each unit-quarter file has 5 objectives × 3 KRs × 13 weekly check-ins and 3 KPIs
with monthly measurements, Vietnamese titles and comments (≈ 33 KB, like the
files measured in shared/research/performance.md).  Output is deterministic.

With ``--commits N`` OUT_REPO becomes a git repository whose history is the year
week by week (:func:`build_history`): every unit commits its period file of the
current quarter each week with the check-ins and measurements dated up to that
week, several units per commit so that the weeks add up to about N commits; the
last commit changes one value in one file (the one-file change ``check`` and
``diff`` are measured on).  The working tree at HEAD is the generated workspace
except for that one value.  2,000 units × 4 quarters with 20,000 commits (the city
of issue 10) take about 1–2 minutes, streamed into one ``git fast-import``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
from datetime import date, datetime, timedelta, timezone
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


_DATED = re.compile(r"\s*- (?:\{)?date: (\d{4}-\d{2}-\d{2})")


class Snapshots:
    """A period file as it stood at any date: check-ins and measurements dated
    after it left out, and a list left empty dropped with its key.  The file is cut
    into segments once; each snapshot is one join (≈ 30 µs, not a re-scan)."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        #: (first date that makes the segment visible or None for always, text)
        self.segments: list[tuple[date | None, str]] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.strip() in ("checkins:", "measurements:"):
                nxt = _DATED.match(lines[i + 1]) if i + 1 < len(lines) else None
                self.segments.append((date.fromisoformat(nxt.group(1)) if nxt else None, line))
                i += 1
                continue
            m = _DATED.match(line)
            if m:
                indent = len(line) - len(line.lstrip())
                j = i + 1
                while j < len(lines) and lines[j].strip() and (len(lines[j]) - len(lines[j].lstrip())) > indent:
                    j += 1
                self.segments.append((date.fromisoformat(m.group(1)), "\n".join(lines[i:j])))
                i = j
                continue
            self.segments.append((None, line))
            i += 1

    def at(self, cutoff: date) -> str:
        return "\n".join(t for d, t in self.segments if d is None or d <= cutoff)


def _git(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, **kw)


def build_history(repo: Path, units: int, quarters: int, commits: int, seed: int = 1) -> dict:
    """A git repository at ``repo`` whose history is the generated workspace week by
    week (see the module docstring); returns facts about it.  Deterministic: the same
    arguments give the same commit ids."""
    src = repo / ".gen"
    files = generate(src, units, quarters, seed)
    year = 2025
    paths: dict[str, list[Path]] = {}
    for p in files:
        paths.setdefault(p.parent.name, []).append(p)
    current: dict[str, list[tuple[str, Snapshots]]] = {}  # one quarter's files in memory at a time
    _git(repo, "init", "-q", "-b", "main")
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet", "--force"], stdin=subprocess.PIPE,
                            env={**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
                                 "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"})
    out = proc.stdin
    assert out is not None
    author = "Nguyễn Văn A <a@example.org>".encode()
    t0 = int(datetime(year, 1, 3, 9, 0, tzinfo=timezone(timedelta(hours=7))).timestamp())
    made = 0

    def commit(message: str, changes: list[tuple[str, bytes]], ts: int) -> None:
        nonlocal made
        made += 1
        msg = message.encode()
        head = [b"commit refs/heads/main\nmark :%d\n" % made, b"author " + author + b" %d +0700\n" % ts,
                b"committer " + author + b" %d +0700\n" % ts, b"data %d\n" % len(msg), msg, b"\n"]
        for path, data in changes:
            head += [b"M 100644 inline ", path.encode(), b"\ndata %d\n" % len(data), data, b"\n"]
        head.append(b"\n")
        out.write(b"".join(head))

    commit("Khởi tạo không gian làm việc", [("okrctl.yaml", (src / "okrctl.yaml").read_bytes()),
                                            ("units.yaml", (src / "units.yaml").read_bytes())], t0 - 86400)
    weeks = 13 * quarters  # a quarter's 13th week commits its files complete
    base, extra = divmod(max(0, commits - 2), weeks)  # commits in one week: base, +1 in the first `extra` weeks
    final: dict[str, str] = {}
    for week in range(weeks):
        cutoff = date(year, 1, 3) + timedelta(days=7 * week)
        q = week // 13 + 1
        quarter = f"{year + (q - 1) // 4}-Q{(q - 1) % 4 + 1}"
        if quarter not in current:
            current.clear()
            current[quarter] = [(p.stem, Snapshots(p.read_text(encoding="utf-8"))) for p in paths[quarter]]
        unit_files = current[quarter]
        per_week = max(1, min(units, base + (week < extra)))
        for c in range(per_week):
            chunk = unit_files[c * len(unit_files) // per_week:(c + 1) * len(unit_files) // per_week]
            changes = []
            for uid, snap in chunk:
                path = f"okrs/{quarter}/{uid}.yaml"
                text = snap.at(cutoff) if week % 13 != 12 else snap.at(date.max)
                final[path] = text
                changes.append((path, text.encode()))
            first = chunk[0][0]
            commit(f"{first}: cập nhật tuần {week + 1}" + (f" (+{len(chunk) - 1} đơn vị)" if len(chunk) > 1 else "")
                   + f"\n\nOkr-Ref: {quarter}/{first}", changes, t0 + week * 7 * 86400 + c * 60)
    # the one-file change: a correction (FORMAT §5: a second check-in with the same
    # date, appended after the first) in the traced unit's last file
    path = f"okrs/{quarter}/{'so-0000' if units > 1 else 'tp'}.yaml"
    text = final[path]
    first = re.search(r"\n          - date: (\S+)\n            value: (\S+)\n(?:            .*\n)*", text)
    assert first is not None
    fix = (f"          - date: {first.group(1)}\n            value: {float(first.group(2)) + 0.1:.1f}\n"
           "            by: can.bo.sua\n            note: Đính chính số liệu\n")
    text = text[:first.end()] + fix + text[first.end():]
    commit("so-0000: đính chính số liệu", [(path, text.encode())], t0 + weeks * 7 * 86400)
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    _git(repo, "reset", "-q", "--hard", "main")
    for p in sorted(src.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    src.rmdir()
    return {"commits": made, "weeks": weeks, "per_week": base, "changed": path}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--quarters", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commits", type=int, help="build a git repository with about this many commits")
    a = ap.parse_args()
    if a.commits:
        facts = build_history(a.out, a.units, a.quarters, a.commits, a.seed)
        print(f"wrote {facts['commits']} commits ({facts['weeks']} weeks x {facts['per_week']}) to {a.out}")
        return
    files = generate(a.out, a.units, a.quarters, a.seed)
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} period files, {size / 1e6:.1f} MB, to {a.out}")


if __name__ == "__main__":
    main()
