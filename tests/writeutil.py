"""A small hand-written workspace and helpers shared by the tests of okrctl's writing
commands (tests/write/ and tests/write/yamledit/)."""

from __future__ import annotations

import difflib
from pathlib import Path

from gitutil import commit_all, init_repo, write
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource, blob_sha
from okrctl.write.checkin import append_record

P = "okrs/2026-Q2/so-1.yaml"
KR1 = "2026-Q2/so-1/O1/KR1"

CONFIG = """\
# yaml-language-server: $schema=schema/workspace.schema.json
name: Sở Thử nghiệm
locale: vi
timezone: Asia/Ho_Chi_Minh
policy:
  locked_periods: []          # okrctl close thêm kỳ vào đây
"""

UNITS = """\
units:
  - id: so-1
    name: Sở Một
  - id: so-2
    name: Sở Hai
    until: 2026-06-30
"""

# A hand-written period file: comments, a banner after a check-in list, flow lists,
# quoted strings, Vietnamese text, and key results of every type that takes check-ins.
PERIOD = """\
# yaml-language-server: $schema=../../schema/okr-file.schema.json
# OKR quý II/2026 — "Sở Một" (bản thử)

objectives:
  - id: O1
    title: "Chuyển đổi số: toàn diện"   # có dấu hai chấm nên phải đặt trong ngoặc kép
    owner: tran.thi.b
    key_results:
      - id: KR1
        title: 'Tỷ lệ hồ sơ xử lý trực tuyến toàn trình'
        unit: "%"
        baseline: 40
        target: 60
        checkins:
          - date: 2026-04-30
            value: 45
            evidence: [https://dichvucong.hanoi.gov.vn, "Báo cáo số 12/BC-SKHCN"]

        # ===== Phần 2: các kết quả khác =====
      - id: KR2
        title: Ban hành kế hoạch
        type: boolean
      - id: KR3
        title: Trợ lý ảo
        type: milestone
        milestones:
          - {id: m1, title: Dữ liệu, weight: 2}
          - {id: m2, title: Thí điểm}
          - {id: m3, title: Mở rộng}
        checkins:
          - {date: 2026-04-20, done: [m1]}
      - id: KR4
        title: Tổng hợp
        type: aligned
      - id: KR5
        title: Không để xảy ra sự cố
        type: maintain
        threshold: 0
        direction: decrease
  - id: O2
    title: Thí điểm đã huỷ
    cancelled: {date: 2026-04-20, reason: Lùi sang quý III, approved_by: ngo.van.c}
    key_results:
      - {id: KR1, title: Số văn bản, baseline: 0, target: 10}
  - id: O3
    title: Góp vào KR4
    aligns_to: so-1/O1/KR4
    key_results:
      - {id: KR1, title: Số lớp học, baseline: 0, target: 4}

# ============================================================================
kpis:
  - id: K1
    title: Tỷ lệ đúng hạn
    target: 98
    measurements:
      - {date: 2026-04-30, value: 97.2, source: Hệ thống một cửa}
# hết tệp
"""

KR1_LINES = [
    "          - date: 2026-05-10",
    "            value: 47.50",
    "            confidence: 0.7",
    "            by: tran.thi.b",
    "            note: Đã tích hợp 12 thủ tục",
]


def make_ws(root: Path, period: str | bytes = PERIOD, *, repo: bool = False) -> Path:
    write(root / "okrctl.yaml", CONFIG)
    write(root / "units.yaml", UNITS)
    write(root / P, period)
    if repo:
        init_repo(root)
        commit_all(root, "init")
    return root


def split_insert(old: bytes, new: bytes, sep: bytes = b"\n") -> tuple[int, list[bytes]]:
    """``new`` must be ``old`` with one block of whole lines inserted: return the index (in
    old lines) of the insertion and the inserted lines."""
    a, z = old.split(sep), new.split(sep)
    ops = [op for op in difflib.SequenceMatcher(None, a, z, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert len(ops) == 1 and ops[0][0] == "insert", ops
    _, i1, _, j1, j2 = ops[0]
    assert z[:j1] + z[j2:] == a  # every original line, in order, byte for byte
    return i1, z[j1:j2]


def checkin(root: Path, ref: str, value: str, **kw):
    kw.setdefault("by_default", False)
    return append_record(root, "kr", ref, value, **kw)


def sha_of(path: Path) -> str:
    return blob_sha(path.read_bytes())


def valid(root: Path) -> bool:
    res = load_workspace(WorkingTreeSource(root))
    return res.workspace is not None and not any(d.severity == "error" for d in res.diagnostics)


def run_writers_together(script: str, target: Path, tmp_path: Path, writers=("p1", "p2")) -> None:
    """Start one process per writer running ``script`` (argv: target, writer, go-file),
    wait until each has written ``tmp_path/ready-<writer>``, release them all at once by
    creating the go-file, and require that every one exits 0."""
    import subprocess
    import sys
    import time

    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(target), who, str(go)], stderr=subprocess.PIPE)
             for who in writers]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{w}").exists() for w in writers):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
