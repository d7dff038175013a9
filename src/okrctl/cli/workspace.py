"""Opening the workspace for a command: the working tree or a git revision."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr

import errno
from dataclasses import dataclass
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
    from okrctl.read.loader import load_workspace

    root = workspace_root(st)
    if rev is None:
        from okrctl.read.source import WorkingTreeSource

        source = WorkingTreeSource(root)
        sha = None
    else:
        from okrctl import gitio

        repo = gitio.Repo.discover(root)
        sha = repo.resolve(rev)
        source = gitio.GitTreeSource(repo, sha, repo.relpath(root))
    from okrctl.model.dates import today as today_in

    files, _unused = source.list_files()
    notice = _progress_notice(len(files), source.label)
    try:
        result = load_workspace(source, today=today_in if future_check else None, parallel=True)
    finally:
        notice()
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


#: above this many files a cold load takes long enough to say what is happening
PROGRESS_MIN_FILES = 400


def _progress_notice(nfiles: int, label: str):
    """A one-line notice on a terminal's stderr while a large workspace loads, erased
    afterwards; nothing when stderr is not a terminal (CI logs, pipes).  No thread,
    so the loader stays free to fork its worker."""
    import sys

    stream = sys.stderr
    if nfiles < PROGRESS_MIN_FILES or not stream.isatty():
        return lambda: None
    from okrctl.render.values import count

    stream.write(f"reading {count(nfiles)} files ({label})…")
    stream.flush()

    def done() -> None:
        stream.write("\r\x1b[K")
        stream.flush()

    return done


def _exact(path: Path) -> Path:
    from okrctl.read.loader import find_workspace

    root = path.resolve()
    from okrctl.model.layout import CONFIG_FILE

    if not (root / CONFIG_FILE).is_file():
        # -C may name a directory inside the workspace too
        return find_workspace(root)
    return root


def require_valid(opened: Opened, st: State) -> None:
    """Commands that compute numbers refuse an invalid workspace (exit 1) after
    listing what is wrong: never silently wrong numbers."""
    from okrctl.model.problems import has_errors

    res = opened.result
    if res.workspace is not None and not has_errors(res.diagnostics):
        return
    import sys

    from okrctl.cli.app import display_path_fn

    show = display_path_fn(opened.root)
    errors = [d for d in res.diagnostics if d.severity == "error"]
    for d in errors[:20]:
        print(f"{show(d.path)}:{d.line}:{d.column}: {d.severity} {d.code} {tr(d.message)}", file=sys.stderr)
    if len(errors) > 20:
        print(tr(_("… and {n} more (run `okrctl validate`)").format(n=len(errors) - 20)), file=sys.stderr)
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
