from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
EXAMPLE_EN = ROOT / "examples" / "en-workspace"

#: subprocesses keep compiled bytecode here (outside the source tree), so each CLI
#: run does not recompile okrctl and its dependencies when the environment sets
#: PYTHONDONTWRITEBYTECODE
PYCACHE = tempfile.mkdtemp(prefix="okrctl-test-pycache-")
#: okrctl's own cache (compiled validators), private to this test session
OKRCTL_CACHE = tempfile.mkdtemp(prefix="okrctl-test-cache-")
os.environ["OKRCTL_CACHE_DIR"] = OKRCTL_CACHE


def subprocess_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env.setdefault("COLUMNS", "120")
    if extra:
        env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Tests see neither the developer's colour settings nor CI's."""
    for var in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GITHUB_WORKFLOW", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


def run_okrctl(*args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (exit codes, stdout/stderr separation)."""
    return subprocess.run([sys.executable, "-m", "okrctl", *args], cwd=cwd, env=subprocess_env(env), input=input,
                          capture_output=True, timeout=timeout)
