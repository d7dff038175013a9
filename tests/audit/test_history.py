"""okrctl history and okrctl codeowners against REAL git repositories.

Every repository is built with the real ``git`` (tests/gitutil.py) with fixed
author and committer dates and Vietnamese author names; the expected events are
written out in full (commit, date in the workspace time zone, author, ref, kind,
field, old, new), oldest first.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from gitutil import commit_all, git, identity_env, init_repo, write

from conftest import SAMPLE, run_okrctl
from okrctl import gitio
from okrctl.audit import history as H
from okrctl.render.history import render_history_text
from okrctl.audit.codeowners import render_codeowners, reviewers
from okrctl.read.build import build_units
from okrctl.read.loader import ParseCache

B = "Trần Thị B <b@example.org>"
G = "Hoàng Thị Giang <g@example.org>"
C = "Ngô Văn Cường <c@example.org>"
E = "Phạm Văn Ê <e@example.org>"

CONFIG = """\
name: Sở Khoa học và Công nghệ Hà Nội
locale: vi
timezone: Asia/Ho_Chi_Minh
as_of: 2026-05-15
"""

UNITS = """\
units:
  - id: ha-noi
    name: UBND Thành phố Hà Nội
    owners: [le.thi.d]
  - id: so-khcn
    name: Sở Khoa học và Công nghệ
    parent: ha-noi
    owners: [tran.thi.b]
