"""What the use cases share: loading the workspace (today in its time zone, with new
bytes overlaid on the working tree), refusing when it does not load or when a change
would not validate, and writing new YAML files' text.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable
from datetime import date
from typing import Any
from okrctl.model import dates
from okrctl.model.layout import CONFIG_FILE, UNITS_FILE
from okrctl.model.problems import Problem
from okrctl.model.records import Config, Workspace
from okrctl.read.loader import LoadResult, load_workspace
from okrctl.read.source import Source, SourceError, SourceFile, blob_sha
from okrctl.write.errors import Refused


class _EmptySource:
    label = "new workspace"

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        return [], []

    def read(self, path: str) -> bytes:
        raise SourceError(path, _("{path} does not exist").format(path=path))


class Overlay:
    """A :class:`~okrctl.read.source.Source` that reads ``files`` (workspace-relative path →
    bytes) instead of the base source's bytes for those paths, and lists them too: the
    workspace as it will be once they are written."""

    def __init__(self, base: Source, files: dict[str, bytes]) -> None:
        self.base = base
        self.files = files
        self.label = getattr(base, "label", "working tree")

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        listed, errors = self.base.list_files()
        out = [SourceFile(f.path, blob_sha(self.files[f.path])) if f.path in self.files else f for f in listed]
        known = {f.path for f in listed}
        out += [SourceFile(p, blob_sha(d)) for p, d in self.files.items() if p not in known]
        top = [f for f in out if "/" not in f.path]
        top.sort(key=lambda f: (f.path != CONFIG_FILE, f.path))
        return top + sorted((f for f in out if "/" in f.path), key=lambda f: f.path), errors

    def read(self, path: str) -> bytes:
        if path in self.files:
            return self.files[path]
        return self.base.read(path)


def _today_in(config: Config) -> date:
    """Today in the workspace time zone; in UTC for an unknown zone, which
    ``validate`` reports (OKR241) and which must not stop a write."""
    return dates.today(config, on_unknown_zone="utc")


def _load(source: Source) -> LoadResult:
    return load_workspace(source, today=_today_in)


def _diag_line(d: Problem) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}"


def _workspace_of(res: LoadResult) -> Workspace:
    if res.workspace is None:
        bad = [d for d in res.diagnostics if d.severity == "error" and d.path in (CONFIG_FILE, UNITS_FILE)]
        raise Refused(_("{CONFIG_FILE} or {UNITS_FILE} has errors; fix them first (okrctl validate)").format(CONFIG_FILE=CONFIG_FILE, UNITS_FILE=UNITS_FILE),
                      [_diag_line(d) for d in bad[:20]])
    return res.workspace


def _validate_change(res: LoadResult, base: Source, relpath: str, new: bytes, *, what: str) -> list[str]:
    """Load the workspace with ``new`` in place of ``relpath``: refuse when that file has
    any error; return the warnings about it that were not there before."""
    after = _load(Overlay(base, {relpath: new}))
    errors = [d for d in after.diagnostics if d.path == relpath and d.severity == "error"]
    if after.workspace is None or errors:
        first = errors[0] if errors else None
        detail = f": {first.line}:{first.column} {first.code} {first.message}" if first else ""
        raise Refused(_("{relpath} would not be valid with this {what}{detail}; nothing was written").format(relpath=relpath, what=what, detail=detail),
                      [_diag_line(e) for e in errors[:20]])

    def key(d: Problem) -> tuple[str, str]:
        return (d.code, d.message)

    before = [key(d) for d in res.diagnostics if d.path == relpath and d.severity == "warning"]
    out = []
    for d in after.diagnostics:
        if d.path == relpath and d.severity == "warning":
            if key(d) in before:
                before.remove(key(d))
            else:
                out.append(_diag_line(d))
    return out


def emit_yaml(doc: dict, header: Iterable[str] = ()) -> str:
    """A new file's YAML text (ruamel.yaml, see :func:`okrctl.write.yamledit.dump_document`)."""
    from okrctl.write.yamledit import dump_document

    return dump_document(doc, header)


def _same_data(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, date):
        return b == a.isoformat()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _check_emitted(text: str, doc: dict, path: str) -> None:
    from okrctl.read.yamlread import parse

    parsed, diags = parse(text.encode("utf-8"), path)
    if parsed is None or not _same_data(doc, parsed.value):
        why = diags[0].message if diags else "it reads back differently"
        raise Refused(_("internal error: okrctl produced YAML for {path} that it cannot read back ({why}); nothing was written").format(path=path, why=why))
