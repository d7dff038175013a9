"""The values of a published package (okrctl.reports.publish): names, the manifest,
the comparison verify --published makes, the licence from okrctl.yaml."""

from __future__ import annotations

import hashlib
import subprocess

from hypothesis import given
from hypothesis import strategies as st

from okrctl.reports.publish import compare, manifest, package_name, slug, table_schema
from okrctl.reports.export import SPECS


def test_slug_and_name():
    assert slug("Sở Khoa học và Công nghệ Hà Nội") == "so-khoa-hoc-va-cong-nghe-ha-noi"
    assert slug("ĐẮK LẮK — Sở Nội vụ") == "dak-lak-so-noi-vu"
    assert slug("!!!") == "okr"
    assert package_name("UBND phường Hoàn Kiếm", "2026-Q1") == "okr-ubnd-phuong-hoan-kiem-2026-q1"


@given(st.text(max_size=200))
def test_slug_is_always_a_valid_frictionless_name(text):
    s = slug(text)
    assert s and len(s) <= 80 and set(s) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not s.startswith("-") and not s.endswith("-")


FILES = st.dictionaries(st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8})?\.[a-z]{3}", fullmatch=True),
                        st.binary(max_size=64), min_size=1, max_size=8)


@given(FILES, st.data())
def test_compare_finds_exactly_the_changed_missing_and_extra_files(files, data):
    assert compare(files, dict(files)) == []
    name = data.draw(st.sampled_from(sorted(files)))
    changed = dict(files)
    changed[name] = files[name] + b"\0"
    assert [(d.path, d.kind) for d in compare(files, changed)] == [(name, "changed")]
    missing = {k: v for k, v in files.items() if k != name}
    assert [(d.path, d.kind) for d in compare(files, missing)] == [(name, "missing")]
    extra = {**files, "zz/extra.txt": b"x"} if "zz/extra.txt" not in files else files
    if extra is not files:
        assert [(d.path, d.kind) for d in compare(files, extra)] == [("zz/extra.txt", "extra")]
    unreadable = {**files, name: None}
    assert [(d.path, d.kind, d.found) for d in compare(files, unreadable)] == [(name, "changed", None)]


def test_manifest_is_what_sha256sum_reads(tmp_path):
    files = {"index.html": b"<p>x</p>", "data/b.csv": "\ufeffa,b\r\n".encode(), "data/a.csv": b"a\n"}
    for p, b in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_bytes(b)
    text = manifest(files).decode()
    assert text.splitlines() == [f"{hashlib.sha256(files[p]).hexdigest()}  {p}" for p in sorted(files)]
    (tmp_path / "manifest.sha256").write_text(text)
    assert subprocess.run(["sha256sum", "--strict", "-c", "manifest.sha256"], cwd=tmp_path,
                          capture_output=True).returncode == 0


def test_table_schema_types_follow_the_export_spec():
    schema = table_schema("checkins", tuple(n for n, _, _ in SPECS["checkins"]))
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["date"] == "date" and types["position"] == "integer" and types["confidence"] == "number"
    assert types["superseded"] == "boolean" and types["evidence"] == "string"
    assert schema["missingValues"] == [""]
