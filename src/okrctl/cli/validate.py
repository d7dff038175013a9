"""okrctl validate"""

from __future__ import annotations

from okrctl.model.messages import _

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from okrctl.cli.app import (
    ProblemFormat,
    app,
    check_rev,
    display_path_fn,
    problem_format,
    state,
)
from okrctl.cli.output import OutputOpt, TextView, choose_format, emit
from okrctl.errors import EXIT_FINDINGS, EXIT_OK, UsageError


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATHS", show_default=False, help="Report only these files (the whole workspace is still loaded, so cross-file rules apply).")] = None,
    fmt: Annotated[ProblemFormat | None, typer.Option("--format", "-f", help="text, json, github (annotations; the default under GitHub Actions), sarif (code scanning) or md (a PR comment).")] = None,
    output: OutputOpt = None,
    rev: Annotated[str | None, typer.Option("--rev", metavar="REV", help="Validate the workspace as committed at REV (tag, branch, SHA) instead of the working tree.")] = None,
) -> None:
    """Check every file against the schemas and the cross-file rules.

    Prints one line per problem, sorted: [bold]path:line:col: severity CODE message[/bold].
    Every code is explained in docs/checks.md.

    Examples:

      okrctl validate

      okrctl validate okrs/2026-Q2/so-khcn.yaml      (pre-commit: report only this file)

      okrctl validate --format sarif > okrctl.sarif

      okrctl validate --format md >> "$GITHUB_STEP_SUMMARY"

      okrctl validate --rev origin/main
    """
    st = state(ctx)
    fmt = choose_format(fmt, output, ProblemFormat, problem_format(None))
    if paths:
        missing = [str(p) for p in paths if not os.path.lexists(p)]
        if missing and rev is None:
            raise UsageError(_("no such file: {missing}").format(missing=missing[0]))
    groups: dict[Path | None, list[Path] | None] = {}
    if paths and st.workspace is None:
        # pre-commit passes paths relative to the repository root: each path is
        # checked in the workspace it belongs to (a repository may hold several),
        # each workspace loaded once
        from okrctl.read.loader import find_workspace

        for p in paths:
            groups.setdefault(find_workspace(Path(os.path.abspath(p)).parent), []).append(p)
    else:
        groups[st.workspace] = paths
    diags: list = []
    nfiles = 0
    for ws, ws_paths in groups.items():
        st.workspace = ws
        root, found, n = _validate_workspace(st, ws_paths, rev)
        if len(groups) > 1:  # one listing: each path as shown from the current directory
            to_display = display_path_fn(root)
            found = [replace(d, path=to_display(d.path)) for d in found]
        diags += found
        nfiles += n
    show = display_path_fn(root) if len(groups) == 1 else (lambda p: p)
    from okrctl.render import problems as R

    if fmt is ProblemFormat.json:
        emit(R.render_json(diags, nfiles), output)
    elif fmt is ProblemFormat.github:
        emit(R.render_github(diags, show), output)
    elif fmt is ProblemFormat.sarif:
        emit(R.render_sarif(diags, show), output)
    elif fmt is ProblemFormat.md:
        emit(R.render_markdown(diags, nfiles, show), output)
    else:
        from okrctl.render.console import make_console

        view = TextView(st.color, output)
        R.render_text(diags, view.console, show)
        view.close()
        err = make_console(st.color, stderr=True)
        err.print(R.summary_line(diags, nfiles), style="green" if not diags else ("red" if any(d.severity == "error" for d in diags) else "yellow"))
    if any(d.severity == "error" for d in diags):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)




def _validate_workspace(st, paths: list[Path] | None, rev: str | None):
    """The problems of one workspace (of the files in ``paths`` only, when given):
    ``(root, problems, files checked)``."""
    root, diags, nfiles, documents = _whole_result(st, check_rev(rev))
    if paths:
        wanted = set()
        outside = []
        for p in paths:
            try:
                wanted.add(Path(os.path.abspath(p)).relative_to(root).as_posix())
            except ValueError:
                outside.append(str(p))
        if outside:
            raise UsageError(_("{outside} is not in the workspace at {root}; run okrctl once per workspace (-C DIR)").format(outside=outside[0], root=root))
        read = set(documents) | {d.path for d in diags}
        for name in sorted(wanted - read):
            raise UsageError(_("{name}: not a file okrctl reads (okrctl.yaml, units.yaml, okrs/PERIOD/UNIT.yaml); nothing was validated").format(name=name))
        diags = [d for d in diags if d.path in wanted]
        nfiles = len(wanted)
    return root, list(diags), nfiles


