"""okrctl's writing commands on real files and real git repositories: checkin, measure,
init, period new, close, verify (okrctl.write and okrctl.cli.cmd_write).

Exit codes and stdout/stderr go through the real CLI in a subprocess (``run_okrctl``);
everything else calls okrctl.write in-process, which is much faster."""

from __future__ import annotations

import difflib
import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, head, init_repo, write
from okrctl.write import close, inputs, period_new, scaffold, workspace, yamledit
from okrctl.write.checkin import append_record
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource, blob_sha
from okrctl.write.errors import BadInput, Refused

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


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git

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


# ----------------------------------------------------------------------------- bytes


def test_checkin_adds_exactly_the_new_lines_below_the_last_checkin(tmp_path):
    root = make_ws(tmp_path / "ws")
    old = (root / P).read_bytes()
    r = checkin(root, KR1, "47.50", on=date(2026, 5, 10), confidence="0.7", by="tran.thi.b", note="Đã tích hợp 12 thủ tục")
    new = (root / P).read_bytes()
    at, added = split_insert(old, new)
    assert [x.decode() for x in added] == KR1_LINES
    assert old.split(b"\n")[at - 1].endswith(b'"B\xc3\xa1o c\xc3\xa1o s\xe1\xbb\x91 12/BC-SKHCN"]')  # right after the last check-in
    assert old.split(b"\n")[at] == b""  # … and above the blank line and the banner
    assert r.written and r.path == P and r.ref == KR1 and r.date == date(2026, 5, 10) and not r.spliced
    assert r.summary == "47.50 (confidence 0.7)"
    assert valid(root)


@pytest.mark.parametrize("bom,crlf", [(True, False), (False, True), (True, True)])
def test_bom_and_crlf_are_kept(tmp_path, bom, crlf):
    text = PERIOD.replace("\n", "\r\n") if crlf else PERIOD
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    root = make_ws(tmp_path / "ws", data)
    checkin(root, KR1, "47.50", on=date(2026, 5, 10), confidence="0.7", by="tran.thi.b", note="Đã tích hợp 12 thủ tục")
    new = (root / P).read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") == bom
    nl = b"\r\n" if crlf else b"\n"
    _, added = split_insert(data, new, nl)
    assert [x.decode() for x in added] == KR1_LINES
    if crlf:
        assert new.count(b"\n") == new.count(b"\r\n")


@pytest.mark.parametrize("bom,crlf", [(False, False), (True, True)])
def test_git_diff_shows_only_added_lines(tmp_path, bom, crlf):
    """What a reviewer sees: `git diff` of the check-in adds lines and removes none,
    on the sample's real files (comments, banners, flow lists, quoted strings,
    Vietnamese) as well as on a CRLF file with a BOM."""
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    text = PERIOD.replace("\n", "\r\n") if crlf else PERIOD
    write(root / P, (b"\xef\xbb\xbf" if bom else b"") + text.encode())
    units = (root / "units.yaml").read_text(encoding="utf-8") + "  - id: so-1\n    name: Sở thử nghiệm\n"
    write(root / "units.yaml", units)
    init_repo(root)
    git(root, "config", "core.autocrlf", "false")
    commit_all(root, "init")
    checkin(root, KR1, "47.50", on=date(2026, 5, 10), confidence="0.7", by="tran.thi.b", note="Đã tích hợp 12 thủ tục")
    checkin(root, "2026-Q2/so-khcn/O1/KR1", "78", on=date(2026, 5, 15), confidence="0.8", by="hoang.thi.g")
    checkin(root, "2026-Q2/so-khcn-cds/O1/KR1", "so-nganh", on=date(2026, 5, 15), by="le.van.d")
    numstat = git(root, "diff", "--numstat").strip().splitlines()
    assert sorted(numstat) == sorted([
        f"{len(KR1_LINES)}\t0\t{P}",
        "1\t0\tokrs/2026-Q2/so-khcn-cds.yaml",
        "1\t0\tokrs/2026-Q2/so-khcn.yaml",
    ])


