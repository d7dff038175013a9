"""Issue 11: every way a pull request could make the numbers look better and
still pass ``okrctl check``, one test per hole, in real git repositories with
real commits (FORMAT §8 as revised).  The workspace is the one of
``test_compare_check`` (units ``org`` > ``team``, approver ``boss`` on ``org``);
J = 2026-05-20: Q2 locked on 2026-04-15, Q1 closed."""

from __future__ import annotations

import copy
from pathlib import Path

from gitutil import commit_all, git
from test_compare_check import (
    AFTER,
    BEFORE,
    D,
    K,
    Q1,
    Q2,
    base_files,
    cli,
    fired,
    item,
    judge,
    make_repo,
    write_files,
)

from okrctl.audit.compare import compare
from okrctl.model.problems import has_errors


def exit_of(out) -> int:
    return 1 if has_errors(out.findings) else 0


def rules_sev(out) -> set[tuple[str, str]]:
    return {(f.rule, f.severity) for f in out.findings}


def _changed_target(files):
    item(files, "O1/KR1")["target"] = 70


# 1 ------------------------------------------------------------------ ambiguous revisions


def test_1_a_tag_named_like_the_remote_branch_is_refused(tmp_path: Path):
    repo, root, base = make_repo(tmp_path)
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    files = base_files()
    _changed_target(files)
    write_files(root, {Q2: files[Q2]})
    commit_all(repo, "ease", "2026-05-19T09:00:00+07:00")
    git(repo, "tag", "origin/main", "HEAD")                    # pushed with the PR
    r = cli("check", "origin/main", "--at", "2026-05-20", cwd=root)
    assert r.returncode == 2, r.stdout
    assert r.stderr.startswith("okrctl: ") and "ambiguous revision 'origin/main'" in r.stderr
    assert "refs/remotes/origin/main" in r.stderr and "refs/tags/origin/main" in r.stderr
    full = cli("check", "refs/remotes/origin/main", "--at", "2026-05-20", "--format", "json", cwd=root)
    assert full.returncode == 1
    for bad in (":/base", "HEAD^{/base}"):
        r = cli("check", bad, "--at", "2026-05-20", cwd=root)
        assert r.returncode == 2 and "search commit messages" in r.stderr
        assert cli("diff", bad, cwd=root).returncode == 2
        assert cli("score", "--rev", bad, cwd=root).returncode == 2
    assert cli("check", "refs/remotes/origin/main", "--policy", "origin/main", "--at", "2026-05-20",
               cwd=root).returncode == 2


# 2 ------------------------------------------------------------------ CI configuration


def test_2_a_change_to_the_ci_workflow_is_flagged(tmp_path: Path):
    repo, root, base = make_repo(tmp_path)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github/workflows/okrctl.yml").write_text("run: okrctl check origin/main\n")
    base = commit_all(repo, "ci", "2026-04-02T09:00:00+07:00")
    (root / ".github/workflows/okrctl.yml").write_text("run: okrctl check origin/main --at 2026-04-14 || true\n")
    out = compare(root, base, None, at=AFTER, check=True)
    assert [(f.rule, f.severity, f.ref) for f in out.findings] == [
        ("ci-config-changed", "warning", ".github/workflows/okrctl.yml")]
    assert exit_of(out) == 0
    commit_all(repo, "ci", "2026-05-02T09:00:00+07:00")
    out = compare(root, base, "HEAD", at=AFTER, check=True)
    assert rules_sev(out) == {("ci-config-changed", "warning")}
    # CODEOWNERS routes it to the root approvers, not to the unit's own
    r = cli("codeowners", cwd=root)
    assert r.returncode == 0, r.stderr
    assert any(ln.split()[:2] == ["/.github/", "@boss"] for ln in r.stdout.splitlines()), r.stdout


# 3 ------------------------------------------------------------------ same-date corrections


def test_3_a_same_date_correction_is_shown_with_old_and_new_value(tmp_path: Path):
    def edit(files):
        item(files, "O1/KR1")["checkins"].append({"date": "2026-04-10", "value": 75})
        item(files, "O1/KR4")["checkins"].append({"date": "2026-04-10", "value": True})
    base = base_files()
    item(base, "O1/KR4")["checkins"] = [{"date": "2026-04-10", "value": False}]
    out = judge(tmp_path, edit, at=date_(2026, 4, 20), base=base)
    assert [(f.rule, f.severity, f.ref) for f in out.findings] == [
        ("checkin-corrected", "warning", K + "O1/KR1@2026-04-10#2"),
        ("checkin-corrected", "warning", K + "O1/KR4@2026-04-10#2")]
    assert out.findings[0].message.endswith("value 50 → 75")
    assert out.findings[1].message.endswith("value false → true")
    assert exit_of(out) == 0


