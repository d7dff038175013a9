"""The one problem record in every output format: text, JSON (docs/json.md), GitHub
workflow annotations, SARIF 2.1.0 and Markdown.

``validate`` and ``check`` share these emitters.  The only difference between the
two is how a problem is labelled: validate names the code and the column
(``path:line:col: error OKR101 …``), check names the rule and the line
(``path:line: error definition-changed …``) — ``by_rule`` selects the latter.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

from rich.console import Console
from rich.text import Text

from okrctl import __version__
from okrctl.model.messages import _, ngettext, tr
from okrctl.model.problems import CODES, Problem
from okrctl.render import dumps, envelope
from okrctl.render.textsafe import escape_bytes, escape_controls, md_code, md_escape, one_line, safe_path

DOCS_URL = "https://github.com/okrctl/okrctl/blob/main/docs/checks.md"

Display = Callable[[str], str]


def counts(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)"""
    problems = list(problems)
    e = sum(1 for d in problems if d.severity == "error")
    return e, len(problems) - e


def tally(problems: Sequence[Problem]) -> str:
    """``2 errors and 1 warning`` (in the active language), or nothing."""
    e, w = counts(problems)
    errors = ngettext("{n} error", "{n} errors", e)
    warnings = ngettext("{n} warning", "{n} warnings", w)
    if e and w:
        return tr(_("{errors} and {warnings}").format(errors=errors, warnings=warnings))
    return tr(errors) if e else (tr(warnings) if w else "")


def summary_line(problems: Sequence[Problem], nfiles: int) -> str:
    if not problems:
        return tr(ngettext("ok: {n} file checked, no problems", "ok: {n} files checked, no problems", nfiles))
    files = ngettext("in {n} file", "in {n} files", len({d.path for d in problems}))
    return tr(_("{tally} {files} ({checked} checked)").format(tally=tally(problems), files=files, checked=nfiles))


def where(p: Problem, display: Display, *, by_rule: bool = False) -> str:
    """``path:line:col`` (validate) or ``path:line`` (check)."""
    path = safe_path(display(p.path))
    return f"{path}:{p.line}" if by_rule else f"{path}:{p.line}:{p.column}"


def label(p: Problem, *, by_rule: bool = False) -> str:
    return p.rule if by_rule else p.code


# --------------------------------------------------------------------------- text


def problem_line(console: Console, where: str, severity: str, code: str, message: str) -> None:
    """``where: severity CODE message``, one line, coloured on a terminal."""
    line = Text()
    line.append(f"{escape_controls(where)}:", style="bold")
    line.append(" ")
    line.append(severity, style="bold red" if severity == "error" else "bold yellow")
    line.append(" ")
    line.append(code, style="cyan")
    line.append(" ")
    line.append(escape_controls(message.replace("\n", " ")))
    console.print(line, soft_wrap=True, overflow="ignore", crop=False)


def render_text(problems: Iterable[Problem], console: Console, display: Display, *, by_rule: bool = False) -> None:
    for p in problems:
        problem_line(console, where(p, display, by_rule=by_rule), p.severity, label(p, by_rule=by_rule), tr(p.message))


# --------------------------------------------------------------------------- JSON


def render_json(problems: Sequence[Problem], nfiles: int) -> str:
    """validate's JSON document (check's is in :mod:`okrctl.render.diff`)."""
    e, w = counts(problems)
    return dumps(envelope("validate", {
        "status": "fail" if e else "ok",
        "summary": {"files": nfiles, "errors": e, "warnings": w},
        "diagnostics": [d.to_dict() for d in problems],
    }))


# --------------------------------------------------------------------------- GitHub


def gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_prop(s: str) -> str:
    return gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github_lines(problems: Iterable[Problem], display: Display, *, by_rule: bool = False) -> list[str]:
    """One ``::error``/``::warning`` workflow command per problem, every part escaped."""
    out = []
    for p in problems:
        props = f"file={gh_escape_prop(escape_bytes(display(p.path)))},line={p.line}"
        if not by_rule:
            props += f",col={p.column}"
        props += f",title={gh_escape_prop('okrctl ' + label(p, by_rule=by_rule))}"
        out.append(f"::{p.severity} {props}::{gh_escape_data(one_line(tr(p.message)))}")
    return out


def render_github(problems: Iterable[Problem], display: Display) -> str:
    lines = github_lines(problems, display)
    return "\n".join(lines) + ("\n" if lines else "")


# --------------------------------------------------------------------------- SARIF


def render_sarif(problems: Sequence[Problem], display: Display) -> str:
    """SARIF 2.1.0: one run, the codes used as rules (linked to docs/checks.md)."""
    used = sorted({d.code for d in problems})
    rules = [{
        "id": code,
        "name": CODES[code].name,
        "shortDescription": {"text": CODES[code].summary},
        "helpUri": f"{DOCS_URL}#{code.lower()}",
        "defaultConfiguration": {"level": CODES[code].severity},
    } for code in used]
    results = []
    for d in problems:
        result = {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": d.severity,
            "message": {"text": tr(d.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": display(d.path)},
                "region": {"startLine": d.line, "startColumn": d.column},
            }}],
        }
        if d.ref is not None:
            result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": d.ref}]
        results.append(result)
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


# --------------------------------------------------------------------------- Markdown


def md_table(problems: Iterable[Problem], display: Display, *, by_rule: bool = False) -> list[str]:
    """A Markdown table of problems, one row each (empty when there are none)."""
    rows = [f"| {p.severity} | {md_code(label(p, by_rule=by_rule))} | {md_code(where(p, display, by_rule=by_rule))} "
            f"| {md_escape(tr(p.message))} |" for p in problems]
    if not rows:
        return []
    return [f"| severity | {'rule' if by_rule else 'code'} | where | message |", "|---|---|---|---|", *rows, ""]


def render_markdown(problems: Sequence[Problem], nfiles: int, display: Display) -> str:
    """validate as a PR comment or ``$GITHUB_STEP_SUMMARY``."""
    e, w = counts(problems)
    mark = "❌" if e else ("⚠️" if w else "✅")
    lines = [f"### {mark} okrctl validate: {md_escape(summary_line(problems, nfiles))}", ""]
    lines += md_table(problems, display)
    return "\n".join(lines)
