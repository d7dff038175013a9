"""okrctl init (okrctl.write.scaffold)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLE, run_okrctl
from okrctl.write import scaffold, yamledit
from okrctl.write.errors import BadInput
from writeutil import valid


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


# ----------------------------------------------------------------------------- init


def test_init_creates_a_valid_workspace_and_never_overwrites(tmp_path):
    target = tmp_path / "okr"
    proc = run_okrctl("init", str(target), "--locale", "vi", "--name", "Sở Khoa học và Công nghệ", "--period", "2026-Q3")
    assert proc.returncode == 0, proc.stderr.decode()
    made = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert made == sorted([
        ".gitattributes", ".github/workflows/okrctl.yml", ".gitignore", ".pre-commit-config.yaml",  # outside git: here
        ".vscode/settings.json", "okrctl.yaml", "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml",
        "schema/okr-file.schema.json", "schema/units.schema.json", "schema/workspace.schema.json", "units.yaml"])
    v = run_okrctl("-C", str(target), "validate")
    assert v.returncode == 0, v.stdout.decode() + v.stderr.decode()
    period_file = (target / "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml").read_text()
    assert period_file.startswith("# yaml-language-server: $schema=../../schema/okr-file.schema.json\n")
    assert "Nâng cao chất lượng phục vụ người dân" in period_file
    assert (target / "okrctl.yaml").read_text().startswith("# yaml-language-server: $schema=schema/workspace.schema.json\n")
    assert (target / "schema/okr-file.schema.json").read_bytes() == (SAMPLE.parent / "schema/okr-file.schema.json").read_bytes()
    assert json.loads((target / ".vscode/settings.json").read_text())["yaml.schemas"]["./schema/okr-file.schema.json"] == ["okrs/*/*.yaml"]
    assert "*.yaml text eol=lf" in (target / ".gitattributes").read_text()
    wf = (target / ".github/workflows/okrctl.yml").read_text()
    steps = yaml.safe_load(wf)["jobs"]["okrctl"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert [s.get("run") for s in steps[-4:]] == [
        "uv tool install git+https://github.com/okrctl/okrctl", "okrctl validate", 'okrctl check "$BASE_SHA"',
        'okrctl diff "$BASE_SHA" --format md >> "$GITHUB_STEP_SUMMARY"']
    (repo,) = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())["repos"]
    assert repo == {"repo": "local", "hooks": [{
        "id": "okrctl-validate", "name": "okrctl validate", "entry": "okrctl validate", "language": "system",
        "files": r"^((okrctl|units)\.yaml|okrs/.+\.ya?ml)$", "pass_filenames": True, "require_serial": True}]}
    # the files okrctl writes to take its edits (no reformatting needed)
    for p in ("okrctl.yaml", "okrs/2026-Q3/so-khoa-hoc-va-cong-nghe.yaml"):
        assert yamledit.round_trips((target / p).read_bytes()), p
    # again: refused, nothing written
    snapshot = {p: (target / p).read_bytes() for p in made}
    (target / "units.yaml").unlink()
    again = run_okrctl("init", str(target), "--name", "Khác", "--unit", "khac")
    assert again.returncode == 2
    assert "already exist" in again.stderr.decode() and "okrctl.yaml" in again.stderr.decode()
    assert ".gitignore" not in again.stderr.decode()  # extended, never a reason to refuse
    assert not (target / "units.yaml").exists()
    assert {p: (target / p).read_bytes() for p in made if p != "units.yaml"} == {p: d for p, d in snapshot.items() if p != "units.yaml"}


@pytest.mark.parametrize(("today", "period", "why"), [
    (date(2026, 4, 1), "2026-Q2", "period 2026-Q2: the current quarter, open for planning until 2026-04-15"),
    (date(2026, 4, 15), "2026-Q2", "period 2026-Q2: the current quarter, open for planning until 2026-04-15"),
    (date(2026, 4, 16), "2026-Q3", "period 2026-Q3: the next quarter; 2026-Q2 locked on 2026-04-15"),
    (date(2026, 12, 5), "2027-Q1", "period 2027-Q1: the next quarter; 2026-Q4 locked on 2026-10-15"),
])
def test_init_chooses_a_period_open_for_planning(today, period, why):
    chosen, reason = scaffold.choose_period(today)
    assert chosen == period and reason.startswith(why)


def test_init_english_defaults(tmp_path):
    plan = scaffold.init_workspace(tmp_path / "en", today=date(2026, 5, 10))
    assert plan.unit == "example-agency" and plan.period == "2026-Q3"
    assert plan.period_reason.startswith("period 2026-Q3: the next quarter; 2026-Q2 locked on 2026-04-15")
    assert valid(tmp_path / "en")
    with pytest.raises(BadInput, match="--unit"):
        scaffold.plan_init(tmp_path / "x", unit="Bad_Unit")
    assert scaffold.slugify("Phòng Đổi mới sáng tạo & Khởi nghiệp") == "phong-doi-moi-sang-tao-khoi-nghiep"


def test_init_extends_gitignore_and_refuses_a_symlinked_one(tmp_path):
    (tmp_path / ".git").mkdir()  # the top of a working tree, found without git
    (tmp_path / ".gitignore").write_text("*.log\n.*.tmp\n")
    plan = scaffold.init_workspace(tmp_path / "okr", today=date(2026, 4, 2))
    assert plan.period == "2026-Q2" and plan.repo_root == tmp_path
    assert (tmp_path / ".gitignore").read_text() == "*.log\n.*.tmp\n"  # nothing missing: untouched
    assert tmp_path / ".gitignore" not in plan.extended
    assert sorted(plan.repo_files) == [".github/workflows/okrctl.yml", ".pre-commit-config.yaml"]
    other = tmp_path / "other"
    other.mkdir()
    (other / ".git").mkdir()
    (other / "real").write_text("x\n")
    (other / ".gitignore").symlink_to(other / "real")
    with pytest.raises(Exception, match="wrote nothing"):
        scaffold.init_workspace(other / "okr")
    assert not (other / "okr").exists() and not (other / ".github").exists()
    assert (other / "real").read_text() == "x\n"
