"""Everything okrctl asks of git (see :mod:`okrctl.gitio.repo`)."""

from okrctl.gitio.repo import BlobMap, CommitInfo, GitError, GitTreeSource, NothingToCommit, Repo, run_git

__all__ = ["BlobMap", "CommitInfo", "GitError", "GitTreeSource", "NothingToCommit", "Repo", "run_git"]
