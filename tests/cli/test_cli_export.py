"""okrctl export: every format read back by an independent reader and compared with
``okrctl score --format json``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, run_okrctl, subprocess_env


def _score_json(ws: Path, *args: str) -> dict[str, dict]:
    r = run_okrctl("-C", str(ws), "score", "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    out = {}
    for u in doc["units"]:
        out[u["unit"]] = u
        for o in u["objectives"]:
            out[o["ref"]] = o
            for k in o["key_results"]:
                out[k["ref"]] = k
        for k in u["kpis"]:
            out[k["ref"]] = k
    return out


def _export(ws: Path, *args: str) -> str:
    r = run_okrctl("-C", str(ws), "export", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode("utf-8")


def _same(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) < 1e-12)


def _check_against_score(scores: dict, units: list[dict], krs: list[dict], objectives: list[dict], kpis: list[dict]):
    assert krs and objectives and units
    for u in units:
        assert _same(u["score"], scores[u["unit"]]["score"]) and _same(u["rolled_score"], scores[u["unit"]]["rolled_score"])
    for o in objectives:
        s = scores[o["ref"]]
        assert _same(o["score"], s["score"]) and o["status"] == s["status"] and (o["grade"] or None) == s["grade"]
    for k in krs:
        s = scores[k["ref"]]
        assert _same(k["score"], s["score"]), k["ref"]
        assert _same(k["progress"], s["progress"]) and _same(k["confidence"], s["confidence"])
        assert k["status"] == s["status"] and k["overdue"] == s["overdue"]
        if s["type"] in ("metric", "maintain"):
            assert _same(k["value"], s["value"])
    for k in kpis:
        s = scores[k["ref"]]
        assert _same(k["value"], s["value"]) and k["status"] == s["status"]
    n_krs = sum(1 for r, v in scores.items() if r.count("/") == 3)
    assert len(krs) == n_krs


def _typed_csv(path: Path) -> list[dict]:
    """csv module + the documented types (the header comes from the file)."""
    from okrctl.reports.export import SPECS

    types = {n: t for n, t, _ in SPECS[path.stem]}
    conv = {"number": float, "score": float, "int": int, "bool": lambda s: s == "true",
            "date": date.fromisoformat}
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (conv.get(types[k], str)(v) if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]


def test_csv_directory_read_back_by_csv_module_and_duckdb(tmp_path):
    import duckdb

    out = tmp_path / "csv"
    _export(SAMPLE, "--format", "csv", "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{t}.csv" for t in ("units", "objectives", "key_results", "checkins", "kpis", "measurements", "_meta"))
    raw = (out / "key_results.csv").read_bytes()
    assert raw.startswith(b"period,as_of,") and b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    t = {n: _typed_csv(out / f"{n}.csv") for n in ("units", "objectives", "key_results", "kpis")}
    _check_against_score(_score_json(SAMPLE), t["units"], t["key_results"], t["objectives"], t["kpis"])
    # DuckDB's own CSV sniffer sees numbers as numbers (no "'-" text) and dates as dates
    con = duckdb.connect()
    types = dict(con.execute(f"describe select * from read_csv('{out / 'key_results.csv'}')").fetchall()[i][:2]
                 for i in range(len(t["key_results"][0])))
    assert types["score"] == "DOUBLE" and types["value_date"] == "DATE" and types["overdue"] == "BOOLEAN"
    assert con.execute(f"select count(*) from read_csv('{out / 'checkins.csv'}')").fetchone()[0] > 0


def test_csv_one_table_to_stdout_and_excel_bom(tmp_path):
    r = _export(SAMPLE, "--format", "csv", "--table", "units")
    assert r.startswith("period,as_of,unit,name,")
    f = tmp_path / "krs.csv"
    _export(SAMPLE, "--table", "key_results", "--excel", "-o", str(f))
    assert f.read_bytes().startswith(b"\xef\xbb\xbfperiod,")


def test_names_only_with_names(tmp_path):
    plain = json.loads(_export(SAMPLE, "--format", "json"))
    assert not any("owner" in r or "by" in r for t in plain["tables"].values() for r in t)
    named = json.loads(_export(SAMPLE, "--format", "json", "--with-names"))
    assert any(r.get("by") for r in named["tables"]["checkins"])


def test_json_envelope_and_values():
    doc = json.loads(_export(SAMPLE, "--format", "json"))
    assert doc["okrctl"] and doc["schema_version"] == 1 and doc["command"] == "export"
    t = doc["tables"]
    _check_against_score(_score_json(SAMPLE), t["units"], t["key_results"], t["objectives"], t["kpis"])
    meta = {r["key"]: r["value"] for r in t["_meta"]}
    assert meta["as_of"] == "2026-05-15" and meta["periods"] == "2026-Q2" and meta["locale"] == "vi"


def test_parquet_types_read_by_pyarrow(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "pq"
    _export(SAMPLE, "--format", "parquet", "-o", str(out))
    krs = pq.read_table(out / "key_results.parquet")
    s = krs.schema
    assert s.field("score").type == pa.float64() and s.field("value_date").type == pa.date32()
    assert s.field("ref").type == pa.string() and s.field("overdue").type == pa.bool_()
    assert s.field("line").type == pa.int64() and s.field("days_since_checkin").type == pa.int64()
    tabs = {n: pq.read_table(out / f"{n}.parquet").to_pylist() for n in ("units", "objectives", "key_results", "kpis")}
    _check_against_score(_score_json(SAMPLE), tabs["units"], tabs["key_results"], tabs["objectives"], tabs["kpis"])
    assert pq.read_table(out / "checkins.parquet").schema.field("date").type == pa.date32()


def test_xlsx_read_back_by_openpyxl(tmp_path):
    import openpyxl

    f = tmp_path / "x.xlsx"
    _export(SAMPLE, "-o", str(f))
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["README", "units", "objectives", "key_results", "checkins", "kpis", "measurements"]
    readme = {r[0]: r[1] for r in wb["README"].iter_rows(values_only=True) if r[0]}
    assert readme["as_of"] == "2026-05-15" and readme["workspace"]
    ws = wb["key_results"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws["A1"].value == "Kỳ" and ws["A1"].comment.text == "period"   # vi headers, ids in comments
    ids = [c.comment.text if c.comment else c.value for c in ws[1]]
    rows = [dict(zip(ids, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    kr1 = next(r for r in rows if r["ref"] == "2026-Q2/so-khcn/O1/KR1")
    assert isinstance(kr1["as_of"], datetime) and kr1["as_of"].date() == date(2026, 5, 15)
    assert kr1["value"] == 77 and kr1["score"] == 0.7 and kr1["overdue"] is False
    assert ws.column_dimensions["G"].width > 40      # the title column fits Vietnamese text
    _check_against_score(_score_json(SAMPLE), [dict(zip([c.comment.text if c.comment else c.value for c in wb["units"][1]], r))
                                              for r in wb["units"].iter_rows(min_row=2, values_only=True)],
                         rows, [dict(zip([c.comment.text if c.comment else c.value for c in wb["objectives"][1]], r))
                                for r in wb["objectives"].iter_rows(min_row=2, values_only=True)], [])


def test_formula_text_is_neutralised_in_csv_and_stays_text_in_xlsx(tmp_path):
    import shutil

    import openpyxl

    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    f = ws / "okrs" / "2026-Q2" / "so-khcn.yaml"
    text = f.read_text(encoding="utf-8")
    old = "Tỷ lệ hồ sơ thủ tục hành chính của Sở được xử lý trực tuyến toàn trình"
    assert old in text
    f.write_text(text.replace(old, "=HYPERLINK(\"http://x\",\"bấm\")", 1), encoding="utf-8")
    r = _export(ws, "--format", "csv", "--table", "key_results")
    row = next(r for r in csv.DictReader(io.StringIO(r, newline="")) if r["key_result"] == "KR1"
               and r["objective"] == "O1" and r["unit"] == "so-khcn")
    assert row["title"] == "'=HYPERLINK(\"http://x\",\"bấm\")" and row["baseline"] == "70"
    _export(ws, "-o", str(tmp_path / "x.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["key_results"]
    cell = sheet["G2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")   # a string cell, not a formula


def test_usage_errors():
    r = run_okrctl("-C", str(SAMPLE), "export", "--format", "csv")
    assert r.returncode == 2 and b"-o DIR" in r.stderr and b"Traceback" not in r.stderr
    r = run_okrctl("-C", str(SAMPLE), "export", "--format", "csv", "--table", "nope")
    assert r.returncode == 2 and b"no table 'nope'" in r.stderr
    r = run_okrctl("-C", str(SAMPLE), "export")
    assert r.returncode == 2 and b"--format" in r.stderr


@pytest.mark.slow
def test_generated_workspace_parquet_and_csv_agree_with_score(tmp_path):
    import pyarrow.parquet as pq

    ws = tmp_path / "gen"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_workspace.py"), str(ws), "--units", "12",
                    "--quarters", "2"], check=True, capture_output=True)
    scores = _score_json(ws, "--period", "2025-Q2")
    _export(ws, "--period", "2025-Q2", "--format", "parquet", "-o", str(tmp_path / "pq"))
    tabs = {n: pq.read_table(tmp_path / "pq" / f"{n}.parquet").to_pylist()
            for n in ("units", "objectives", "key_results", "kpis")}
    _check_against_score(scores, tabs["units"], tabs["key_results"], tabs["objectives"], tabs["kpis"])
    _export(ws, "--period", "2025-Q2", "--format", "csv", "-o", str(tmp_path / "csv"))
    krs = _typed_csv(tmp_path / "csv" / "key_results.csv")
    assert [k["score"] for k in krs] == [k["score"] for k in tabs["key_results"]]


def test_changes_from_git_without_names():
    text = _export(SAMPLE, "--table", "changes", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows and all(len(r["commit"]) == 40 for r in rows)
    assert {"created"} <= {r["field"] for r in rows}
    assert "owner" not in text and "approved_by" not in text and "do.thi.m" not in text
    named = _export(SAMPLE, "--table", "changes", "--format", "csv", "--with-names")
    assert "do.thi.m" in named and named.splitlines()[0].endswith(",approved_by")


def test_progress_on_a_terminal_only(tmp_path):
    """On a terminal (a real pty through script(1)) export shows a transient progress bar
    on stderr; piped, it prints nothing on stderr."""
    import shutil

    if shutil.which("script") is None:
        pytest.skip("script(1) from util-linux is not installed")
    out = tmp_path / "x.json"
    log = tmp_path / "typescript"
    cmd = f"{sys.executable} -m okrctl -C {SAMPLE} export --all-periods --format json -o {out}"
    r = subprocess.run(["script", "-qec", cmd, str(log)], capture_output=True, timeout=120, env=subprocess_env())
    assert r.returncode == 0 and out.exists()
    assert "scoring" in log.read_text("utf-8", errors="replace")
    piped = run_okrctl("-C", str(SAMPLE), "export", "--all-periods", "--format", "json", "-o", str(tmp_path / "y.json"))
    assert piped.returncode == 0 and piped.stderr == b""
