"""Opening the workspace for a command: the working tree or a git revision."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr

import errno
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.errors import FindingsError, UsageError

if TYPE_CHECKING:  # the loader (and PyYAML) load only when a command runs
    from okrctl.cli.app import State
    from okrctl.read.loader import LoadResult


@dataclass
class Opened:
    root: Path
    result: "LoadResult"
    rev: str | None  # the resolved commit SHA, when --rev was given
    nfiles: int


def workspace_root(st: State) -> Path:
    """The workspace directory: ``-C DIR`` (or a directory inside a workspace), else
    the nearest directory upwards from the current one holding okrctl.yaml."""
    from okrctl.read.loader import find_workspace

    try:
        if st.workspace is not None and not st.workspace.is_dir():
            raise UsageError(_("-C {workspace}: not a directory").format(workspace=st.workspace))
        return find_workspace(Path.cwd()) if st.workspace is None else _exact(st.workspace)
    except OSError as exc:  # a path longer than PATH_MAX, a folder that cannot be searched
        from okrctl.render.textsafe import one_line

        where = "the current directory" if st.workspace is None else f"-C {one_line(_short(str(st.workspace)))}"
        raise UsageError(_("{where}: cannot open the workspace: {value}{value2}").format(where=where, value=exc.strerror or exc, value2=' (the path is longer than the system allows; move the workspace to a shorter path)' if exc.errno == errno.ENAMETOOLONG else '')) from None


def _short(path: str, limit: int = 120) -> str:
    return path if len(path) <= limit else f"{path[:40]}…{path[-60:]}"


def open_workspace(st: State, rev: str | None = None, *, future_check: bool = True) -> Opened:
    return load_opened(st, *open_source(st, rev), future_check=future_check)


def open_source(st: State, rev: str | None = None):
    """``(root, store, source, sha)``: where the workspace is, its persistent cache
    (or None), the files to read (the working tree, or the tree of commit ``sha``)."""
    from okrctl.cli.cache import record_cache

    root = workspace_root(st)
    store = record_cache(st, root)
    if rev is None:
        from okrctl.read.source import WorkingTreeSource

        source = WorkingTreeSource(root)
        sha = None
        if store is not None:
            files, errors = source.list_files()
            source.shas = _index_shas(root, len(files))
            source.listed_once([replace(f, sha=source.shas.get(f.path)) for f in files], errors)
    else:
        from okrctl import gitio

        repo = gitio.Repo.discover(root)
        sha = repo.resolve(rev)
        source = gitio.GitTreeSource(repo, sha, repo.relpath(root))
    return root, store, source, sha


def load_opened(st: State, root: Path, store, source, sha: str | None, *, future_check: bool = True,
                listed=None, today=None, records=None, records_for=None) -> Opened:
    """Load the workspace from ``source`` (:func:`open_source`); ``listed`` and
    ``today``: as :func:`okrctl.read.loader.warm_lookup` found them; ``records``:
    which period files' records the command needs (``load_workspace(records=)``;
    None: all; ``records_for``: that test chosen once the settings are read)."""
    from okrctl.cli.output import load_progress
    from okrctl.model.dates import today as today_in
    from okrctl.read.loader import list_with_shas, load_workspace

    if listed is None:
        listed = list_with_shas(source, store)
    files = listed.files
    bar = load_progress(tr(_("reading files ({source})").format(source=source.label)), st.color,
                        min_total=PROGRESS_MIN_FILES)
    try:
        result = load_workspace(source, today=(today or today_in) if future_check else None, parallel=True,
                                store=store, progress=bar.update, listed=listed, records=records,
                                records_for=records_for)
    finally:
        bar.close()
    if result.workspace is not None:
        use_workspace_locale(st, result.workspace.config.locale)
    return Opened(root, result, sha, len(files))


def use_workspace_locale(st: State, locale: str) -> None:
    """Messages in the language the loaded okrctl.yaml asks for, unless ``--locale``
    or ``OKRCTL_LOCALE`` said otherwise (docs/languages.md)."""
    import os

    from okrctl.cli.clicktext import translate_click
    from okrctl.model.messages import choose_locale, set_locale

    set_locale(choose_locale(st.locale, dict(os.environ), locale))
    translate_click()


#: this many files still to parse (cache misses) take about a second: show a progress bar
PROGRESS_MIN_FILES = 100
#: with fewer files, hashing them costs less than asking git's index for their blob ids
INDEX_MIN_FILES = 64


def _index_shas(root: Path, nfiles: int) -> dict[str, str]:
    """Blob ids of the workspace's files as they are on disk, from git's index
    (``gitio.Repo.worktree_shas``: only dirty files are hashed), so that a warm run
    reads no file at all; {} outside git, in a SHA-256 repository (the loader's
    own ids are SHA-1) or for a small workspace."""
    if nfiles < INDEX_MIN_FILES:
        return {}
    from okrctl import gitio

    try:
        repo = gitio.Repo.discover(root)
        if repo.object_format != "sha1":
            return {}
        return repo.worktree_shas(repo.relpath(root))
    except gitio.GitError:
        return {}


def _exact(path: Path) -> Path:
    from okrctl.read.loader import find_workspace

    root = path.resolve()
    from okrctl.model.layout import CONFIG_FILE

    if not (root / CONFIG_FILE).is_file():
        # -C may name a directory inside the workspace too
        return find_workspace(root)
    return root


def _problem_lines(opened: Opened, problems) -> list[str]:
    from okrctl.cli.app import display_path_fn

    show = display_path_fn(opened.root)
    lines = [f"{show(d.path)}:{d.line}:{d.column}: {d.severity} {d.code} {tr(d.message)}" for d in problems[:20]]
    if len(problems) > 20:
        lines.append(tr(_("… and {n} more (run `okrctl validate`)").format(n=len(problems) - 20)))
    return lines


def require_scorable(opened: Opened, st: State) -> None:
    """``score`` and ``rollup`` go on when the only errors are inside period files:
    those units are "not scored" (:func:`finish_partial`).  Errors anywhere else
    (okrctl.yaml, units.yaml, a file that belongs to no unit) refuse, as
    :func:`require_valid`."""
    res = opened.result
    if res.workspace is None or res.blocking:
        require_valid(opened, st)


def finish_partial(opened: Opened, st: State, units) -> None:
    """After the output: exit 1 (listing the errors) when a unit shown is not
    scored or its roll-up is incomplete; when the units shown do not depend on the
    invalid files, one note on stderr and exit 0."""
    import sys

    ws = opened.result.workspace
    if ws is None or not ws.invalid:
        return
    affected = [u for u in units if not u.scored or not u.rollup_complete]
    invalid = sorted(ws.invalid)
    if not affected:
        from okrctl.cli.app import display_path_fn

        show = display_path_fn(opened.root)
        note = ngettext("{files} has errors; the units shown do not depend on it",
                        "{files} have errors; the units shown do not depend on them", len(invalid))
        print(tr(_("okrctl: note: {note}").format(note=note.format(files=", ".join(show(p) for p in invalid)))),
              file=sys.stderr)
        return
    errors = [d for d in opened.result.diagnostics if d.severity == "error" and d.path in ws.invalid]
    not_scored = [u.unit.id for u in units if not u.scored]
    incomplete = [u.unit.id for u in units if u.scored and not u.rollup_complete]
    parts = [_("not scored: {units}").format(units=", ".join(not_scored))] if not_scored else []
    if incomplete:
        parts.append(_("roll-up incomplete: {units}").format(units=", ".join(incomplete)))
    raise FindingsError(_("{what} (files with errors; fix them first: okrctl validate)").format(what="; ".join(tr(x) for x in parts)),
                        details=_problem_lines(opened, errors))


def require_valid(opened: Opened, st: State) -> None:
    """Commands that compute numbers refuse an invalid workspace (exit 1) after
    listing what is wrong: never silently wrong numbers."""
    from okrctl.model.problems import has_errors

    res = opened.result
    if res.workspace is not None and not has_errors(res.diagnostics):
        return
    import sys

    errors = [d for d in res.diagnostics if d.severity == "error"]
    for line in _problem_lines(opened, errors):
        print(line, file=sys.stderr)
    raise FindingsError(ngettext("the workspace has {n} error; fix it first (okrctl validate)",
                                 "the workspace has {n} errors; fix them first (okrctl validate)", len(errors)))


def peek_locale(workspace: str | None) -> str | None:
    """The ``locale:`` written in the okrctl.yaml of the workspace (``-C DIR`` or
    upwards from the current directory), read with one regular expression before any
    parsing: the language of a usage error.  ``None`` when there is none, the file
    cannot be read, or the line is not a plain ``locale: en``/``locale: vi``;
    :func:`open_workspace`'s loaded configuration decides afterwards."""
    import re

    from okrctl.model.layout import CONFIG_FILE
    from okrctl.read.source import read_regular

    try:
        start = Path(workspace) if workspace else Path.cwd()
        for d in (start.resolve(), *start.resolve().parents):
            if (d / CONFIG_FILE).is_file():
                text = read_regular(d / CONFIG_FILE).decode("utf-8", "replace")
                found = re.search(r"""^locale:[ \t]*(["']?)(en|vi)\1[ \t]*(#.*)?$""", text, re.M)
                return found.group(2) if found else None
    except (OSError, ValueError):
        return None
    return None
