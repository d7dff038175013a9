"""Issue 12 item 6: file names from a commit are untrusted text: ``diff`` never
prints a newline, a control character or a raw non-UTF-8 byte of one."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, init_repo

FORGED = b"okrs/2026-Q2/x\n::error file=a,line=1::forged.yaml"
RAW = b"okrs/2026-Q2/bad\xff\x1b[2Jname.yaml"


@pytest.fixture
def hostile_names(tmp_path, isolated_git):
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(SAMPLE, repo, dirs_exist_ok=True)
    commit_all(repo, "one")
    body = (repo / "okrs/2026-Q2/so-khcn-vp.yaml").read_bytes()
    for name in (FORGED, RAW):
        with open(os.path.join(os.fsencode(repo), name), "wb") as f:
            f.write(body)
    commit_all(repo, "two", date="2026-05-12T10:00:00+07:00")
    return repo


@pytest.mark.parametrize(("fmt", "locale"), [("text", "C"), ("text", "C.UTF-8"), ("md", "C.UTF-8"), ("json", "C.UTF-8")])
def test_diff_escapes_committed_file_names(hostile_names, fmt, locale):
    proc = run_okrctl("-C", str(hostile_names), "diff", "HEAD~1", "HEAD", "--format", fmt, env={"LC_ALL": locale})
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout
    assert not any(line.startswith(b"::") for line in out.splitlines()), out.decode("utf-8", "replace")
    assert b"\xff" not in out and b"\x1b" not in out
    text = out.decode("utf-8")  # strict: the output is UTF-8
    if fmt == "json":
        paths = {f["path"] for f in json.loads(text)["findings"]}
        assert paths == {os.fsdecode(FORGED), os.fsdecode(RAW)}  # lossless, escaped as \udcff in the JSON text
    else:
        assert "bad\\xff\\u001b[2Jname.yaml" in text
    if fmt == "text":
        assert "x\\n::error file=a,line=1::forged.yaml:1: error" in text