def _whole_result(st, rev: str | None):
    """``(root, problems, files listed, paths of the documents read)``.

    The warm path (docs/architecture.md, "The cache"): with the persistent cache,
    the whole result of the last run over the same files (same blob ids), the same
    "today" and the same kind of source is printed without decoding any period
    file.  Pinned evidence (OKR228) depends on files outside the key: the row keeps
    every pinned (path, SHA-256) and a hit whose pins do not all still match is
    loaded the usual way, where OKR228 is computed with its positions."""
    from okrctl.cli.workspace import load_opened, open_source, use_workspace_locale
    from okrctl.model.dates import today as today_in
    from okrctl.model.problems import sort_problems
    from okrctl.read.evidence import check_pins, pinned_in, pins_still_match
    from okrctl.read.loader import result_key, warm_lookup

    root, store, source, sha = open_source(st, rev)
    look = warm_lookup(source, store, today=today_in, extra="rev" if rev is not None else "working tree")
    if look.hit is not None:
        found, documents, locale, pins = look.hit
        memo = _hash_memo(store) if pins and rev is None else None
        if rev is not None or pins_still_match(root, pins, memo):
            store.stats.hits, store.stats.misses, store.stats.whole = len(look.listed.files), 0, 1
            _keep_hashes(store, memo)
            store.flush()
            if locale is not None:
                use_workspace_locale(st, locale)
            return root, found, len(look.listed.files), documents
    used: list = []

    def today_seen(config):  # the date the checks use, to key the result by
        used.append(today_in(config))
        return used[-1]

    extra = "rev" if rev is not None else "working tree"
    # no records: the cross-file checks of the files that did not change come from
    # the cache, and their records are never decoded (read/incremental.py)
    opened = load_opened(st, root, store, source, sha, listed=look.listed, today=look.today or today_seen,
                         records=_no_records)
    result = opened.result
    diags = result.diagnostics
    pins: list[tuple[str, str]] = []
    evidence: list = []
    if rev is None and result.workspace is not None:  # pinned evidence files (OKR228)
        pinned = pinned_in(result.summaries)
        memo = _hash_memo(store) if pinned else None
        evidence = check_pins(opened.root, pinned, memo)
        _keep_hashes(store, memo)
        diags = sort_problems([*diags, *evidence])
        pins = sorted({(e.path, e.sha256) for _ref, e in pinned if e.path is not None})
    if store is not None and not evidence:  # OKR228 is never cached: such a run is loaded again next time
        key, day = look.key, look.today
        if key is None:  # okrctl.yaml was not in the cache before this run: now it is
            key, day = result_key(look.listed, store, today=today_in, extra=extra)
            if used and used[0] != day:  # midnight passed meanwhile
                key = None
        if key is not None:
            store.put("result", key, (list(diags), sorted(result.documents),
                                      result.workspace.config.locale if result.workspace is not None else None, pins))
    if store is not None:
        store.flush()
    return opened.root, diags, opened.nfiles, set(result.documents)


_HASHES = "hashes"


def _hash_memo(store):
    """The SHA-256s of pinned files hashed by earlier runs (one cache row), so
    that a file whose stat data did not change is not read again; None without
    a cache."""
    if store is None:
        return None
    from okrctl.read.evidence import HashMemo

    key = store.key(_HASHES, "", "")
    return HashMemo(store.get_many(_HASHES, [key]).get(key))


def _keep_hashes(store, memo) -> None:
    if store is not None and memo is not None and memo.changed:
        store.put(_HASHES, store.key(_HASHES, "", ""), memo.rows())


def _no_records(path: str) -> bool:
    """``validate`` needs no period file's records, only its problems."""
    return False
