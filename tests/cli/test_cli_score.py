"""okrctl score / rollup end to end on the bundled sample workspace."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest

from conftest import EXAMPLE_EN, SAMPLE, normalise_output, run_okrctl


def test_score_json_golden(golden):
    r = run_okrctl("-C", str(SAMPLE), "score", "--format", "json")
    assert r.returncode == 0, r.stderr
    golden("sample-score.json", normalise_output(r.stdout.decode()))


def test_score_md_golden(golden):
    r = run_okrctl("-C", str(SAMPLE), "score", "--format", "md")
    assert r.returncode == 0, r.stderr
    golden("sample-score.md", r.stdout.decode())


def test_score_q1_md_golden_in_english(golden):
    r = run_okrctl("-C", str(SAMPLE), "score", "--period", "2026-Q1", "--format", "md", "--locale", "en")
    assert r.returncode == 0, r.stderr
    golden("sample-score-2026-Q1-en.md", r.stdout.decode())


def _score_json(*extra: str) -> dict:
    r = run_okrctl("-C", str(SAMPLE), "score", "--format", "json", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _kr(doc: dict, ref: str) -> dict:
    for u in doc["units"]:
        for o in u["objectives"]:
            if o["ref"] == ref:
                return o
            for k in o["key_results"]:
                if k["ref"] == ref:
                    return k
        for k in u["kpis"]:
            if k["ref"] == ref:
                return k
    raise KeyError(ref)


def test_sample_numbers_computed_by_hand():
    doc = _score_json()
    assert doc["okrctl"] and doc["schema_version"] == 1 and doc["command"] == "score"
    assert doc["period"] == "2026-Q2" and doc["as_of"] == "2026-05-15"
    # metric, rebaselined 90 -> 80: (77 - 70) / (80 - 70) = 0.7, on track (expected 0.4945 - 0.1)
    kr1 = _kr(doc, "2026-Q2/so-khcn/O1/KR1")
    assert (kr1["value"], kr1["score"], kr1["progress"], kr1["status"], kr1["rebaselined"]) == (77.0, 0.7, 0.7, "on_track", True)
    # aligned KR fed by so-khcn-cds/O1 (weight 2, 43/80) and so-khcn-vp/O1 (weight 1, 71/240): 329/720
    assert _kr(doc, "2026-Q2/so-khcn/O1/KR2")["score"] == float(Fraction(329, 720))
    assert _kr(doc, "2026-Q2/so-khcn-cds/O1")["score"] == float(Fraction(43, 80))
    assert _kr(doc, "2026-Q2/so-khcn-vp/O1")["score"] == float(Fraction(71, 240))
    # milestone 2 of weight 5 done, 3/5 of the weight due: expected 0.6, shortfall 0.2 -> at risk
    ms = _kr(doc, "2026-Q2/so-khcn-cds/O1/KR1")
    assert (ms["score"], ms["status"]) == (0.4, "at_risk")
    # aggregate sum: 210 of 600
    assert (_kr(doc, "2026-Q2/so-khcn-cds/O1/KR2")["score"], _kr(doc, "2026-Q2/so-khcn-cds/O1/KR2")["status"]) == (0.35, "at_risk")
    # decreasing metric 9.6 -> 8 days at 9.4: 0.2 / 1.6 = 0.125, off track
    assert _kr(doc, "2026-Q2/so-khcn-vp/O1/KR2")["score"] == 0.125
    assert _kr(doc, "2026-Q2/so-khcn-vp/O1/KR2")["status"] == "off_track"
    # boolean false after its due date
    assert (_kr(doc, "2026-Q2/so-khcn-qlkh/O2/KR1")["score"], _kr(doc, "2026-Q2/so-khcn-qlkh/O2/KR1")["status"]) == (0.0, "off_track")
    assert _kr(doc, "2026-Q2/so-khcn/O2/KR3")["status"] == "cancelled"
    assert _kr(doc, "2026-Q2/so-khcn-cds/O2/KR1")["status"] == "no_data"
    assert _kr(doc, "2026-Q2/so-khcn-cds/O2/KR1")["overdue"] is True
    assert _kr(doc, "2026-Q2/phuong-hoan-kiem/O1/KR1")["overdue"] is True
    assert _kr(doc, "2026-Q2/so-khcn/K1")["status"] == "amber"
    assert _kr(doc, "2026-Q2/so-khcn/K2")["status"] == "green"
    # every unit taking part in the period, in units.yaml order (so-khcn-qlcn ended 2026-03-31)
    assert [u["unit"] for u in doc["units"]] == ["ha-noi", "so-khcn", "so-khcn-vp", "so-khcn-qlkh", "so-khcn-cds",
                                                 "so-khcn-dmst", "phuong-hoan-kiem"]


def test_q1_finished_quarter_done_and_missed():
    doc = _score_json("--period", "2026-Q1")
    o1 = _kr(doc, "2026-Q1/so-khcn/O1")
    o2 = _kr(doc, "2026-Q1/so-khcn/O2")
    assert (o1["score"], o1["status"], o1["grade"]) == (1.0, "done", "green")
    assert (o2["score"], o2["status"], o2["grade"]) == (0.675, "missed", "red")
    cds = _kr(doc, "2026-Q1/so-khcn-cds/O2")
    assert (cds["score"], cds["status"], cds["grade"]) == (0.75, "done", "green")
    assert "so-khcn-dmst" not in [u["unit"] for u in doc["units"]]


def test_unit_filter_keeps_subtree_only():
    doc = _score_json("--unit", "so-khcn")
    assert [u["unit"] for u in doc["units"]] == ["so-khcn", "so-khcn-vp", "so-khcn-qlkh", "so-khcn-cds", "so-khcn-dmst"]


def test_as_of_changes_the_numbers():
    early = _score_json("--as-of", "2026-04-30")
    kr = _kr(early, "2026-Q2/so-khcn/O1/KR1")
    late = _kr(_score_json(), "2026-Q2/so-khcn/O1/KR1")
    assert early["as_of"] == "2026-04-30"
    assert kr["value_date"] < late["value_date"]


def test_csv_has_one_row_per_item_and_raw_numbers():
    r = run_okrctl("-C", str(SAMPLE), "score", "--format", "csv")
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    kr = next(x for x in rows if x["ref"] == "2026-Q2/so-khcn/O1/KR1")
    assert (kr["level"], kr["score"], kr["value"], kr["status"], kr["baseline"], kr["target"]) == ("key_result", "0.7", "77", "on_track", "70", "80")
    assert {x["level"] for x in rows} == {"unit", "objective", "key_result", "kpi"}


@pytest.mark.parametrize("ext,check", [
    ("json", lambda s: json.loads(s)["command"] == "score"),
    ("csv", lambda s: s.startswith("period,as_of,unit,level")),
    ("md", lambda s: s.startswith("# ")),
])
def test_output_file_format_from_extension(tmp_path, ext, check):
    out = tmp_path / f"scores.{ext}"
    r = run_okrctl("-C", str(SAMPLE), "score", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b""
    assert check(out.read_text(encoding="utf-8"))


def test_unknown_output_extension_is_a_usage_error(tmp_path):
    r = run_okrctl("-C", str(SAMPLE), "score", "-o", str(tmp_path / "x.pdf"))
    assert r.returncode == 2
    assert b"cannot tell the format" in r.stderr


def test_table_plain_without_colour_and_localised():
    r = run_okrctl("-C", str(SAMPLE), "score", env={"NO_COLOR": "1"})
    out = r.stdout.decode()
    assert r.returncode == 0
    assert "\x1b[" not in out
    assert "đúng tiến độ" in out and "Sở Khoa học và Công nghệ" in out
    en = run_okrctl("-C", str(SAMPLE), "--color", "never", "score", "--locale", "en").stdout.decode()
    assert "on track" in en and "đúng tiến độ" not in en


def test_table_forced_colour_has_escapes():
    r = run_okrctl("-C", str(SAMPLE), "--color", "always", "score")
    assert b"\x1b[" in r.stdout


def test_narrow_terminal_degrades():
    r = run_okrctl("-C", str(SAMPLE), "--color", "never", "score", env={"COLUMNS": "60"})
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert max(len(line) for line in lines if not line.startswith("Sở Khoa học và Công nghệ Hà Nội")) <= 60


@pytest.mark.parametrize("args,code,msg", [
    (["score", "--period", "2026-Q9"], 2, b"--period"),
    (["score", "--unit", "khong-co"], 2, b"no unit"),
    (["score", "--as-of", "2026-13-01"], 2, b"--as-of"),
    (["score", "--period", "2030"], 0, b""),
    (["score", "--as-of", "2031-01-01"], 2, b"no period with files"),
])
def test_score_usage_errors(args, code, msg):
    r = run_okrctl("-C", str(SAMPLE), *args)
    assert r.returncode == code, r.stderr
    assert msg in r.stderr
    assert b"Traceback" not in r.stderr


def test_invalid_file_leaves_its_unit_not_scored(tmp_path):
    (tmp_path / "okrctl.yaml").write_text("name: X\n")
    (tmp_path / "units.yaml").write_text("units:\n  - id: a\n    name: A\n")
    (tmp_path / "okrs" / "2026-Q1").mkdir(parents=True)
    (tmp_path / "okrs" / "2026-Q1" / "a.yaml").write_text("objectives:\n  - id: O1\n    title: T\n    key_results:\n      - id: KR1\n        title: K\n        targte: 1\n")
    r = run_okrctl("-C", str(tmp_path), "--color", "never", "score", "--as-of", "2026-02-01")
    assert r.returncode == 1
    assert b"okrs/2026-Q1/a.yaml:7:9: error OKR101" in r.stderr
    assert r.stderr.endswith(b"okrctl: not scored: a (files with errors; fix them first: okrctl validate)\n")
    assert "A (a)  Own score not scored · Rolled-up incomplete\n  not scored: okrs/2026-Q1/a.yaml has errors" in r.stdout.decode()


def test_rollup_tree_and_depth():
    r = run_okrctl("-C", str(SAMPLE), "rollup", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["command"] == "rollup" and doc["by"] == "org"
    top = doc["tree"][0]
    assert top["unit"] == "ha-noi" and top["score"] is None
    assert [c["unit"] for c in top["children"]] == ["so-khcn", "phuong-hoan-kiem"]
    # ha-noi has no Q2 file: its rolled score is the weighted mean of its children
    # (so-khcn weight 2, phuong-hoan-kiem weight 1)
    skhcn, phuong = top["children"]
    expected = (2 * skhcn["rolled_score"] + phuong["rolled_score"]) / 3
    assert top["rolled_score"] == pytest.approx(expected, abs=1e-12)
    shallow = json.loads(run_okrctl("-C", str(SAMPLE), "rollup", "--format", "json", "--depth", "1").stdout)
    assert all(c["children"] == [] for c in shallow["tree"][0]["children"])
    table = run_okrctl("-C", str(SAMPLE), "--color", "never", "rollup").stdout.decode()
    assert "Sở Khoa học và Công nghệ (so-khcn)" in table


def test_rollup_by_alignment_crosses_units_and_periods():
    doc = json.loads(run_okrctl("-C", str(SAMPLE), "rollup", "--by", "alignment", "--format", "json").stdout)
    tops = {n["ref"]: n for n in doc["tree"]}
    assert "2026/ha-noi/O1" in tops
    year_obj = next(c for c in tops["2026/ha-noi/O1"]["children"] if c["ref"] == "2026/so-khcn/O1")
    assert "2026-Q2/so-khcn/O1" in [c["ref"] for c in year_obj["children"]]


def test_english_example_scores():
    r = run_okrctl("-C", str(EXAMPLE_EN), "score", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert _kr(doc, "2026-Q2/innovation/O1/KR2")["status"] == "at_risk"
    assert _kr(doc, "2026-Q2/digital/O2")["status"] == "no_data"
