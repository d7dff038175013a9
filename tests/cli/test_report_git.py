"""``okrctl report`` with git: section 7 (changes with their commits, definition
changes, items added, check-in corrections) and section 9 (check-ins committed
after the as-of date), on a real repository with fixed commit dates; without git,
section 9 says the answer is unknown."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, init_repo

NOTE = "             note: Đưa thêm 6 thủ tục lĩnh vực sở hữu trí tuệ lên trực tuyến toàn trình}\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    ws = tmp_path_factory.mktemp("report-git") / "ws"
    shutil.copytree(SAMPLE, ws)
    f = ws / "okrs/2026-Q2/so-khcn.yaml"
    final = f.read_text(encoding="utf-8")
    no_rebaseline = final.replace("        target: 80\n        direction: increase",
                                  "        target: 90\n        direction: increase", 1)
    no_rebaseline = re.sub(r"        rebaselines:\n          - \{date: 2026-04-28.*?approved_by: ngo.van.c\}\n", "",
                           no_rebaseline, count=1, flags=re.S)
    plan = re.sub(r"      # Bổ sung sau ngày khoá.*?lấy ý kiến các sở, ngành\"\}\n", "", no_rebaseline,
                  count=1, flags=re.S)
    corrected = final.replace(NOTE, NOTE + "          - {date: 2026-05-08, value: 76, confidence: 0.8, "
                              "by: hoang.thi.g, note: Sửa số liệu}\n", 1)
    assert len({final, no_rebaseline, plan, corrected}) == 4
    init_repo(ws)
    shas = {}
    for name, text, when in (("plan", plan, "2026-03-28T09:00:00+07:00"),
                             ("added", no_rebaseline, "2026-04-22T09:00:00+07:00"),
                             ("rebaseline", final, "2026-04-28T09:00:00+07:00"),
                             ("correction", corrected, "2026-05-20T09:00:00+07:00")):
        f.write_text(text, encoding="utf-8")
        shas[name] = commit_all(ws, name, when)
    return ws, shas


def test_changes_and_late_checkins_from_git(repo):
    ws, shas = repo
    r = run_okrctl("-C", str(ws), "report", "--format", "md", "--locale", "en")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    # the workspace is the repository's top and committed as it is: the source is HEAD
    assert f"** commit {shas['correction'][:12]} (2026-05-20)  \n" in out
    rows = [ln for ln in out.splitlines() if re.match(r"\| 2026-\d\d-\d\d \|", ln)]
    assert len(rows) == 4, rows
    assert f"| 2026-04-20 | cancelled · commit {shas['plan'][:7]} |" in rows[0]
    assert f"| 2026-04-22 | added · commit {shas['added'][:7]} |" in rows[1]
    assert f"| 2026-04-28 | rebaselined · commit {shas['rebaseline'][:7]} |" in rows[2]
    assert "target: 90 → 80" in rows[2] and "38 thủ tục được phân cấp" in rows[2]
    assert f"| 2026-05-08 | check-in corrected · commit {shas['correction'][:7]} |" in rows[3]
    assert "\\#2: 77 → 76" in rows[3] and "2026-Q2/so-khcn/O1/KR1" in rows[3]
    html = run_okrctl("-C", str(ws), "report", "--format", "html", "--locale", "en").stdout.decode()
    assert (f"<td>2026-Q2/so-khcn/O1/KR1 (check-in of 2026-05-08, committed 2026-05-20, {shas['correction'][:7]})"
            "</td>") in html


def test_rev_before_the_correction_has_no_late_checkin(repo):
    ws, shas = repo
    r = run_okrctl("-C", str(ws), "report", "--format", "html", "--locale", "en", "--rev", shas["rebaseline"])
    assert r.returncode == 0, r.stderr
    html = r.stdout.decode()
    assert "Check-ins committed after the as-of date</th><td>none</td>" in html
    assert "check-in corrected" not in html
    assert f"rebaselined · commit {shas['rebaseline'][:7]}" in html


def test_unrecorded_target_change(tmp_path, repo):
    src, _ = repo
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    f = ws / "okrs/2026-Q2/so-khcn-vp.yaml"
    init_repo(ws)
    commit_all(ws, "plan", "2026-03-28T09:00:00+07:00")
    text = f.read_text(encoding="utf-8")
    m = re.search(r"\n        target: (\d+)\n", text)
    assert m
    f.write_text(text.replace(m.group(0), "\n        target: 999\n", 1), encoding="utf-8")
    sha = commit_all(ws, "quiet change", "2026-05-02T09:00:00+07:00")
    out = run_okrctl("-C", str(ws), "report", "--locale", "en").stdout.decode()
    assert f"| 2026-05-02 | changed (no rebaseline record) · commit {sha[:7]} |" in out
    assert f"target: {m.group(1)} → 999" in out


def test_without_git_late_checkins_unknown(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    html = run_okrctl("-C", str(ws), "report", "--format", "html", "--locale", "en").stdout.decode()
    assert "Check-ins committed after the as-of date</th><td>unknown (not a git repository)</td>" in html
    assert "· commit" not in html


def test_record_correction_without_git(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    out = run_okrctl("-C", str(ws), "report", "--locale", "en", "--period", "2026-Q1").stdout.decode()
    assert ("| 2026-02-28 | check-in corrected | Số cán bộ, công chức được đào tạo kỹ năng số cơ bản "
            "(`2026-Q1/so-khcn-cds/O1/KR2`) | \\#2: 120 → 115 |  |") in out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_editions(tmp_path, fmt):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    progress = run_okrctl("-C", str(ws), "report", "--locale", "en", "--period", "2026-Q1", "--format", fmt)
    close = run_okrctl("-C", str(ws), "report", "--locale", "en", "--period", "2026-Q1", "--format", fmt,
                       "--edition", "close")
    assert progress.returncode == close.returncode == 0, close.stderr
    p, c = progress.stdout.decode(), close.stdout.decode()
    assert "Needs a decision" in p and "Missed key results" not in p
    assert "Missed key results" in c and "Needs a decision" not in c
    missed = ["2026-Q1/so-khcn/O2/KR1", "2026-Q1/so-khcn/O2/KR2", "2026-Q1/so-khcn-cds/O1/KR1",
              "2026-Q1/so-khcn-qlcn/O1/KR1", "2026-Q1/phuong-hoan-kiem/O2/KR1"]
    attention = c.split("Missed key results")[1].split("VI. Changes")[0].split("III. Final results")[0]
    if fmt == "md":
        assert [m for m in missed if m in attention] == missed
        assert attention.count("2026-Q1/") == len(missed)
        assert "| Grade | yellow |" in c
    else:
        assert attention.count("<td>missed</td>") == len(missed)
        assert '<td>Grade</td><td class="n">yellow</td>' in c
        assert "III. Final results of the objectives" in c and "III. Objectives" in p
        assert "III. Objectives" not in c


def test_close_edition_before_the_period_ends(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    r = run_okrctl("-C", str(ws), "report", "--edition", "close")
    assert r.returncode == 2
    assert r.stderr.decode().strip().splitlines() == [
        "okrctl: --edition close is for a period that has ended: 2026-Q2 ends 2026-06-30, after the as-of date "
        "2026-05-15 (use --as-of or the progress edition)"]
    assert run_okrctl("-C", str(ws), "report", "--edition", "close", "--as-of", "2026-06-30").returncode == 0