"""

TITLE1 = "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình"
TITLE2 = "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến toàn trình"
REASON = "Điều chỉnh theo Công văn 1520/UBND-KSTTHC"


def period_file(*, title=TITLE1, target="90", checkins=(), rebaseline=False, cancelled=False,
                measurements=(), o2_checkins=()) -> str:
    lines = [
        "objectives:",
        "  - id: O1",
        "    title: Chuyển đổi số toàn diện",
        "    key_results:",
        "      - id: KR1",
        f"        title: {title}",
        '        unit: "%"',
        "        baseline: 70",
        f"        target: {target}",
    ]
    if rebaseline:
        lines += ["        rebaselines:",
                  f"          - {{date: 2026-04-28, field: target, from: 90, to: 80, reason: {REASON}, approved_by: ngo.van.c}}"]
    if cancelled:
        lines += ["        cancelled: {date: 2026-05-10, reason: Lùi sang quý III, approved_by: ngo.van.c}"]
    if checkins:
        lines.append("        checkins:")
        lines += [f"          - {c}" for c in checkins]
    lines += [
        "  - id: O2",
        "    title: Đổi mới sáng tạo",
        "    key_results:",
        "      - id: KR1",
        "        title: Số nhiệm vụ được phê duyệt",
        "        baseline: 0",
        "        target: 12",
    ]
    if o2_checkins:
        lines.append("        checkins:")
        lines += [f"          - {c}" for c in o2_checkins]
    lines += [
        "kpis:",
        "  - id: K1",
        "    title: Tỷ lệ hồ sơ giải quyết đúng hạn",
        "    target: 98",
        "    alert: 95",
    ]
    if measurements:
        lines.append("    measurements:")
        lines += [f"      - {m}" for m in measurements]
    return "\n".join(lines) + "\n"


CI1 = "{date: 2026-04-03, value: 71, confidence: 0.6, by: hoang.thi.g}"
CI1b = "{date: 2026-04-03, value: 71, confidence: 0.7, by: hoang.thi.g}"
CI2 = "{date: 2026-04-10, value: 72, by: hoang.thi.g}"
CI3 = "{date: 2026-04-10, value: 72.5, by: hoang.thi.g, note: Đính chính số liệu tuần 2}"
CI4 = "{date: 2026-05-01, value: 75, confidence: 0.8, by: hoang.thi.g}"
M1 = "{date: 2026-04-07, value: 97.2, source: Hệ thống một cửa}"
M1b = "{date: 2026-04-07, value: 97.4, source: Hệ thống một cửa}"
PATH = "ws/okrs/2026-Q2/so-khcn.yaml"


def commit(repo: Path, message: str, author: str, date_: str, committer_date: str | None = None) -> str:
    """Commit everything with ``author``; the committer date may differ (a rebase)."""
    env = identity_env(author, date_)
    if committer_date is not None:
        env["GIT_COMMITTER_DATE"] = committer_date
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "--allow-empty", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory):
    """A workspace in ws/ whose KR 2026-Q2/so-khcn/O1/KR1 goes through 13 commits."""
    tmp = tmp_path_factory.mktemp("story")
    with pytest.MonkeyPatch.context() as mp:
        cfg = tmp / "global.gitconfig"
        cfg.write_text("")
        mp.setenv("GIT_CONFIG_GLOBAL", str(cfg))
        mp.setenv("GIT_CEILING_DIRECTORIES", str(tmp))
        repo = init_repo(tmp / "repo")
        f = repo / PATH
        c = {}
        write(repo / "ws/okrctl.yaml", CONFIG)
        write(repo / "ws/units.yaml", UNITS)
        write(f, period_file())
        write(repo / "ws/okrs/2026-Q2/ha-noi.yaml", "objectives: []\n")
        c["create"] = commit(repo, "Lập OKR quý II", B, "2026-04-01T09:00:00+07:00")
        write(f, period_file(checkins=[CI1]))
        # authored on 04-03, committed (rebased) a day later
        c["ci1"] = commit(repo, "Cập nhật tuần 1", G, "2026-04-03T16:30:00+07:00", "2026-04-04T08:15:00+07:00")
        write(repo / "ws/okrs/2026-Q2/ha-noi.yaml", "objectives: []\n# không liên quan\n")
        c["other1"] = commit(repo, "Tệp khác: không được xuất hiện", B, "2026-04-05T09:00:00+07:00")
        write(f, period_file(checkins=[CI1], o2_checkins=["{date: 2026-04-08, value: 1}"]))
        c["o2"] = commit(repo, "Cập nhật O2 (không liên quan đến KR1)", B, "2026-04-08T09:00:00+07:00")
        write(f, period_file(checkins=[CI1, CI2], measurements=[M1], o2_checkins=["{date: 2026-04-08, value: 1}"]))
        # a UTC commit date: 2026-04-10T03:00 in Hà Nội
        c["ci2"] = commit(repo, "Cập nhật tuần 2", G, "2026-04-09T20:00:00Z")
        o2 = ["{date: 2026-04-08, value: 1}"]
        write(f, period_file(checkins=[CI1, CI2, CI3], measurements=[M1], o2_checkins=o2))
        c["fix"] = commit(repo, "Đính chính số liệu tuần 2", G, "2026-04-11T10:00:00+07:00")
        write(f, period_file(target="80", rebaseline=True, checkins=[CI1, CI2, CI3], measurements=[M1b], o2_checkins=o2))
        c["rebase"] = commit(repo, "Điều chỉnh chỉ tiêu KR1 (đã duyệt)", C, "2026-04-28T14:00:00+07:00")
        write(f, period_file(title=TITLE2, target="80", rebaseline=True, checkins=[CI1b, CI2, CI3], measurements=[M1b], o2_checkins=o2))
        c["title"] = commit(repo, "Sửa tên KR1", B, "2026-05-02T09:00:00+07:00")
        write(f, period_file(title=TITLE2, target="80", rebaseline=True, checkins=[CI1b, CI2, CI3], o2_checkins=o2)
              .replace("  - id: O2", "  - id: O2\n   bad: indentation"))
        c["invalid"] = commit(repo, "Lỗi thụt lề", G, "2026-05-05T09:00:00+07:00")
        write(f, period_file(title=TITLE2, target="80", rebaseline=True, checkins=[CI1b, CI2, CI3, CI4],
                             measurements=[M1b], o2_checkins=o2))
        c["valid"] = commit(repo, "Sửa lỗi, cập nhật tuần 5", G, "2026-05-06T09:00:00+07:00")
        last = period_file(title=TITLE2, target="80", rebaseline=True, cancelled=True, checkins=[CI1b, CI2, CI3, CI4],
                           measurements=[M1b], o2_checkins=o2)
        write(f, last)
        c["cancel"] = commit(repo, "Huỷ KR1 (lùi sang quý III)", C, "2026-05-10T09:00:00+07:00")
        f.unlink()
        c["delete"] = commit(repo, "Xoá nhầm tệp", E, "2026-05-12T09:00:00+07:00")
        write(f, last)
        c["readd"] = commit(repo, "Khôi phục tệp", E, "2026-05-13T09:00:00+07:00")
        write(repo / "ws/okrs/2026-Q2/ha-noi.yaml", "objectives: []\n# vẫn không liên quan\n")
        c["other2"] = commit(repo, "Tệp khác lần nữa", B, "2026-05-14T09:00:00+07:00")
        yield repo, c


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git

def rows(events) -> list[tuple]:
    return [(e.commit, e.date.isoformat(), e.author, e.ref, e.kind, e.field, e.old, e.new) for e in events]


D = Decimal
KR = "2026-Q2/so-khcn/O1/KR1"
KR_DEF = {"id": "KR1", "title": TITLE1, "type": "metric", "unit": "%", "baseline": 70, "target": 90,
          "aggregate": "last", "due_days": 7, "weight": 1}
RB = {"date": date(2026, 4, 28), "field": "target", "from": 90, "to": 80, "reason": REASON, "approved_by": "ngo.van.c"}
CANCEL = {"date": date(2026, 5, 10), "reason": "Lùi sang quý III", "approved_by": "ngo.van.c"}


def ci(d, value, by="hoang.thi.g", **kw):
    return {"date": d, "value": value, "by": by, **kw}


def test_key_result_history_exact(story) -> None:
    repo, c = story
    h = H.history(gitio.Repo.discover(repo), "ws", KR, timezone="Asia/Ho_Chi_Minh")
    assert h.ref == KR and h.item == "key_result" and h.path == "okrs/2026-Q2/so-khcn.yaml" and h.repo_path == PATH
    assert h.commits == 12  # every commit that touched the file; the two ha-noi.yaml commits are not among them
    ci1 = ci(date(2026, 4, 3), 71, confidence=D("0.6"))
    ci1b = ci(date(2026, 4, 3), 71, confidence=D("0.7"))
    ci2 = ci(date(2026, 4, 10), 72)
    ci3 = ci(date(2026, 4, 10), D("72.5"), note="Đính chính số liệu tuần 2")
    ci4 = ci(date(2026, 5, 1), 75, confidence=D("0.8"))
    final_def = {**KR_DEF, "title": TITLE2, "target": 80}
    bi, tr, ng, ph = "Trần Thị B", "Hoàng Thị Giang", "Ngô Văn Cường", "Phạm Văn Ê"
    assert rows(h.events) == [
        (c["create"], "2026-04-01T09:00:00+07:00", bi, KR, "added", "created", None, KR_DEF),
        (c["ci1"], "2026-04-04T08:15:00+07:00", tr, f"{KR}@2026-04-03#1", "added", "checkin", None, ci1),
        (c["ci2"], "2026-04-10T03:00:00+07:00", tr, f"{KR}@2026-04-10#1", "added", "checkin", None, ci2),
        (c["fix"], "2026-04-11T10:00:00+07:00", tr, f"{KR}@2026-04-10#2", "added", "checkin", None, ci3),
        (c["rebase"], "2026-04-28T14:00:00+07:00", ng, KR, "changed", "target", 90, 80),
        (c["rebase"], "2026-04-28T14:00:00+07:00", ng, f"{KR}@2026-04-28#1", "added", "rebaseline", None, RB),
        (c["title"], "2026-05-02T09:00:00+07:00", bi, KR, "changed", "title", TITLE1, TITLE2),
        (c["title"], "2026-05-02T09:00:00+07:00", bi, f"{KR}@2026-04-03#1", "changed", "checkin", ci1, ci1b),
        (c["invalid"], "2026-05-05T09:00:00+07:00", tr, KR, "invalid", "file", None,
         "okrs/2026-Q2/so-khcn.yaml:17:4: OKR002 did not find expected '-' indicator while parsing a block collection"),
        (c["valid"], "2026-05-06T09:00:00+07:00", tr, f"{KR}@2026-05-01#1", "added", "checkin", None, ci4),
        (c["cancel"], "2026-05-10T09:00:00+07:00", ng, KR, "added", "cancelled", None, CANCEL),
        (c["delete"], "2026-05-12T09:00:00+07:00", ph, KR, "deleted", "file", PATH, None),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, KR, "added", "created", None, final_def),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, KR, "added", "cancelled", None, CANCEL),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, f"{KR}@2026-04-03#1", "added", "checkin", None, ci1b),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, f"{KR}@2026-04-10#1", "added", "checkin", None, ci2),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, f"{KR}@2026-04-10#2", "added", "checkin", None, ci3),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, f"{KR}@2026-05-01#1", "added", "checkin", None, ci4),
        (c["readd"], "2026-05-13T09:00:00+07:00", ph, f"{KR}@2026-04-28#1", "added", "rebaseline", None, RB),
    ]
    # the author date is kept beside the commit date (both are claims)
    e = h.events[1]
    assert e.author_date.isoformat() == "2026-04-03T16:30:00+07:00" and e.email == "g@example.org"
    assert e.subject == "Cập nhật tuần 1"
    # the commit that changed only O2 is counted but brings no event for KR1; the
    # commits of another file are not even read
    assert not {c["o2"], c["other1"], c["other2"]} & {e.commit for e in h.events}


def test_history_up_to_rev_and_filters(story) -> None:
    repo, c = story
    r = gitio.Repo.discover(repo)
    h = H.history(r, "ws", KR, c["rebase"], timezone="Asia/Ho_Chi_Minh")
    assert h.rev == c["rebase"] and h.commits == 6
    assert [e.field for e in h.events] == ["created", "checkin", "checkin", "checkin", "target", "rebaseline"]
    targets = H.filter_events(h.events, fields=["target", "rebaseline"])
    assert [(e.field, e.old, e.new) for e in targets] == [("target", 90, 80), ("rebaseline", None, RB)]
    assert [e.commit for e in H.filter_events(h.events, since=date(2026, 4, 10), until=date(2026, 4, 11))] == [c["ci2"], c["fix"]]
    # the same history without a period in the ref: the caller supplies the default period
    assert H.history(r, "ws", "so-khcn/O1/KR1", c["rebase"], period="2026-Q2").events == h.events


def test_kpi_history(story) -> None:
    repo, c = story
    h = H.history(gitio.Repo.discover(repo), "ws", "2026-Q2/so-khcn/K1", timezone="Asia/Ho_Chi_Minh")
    k = "2026-Q2/so-khcn/K1"
    m1 = {"date": date(2026, 4, 7), "value": D("97.2"), "source": "Hệ thống một cửa"}
    m1b = {**m1, "value": D("97.4")}
    kdef = {"id": "K1", "title": "Tỷ lệ hồ sơ giải quyết đúng hạn", "direction": "increase", "target": 98, "alert": 95,
            "due_days": 7}
    assert h.item == "kpi"
    assert [(e.commit, e.ref, e.kind, e.field, e.old, e.new) for e in h.events] == [
        (c["create"], k, "added", "created", None, kdef),
        (c["ci2"], f"{k}@2026-04-07#1", "added", "measurement", None, m1),
        (c["rebase"], f"{k}@2026-04-07#1", "changed", "measurement", m1, m1b),
        (c["invalid"], k, "invalid", "file", None, h.events[3].new),
        (c["delete"], k, "deleted", "file", PATH, None),
        (c["readd"], k, "added", "created", None, kdef),
        (c["readd"], f"{k}@2026-04-07#1", "added", "measurement", None, m1b),
    ]


def test_objective_history_includes_its_key_results(story) -> None:
    repo, c = story
    h = H.history(gitio.Repo.discover(repo), "ws", "2026-Q2/so-khcn/O2", c["o2"])
    o = "2026-Q2/so-khcn/O2"
    assert [(e.commit, e.ref, e.field) for e in h.events] == [
        (c["create"], o, "created"),
        (c["create"], f"{o}/KR1", "created"),
        (c["o2"], f"{o}/KR1@2026-04-08#1", "checkin"),
    ]
    assert h.events[0].new["key_results"] == ["KR1"] and h.events[0].date.isoformat() == "2026-04-01T02:00:00+00:00"


def test_text_timeline(story) -> None:
    repo, c = story
    h = H.history(gitio.Repo.discover(repo), "ws", KR, c["title"], timezone="Asia/Ho_Chi_Minh")
    text = render_history_text(h, h.events, c["title"])
    assert text.splitlines()[:2] == [
        f"{KR} · key result · {PATH}",
        f"7 commits changed the file up to {c['title'][:12]}; 8 events, oldest first. "
        "Dates: commit dates in Asia/Ho_Chi_Minh, as recorded by git.",
    ]
    assert (f"{c['ci1'][:12]}  2026-04-04 08:15+07:00 (authored 2026-04-03 16:30+07:00)  Hoàng Thị Giang  Cập nhật tuần 1\n"
            "    checkin 2026-04-03#1 added: 71, confidence 0.6, by hoang.thi.g\n") in text
    assert (f"{c['rebase'][:12]}  2026-04-28 14:00+07:00  Ngô Văn Cường  Điều chỉnh chỉ tiêu KR1 (đã duyệt)\n"
            "    target: 90 → 80\n"
            f"    rebaseline 2026-04-28#1 added: target 90 → 80, reason \"{REASON}\", approved by ngo.van.c\n") in text
    assert (f"    title: \"{TITLE1}\" → \"{TITLE2}\"\n"
            "    checkin 2026-04-03#1 changed: confidence 0.6 → 0.7\n") in text
    assert "    checkin 2026-04-10#2 added: 72.5, by hoang.thi.g, note \"Đính chính số liệu tuần 2\"\n" in text


def test_cli_json_and_text(story) -> None:
    repo, c = story
    r = run_okrctl("-C", str(repo / "ws"), "history", "so-khcn/O1/KR1", "--format", "json", "--field", "target")
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 1 and doc["command"] == "history" and doc["ref"] == KR
    assert set(doc) >= {"okrctl", "schema_version", "command", "ref", "events"}
    assert doc["events"] == [{
        "commit": c["rebase"], "date": "2026-04-28T14:00:00+07:00", "author": "Ngô Văn Cường", "email": "c@example.org",
        "ref": KR, "kind": "changed", "field": "target", "old": 90, "new": 80,
        "author_date": "2026-04-28T14:00:00+07:00", "subject": "Điều chỉnh chỉ tiêu KR1 (đã duyệt)",
    }]
    r = run_okrctl("-C", str(repo / "ws"), "history", KR, "--field", "checkin", "--since", "2026-05-01")
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    assert "checkin 2026-05-01#1 added: 75, confidence 0.8, by hoang.thi.g" in out and "Khôi phục tệp" in out
    assert "created" not in out and "Lập OKR quý II" not in out


def test_cli_errors(story, tmp_path: Path) -> None:
    repo, _ = story
    ws = str(repo / "ws")
    r = run_okrctl("-C", ws, "history", "2026-Q2/so-khcn/O1/KR9")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.count("\n") == 1 and "no such objective, key result or KPI" in err and "did you mean O1/KR1" in err
    r = run_okrctl("-C", ws, "history", "2026-Q3/so-khcn/O1/KR1")
    assert r.returncode == 2 and "has no commits" in r.stderr.decode()
    r = run_okrctl("-C", ws, "history", "2026-Q2/Sở/O1")
    assert r.returncode == 2 and "not a unit id" in r.stderr.decode()
    for bad in ("--output=/tmp/x", "-n1"):
        r = run_okrctl("-C", ws, "history", KR, f"--rev={bad}")
        assert r.returncode == 2 and "is not a revision" in r.stderr.decode(), r.stderr
    r = run_okrctl("-C", ws, "history", KR, "--rev", "no-such-branch")
    assert r.returncode == 2 and "unknown revision" in r.stderr.decode()
    # a shallow clone cannot tell the history: exit 2 naming fetch-depth: 0
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    r = run_okrctl("-C", str(shallow / "ws"), "history", KR)
    assert r.returncode == 2 and "fetch-depth: 0" in r.stderr.decode() and "Traceback" not in r.stderr.decode()


def test_invalid_historic_blob_never_crashes(tmp_path: Path) -> None:
    """Binary garbage, a schema error and an empty file in history are events, not crashes."""
    repo = init_repo(tmp_path / "r")
    write(repo / "okrctl.yaml", CONFIG)
    write(repo / "units.yaml", UNITS)
    f = repo / "okrs/2026-Q2/so-khcn.yaml"
    write(f, period_file())
    c1 = commit_all(repo, "một", "2026-04-01T09:00:00+07:00", B)
    write(f, b"\xff\xfe\x00garbage")
    commit_all(repo, "hai", "2026-04-02T09:00:00+07:00", B)
    write(f, period_file().replace("target: 90", "targte: 90"))
    commit_all(repo, "ba", "2026-04-03T09:00:00+07:00", B)
    write(f, "")
    commit_all(repo, "bốn", "2026-04-04T09:00:00+07:00", B)
    write(f, period_file(target="95"))
    c5 = commit_all(repo, "năm", "2026-04-05T09:00:00+07:00", B)
    text = period_file(target="95", checkins=[CI1])
    write(f, "objectives:\n" + text[text.index("  - id: O2"):])  # O1 (and with it KR1) removed
    c6 = commit_all(repo, "sáu", "2026-04-06T09:00:00+07:00", B)
    h = H.history(gitio.Repo.discover(repo), "", KR)
    assert [(e.kind, e.field) for e in h.events] == [("added", "created"), ("invalid", "file"), ("invalid", "file"),
                                                     ("invalid", "file"), ("changed", "target"), ("removed", "removed")]
    assert h.events[0].commit == c1 and h.events[4].commit == c5 and (h.events[4].old, h.events[4].new) == (90, 95)
    assert "OKR001" in h.events[1].new or "UTF-8" in h.events[1].new
    assert "targte" in h.events[2].new
    assert h.events[5].commit == c6 and h.events[5].old == {**KR_DEF, "target": 95} and h.events[5].new is None


# ----------------------------------------------------------------------------- codeowners


EXPECTED_CODEOWNERS = """\
# CODEOWNERS, generated by `okrctl codeowners` from units.yaml: do not edit by hand.
# Regenerate with `okrctl codeowners -o <this file>`; CI checks it with `--check`.
# A unit's files are reviewed by its approvers and its ancestors' (docs/ci.md); the
# root unit's approvers (or owners) review the settings, CI and review configuration.

