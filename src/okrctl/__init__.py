"""okrctl: OKRs and KPIs as plain-text YAML in git.

The command line is a thin layer over this library.  Four calls cover what it does
most (each imports what it needs only when called)::

    from datetime import date
    import okrctl

    loaded = okrctl.load("sample-workspace")                  # read + validate
    assert loaded.ok, loaded.diagnostics                      # every problem, with file:line:col
    result = okrctl.score(loaded.workspace, "2026-Q2", date(2026, 5, 15))
    print(result.units[0].rolled_score)                       # exact Fraction

    outcome = okrctl.compare("sample-workspace", "origin/main", check=True)
    print([f.rule for f in outcome.findings])                 # the rules of docs/ci.md

    h = okrctl.history("sample-workspace", "2026-Q2/so-khcn/O1/KR1")
    print([(e.date, e.field, e.old, e.new) for e in h.events])

Errors that end an operation derive from :class:`okrctl.errors.OkrctlError` and
carry the CLI's exit code; problems in the files are values
(:class:`okrctl.model.problems.Problem`), never exceptions.  docs/architecture.md
describes the layers behind these calls.
"""

from __future__ import annotations

from okrctl.model.messages import _

from datetime import date
from os import PathLike
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = ["__version__", "compare", "history", "load", "score"]

if TYPE_CHECKING:
    from okrctl.audit.compare import Outcome
    from okrctl.audit.history import History
    from okrctl.engine.results import ScoreResult
    from okrctl.model.records import Workspace
    from okrctl.read.loader import LoadResult


def load(path: str | PathLike[str], rev: str | None = None) -> LoadResult:
    """Read and validate the workspace at ``path`` (the working tree, or the commit
    ``rev`` of its git repository), as ``okrctl validate`` does.  ``.workspace`` is
    None when it cannot be built; ``.diagnostics`` lists every problem found."""
    from pathlib import Path

    from okrctl.engine.scoring import today
    from okrctl.read.loader import load_workspace
    from okrctl.read.source import WorkingTreeSource

    root = Path(path)
    if rev is None:
        return load_workspace(WorkingTreeSource(root), today=today)
    from okrctl import gitio

    repo = gitio.Repo.discover(root)
    return load_workspace(gitio.GitTreeSource(repo, repo.resolve(rev), repo.relpath(root)), today=today)


def score(workspace: Workspace, period: str | None = None, as_of: date | None = None) -> ScoreResult:
    """Score every unit of ``period`` (default: the period holding the scoring date)
    as of ``as_of`` (default: ``as_of`` of okrctl.yaml, else today in its time zone)."""
    from okrctl.engine.scoring import default_period, score_workspace, scoring_date
    from okrctl.errors import UsageError
    from okrctl.model.periods import parse_period

    D = scoring_date(workspace.config, as_of)
    p = parse_period(period, workspace.config.fiscal_year_start) if period else default_period(workspace, D)
    if p is None:
        raise UsageError(_("no period with files contains {D}; name the period").format(D=D))
    return score_workspace(workspace, p, D)


def compare(path: str | PathLike[str], base: str, head: str | None = None, *, at: date | None = None,
            check: bool = False) -> Outcome:
    """The semantic changes from revision ``base`` to ``head`` (None: the working
    tree) of the workspace at ``path``; with ``check`` also the findings of the rules
    of docs/ci.md, judged at ``at`` (default: today in BASE's time zone)."""
    from pathlib import Path

    from okrctl.audit.compare import compare as _compare

    return _compare(Path(path), base, head, at=at, check=check)


def history(path: str | PathLike[str], ref: str, rev: str | None = None) -> History:
    """Every change to the item ``ref`` (``PERIOD/UNIT/OBJ[/KR]``) across the commits
    of the workspace at ``path``, oldest first."""
    from pathlib import Path

    from okrctl.audit.history import history_of

    return history_of(Path(path), ref, rev)
