"""okrctl close and verify (okrctl.write.close)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, git, head, init_repo, write
from okrctl.write import close
from okrctl.write.errors import Refused
from writeutil import P, PERIOD, checkin, make_ws, valid


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


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
    result = close.close_period(ws, "2026-Q2", force=True)
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


def _retag(ws, message: str) -> None:
    msg = ws.parent / "tag-message"
    msg.write_text(message, encoding="utf-8")
    git(ws, "tag", "-f", "-a", "okr/close/2026-Q1", "-F", str(msg), "okr/close/2026-Q1^{commit}")


def test_verify_escapes_what_the_tag_message_says(closed):
    """Issue 12 #10: the tag message is untrusted; its version and date are shown
    escaped, and a 100,000-deep JSON array is refused before it is parsed."""
    ws = closed
    assert run_okrctl("-C", str(ws), "close", "2026-Q1").returncode == 0
    message = git(ws, "tag", "-l", "--format=%(contents)", "okr/close/2026-Q1")
    record = close.parse_tag_message(message)
    record["okrctl"] = "\x1b[2J\x1b[H9.9\u202e"
    record["as_of"] = "\x1b]0;pwned\x07"
    _retag(ws, "okrctl close 2026-Q1: final scores\n\n" + json.dumps(record, ensure_ascii=False))
    proc = run_okrctl("-C", str(ws), "verify", "2026-Q1")
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert out.splitlines()[0].endswith("(closed with okrctl \\u001b[2J\\u001b[H9.9\\u202e; scores as of \\u001b]0;pwned\\u0007)")

    _retag(ws, "okrctl close 2026-Q1: final scores\n\n" + '{"period": "2026-Q1", "scores": ' + "[" * 100_000 + "]" * 100_000 + "}")
    proc = run_okrctl("-C", str(ws), "verify", "2026-Q1")
    out = proc.stdout.decode()
    assert proc.returncode == 1, proc.stderr.decode()
    assert "  ✗ okr/close/2026-Q1: the tag message's JSON is nested deeper than 64 levels" in out.splitlines()


def test_tag_json_depth_is_measured_outside_strings():
    assert close._json_depth('{"a": "[[[[{{{", "b": [1, {"c": "\\"]"}]}') == 3
    with pytest.raises(ValueError, match="does not parse"):
        close.parse_tag_message("x\n\n{not json")


# ----------------------------------------------------------------------------- close: dry run, prompt, force, undo (issue 14, item 10)


def test_close_dry_run_writes_nothing(closed):
    ws = closed
    before, sha = (ws / "okrctl.yaml").read_bytes(), head(ws)
    proc = run_okrctl("-C", str(ws), "close", "2026-Q1", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines()[:2] == ["--- a/okrctl.yaml", "+++ b/okrctl.yaml"]
    assert "+  locked_periods: [2026-Q1]   # " in proc.stdout.decode()
    assert proc.stderr.decode() == ('dry run: would commit okrctl.yaml ("okr: close 2026-Q1") and tag okr/close/2026-Q1: '
                                    "final scores as of 2026-03-31; nothing was written\n")
    assert (ws / "okrctl.yaml").read_bytes() == before and head(ws) == sha and git(ws, "tag", "-l") == ""


def test_closing_a_period_not_ended_by_the_scoring_date_needs_force(closed):
    ws = closed  # as_of: 2026-05-15; 2026-Q2 ends on 2026-06-30
    for extra in ([], ["--dry-run"]):
        proc = run_okrctl("-C", str(ws), "close", "2026-Q2", *extra)
        assert proc.returncode == 1 and proc.stdout == b""
        assert proc.stderr.decode() == (
            "okrctl: 2026-Q2 has not ended by the scoring date 2026-05-15 (it ends on 2026-06-30); closing it now "
            "would freeze its scores as of 2026-06-30 and lock it: pass --force to close it anyway\n")
    assert git(ws, "tag", "-l") == ""
    forced = run_okrctl("-C", str(ws), "close", "2026-Q2", "--force")
    assert forced.returncode == 0, forced.stderr.decode()
    assert ("warning: 2026-Q2 has not ended by the scoring date 2026-05-15 (it ends on 2026-06-30); closing it now "
            "freezes its scores as of that day") in forced.stderr.decode()
    assert git(ws, "tag", "-l").split() == ["okr/close/2026-Q2"]


def _on_a_terminal(ws: Path, args: list[str], answer: bytes) -> tuple[int, str]:
    """Run okrctl with stdin, stdout and stderr on a real pseudo-terminal, typing ``answer``."""
    import os
    import subprocess
    import sys

    from conftest import subprocess_env

    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "okrctl", "-C", str(ws), *args], stdin=slave, stdout=slave,
                            stderr=slave, env=subprocess_env({"TERM": "dumb"}), close_fds=True)
    os.close(slave)
    seen = b""
    answered = False
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the process has gone and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"Close it?" in seen:
                os.write(master, answer)
                answered = True
        code = proc.wait(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, seen.decode("utf-8", "replace")


def test_close_asks_on_a_terminal(closed):
    ws = closed
    sha = head(ws)
    code, out = _on_a_terminal(ws, ["close", "2026-Q1"], b"n\n")
    assert code == 1, out
    assert ('Commit okrctl.yaml ("okr: close 2026-Q1") and tag okr/close/2026-Q1 (final scores as of 2026-03-31); '
            "the period is then locked. Close it? [y/N]") in out
    assert "not closed: nothing was written" in out
    assert head(ws) == sha and git(ws, "tag", "-l") == "" and git(ws, "status", "--porcelain") == ""
    code, out = _on_a_terminal(ws, ["close", "2026-Q1"], b"y\n")
    assert code == 0, out
    assert "tagged okr/close/2026-Q1" in out and git(ws, "tag", "-l").split() == ["okr/close/2026-Q1"]


def test_yes_skips_the_question_on_a_terminal(closed):
    code, out = _on_a_terminal(closed, ["close", "2026-Q1", "--yes"], b"")
    assert code == 0, out
    assert "Close it?" not in out and "tagged okr/close/2026-Q1" in out


def test_the_documented_undo(closed):
    """docs/writing.md, "Undoing a close": delete the tag, revert the commit."""
    ws = closed
    before = (ws / "okrctl.yaml").read_bytes()
    assert run_okrctl("-C", str(ws), "close", "2026-Q1").returncode == 0
    close_commit = head(ws)
    git(ws, "tag", "-d", "okr/close/2026-Q1")
    git(ws, "revert", "--no-edit", close_commit)
    assert (ws / "okrctl.yaml").read_bytes() == before and git(ws, "tag", "-l") == ""
    proc = run_okrctl("-C", str(ws), "checkin", "2026-Q1/so-khcn/O2/KR1", "9.7", "--date", "2026-03-31", "--dry-run")
    assert proc.returncode == 0, proc.stderr.decode()
    again = run_okrctl("-C", str(ws), "close", "2026-Q1")
    assert again.returncode == 0, again.stderr.decode()
