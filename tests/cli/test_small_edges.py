"""The smaller day-one edges of issue 14 (item 13): each a one-line usage error, exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from okrctl.audit.history import HISTORY_FIELDS
from okrctl.engine.diff import kpi_fields, kr_fields, objective_fields
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource


@pytest.mark.parametrize("args", [["score"], ["validate", "--format", "json"], ["rollup"]])
def test_output_into_a_missing_directory(tmp_path: Path, args):
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    r = run_okrctl("-C", str(SAMPLE), *args, "-o", str(target), "--format", "json")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err == f"okrctl: cannot write in {target.parent}: No such file or directory; nothing was written\n"
    assert not (tmp_path / "no").exists()


def test_history_field_typo_lists_the_fields():
    r = run_okrctl("-C", str(SAMPLE), "history", "so-khcn/O1/KR1", "--field", "tagret")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode() == ("okrctl: --field tagret: no such field (did you mean target?); known fields: "
                                 + ", ".join(HISTORY_FIELDS) + "\n")


def test_history_fields_cover_every_definition_field():
    ws = load_workspace(WorkingTreeSource(SAMPLE)).workspace
    names = set()
    for pf in ws.files:
        for o in pf.objectives:
            names |= set(objective_fields(o))
            for k in o.key_results:
                names |= set(kr_fields(k))
        for k in pf.kpis:
            names |= set(kpi_fields(k))
    assert names and names <= set(HISTORY_FIELDS)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    return ws


@pytest.mark.parametrize("name", ["README.md", "okrs/NOTES.md"])
def test_validate_a_file_okrctl_does_not_read(workspace: Path, name: str):
    (workspace / name).write_text("# ghi chú\n", encoding="utf-8")
    r = run_okrctl("validate", name, cwd=workspace)
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode() == (f"okrctl: {name}: not a file okrctl reads (okrctl.yaml, units.yaml, "
                                 f"okrs/PERIOD/UNIT.yaml); nothing was validated\n")


def test_validate_a_stray_yaml_under_okrs_is_a_diagnostic(workspace: Path):
    (workspace / "okrs" / "2026-Q2" / "notes.yaml").write_text("a: [\n", encoding="utf-8")
    r = run_okrctl("validate", "okrs/2026-Q2/notes.yaml", cwd=workspace)
    assert r.returncode == 1
    assert r.stdout.decode().startswith("okrs/2026-Q2/notes.yaml:")


def test_validate_a_workspace_file_still_works(workspace: Path):
    r = run_okrctl("validate", "okrctl.yaml", "okrs/2026-Q2/so-khcn.yaml", cwd=workspace)
    assert (r.returncode, r.stdout) == (0, b"")
    assert r.stderr.decode().startswith("ok: 2 files checked")
