"""model.layout: the files of a workspace (FORMAT §1)."""

from __future__ import annotations

import pytest

from okrctl.model import layout


def test_names():
    assert (layout.CONFIG_FILE, layout.UNITS_FILE, layout.OKRS_DIR) == ("okrctl.yaml", "units.yaml", "okrs")
    assert layout.SETTINGS_FILES == ("okrctl.yaml", "units.yaml")
    assert layout.is_settings_file("units.yaml") and not layout.is_settings_file("okrs/2026/units.yaml")


def test_paths():
    assert layout.period_dir("2026-Q1") == "okrs/2026-Q1"
    assert layout.period_file("2026-Q1", "so-khcn") == "okrs/2026-Q1/so-khcn.yaml"


@pytest.mark.parametrize("path, parsed, period, ref", [
    ("okrs/2026-Q1/so-khcn.yaml", ("2026-Q1", "so-khcn"), "2026-Q1", "2026-Q1/so-khcn"),
    ("okrs/2026-Q1/so-khcn.yml", None, "2026-Q1", "2026-Q1/so-khcn"),
    ("okrs/not-a-period/x.yaml", ("not-a-period", "x"), "not-a-period", "not-a-period/x"),
    ("okrs/2026/sub/x.yaml", None, None, "okrs/2026/sub/x.yaml"),
    ("other/2026/x.yaml", None, None, "other/2026/x.yaml"),
    ("okrctl.yaml", None, None, "okrctl.yaml"),
    ("units.yaml", None, None, "units.yaml"),
])
def test_parse(path, parsed, period, ref):
    assert layout.parse_period_path(path) == parsed
    assert layout.period_of_path(path) == period
    assert layout.file_ref(path) == ref


def test_round_trip_and_order():
    assert layout.parse_period_path(layout.period_file("2027-H2", "ha-noi")) == ("2027-H2", "ha-noi")
    paths = ["okrs/2026/b.yaml", "units.yaml", "okrs/2026/a.yaml", "okrctl.yaml"]
    assert sorted(paths, key=layout.path_order) == ["okrctl.yaml", "units.yaml", "okrs/2026/a.yaml", "okrs/2026/b.yaml"]
