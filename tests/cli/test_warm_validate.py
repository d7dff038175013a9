"""validate's warm path: the whole result of the last run over the same files,
printed without decoding a file (docs/architecture.md, "The cache")."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, run_okrctl_text
from gitutil import commit_all, git, init_repo, sample_in_git

sys.path.insert(0, str(ROOT / "bench"))
from gen_workspace import generate  # noqa: E402

PINNED = "docs/bien-ban-03.txt"
EVIDENCE = "Biên bản thử nghiệm số 03\n".encode()


@pytest.fixture
def repo(tmp_path, isolated_git) -> Path:
    return sample_in_git(tmp_path / "repo")


def run(*args, **kw):
    r = run_okrctl_text(*args, **kw)
    assert r.returncode in (0, 1), r.stderr
    return r


def last_run(root: Path) -> dict:
    r = run("-C", str(root), "cache", "info", "--format", "json")
    return json.loads(r.stdout)["last_run"]


def validate(root: Path, *args: str) -> tuple[str, str, int, int]:
    """(stdout, stderr, exit code, whole) of a run with the cache."""
    r = run("-C", str(root), "validate", *args)
    return r.stdout, r.stderr, r.returncode, last_run(root).get("whole", 0)


def cold(root: Path, *args: str) -> tuple[str, str, int]:
    r = run("-C", str(root), "--no-cache", "validate", *args)
    return r.stdout, r.stderr, r.returncode


def test_second_run_is_whole_and_byte_identical(repo):
    first = validate(repo, "--format", "json")
    assert first[3] == 0
    warm = validate(repo, "--format", "json")
    assert warm[3] == 1
    assert last_run(repo)["misses"] == 0
    assert warm[:3] == first[:3] == cold(repo, "--format", "json")
    for fmt in ("text", "sarif", "md", "github"):
        validate(repo, "--format", fmt)
        assert validate(repo, "--format", fmt)[:3] == cold(repo, "--format", fmt)


def test_edit_new_file_and_settings_are_misses(repo):
    validate(repo)
    assert validate(repo)[3] == 1
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("value: 120,", "value: 130,", 1), encoding="utf-8")
    edited = validate(repo, "--format", "json")
    assert edited[3] == 0 and edited[:3] == cold(repo, "--format", "json")
    assert validate(repo, "--format", "json")[3] == 1
    # a new, untracked file with a problem of its own
    (repo / "okrs/2026-Q2/khong-co.yaml").write_text("unit: khong-co\n", encoding="utf-8")
    added = validate(repo, "--format", "json")
    assert added[3] == 0 and added[:3] == cold(repo, "--format", "json")
    assert "khong-co.yaml" in added[0] and added[2] == 1
    again = validate(repo, "--format", "json")
    assert again[3] == 1 and again[:3] == added[:3]
    # a file git ignores is still read: still in the key
    (repo / ".gitignore").write_text("okrs/2026-Q2/bo-qua.yaml\n", encoding="utf-8")
    (repo / "okrs/2026-Q2/bo-qua.yaml").write_text("unit: bo-qua\n", encoding="utf-8")
    ignored = validate(repo, "--format", "json")
    assert ignored[3] == 0 and ignored[:3] == cold(repo, "--format", "json")
    assert "bo-qua.yaml" in ignored[0]
    # okrctl.yaml: English messages now
    (repo / "okrs/2026-Q2/khong-co.yaml").unlink()
    (repo / "okrs/2026-Q2/bo-qua.yaml").unlink()
    cfg = repo / "okrctl.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("locale: vi", "locale: en"), encoding="utf-8")
    english = validate(repo)
    assert english[3] == 0 and english[:3] == cold(repo)
    assert validate(repo)[:3] == english[:3]
    assert "files checked" in english[1]


def test_vietnamese_messages_from_a_warm_hit(repo):
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("unit: so-khcn-cds", "unit: so-khac", 1), encoding="utf-8")
    assert "so-khac" in f.read_text(encoding="utf-8")
    vi = {"OKRCTL_LOCALE": ""}  # the workspace's own locale: vi

    def out(*extra):
        r = run("-C", str(repo), *extra, "validate", env=vi)
        return r.stdout, r.stderr, r.returncode

    first = out()
    warm = out()
    assert last_run(repo)["whole"] == 1
    assert warm == first == out("--no-cache")
    assert warm[2] == 1 and "tệp" in warm[1] and "so-khac" in warm[0]  # in Vietnamese
    english = validate(repo)
    assert english[3] == 1
    assert english[:3] == cold(repo) and english[0] != warm[0]


def test_rev_has_its_own_row(repo):
    git(repo, "checkout", "-q", "-b", "other")
    f = repo / "okrs/2026-Q2/so-khcn-cds.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("unit: so-khcn-cds", "unit: so-khac", 1), encoding="utf-8")
    commit_all(repo, "broken")
    git(repo, "checkout", "-q", "main")
    wt = validate(repo, "--format", "json")
    at_rev = validate(repo, "--rev", "other", "--format", "json")
    assert at_rev[3] == 0 and at_rev[:3] == cold(repo, "--rev", "other", "--format", "json") != wt[:3]
    again = validate(repo, "--rev", "other", "--format", "json")
    assert again[3] == 1 and again[:3] == at_rev[:3]
    assert validate(repo, "--format", "json")[:3] == wt[:3]
    # a path filter on a warm hit: the same as cold
    args = (str(repo / "okrs/2026-Q2/so-khcn-cds.yaml"), "--format", "json")
    assert validate(repo, *args)[:3] == cold(repo, *args)


def test_pinned_evidence_is_checked_on_every_hit(repo):
    (repo / PINNED).parent.mkdir(parents=True, exist_ok=True)
    (repo / PINNED).write_bytes(EVIDENCE)
    f = repo / "okrs/2026-Q1/so-khcn.yaml"
    old = '              - "Báo cáo số 12/BC-SKHCN"\n'
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, old + f'              - {{path: {PINNED}, sha256: "{hashlib.sha256(EVIDENCE).hexdigest()}"}}\n', 1),
                 encoding="utf-8")
    clean = validate(repo, "--format", "json")
    assert clean[2] == 0 and "OKR228" not in clean[0]
    assert validate(repo, "--format", "json")[3] == 1
    (repo / PINNED).write_bytes(EVIDENCE + b"changed\n")
    changed = validate(repo, "--format", "json")
    assert changed[3] == 0 and "OKR228" in changed[0] and changed[:3] == cold(repo, "--format", "json")
    assert validate(repo, "--format", "json")[3] == 0  # OKR228 results are never kept
    (repo / PINNED).write_bytes(EVIDENCE)
    assert validate(repo, "--format", "json")[:3] == clean[:3]
    assert validate(repo, "--format", "json")[3] == 1


def test_generated_workspace_warm_equals_cold(tmp_path, isolated_git):
    ws = tmp_path / "gen"
    generate(ws, units=70, quarters=1, seed=5)  # ≥ 64 files: blob ids from git's index
    init_repo(ws)
    commit_all(ws, "init")
    first = validate(ws, "--format", "json")
    warm = validate(ws, "--format", "json")
    assert warm[3] == 1 and warm[:3] == first[:3] == cold(ws, "--format", "json")
    assert last_run(ws)["hits"] == 72


def test_the_key_holds_the_date_and_the_options(tmp_path):
    from okrctl.read.cache import Store
    from okrctl.read.loader import list_with_shas, load_workspace, open_record_cache, result_key
    from okrctl.read.source import WorkingTreeSource

    store = open_record_cache(Store(tmp_path / "cache.sqlite"))
    source = WorkingTreeSource(SAMPLE)
    listed = list_with_shas(source, store)
    assert result_key(listed, store, today=lambda c: date(2026, 5, 1), extra="x") == (None, None)  # settings not cached
    load_workspace(source, today=date(2026, 5, 1), store=store, listed=listed)
    k1, d1 = result_key(listed, store, today=lambda c: date(2026, 5, 1), extra="x")
    k2, d2 = result_key(listed, store, today=lambda c: date(2026, 5, 2), extra="x")
    k3, _ = result_key(listed, store, today=lambda c: date(2026, 5, 1), extra="y")
    assert (d1, d2) == (date(2026, 5, 1), date(2026, 5, 2))
    assert len({k1, k2, k3}) == 3 and None not in (k1, k2, k3)
    assert result_key(listed, store, today=lambda c: date(2026, 5, 1), extra="x")[0] == k1
