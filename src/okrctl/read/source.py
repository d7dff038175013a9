"""Where workspace files come from: one small interface, two implementations.

The loader never opens files itself.  It asks a :class:`Source` for the list of
workspace-relative paths and for their bytes.  ``WorkingTreeSource`` reads the
directory on disk (refusing symlinks and anything that would leave the workspace);
``okrctl.gitio.GitTreeSource`` reads the same paths from a git tree at a revision.
Every file is identified by its content hash (the git blob SHA-1), so parsed
documents can be cached by content whatever the source.
"""

from __future__ import annotations

from okrctl.model.messages import _

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from okrctl.errors import OkrctlError
from okrctl.model.layout import OKRS_DIR, SETTINGS_FILES, is_settings_file, period_dir

#: Largest file okrctl reads.  A real period file is ~25 KB; anything this big is
#: a mistake or an attack (the round-trip parser needs ~40 s for 7 MB).
MAX_FILE_BYTES = 1 << 20


def blob_sha(data: bytes) -> str:
    """The git blob SHA-1 of ``data`` (what ``git hash-object`` prints)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class _NotRegular(OSError):
    """Raised by :func:`read_regular` for a FIFO, device, socket or directory."""


class _TooLarge(OSError):
    """Raised by :func:`read_regular` for a file over its size limit."""

    def __init__(self, size: int) -> None:
        super().__init__(errno.EFBIG, f"larger than the limit ({size} bytes or more)")
        self.size = size


#: open flags for every file okrctl reads: never follow a final symlink, never
#: block on a FIFO (``open`` of a FIFO for reading waits for a writer without
#: ``O_NONBLOCK``), never leak the descriptor into git
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)


def read_regular(path: Path | str, *, limit: int = MAX_FILE_BYTES, label: str = "") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Opens with :data:`OPEN_FLAGS` (a FIFO or device never blocks, a final symlink
    fails with ``ELOOP``), checks the opened descriptor with ``fstat`` (so what is
    read is what was checked) and stops reading after ``limit`` bytes whatever
    ``st_size`` said (``/proc`` files report 0).  Raises ``OSError``: a private
    subclass for "not a regular file" and "too large" that :class:`WorkingTreeSource`
    turns into diagnostics; other callers catch ``OSError``.
    """
    fd = os.open(path, OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular(errno.EINVAL, "not a regular file")
        if st.st_size > limit:
            raise _TooLarge(st.st_size)
        chunks = []
        total = 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _TooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a workspace: its path relative to the workspace root (POSIX
    separators), and its content hash when the source knows it cheaply."""

    path: str
    sha: str | None = None


class SourceError(OkrctlError):
    """A file could not be read.  ``path`` is workspace-relative; ``code`` is the
    problem code it becomes when it is reported as a diagnostic (exit 2 when it
    ends a command instead)."""

    def __init__(self, path: str, message: str, code: str = "OKR005") -> None:
        super().__init__(message)
        self.path = path
        self.code = code


class Source(Protocol):
    """Read-only access to the files of one workspace."""

    #: human description for messages: "working tree" or "revision 1a2b3c4"
    label: str

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        """``okrctl.yaml``, ``units.yaml`` and every ``okrs/*/*.yaml`` file, sorted
        by path, plus an error for each entry that must be refused (a symlink,
        something that is not a regular file).  Missing top-level files are
        simply absent; the loader reports them."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes of ``path``; raises :class:`SourceError`."""
        ...


def is_yaml_name(name: str) -> bool:
    """A name the loader should look at: any letter case of .yaml/.yml (the loader
    tells the user to rename anything but ``.yaml``); hidden files (editor backups,
    okrctl's own temporary files) are never read."""
    return not name.startswith(".") and name.lower().endswith((".yaml", ".yml"))


def subfolder_error(rel_dir: str, name: str) -> SourceError | None:
    """A folder inside a period folder holds nothing okrctl reads: say so rather
    than skip its files silently (hidden folders excepted)."""
    if name.startswith("."):
        return None
    return SourceError(_("{rel_dir}/{name}").format(rel_dir=rel_dir, name=name), _("{rel_dir}/{name}/ is a folder; period files sit directly in {rel_dir}/ as <UNIT>.yaml, so nothing in it is read").format(rel_dir=rel_dir, name=name), "OKR110")


def _is_wanted(rel: str) -> bool:
    parts = rel.split("/")
    if len(parts) == 1:
        return is_settings_file(parts[0])
    return len(parts) == 3 and parts[0] == OKRS_DIR and is_yaml_name(parts[2])


#: a folder of the workspace that is a repository of its own
_SUBMODULE = _("{path}/ is a git submodule or a repository of its own (a link to another repository); okrctl refuses links")


def _is_nested_repo(directory: Path) -> bool:
    """A folder holding ``.git`` (the gitfile of a submodule, or a whole repository):
    its files belong to another repository, which ``--rev`` cannot see either."""
    return os.path.lexists(directory / ".git")


class WorkingTreeSource:
    """The workspace directory on disk."""

    label = "working tree"

    def __init__(self, root: Path, shas: dict[str, str] | None = None) -> None:
        self.root = root.resolve()
        #: blob ids of files as they are on disk, when known (from git's index:
        #: ``gitio.Repo.worktree_shas``); files not named are hashed by whoever needs it
        self.shas = shas or {}
        self._listed: tuple[list[SourceFile], list[SourceError]] | None = None

    def listed_once(self, files: list[SourceFile], errors: list[SourceError]) -> None:
        """What the next :meth:`list_files` returns, once (a caller that has just
        listed the files, to ask git for their blob ids, need not list them again)."""
        self._listed = (files, errors)

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        if self._listed is not None:
            listed, self._listed = self._listed, None
            return listed
        files: list[SourceFile] = []
        errors: list[SourceError] = []
        for name in SETTINGS_FILES:
            self._consider(name, files, errors)
        okrs = self.root / OKRS_DIR
        try:
            st = os.lstat(okrs)
        except FileNotFoundError:
            return files, errors
        if stat.S_ISLNK(st.st_mode):
            errors.append(SourceError(OKRS_DIR, _("okrs/ is a symbolic link; okrctl refuses links"), "OKR006"))
            return files, errors
        if not stat.S_ISDIR(st.st_mode):
            errors.append(SourceError(OKRS_DIR, _("okrs is not a directory"), "OKR006"))
            return files, errors
        if _is_nested_repo(okrs):
            errors.append(SourceError(OKRS_DIR, _SUBMODULE.format(path=OKRS_DIR), "OKR006"))
            return files, errors
        try:
            with os.scandir(okrs) as it:
                periods = sorted(it, key=lambda e: e.name)
        except OSError as exc:  # permission denied, too long a path: a diagnostic, not a crash
            errors.append(SourceError(OKRS_DIR, _("cannot read {OKRS_DIR}/: {strerror}").format(OKRS_DIR=OKRS_DIR, strerror=exc.strerror)))
            return files, errors
        for pd in periods:
            rel_dir = period_dir(pd.name)
            if pd.is_symlink():
                errors.append(SourceError(rel_dir, _("{rel_dir}/ is a symbolic link; okrctl refuses links").format(rel_dir=rel_dir), "OKR006"))
                continue
            if not pd.is_dir(follow_symlinks=False):
                if pd.name.endswith((".yaml", ".yml")):
                    errors.append(SourceError(rel_dir, _("{rel_dir} must be inside a period directory: okrs/<PERIOD>/<UNIT>.yaml").format(rel_dir=rel_dir), "OKR110"))
                continue
            if _is_nested_repo(Path(pd.path)):
                errors.append(SourceError(rel_dir, _SUBMODULE.format(path=rel_dir), "OKR006"))
                continue
            try:
                with os.scandir(pd.path) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                errors.append(SourceError(rel_dir, _("cannot read {rel_dir}/: {strerror}").format(rel_dir=rel_dir, strerror=exc.strerror)))
                continue
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    err = subfolder_error(rel_dir, e.name)
                    if err:
                        errors.append(err)
                    continue
                if is_yaml_name(e.name):
                    self._consider(f"{rel_dir}/{e.name}", files, errors)
        return files, errors

    def _consider(self, rel: str, files: list[SourceFile], errors: list[SourceError]) -> None:
        try:
            st = os.lstat(os.path.join(self.root, rel))  # (not pathlib: thousands of files)
        except FileNotFoundError:
            return
        except OSError as exc:
            errors.append(SourceError(rel, _("cannot read {rel}: {strerror}").format(rel=rel, strerror=exc.strerror)))
            return
        if stat.S_ISLNK(st.st_mode):
            errors.append(SourceError(rel, _("{rel} is a symbolic link; okrctl refuses links").format(rel=rel), "OKR006"))
        elif not stat.S_ISREG(st.st_mode):
            errors.append(SourceError(rel, _("{rel} is not a regular file").format(rel=rel), "OKR006"))
        else:
            files.append(SourceFile(rel, self.shas.get(rel)))

    def read(self, path: str) -> bytes:
        if not _is_wanted(path) or ".." in path.split("/"):
            raise SourceError(path, _("{path} is not a workspace file").format(path=path), "OKR006")
        full = self.root / path
        # O_NOFOLLOW guards only the last component: a symlinked okrs/ or period
        # directory would still lead outside the workspace, so check every component.
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            try:
                st = os.lstat(self.root.joinpath(*parts[:i]))
            except OSError:
                break  # open() below reports it
            if stat.S_ISLNK(st.st_mode):
                link = "/".join(parts[:i])
                raise SourceError(path, _("{link}{value} is a symbolic link; okrctl refuses links").format(link=link, value='/' if i < len(parts) else ''), "OKR006")
            if i < len(parts) and _is_nested_repo(self.root.joinpath(*parts[:i])):
                raise SourceError(path, _SUBMODULE.format(path="/".join(parts[:i])), "OKR006")
        try:
            return read_regular(full, label=path)
        except _NotRegular:
            raise SourceError(path, _("{path} is not a regular file").format(path=path), "OKR006") from None
        except _TooLarge as exc:
            raise SourceError(path, _("{path} is {size} bytes; the limit is {MAX_FILE_BYTES}").format(path=path, size=exc.size, MAX_FILE_BYTES=MAX_FILE_BYTES), "OKR007") from None
        except IsADirectoryError:
            raise SourceError(path, _("{path} is not a regular file").format(path=path), "OKR006") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # the last component is a symlink
                raise SourceError(path, _("{path} is a symbolic link; okrctl refuses links").format(path=path), "OKR006") from None
            raise SourceError(path, _("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror)) from None