def test_file_ruamel_cannot_reproduce_is_spliced(tmp_path):
    """The sample's multi-line flow mappings fail the round-trip gate: the check-in is
    spliced in as one flow line, every other byte untouched."""
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    path = ws / "okrs/2026-Q2/so-khcn.yaml"
    old = path.read_bytes()
    assert not yamledit.round_trips(old)
    r = checkin(ws, "2026-Q2/so-khcn/O1/KR1", "78", on=date(2026, 5, 15), confidence="0.8", by="hoang.thi.g",
                note="Thêm 3 thủ tục: cấp phép", evidence=["https://dichvucong.hanoi.gov.vn/thong-ke?q=1"])
    assert r.spliced
    at, added = split_insert(old, path.read_bytes())
    assert [x.decode() for x in added] == [
        '          - {date: 2026-05-15, value: 78, confidence: 0.8, by: hoang.thi.g, note: "Thêm 3 thủ tục: cấp phép", '
        'evidence: ["https://dichvucong.hanoi.gov.vn/thong-ke?q=1"]}'
    ]
    assert old.split(b"\n")[at - 1].strip().endswith(b"tr\xe1\xbb\xb1c tuy\xe1\xba\xbfn to\xc3\xa0n tr\xc3\xacnh}")
    # a KR without check-ins gets a block list at the end of its mapping
    old = path.read_bytes()
    checkin(ws, "2026-Q2/so-khcn/O1/KR3", "có", on=date(2026, 5, 15), by="nguyen.van.a")
    _, added = split_insert(old, path.read_bytes())
    assert [x.decode() for x in added] == [
        "          - {date: 2026-05-15, value: true, by: nguyen.van.a}",
    ]
    assert valid(ws)


def test_new_checkins_list_is_created_at_the_end_of_the_kr(tmp_path):
    root = make_ws(tmp_path / "ws")
    old = (root / P).read_bytes()
    checkin(root, "2026-Q2/so-1/O1/KR2", "yes", on=date(2026, 5, 10))
    at, added = split_insert(old, (root / P).read_bytes())
    assert [x.decode() for x in added] == ["        checkins:", "          - date: 2026-05-10", "            value: true"]
    assert old.split(b"\n")[at - 1] == b"        type: boolean"


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize("text,value", [
    ("62", Decimal(62)), ("62.50", Decimal("62.50")), ("-3", Decimal(-3)), (".5", Decimal("0.5")),
    ("1e3", Decimal(1000)), ("６２", Decimal(62)), ("\u22123", Decimal(-3)), ("+7", Decimal(7)),
])
def test_parse_number(text, value):
    got = inputs.parse_number(text)
    assert got == value and isinstance(got, Decimal)


