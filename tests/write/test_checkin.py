"""okrctl checkin / measure on real files and real git repositories (okrctl.write.checkin
and okrctl.cli.cmd_write).

Exit codes and stdout/stderr go through the real CLI in a subprocess (``run_okrctl``);
everything else calls okrctl.write in-process, which is much faster."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, head, init_repo, write
from okrctl.write import workspace, yamledit
from okrctl.write.checkin import append_record
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.write.errors import BadInput, Refused
from writeutil import CONFIG, KR1, KR1_LINES, P, PERIOD, UNITS, checkin, make_ws, run_writers_together, sha_of, split_insert, valid


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


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


def test_by_defaults_to_a_handle_never_the_display_name(tmp_path, monkeypatch):
    monkeypatch.delenv("OKRCTL_HANDLE", raising=False)
    root = make_ws(tmp_path / "ws", repo=True)  # user.name is "Nguyễn Văn A"
    r = append_record(root, "kr", KR1, "50", on=date(2026, 5, 2), dry_run=True)
    assert "by" not in r.item and (r.by, r.by_from) == (None, None)
    git(root, "config", "okrctl.handle", "hoang.thi.g")
    r = append_record(root, "kr", KR1, "50", on=date(2026, 5, 2), dry_run=True)
    assert (r.item["by"], r.by_from) == ("hoang.thi.g", "git config okrctl.handle")
    plain = make_ws(tmp_path / "plain")  # not in git: the environment variable
    monkeypatch.setenv("OKRCTL_HANDLE", "le.van.c")
    r = append_record(plain, "kr", KR1, "50", on=date(2026, 5, 2))
    assert (r.item["by"], r.by_from) == ("le.van.c", "OKRCTL_HANDLE")


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
    run_writers_together(WRITER, root, tmp_path)
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
    part = marker.with_name(marker.name + ".part")
    part.write_text(str(tmp))
    part.replace(marker)  # the parent sees the marker whole or not at all
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


def test_negative_value_on_the_command_line(tmp_path):
    root = make_ws(tmp_path / "ws")
    proc = run_okrctl("-C", str(root), "checkin", KR1, "-3", "--date", "2026-05-10", "--by", "x", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "+            value: -3\n" in proc.stdout.decode()


def test_plain_checkin_leaves_no_lock_file_in_the_workspace(tmp_path):
    """Issue 12 #19: the lock lives in the git directory; after a plain check-in the
    only change is the edited file, so a later ``--commit`` is not refused."""
    root = make_ws(tmp_path / "ws", repo=True)
    proc = run_okrctl("-C", str(root), "checkin", KR1, "50", "--date", "2026-05-10")
    assert proc.returncode == 0, proc.stderr.decode()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == f" M {P}\n"
    assert list((root / ".git" / "okrctl" / "locks").iterdir())
    git(root, "checkout", "-q", "--", P)
    proc = run_okrctl("-C", str(root), "checkin", KR1, "51", "--date", "2026-05-11", "--commit")
    assert proc.returncode == 0, proc.stderr.decode()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_large_file_is_spliced_not_round_tripped():
    """Issue 12 #13 (the time is measured in bench/bench_checkin.py): a file over
    SPLICE_FIRST_BYTES is edited by the splice, which reads it with libyaml and
    renders one line, even when a ruamel round trip (~15 s of CPU for 1 MB) would work."""
    import datetime

    from okrctl.write.checkin import SPLICE_FIRST_BYTES, new_bytes_with_item

    head = "objectives:\n  - id: O1\n    key_results:\n      - id: KR1\n        checkins:\n"
    n = SPLICE_FIRST_BYTES // 40 + 10
    data = (head + "".join(f"          - {{date: 2026-04-{1 + i * 29 // n:02d}, value: {i % 20}}}\n"
                           for i in range(n))).encode()
    assert len(data) > SPLICE_FIRST_BYTES
    new, spliced = new_bytes_with_item(data, ["objectives", 0, "key_results", 0], "checkins",
                                       {"date": datetime.date(2026, 5, 10), "value": 95}, "big.yaml")
    assert spliced is True
    assert new == data + b"          - {date: 2026-05-10, value: 95}\n"
