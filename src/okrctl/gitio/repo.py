""":class:`Repo`, a git working tree: discovery, and one object that hands each
question to the collaborator that owns it (:class:`Revisions`,
:class:`ObjectReader`, :class:`WorkTree`, :class:`LogReader`, :class:`Writer`)."""

from __future__ import annotations

from okrctl.model.messages import _

import os
from collections.abc import Iterable
from pathlib import Path

from okrctl.gitio.commit import Writer
from okrctl.gitio.log import CommitInfo, LogReader
from okrctl.gitio.objects import BlobMap, ObjectReader
from okrctl.gitio.revisions import Revisions
from okrctl.gitio.run import Git, GitError, _failure, _printable, _require_version, _run
from okrctl.gitio.worktree import WorkTree
from okrctl.read.source import MAX_FILE_BYTES


class Repo:
    """A git working tree.  Every git command runs with ``cwd=toplevel``, so every
    path given to or returned by these methods is relative to the repository root
    (POSIX separators) unless the method says "relative to prefix"."""

    def __init__(self, toplevel: Path, *, object_format: str = "sha1", shallow: bool | None = None) -> None:
        self.toplevel = toplevel
        self.object_format = object_format
        git = Git(toplevel)
        self.revisions = Revisions(git, shallow=shallow)
        self.objects = ObjectReader(git)
        self.worktree = WorkTree(git, object_format=object_format)
        self.log = LogReader(git, self.revisions)
        self.writer = Writer(git, self.worktree, self.revisions)

    # ---- discovery and paths

    @classmethod
    def discover(cls, path: Path) -> Repo:
        """The repository whose working tree contains ``path`` (a directory or a
        file in one)."""
        path = Path(path)
        if not os.path.lexists(path):
            raise GitError(_("no such file or directory: {printable}").format(printable=_printable(str(path))))
        start = path if path.is_dir() else path.parent
        _require_version(start)
        proc = _run(["rev-parse", "--is-inside-work-tree", "--show-toplevel",
                     "--show-object-format", "--is-shallow-repository"], start)
        if proc.returncode != 0:
            if b"must be run in a work tree" in proc.stderr or b"cannot use bare repository" in proc.stderr:
                raise GitError(_("not a git working tree: {printable} is inside a .git directory or a bare repository").format(printable=_printable(str(path))))
            raise _failure(["rev-parse"], start, proc.returncode, proc.stderr)
        lines = proc.stdout.split(b"\n")
        if len(lines) < 4 or lines[0] != b"true":
            raise GitError(_("not a git working tree: {printable}").format(printable=_printable(str(path))))
        top = Path(os.fsdecode(lines[1]))
        fmt = lines[2].decode("ascii", "replace")
        if fmt not in ("sha1", "sha256"):
            raise GitError(_("unsupported git object format {fmt!r}").format(fmt=fmt))
        return cls(top, object_format=fmt, shallow=lines[3] == b"true")

    def relpath(self, path: Path) -> str:
        """POSIX path of ``path`` relative to the top of the working tree ('' for
        the top itself)."""
        full = Path(path).resolve()
        top = self.toplevel.resolve()
        try:
            rel = full.relative_to(top)
        except ValueError:
            raise GitError(_("{printable} is outside the git repository {printable2}").format(printable=_printable(str(path)), printable2=_printable(str(top)))) from None
        text = rel.as_posix()
        return "" if text == "." else text

    # ---- revisions (Revisions)

    def resolve(self, rev: str) -> str:
        """A user-supplied revision as the full SHA of a commit (:meth:`Revisions.resolve`)."""
        return self.revisions.resolve(rev)

    def is_shallow(self) -> bool:
        return self.revisions.is_shallow()

    def require_full_history(self, what: str) -> None:
        """Raise :class:`GitError` naming ``fetch-depth: 0`` when the clone is shallow."""
        self.revisions.require_full_history(what)

    def head(self) -> str | None:
        """SHA of HEAD, or None before the first commit."""
        return self.revisions.head()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when commit ``ancestor`` is reachable from ``descendant`` (:meth:`Revisions.is_ancestor`)."""
        return self.revisions.is_ancestor(ancestor, descendant)

    def merge_base(self, a: str, b: str) -> str | None:
        """The merge base of two commits (:meth:`Revisions.merge_base`)."""
        return self.revisions.merge_base(a, b)

    def changed_between(self, a: str, b: str | None, pathspecs: list[str]) -> list[str]:
        """Paths (from the repository root) matching ``pathspecs`` whose content
        differs between commit ``a`` and commit ``b`` (None: the working tree and
        its untracked files) (:meth:`ObjectReader.changed_between`)."""
        found = set(self.objects.changed_between(a, b, pathspecs))
        if b is None:
            specs = [s.rstrip("/") for s in pathspecs]
            found |= {p for p in self.changed_paths(specs) if any(p == s or p.startswith(s + "/") for s in specs)}
        return sorted(found)

    def has_replace_refs(self) -> bool:
        """True when ``refs/replace/*`` exist (:meth:`Revisions.has_replace_refs`)."""
        return self.revisions.has_replace_refs()

    # ---- trees and blobs (ObjectReader)

    def ls_tree(self, sha: str, prefix: str, *, trees: bool = False) -> list[tuple[str, str, str]]:
        """``(path relative to prefix, mode, object sha)`` below ``prefix`` in commit ``sha`` (:meth:`ObjectReader.ls_tree`)."""
        return self.objects.ls_tree(sha, prefix, trees=trees)

    def read_blobs(self, shas: Iterable[str], *, limit: int = MAX_FILE_BYTES, timeout: float = 120) -> BlobMap:
        """Many blobs through ONE ``git cat-file --batch`` (:meth:`ObjectReader.read_blobs`)."""
        return self.objects.read_blobs(shas, limit=limit, timeout=timeout)

    def diff_tree(self, a: str, b: str, prefix: str) -> list[tuple[str, str, str | None, str | None]]:
        """Files that differ below ``prefix`` between commits ``a`` and ``b`` (:meth:`ObjectReader.diff_tree`)."""
        return self.objects.diff_tree(a, b, prefix)

    # ---- the working tree (WorkTree)

    def worktree_shas(self, prefix: str) -> dict[str, str]:
        """``{path relative to prefix: blob sha}`` of the files on disk (:meth:`WorkTree.worktree_shas`)."""
        return self.worktree.worktree_shas(prefix)

    def is_clean(self, paths: list[str]) -> bool:
        """No staged, unstaged or untracked change under ``paths`` (:meth:`WorkTree.is_clean`)."""
        return self.worktree.is_clean(paths)

    def changed_paths(self, paths: list[str]) -> list[str]:
        """The paths under ``paths`` with a change, sorted (:meth:`WorkTree.changed_paths`)."""
        return self.worktree.changed_paths(paths)

    # ---- history (LogReader)

    def commit_info(self, sha: str) -> CommitInfo:
        """Author, dates and subject of one commit (full SHA)."""
        return self.log.commit_info(sha)

    def log_path(self, paths: list[str], rev: str = "HEAD") -> list[tuple[CommitInfo, dict[str, str | None]]]:
        """The main-line commits up to ``rev`` that changed ``paths``, oldest first (:meth:`LogReader.log_path`)."""
        return self.log.log_path(paths, rev)

    # ---- identity, writing (Writer)

    def user_name(self) -> str | None:
        """The author name git would record for a commit made now, or None."""
        return self.writer.user_name()

    def config_value(self, key: str) -> str | None:
        """The value of git configuration ``key``, or None (:meth:`Writer.config_value`)."""
        return self.writer.config_value(key)

    def commit_paths(self, paths: list[str], message: str, *, sign: bool | None = None) -> str:
        """Commit exactly ``paths`` as they are in the working tree (:meth:`Writer.commit_paths`)."""
        return self.writer.commit_paths(paths, message, sign=sign)

    def tag_annotated(self, name: str, sha: str, message: str, sign: bool = False) -> None:
        """Create the annotated tag ``name`` on commit ``sha`` (:meth:`Writer.tag_annotated`)."""
        self.writer.tag_annotated(name, sha, message, sign)

    def tag_target(self, name: str) -> str | None:
        """SHA of the commit tag ``name`` points to, or None when there is no such tag."""
        return self.writer.tag_target(name)

    def tag_object(self, name: str) -> bytes | None:
        """The raw object of annotated tag ``name``, signature included (:meth:`Writer.tag_object`)."""
        return self.writer.tag_object(name)

    def tag_message(self, name: str) -> str | None:
        """The message of annotated tag ``name`` as stored, or None (:meth:`Writer.tag_message`)."""
        return self.writer.tag_message(name)
