"""-o FILE on every command: the format follows the extension, the file is written
atomically, an unknown extension is a usage error (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from gitutil import commit_all, init_repo

from conftest import SAMPLE, run_okrctl


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("out") / "ws"
    shutil.copytree(SAMPLE, root)
    init_repo(root)
    commit_all(root, "sample")
    path = root / "okrs/2026-Q2/so-khcn-vp.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x-note: a change\n", encoding="utf-8")
    return root


def test_validate_infers_sarif_and_md(tmp_path: Path):
    sarif = tmp_path / "v.sarif"
    r = run_okrctl("-C", str(SAMPLE), "validate", "-o", str(sarif))
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    assert json.loads(sarif.read_text("utf-8"))["version"] == "2.1.0"
    md = tmp_path / "v.md"
    assert run_okrctl("-C", str(SAMPLE), "validate", "-o", str(md)).returncode == 0
    assert md.read_text("utf-8").startswith("### ✅ okrctl validate: ok: 14 files checked")
    txt = tmp_path / "v.txt"
    assert run_okrctl("-C", str(SAMPLE), "validate", "--format", "json", "-o", str(txt)).returncode == 0
    assert json.loads(txt.read_text("utf-8"))["command"] == "validate"  # --format wins over the extension


def test_check_and_diff_infer_their_formats(repo: Path, tmp_path: Path):
    out = tmp_path / "c.json"
    r = run_okrctl("-C", str(repo), "check", "HEAD", "--at", "2026-05-20", "-o", str(out))
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert (doc["command"], doc["status"]) == ("check", "ok")
    d = tmp_path / "d.md"
    assert run_okrctl("-C", str(repo), "diff", "HEAD", "-o", str(d)).returncode == 0
    assert d.read_text("utf-8").startswith("### okrctl diff: `HEAD` → working tree")
    t = tmp_path / "d.txt"
    assert run_okrctl("-C", str(repo), "diff", "HEAD", "-o", str(t)).returncode == 0
    assert "working tree" in t.read_text("utf-8") and "\x1b[" not in t.read_text("utf-8")


@pytest.mark.parametrize("command", [["validate"], ["score"], ["diff", "HEAD"], ["check", "HEAD"]])
def test_unknown_extension_is_a_usage_error(repo: Path, tmp_path: Path, command):
    target = tmp_path / "out.pdf"
    r = run_okrctl("-C", str(repo), *command, "-o", str(target))
    assert r.returncode == 2 and not target.exists()
    (line,) = r.stderr.decode().splitlines()
    assert line.startswith(f"okrctl: -o {target}: cannot tell the format from the extension (")


def test_history_writes_json_by_extension(repo: Path, tmp_path: Path):
    out = tmp_path / "h.json"
    r = run_okrctl("-C", str(repo), "history", "2026-Q2/so-khcn-vp/O1", "-o", str(out))
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert doc["command"] == "history" and doc["ref"] == "2026-Q2/so-khcn-vp/O1"
    assert doc["events"] and doc["events"][0]["field"] == "created"