@pytest.mark.parametrize("text,hint", [
    ("1,5", "1.5"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1,234", "ambiguous"),
    ("nan", "finite"), ("inf", "finite"), ("-Infinity", "finite"), ("1e400", "out of range"),
    ("62%", "without the % sign"), ("0x10", "plain decimal"), ("1_000", "without thousands separators"), ("1_0", "plain decimal"), ("abc", "not a number"), ("", "empty"),
])
def test_parse_number_refuses_with_a_hint(text, hint):
    with pytest.raises(BadInput, match="VALUE") as exc:
        inputs.parse_number(text)
    assert hint in exc.value.message


def test_parse_bool():
    assert [inputs.parse_bool(x) for x in ("true", "Yes", "CÓ", "co", "có")] == [True] * 5
    assert [inputs.parse_bool(x) for x in ("false", "no", "Không", "khong", "KHÔNG")] == [False] * 5
    with pytest.raises(BadInput, match="true or false"):
        inputs.parse_bool("1")


def test_milestones_are_merged_with_those_done_by_that_date(tmp_path):
    root = make_ws(tmp_path / "ws")
    r = checkin(root, "2026-Q2/so-1/O1/KR3", "m3", on=date(2026, 5, 10))
    assert r.item["done"] == ["m1", "m3"]  # m1 was done on 2026-04-20; written in milestone order
    r = checkin(root, "2026-Q2/so-1/O1/KR3", "m2, m1", on=date(2026, 5, 20))
    assert r.item["done"] == ["m1", "m2", "m3"]
    # a check-in dated before the others merges with what was done by ITS date
    r = checkin(root, "2026-Q2/so-1/O1/KR3", "m2", on=date(2026, 4, 25))
    assert r.item["done"] == ["m1", "m2"]
    assert "done: [m1, m2, m3]" in (root / P).read_text()
    with pytest.raises(BadInput, match=r"no milestone m9 \(its milestones: m1, m2, m3\)"):
        checkin(root, "2026-Q2/so-1/O1/KR3", "m1,m9", on=date(2026, 5, 10))
    assert valid(root)


def test_boolean_maintain_and_kpi_measure(tmp_path):
    root = make_ws(tmp_path / "ws")
    r = checkin(root, "2026-Q2/so-1/O1/KR2", "không", on=date(2026, 5, 3))
    assert r.item == {"date": date(2026, 5, 3), "value": False}
    r = checkin(root, "2026-Q2/so-1/O1/KR5", "0", on=date(2026, 5, 3))
    assert r.item["value"] == 0
    old = (root / P).read_bytes()
    r = append_record(root, "kpi", "so-1/K1", "97.9", on=date(2026, 5, 31), source_text="Hệ thống một cửa điện tử",
                             note="Tháng 5", by="tran.thi.b", by_default=False)
    assert r.ref == "2026-Q2/so-1/K1" and r.summary == "97.9"
    _, added = split_insert(old, (root / P).read_bytes())
    assert [x.decode() for x in added] == [
        "      - {date: 2026-05-31, value: 97.9, source: Hệ thống một cửa điện tử, note: Tháng 5, by: tran.thi.b}"]
    with pytest.raises(BadInput, match="is a KPI; record its value with: okrctl measure"):
        checkin(root, "2026-Q2/so-1/K1", "1", on=date(2026, 5, 3))
    with pytest.raises(BadInput, match="is a key result"):
        append_record(root, "kpi", KR1, "1", on=date(2026, 5, 3))
    assert valid(root)


def test_ref_without_period_uses_the_default_period_of_the_date(tmp_path):
    root = make_ws(tmp_path / "ws")
    r = checkin(root, "so-1/O1/KR1", "50", on=date(2026, 6, 1))
    assert r.ref == KR1
    with pytest.raises(BadInput, match="no period with files contains 2026-08-01"):
        checkin(root, "so-1/O1/KR1", "50", on=date(2026, 8, 1))


def test_default_date_of_an_ended_period_is_its_last_day(tmp_path):
    root = make_ws(tmp_path / "ws")
    today = workspace._today_in(load_workspace(WorkingTreeSource(root)).workspace.config)
    if today <= date(2026, 6, 30):
        pytest.skip("runs only once 2026-Q2 has ended")
    r = checkin(root, KR1, "50")
    assert r.date == date(2026, 6, 30)
    assert any("checkin_grace_days" in w for w in r.warnings)


def test_by_defaults_to_git_user_name(tmp_path):
    root = make_ws(tmp_path / "ws", repo=True)
    r = append_record(root, "kr", KR1, "50", on=date(2026, 5, 2))
    assert r.item["by"] == "Nguyễn Văn A"
    plain = make_ws(tmp_path / "plain")  # not in git: no `by`
    r = append_record(plain, "kr", KR1, "50", on=date(2026, 5, 2))
    assert "by" not in r.item


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("args,code,message", [
    ([KR1, "1,5"], 2, "use a dot as the decimal separator: 1.5"),
    ([KR1, "1e400"], 2, "out of range"),
    ([KR1, "nan"], 2, "not a finite number"),
    (["2026-Q2/so-1/O1/KR9", "3"], 2, "has no key result 'KR9'"),
    (["2026-Q2/so-9/O1/KR1", "3"], 2, "no unit 'so-9'"),
    (["2026-Q2/so-1/O1", "3"], 2, "is an objective"),
    ([KR1, "3", "--date", "2026-07-01"], 2, "lies outside 2026-Q2 (2026-04-01 .. 2026-06-30)"),
    ([KR1, "3", "--date", "2026-02-30"], 2, "is not a date"),
    ([KR1, "3", "--confidence", "70"], 2, "must lie between 0 and 1 (for 70% write 0.7)"),
    (["2026-Q2/so-1/O1/KR2", "maybe"], 2, "true or false"),
    (["2026-Q2/so-1/O1/KR4", "0.5"], 1, "aligned key result"),
    (["2026-Q2/so-1/O2/KR1", "3"], 1, "was cancelled on 2026-04-20"),
])
def test_cli_refusals_leave_the_file_unchanged(tmp_path, args, code, message):
    root = make_ws(tmp_path / "ws")
    before = sha_of(root / P)
    if "--date" not in args:
        args = [*args, "--date", "2026-05-10"]
    proc = run_okrctl("-C", str(root), "checkin", *args)
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert message in err and err.startswith("okrctl: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert sha_of(root / P) == before
    assert not list((root / "okrs/2026-Q2").glob(".*.tmp"))


def test_result_that_would_not_validate_is_refused(tmp_path):
    """A file that already has an error gets no check-in (exit 1), and nothing is written."""
    root = make_ws(tmp_path / "ws", PERIOD.replace("        target: 60\n", "        target: 60\n        weight: 0\n", 1)
                   .replace("      - id: KR2\n", "      - id: KR2\n        weight: 0\n", 1)
                   .replace("      - id: KR3\n", "      - id: KR3\n        weight: 0\n", 1)
                   .replace("      - id: KR4\n", "      - id: KR4\n        weight: 0\n", 1)
                   .replace("      - id: KR5\n", "      - id: KR5\n        weight: 0\n", 1))
    before = sha_of(root / P)
    with pytest.raises(Refused, match=r"would not be valid with this check-in: \d+:\d+ OKR222"):
        checkin(root, KR1, "50", on=date(2026, 5, 10))
    assert sha_of(root / P) == before


def test_non_round_trippable_file_is_refused_with_its_name(tmp_path):
    data = PERIOD.replace("value: 45\n", "value: 45\r\n", 1)  # mixed line endings
    root = make_ws(tmp_path / "ws", data)
    before = sha_of(root / P)
    proc = run_okrctl("-C", str(root), "checkin", KR1, "50", "--date", "2026-05-10")
    assert proc.returncode == 1
    assert proc.stderr.decode() == f"okrctl: {P} mixes CRLF and other line endings; okrctl cannot preserve that; edit it by hand\n"
    assert sha_of(root / P) == before


def test_closed_period_takes_no_checkins(tmp_path):
    root = make_ws(tmp_path / "ws")
    write(root / "okrctl.yaml", CONFIG.replace("locked_periods: []", "locked_periods: [2026-Q2]"))
    with pytest.raises(Refused, match="2026-Q2 is closed"):
        checkin(root, KR1, "50", on=date(2026, 5, 10))


# ----------------------------------------------------------------------------- --dry-run, --commit


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path):
    root = make_ws(tmp_path / "ws")
    before = (root / P).read_bytes()
    proc = run_okrctl("-C", str(root), "checkin", KR1, "47.50", "--date", "2026-05-10", "--confidence", "0.7",
                      "--by", "tran.thi.b", "--note", "Đã tích hợp 12 thủ tục", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert out.startswith(f"--- a/{P}\n+++ b/{P}\n@@ ")
    assert [x[1:] for x in out.splitlines() if x.startswith("+") and not x.startswith("+++")] == KR1_LINES
    assert not [x for x in out.splitlines() if x.startswith("-") and not x.startswith("---")]
    assert "dry run: nothing was written" in proc.stderr.decode()
    assert (root / P).read_bytes() == before
    assert not (root / "okrs/2026-Q2/.okrctl.lock").exists()


def test_commit_commits_only_that_file_with_trailers_and_no_hooks(tmp_path):
    root = make_ws(tmp_path / "ws", repo=True)
    marker = tmp_path / "hook-ran"
    for hook in ("pre-commit", "commit-msg", "post-commit"):
        h = root / ".git/hooks" / hook
        h.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
        h.chmod(0o755)
    write(root / "units.yaml", UNITS + "# staged, not part of the check-in\n")
    git(root, "add", "units.yaml")
    base = head(root)
    proc = run_okrctl("-C", str(root), "checkin", KR1, "62", "--date", "2026-05-10", "--confidence", "0.7", "--commit")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith(f"{P}: check-in 2026-05-10 added to {KR1}: 62 (confidence 0.7)\ncommitted ")
    assert not marker.exists()
    assert git(root, "rev-parse", "HEAD~1").strip() == base
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [P]
    assert git(root, "diff", "--cached", "--name-only").split() == ["units.yaml"]  # still staged
    assert git(root, "status", "--porcelain", "--", P) == ""
    assert git(root, "log", "-1", "--format=%B") == (
        f"okr: check-in {KR1} = 62 (confidence 0.7)\n\nOkr-Ref: {KR1}\nOkr-Date: 2026-05-10\n\n")
    assert git(root, "log", "--format=%H", "--grep", f"Okr-Ref: {KR1}").split() == [head(root)]
    # another uncommitted change in the same file: --commit refuses rather than commit it too
    write(root / P, (root / P).read_text() + "# sửa tay\n")
    before = sha_of(root / P)
    proc = run_okrctl("-C", str(root), "checkin", KR1, "63", "--date", "2026-05-11", "--commit")
    assert proc.returncode == 1 and "has uncommitted changes" in proc.stderr.decode()
    assert sha_of(root / P) == before


# ----------------------------------------------------------------------------- crashes and concurrency

WRITER = """
import sys, time
from datetime import date
from pathlib import Path
from okrctl.write import checkin
root, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
(go.parent / f"ready-{who}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(50):
    checkin.append_record(root, "kr", "2026-Q2/so-1/O1/KR1", str(50 + i), on=date(2026, 5, 10),
                         note=f"{who}-{i}", by=who, by_default=False, lock_timeout=60)
"""

SMALL = """\
objectives:
  - id: O1
    title: Một
    key_results:
      - id: KR1
        title: Số hồ sơ
        baseline: 0
        target: 100
        checkins:
          - date: 2026-04-30
            value: 5

# ===== KPI =====
kpis: []
"""


def test_two_processes_check_in_concurrently(tmp_path):
    root = make_ws(tmp_path / "ws", SMALL)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), who, str(go)], stderr=subprocess.PIPE)
             for who in ("p1", "p2")]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{w}").exists() for w in ("p1", "p2")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    res = load_workspace(WorkingTreeSource(root))
    assert not [d for d in res.diagnostics if d.severity == "error"]
    (kr,) = res.workspace.file("2026-Q2", "so-1").objectives[0].key_results
    notes = [c.note for c in kr.checkins[1:]]
    assert sorted(notes) == sorted(f"{w}-{i}" for w in ("p1", "p2") for i in range(50))
    for w in ("p1", "p2"):
        assert [n for n in notes if n.startswith(w)] == [f"{w}-{i}" for i in range(50)]
    _, added = split_insert(SMALL.encode(), (root / P).read_bytes())
    assert len(added) == 100 * 4  # date, value, by, note


