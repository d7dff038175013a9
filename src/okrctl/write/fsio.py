"""Files on disk: atomic replacement, exclusive creation and the sidecar lock.

:func:`atomic_write` replaces a file through a temporary file in the same directory
(``.<name>.<random>.tmp``), keeps its mode, refuses symlinks and, given the blob SHA of the
bytes the caller read, refuses when someone else changed the file in the meantime.
:func:`create_exclusive` creates a new file the same way but never replaces one.
:func:`file_lock` serialises okrctl writers on a lock file kept where git keeps its own
(``<git dir>/okrctl/locks/``), or in okrctl's cache outside git: never in the workspace.

Failures raise :class:`~okrctl.write.errors.WriteRefused`.
"""

from __future__ import annotations

from okrctl.model.messages import _

import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from okrctl.read.source import blob_sha, read_regular
from okrctl.write.errors import WriteRefused

__all__ = ["LOCK_NAME", "atomic_write", "create_all", "create_exclusive", "file_lock", "lock_path"]


#: Name of the sidecar lock file okrctl < 0.x created in the workspace (still ignored
#: by the clean-tree checks, never created now).
LOCK_NAME = ".okrctl.lock"


def _git_dir(directory: Path) -> Path | None:
    """The git directory of the working tree holding ``directory`` (``.git``, or
    where a ``.git`` file of a linked worktree or submodule points), found without
    running git; None outside git."""
    for d in (directory, *directory.parents):
        dot = d / ".git"
        try:
            st = os.lstat(dot)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            return dot
        if stat.S_ISREG(st.st_mode):
            try:
                first = read_regular(dot, limit=4096).decode("utf-8", "surrogateescape").splitlines()[0]
            except (OSError, IndexError):
                return None
            if first.startswith("gitdir: "):
                target = (d / first[len("gitdir: "):].strip()).resolve()
                return target if target.is_dir() else None
        return None
    return None


def work_tree_root(directory: Path) -> Path | None:
    """The top of the git working tree holding ``directory`` (which need not exist yet):
    the nearest directory at or above it with a ``.git`` folder or file; None outside git.
    Found without running git."""
    directory = Path(os.path.abspath(directory))
    for d in (directory, *directory.parents):
        if os.path.lexists(d / ".git"):
            return d
    return None


def user_cache_dir() -> Path:
    """okrctl's folder in the user's cache (data only, never code): ``OKRCTL_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/okrctl``, else ``~/.cache/okrctl``."""
    explicit = os.environ.get("OKRCTL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "okrctl"


def lock_path(directory: Path) -> Path:
    """Where :func:`file_lock` locks ``directory``: ``<git dir>/okrctl/locks/<key>.lock``
    inside a git working tree, else ``<okrctl cache>/locks/<key>.lock``; ``key`` is
    a hash of the directory's real path, so every okrctl writing in that directory
    takes the same lock, and nothing is left in the workspace (``git status`` stays
    clean).  Lock files are never deleted: deleting one that another process waits
    on would let two writers in."""
    import hashlib

    real = Path(os.path.realpath(directory))
    key = hashlib.sha256(os.fsencode(real)).hexdigest()[:32]
    gitdir = _git_dir(real)
    base = gitdir / "okrctl" / "locks" if gitdir is not None else user_cache_dir() / "locks"
    return base / f"{key}.lock"


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:  # some filesystems refuse fsync on directories
        if e.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _current_umask() -> int:
    """The process umask, read without changing it where possible (os.umask is racy)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _read_nofollow(path: Path) -> bytes:
    return read_regular(path, limit=1 << 30)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    expected_sha: str | None = None,
    _before_replace: Callable[[Path], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves either the old or
    the new file: ``mkstemp`` in the same directory (named ``.<name>.<random>.tmp``, which
    okrctl never reads), write, flush, fsync, copy the old file's mode (and owner, when
    permitted), ``os.replace``, fsync the directory.

    Refuses (:class:`WriteRefused`) when ``path`` is a symlink or not a regular file, and,
    when ``expected_sha`` (the git blob SHA-1 of the bytes the caller read, from
    :func:`okrctl.read.source.blob_sha`) is given, when the file now holds other bytes (or has
    gone).  That check runs right before the rename; hold :func:`file_lock` around
    read-modify-write so other okrctl processes cannot slip in between.

    ``_before_replace`` is a test hook called with the temporary file's path after it is
    fsynced and before the rename; production code never passes it.
    """
    path = Path(path)
    directory = path.parent

    def current_stat() -> os.stat_result | None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused(_("{path} is a symbolic link; okrctl does not write through links").format(path=path))
        if not stat.S_ISREG(st.st_mode):
            raise WriteRefused(_("{path} is not a regular file; okrctl will not replace it").format(path=path))
        return st

    st = current_stat()
    if expected_sha is not None and st is None:
        raise WriteRefused(_("{path} was removed after okrctl read it; nothing was written").format(path=path))

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise WriteRefused(_("cannot write in {directory}: {strerror}; nothing was written").format(directory=directory, strerror=e.strerror)) from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            if st is not None:
                os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    try:
                        os.fchown(f.fileno(), st.st_uid, st.st_gid)
                    except OSError:
                        pass  # not permitted: the file becomes ours, as with any editor
            else:
                os.fchmod(f.fileno(), 0o666 & ~_current_umask())
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if _before_replace is not None:
            _before_replace(tmp)
        st_now = current_stat()
        if expected_sha is not None:
            if st_now is None:
                raise WriteRefused(_("{path} was removed after okrctl read it; nothing was written").format(path=path))
            if blob_sha(_read_nofollow(path)) != expected_sha:
                raise WriteRefused(
                    _("{path} was changed by someone else after okrctl read it; nothing was written, run the command again").format(path=path)
                )
        os.replace(tmp, path)
    except BaseException as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(e, OSError):  # disk full, I/O error, read-only filesystem …
            raise WriteRefused(_("cannot write {path}: {value}; nothing was written").format(path=path, value=e.strerror or e)) from e
        raise
    _fsync_dir(directory)


def _flock_until(fd: int, deadline: float, what: str, max_delay: float) -> None:
    """Take an exclusive flock on ``fd``, polling until ``deadline`` (time.monotonic())."""
    import fcntl

    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WriteRefused(what) from None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, max_delay)


