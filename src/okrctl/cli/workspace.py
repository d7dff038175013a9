"""Opening the workspace for a command: the working tree or a git revision."""

from __future__ import annotations

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
            raise UsageError(f"-C {st.workspace}: not a directory")
        return find_workspace(Path.cwd()) if st.workspace is None else _exact(st.workspace)
    except OSError as exc:  # a path longer than PATH_MAX, a folder that cannot be searched
        from okrctl.render.textsafe import one_line

        where = "the current directory" if st.workspace is None else f"-C {one_line(_short(str(st.workspace)))}"
        raise UsageError(f"{where}: cannot open the workspace: {exc.strerror or exc}"
                         f"{' (the path is longer than the system allows; move the workspace to a shorter path)' if exc.errno == errno.ENAMETOOLONG else ''}") from None


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

    files, _ = source.list_files()
    notice = _progress_notice(len(files), source.label)
    try:
        result = load_workspace(source, today=today_in if future_check else None, parallel=True)
    finally:
        notice()
    return Opened(root, result, sha, len(files))


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


def _problem_lines(opened: Opened, problems) -> list[str]:
    from okrctl.cli.app import display_path_fn

    show = display_path_fn(opened.root)
    lines = [f"{show(d.path)}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}" for d in problems[:20]]
    if len(problems) > 20:
        lines.append(f"… and {len(problems) - 20} more (run `okrctl validate`)")
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
        print(f"okrctl: note: {', '.join(show(p) for p in invalid)} ha{'ve' if len(invalid) > 1 else 's'} errors; "
              "the units shown do not depend on "f"{'them' if len(invalid) > 1 else 'it'}", file=sys.stderr)
        return
    errors = [d for d in opened.result.diagnostics if d.severity == "error" and d.path in ws.invalid]
    not_scored = [u.unit.id for u in units if not u.scored]
    incomplete = [u.unit.id for u in units if u.scored and not u.rollup_complete]
    what = f"not scored: {', '.join(not_scored)}" if not_scored else ""
    if incomplete:
        what += ("; " if what else "") + f"roll-up incomplete: {', '.join(incomplete)}"
    raise FindingsError(f"{what} (files with errors; fix them first: okrctl validate)",
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
    raise FindingsError(f"the workspace has {len(errors)} error{'s' if len(errors) != 1 else ''}; fix them first (okrctl validate)")
