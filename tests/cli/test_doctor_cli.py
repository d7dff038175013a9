"""``okrctl doctor``: one line per finding, exit 0, with the tools present and with
none of them on PATH."""

from __future__ import annotations

import platform
import shutil
import subprocess
from pathlib import Path

from conftest import run_okrctl

from okrctl import __version__

KEYS = ["okrctl", "python", "git", "chromium", "libreoffice", "weasyprint", "resvg-py", "fonts (vi)"]


def _lines(out: bytes) -> dict[str, str]:
    lines = out.decode("utf-8").splitlines()
    pairs = [ln.split(":", 1) for ln in lines]
    assert [k for k, _ in pairs] == KEYS
    return {k: v.strip() for k, v in pairs}


def test_doctor_reports_this_machine():
    r = run_okrctl("doctor")
    assert r.returncode == 0, r.stderr
    got = _lines(r.stdout)
    assert got["okrctl"] == __version__
    assert got["python"] == f"{platform.python_version()} ({platform.python_implementation()})"
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout
    assert git.split()[2].startswith(got["git"])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        assert got["chromium"].startswith(chromium)
    fc = shutil.which("fc-list")
    if fc:
        families = {ln.split(",")[0].strip() for ln in
                    subprocess.run([fc, ":lang=vi", "family"], capture_output=True, text=True).stdout.splitlines()}
        stack = [f for f in ("Times New Roman", "Tinos", "Liberation Serif", "Noto Serif", "DejaVu Serif")
                 if f in families]
        expected = (f"yes: {', '.join(stack)} ({len(families - {''})} families cover Vietnamese)" if stack
                    else "no: none")
        assert got["fonts (vi)"].startswith(expected)


def test_doctor_without_tools_on_path(tmp_path: Path):
    """Only git on PATH: the browser, LibreOffice and fontconfig are reported
    missing, still exit 0."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "git").symlink_to(shutil.which("git"))
    r = run_okrctl("doctor", env={"PATH": str(bin_)})
    assert r.returncode == 0, r.stderr
    got = _lines(r.stdout)
    assert got["chromium"].startswith("not found")
    assert got["libreoffice"] == "not found (optional)"
    assert got["fonts (vi)"] == "unknown: fc-list not found (fontconfig is not installed)"
    assert r.stderr == b""
