"""The library API of okrctl/__init__.py gives what the CLI prints, number for number."""

from __future__ import annotations

import json
import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from gitutil import commit_all, init_repo

import okrctl
from conftest import SAMPLE, run_okrctl
from okrctl.engine.payload import score_to_json
from okrctl.errors import OkrctlError


def test_load_and_score_match_the_cli():
    loaded = okrctl.load(SAMPLE)
    assert loaded.ok and loaded.diagnostics == []
    result = okrctl.score(loaded.workspace, "2026-Q2", date(2026, 5, 15))
    cli = json.loads(run_okrctl("-C", str(SAMPLE), "score", "--period", "2026-Q2", "--as-of", "2026-05-15",
                                "--format", "json").stdout)
    assert score_to_json(result)["units"] == cli["units"]
    by_unit = {u.unit.id: u for u in result.units}
    assert isinstance(by_unit["so-khcn"].rolled_score, Fraction)
    # the default period is the one holding the scoring date (okrctl.yaml's as_of)
    assert okrctl.score(loaded.workspace).period.id == json.loads(
        run_okrctl("-C", str(SAMPLE), "score", "--format", "json").stdout)["period"]


def test_compare_and_history_on_a_real_repository(tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    init_repo(root)
    base = commit_all(root, "sample", "2026-05-01T09:00:00+07:00")
    path = root / "okrs/2026-Q2/so-khcn-vp.yaml"
    text = path.read_text(encoding="utf-8")
    assert "target: " in text
    first = text.index("target: ")
    end = text.index("\n", first)
    old = text[first + len("target: "):end]
    path.write_text(text[:first] + "target: 1" + old + text[end:], encoding="utf-8")
    commit_all(root, "raise a target", "2026-05-02T09:00:00+07:00")

    out = okrctl.compare(root, base, "HEAD")
    assert [(c.kind, c.field, str(c.old), str(c.new)) for c in out.changes] == [("changed", "target", old, "1" + old)]
    ref = out.changes[0].ref
    h = okrctl.history(root, ref)
    assert [(e.field, str(e.old), str(e.new)) for e in h.events][-1] == ("target", old, "1" + old)

    with pytest.raises(OkrctlError) as exc:
        okrctl.history(root, "not a ref")
    assert exc.value.exit_code == 2


def test_load_a_revision(tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    init_repo(root)
    commit_all(root, "sample")
    (root / "units.yaml").write_text("broken: [\n", encoding="utf-8")
    assert not okrctl.load(root).ok
    assert okrctl.load(root, "HEAD").ok
