"""`okrctl diff` and `okrctl check` (FORMAT §8, §9) against real git repositories.

Every repository is built with the real git (``gitutil``) with fixed commit dates;
nothing about git is mocked.  Rule tests call :func:`okrctl.audit.compare.compare`
in-process (the same code path the commands take); exit codes, output formats
and the hostile-repository cases run the CLI in a subprocess.

The workspace: units ``org`` > ``team``; ``okrs/2026-Q1/{org,team}.yaml`` (closed
once J > 2026-04-15: 2026-03-31 + 15 days of grace) and ``okrs/2026-Q2/team.yaml``
(locks on 2026-04-01 + 14 = 2026-04-15).  ``BEFORE`` is a J before that lock (Q1
still in its grace), ``AFTER`` one after it (Q1 closed).
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import run_okrctl_text
from gitutil import commit_all, git, init_repo, make_hostile, write

from okrctl.engine import rules
from okrctl.model.problems import INVALID, RULES, Problem, has_errors
from okrctl.audit.compare import CompareError, compare

BEFORE = date(2026, 4, 10)
AFTER = date(2026, 5, 20)
Q2 = "okrs/2026-Q2/team.yaml"
Q1 = "okrs/2026-Q1/team.yaml"
Q1_ORG = "okrs/2026-Q1/org.yaml"
D = Decimal


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git

# --------------------------------------------------------------------------- YAML and workspaces


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    s = str(v)
    if re.fullmatch(r"\d{4}-\d\d-\d\d|[A-Za-z][\w.-]*( [\w.-]+)*", s) and s not in ("true", "false", "null", "yes", "no", "on", "off"):
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def _flat(v: Any) -> bool:
    """Written on one line: scalars, lists of scalars, mappings of scalars."""
    if isinstance(v, dict):
        return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x))
                   for x in v.values())
    if isinstance(v, list):
        return all(not isinstance(x, (dict, list)) for x in v)
    return True


def _emit(v: Any, ind: int, out: list[str]) -> None:
    sp = " " * ind
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(x, (dict, list)) or x in ([], {}) or (isinstance(x, list) and _flat(x)):
                out.append(f"{sp}{k}: {_flow(x)}")
            else:
                out.append(f"{sp}{k}:")
                _emit(x, ind + 2, out)
    else:
        for x in v:
            if isinstance(x, dict) and not _flat(x):
                sub: list[str] = []
                _emit(x, ind + 2, sub)
                sub[0] = f"{sp}- {sub[0][ind + 2:]}"
                out += sub
            else:
                out.append(f"{sp}- {_flow(x)}")


def yaml(doc: dict) -> str:
    out: list[str] = []
    _emit(doc, 0, out)
    return "\n".join(out) + "\n"


def base_files() -> dict[str, dict]:
    """The workspace every rule test starts from (see the module docstring)."""
    return {
        "okrctl.yaml": {"name": "Test", "timezone": "Asia/Ho_Chi_Minh", "checkin_grace_days": 15,
                        "policy": {"lock_after_days": 14, "backdate_days": 15}},
        "units.yaml": {"units": [{"id": "org", "name": "Org", "approvers": ["boss"]},
                                 {"id": "team", "name": "Team", "parent": "org"}]},
        Q1_ORG: {"objectives": [{"id": "O1", "title": "Org goal", "key_results": [
            {"id": "KR1", "title": "Org metric", "baseline": 0, "target": 10,
             "checkins": [{"date": "2026-03-20", "value": 9}]}]}]},
        Q1: {"objectives": [{"id": "O1", "title": "Q1 goal", "key_results": [
            {"id": "KR1", "title": "Q1 metric", "baseline": 0, "target": 100,
             "checkins": [{"date": "2026-02-15", "value": 30}, {"date": "2026-03-25", "value": 50}]}]}]},
        Q2: {
            "objectives": [
                {"id": "O1", "title": "Objective one", "kind": "committed", "weight": 2, "key_results": [
                    {"id": "KR1", "title": "Metric up", "unit": "%", "baseline": 40, "target": 80,
                     "checkins": [{"date": "2026-04-03", "value": 45}, {"date": "2026-04-10", "value": 50}]},
                    {"id": "KR2", "title": "Maintain up", "type": "maintain", "threshold": 90, "direction": "increase",
                     "checkins": [{"date": "2026-04-05", "value": 92}]},
                    {"id": "KR3", "title": "Milestones", "type": "milestone",
                     "milestones": [{"id": "m1", "title": "First"}, {"id": "m2", "title": "Second", "weight": 2}],
                     "checkins": [{"date": "2026-04-05", "done": ["m1"]}]},
                    {"id": "KR4", "title": "Boolean", "type": "boolean", "due": "2026-06-15"},
                    {"id": "KR5", "title": "Metric down", "baseline": 10, "target": 2, "direction": "decrease"},
                ]},
                {"id": "O2", "title": "Objective two", "kind": "aspirational", "key_results": [
                    {"id": "KR1", "title": "Maintain down", "type": "maintain", "threshold": 5, "direction": "decrease"},
                ]},
            ],
            "kpis": [
                {"id": "K1", "title": "KPI up", "target": 98, "alert": 95,
                 "measurements": [{"date": "2026-04-30", "value": D("97.5")}]},
                {"id": "K2", "title": "KPI down", "direction": "decrease", "target": 3, "alert": 5},
            ],
        },
    }


def write_files(root: Path, files: dict[str, dict | str | None]) -> None:
    for path, doc in files.items():
        if doc is None:
            (root / path).unlink()
        else:
            write(root / path, doc if isinstance(doc, str) else yaml(doc))


def make_repo(tmp_path: Path, files: dict | None = None, *, ws: str = "") -> tuple[Path, Path, str]:
    """(repository, workspace root, SHA of the one commit)."""
    repo = init_repo(tmp_path / "repo")
    root = repo / ws if ws else repo
    write_files(root, files if files is not None else base_files())
    sha = commit_all(repo, "base", "2026-04-01T09:00:00+07:00")
    return repo, root, sha


def item(files: dict, ref: str) -> dict:
    """The mapping of ``O1``, ``O1/KR2`` or ``K1`` in the Q2 file of ``files``."""
    doc = files[Q2]
    parts = ref.split("/")
    for o in doc.get("objectives", []):
        if o["id"] == parts[0]:
            return o if len(parts) == 1 else next(k for k in o["key_results"] if k["id"] == parts[1])
    return next(k for k in doc["kpis"] if k["id"] == parts[0])


def judge(tmp_path: Path, edit, *, at: date = AFTER, base: dict | None = None, commit: bool = False):
    """Build the base repository, apply ``edit(files)`` (a deep copy) to the working
    tree (and commit it with ``commit``), and check the change at ``at``."""
    files = base if base is not None else base_files()
    repo, root, sha = make_repo(tmp_path, files)
    new = copy.deepcopy(files)
    edit(new)
    write_files(root, {p: d for p, d in new.items() if d != files.get(p)})
    for p in files.keys() - new.keys():
        (root / p).unlink()
    head = None
    if commit:
        head = commit_all(repo, "change", "2026-05-01T09:00:00+07:00")
    return compare(root, sha, head, at=at, check=True)


def fired(out) -> set[tuple[str, str]]:
    return {(f.rule, f.ref) for f in out.findings}


def rule_names(out) -> set[str]:
    return {f.rule for f in out.findings}


def only(out, rule: str) -> list:
    return [f for f in out.findings if f.rule == rule]


def no_invalid(out) -> None:
    assert not only(out, INVALID), [f.message for f in out.findings]


K = "2026-Q2/team/"


def set_(path: str, value: Any):
    """An edit setting ``key`` of item ``ref`` (``"O1/KR1.target"``); None deletes it."""
    ref, key = path.rsplit(".", 1)

    def edit(files):
        it = item(files, ref)
        if value is None:
            it.pop(key, None)
        else:
            it[key] = value
    return edit


# --------------------------------------------------------------------------- the registry


def test_registry_matches_format_schema_and_docs():
    names = list(RULES)
    assert names == ["locked-period-changed", "definition-changed", "target-eased", "item-added", "item-added-recorded",
                     "item-removed", "item-cancelled", "approval-invalid", "approval-unverifiable",
                     "checkin-rewritten", "checkin-corrected", "checkin-backdated", "checkin-future",
                     "checkin-out-of-order", "policy-changed", "ci-config-changed", "closed-result-changed"]
    assert {r.name: r.severity for r in RULES.values()} == {
        "locked-period-changed": "error", "definition-changed": "error", "target-eased": "warning",
        "item-added": "error", "item-added-recorded": "warning", "item-removed": "error",
        "item-cancelled": "warning", "approval-invalid": "error", "approval-unverifiable": "warning",
        "checkin-rewritten": "error", "checkin-corrected": "warning", "checkin-backdated": "warning",
        "checkin-future": "error", "checkin-out-of-order": "warning", "policy-changed": "warning",
        "ci-config-changed": "warning", "closed-result-changed": "error"}
    schema = json.loads((Path(rules.__file__).parents[1] / "schema" / "workspace.schema.json").read_text())
    props = schema["properties"]["policy"]["properties"]["rules"]["properties"]
    assert list(props) == names
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text()
    table_rules = re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", docs, re.M)
    assert [n for n, _ in table_rules] == [*names, "base-unreadable"]
    assert all(RULES[n].severity == s for n, s in table_rules if n in RULES)
    assert "base-unreadable" not in props  # not configurable: naming it is OKR243


def test_unknown_rule_name_is_reported_clearly(tmp_path: Path):
    from okrctl.read.loader import load_workspace
    from okrctl.read.source import WorkingTreeSource

    files = base_files()
    files["okrctl.yaml"]["policy"]["rules"] = {"definition-change": "off", "x-note": "free"}
    write_files(tmp_path / "ws", files)
    res = load_workspace(WorkingTreeSource(tmp_path / "ws"), today=None)
    bad = [d for d in res.diagnostics if d.code == "OKR243"]
    assert len(bad) == 1 and bad[0].path == "okrctl.yaml" and bad[0].line == 8
    assert "'definition-change' is not a rule of okrctl check" in bad[0].message
    assert "did you mean 'definition-changed'" in bad[0].message


# --------------------------------------------------------------------------- definition-changed


def test_definition_change_before_the_lock_is_free(tmp_path: Path):
    out = judge(tmp_path, set_("O1/KR1.target", 70), at=BEFORE)
    assert out.findings == []
    [c] = out.changes
    assert (c.ref, c.kind, c.field, c.old, c.new, c.eased) == (K + "O1/KR1", "changed", "target", 80, 70, True)


def _rebaseline(ref: str, **entry):
    def edit(files):
        it = item(files, ref)
        it["target"] = 70
        full = {"date": "2026-05-18", "field": "target", "from": 80, "to": 70, "reason": "Budget cut", "approved_by": "boss"}
        full.update(entry)
        it.setdefault("rebaselines", []).append(full)
    return edit


def test_definition_change_after_the_lock_without_rebaseline(tmp_path: Path):
    out = judge(tmp_path, set_("O1/KR1.target", 70))
    no_invalid(out)
    [f] = out.findings
    assert (f.rule, f.severity, f.ref, f.path) == ("definition-changed", "error", K + "O1/KR1", Q2)
    assert f.line == (tmp_path / "repo" / Q2).read_text().splitlines().index("      - id: KR1") + 1
    assert f.message == (f"{K}O1/KR1: target changed 80 → 70 after the lock on 2026-04-15 (this eases it); add a "
                         "rebaselines entry on it in the same change: {date, field: target, from: 80, to: 70, reason, approved_by}")


def test_definition_change_with_a_matching_rebaseline(tmp_path: Path):
    out = judge(tmp_path, _rebaseline("O1/KR1"))
    no_invalid(out)
    # §8 (revised): an easing accepted through a valid rebaseline is still shown
    assert [(f.rule, f.severity) for f in out.findings] == [("target-eased", "warning")]
    assert {(c.item, c.kind) for c in out.changes} == {("key_result", "changed"), ("rebaseline", "added")}


def test_rebaseline_dated_on_j_counts(tmp_path: Path):
    assert rule_names(judge(tmp_path, _rebaseline("O1/KR1", date="2026-05-20"))) == {"target-eased"}


@pytest.mark.parametrize(("entry", "why"), [
    ({"from": 90}, "its new rebaselines entry for target says 90 → 70, which is not this change"),
    ({"to": 75}, "its new rebaselines entry for target says 80 → 75, which is not this change"),
    ({"to": "70"}, "which is not this change"),  # text is not the number 70
    ({"field": "baseline", "from": 40, "to": 40}, "add a rebaselines entry on it"),
    ({"date": "2026-05-21"}, "its rebaselines entry for target is not valid: its date 2026-05-21 is not in "
                             "[2026-04-01, 2026-05-20]"),
])
def test_definition_change_with_a_rebaseline_that_does_not_match(tmp_path: Path, entry, why):
    out = judge(tmp_path, _rebaseline("O1/KR1", **entry))
    no_invalid(out)
    # §8 (revised): a future-dated record is also approval-invalid and checkin-future
    extra = {"approval-invalid", "checkin-future"} if "date" in entry else set()
    assert rule_names(out) == {"definition-changed"} | extra
    assert why in only(out, "definition-changed")[0].message


def test_a_rebaseline_already_at_base_does_not_cover_a_new_change(tmp_path: Path):
    files = base_files()
    item(files, "O1/KR1")["rebaselines"] = [{"date": "2026-04-20", "field": "target", "from": 80, "to": 70,
                                             "reason": "Planned ahead", "approved_by": "boss"}]
    out = judge(tmp_path, set_("O1/KR1.target", 70), base=files)
    no_invalid(out)
    assert fired(out) == {("definition-changed", K + "O1/KR1")}


def test_rebaselines_on_objectives_and_kpis(tmp_path: Path):
    def edit(files):
        o1, k1 = item(files, "O1"), item(files, "K1")
        o1["weight"] = 3
        o1["rebaselines"] = [{"date": "2026-05-12", "field": "weight", "from": 2, "to": 3, "reason": "r", "approved_by": "boss"}]
        k1["target"] = 97
        k1["rebaselines"] = [{"date": "2026-05-12", "field": "target", "from": 98, "to": 97, "reason": "r", "approved_by": "boss"}]
        item(files, "O2")["aligns_to"] = "team/O1"
        item(files, "O2")["rebaselines"] = [{"date": "2026-05-12", "field": "aligns_to", "from": None,
                                             "to": "2026-Q2/team/O1", "reason": "r", "approved_by": "boss"}]
    out = judge(tmp_path, edit)
    no_invalid(out)
    # §8 (revised): the weight and the KPI target are eased, so target-eased shows them
    assert fired(out) == {("target-eased", K + "O1"), ("target-eased", K + "K1")}


def test_milestone_and_due_rebaselines(tmp_path: Path):
    def edit(files):
        kr3 = item(files, "O1/KR3")
        kr3["milestones"] = [{"id": "m1", "title": "First, renamed"}, {"id": "m2", "title": "Second", "weight": 3}]
        kr3["rebaselines"] = [{"date": "2026-05-12", "field": "milestones", "from": ["m1", {"id": "m2", "weight": 2}],
                               "to": [{"id": "m1"}, {"id": "m2", "title": "Second", "weight": 3}],
                               "reason": "r", "approved_by": "boss"}]
        kr4 = item(files, "O1/KR4")
        kr4["due"] = "2026-06-30"
        kr4["rebaselines"] = [{"date": "2026-05-12", "field": "due", "from": "2026-06-15", "to": "2026-06-30",
                               "reason": "r", "approved_by": "boss"}]
    out = judge(tmp_path, edit)
    no_invalid(out)
    # §8 (revised): a boolean due moved later is eased too
    assert fired(out) == {("target-eased", K + "O1/KR3"), ("target-eased", K + "O1/KR4")}
    eased = {c.field: c.eased for c in out.changes if c.item == "key_result"}
    assert eased == {"milestones": True, "due": True}


# Every path by which a definition change can ease (FORMAT §8), and its opposite.
EASING = [
    ("O1/KR1.target", 70, "O1/KR1", "target", True),
    ("O1/KR1.target", 90, "O1/KR1", "target", False),
    ("O1/KR1.baseline", 30, "O1/KR1", "baseline", True),
    ("O1/KR1.baseline", 45, "O1/KR1", "baseline", False),
    ("O1/KR5.target", 4, "O1/KR5", "target", True),          # decrease: a higher target is easier
    ("O1/KR5.target", 1, "O1/KR5", "target", False),
    ("O1/KR5.baseline", 12, "O1/KR5", "baseline", True),
    ("O1.weight", 3, "O1", "weight", True),
    ("O1/KR1.weight", 2, "O1/KR1", "weight", True),
    ("O1.kind", "aspirational", "O1", "kind", True),
    ("O2.kind", "committed", "O2", "kind", False),
    ("K1.target", 97, "K1", "target", True),
    ("K1.target", 99, "K1", "target", False),
    ("K1.alert", 93, "K1", "alert", True),
    ("K2.target", 4, "K2", "target", True),                  # decrease KPI
    ("K2.alert", 4, "K2", "alert", False),
    ("O1/KR2.threshold", 85, "O1/KR2", "threshold", True),   # maintain, increase
    ("O1/KR2.threshold", 95, "O1/KR2", "threshold", False),
    ("O2/KR1.threshold", 6, "O2/KR1", "threshold", True),    # maintain, decrease
    ("O2/KR1.threshold", 4, "O2/KR1", "threshold", False),
    ("O1/KR2.direction", "decrease", "O1/KR2", "direction", True),
    # §8 (revised): unit, aggregate and a later boolean due are eased
    ("O1/KR1.unit", "points", "O1/KR1", "unit", True),
    ("O1/KR1.aggregate", "sum", "O1/KR1", "aggregate", True),
    ("O1/KR4.due", "2026-06-30", "O1/KR4", "due", True),
    ("O1/KR4.due", "2026-06-01", "O1/KR4", "due", False),
    ("O1/KR1.frequency", "weekly", "O1/KR1", "frequency", False),
    ("K1.frequency", "monthly", "K1", "frequency", False),
    ("O1/KR1.due_days", 3, "O1/KR1", "due_days", False),
    ("O1/KR1.due_days", 30, "O1/KR1", "due_days", True),
]


@pytest.mark.parametrize(("key", "value", "ref", "field", "eased"), EASING, ids=[f"{k}={v}" for k, v, *_ in EASING])
def test_easing_paths(tmp_path: Path, key, value, ref, field, eased):
    out = judge(tmp_path, set_(key, value))
    no_invalid(out)
    [c] = [c for c in out.changes if c.field == field]
    assert (c.ref, c.kind, c.eased) == (K + ref, "changed", eased)
    [f] = out.findings
    assert (f.rule, f.ref) == ("definition-changed", K + ref)
    assert ("(this eases it)" in f.message) is eased


def test_easing_milestones_type_and_non_definition_fields(tmp_path: Path):
    def edit(files):
        item(files, "O1/KR3")["milestones"].pop()                       # m2 removed: eased
        item(files, "O1/KR3")["milestones"][0]["title"] = "First!"      # a title is not a definition
        item(files, "O1/KR1")["direction"] = "increase"                 # the direction already implied
        item(files, "O1/KR1")["title"] = "Metric up, renamed"
        kr2 = item(files, "O1/KR2")                                      # maintain -> metric
        kr2.update(type="metric", baseline=80, target=95)
        del kr2["threshold"]
    out = judge(tmp_path, edit)
    no_invalid(out)
    changed = {(c.ref.removeprefix(K), c.field): c.eased for c in out.changes if c.kind == "changed"}
    assert changed == {("O1/KR1", "title"): False, ("O1/KR1", "direction"): False,
                       ("O1/KR2", "type"): True, ("O1/KR2", "baseline"): False, ("O1/KR2", "target"): False,
                       ("O1/KR2", "threshold"): False, ("O1/KR3", "milestones"): True}
    got = {(f.ref.removeprefix(K), f.message.split(": ", 1)[1].split(" ", 1)[0]) for f in only(out, "definition-changed")}
    assert got == {("O1/KR2", "type"), ("O1/KR2", "baseline"), ("O1/KR2", "target"), ("O1/KR2", "threshold"),
                   ("O1/KR3", "milestones")}
    assert rule_names(out) == {"definition-changed"}


def test_milestone_added_is_not_eased(tmp_path: Path):
    out = judge(tmp_path, lambda f: item(f, "O1/KR3")["milestones"].append({"id": "m3", "title": "Third"}))
    [c] = out.changes
    assert (c.field, c.eased) == ("milestones", False)
    assert fired(out) == {("definition-changed", K + "O1/KR3")}


# --------------------------------------------------------------------------- closed periods


def _late_q1_checkin(files):
    files[Q1]["objectives"][0]["key_results"][0]["checkins"].append({"date": "2026-03-31", "value": 55})


def test_closed_by_date_only_after_the_grace(tmp_path: Path):
    inside = judge(tmp_path / "a", _late_q1_checkin, at=date(2026, 4, 15))
    assert inside.findings == []
    after = judge(tmp_path / "b", _late_q1_checkin, at=date(2026, 4, 16))
    assert rule_names(after) == {"locked-period-changed", "checkin-backdated", "closed-result-changed"}
    [f] = only(after, "locked-period-changed")
    assert (f.severity, f.ref, f.path) == ("error", "2026-Q1/team", Q1)
    assert f.message == ("okrs/2026-Q1/team.yaml was changed, but period 2026-Q1 is closed (it ended on 2026-03-31 "
                         "and its 15-day grace for check-ins ended on 2026-04-15)")
    org, team = only(after, "closed-result-changed")
    assert (team.ref, team.path, team.message) == ("2026-Q1/team", Q1, (
        "2026-Q1/team: period 2026-Q1 is closed, but its final results differ between BASE and HEAD: "
        "unit 0.5 → 0.55; rolled up 0.5 → 0.55; O1 0.5 → 0.55; O1/KR1 0.5 → 0.55"))
    assert (org.ref, org.path) == ("2026-Q1/org", Q1_ORG)
    assert org.message.endswith("differ between BASE and HEAD: rolled up 0.7 → 0.725")


def test_closed_by_locked_periods_at_base(tmp_path: Path):
    files = base_files()
    files["okrctl.yaml"]["policy"]["locked_periods"] = ["2026-Q1"]
    out = judge(tmp_path, _late_q1_checkin, at=BEFORE, base=files)
    assert {"locked-period-changed", "closed-result-changed"} <= rule_names(out)
    assert "listed in policy.locked_periods" in only(out, "locked-period-changed")[0].message


def test_comment_only_change_to_a_closed_file(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / Q1).write_text("# closed quarter\n" + (root / Q1).read_text())
    out = compare(root, sha, None, at=AFTER, check=True)
    [c] = out.changes
    assert (c.ref, c.kind, c.field, c.item) == ("2026-Q1/team", "changed", None, "file")
    assert fired(out) == {("locked-period-changed", "2026-Q1/team")}


def test_removing_and_adding_files_of_a_closed_period(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / Q1).unlink()
    write_files(root, {"okrs/2025-Q4/team.yaml": {"objectives": []}})
    out = compare(root, sha, None, at=AFTER, check=True)
    locked = {f.path: f.message for f in only(out, "locked-period-changed")}
    assert locked[Q1].startswith("okrs/2026-Q1/team.yaml was removed")
    assert locked["okrs/2025-Q4/team.yaml"].startswith("okrs/2025-Q4/team.yaml was added")
    assert ("closed-result-changed", "2026-Q1/team") in fired(out)
    # the objective went with the file, after the lock
    assert ("item-removed", "2026-Q1/team/O1") in fired(out)


def test_closing_a_period_in_the_change_itself_does_not_count(tmp_path: Path):
    def edit(files):
        files["okrctl.yaml"]["policy"]["locked_periods"] = ["2026-Q2"]
        item(files, "O1/KR1")["checkins"].append({"date": "2026-05-19", "value": 60})
    out = judge(tmp_path, edit)
    no_invalid(out)
    assert fired(out) == {("policy-changed", "okrctl.yaml")}


# --------------------------------------------------------------------------- rules come from BASE


def test_a_change_cannot_switch_off_its_own_rule(tmp_path: Path):
    def edit(files):
        files["okrctl.yaml"]["policy"]["rules"] = {"definition-changed": "off"}
        files["okrctl.yaml"]["policy"]["lock_after_days"] = 90
        item(files, "O1/KR1")["target"] = 70
    out = judge(tmp_path, edit, commit=True)
    no_invalid(out)
    assert {(f.rule, f.severity) for f in out.findings} == {("definition-changed", "error"), ("policy-changed", "warning")}
    [p] = only(out, "policy-changed")
    assert p.path == "okrctl.yaml" and p.line == 5
    assert "policy.lock_after_days, policy.rules.definition-changed" in p.message


@pytest.mark.parametrize(("level", "expected"), [("warning", {("definition-changed", "warning")}), ("off", set())])
def test_base_rules_set_the_severity(tmp_path: Path, level, expected):
    files = base_files()
    files["okrctl.yaml"]["policy"]["rules"] = {"definition-changed": level}
    out = judge(tmp_path, set_("O1/KR1.target", 70), base=files)
    assert {(f.rule, f.severity) for f in out.findings} == expected
    assert not has_errors(out.findings)


def test_base_lock_after_days_per_period_kind(tmp_path: Path):
    files = base_files()
    files["okrctl.yaml"]["policy"]["lock_after_days"] = {"quarter": 60}
    assert judge(tmp_path / "a", set_("O1/KR1.target", 70), base=files, at=date(2026, 5, 31)).findings == []
    out = judge(tmp_path / "b", set_("O1/KR1.target", 70), base=files, at=date(2026, 6, 1))
    assert "after the lock on 2026-05-31" in only(out, "definition-changed")[0].message


# --------------------------------------------------------------------------- checkin-rewritten


def _with_records(files):
    kr4 = item(files, "O1/KR4")
    kr4["added"] = {"date": "2026-04-12", "reason": "New", "approved_by": "boss"}
    kr5 = item(files, "O1/KR5")
    kr5["cancelled"] = {"date": "2026-04-20", "reason": "Dropped", "approved_by": "boss"}
    kr1 = item(files, "O1/KR1")
    kr1["rebaselines"] = [{"date": "2026-04-02", "field": "target", "from": 90, "to": 80, "reason": "r", "approved_by": "boss"}]


def _edit_checkin(f):
    item(f, "O1/KR1")["checkins"][0]["value"] = 46


def _drop_checkin(f):
    item(f, "O1/KR1")["checkins"].pop(0)


def _edit_measurement(f):
    item(f, "K1")["measurements"][0]["value"] = 98


def _drop_measurement(f):
    item(f, "K1")["measurements"].clear()


def _edit_rebaseline(f):
    item(f, "O1/KR1")["rebaselines"][0]["reason"] = "Rewritten"


def _drop_rebaseline(f):
    del item(f, "O1/KR1")["rebaselines"]


def _edit_added(f):
    item(f, "O1/KR4")["added"]["approved_by"] = "someone.else"


def _drop_cancelled(f):
    del item(f, "O1/KR5")["cancelled"]


def _insert_before(f):
    item(f, "O1/KR1")["checkins"].insert(0, {"date": "2026-04-03", "value": 44})


REWRITES = [
    (_edit_checkin, K + "O1/KR1@2026-04-03#1", "an existing check-in was changed (value 45 → 46)"),
    (_drop_checkin, K + "O1/KR1@2026-04-03#1", "an existing check-in was removed"),
    (_edit_measurement, K + "K1@2026-04-30#1", "an existing measurement was changed (value 97.5 → 98)"),
    (_drop_measurement, K + "K1@2026-04-30#1", "an existing measurement was removed"),
    (_edit_rebaseline, K + "O1/KR1@2026-04-02#1", "an existing rebaselines entry was changed (reason r → Rewritten)"),
    (_drop_rebaseline, K + "O1/KR1@2026-04-02#1", "an existing rebaselines entry was removed"),
    (_edit_added, K + "O1/KR4", "an existing `added` record was changed (approved_by boss → someone.else)"),
    (_drop_cancelled, K + "O1/KR5", "an existing `cancelled` record was removed"),
    (_insert_before, K + "O1/KR1@2026-04-03#1", "an existing check-in was changed (value 45 → 44)"),
]


@pytest.mark.parametrize(("edit", "ref", "message"), REWRITES, ids=[e.__name__.strip("_") for e, *_ in REWRITES])
def test_checkin_rewritten(tmp_path: Path, edit, ref, message):
    files = base_files()
    _with_records(files)
    out = judge(tmp_path, edit, base=files, at=BEFORE)  # not a matter of the lock
    no_invalid(out)
    [f] = only(out, "checkin-rewritten")
    assert (f.severity, f.ref, f.path) == ("error", ref, Q2)
    assert f.message.startswith(f"{ref}: {message}")


def test_a_correction_appended_after_the_original_is_not_a_rewrite(tmp_path: Path):
    out = judge(tmp_path, lambda f: item(f, "O1/KR1")["checkins"].append({"date": "2026-04-10", "value": 51}), at=BEFORE)
    # §8 (revised): not a rewrite, but every correction is shown with its old and new value
    [f] = out.findings
    assert (f.rule, f.severity) == ("checkin-corrected", "warning")
    assert f.message == f"{K}O1/KR1@2026-04-10#2: corrects the check-in of 2026-04-10 reported at BASE: value 50 → 51"
    [c] = out.changes
    assert (c.ref, c.kind, c.item) == (K + "O1/KR1@2026-04-10#2", "added", "checkin")


# --------------------------------------------------------------------------- dates of new check-ins


@pytest.mark.parametrize(("ref", "day", "expected"), [
    ("O1/KR1", "2026-05-04", {"checkin-backdated"}),      # 16 days before J
    ("O1/KR1", "2026-05-05", set()),                      # exactly backdate_days
    ("O1/KR1", "2026-05-20", set()),                      # J itself
    ("O1/KR1", "2026-05-21", {"checkin-future"}),
    ("O1/KR1", "2026-04-09", {"checkin-backdated", "checkin-out-of-order"}),
    ("O1/KR1", "2026-04-10", {"checkin-backdated", "checkin-corrected"}),  # same day as the latest: a correction
    ("K1", "2026-05-04", {"checkin-backdated"}),
    ("K1", "2026-05-21", {"checkin-future"}),
    ("K1", "2026-05-10", set()),
    ("K1", "2026-04-29", {"checkin-backdated", "checkin-out-of-order"}),  # §8 (revised): measurements too
])
def test_dates_of_new_checkins(tmp_path: Path, ref, day, expected):
    def edit(files):
        it = item(files, ref)
        key = "measurements" if ref.startswith("K") else "checkins"
        it[key].append({"date": day, "value": 60})
    out = judge(tmp_path, edit)
    no_invalid(out)
    assert rule_names(out) == expected
    for f in out.findings:
        assert f.ref.startswith(K + ref + "@" + day)
    sev = {f.rule: f.severity for f in out.findings}
    assert all(sev[r] == RULES[r].severity for r in sev)


def test_out_of_order_message(tmp_path: Path):
    out = judge(tmp_path, lambda f: item(f, "O1/KR1")["checkins"].append({"date": "2026-04-09", "value": 49}), at=date(2026, 4, 12))
    assert [f.message for f in out.findings] == [
        f"{K}O1/KR1@2026-04-09#1: new check-in dated 2026-04-09, before the latest one at BASE (2026-04-10)"]


# --------------------------------------------------------------------------- items added, removed, cancelled


def _new_kr(added: bool):
    def edit(files):
        kr = {"id": "KR6", "title": "New one", "baseline": 0, "target": 5}
        if added:
            kr["added"] = {"date": "2026-05-12", "reason": "Asked for", "approved_by": "boss"}
        item(files, "O1")["key_results"].append(kr)
    return edit


def test_item_added(tmp_path: Path):
    out = judge(tmp_path / "a", _new_kr(False))
    no_invalid(out)
    [f] = out.findings
    assert (f.rule, f.severity, f.ref) == ("item-added", "error", K + "O1/KR6")
    assert "without an `added` record" in f.message
    # §8 (revised): a valid `added` record turns it into a warning
    assert [(f.rule, f.severity) for f in judge(tmp_path / "b", _new_kr(True)).findings] == [
        ("item-added-recorded", "warning")]
    assert judge(tmp_path / "c", _new_kr(False), at=BEFORE).findings == []


def test_new_objective_and_kpi_after_the_lock(tmp_path: Path):
    def edit(files):
        files[Q2]["objectives"].append({"id": "O3", "title": "Third", "key_results": [
            {"id": "KR1", "title": "a", "type": "boolean"}, {"id": "KR2", "title": "b", "type": "boolean"}]})
        files[Q2]["kpis"].append({"id": "K3", "title": "New KPI", "target": 1,
                                  "added": {"date": "2026-05-11", "reason": "r", "approved_by": "boss"}})
    out = judge(tmp_path, edit)
    no_invalid(out)
    # its KRs come with it; K3 has its record (§8 revised: shown as item-added-recorded)
    assert fired(out) == {("item-added", K + "O3"), ("item-added-recorded", K + "K3")}


def test_item_removed(tmp_path: Path):
    def edit(files):
        item(files, "O1")["key_results"].pop()       # KR5
        files[Q2]["objectives"].pop()                 # O2 and its KR
        files[Q2]["kpis"].pop()                       # K2
    out = judge(tmp_path / "a", edit)
    no_invalid(out)
    assert fired(out) == {("item-removed", K + "O1/KR5"), ("item-removed", K + "O2"), ("item-removed", K + "K2")}
    lines = {f.ref: f.line for f in out.findings}
    assert lines[K + "O1/KR5"] == (tmp_path / "a/repo" / Q2).read_text().splitlines().index("  - id: O1") + 1
    assert lines[K + "O2"] == 1
    assert all("cancel it instead" in f.message for f in out.findings)
    assert judge(tmp_path / "b", edit, at=BEFORE).findings == []


def test_item_cancelled(tmp_path: Path):
    def edit(files):
        item(files, "O1/KR4")["cancelled"] = {"date": "2026-04-08", "reason": "Moot", "approved_by": "boss"}
    out = judge(tmp_path, edit, at=BEFORE)
    [f] = out.findings
    assert (f.rule, f.severity, f.ref) == ("item-cancelled", "warning", K + "O1/KR4")
    assert f.message == f"{K}O1/KR4: cancelled on 2026-04-08, approved by boss"


# --------------------------------------------------------------------------- closed-result-changed and policy


def test_unit_weight_moves_a_closed_roll_up(tmp_path: Path):
    def edit(files):
        files["units.yaml"]["units"][1]["weight"] = 3
    out = judge(tmp_path, edit)
    no_invalid(out)
    assert rule_names(out) == {"policy-changed", "closed-result-changed"}
    [s] = only(out, "closed-result-changed")
    assert (s.ref, s.path) == ("2026-Q1/org", Q1_ORG)
    # org: own 0.9, team 0.5 -> rolled (0.9 + 0.5) / 2 = 0.7, then (0.9 + 3 × 0.5) / 4 = 0.6
    assert s.message.endswith("rolled up 0.7 → 0.6")
    [p] = only(out, "policy-changed")
    assert (p.path, p.message) == ("units.yaml", "units.yaml changed: unit team weight; this change is still judged by the settings and rules of the policy revision")


def test_settings_change_that_moves_no_closed_score(tmp_path: Path):
    def edit(files):
        files["okrctl.yaml"]["scoring"] = {"aspirational_target": D("0.6")}
    out = judge(tmp_path, edit)
    assert fired(out) == {("policy-changed", "okrctl.yaml")}


def test_comment_only_change_to_settings_is_still_a_policy_change(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / "units.yaml").write_text((root / "units.yaml").read_text() + "# reviewed\n")
    out = compare(root, sha, None, at=AFTER, check=True)
    assert [(c.ref, c.item) for c in out.changes] == [("units.yaml", "file")]
    assert [f.message for f in out.findings] == [
        "units.yaml changed: comments or formatting only; this change is still judged by the settings and rules of the policy revision"]


def test_core_modules_stay_pure():
    import subprocess
    import sys

    code = ("import sys, okrctl.engine.rules, okrctl.engine.diff; "
            "print(sorted(m for m in ('typer', 'rich', 'okrctl.gitio', 'okrctl.cli') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_closed_score_rule_can_be_switched_off_at_base(tmp_path: Path):
    files = base_files()
    files["okrctl.yaml"]["policy"]["rules"] = {"closed-result-changed": "off", "policy-changed": "off"}
    out = judge(tmp_path, lambda f: f["units.yaml"]["units"][1].update(weight=3), base=files)
    assert out.findings == []


# --------------------------------------------------------------------------- HEAD must validate


def test_invalid_head_is_reported(tmp_path: Path):
    def edit(files):
        it = item(files, "O1/KR1")
        it["targte"] = it.pop("target")
    out = judge(tmp_path, edit, at=BEFORE)
    inv = only(out, INVALID)
    assert inv and all(f.severity == "error" and f.path == Q2 for f in inv)
    assert any("OKR101 unknown key 'targte'" in f.message for f in inv)
    assert has_errors(out.findings)


# --------------------------------------------------------------------------- reading only what changed


def test_only_changed_blobs_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from okrctl import gitio
    from okrctl.read.source import WorkingTreeSource

    repo, root, c1 = make_repo(tmp_path)
    files = base_files()
    item(files, "O1/KR1")["checkins"].append({"date": "2026-04-11", "value": 52})
    write_files(root, {Q2: files[Q2]})
    c2 = commit_all(repo, "check-in", "2026-04-11T09:00:00+07:00")
    blobs: list[str] = []
    disk: list[str] = []
    real_blobs, real_read = gitio.Repo.read_blobs, WorkingTreeSource.read
    monkeypatch.setattr(gitio.Repo, "read_blobs", lambda self, shas, **kw: (blobs.extend(shas := list(shas)), real_blobs(self, shas, **kw))[1])
    monkeypatch.setattr(WorkingTreeSource, "read", lambda self, p: (disk.append(p), real_read(self, p))[1])

    def blob(rev: str, path: str) -> str:
        return git(repo, "rev-parse", f"{rev}:{path}").strip()

    out = compare(root, c1, c2)
    assert out.changed_paths == [Q2] and len(out.changes) == 1
    settings = {blob(c1, "okrctl.yaml"), blob(c1, "units.yaml")}
    assert set(blobs) == settings | {blob(c1, Q2), blob(c2, Q2)}
    assert disk == []
    blobs.clear()
    (root / Q1).write_text((root / Q1).read_text() + "# note\n")
    out = compare(root, c2, None)
    assert out.changed_paths == [Q1]
    assert set(blobs) == settings | {blob(c2, Q1)}
    assert sorted(disk) == sorted(["okrctl.yaml", "units.yaml", Q1])


def test_working_tree_untracked_and_deleted_files(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / Q1).unlink()
    write_files(root, {"okrs/2026-Q3/team.yaml": {"objectives": [
        {"id": "O1", "title": "Next", "key_results": [{"id": "KR1", "title": "k", "type": "boolean"}]}]}})
    out = compare(root, sha, None)
    got = [(c.ref, c.kind, c.item) for c in out.changes]
    assert got == [("2026-Q1/team", "removed", "file"), ("2026-Q1/team/O1", "removed", "objective"),
                   ("2026-Q3/team", "added", "file"), ("2026-Q3/team/O1", "added", "objective")]
    assert out.head_label == "working tree" and out.base_label == sha


def test_workspace_in_a_subdirectory(tmp_path: Path):
    repo = init_repo(tmp_path / "repo")
    write_files(repo / "plans", base_files())
    write(repo / "README.md", "hi\n")
    c1 = commit_all(repo, "base", "2026-04-01T09:00:00+07:00")
    files = base_files()
    item(files, "O1/KR1")["target"] = 70
    write_files(repo / "plans", {Q2: files[Q2]})
    write(repo / "README.md", "changed\n")
    c2 = commit_all(repo, "change", "2026-05-01T09:00:00+07:00")
    out = compare(repo / "plans", c1, c2, at=AFTER, check=True)
    assert out.changed_paths == [Q2]
    assert fired(out) == {("definition-changed", K + "O1/KR1")}


# --------------------------------------------------------------------------- the CLI


cli = run_okrctl_text  # the real CLI in a subprocess, with stdout and stderr decoded


def _cli_repo(tmp_path: Path, base: dict | None = None) -> tuple[Path, str]:
    repo, root, sha = make_repo(tmp_path, base)
    git(repo, "tag", "v1", sha)
    files = base_files()
    item(files, "O1/KR1")["target"] = 70
    item(files, "O1/KR1")["checkins"].append({"date": "2026-05-19", "value": 55, "note": "line one\n::error::forged"})
    item(files, "K1")["measurements"].append({"date": "2026-04-20", "value": 97})
    write_files(root, {Q2: files[Q2]})
    return root, sha


def test_cli_diff_formats(tmp_path: Path):
    root, sha = _cli_repo(tmp_path)
    r = cli("-C", str(root), "diff", "v1", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {k: doc[k] for k in ("schema_version", "command", "base", "head", "findings")} == {
        "schema_version": 1, "command": "diff", "base": {"rev": "v1", "commit": sha},
        "head": {"rev": None, "commit": None, "label": "working tree"}, "findings": []}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", doc["at"]) and doc["okrctl"]
    assert all(list(c) == ["ref", "kind", "field", "old", "new", "eased"] for c in doc["changes"])
    assert doc["changes"][0] == {"ref": K + "O1/KR1", "kind": "changed", "field": "target", "old": 80, "new": 70, "eased": True}
    assert doc["changes"][1]["new"] == {"date": "2026-05-19", "value": 55, "note": "line one\n::error::forged"}
    assert doc["changes"][2] == {"ref": K + "K1@2026-04-20#1", "kind": "added", "field": "measurement", "old": None,
                                 "new": {"date": "2026-04-20", "value": 97}, "eased": False}

    text = cli("--color", "never", "diff", "v1", cwd=root)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines[0] == f"2026-Q2 · team  {Q2}"
    assert "  ± O1/KR1  target: 80 → 70  eased" in lines
    assert "  + O1/KR1 check-in 2026-05-19 #1  value 55 · note line one ::error::forged" in lines
    assert not any(ln.startswith("::") for ln in lines)
    assert lines[-1] == "1 key result changed, 1 check-in added, 1 measurement added (v1..working tree)"

    md = cli("-C", str(root), "diff", "v1", "--format", "md")
    assert md.returncode == 0
    assert md.stdout.startswith("### okrctl diff: `v1` → working tree\n\n**1 key result changed, 1 check-in added, 1 measurement added**")
    assert "| ± | O1/KR1 | target: 80 → 70 **eased** |" in md.stdout

    same = cli("-C", str(root), "diff", "v1", "v1")
    assert same.returncode == 0 and same.stdout.strip() == "no changes (v1..v1)"


def test_cli_check_exit_codes_and_formats(tmp_path: Path):
    root, _ = _cli_repo(tmp_path)
    r = cli("check", "v1", "--at", "2026-05-20", "--format", "github", cwd=root)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"::error file={Q2},line=")
    assert ",title=okrctl definition-changed::" in lines[0]
    assert lines[1].startswith(f"::warning file={Q2},line=") and "checkin-backdated" in lines[1]
    # §8 (revised): checkin-out-of-order covers measurements (K1 2026-04-20 < 2026-04-30)
    assert lines[2].startswith(f"::warning file={Q2},line=") and "checkin-out-of-order" in lines[2]
    assert lines[3].startswith("::stop-commands::") and lines[-1] == f"::{lines[3].split('::')[2]}::"
    assert lines[-2] == "1 error and 2 warnings (v1..working tree, judged at 2026-05-20)"
    assert not any(ln.startswith("::") for ln in lines[4:-1])

    js = cli("-C", str(root), "check", "v1", "--at", "2026-05-20", "--format", "json")
    doc = json.loads(js.stdout)
    assert js.returncode == 1
    assert (doc["command"], doc["status"], doc["at"], doc["summary"]) == (
        "check", "fail", "2026-05-20", {"errors": 1, "warnings": 2, "changes": 3})
    assert [list(f) for f in doc["findings"]] == [["path", "line", "column", "severity", "code", "rule", "ref", "message"]] * 3

    bad_at = cli("-C", str(root), "check", "v1", "--at", "20-5-2026")
    assert bad_at.returncode == 2 and "--at" in bad_at.stderr and "Traceback" not in bad_at.stderr


def test_cli_check_sarif(tmp_path: Path):
    """check --format sarif: the findings as SARIF results, rules from the one registry."""
    root, _ = _cli_repo(tmp_path)
    r = cli("check", "v1", "--at", "2026-05-20", "--format", "sarif", cwd=root)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules_ = run["tool"]["driver"]["rules"]
    assert [(x["id"], x["name"], x["defaultConfiguration"]["level"]) for x in rules_] == [
        ("OKR802", "definition-changed", "error"), ("OKR807", "checkin-backdated", "warning"),
        ("OKR809", "checkin-out-of-order", "warning")]
    assert all(x["helpUri"].endswith("docs/checks.md#" + x["id"].lower()) for x in rules_)
    got = [(x["ruleId"], x["level"], x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for x in run["results"]]
    assert [g[:3] for g in got] == [("OKR802", "error", Q2), ("OKR807", "warning", Q2), ("OKR809", "warning", Q2)]
    js = json.loads(cli("-C", str(root), "check", "v1", "--at", "2026-05-20", "--format", "json").stdout)
    assert [g[3] for g in got] == [f["ref"] for f in js["findings"]]
    assert [x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in run["results"]] == [
        f["line"] for f in js["findings"]]


def test_cli_check_warnings_only_exit_0(tmp_path: Path):
    files = base_files()
    files["okrctl.yaml"]["policy"]["rules"] = {"definition-changed": "warning"}
    root, _ = _cli_repo(tmp_path, files)
    md = cli("check", "v1", "--at", "2026-05-20", "--format", "md", cwd=root)
    assert md.returncode == 0, md.stdout
    assert md.stdout.startswith("### ⚠️ okrctl check: 3 warnings (v1..working tree, judged at 2026-05-20)\n")
    assert "| warning | `definition-changed` | `okrs/2026-Q2/team.yaml:" in md.stdout
    assert "<details><summary>Changes: 1 key result changed, 1 check-in added, 1 measurement added</summary>" in md.stdout
    gh = cli("-C", str(root), "check", "v1", "--at", "2026-05-20", env={"GITHUB_ACTIONS": "true"})
    assert gh.returncode == 0 and gh.stdout.startswith("::warning file=")  # github by default under Actions


def test_cli_check_invalid_head_exits_1(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / Q2).write_text((root / Q2).read_text().replace("target: 80", "targte: 80"))
    r = cli("-C", str(root), "--color", "never", "check", sha, "--at", "2026-04-10")
    assert r.returncode == 1
    assert f"{Q2}:" in r.stdout and "error invalid OKR101 unknown key 'targte'" in r.stdout


def test_cli_git_problems_exit_2(tmp_path: Path):
    plain = tmp_path / "plain"
    write_files(plain, base_files())
    r = cli("-C", str(plain), "diff")
    assert r.returncode == 2 and r.stderr.startswith("okrctl: not a git repository") and r.stdout == ""
    repo, root, sha = make_repo(tmp_path)
    r = cli("-C", str(root), "check", "no-such-branch")
    assert r.returncode == 2 and r.stderr == "okrctl: unknown revision 'no-such-branch'\n"


def test_shallow_clone_names_fetch_depth(tmp_path: Path):
    repo, root, c1 = make_repo(tmp_path)
    files = base_files()
    item(files, "O1/KR1")["checkins"].append({"date": "2026-04-11", "value": 52})
    write_files(root, {Q2: files[Q2]})
    commit_all(repo, "second", "2026-04-11T09:00:00+07:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    for args in (["check", "HEAD~1"], ["diff", "HEAD~1"], ["check", c1]):
        r = cli("-C", str(clone), *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "fetch-depth: 0" in r.stderr and "Traceback" not in r.stderr
    # BASE resolves but one of its blobs is gone (cut off): exit 2, never a silent gap
    blob = git(repo, "rev-parse", f"{c1}:{Q2}").strip()
    (repo / ".git/objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(CompareError) as exc:
        compare(root, c1, "HEAD", check=True)
    assert exc.value.exit_code == 2 and f"BASE {c1}: cannot read {Q2} at revision {c1[:12]}: git object {blob[:12]} is missing" in exc.value.message
    assert "fetch-depth" not in exc.value.message
    (repo / ".git/shallow").write_text(c1 + "\n")
    with pytest.raises(CompareError) as exc:
        compare(root, c1, "HEAD")
    assert exc.value.message.endswith("or set `fetch-depth: 0` in actions/checkout")


def test_score_rev_equals_score_in_a_checkout(tmp_path: Path):
    repo, root, c1 = make_repo(tmp_path)
    files = base_files()
    item(files, "O1/KR1")["checkins"].append({"date": "2026-05-10", "value": 70})
    write_files(root, {Q2: files[Q2]})
    commit_all(repo, "later", "2026-05-10T09:00:00+07:00")
    write_files(root, {Q2: base_files()[Q2].copy() | {"kpis": []}})  # a dirty working tree must not matter
    checkout = tmp_path / "checkout"
    git(repo, "worktree", "add", "-q", "--detach", str(checkout), c1)
    by_rev = cli("-C", str(root), "score", "--rev", c1, "--as-of", "2026-05-15", "--format", "json")
    in_checkout = cli("-C", str(checkout), "score", "--as-of", "2026-05-15", "--format", "json")
    assert by_rev.returncode == 0 and in_checkout.returncode == 0, (by_rev.stderr, in_checkout.stderr)
    assert json.loads(by_rev.stdout) == json.loads(in_checkout.stdout)
    now = cli("-C", str(root), "score", "--rev", "HEAD", "--as-of", "2026-05-15", "--format", "json")
    assert json.loads(now.stdout) != json.loads(by_rev.stdout)  # the comparison can tell revisions apart


def test_hostile_repository(tmp_path: Path):
    repo, root, c1 = make_repo(tmp_path)
    files = base_files()
    item(files, "O1/KR1")["target"] = 70
    write_files(root, {Q2: files[Q2]})
    commit_all(repo, "second", "2026-05-01T09:00:00+07:00")
    marker = make_hostile(repo, tmp_path)
    item(files, "O1/KR1")["checkins"].append({"date": "2026-05-19", "value": 60})
    write_files(root, {Q2: files[Q2]})  # a dirty file: git would like to run fsmonitor and the clean filter
    env = {"GIT_CONFIG_GLOBAL": os.environ["GIT_CONFIG_GLOBAL"]}
    for args in (["diff"], ["check", "HEAD~1", "HEAD", "--format", "json", "--at", "2026-05-20"]):
        r = cli("-C", str(root), *args, env=env)
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stdout and not marker.exists(), (args, marker.read_text())
    # the same code paths in-process, for the other combinations
    assert compare(root, "HEAD~1", "HEAD").changes
    assert compare(root, "HEAD~1", None, at=AFTER, check=True).findings
    assert not marker.exists(), marker.read_text()
    out_file = tmp_path / "OUT"
    bad = ["--output=" + str(out_file), "-n1", f"ext::sh -c touch% {marker}", "HEAD:okrctl.yaml",
           "../../../../dev/zero", "HEAD^{tree}", "HEAD\n--output=x", ""]
    for rev in bad:
        for base, head in ((rev, None), ("HEAD", rev)):
            with pytest.raises(CompareError) as exc:
                compare(root, base, head, check=True)
            assert exc.value.exit_code == 2 and "\n" not in exc.value.message
    for args in (["diff", "--", bad[0]], ["check", "--", bad[2]], ["diff", "HEAD", "--", bad[1]]):
        r = cli("-C", str(root), *args, env=env)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert r.stderr.startswith("okrctl: ") and r.stderr.count("\n") == 1, r.stderr
    assert not marker.exists() and not out_file.exists()


def test_compare_raises_compare_errors(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    with pytest.raises(CompareError) as exc:
        compare(root, "-x")
    assert exc.value.exit_code == 2 and "may not be empty, start with '-'" in exc.value.message


def test_files_that_do_not_load(tmp_path: Path):
    files = base_files()
    repo, root, c1 = make_repo(tmp_path, files)
    (root / Q1).write_text("objectives: [\n")                     # broken at BASE ...
    c2 = commit_all(repo, "broken", "2026-04-02T09:00:00+07:00")
    write_files(root, {Q1: files[Q1]})                            # ... fixed in the change
    (root / Q2).write_text((root / Q2).read_text() + "kpis: []\n")  # duplicate key: broken at HEAD
    out = compare(root, c2, None)
    assert out.changes == []
    assert [(f.rule, f.severity, f.path) for f in out.findings] == [
        ("invalid", "warning", Q1), ("invalid", "error", Q2)]
    assert out.findings[0].message.startswith(f"not compared: {Q1} does not load at {c2} (OKR002 ")
    checked = compare(root, c2, None, at=BEFORE, check=True)
    # §8 (revised): a BASE file that does not load is never a pass
    assert [(f.rule, f.severity, f.path) for f in checked.findings] == [
        ("base-unreadable", "error", Q1), ("invalid", "error", Q2)]
    assert checked.findings[1].message.startswith("OKR008 ")
    # the text view of diff lists the files it could not compare, one problem line each
    text = cli("--color", "never", "diff", c2, cwd=root)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"{Q1}:2: warning invalid not compared: {Q1} does not load at {c2} (OKR002 ")
    assert lines[1].startswith(f"{Q2}:") and " error invalid not compared: " in lines[1]


def test_settings_that_do_not_load(tmp_path: Path):
    repo, root, sha = make_repo(tmp_path)
    (root / "okrctl.yaml").write_text("name: Test\npolicy: {lock_after_days: -1}\n")
    out = compare(root, sha, None, at=BEFORE, check=True)
    assert {(f.rule, f.path) for f in out.findings} == {("invalid", "okrctl.yaml")}
    with pytest.raises(CompareError) as exc:
        compare(root, sha, None)
    assert exc.value.exit_code == 2 and exc.value.message.startswith("cannot compare: the workspace at working tree does not load")
    commit_all(repo, "broken settings")
    with pytest.raises(CompareError) as exc:
        compare(root, "HEAD", None, check=True)
    assert exc.value.exit_code == 2 and exc.value.message.startswith("cannot use the workspace at HEAD as the base: okrctl.yaml:2:")


def test_github_annotations_cannot_be_forged():
    from okrctl.audit.compare import Outcome
    from okrctl.render.diff import render_github

    out = Outcome(Path("."), "main", "0" * 40, None, None, AFTER)
    out.findings = [Problem.finding("definition-changed", "error", "r", "okrs/2026-Q2/a,b:c.yaml", 3,
                                  "unit changed % → x\n::error file=x,line=1::forged\r\n")]
    text = render_github(out, lambda p: p)
    lines = text.splitlines()
    assert lines[0] == ("::error file=okrs/2026-Q2/a%2Cb%3Ac.yaml,line=3,title=okrctl definition-changed::"
                        "unit changed %25 → x ::error file=x,line=1::forged ")
    assert len(lines) == 5 and lines[1].startswith("::stop-commands::") and lines[4] == f"::{lines[1][17:]}::"


def test_the_change_that_creates_the_workspace(tmp_path: Path):
    repo = init_repo(tmp_path / "repo")
    write(repo / "README.md", "plans to come\n")
    c0 = commit_all(repo, "empty", "2026-04-01T09:00:00+07:00")
    write_files(repo, base_files())
    out = compare(repo, c0, None)
    assert {(c.ref, c.kind) for c in out.changes if c.item in ("file", "unit")} == {
        ("2026-Q1/org", "added"), ("2026-Q1/team", "added"), ("2026-Q2/team", "added"),
        ("units/org", "added"), ("units/team", "added")}
    assert ("okrctl.yaml:name", "added") in {(c.ref, c.kind) for c in out.changes}
    checked = compare(repo, c0, None, at=AFTER, check=True)
    assert [(f.rule, f.severity) for f in checked.findings] == [("policy-changed", "warning")]
    assert "the workspace starts with this change" in checked.findings[0].message
