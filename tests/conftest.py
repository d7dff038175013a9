from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
EXAMPLE_EN = ROOT / "examples" / "en-workspace"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Tests see neither the developer's colour settings nor CI's."""
    for var in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GITHUB_WORKFLOW", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


def run_okrctl(*args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (exit codes, stdout/stderr separation)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    full_env.setdefault("COLUMNS", "120")
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "okrctl", *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, timeout=timeout)