KILLED = """
import sys, time
from datetime import date
from pathlib import Path
from okrctl.write import checkin
from okrctl.write import fsio
root, marker = Path(sys.argv[1]), Path(sys.argv[2])
real = fsio.atomic_write
def hook(tmp):
    marker.write_text(str(tmp))
    time.sleep(60)
fsio.atomic_write = lambda path, data, **kw: real(path, data, _before_replace=hook, **kw)
checkin.append_record(root, "kr", "2026-Q2/so-1/O1/KR1", "99", on=date(2026, 5, 10), by_default=False)
"""


def test_writer_killed_before_the_rename_leaves_the_file_intact(tmp_path):
    root = make_ws(tmp_path / "ws")
    original = (root / P).read_bytes()
    marker = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(root), str(marker)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "the writer exited early"
            assert time.monotonic() < deadline, "the writer never reached the rename"
            time.sleep(0.02)
        tmp = Path(marker.read_text())
        assert b"value: 99" in tmp.read_bytes()  # the new file was complete on disk
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert (root / P).read_bytes() == original
    assert valid(root)  # the stale .so-1.yaml.*.tmp is not a workspace file
    # the lock died with the process: the next check-in goes through
    checkin(root, KR1, "50", on=date(2026, 5, 10), lock_timeout=5)
    assert b"value: 50" in (root / P).read_bytes()


