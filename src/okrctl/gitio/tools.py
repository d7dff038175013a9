"""The other local programs okrctl may run, besides git: Chromium (to print the
HTML report to PDF) and ``fc-list`` (``okrctl doctor``'s font check).  They live
here because gitio is the one package that runs programs (docs/architecture.md);
the discipline is git's: a program found by absolute path, an argument list (never
a shell), stdin closed, a timeout, every failure one line."""

from __future__ import annotations

from okrctl.model.messages import _

import shutil
import subprocess
import tempfile
from pathlib import Path

from okrctl.errors import OkrctlError

#: names Debian and others give the browser
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: flags of a headless print that asks no other host for anything
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--no-pdf-header-footer")


class ToolError(OkrctlError):
    """A helper program failed or is missing (exit 2)."""


def which(*names: str) -> str | None:
    """The absolute path of the first program of ``names`` on PATH."""
    return next((p for p in map(shutil.which, names) if p), None)


def run_tool(argv: list[str], timeout: float = 60) -> str:
    """Run ``argv`` (``argv[0]`` an absolute path) and return its standard output."""
    try:
        out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(_("{name}: no answer within {timeout:g} s").format(name=Path(argv[0]).name, timeout=timeout)) from None
    except OSError as exc:
        raise ToolError(_("{name}: {strerror}").format(name=Path(argv[0]).name, strerror=exc.strerror)) from None
    if out.returncode != 0:
        last = (out.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1][:200]
        raise ToolError(_("{name} failed (exit {returncode}){value}").format(name=Path(argv[0]).name, returncode=out.returncode, value=': ' + last if last else ''))
    return out.stdout.decode("utf-8", "replace")


def chromium_pdf(html: str, chromium: str, timeout: float = 120) -> bytes:
    """``html`` printed to PDF by headless Chromium (A4 and margins from its ``@page``)."""
    with tempfile.TemporaryDirectory(prefix="okrctl-pdf-") as tmp:
        page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        run_tool([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                  f"--print-to-pdf={pdf}", page.as_uri()], timeout)
        if not pdf.is_file():
            raise ToolError(_("{name} wrote no PDF").format(name=Path(chromium).name))
        return pdf.read_bytes()


def font_families(lang: str) -> list[str] | None:
    """The font families ``fc-list`` says cover ``lang``, or ``None`` without fontconfig."""
    fc = which("fc-list")
    if fc is None:
        return None
    out = run_tool([fc, f":lang={lang}", "family"], 30)
    return sorted({name.strip() for line in out.splitlines() for name in line.split(",")[:1] if name.strip()})
