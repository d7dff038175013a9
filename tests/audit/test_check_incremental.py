"""``okrctl check`` with the persistent cache: HEAD's validation comes from the
cache on a second run, and the rules then read only the HEAD files they need (the
changed ones; every file after a settings change; the files of a closed period
to re-score, of a period whose aligned KRs' feeders moved, of check-ins pinning
evidence that changed).  Every outcome must be exactly the one without a cache.

Real git repositories, real commits, a real SQLite cache in ``.git/okrctl``; the
workspaces are those of the rule tests (``test_compare_check``)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from gitutil import commit_all
from test_check_holes import _aligned_files
from test_compare_check import AFTER, Q1, Q1_ORG, Q2, base_files, item, make_repo, write_files

from okrctl.audit.compare import compare
from okrctl.cli.cache import open_store
from okrctl.read.loader import open_record_cache
from okrctl.write.evidence import add_evidence
from writeutil import KR1, P, make_ws


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


def _outcome(o) -> tuple:
    return (o.base_sha, o.head_sha, o.at, o.changed_paths, o.changes, o.findings)


def three_ways(root: Path, base: str, head: str | None, at: date) -> tuple:
    """The outcome without a cache, with a cold one (HEAD loaded in full, its
    validation stored) and with the warm one (HEAD's validation from the cache):
    asserted identical; returns it with the number of files the warm run decoded."""
    plain = compare(root, base, head, at=at, check=True)
    cold = compare(root, base, head, at=at, check=True, store=open_record_cache(open_store(root)))
    store = open_record_cache(open_store(root))
    warm = compare(root, base, head, at=at, check=True, store=store)
    assert _outcome(cold) == _outcome(plain)
    assert _outcome(warm) == _outcome(plain)
    assert store.stats.misses == 0
    return plain, store.stats.hits


def _judge_twice(tmp_path: Path, edit, *, at: date = AFTER, base: dict | None = None, commit: bool = False):
    files = base if base is not None else base_files()
    repo, root, sha = make_repo(tmp_path, files)
    new = copy.deepcopy(files)
    edit(new)
    write_files(root, {p: d for p, d in new.items() if d != files.get(p)})
    head = commit_all(repo, "change", "2026-05-01T09:00:00+07:00") if commit else None
    return three_ways(root, sha, head, at)


@pytest.mark.parametrize("commit", [False, True], ids=["working-tree", "commit"])
def test_one_open_file_changed_reads_only_that_file_of_head(tmp_path: Path, commit: bool):
    def edit(files):
        item(files, "O1/KR1")["checkins"].insert(0, {"date": "2026-04-01", "value": 41})  # out of order
    out, hits = _judge_twice(tmp_path, edit, commit=commit)
    assert {(f.rule, f.ref) for f in out.findings} == {
        ("checkin-backdated", "2026-Q2/team/O1/KR1@2026-04-01#1"), ("checkin-out-of-order", "2026-Q2/team/O1/KR1@2026-04-01#1")}
    # BASE: okrctl.yaml, units.yaml and the changed file; HEAD: the same three (of five files)
    assert hits == 6


@pytest.mark.parametrize("commit", [False, True], ids=["working-tree", "commit"])
def test_a_closed_periods_file_changed_is_rescored_from_every_file_of_that_period(tmp_path: Path, commit: bool):
    def edit(files):
        files[Q1]["objectives"][0]["key_results"][0]["checkins"].append({"date": "2026-03-31", "value": 55})
    out, hits = _judge_twice(tmp_path, edit, commit=commit)
    moved = [(f.ref, f.path, f.message.split(": ", 2)[-1]) for f in out.findings if f.rule == "closed-result-changed"]
    assert moved == [("2026-Q1/org", Q1_ORG, "rolled up 0.7 → 0.725"),
                     ("2026-Q1/team", Q1, "unit 0.5 → 0.55; rolled up 0.5 → 0.55; O1 0.5 → 0.55; O1/KR1 0.5 → 0.55")]
    # BASE: the settings and the changed file, then the settings and both files of 2026-Q1 (not the Q2 file);
    # HEAD: the settings and the changed file only: the unchanged org file of 2026-Q1 is BASE's
    assert hits == (3 + 4) + 3


def test_a_units_change_rechecks_everything(tmp_path: Path):
    def edit(files):
        files["units.yaml"]["units"][1]["weight"] = 3
    out, hits = _judge_twice(tmp_path, edit, commit=True)
    assert {f.rule for f in out.findings} == {"policy-changed", "closed-result-changed"}
    assert next(f for f in out.findings if f.rule == "closed-result-changed").message.endswith("rolled up 0.7 → 0.6")
    assert hits == 2 * (2 + 5)  # each side: the settings, then every file


def test_feeders_moved_by_another_units_file_read_the_whole_period(tmp_path: Path):
    files = _aligned_files()

    def edit(new):
        o = new["okrs/2026-Q2/other.yaml"]["objectives"][0]
        o["aligns_to"] = "team/O3/KR1"
    out, hits = _judge_twice(tmp_path, edit, base=files, commit=True)
    [f] = [f for f in out.findings if f.rule == "definition-changed" and f.ref == "2026-Q2/team/O3/KR1"]
    assert (f.ref, f.path) == ("2026-Q2/team/O3/KR1", Q2)  # an unchanged file of HEAD
    assert "feeders changed {2026-Q2/org/O1: 1} → {2026-Q2/org/O1: 1, 2026-Q2/other/O1: 1}" in f.message
    # BASE: the settings and other.yaml; HEAD: the same, then the settings and the three files of 2026-Q2
    assert hits == 3 + 3 + 5


def test_a_feeder_change_before_the_lock_reads_only_the_changed_file(tmp_path: Path):
    files = _aligned_files()

    def edit(new):
        new["okrs/2026-Q2/other.yaml"]["objectives"][0]["aligns_to"] = "team/O3/KR1"
    out, hits = _judge_twice(tmp_path, edit, base=files, at=date(2026, 4, 10), commit=True)
    assert [f.rule for f in out.findings] == []
    assert hits == 3 + 3


@pytest.mark.parametrize("commit", [False, True], ids=["working-tree", "commit"])
def test_pinned_evidence_changed_reads_the_file_that_pins_it(tmp_path: Path, commit: bool):
    root = make_ws(tmp_path / "ws", repo=True)
    doc = tmp_path / "bien-ban.txt"
    doc.write_bytes(b"Bien ban so 03\n")
    add_evidence(root, KR1, [doc], on=date(2026, 5, 12))
    commit_all(root, "evidence", date="2026-05-12T10:00:00+07:00")
    pinned = next(root.glob("evidence/**/bien-ban.txt"))
    pinned.write_bytes(b"Bien ban so 03, sua lai\n")
    head = commit_all(root, "sua", date="2026-05-13T10:00:00+07:00") if commit else None
    base = "HEAD~1" if commit else "HEAD"
    out, hits = three_ways(root, base, head, date(2026, 5, 20))
    assert out.changed_paths == []  # no YAML file changed
    assert [(f.rule, f.path, f.severity) for f in out.findings] == [("checkin-rewritten", P, "error")]
    assert hits == 2 + 2 + 3  # the settings on each side, then HEAD's settings and the file that pins it


def test_an_invalid_head_is_reported_the_same_from_the_cache(tmp_path: Path):
    def edit(files):
        item(files, "O1/KR1")["aligns_to"] = "nobody/O9"  # a reference to nothing: HEAD does not validate
        files[Q1]["objectives"][0]["key_results"][0]["checkins"].append({"date": "2026-03-31", "value": 55})
    out, _hits = _judge_twice(tmp_path, edit, commit=True)
    assert any(f.rule == "invalid" for f in out.findings)
    assert not any(f.rule == "closed-result-changed" for f in out.findings)  # HEAD's scores mean nothing


def test_head_errors_are_those_of_a_load_as_of_j_even_past_the_per_file_cap(tmp_path: Path):
    """J decides only warnings (OKR231, dated after J), but the cap of 200 problems
    per file counts them: an error after 250 such warnings is told only by the
    OKR016 line, exactly as ``validate`` lists it on day J."""
    from okrctl.read.loader import load_workspace
    from okrctl.read.source import WorkingTreeSource

    def edit(files):
        kr = item(files, "O1/KR1")
        kr["checkins"] += [{"date": f"2026-06-{1 + i % 30:02d}", "value": 60} for i in range(250)]
        item(files, "K1")["alert"] = 99  # OKR225: not on the far side of the target, below every check-in
    files = base_files()
    repo, root, sha = make_repo(tmp_path, files)
    new = copy.deepcopy(files)
    edit(new)
    write_files(root, {Q2: new[Q2]})
    expected = [(d.path, d.line, d.code, d.message) for d in
                load_workspace(WorkingTreeSource(root), today=AFTER).diagnostics if d.severity == "error"]
    assert [c for _p, _l, c, _m in expected] == ["OKR016"]  # the error itself is past the cap
    out, _hits = three_ways(root, sha, None, AFTER)
    invalid = [(f.path, f.line, f.message) for f in out.findings if f.rule == "invalid"]
    assert invalid == [(p, line, f"{code} {m}") for p, line, code, m in expected]


def test_an_unchanged_file_invalid_at_base_only_is_scored_at_head(tmp_path: Path):
    """BASE's team file aligns to an objective its org file lacks (an error at BASE,
    so BASE does not score it); the change adds that objective to the closed
    quarter's org file. HEAD takes the team file's records from BASE (same blob) but
    scores it, as a full load of HEAD would."""
    files = base_files()
    files[Q1]["objectives"][0]["aligns_to"] = "org/O2"

    def edit(new):
        new[Q1_ORG]["objectives"].append({"id": "O2", "title": "Second", "key_results": [
            {"id": "KR1", "title": "z", "baseline": 0, "target": 10, "checkins": [{"date": "2026-03-20", "value": 5}]}]})
    out, hits = _judge_twice(tmp_path, edit, base=files, commit=True)
    assert not any(f.rule == "invalid" for f in out.findings)
    moved = {f.ref: f.message.split(": ", 2)[-1] for f in out.findings if f.rule == "closed-result-changed"}
    assert set(moved) == {"2026-Q1/org", "2026-Q1/team"}
    assert hits == (3 + 4) + 3


def test_the_first_check_of_a_new_head_decodes_only_the_changed_file(tmp_path: Path):
    """A new commit changing one file, checked for the first time, with the per-file
    rows of its parent warm (its parent was checked): HEAD's validation decodes the
    records of that one file (the others are checked from their summaries), the
    rules read nothing more, and the outcome is the one without a cache."""
    from okrctl.audit.headcheck import validate_head
    from okrctl.gitio import GitTreeSource, Repo
    from okrctl.model.layout import CONFIG_FILE, UNITS_FILE

    files = base_files()
    repo, root, first = make_repo(tmp_path, files)
    new = copy.deepcopy(files)
    item(new, "O1/KR1")["checkins"].append({"date": "2026-05-10", "value": 48})
    write_files(root, {Q2: new[Q2]})
    parent = commit_all(repo, "parent", "2026-05-11T09:00:00+07:00")
    three_ways(root, first, parent, AFTER)  # the parent checked: its rows are in the cache
    item(new, "O1/KR1")["checkins"].append({"date": "2026-05-15", "value": 52})
    write_files(root, {Q2: new[Q2]})
    head = commit_all(repo, "head", "2026-05-16T09:00:00+07:00")

    store = open_record_cache(open_store(root))
    decoded: list[str] = []
    get_many = store.get_many

    def counting(kind, keys):
        found = get_many(kind, keys)
        decoded.extend([kind] * len(found) if kind == "okr-file" else [])
        return found
    store.get_many = counting
    first_check = compare(root, parent, head, at=AFTER, check=True, store=store)
    assert _outcome(first_check) == _outcome(compare(root, parent, head, at=AFTER, check=True))
    assert [(f.rule, f.ref) for f in first_check.findings] == []
    assert first_check.changed_paths == [Q2]
    # one okr-file row decoded: BASE's version of the changed file; HEAD's is new (read from git, the one miss)
    assert (decoded, store.stats.misses) == (["okr-file"], 1)

    # the validation of the next new HEAD: only the changed file's records, every file's pins, the same errors
    item(new, "O1/KR1")["checkins"].append({"date": "2026-05-18", "value": 53})
    write_files(root, {Q2: new[Q2]})
    head = commit_all(repo, "next", "2026-05-19T09:00:00+07:00")
    git = Repo.discover(root)
    store = open_record_cache(open_store(root))
    v = validate_head(GitTreeSource(git, head, ""), today=AFTER, cache=None, store=store, working_tree=False,
                      needed={CONFIG_FILE, UNITS_FILE, Q2})
    assert v.partial and v.ok and v.loaded
    assert [f.path for f in v.result.workspace.files] == [Q2]
    full = validate_head(GitTreeSource(git, head, ""), today=AFTER, cache=None, store=None, working_tree=False,
                         needed={CONFIG_FILE, UNITS_FILE, Q2})
    assert not full.partial and len(full.result.workspace.files) == 3
    assert (v.diagnostics, v.pins) == (full.diagnostics, full.pins)
