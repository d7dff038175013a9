"""Global options work before or after the command name."""

from __future__ import annotations

import pytest

from conftest import SAMPLE, run_okrctl
from okrctl.cli.main import hoist_global_options


@pytest.mark.parametrize("args,expected", [
    (["score", "--color", "never", "-p", "2026-Q1"], ["--color", "never", "score", "-p", "2026-Q1"]),
    (["-C", "ws", "score", "--color=never"], ["-C", "ws", "--color=never", "score"]),
    (["checkin", "X", "1", "-c", "0.5", "--debug"], ["--debug", "checkin", "X", "1", "-c", "0.5"]),
    (["history", "--", "--color"], ["history", "--", "--color"]),
    (["-C", "score", "validate", "--workspace", "w"], ["-C", "score", "--workspace", "w", "validate"]),
])
def test_hoisting(args, expected):
    assert hoist_global_options(args) == expected


def test_color_after_the_command():
    r = run_okrctl("score", "-C", str(SAMPLE), "--color", "always")
    assert r.returncode == 0, r.stderr
    assert b"\x1b[" in r.stdout
    plain = run_okrctl("score", "-C", str(SAMPLE), "--color", "never")
    assert b"\x1b[" not in plain.stdout and plain.stdout.startswith("Sở".encode())
