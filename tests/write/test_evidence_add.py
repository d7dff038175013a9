"""okrctl evidence add (okrctl.write.evidence) and the OKR228 check of pinned files
(okrctl.read.evidence): real files, real YAML write-back, exact positions."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from okrctl.read.evidence import check_evidence, file_sha256
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.write.errors import BadInput, Refused
from okrctl.write.evidence import add_evidence
from writeutil import KR1, P, make_ws, valid

DOC = "Báo cáo số 52/BC-SKHCN\n".encode()
DOC_SHA = hashlib.sha256(DOC).hexdigest()


@pytest.fixture
def ws(tmp_path) -> Path:
    return make_ws(tmp_path / "ws")


@pytest.fixture
def doc(tmp_path) -> Path:
    p = tmp_path / "bao-cao-52.txt"
    p.write_bytes(DOC)
    return p


def problems(root: Path):
    res = load_workspace(WorkingTreeSource(root))
    assert res.workspace is not None
    return check_evidence(root, res.workspace)


def test_add_copies_pins_and_validates(ws, doc):
    before = (ws / P).read_bytes()
    r = add_evidence(ws, KR1, [doc], title="Báo cáo số 52", on=date(2026, 5, 12))
    assert r.written and r.copies == [(str(doc), "evidence/2026-Q2/so-1/bao-cao-52.txt")]
    assert (ws / "evidence/2026-Q2/so-1/bao-cao-52.txt").read_bytes() == DOC
    after = (ws / P).read_bytes()
    added = ("          - date: 2026-05-12\n            value: 45\n            evidence: [{path: "
             f"evidence/2026-Q2/so-1/bao-cao-52.txt, sha256: {DOC_SHA}, title: Báo cáo số 52}}]\n").encode()
    at = before.index(b"\n        # ===== Ph")  # the new lines go right after the last check-in
    assert after == before[:at] + added + before[at:]
    assert valid(ws)
    res = load_workspace(WorkingTreeSource(ws))
    kr = res.workspace.files[0].objectives[0].key_results[0]
    pinned = kr.checkins[-1].evidence[0]
    assert (pinned.path, pinned.sha256, pinned.title) == ("evidence/2026-Q2/so-1/bao-cao-52.txt", DOC_SHA, "Báo cáo số 52")
    assert kr.checkins[-1].value == kr.checkins[0].value == 45  # the new check-in repeats the value
    assert problems(ws) == []


def test_validate_mismatch_and_missing_at_the_item(ws, doc):
    add_evidence(ws, KR1, [doc], on=date(2026, 5, 12))
    copy = ws / "evidence/2026-Q2/so-1/bao-cao-52.txt"
    text = (ws / P).read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(text, 1) if "sha256:" in ln)
    col = text[line - 1].index("{path") + 1
    copy.write_bytes(DOC + b"x")
    [p] = problems(ws)
    assert (p.code, p.path, p.line, p.column, p.severity) == ("OKR228", P, line, col, "error")
    assert p.message == (f"pinned evidence evidence/2026-Q2/so-1/bao-cao-52.txt has SHA-256 "
                         f"{hashlib.sha256(DOC + b'x').hexdigest()}, not the pinned {DOC_SHA}: the document changed")
    copy.unlink()
    [p] = problems(ws)
    assert p.message == "pinned evidence evidence/2026-Q2/so-1/bao-cao-52.txt does not exist"
    # the command: one line at file:line:col, exit 1
    proc = run_okrctl("-C", str(ws), "validate")
    assert proc.returncode == 1
    assert f"{P}:{line}:{col}: error OKR228 pinned evidence" in proc.stdout.decode()
    copy.write_bytes(DOC)
    assert run_okrctl("-C", str(ws), "validate").returncode == 0


def test_a_symlink_is_never_followed(ws, doc, tmp_path):
    add_evidence(ws, KR1, [doc], on=date(2026, 5, 12))
    copy = ws / "evidence/2026-Q2/so-1/bao-cao-52.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(DOC)
    copy.unlink()
    os.symlink(outside, copy)
    [p] = problems(ws)
    assert p.code == "OKR228" and "symbolic link" in p.message
    with pytest.raises(Exception):
        file_sha256(ws, "../outside.txt")


def test_url_pins(ws, doc):
    url = "https://dichvucong.hanoi.gov.vn/bao-cao/52.pdf"
    r = add_evidence(ws, KR1, [], url=url, digest="AB" * 32, on=date(2026, 5, 12))
    assert r.items == [{"url": url, "sha256": "ab" * 32}] and r.copies == []
    r = add_evidence(ws, KR1, [doc], url=url, on=date(2026, 5, 13))  # hashed from the local copy, not copied
    assert r.items == [{"url": url, "sha256": DOC_SHA}] and not (ws / "evidence").exists()
    assert valid(ws) and problems(ws) == []
    with pytest.raises(BadInput, match="is not the SHA-256 of"):
        add_evidence(ws, KR1, [doc], url=url, digest="00" * 32)
    with pytest.raises(BadInput, match="--url needs --sha256"):
        add_evidence(ws, KR1, [], url=url)
    with pytest.raises(BadInput, match="--sha256: 64 hexadecimal digits"):
        add_evidence(ws, KR1, [], url=url, digest="abc")
    with pytest.raises(BadInput, match="--url: an http"):
        add_evidence(ws, KR1, [], url="file:///etc/passwd", digest="ab" * 32)


def test_latest_checkin_in_block_style(ws, doc):
    r = add_evidence(ws, KR1, [doc], checkin="latest")
    assert r.date == date(2026, 4, 30)
    text = (ws / P).read_text(encoding="utf-8")
    assert ('            evidence: [https://dichvucong.hanoi.gov.vn, "Báo cáo số 12/BC-SKHCN", {path: '
            f"evidence/2026-Q2/so-1/bao-cao-52.txt, sha256: {DOC_SHA}}}]\n") in text
    res = load_workspace(WorkingTreeSource(ws))
    kr = res.workspace.files[0].objectives[0].key_results[0]
    assert len(kr.checkins) == 1 and [getattr(e, "path", e) for e in kr.checkins[0].evidence] == [
        "https://dichvucong.hanoi.gov.vn", "Báo cáo số 12/BC-SKHCN", "evidence/2026-Q2/so-1/bao-cao-52.txt"]
    assert valid(ws)


def test_latest_in_flow_style(ws, doc, tmp_path):
    # a one-line flow mapping takes the new key in place
    add_evidence(ws, "2026-Q2/so-1/O1/KR3", [doc], checkin="latest")
    assert ("          - {date: 2026-04-20, done: [m1], evidence: [{path: evidence/2026-Q2/so-1/bao-cao-52.txt, "
            f"sha256: {DOC_SHA}}}]}}\n") in (ws / P).read_text(encoding="utf-8")
    assert valid(ws)
    # one written over several lines cannot be edited without reformatting it: refused, with the way out
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLE, sample)
    f = sample / "okrs/2026-Q2/so-khcn.yaml"
    before = f.read_bytes()
    with pytest.raises(Refused, match=r"--checkin new"):
        add_evidence(sample, "2026-Q2/so-khcn/O1/KR1", [doc], checkin="latest")
    assert f.read_bytes() == before and not (sample / "evidence").exists()  # nothing copied either


def test_refusals_write_nothing(ws, doc, tmp_path):
    before = (ws / P).read_bytes()
    r = add_evidence(ws, KR1, [doc], dry_run=True, on=date(2026, 5, 12))
    assert not r.written and "+" in r.diff() and (ws / P).read_bytes() == before and not (ws / "evidence").exists()
    with pytest.raises(Refused, match="no check-in yet"):
        add_evidence(ws, "2026-Q2/so-1/O3/KR1", [doc])
    with pytest.raises(BadInput, match="REF"):
        add_evidence(ws, "2026-Q2/so-1/O1/KR9", [doc])
    other = tmp_path / "other" / "bao-cao-52.txt"
    other.parent.mkdir()
    other.write_bytes(b"another document")
    add_evidence(ws, KR1, [doc], on=date(2026, 5, 12))
    with pytest.raises(Refused, match="already exists with other contents"):
        add_evidence(ws, KR1, [other], on=date(2026, 5, 13))
    r = add_evidence(ws, KR1, [doc], on=date(2026, 5, 14))  # the same document again: reused
    assert r.reused == ["evidence/2026-Q2/so-1/bao-cao-52.txt"] and r.copies == []


def test_evidence_directory_link_is_refused(ws, doc, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (ws / "evidence").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(Refused, match="not a directory"):
        add_evidence(ws, KR1, [doc])
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_cli(ws, doc):
    proc = run_okrctl("-C", str(ws), "evidence", "add", KR1, str(doc), "--date", "2026-05-12", "--title", "BC 52")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines() == [
        f"copied {doc} to evidence/2026-Q2/so-1/bao-cao-52.txt",
        f"{P}: 1 document pinned to a new check-in of {KR1} (2026-05-12)"]
    bad = run_okrctl("-C", str(ws), "evidence", "add", KR1, "--url", "https://x.gov.vn/a.pdf")
    assert bad.returncode == 2 and bad.stderr.decode().strip().endswith("--url needs --sha256 HEX or a local copy of the document as FILE")
    assert b"Traceback" not in bad.stderr