/ke hoach/okrs/ @pham.van.e
/ke hoach/okrs/*/ha-noi.yaml @pham.van.e
/ke hoach/okrs/*/so-khcn.yaml @ngo.van.c @pham.van.e
/ke hoach/okrs/*/so-khcn-vp.yaml @tran.thi.b @ngo.van.c @pham.van.e
/ke hoach/okrs/*/so-khcn-qlkh.yaml @tran.thi.b @ngo.van.c @pham.van.e
/ke hoach/okrs/*/so-khcn-cds.yaml @tran.thi.b @ngo.van.c @pham.van.e
/ke hoach/okrs/*/so-khcn-qlcn.yaml @tran.thi.b @ngo.van.c @pham.van.e
/ke hoach/okrs/*/so-khcn-dmst.yaml @tran.thi.b @ngo.van.c @pham.van.e
/ke hoach/okrs/*/phuong-hoan-kiem.yaml @le.thi.d @pham.van.e
/ke hoach/okrctl.yaml @pham.van.e
/ke hoach/units.yaml @pham.van.e
/ke hoach/schema/ @pham.van.e
/.github/ @pham.van.e
/.gitlab/ @pham.van.e
/.gitlab-ci.yml @pham.van.e
/CODEOWNERS @pham.van.e
/docs/CODEOWNERS @pham.van.e
/.pre-commit-config.yaml @pham.van.e
""".replace("/ke hoach/", "/ke\\ hoach/")


def test_codeowners_sample_exact_and_check(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    ws = repo / "ke hoach"
    shutil.copytree(SAMPLE, ws)
    r = run_okrctl("-C", str(ws), "codeowners")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode() == EXPECTED_CODEOWNERS
    out = repo / ".github" / "CODEOWNERS"
    r = run_okrctl("-C", str(ws), "codeowners", "-o", str(out))
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == EXPECTED_CODEOWNERS
    # --check: found in .github/ without -o; up to date → 0
    r = run_okrctl("-C", str(ws), "codeowners", "--check")
    assert r.returncode == 0, r.stderr.decode()
    # units.yaml changes → the file is stale → exit 1 with the difference on stdout
    units = (ws / "units.yaml").read_text(encoding="utf-8")
    (ws / "units.yaml").write_text(units.replace("    owners: [vu.van.h]\n", "    owners: [vu.van.h]\n    approvers: [ngo.van.c]\n"),
                                   encoding="utf-8")
    r = run_okrctl("-C", str(ws), "codeowners", "-o", str(out), "--check")
    assert r.returncode == 1
    assert ("-/ke\\ hoach/okrs/*/so-khcn-qlkh.yaml @tran.thi.b @ngo.van.c @pham.van.e\n"
            "+/ke\\ hoach/okrs/*/so-khcn-qlkh.yaml @ngo.van.c @pham.van.e\n") in r.stdout.decode()
    assert "out of date" in r.stderr.decode() and out.read_text(encoding="utf-8") == EXPECTED_CODEOWNERS
    r = run_okrctl("-C", str(ws), "codeowners", "-o", str(tmp_path / "missing"), "--check")
    assert r.returncode == 1 and "does not exist" in r.stderr.decode()


def _units(text: str):
    doc, _ = ParseCache().get("units", "x" * 40, "units.yaml", text.encode())
    assert doc is not None
    return build_units(doc)


def test_codeowners_defaults_prefix_and_map() -> None:
    units = _units("""\
