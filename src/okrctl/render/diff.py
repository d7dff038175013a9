"""``diff`` and ``check`` output: text (dyff-like, grouped by unit and period),
JSON (docs/json.md), Markdown (a PR comment or ``$GITHUB_STEP_SUMMARY``) and GitHub
annotations.

Every piece of text that comes from the workspace (titles, notes, values, ids) or
from the command line goes through :func:`okrctl.render.textsafe.one_line` /
:func:`~okrctl.render.textsafe.md_escape`, so no line of output can be forged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence

from rich.console import Console
from rich.text import Text

from okrctl.engine.diff import Change
from okrctl.model.layout import file_ref, is_settings_file, path_order
from okrctl.render import dumps, envelope
from okrctl.model.messages import _, tr
from okrctl.render.problems import counts, github_lines, md_table, render_text, tally
from okrctl.render.values import plain
from okrctl.render.textsafe import md_code, md_escape, one_line, safe_path

SIGN = {"added": "+", "removed": "-", "changed": "±"}
STYLE = {"added": "green", "removed": "red", "changed": "yellow"}

#: (singular, plural) per item kind, in summary order
NOUNS: dict[str, tuple[str, str]] = {
    "objective": ("objective", "objectives"),
    "key_result": ("key result", "key results"),
    "kpi": ("KPI", "KPIs"),
    "checkin": ("check-in", "check-ins"),
    "measurement": ("measurement", "measurements"),
    "rebaseline": ("rebaselines entry", "rebaselines entries"),
    "record": ("approval record", "approval records"),
    "unit": ("unit", "units"),
    "setting": ("setting", "settings"),
    "file": ("file", "files"),
}
_RECORDS = ("checkin", "measurement", "rebaseline")


# --------------------------------------------------------------------------- values


def _record(d: dict | None, skip: Iterable[str] = ("date",)) -> str:
    """A check-in / measurement / rebaseline / approval as ``key value · key value``."""
    if not d:
        return ""
    skip = set(skip)
    if "from" in d and "to" in d:  # a rebaselines entry
        rest = {k: x for k, x in d.items() if k not in skip | {"field", "from", "to"}}
        head = f"{one_line(str(d.get('field')))} {plain(d['from'])} → {plain(d['to'])}"
        return " · ".join([head, *(f"{k} {plain(x, 60)}" for k, x in rest.items() if x is not None)])
    return " · ".join(f"{k} {plain(x, 60)}" for k, x in d.items() if k not in skip and x is not None)


def _record_delta(old: dict | None, new: dict | None) -> str:
    old, new = old or {}, new or {}
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return " · ".join(f"{k} {plain(old.get(k), 40)} → {plain(new.get(k), 40)}" for k in keys)


def _local(ref: str, path: str) -> str:
    """A reference shown inside its file's group: without ``PERIOD/UNIT/``."""
    prefix = file_ref(path) + "/"
    return ref[len(prefix):] if ref.startswith(prefix) else ref


def describe(c: Change) -> tuple[str, str]:
    """(what, how) for one change, e.g. ("O1/KR1", "target: 90 → 80")."""
    if c.item in _RECORDS:
        ref, _, when = c.ref.partition("@")
        day, _, n = when.partition("#")
        what = f"{one_line(_local(ref, c.path))} {NOUNS[c.item][0].split()[0]} {day} #{n}"
        if c.kind == "changed":
            return what, _record_delta(c.old, c.new)
        return what, _record(c.new if c.kind == "added" else c.old)
    if c.item == "record":
        what = f"{one_line(_local(c.ref, c.path))} {c.field}"
        if c.kind == "changed":
            return what, _record_delta(c.old, c.new)
        rec = c.new if c.kind == "added" else c.old
        return what, _record(rec, ())
    if c.item == "file":
        if c.kind == "changed":
            return "file", "comments or formatting only"
        return "file", c.kind
    if c.item == "setting":
        return one_line(c.field or c.ref), (f"{plain(c.old)} → {plain(c.new)}" if c.kind == "changed"
                                           else plain(c.new if c.kind == "added" else c.old))
    if c.item == "unit":
        uid = one_line(c.ref.removeprefix("units/"))
        if c.field is None:
            return f"unit {uid}", c.kind
        return f"unit {uid}", f"{c.field}: {plain(c.old)} → {plain(c.new)}"
    what = one_line(_local(c.ref, c.path))
    if c.field is None:
        return what, f"{NOUNS[c.item][0]} {c.kind}"
    return what, f"{c.field}: {plain(c.old)} → {plain(c.new)}"


def group_title(path: str) -> str:
    if is_settings_file(path):
        return path
    period, _, unit = file_ref(path).partition("/")
    return safe_path(f"{period} · {unit}")