# 4 ------------------------------------------------------------------ self-written rebaselines


def test_4_a_self_approved_rebaseline_does_not_cover_a_change(tmp_path: Path):
    bad = {"reason": ".", "approved_by": "tran.thi.b", "date": "2026-03-20"}

    def edit(files):
        kr = item(files, "O1/KR1")
        kr.update(type="maintain", threshold=40, direction="increase")
        del kr["baseline"], kr["target"]
        kr["rebaselines"] = [
            {"field": "type", "from": "metric", "to": "maintain", **bad},
            {"field": "baseline", "from": 40, "to": None, **bad},
            {"field": "target", "from": 80, "to": None, **bad},
            {"field": "threshold", "from": None, "to": 40, **bad}]
    out = judge(tmp_path, edit)
    got = fired(out)
    assert {r for r, _ in got} == {"approval-invalid", "definition-changed", "checkin-backdated"}
    assert {ref for r, ref in got if r == "definition-changed"} == {K + "O1/KR1"}
    assert len([f for f in out.findings if f.rule == "definition-changed"]) == 4
    assert len([f for f in out.findings if f.rule == "approval-invalid"]) == 4
    assert all(f.severity == "error" for f in out.findings if f.rule in ("approval-invalid", "definition-changed"))
    assert "its reason is blank" in next(f.message for f in out.findings if f.rule == "approval-invalid")
    assert exit_of(out) == 1
    # each fault alone also makes the record invalid
    for fault, why in (({"reason": "Budget"}, "is not in [2026-04-01, 2026-05-20]"),
                       ({"reason": "Budget", "date": "2026-05-18"}, "is not an approver of unit team (boss)")):
        def one(files, fault=fault):
            item(files, "O1/KR1")["target"] = 70
            item(files, "O1/KR1")["rebaselines"] = [{"field": "target", "from": 80, "to": 70, **{**bad, **fault}}]
        o = judge(tmp_path / fault.get("date", "a"), one)
        assert ("approval-invalid", "error") in rules_sev(o) and ("definition-changed", "error") in rules_sev(o)
        assert why in next(f.message for f in o.findings if f.rule == "approval-invalid")


# 5 ------------------------------------------------------------------ new items and feeders


def test_5_new_items_need_a_valid_added_record(tmp_path: Path):
    def edit(files, approver="tran.thi.b"):
        item(files, "O1")["key_results"].append({
            "id": "KR9", "title": "Already there", "baseline": 0, "target": 1, "weight": 10,
            "checkins": [{"date": "2026-05-18", "value": 1}],
            "added": {"date": "2026-05-18", "reason": "New", "approved_by": approver}})
    out = judge(tmp_path / "a", edit)
    assert rules_sev(out) == {("approval-invalid", "error"), ("item-added", "error")}
    assert exit_of(out) == 1
    ok = judge(tmp_path / "b", lambda f: edit(f, "boss"))
    assert [(f.rule, f.severity) for f in ok.findings] == [("item-added-recorded", "warning")]
    assert exit_of(ok) == 0


def test_5_a_new_period_file_after_the_lock(tmp_path: Path):
    def edit(files):
        files["okrs/2026-Q2/org.yaml"] = {"objectives": [{"id": "O1", "title": "Late", "key_results": [
            {"id": "KR1", "title": "Done", "type": "boolean", "checkins": [{"date": "2026-05-18", "value": True}]}]}]}
    out = judge(tmp_path, edit)
    assert [(f.rule, f.severity, f.ref) for f in out.findings] == [("item-added", "error", "2026-Q2/org/O1")]
    assert exit_of(out) == 1