units:
  - id: root
    name: Gốc
    owners: [chu.tich]
  - id: a
    name: A
    parent: root
  - id: b
    name: B
    parent: a
  - id: other-root
    name: Gốc khác
""")
    per_unit, settings = reviewers(units)
    # FORMAT §8 (revised): root has no approvers at all → its owners; a: parent's owners;
    # b: its own (none: a has no owners) and its ancestors' (a's: root's owners);
    # other-root has nobody: no line of its own, so /okrs/ (the root reviewers) applies
    assert settings == ("chu.tich",)
    assert per_unit == {"root": ("chu.tich",), "a": ("chu.tich",), "b": ("chu.tich",), "other-root": ()}
    mapping = {"chu.tich": "@chutich-hn"}
    text, warnings = render_codeowners(units, "", lambda h: mapping.get(h, "@org/" + h))
    assert text.splitlines()[5:10] == ["/okrs/ @chutich-hn", "/okrs/*/root.yaml @chutich-hn", "/okrs/*/a.yaml @chutich-hn",
                                       "/okrs/*/b.yaml @chutich-hn", "# /okrs/*/other-root.yaml: no reviewer in units.yaml"]
    assert text.splitlines()[10:13] == ["/okrctl.yaml @chutich-hn", "/units.yaml @chutich-hn", "/schema/ @chutich-hn"]
    assert len(warnings) == 1 and "unit other-root" in warnings[0]
    nobody = _units("units:\n  - id: x\n    name: X\n")
    text, warnings = render_codeowners(nobody, "", lambda h: "@" + h)
    assert "# /okrs/*/x.yaml: no reviewer in units.yaml" in text and len(warnings) == 3


def test_codeowners_cli_map_and_bad_handle(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write(ws / "okrctl.yaml", CONFIG)
    write(ws / "units.yaml", UNITS.replace("owners: [le.thi.d]", "owners: [le.thi.d, \"Lê Thị D\"]"))
    r = run_okrctl("-C", str(ws), "codeowners")
    assert r.returncode == 2 and "--map" in r.stderr.decode()
    r = run_okrctl("-C", str(ws), "codeowners", "--map", "Lê Thị D=d@example.org", "--prefix", "@hanoi/")
    assert r.returncode == 0, r.stderr.decode()
    assert "/okrs/*/so-khcn.yaml @hanoi/le.thi.d d@example.org\n" in r.stdout.decode()


def test_parse_ref() -> None:
    assert H.parse_ref("2026-Q2/so-khcn/O1/KR1") == H.RefSpec("2026-Q2", "so-khcn", "O1", "KR1")
    assert H.parse_ref("so-khcn/K1") == H.RefSpec(None, "so-khcn", "K1", None)
    for bad in ("", "2026-Q2/so-khcn", "a/b/c/d", "2026-Q2/so-khcn/O1/KR1/x", "-x", "so-khcn/O 1"):
        with pytest.raises(H.HistoryError):
            H.parse_ref(bad)
    assert H.default_period_id(["2026", "2026-Q1", "2026-Q2"], date(2026, 5, 15)) == "2026-Q2"
    assert H.default_period_id(["2026"], date(2026, 5, 15)) == "2026"
    assert H.default_period_id(["2025-Q1"], date(2026, 5, 15)) is None


def test_codeowners_refuses_paths_through_a_symlink(tmp_path: Path) -> None:
    """FORMAT §8: codeowners never reads or writes through a symbolic link."""
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(SAMPLE, repo / "ws")
    (tmp_path / "elsewhere").mkdir()
    (repo / ".github").symlink_to(tmp_path / "elsewhere")
    r = run_okrctl("-C", str(repo / "ws"), "codeowners", "-o", str(repo / ".github" / "CODEOWNERS"))
    assert r.returncode == 2 and b"symbolic link" in r.stderr
    assert not (tmp_path / "elsewhere" / "CODEOWNERS").exists()
    r = run_okrctl("-C", str(repo / "ws"), "codeowners", "--check", "-o", str(repo / ".github" / "CODEOWNERS"))
    assert r.returncode == 2 and b"symbolic link" in r.stderr


# ---------------------------------------------------------------------------- many items at once (okrctl report)


def _period_files(root: Path, rev: str | None = None):
    import okrctl

    ws = okrctl.load(root, rev).workspace
    return [f for f in ws.files if f.period.id == "2026-Q2"]


@pytest.mark.parametrize("rev", [None, "readd", "valid"])
def test_items_events_are_each_items_history(story, rev) -> None:
    """items_events (one git log, one cat-file, each version diffed once for all its
    items) tells every objective and KPI exactly what history() tells for it alone,
    through an invalid version, a deleted and re-added file and a commit of another file."""
    from okrctl.audit.items import items_events

    repo, c = story
    r = gitio.Repo.discover(repo)
    sha = c[rev] if rev else None
    files = _period_files(repo / "ws", sha)
    got = items_events(repo / "ws", files, sha)
    expected = [(pf.period.id, e) for pf in files for item in (*pf.objectives, *pf.kpis)
                for e in H.history(r, "ws", item.ref, sha or "HEAD", timezone="Asia/Ho_Chi_Minh").events]
    assert len({pf.unit for pf in files}) == 2 and sum(len(pf.objectives) + len(pf.kpis) for pf in files) >= 3
    assert [(p, rows([e])) for p, e in got] == [(p, rows([e])) for p, e in expected]
    assert len(got) > 10


def test_items_events_item_not_committed(story, tmp_path: Path) -> None:
    """An item only in the working tree: skipped with skip_unknown, else the history error."""
    from okrctl.audit.items import items_events

    repo, _ = story
    ws = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(ws))
    f = ws / PATH
    f.write_text(f.read_text(encoding="utf-8").replace("kpis:\n", "kpis:\n  - id: K9\n    title: Mới\n"
                                                       "    target: 1\n    alert: 0\n", 1), encoding="utf-8")
    files = _period_files(ws / "ws")
    assert "K9" in [k.id for pf in files for k in pf.kpis]
    got = items_events(ws / "ws", files, skip_unknown=True)
    assert got and not [e for _, e in got if e.ref.startswith("2026-Q2/so-khcn/K9")]
    with pytest.raises(H.HistoryError, match=r"^2026-Q2/so-khcn/K9: no such objective, key result or KPI in any "
                                             r"version of ws/okrs/2026-Q2/so-khcn\.yaml up to [0-9a-f]{12} \(12 commits\)"):
        items_events(ws / "ws", files)


def test_report_reads_git_once_per_period(story, tmp_path: Path) -> None:
    """`okrctl report` reads the history of every item of the period with ONE git log
    and ONE cat-file --batch (counted by a logging git in front of the real one)."""
    import os
    import shutil as sh

    repo, c = story
    real = sh.which("git")
    assert real
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "calls.log"
    (bindir / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexec "{real}" "$@"\n')
    (bindir / "git").chmod(0o755)
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    r = run_okrctl("-C", str(repo / "ws"), "report", "--format", "md", "--locale", "en", env=env)
    assert r.returncode == 0, r.stderr
    lines = calls.read_text().splitlines()
    logs = [ln for ln in lines if " log --raw " in f" {ln} "]
    batches = [ln for ln in lines if "cat-file --batch" in ln]
    assert len(logs) == 1 and logs[0].endswith("-- ws/okrs/2026-Q2"), logs
    assert len(batches) == 1, batches
    # the rest: version, discovery, HEAD, status and commit of the source line; never per item
    assert len(lines) - len(logs) - len(batches) <= 9, lines
    assert f"commit {c['other2'][:12]}" in r.stdout.decode()
