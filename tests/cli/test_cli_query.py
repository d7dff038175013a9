"""okrctl query: joins, every output format, and the statements it must refuse."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import SAMPLE, run_okrctl

JOIN = ("select u.name, k.ref, k.score from key_results k join units u using (period, unit) "
        "where k.ref = '2026-Q2/so-khcn/O1/KR1'")


def _q(*args: str):
    return run_okrctl("-C", str(SAMPLE), "query", *args)


def test_join_across_tables_in_every_format():
    r = _q(JOIN, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["command"] == "query" and [c["type"] for c in doc["columns"]] == ["VARCHAR", "VARCHAR", "DOUBLE"]
    assert doc["rows"] == [{"name": doc["rows"][0]["name"], "ref": "2026-Q2/so-khcn/O1/KR1", "score": 0.7}]
    assert doc["rows"][0]["name"].startswith("Sở Khoa học")
    rows = list(csv.reader(io.StringIO(_q(JOIN, "--format", "csv").stdout.decode(), newline="")))
    assert rows == [["name", "ref", "score"], [doc["rows"][0]["name"], "2026-Q2/so-khcn/O1/KR1", "0.7"]]
    md = _q(JOIN, "--format", "md").stdout.decode()
    assert md.splitlines()[0].startswith("| name") and "2026-Q2/so-khcn/O1/KR1" in md
    text = _q(JOIN).stdout.decode()
    assert "0.7" in text and text.rstrip().endswith("(1 row)")


def test_issue_example_and_schema():
    r = _q("select unit, ref, score from key_results where status='off_track' and confidence < 0.5 order by ref",
           "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines()[1:] == ["phuong-hoan-kiem,2026-Q2/phuong-hoan-kiem/O1/KR1,0.20833333333333334",
                                                  "so-khcn-vp,2026-Q2/so-khcn-vp/O1/KR2,0.125"]
    s = _q("--schema").stdout.decode()
    assert "key_results (" in s and "  value_date" in s and "DATE" in s


@pytest.mark.parametrize("sql, needle", [
    ("COPY key_results TO '{tmp}/out.csv'", "disabled by configuration"),
    ("INSTALL httpfs", "disabled by configuration"),
    ("LOAD httpfs", "disabled"),
    ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
    ("ATTACH '{tmp}/x.db'", "disabled by configuration"),
    ("SET enable_external_access = true", "locked"),
    ("SET autoinstall_known_extensions = true", "locked"),
    ("select * from 'https://example.com/x.parquet'", "disabled by configuration"),
])
def test_refused_statements(sql, needle, tmp_path):
    r = _q(sql.format(tmp=tmp_path))
    err = r.stderr.decode()
    assert r.returncode == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


def test_bad_sql_one_line_with_position():
    r = _q("select 1 from units where")
    err = r.stderr.decode()
    assert r.returncode == 2 and err.startswith("okrctl: query: Parser Error") and "(line 1, column" in err
    assert len(err.strip().splitlines()) == 1
    r = _q("select nope from units")
    assert r.returncode == 2 and "(line 1, column 8)" in r.stderr.decode()
    r = _q()
    assert r.returncode == 2 and "give one SQL query" in r.stderr.decode()