@contextmanager
def file_lock(directory: Path, timeout: float = 10.0) -> Iterator[Path]:
    """Hold an exclusive ``flock`` on :func:`lock_path` of ``directory`` (a stable file:
    locking the data file itself does not work across ``os.replace``, reliability #40).
    Polls until ``timeout`` seconds, then raises :class:`WriteRefused`.  Yields the lock
    file's path.  The lock file is left in place.  Not re-entrant.

    Fairness: a process that waits first holds a flock on the directory itself while it
    waits for the lock file, so the current holder cannot release and re-take the lock in a
    loop while the other starves (``flock`` wakes no one in order; without this, one of two
    processes appending in a loop did all its 50 appends before the other got one)."""
    import fcntl

    directory = Path(directory)
    lock = lock_path(directory)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, flags, 0o666)
    except OSError as e:
        raise WriteRefused(_("cannot open the lock file {lock}: {strerror}").format(lock=lock, strerror=e.strerror)) from None
    busy = (
        f"another okrctl is writing in {directory} (it has held the lock for more than {timeout:g} s); try again"
    )
    try:
        deadline = time.monotonic() + timeout
        try:
            gate: int | None = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            gate = None
        try:
            if gate is not None:
                try:
                    _flock_until(gate, deadline, busy, 0.05)
                except OSError:  # a filesystem without flock on directories: no queue, still safe
                    os.close(gate)
                    gate = None
            # only the process at the head of the queue polls the lock itself: poll it often
            _flock_until(fd, deadline, busy, 0.005)
        finally:
            if gate is not None:
                os.close(gate)  # closing the descriptor releases the queue lock
        try:
            yield lock
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` atomically, never replacing an existing file: write a
    temporary file, then hard-link it into place (the link fails if the name exists).
    Returns False when the file exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        mask = os.umask(0o022)
        os.umask(mask)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~mask)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: exclusive create instead
            try:
                wfd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
            except FileExistsError:
                return False
            with os.fdopen(wfd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    try:
        dfd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return True


def _mkdirs_nofollow(root: Path, parts: tuple[str, ...], made: list[Path]) -> None:
    """Create ``root/parts...`` one component at a time, refusing a component that is
    a symlink or not a directory (``mkdir -p`` would follow a symlinked ``okrs/`` out
    of the workspace).  Appends each directory it creates to ``made``."""
    cur = root
    for part in parts:
        cur = cur / part
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            os.mkdir(cur)
            made.append(cur)
            continue
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused(_("{cur} is a symbolic link; okrctl does not write through links").format(cur=cur))
        if not stat.S_ISDIR(st.st_mode):
            raise WriteRefused(_("{cur} is not a directory").format(cur=cur))


def create_all(root: Path, files: dict[str, bytes]) -> dict[str, bool]:
    """Create every file of ``files`` (paths relative to ``root``, POSIX separators)
    with :func:`create_exclusive`, all or nothing: folders are made as needed, one
    component at a time and never through a symlink (``root`` itself may be one: the
    user named it).  Returns ``{path: created}`` (False: the file already existed and
    was left alone).  On any failure (a symlink, disk full, permission) every file and
    folder it made is removed again, ``root`` included when it made it, and it raises
    :class:`WriteRefused` (``…; nothing was written``)."""
    root = Path(root)
    made_dirs: list[Path] = []
    made_files: list[Path] = []
    result: dict[str, bool] = {}
    where = root
    try:
        if not os.path.lexists(root):
            root.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(root)
            made_dirs.append(root)
        for rel, data in files.items():
            parts = tuple(rel.split("/"))
            if any(p in ("", ".", "..") for p in parts):
                raise WriteRefused(_("{rel} is not a path inside {root}").format(rel=rel, root=root))
            where = root / rel
            _mkdirs_nofollow(root, parts[:-1], made_dirs)
            created = create_exclusive(where, data)
            result[rel] = created
            if created:
                made_files.append(where)
    except BaseException as e:
        for f in reversed(made_files):
            try:
                f.unlink()
            except OSError:
                pass
        for d in reversed(made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        if isinstance(e, WriteRefused):
            raise WriteRefused(_("{message}; nothing was written").format(message=e.message)) from None
        if isinstance(e, OSError):
            raise WriteRefused(_("cannot write {where}: {value}; nothing was written").format(where=where, value=e.strerror or e)) from None
        raise
    return result