# ----------------------------------------------------------------------------- init


def test_init_creates_a_valid_workspace_and_never_overwrites(tmp_path):
    target = tmp_path / "okr"
    proc = run_okrctl("init", str(target), "--locale", "vi", "--name", "Sở Khoa học và Công nghệ", "--period", "2026-Q3")
    assert proc.returncode == 0, proc.stderr.decode()
    made = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert made == sorted([
        ".gitattributes", ".github/workflows/okrctl.yml", ".gitignore", ".pre-commit-config.yaml",
        ".vscode/settings.json", "okrctl.yaml", "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml",
        "schema/okr-file.schema.json", "schema/units.schema.json", "schema/workspace.schema.json", "units.yaml"])
    v = run_okrctl("-C", str(target), "validate")
    assert v.returncode == 0, v.stdout.decode() + v.stderr.decode()
    period_file = (target / "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml").read_text()
    assert period_file.startswith("# yaml-language-server: $schema=../../schema/okr-file.schema.json\n")
    assert "Nâng cao chất lượng phục vụ người dân" in period_file
    assert (target / "okrctl.yaml").read_text().startswith("# yaml-language-server: $schema=schema/workspace.schema.json\n")
    assert (target / "schema/okr-file.schema.json").read_bytes() == (SAMPLE.parent / "schema/okr-file.schema.json").read_bytes()
    assert json.loads((target / ".vscode/settings.json").read_text())["yaml.schemas"]["./schema/okr-file.schema.json"] == ["okrs/*/*.yaml"]
    assert "*.yaml text eol=lf" in (target / ".gitattributes").read_text()
    wf = (target / ".github/workflows/okrctl.yml").read_text()
    steps = yaml.safe_load(wf)["jobs"]["okrctl"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert [s.get("run") for s in steps[-2:]] == ["okrctl validate", 'okrctl check "origin/$BASE_REF"']
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert hooks == [{"id": "okrctl-validate"}]
    # the files okrctl writes to take its edits (no reformatting needed)
    for p in ("okrctl.yaml", "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml"):
        assert yamledit.round_trips((target / p).read_bytes()), p
    # again: refused, nothing written
    snapshot = {p: (target / p).read_bytes() for p in made}
    (target / "units.yaml").unlink()
    again = run_okrctl("init", str(target), "--name", "Khác", "--unit", "khac")
    assert again.returncode == 2
    assert "already exist" in again.stderr.decode() and "okrctl.yaml" in again.stderr.decode()
    assert not (target / "units.yaml").exists()
    assert {p: (target / p).read_bytes() for p in made if p != "units.yaml"} == {p: d for p, d in snapshot.items() if p != "units.yaml"}


def test_init_english_defaults(tmp_path):
    plan = scaffold.init_workspace(tmp_path / "en", today=date(2026, 5, 10))
    assert plan.unit == "example-agency" and plan.period == "2026-Q2"
    assert valid(tmp_path / "en")
    with pytest.raises(BadInput, match="--unit"):
        scaffold.plan_init(tmp_path / "x", unit="Bad_Unit")
    assert scaffold.slugify("Phòng Đổi mới sáng tạo & Khởi nghiệp") == "phong-doi-moi-sang-tao-khoi-nghiep"


# ----------------------------------------------------------------------------- period new


def test_period_new_from_the_sample(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    write(ws / "okrs/2026-Q3/so-khcn-dmst.yaml", "objectives: []\n")  # exists: must stay as it is
    plan = period_new.new_period(ws, "2026-Q3")
    assert plan.source == "2026-Q2"
    created = {nf.path: nf for nf in plan.files if nf.created}
    assert "okrs/2026-Q3/so-khcn-dmst.yaml" not in created
    assert ("okrs/2026-Q3/so-khcn-dmst.yaml", "exists; okrctl never overwrites a file") in plan.skipped
    assert (ws / "okrs/2026-Q3/so-khcn-dmst.yaml").read_text() == "objectives: []\n"
    assert valid(ws)
    res = load_workspace(WorkingTreeSource(ws))
    new = res.workspace
    f = new.file("2026-Q3", "so-khcn")
    o1 = f.objectives[0]
    kr1 = o1.key_results[0]
    # last value of 2026-Q2/so-khcn/O1/KR1 was 77 (2026-05-08): the new baseline
    assert (kr1.id, kr1.baseline, kr1.target, kr1.checkins, kr1.rebaselines) == ("KR1", 77, 80, (), ())
    assert o1.aligns_to == "2026/so-khcn/O1"  # an enclosing period's objective still resolves
    # sum KR: baseline + increments (0 + 3 + 2)
    o2 = f.objectives[1]
    assert o2.key_results[0].aggregate == "sum" and o2.key_results[0].baseline == 5
    # KR3 (cancelled) is not carried, KR4 (added after the lock) is, without its `added` record
    assert [k.id for k in o2.key_results] == ["KR1", "KR2", "KR4"] and o2.key_results[2].added is None
    assert [k.id for k in f.kpis] == ["K1", "K2"] and all(not k.measurements for k in f.kpis)
    # the aligned KR is carried because so-khcn-vp/O1 (carried too) still feeds it
    assert o1.key_results[1].type == "aligned"
    assert new.file("2026-Q3", "so-khcn-vp").objectives[0].aligns_to == "so-khcn/O1/KR2"
    text = (ws / "okrs/2026-Q3/so-khcn.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schema/okr-file.schema.json\n")
    assert "checkins" not in text and "rebaselines" not in text and "measurements" not in text
    assert "unit: so-khcn\nperiod: 2026-Q3\n" in text
    assert any("KR3: due 2026-06-15 lies outside 2026-Q3" in n for n in plan.notes)
    # the unit that ended on 2026-03-31 has no Q2 file; ha-noi has no Q2 file: neither appears
    assert not (ws / "okrs/2026-Q3/ha-noi.yaml").exists()


def test_period_new_cli_drops_alignment_that_no_longer_resolves(tmp_path):
    root = make_ws(tmp_path / "ws", PERIOD.replace("    owner: tran.thi.b\n", "    owner: tran.thi.b\n    aligns_to: so-2/O1\n", 1))
    write(root / "okrs/2026-Q2/so-2.yaml", textwrap.dedent("""\
        objectives:
          - id: O1
            title: Hai
            key_results:
              - {id: KR1, title: Một, baseline: 0, target: 10, checkins: [{date: 2026-06-30, value: 10}]}
        """))
    assert valid(root)
    proc = run_okrctl("-C", str(root), "period", "new", "2026-Q3")
    assert proc.returncode == 0, proc.stderr.decode()
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "created okrs/2026-Q3/so-1.yaml: O1 (KR1, KR2, KR3, KR4, KR5); O3 (KR1); KPIs K1" in out
    assert "skipped so-2: does not take part in 2026-Q3 (… .. 2026-06-30)" in out
    # so-2 does not go on, so O1's alignment to its objective goes
    assert "warning: 2026-Q3/so-1/O1: aligns_to 2026-Q2/so-2/O1 dropped (2026-Q3/so-2/O1 is not carried into 2026-Q3)" in err
    text = (root / "okrs/2026-Q3/so-1.yaml").read_text()
    assert "so-2" not in text
    assert "baseline: 45\n" in text  # KR1's last value
    assert "aligns_to: so-1/O1/KR4" in text  # same-period target, carried along
    assert "O2" not in text  # cancelled
    assert valid(root)
    again = run_okrctl("-C", str(root), "period", "new", "2026-Q3")
    assert again.returncode == 0 and "skipped okrs/2026-Q3/so-1.yaml: exists" in again.stdout.decode()
    assert (root / "okrs/2026-Q3/so-1.yaml").read_text() == text
    bad = run_okrctl("-C", str(root), "period", "new", "2026-Q5")
    assert bad.returncode == 2 and "not a period id" in bad.stderr.decode()


# ----------------------------------------------------------------------------- close and verify


@pytest.fixture
def closed(tmp_path):
    ws = tmp_path / "repo"
    shutil.copytree(SAMPLE, ws)
    init_repo(ws)
    commit_all(ws, "init")
    return ws


def test_close_then_verify_then_tamper(closed):
    ws = closed
    before = (ws / "okrctl.yaml").read_bytes()
    proc = run_okrctl("-C", str(ws), "close", "2026-Q1")
    assert proc.returncode == 0, proc.stderr.decode()
    sha = head(ws)
    assert git(ws, "log", "-1", "--format=%s").strip() == "okr: close 2026-Q1"
    assert git(ws, "show", "--name-only", "--format=", "HEAD").split() == ["okrctl.yaml"]
    # okrctl.yaml gained exactly the period in its flow list; every other byte is as it was
    after = (ws / "okrctl.yaml").read_bytes()
    assert after == before.replace(b"locked_periods: []         ", b"locked_periods: [2026-Q1]  ")
    assert git(ws, "rev-parse", "okr/close/2026-Q1^{commit}").strip() == sha
    message = git(ws, "tag", "-l", "--format=%(contents)", "okr/close/2026-Q1")
    record = close.parse_tag_message(message)
    assert list(record) == ["okrctl", "period", "as_of", "scores"]
    assert record["period"] == "2026-Q1" and record["as_of"] == "2026-03-31"
    score = run_okrctl("-C", str(ws), "score", "--period", "2026-Q1", "--as-of", "2026-03-31", "--format", "json")
    payload = json.loads(score.stdout)
    assert record["scores"] == {k: payload[k] for k in ("period", "as_of", "units")}

    ok = run_okrctl("-C", str(ws), "verify", "2026-Q1")
    assert ok.returncode == 0, ok.stdout.decode() + ok.stderr.decode()
    assert ok.stdout.decode().endswith("verified: 2026-Q1 is as it was closed\n")
    again = run_okrctl("-C", str(ws), "close", "2026-Q1")
    assert again.returncode == 1 and "already closed" in again.stderr.decode()

    # edit a closed period's check-in and commit it: verify fails (exit 1)
    path = ws / "okrs/2026-Q1/so-khcn.yaml"
    write(path, path.read_text().replace("value: 9.6, confidence: 0.4", "value: 9.0, confidence: 0.4"))
    commit_all(ws, "sửa số liệu quý I")
    bad = run_okrctl("-C", str(ws), "verify", "2026-Q1", "--format", "json")
    assert bad.returncode == 1
    out = json.loads(bad.stdout)
    assert out["command"] == "verify" and out["ok"] is False
    assert out["tagged"]["match"] is True and out["head"]["match"] is False
    assert {"ref": "2026-Q1/so-khcn/O2/KR1", "field": "value", "closed": 9.6, "now": 9.0} in out["head"]["differences"]
    assert [c["subject"] for c in out["later_commits"]] == ["sửa số liệu quý I"]
    assert out["later_commits"][0]["paths"] == ["okrs/2026-Q1/so-khcn.yaml"]
    text = run_okrctl("-C", str(ws), "verify", "2026-Q1")
    assert text.returncode == 1 and "sửa số liệu quý I" in text.stdout.decode()

    from okrctl.cli.app import app

    if any((c.name or c.callback.__name__) == "check" for c in app.registered_commands):
        chk = run_okrctl("-C", str(ws), "check", sha, "HEAD", "--format", "json")
        assert chk.returncode == 1, chk.stderr.decode()
        rules = {f["rule"] for f in json.loads(chk.stdout)["findings"]}
        assert "locked-period-changed" in rules

    missing = run_okrctl("-C", str(ws), "verify", "2026-Q2")
    assert missing.returncode == 2 and "no tag okr/close/2026-Q2" in missing.stderr.decode()


def test_close_refuses_uncommitted_changes_and_warns_about_missing_reviews(closed):
    ws = closed
    path = ws / "okrs/2026-Q1/so-khcn.yaml"
    write(path, path.read_text() + "# chưa commit\n")
    proc = run_okrctl("-C", str(ws), "close", "2026-Q1")
    assert proc.returncode == 1
    assert "uncommitted changes in okrs/2026-Q1/so-khcn.yaml" in proc.stderr.decode()
    assert git(ws, "tag", "-l") == ""
    git(ws, "checkout", "--", "okrs/2026-Q1/so-khcn.yaml")
    write(ws / "okrs/2026-Q1/.okrctl.lock", "")  # okrctl's own files do not count
    # 2026-Q2 as of its end: committed objectives below 1 without a review note
    result = close.close_period(ws, "2026-Q2")
    assert result.committed and result.tag == "okr/close/2026-Q2"
    assert any(w.startswith("2026-Q2/so-khcn/O1 (committed) missed its target") for w in result.warnings)
    assert b"locked_periods: [2026-Q2]" in (ws / "okrctl.yaml").read_bytes()
    assert close.verify_period(ws, "2026-Q2").ok
    # a check-in into a closed period is refused
    with pytest.raises(Refused, match="2026-Q2 is closed"):
        checkin(ws, "2026-Q2/so-khcn/O1/KR1", "79", on=date(2026, 6, 1))


def test_close_and_verify_a_workspace_in_a_subdirectory(tmp_path):
    repo = init_repo(tmp_path / "repo")
    ws = repo / "okr"
    make_ws(ws, PERIOD.replace("2026-04-30", "2026-01-30").replace("2026-04-20", "2026-01-20"))
    (ws / P).rename(ws / "okrs/2026-Q2/tmp.yaml")
    (ws / "okrs/2026-Q2").rename(ws / "okrs/2026-Q1")
    (ws / "okrs/2026-Q1/tmp.yaml").rename(ws / "okrs/2026-Q1/so-1.yaml")
    assert valid(ws)
    commit_all(repo, "init")
    result = close.close_period(ws, "2026-Q1")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["okr/okrctl.yaml"]
    assert result.committed and close.verify_period(ws, "2026-Q1").ok
    path = ws / "okrs/2026-Q1/so-1.yaml"
    write(path, path.read_text() + "# một dòng chú thích\n")
    commit_all(repo, "chú thích")
    r = close.verify_period(ws, "2026-Q1")
    assert not r.ok and all(c.match for c in r.comparisons)  # scores agree, but the file changed
    assert [c["paths"] for c in r.later_commits] == [["okrs/2026-Q1/so-1.yaml"]]


# ----------------------------------------------------------------------------- the splice path


CFG_ALIGNED = b"""\
name: A
scoring:
  grades:
    committed:    [{min: 1.0, label: green}, {min: 0, label: red}]
policy:
  lock_after_days: 14
  locked_periods: []          # closed periods
  backdate_days: 15
# end
"""


@pytest.mark.parametrize("before,after", [
    (CFG_ALIGNED, CFG_ALIGNED.replace(b"locked_periods: []          #", b"locked_periods: [2026-Q1]   #")),
    (CFG_ALIGNED.replace(b"locked_periods: []          # closed periods", b"locked_periods:\n    - 2025-Q4"),
     CFG_ALIGNED.replace(b"locked_periods: []          # closed periods", b"locked_periods:\n    - 2025-Q4\n    - 2026-Q1")),
    (CFG_ALIGNED.replace(b"  locked_periods: []          # closed periods\n", b""),
     CFG_ALIGNED.replace(b"  locked_periods: []          # closed periods\n", b"").replace(b"  backdate_days: 15\n", b"  backdate_days: 15\n  locked_periods: [2026-Q1]\n")),
    (b"name: A\n  # c\ncommitted:    [a]\n# end\n", b"name: A\n  # c\ncommitted:    [a]\npolicy:\n  locked_periods: [2026-Q1]\n# end\n"),
    (b"name: A\ncommitted:    [a]\npolicy:\n# end\n", b"name: A\ncommitted:    [a]\npolicy:\n  locked_periods: [2026-Q1]\n# end\n"),
])
def test_splice_to_list(before, after):
    assert not yamledit.round_trips(before)
    new = yamledit.splice_to_list(before, ["policy", "locked_periods"], "2026-Q1", if_absent=True)
    assert new == after
    assert yamledit.splice_to_list(new, ["policy", "locked_periods"], "2026-Q1", if_absent=True) == new


def test_splice_refuses_what_it_cannot_do_safely():
    multi = CFG_ALIGNED.replace(b"locked_periods: []", b"locked_periods: [2025-Q3,\n    2025-Q4]")
    with pytest.raises(yamledit.WriteRefused, match="flow list spanning lines"):
        yamledit.splice_to_list(multi, ["policy", "locked_periods"], "2026-Q1")
    flow = PERIOD.replace("""        checkins:
          - date: 2026-04-30
            value: 45
            evidence: [https://dichvucong.hanoi.gov.vn, "Báo cáo số 12/BC-SKHCN"]
""", "        checkins: [{date: 2026-04-30,\n                    value: 45}]\n").encode()
    with pytest.raises(yamledit.WriteRefused, match=r"is a flow list \(\[\.\.\.\]\)"):
        yamledit.splice_item(flow, ["objectives", 0, "key_results", 0], "checkins", {"date": date(2026, 5, 1), "value": 1})


def test_negative_value_on_the_command_line(tmp_path):
    root = make_ws(tmp_path / "ws")
    proc = run_okrctl("-C", str(root), "checkin", KR1, "-3", "--date", "2026-05-10", "--by", "x", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "+            value: -3\n" in proc.stdout.decode()