def _aligned_files():
    files = base_files()
    files["units.yaml"]["units"].append({"id": "other", "name": "Other", "parent": "org"})
    files[Q2]["objectives"].append({"id": "O3", "title": "Fed", "key_results": [
        {"id": "KR1", "title": "Aligned", "type": "aligned"}]})
    files["okrs/2026-Q2/org.yaml"] = {"objectives": [{"id": "O1", "title": "Feeder", "aligns_to": "team/O3/KR1",
                                                      "key_results": [{"id": "KR1", "title": "x", "baseline": 0,
                                                                       "target": 10}]}]}
    files["okrs/2026-Q2/other.yaml"] = {"objectives": [{"id": "O1", "title": "Other's", "key_results": [
        {"id": "KR1", "title": "y", "baseline": 0, "target": 10, "checkins": [{"date": "2026-05-10", "value": 10}]}]}]}
    return files


def test_5_another_units_objective_newly_aligned_to_an_aligned_kr(tmp_path: Path):
    files = _aligned_files()

    def edit(new):
        new["okrs/2026-Q2/other.yaml"]["objectives"][0]["aligns_to"] = "team/O3/KR1"
        new["okrs/2026-Q2/other.yaml"]["objectives"][0]["rebaselines"] = [
            {"date": "2026-05-18", "field": "aligns_to", "from": None, "to": "team/O3/KR1", "reason": "Align",
             "approved_by": "boss"}]
    out = judge(tmp_path / "a", edit, base=files)
    f = next(f for f in out.findings if f.rule == "definition-changed")
    assert (f.severity, f.ref, f.path) == ("error", K + "O3/KR1", Q2)   # the aligned KR's own file
    assert "feeders changed {2026-Q2/org/O1: 1} → {2026-Q2/org/O1: 1, 2026-Q2/other/O1: 1}" in f.message
    assert exit_of(out) == 1

    def recorded(new):
        edit(new)
        kr = next(o for o in new[Q2]["objectives"] if o["id"] == "O3")["key_results"][0]
        kr["rebaselines"] = [{"date": "2026-05-18", "field": "feeders", "from": {"org/O1": 1},
                              "to": {"org/O1": 1, "2026-Q2/other/O1": 1}, "reason": "Align", "approved_by": "boss"}]
    ok = judge(tmp_path / "b", recorded, base=files)
    assert [(f.rule, f.severity, f.ref) for f in ok.findings if f.severity == "error"] == []
    assert ("target-eased", K + "O3/KR1") in fired(ok)
    assert exit_of(ok) == 0


# 6 ------------------------------------------------------------------ closed results


def test_6_regrading_a_closed_quarter_through_scoring_settings(tmp_path: Path):
    def edit(files):
        files["okrctl.yaml"]["scoring"] = {"grades": {
            "committed": [{"min": D("0.5"), "label": "green"}, {"min": D("0.3"), "label": "yellow"},
                          {"min": 0, "label": "red"}],
            "aspirational": [{"min": D("0.7"), "label": "green"}, {"min": D("0.4"), "label": "yellow"},
                             {"min": 0, "label": "red"}]}}
    out = judge(tmp_path, edit)
    closed = [f for f in out.findings if f.rule == "closed-result-changed"]
    assert {(f.severity, f.ref) for f in closed} == {("error", "2026-Q1/team"), ("error", "2026-Q1/org")}
    team = next(f for f in closed if f.ref == "2026-Q1/team")
    assert "O1 grade red → green" in team.message
    assert exit_of(out) == 1


# 7 ------------------------------------------------------------------ removed items' check-ins


def test_7_renaming_a_kr_before_the_lock_keeps_its_checkins(tmp_path: Path):
    def edit(files):
        kr = item(files, "O1/KR1")
        kr["id"] = "KR1b"
        kr["checkins"] = [{"date": "2026-04-03", "value": 90}]
    out = judge(tmp_path, edit, at=BEFORE)
    assert [(f.rule, f.severity, f.ref) for f in out.findings] == [("checkin-rewritten", "error", K + "O1/KR1")]
    assert "removed or renamed with its 2 check-ins" in out.findings[0].message
    assert exit_of(out) == 1


# 8 ------------------------------------------------------------------ unreadable BASE


