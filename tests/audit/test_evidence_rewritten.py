"""okrctl check: changing or removing a pinned evidence file of a reported check-in is
checkin-rewritten (real repositories, real commits); a new check-in's new document,
and the pins themselves in the schema."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from conftest import run_okrctl
from gitutil import commit_all
from okrctl.audit.compare import compare
from okrctl.write.evidence import add_evidence
from writeutil import KR1, P, make_ws

DOC = b"Bien ban so 03\n"
PINNED = "evidence/2026-Q2/so-1/bien-ban.txt"


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


@pytest.fixture
def ws(tmp_path) -> Path:
    root = make_ws(tmp_path / "ws", repo=True)
    doc = tmp_path / "bien-ban.txt"
    doc.write_bytes(DOC)
    add_evidence(root, KR1, [doc], on=date(2026, 5, 12))
    commit_all(root, "evidence", date="2026-05-12T10:00:00+07:00")
    return root


def rewritten(root: Path, head: str | None = None):
    out = compare(root, "HEAD~1" if head else "HEAD", head, at=date(2026, 5, 20), check=True)
    return [(f.rule, f.path, f.line, f.severity) for f in out.findings]


def test_unchanged_evidence_passes(ws):
    assert rewritten(ws) == []


@pytest.mark.parametrize("how", ["changed", "removed"])
def test_changing_or_removing_pinned_evidence_is_a_rewrite(ws, how):
    path = ws / PINNED
    if how == "changed":
        path.write_bytes(DOC + b"sua lai\n")
    else:
        path.unlink()
    line = next(i for i, ln in enumerate((ws / P).read_text(encoding="utf-8").splitlines(), 1)
                if ln.strip() == "- date: 2026-05-12")
    assert rewritten(ws) == [("checkin-rewritten", P, line, "error")]
    commit_all(ws, "sua minh chung", date="2026-05-13T10:00:00+07:00")
    assert rewritten(ws, "HEAD") == [("checkin-rewritten", P, line, "error")]  # commit to commit too
    proc = run_okrctl("-C", str(ws), "check", "HEAD~1", "HEAD", "--at", "2026-05-20")
    assert proc.returncode == 1
    assert (f"{P}:{line}: error checkin-rewritten {KR1}: the evidence {PINNED} pinned by the check-in of "
            "2026-05-12 changed or was removed after it was reported") in proc.stdout.decode()


def test_the_rule_can_be_set_to_warning(ws):
    cfg = ws / "okrctl.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "  rules: {checkin-rewritten: warning}\n", encoding="utf-8")
    commit_all(ws, "policy", date="2026-05-12T11:00:00+07:00")
    (ws / PINNED).write_bytes(b"khac\n")
    assert [f[3] for f in rewritten(ws)] == ["warning"]


def test_a_new_checkin_with_a_new_document_is_not_a_rewrite(ws, tmp_path):
    other = tmp_path / "bao-cao-moi.txt"
    other.write_bytes(b"bao cao moi\n")
    add_evidence(ws, KR1, [other], on=date(2026, 5, 14))
    assert rewritten(ws) == []


def test_schema_of_pinned_items(tmp_path):
    from okrctl.read.loader import load_workspace
    from okrctl.read.source import WorkingTreeSource
    from writeutil import PERIOD

    good = hashlib.sha256(DOC).hexdigest()
    old = 'evidence: [https://dichvucong.hanoi.gov.vn, "Báo cáo số 12/BC-SKHCN"]'
    cases = {
        "{path: ../ngoai.pdf, sha256: %s}" % good: "OKR1",
        "{path: /etc/passwd, sha256: %s}" % good: "OKR1",
        "{path: a.pdf, url: 'https://x.vn/a.pdf', sha256: %s}" % good: "OKR1",
        "{path: a.pdf, sha256: 12ab}": "OKR1",
        "{path: a.pdf}": "OKR1",
        "{url: 'ftp://x.vn/a.pdf', sha256: %s}" % good: "OKR1",
        "{url: 'https://x.vn/a.pdf', sha256: %s, title: Báo cáo}" % good: None,
    }
    for item, code in cases.items():
        root = make_ws(tmp_path / f"ws{abs(hash(item))}", PERIOD.replace(old, f"evidence: [{item}]"))
        res = load_workspace(WorkingTreeSource(root))
        errors = [d for d in res.diagnostics if d.severity == "error"]
        if code is None:
            assert errors == [], item
        else:
            assert errors and all(d.code.startswith(code) and d.path == P for d in errors), (item, errors)
            assert {d.line for d in errors} == {17}, (item, errors)
