"""One broken period file (issue 14 item 7): each problem is reported once, where
it is; ``score`` and ``rollup`` score what they can, mark what depends on the
broken file as not scored or incomplete, and exit 1 only when something shown is
marked.  Real files: a copy of the sample with one typo."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import SAMPLE, run_okrctl

BROKEN = "okrs/2026-Q2/so-khcn.yaml"
#: the first objective title of the file, its key misspelt
TYPO = ("    title: Chuyển đổi số toàn diện", "    titel: Chuyển đổi số toàn diện")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    ws = tmp_path_factory.mktemp("broken") / "ws"
    shutil.copytree(SAMPLE, ws)
    path = ws / BROKEN
    text = path.read_text(encoding="utf-8")
    assert text.count(TYPO[0]) == 1
    path.write_text(text.replace(*TYPO), encoding="utf-8")
    return ws


def _json(ws, *args: str) -> tuple[dict, int, str]:
    r = run_okrctl("-C", str(ws), *args, "--format", "json")
    return json.loads(r.stdout), r.returncode, r.stderr.decode()


def test_validate_reports_only_the_broken_file(broken):
    r = run_okrctl("-C", str(broken), "validate", "--format", "json")
    assert r.returncode == 1
    found = {(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(r.stdout)["diagnostics"]}
    # before: OKR211 also in so-khcn-cds, -dmst, -qlkh and -vp, which align into the broken file
    assert found == {(BROKEN, 14, 5, "OKR102"), (BROKEN, 15, 5, "OKR101")}


def test_score_of_an_unaffected_unit_is_exact_and_exits_0(broken):
    doc, rc, err = _json(broken, "score", "--unit", "so-khcn-cds")
    good, good_rc, _ = _json(SAMPLE, "score", "--unit", "so-khcn-cds")
    assert (rc, good_rc) == (0, 0)
    assert doc == good  # every number as in the valid sample
    (cds,) = doc["units"]
    assert (cds["scored"], cds["rollup_complete"], cds["invalid_file"]) == (True, True, None)
    assert round(cds["score"], 4) == 0.3583 and round(cds["rolled_score"], 4) == 0.3583
    # the broken file is named once, as a note
    assert err == f"okrctl: note: {broken / BROKEN} has errors; the units shown do not depend on it\n"


def test_score_marks_the_broken_unit_and_the_roll_up_above_it(broken):
    doc, rc, err = _json(broken, "score")
    good, _, _ = _json(SAMPLE, "score")
    assert rc == 1
    units = {u["unit"]: u for u in doc["units"]}
    s = units["so-khcn"]
    assert (s["score"], s["rolled_score"], s["scored"], s["rollup_complete"], s["invalid_file"]) == \
        (None, None, False, False, BROKEN)
    assert s["objectives"] == [] and s["kpis"] == []
    top = units["ha-noi"]
    assert (top["rolled_score"], top["scored"], top["rollup_complete"]) == (None, True, False)
    # the other units: exactly the numbers of the valid sample
    good_units = {u["unit"]: u for u in good["units"]}
    for uid in ("so-khcn-vp", "so-khcn-qlkh", "so-khcn-cds", "so-khcn-dmst", "phuong-hoan-kiem"):
        assert units[uid] == good_units[uid]
    lines = err.splitlines()
    assert lines[-1] == "okrctl: not scored: so-khcn; roll-up incomplete: ha-noi (files with errors; fix them first: okrctl validate)"
    assert [ln.split(": ")[0] for ln in lines[:-1]] == [f"{broken / BROKEN}:14:5", f"{broken / BROKEN}:15:5"]


def test_rollup_table_marks_not_scored_and_incomplete(broken):
    r = run_okrctl("-C", str(broken), "--color", "never", "rollup", "--locale", "en", env={"COLUMNS": "100"})
    assert r.returncode == 1
    out = r.stdout.decode()
    rows = {ln.split("(")[1].split(")")[0]: ln for ln in out.splitlines() if ln.endswith(("░", "·", "█")) and "(" in ln}
    assert rows["ha-noi"].split()[-3:] == ["—", "incomplete", "··········"]
    assert rows["so-khcn"].split()[-4:] == ["not", "scored", "incomplete", "··········"]
    assert rows["so-khcn-cds"].split()[-3:] == ["0.36", "0.36", "████░░░░░░"]
    assert rows["phuong-hoan-kiem"].split()[-3:] == ["0.4", "0.4", "████░░░░░░"]
    assert out.rstrip().endswith("incomplete: a unit in this roll-up is not scored, so no rolled-up score is given")


def test_rollup_json_and_unaffected_subtree(broken):
    doc, rc, _ = _json(broken, "rollup")
    assert rc == 1
    top = doc["tree"][0]
    assert (top["unit"], top["rolled_score"], top["rollup_complete"]) == ("ha-noi", None, False)
    skhcn, phuong = top["children"]
    assert (skhcn["scored"], skhcn["invalid_file"], skhcn["rolled_score"]) == (False, BROKEN, None)
    assert [(c["unit"], c["scored"], c["rollup_complete"]) for c in skhcn["children"]] == [
        ("so-khcn-vp", True, True), ("so-khcn-qlkh", True, True), ("so-khcn-cds", True, True), ("so-khcn-dmst", True, True)]
    assert (phuong["scored"], phuong["rollup_complete"], round(phuong["rolled_score"], 4)) == (True, True, 0.4028)
    sub, rc, _ = _json(broken, "rollup", "--unit", "phuong-hoan-kiem")
    assert rc == 0 and sub["tree"][0]["rolled_score"] == phuong["rolled_score"]


def test_another_period_is_not_affected(broken):
    doc, rc, err = _json(broken, "score", "--period", "2026-Q1")
    good, _, _ = _json(SAMPLE, "score", "--period", "2026-Q1")
    assert rc == 0 and doc == good
    assert "note:" in err


def test_aligned_kr_fed_from_a_broken_file_is_not_scored(tmp_path):
    """so-khcn's aligned KR O1/KR2 is fed by objectives of its departments: with one
    department's file broken its feeders are unknown, so the KR, its objective and
    the unit are not scored (rather than a mean over the feeders that are left)."""
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    path = ws / "okrs/2026-Q2/so-khcn-dmst.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: O2\n", "  - idd: O2\n", 1), encoding="utf-8")
    doc, rc, err = _json(ws, "score", "--unit", "so-khcn")
    assert rc == 1
    units = {u["unit"]: u for u in doc["units"]}
    s = units["so-khcn"]
    assert (s["scored"], s["invalid_file"], s["score"]) == (False, None, None)
    o1, o2 = s["objectives"]
    assert (o1["status"], o1["score"], o1["grade"]) == ("not_scored", None, None)
    assert [(k["ref"].rsplit("/", 1)[1], k["status"]) for k in o1["key_results"]] == [("KR1", "on_track"), ("KR2", "not_scored"), ("KR3", "on_track")]
    assert o2["status"] == "at_risk" and round(o2["score"], 4) == 0.2056
    assert units["so-khcn-dmst"]["invalid_file"] == "okrs/2026-Q2/so-khcn-dmst.yaml"
    assert err.splitlines()[-1] == "okrctl: not scored: so-khcn, so-khcn-dmst (files with errors; fix them first: okrctl validate)"
    # validate: only the broken file, no OKR214 at the aligned KR
    r = run_okrctl("-C", str(ws), "validate", "--format", "json")
    assert {d["path"] for d in json.loads(r.stdout)["diagnostics"]} == {"okrs/2026-Q2/so-khcn-dmst.yaml"}


def test_a_broken_settings_file_still_refuses_everything(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    (ws / "units.yaml").write_text((ws / "units.yaml").read_text(encoding="utf-8").replace("    name: Văn phòng Sở\n", "    nam: Văn phòng Sở\n"), encoding="utf-8")
    r = run_okrctl("-C", str(ws), "score", "--unit", "so-khcn-cds")
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode().splitlines()[-1].startswith("okrctl: the workspace has 2 errors")


def test_markdown_marks_not_scored_and_incomplete(broken):
    r = run_okrctl("-C", str(broken), "score", "--format", "md", "--locale", "en")
    assert r.returncode == 1
    md = r.stdout.decode()
    assert "## UBND Thành phố Hà Nội (`ha-noi`)\n\nOwn score: **—** · Rolled-up: **incomplete**\n" in md
    assert ("## Sở Khoa học và Công nghệ (`so-khcn`)\n\nOwn score: **not scored** · Rolled-up: **incomplete**\n\n"
            "_not scored: okrs/2026-Q2/so-khcn.yaml has errors (okrctl validate)_\n") in md
    assert "no file for this period" not in md.split("(`so-khcn`)")[1].split("##")[0]
    r = run_okrctl("-C", str(broken), "rollup", "--format", "md", "--locale", "en")
    rows = {ln.split("(`")[1].split("`)")[0]: ln for ln in r.stdout.decode().splitlines() if "(`" in ln}
    assert rows["ha-noi"].endswith("| — | **incomplete** |")
    assert rows["so-khcn"].endswith("| not scored | **incomplete** |")
    assert rows["so-khcn-cds"].endswith("| 0.36 | **0.36** |")
    assert r.stdout.decode().rstrip().endswith("_incomplete: a unit in this roll-up is not scored, so no rolled-up score is given_")
