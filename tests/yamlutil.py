"""Helpers shared by the tests of okrctl.write.yamledit: a period file with the usual
hazards, and the generic checks every append must pass."""

from __future__ import annotations

import difflib
import textwrap
from datetime import date
from decimal import Decimal

import yaml as pyyaml
from ruamel.yaml import YAML

from okrctl.write.yamledit import append_item

KR0 = ["objectives", 0, "key_results", 0]
ITEM = {"date": date(2026, 5, 10), "value": Decimal("62.5"), "by": "tran.thi.b"}
ITEM_LINES = ["- date: 2026-05-10", "  value: 62.5", "  by: tran.thi.b"]


# ----------------------------------------------------------------------------- helpers


def b(s: str) -> bytes:
    return textwrap.dedent(s).encode()


def load12(data: bytes):
    return YAML(typ="safe", pure=True).load(data)


def load11(data: bytes):
    return pyyaml.safe_load(data)


def added_lines(old: bytes, new: bytes) -> list[bytes]:
    """The lines ``new`` adds to ``old``; fails if any line was removed or changed."""
    a, z = old.split(b"\n"), new.split(b"\n")
    ops = difflib.SequenceMatcher(None, a, z, autojunk=False).get_opcodes()
    bad = [op for op in ops if op[0] not in ("equal", "insert")]
    assert not bad, f"changed or removed lines: {bad}\n{new.decode()}"
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in z[j1:j2]]


def insertion_index(old: bytes, new: bytes) -> int:
    """Index (in old lines) before which the single inserted block sits."""
    a, z = old.split(b"\n"), new.split(b"\n")
    ops = [op for op in difflib.SequenceMatcher(None, a, z, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert len(ops) == 1 and ops[0][0] == "insert", ops
    return ops[0][1]


def with_item(doc, path, key, item):
    node = doc
    for step in path:
        node = node[step]
    node.setdefault(key, None)
    if node[key] is None:
        node[key] = []
    node[key].append(item)
    return doc


def plain_item(item):
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in item.items()}


def check_append(old: bytes, path, key, item, **kw) -> bytes:
    """append_item + the generic properties every append must have."""
    new = append_item(old, path, key, item, **kw)
    added_lines(old, new)
    expected = with_item(load12(old), path, key, plain_item(item))
    assert load12(new) == expected
    assert load11(new) == with_item(load11(old), path, key, plain_item(item))
    return new


# A period file in the shape of FORMAT.md §5, with the hazards of reliability.md area W:
# quotes of both kinds, Vietnamese, a flow list inside an item, an inline comment on the
# last line of the last check-in, and a banner after the list.
PERIOD = b("""\
    # Kế hoạch OKR quý 2/2026
    objectives:
      - id: O1
        title: Đẩy mạnh chuyển đổi số trong quản lý nhà nước
        owner: 'tran.thi.b'
        kind: committed          # committed (default) | aspirational
        key_results:
          - id: KR1
            title: "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình"
            unit: "%"
            baseline: 45
            target: 80
            checkins:
              - date: 2026-04-15 # the last day the value describes
                value: 52
                evidence: [https://dichvucong.hanoi.gov.vn/bao-cao/2026-04, "Báo cáo số 12/BC-SKHCN"]

              - date: 2026-04-30
                value: 55.5
                note: 'Đã tích hợp 12 thủ tục mới'   # xác nhận

    # ===== Phần 2: KPI =====
    kpis:
      - id: K1
        title: Tỷ lệ hồ sơ giải quyết đúng hạn
        measurements:
          - {date: 2026-04-30, value: 97.2, source: Hệ thống một cửa}
    """)
