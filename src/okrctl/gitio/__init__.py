"""Everything okrctl asks of git, in one package.

This is the only package that runs git.  It uses git plumbing through
``subprocess`` (never a shell) and treats the repository as untrusted input:

* **One hardened runner** (:mod:`~okrctl.gitio.run`): :func:`run_git` with a git
  found by absolute path, hardening ``-c`` options, an allow-list of inherited
  ``GIT_*`` variables, stdin closed, a timeout, and every failure turned into a
  one-line :class:`GitError`.
* **Revisions are resolved once** (:mod:`~okrctl.gitio.revisions`,
  :meth:`Repo.resolve`); only the checked full SHA is passed on.
* **History is read from the object database** (:mod:`~okrctl.gitio.objects`,
  :mod:`~okrctl.gitio.log`, :mod:`~okrctl.gitio.treesource`): ``ls-tree``,
  ``diff-tree``, ``log --raw`` and one ``cat-file --batch`` process, so no
  filter, textconv, external diff, fsmonitor or hook runs on that path (the CI
  path).
* **Commands that must look at the working tree** (:mod:`~okrctl.gitio.worktree`,
  :mod:`~okrctl.gitio.commit`) get every configured filter driver blanked;
  committing refuses a path whose attributes name a configured filter driver.
* Output is always read with ``-z``; paths are decoded as UTF-8 with
  ``surrogateescape`` (:mod:`~okrctl.gitio.paths`).

Use it as ``from okrctl import gitio; gitio.Repo.discover(path)``.
"""

from okrctl.gitio.commit import NothingToCommit
from okrctl.gitio.log import CommitInfo
from okrctl.gitio.objects import BlobMap
from okrctl.gitio.repo import Repo
from okrctl.gitio.run import GitError, run_git
from okrctl.gitio.treesource import GitTreeSource

__all__ = [
    "BlobMap",
    "CommitInfo",
    "GitError",
    "GitTreeSource",
    "NothingToCommit",
    "Repo",
    "run_git",
]