def test_8_a_base_file_that_does_not_load_is_never_a_pass(tmp_path: Path):
    files = base_files()
    repo, root, _ = make_repo(tmp_path, files)
    (root / Q2).write_text("objectives: [\n")
    broken = commit_all(repo, "broken", "2026-04-20T09:00:00+07:00")
    new = copy.deepcopy(files)
    item(new, "O1/KR1")["target"] = 50
    write_files(root, {Q2: new[Q2]})
    out = compare(root, broken, None, at=AFTER, check=True)
    assert [(f.rule, f.severity, f.path) for f in out.findings] == [("base-unreadable", "error", Q2)]
    assert exit_of(out) == 1
    # and it cannot be switched off
    files["okrctl.yaml"]["policy"]["rules"] = {"base-unreadable": "off"}
    write_files(root, {"okrctl.yaml": files["okrctl.yaml"]})
    commit_all(repo, "off", "2026-04-21T09:00:00+07:00")
    r = cli("check", "HEAD", "--at", "2026-05-20", cwd=root)
    assert r.returncode == 2 and "base-unreadable" in r.stderr


# 9 ------------------------------------------------------------------ the policy revision


def test_9_a_branch_from_an_old_commit_cannot_choose_the_old_policy(tmp_path: Path):
    lax = base_files()
    lax["okrctl.yaml"]["policy"]["rules"] = {"definition-changed": "off"}
    repo, root, old = make_repo(tmp_path, lax)
    write_files(root, {"okrctl.yaml": base_files()["okrctl.yaml"]})     # main gets strict
    main = commit_all(repo, "strict", "2026-04-05T09:00:00+07:00")
    git(repo, "checkout", "-q", "-b", "pr", old)
    files = copy.deepcopy(lax)
    _changed_target(files)
    write_files(root, {Q2: files[Q2]})
    commit_all(repo, "ease", "2026-05-19T09:00:00+07:00")
    strict = compare(root, old, "HEAD", at=AFTER, check=True, policy_rev="main")
    assert ("definition-changed", "error") in rules_sev(strict) and exit_of(strict) == 1
    r = cli("check", "main", "--at", "2026-05-20", cwd=root)       # main is not an ancestor of the branch
    assert r.returncode == 2 and f"okrctl check {old} --policy main" in r.stderr
    r = cli("check", old, "--policy", "main", "--at", "2026-05-20", cwd=root)
    assert r.returncode == 1
    assert main != old


# 10 ----------------------------------------------------------------- back-dated cancellation


def test_10_a_backdated_cancellation_is_flagged(tmp_path: Path):
    def edit(files, who="boss"):
        item(files, "O1/KR5")["cancelled"] = {"date": "2026-04-01", "reason": "Moot", "approved_by": who}
    out = judge(tmp_path / "a", edit)
    assert [(f.rule, f.severity) for f in out.findings] == [("checkin-backdated", "warning"), ("item-cancelled", "warning")]
    assert exit_of(out) == 0
    bad = judge(tmp_path / "b", lambda f: edit(f, "tran.thi.b"))
    assert rules_sev(bad) == {("approval-invalid", "error"), ("checkin-backdated", "warning")}
    assert exit_of(bad) == 1


# 11 ----------------------------------------------------------------- frequency and easing


def test_11_dropping_frequency_and_other_easings(tmp_path: Path):
    base = base_files()
    item(base, "O1/KR1")["frequency"] = "weekly"
    out = judge(tmp_path / "a", lambda f: item(f, "O1/KR1").pop("frequency"), base=base)
    [f] = out.findings
    assert (f.rule, f.severity) == ("definition-changed", "error") and "frequency changed weekly → none" in f.message
    assert "(this eases it)" in f.message and exit_of(out) == 1
    for i, (key, value) in enumerate([("aggregate", "sum"), ("due", "2026-06-30"), ("unit", "điểm")]):
        ref = "O1/KR4" if key == "due" else "O1/KR1"

        def edit(files, ref=ref, key=key, value=value):
            item(files, ref)[key] = value
        o = judge(tmp_path / str(i), edit)
        [f] = o.findings
        assert (f.rule, f.severity, f.ref) == ("definition-changed", "error", K + ref)
        assert "(this eases it)" in f.message, f.message


# 12 ----------------------------------------------------------------- the false positive


def test_12_adding_a_unit_without_from_is_not_a_closed_result_change(tmp_path: Path):
    out = judge(tmp_path, lambda f: f["units.yaml"]["units"].append({"id": "new", "name": "New", "parent": "org"}))
    assert [(f.rule, f.severity) for f in out.findings] == [("policy-changed", "warning")]
    assert exit_of(out) == 0
    assert Q1  # the closed quarter is untouched


def date_(y: int, m: int, d: int):
    from datetime import date

    return date(y, m, d)
