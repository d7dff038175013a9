"""okrctl doctor"""

from __future__ import annotations

import typer

from okrctl.cli.app import app

#: the report's font stack (docs/report.md): serif faces that cover Vietnamese
REPORT_FONTS = ("Times New Roman", "Tinos", "Liberation Serif", "Noto Serif", "DejaVu Serif")


def _python_package(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def checks() -> list[tuple[str, str]]:
    """``(what, finding)`` per line; never raises for a missing tool."""
    import platform

    from okrctl import __version__, gitio
    from okrctl.gitio import tools

    lines = [("okrctl", __version__), ("python", f"{platform.python_version()} ({platform.python_implementation()})")]
    try:
        lines.append(("git", ".".join(map(str, gitio.run.git_version()))))
    except gitio.GitError as exc:
        lines.append(("git", f"not usable: {exc}"))
    chromium = tools.which(*tools.CHROMIUM_NAMES)
    lines.append(("chromium", f"{chromium} (report --format pdf)" if chromium
                  else "not found (pdf falls back to WeasyPrint; apt-get install chromium)"))
    soffice = tools.which("soffice", "libreoffice")
    lines.append(("libreoffice", f"{soffice} (to check the DOCX as a page)" if soffice else "not found (optional)"))
    weasy = _python_package("weasyprint")
    lines.append(("weasyprint", weasy or "not installed (optional: pip install 'okrctl[pdf]')"))
    resvg = _python_package("resvg-py")
    lines.append(("resvg-py", f"{resvg} (charts in the DOCX)" if resvg else "not installed (the DOCX has no charts)"))
    try:
        families = tools.font_families("vi")
    except tools.ToolError as exc:
        families, why = None, str(exc)
    else:
        why = "fc-list not found (fontconfig is not installed)"
    if families is None:
        lines.append(("fonts (vi)", f"unknown: {why}"))
    else:
        stack = [f for f in REPORT_FONTS if f in families]
        if stack:
            lines.append(("fonts (vi)", f"yes: {', '.join(stack)} ({len(families)} families cover Vietnamese)"))
        else:
            lines.append(("fonts (vi)", "no: none of the report's fonts; apt-get install fonts-liberation2"))
    return lines


@app.command()
def doctor() -> None:
    """What okrctl finds on this machine: versions, the programs the report formats
    use (Chromium, LibreOffice, WeasyPrint, resvg-py) and whether the installed
    fonts cover Vietnamese.  One line each; exit 0.

    Example:

      okrctl doctor
    """
    lines = checks()
    width = max(len(k) for k, _ in lines)
    typer.echo("\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in lines))
