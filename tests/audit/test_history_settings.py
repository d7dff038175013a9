"""``workspace_settings`` without listing the files (a reference that names its
period): the same settings and the same errors as with the listing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE

from okrctl.audit.history import HistoryError, workspace_settings
from okrctl.read.source import WorkingTreeSource


def _both(root: Path):
    out = []
    for periods in (True, False):
        try:
            out.append(workspace_settings(WorkingTreeSource(root), periods=periods))
        except HistoryError as exc:
            out.append(("error", exc.message))
    return out


def test_same_settings_and_only_the_listing_gives_periods(tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    (config, periods), (config2, none) = _both(root)
    assert config == config2 and config.name
    assert (periods, none) == (["2026", "2026-Q1", "2026-Q2"], [])


@pytest.mark.parametrize("how", ["symlink", "missing", "invalid", "directory"])
def test_same_error_when_okrctl_yaml_cannot_be_used(tmp_path: Path, how: str):
    root = tmp_path / "ws"
    shutil.copytree(SAMPLE, root)
    cfg = root / "okrctl.yaml"
    if how == "symlink":
        os.replace(cfg, root / "real.yaml")
        cfg.symlink_to("real.yaml")
    elif how == "missing":
        cfg.unlink()
    elif how == "invalid":
        cfg.write_text("name: [unclosed\n", encoding="utf-8")
    else:
        cfg.unlink()
        cfg.mkdir()
    first, second = _both(root)
    assert first[0] == "error" and first == second