def groups(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    out: dict[str, list[Change]] = {}
    for c in changes:
        out.setdefault(c.path, []).append(c)
    return sorted(out.items(), key=lambda kv: path_order(kv[0]))


def summary(changes: Sequence[Change]) -> str:
    """``2 key results changed, 3 check-ins added`` (items changed counted once
    however many of their fields changed); ``no changes`` when empty."""
    counts: dict[tuple[str, str], set] = {}
    for i, c in enumerate(changes):
        key = (c.item, c.kind)
        counts.setdefault(key, set()).add(c.ref if c.kind == "changed" and c.item not in _RECORDS else i)
    parts = []
    for item, (one, many) in NOUNS.items():
        for kind in ("added", "changed", "removed"):
            n = len(counts.get((item, kind), ()))
            if n:
                parts.append(f"{n} {one if n == 1 else many} {kind}")
    return ", ".join(parts) if parts else "no changes"


def span(out) -> str:
    return one_line(f"{out.base_label}..{out.head_label}")


# --------------------------------------------------------------------------- text


def render_diff_text(out, console: Console, display: Callable[[str], str], *, check: bool = False) -> None:
    """The changes grouped by file; for ``diff`` then the files that could not be
    compared and the summary line (``check`` prints its findings instead)."""
    for path, items in groups(out.changes):
        title = Text()
        title.append(group_title(path), style="bold")
        if not is_settings_file(path):
            title.append(f"  {safe_path(display(path))}", style="dim")
        console.print(title, soft_wrap=True)
        for c in items:
            what, how = describe(c)
            line = Text("  ")
            line.append(SIGN[c.kind], style=STYLE[c.kind])
            line.append(" ")
            line.append(what, style="bold")
            if how:
                line.append("  " + how)
            if c.eased:
                line.append("  eased", style="bold magenta")
            console.print(line, soft_wrap=True, overflow="ignore", crop=False)
        console.print()
    if check:
        return
    render_text(out.findings, console, display, by_rule=True)
    console.print(Text(f"{summary(out.changes)} ({span(out)})", style="bold"), soft_wrap=True)


def verdict(out) -> str:
    return tr(_("{tally} ({span}, judged at {at})").format(tally=tally(out.findings) or _("no findings"), span=span(out),
                                                          at=out.at))


def render_check_text(out, console: Console, display: Callable[[str], str]) -> None:
    render_diff_text(out, console, display, check=True)
    render_text(out.findings, console, display, by_rule=True)
    if out.findings:
        console.print()
    console.print(Text(f"{summary(out.changes)} ({span(out)})", style="bold"), soft_wrap=True)
    e, _ = counts(out.findings)
    console.print(Text(verdict(out), style="bold red" if e else ("bold yellow" if out.findings else "bold green")),
                  soft_wrap=True)


# --------------------------------------------------------------------------- JSON


def render_json(command: str, out) -> str:
    payload = {
        "base": {"rev": out.base_rev, "commit": out.base_sha},
        "head": {"rev": out.head_rev, "commit": out.head_sha, "label": out.head_label},
        "at": out.at.isoformat(),
        "changes": [c.to_dict() for c in out.changes],
        "findings": [f.to_dict() for f in out.findings],
    }
    if command == "check":
        e, w = counts(out.findings)
        payload = {"status": "fail" if e else "ok", "summary": {"errors": e, "warnings": w, "changes": len(out.changes)},
                   **payload}
    return dumps(envelope(command, payload))


# --------------------------------------------------------------------------- Markdown


def render_diff_markdown(out, display: Callable[[str], str], *, heading: bool = True) -> str:
    lines = []
    if heading:
        head = md_code(out.head_label) if out.head_rev is not None else md_escape(out.head_label)
        lines += [f"### okrctl diff: {md_code(out.base_label)} → {head}", ""]
    lines += [f"**{md_escape(summary(out.changes))}**", ""]
    for path, items in groups(out.changes):
        where = "" if is_settings_file(path) else f" ({md_code(display(path))})"
        lines += [f"**{md_escape(group_title(path))}**{where}", "", "| | item | change |", "|:-:|---|---|"]
        for c in items:
            what, how = describe(c)
            eased = " **eased**" if c.eased else ""
            lines.append(f"| {SIGN[c.kind]} | {md_escape(what)} | {md_escape(how)}{eased} |")
        lines.append("")
    notes = out.findings if heading else []  # diff: files that could not be compared
    for f in notes:
        lines.append(f"- {f.severity}: {md_code(f'{display(f.path)}:{f.line}')} {md_escape(f.message)}")
    if notes:
        lines.append("")
    return "\n".join(lines)


def render_check_markdown(out, display: Callable[[str], str]) -> str:
    e, w = counts(out.findings)
    mark = "❌" if e else ("⚠️" if w else "✅")
    lines = [f"### {mark} okrctl check: {md_escape(verdict(out))}", ""]
    lines += md_table(out.findings, display, by_rule=True)
    lines += ["<details><summary>Changes: " + md_escape(summary(out.changes)) + "</summary>", "",
              render_diff_markdown(out, display, heading=False), "</details>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- GitHub


def render_github(out, display: Callable[[str], str]) -> str:
    """One ``::error``/``::warning`` workflow command per finding (data escaped), then
    the summary lines inside a ``::stop-commands::`` fence, so that nothing in them
    can be read as a workflow command."""
    lines = github_lines(out.findings, display, by_rule=True)
    token = secrets.token_hex(16)
    lines += [f"::stop-commands::{token}", f"{summary(out.changes)} ({span(out)})", verdict(out), f"::{token}::"]
    return "\n".join(lines) + "\n"
