"""Diagnostics as text, JSON (FORMAT §9), GitHub annotations and SARIF 2.1.0."""

from __future__ import annotations

import os
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from okrctl import __version__
from okrctl.model.problems import CODES, Diagnostic
from okrctl.render import dumps, envelope
from okrctl.render.textsafe import escape_controls

DOCS_URL = "https://github.com/okrctl/okrctl/blob/main/docs/checks.md"


def counts(diags: list[Diagnostic]) -> tuple[int, int]:
    e = sum(1 for d in diags if d.severity == "error")
    return e, len(diags) - e


def summary_line(diags: list[Diagnostic], nfiles: int) -> str:
    e, w = counts(diags)
    if not diags:
        return f"ok: {nfiles} file{'s' if nfiles != 1 else ''} checked, no problems"
    parts = []
    if e:
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    if w:
        parts.append(f"{w} warning{'s' if w != 1 else ''}")
    files = len({d.path for d in diags})
    return f"{' and '.join(parts)} in {files} file{'s' if files != 1 else ''} ({nfiles} checked)"


def problem_line(console: Console, where: str, severity: str, code: str, message: str) -> None:
    """``where: severity CODE message``, one line, coloured on a terminal; shared by
    validate's diagnostics and check's findings."""
    line = Text()
    line.append(f"{escape_controls(where)}:", style="bold")
    line.append(" ")
    line.append(severity, style="bold red" if severity == "error" else "bold yellow")
    line.append(" ")
    line.append(code, style="cyan")
    line.append(" ")
    line.append(escape_controls(message.replace("\n", " ")))
    console.print(line, soft_wrap=True, overflow="ignore", crop=False)


def render_text(diags: list[Diagnostic], console: Console, display: Callable[[str], str]) -> None:
    for d in diags:
        problem_line(console, f"{display(d.path)}:{d.line}:{d.column}", d.severity, d.code, d.message)


def render_json(diags: list[Diagnostic], nfiles: int) -> str:
    e, w = counts(diags)
    return dumps(envelope("validate", {
        "status": "fail" if e else "ok",
        "summary": {"files": nfiles, "errors": e, "warnings": w},
        "diagnostics": [d.to_dict() for d in diags],
    }))


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(diags: list[Diagnostic], display: Callable[[str], str]) -> str:
    out = []
    for d in diags:
        kind = "error" if d.severity == "error" else "warning"
        props = f"file={_gh_escape_prop(display(d.path))},line={d.line},col={d.column},title={_gh_escape_prop('okrctl ' + d.code)}"
        out.append(f"::{kind} {props}::{_gh_escape_data(escape_controls(d.message))}")
    return "\n".join(out) + ("\n" if out else "")


def render_sarif(diags: list[Diagnostic], display: Callable[[str], str]) -> str:
    used = sorted({d.code for d in diags})
    rules = [{
        "id": code,
        "name": CODES[code].name,
        "shortDescription": {"text": CODES[code].summary},
        "helpUri": f"{DOCS_URL}#{code.lower()}",
        "defaultConfiguration": {"level": "error" if CODES[code].severity == "error" else "warning"},
    } for code in used]
    results = [{
        "ruleId": d.code,
        "ruleIndex": used.index(d.code),
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": display(d.path)},
            "region": {"startLine": d.line, "startColumn": d.column},
        }}],
    } for d in diags]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "okrctl", "version": __version__, "informationUri": DOCS_URL, "rules": rules}},
            "results": results,
            "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + os.getcwd().rstrip("/") + "/"}},
        }],
    }
    return dumps(doc)
