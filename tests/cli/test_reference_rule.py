"""One reference-resolution rule for every command (issue 14, item 5): on the
sample (as_of 2026-05-15), a reference without its period names the same item in
``history``, ``checkin`` and ``measure``, whatever today is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from gitutil import commit_all, init_repo

from conftest import SAMPLE, run_okrctl

NOTE = ("warning: so-khcn/O1/KR1 means 2026-Q2/so-khcn/O1/KR1 (the default period at 2026-05-15); "
        "also exists: 2026/so-khcn/O1/KR1 -- write the period to choose another")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rule")
    shutil.copytree(SAMPLE, root / "ws")
    init_repo(root)
    commit_all(root, "okr: sample")
    return root / "ws"


def test_history_and_checkin_name_the_same_file(repo: Path):
    h = run_okrctl("history", "so-khcn/O1/KR1", "--format", "json", cwd=repo)
    assert h.returncode == 0, h.stderr
    hist = json.loads(h.stdout)
    assert (hist["ref"], hist["path"]) == ("2026-Q2/so-khcn/O1/KR1", "okrs/2026-Q2/so-khcn.yaml")
    assert NOTE in h.stderr.decode().splitlines()
    c = run_okrctl("checkin", "so-khcn/O1/KR1", "78", "--dry-run", cwd=repo)
    assert c.returncode == 0, c.stderr
    assert c.stdout.decode().startswith("--- a/okrs/2026-Q2/so-khcn.yaml\n+++ b/okrs/2026-Q2/so-khcn.yaml\n")
    assert NOTE in c.stderr.decode().splitlines()


def test_measure_follows_the_same_rule(repo: Path):
    m = run_okrctl("measure", "so-khcn/K1", "5", "--dry-run", cwd=repo)
    assert m.returncode == 0, m.stderr
    assert m.stdout.decode().startswith("--- a/okrs/2026-Q2/so-khcn.yaml\n")


@pytest.mark.parametrize("command", [["history", "ha-noi/O1/KR1"], ["checkin", "ha-noi/O1/KR1", "1", "--dry-run"]])
def test_an_item_only_in_a_longer_period_is_listed(repo: Path, command):
    r = run_okrctl(*command, cwd=repo)
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode().rstrip("\n").endswith(
        "ha-noi/O1/KR1: not in 2026-Q2, the default period at 2026-05-15 (the shortest period with files containing "
        "that date); it is in: 2026/ha-noi/O1/KR1; write the period to choose")
