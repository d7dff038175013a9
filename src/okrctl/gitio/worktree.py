"""The commands that must look at the working tree (``ls-files``, ``diff-files``,
``status``, ``check-attr``) get every configured filter driver blanked
(``-c filter.<name>.clean= -c filter.<name>.smudge= -c filter.<name>.process=
-c filter.<name>.required=false``), so no clean filter runs."""

from __future__ import annotations

from okrctl.model.messages import _

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from okrctl.gitio.paths import _REGULAR_MODES, _check_prefix, _check_relpath, _dec, _enc, _pathspec, _strip_prefix
from okrctl.gitio.run import Git, GitError, _printable
from okrctl.read.source import OPEN_FLAGS


def _hash_file(path: Path, algo: str) -> str | None:
    """Git blob id of a working-tree entry as it is on disk (a symlink hashes its
    target text, as git does), or None when it is not a file."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        data = os.fsencode(os.readlink(path))
        h = hashlib.new(algo, b"blob %d\0" % len(data))
        h.update(data)
        return h.hexdigest()
    if not stat.S_ISREG(st.st_mode):
        return None
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        h = hashlib.new(algo, b"blob %d\0" % size)
        seen = 0
        while chunk := os.read(fd, 1 << 16):
            seen += len(chunk)
            h.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return h.hexdigest() if seen == size else None  # None: it changed while being read



class WorkTree:
    """The working tree and index of one repository as git sees them, without
    running a filter, hook or fsmonitor (:class:`~okrctl.gitio.Repo` hands its
    ``worktree_shas``, ``is_clean`` and ``changed_paths`` to this)."""

    def __init__(self, git: Git, *, object_format: str = "sha1") -> None:
        self._git = git
        self.object_format = object_format
        self._config_cache: tuple[list[str], set[str], str, str] | None = None

    def config(self) -> tuple[list[str], set[str], str, str]:
        """(``-c`` items blanking every configured filter driver, the driver names,
        core.autocrlf, core.eol) -- read once per Repo."""
        if self._config_cache is None:
            proc = self._git.proc(["config", "-z", "--get-regexp", r"^(filter\..+\.[^.]+|core\.autocrlf|core\.eol)$"])
            names: set[str] = set()
            autocrlf = eol = ""
            for item in proc.stdout.split(b"\0"):
                if not item:
                    continue
                key_b, _unused, value_b = item.partition(b"\n")
                key = _dec(key_b)
                value = value_b.decode("utf-8", "replace").strip().lower()
                if key == "core.autocrlf":
                    autocrlf = value
                elif key == "core.eol":
                    eol = value
                elif key.startswith("filter."):
                    names.add(key[len("filter."):].rpartition(".")[0])
            overrides: list[str] = []
            for name in sorted(names):
                if "=" in name or "\n" in name or not name:
                    raise GitError(_("refusing to use git here: filter driver {printable!r} has a name okrctl cannot neutralise").format(printable=_printable(name)))
                overrides += [f"filter.{name}.clean=", f"filter.{name}.smudge=",
                              f"filter.{name}.process=", f"filter.{name}.required=false"]
            self._config_cache = (overrides, names, autocrlf, eol)
        return self._config_cache

    def no_filters(self) -> list[str]:
        return self.config()[0]

    def check_attr(self, paths: Sequence[str], attrs: Sequence[str]) -> dict[str, dict[str, str]]:
        """``{path: {attr: value}}`` from ``git check-attr`` (runs no program)."""
        if not paths:
            return {}
        out = self._git.out(["check-attr", "-z", "--stdin", *attrs],
                            input=b"".join(_enc(p) + b"\0" for p in paths))
        fields = out.split(b"\0")
        result: dict[str, dict[str, str]] = {}
        for i in range(0, len(fields) - 2, 3):
            result.setdefault(_dec(fields[i]), {})[_dec(fields[i + 1])] = _dec(fields[i + 2])
        return result

    def worktree_shas(self, prefix: str) -> dict[str, str]:
        """``{path relative to prefix: blob sha}`` for the tracked files below
        ``prefix`` as they are on disk now.  The SHA always names the bytes on
        disk (what :class:`~okrctl.read.source.WorkingTreeSource` reads), so it is a
        sound cache key: it comes from the index (``ls-files -s``) when the file is
        unchanged and git would check it out byte for byte, and is computed here
        from the file otherwise (stat-dirty per ``diff-files``, unmerged,
        assume-unchanged/skip-worktree, or with a filter driver, ``ident``,
        ``working-tree-encoding`` or CRLF checkout conversion).  Deleted files are
        absent; untracked files are not listed.  No filter, hook or fsmonitor runs."""
        prefix = _check_prefix(prefix)
        spec = _pathspec(prefix)
        nofilter = self.no_filters()
        out = self._git.out(["ls-files", "-s", "-v", "-z", *spec], config=nofilter)
        index: dict[str, tuple[str, str]] = {}
        suspect: set[str] = set()
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _unused, path_b = rec.partition(b"\t")
            tag, mode, obj, stage = meta.decode("ascii").split(" ")
            path = _dec(path_b)
            if _strip_prefix(path, prefix) is None:
                continue
            if stage != "0" or tag == "S" or tag.islower():
                suspect.add(path)
            index[path] = (mode, obj)
        if not index:
            return {}
        dirty = self._git.out(["diff-files", "--name-only", "-z", "--ignore-submodules=all", *spec], config=nofilter)
        suspect.update(_dec(p) for p in dirty.split(b"\0") if p)
        regular = [p for p, (mode, _unused) in index.items() if mode in _REGULAR_MODES and p not in suspect]
        suspect.update(self._converted_on_checkout(regular))
        algo = "sha256" if self.object_format == "sha256" else "sha1"
        result: dict[str, str] = {}
        for path, (mode, obj) in index.items():
            rel = _strip_prefix(path, prefix)
            assert rel is not None
            if mode == "160000":
                result[rel] = obj
                continue
            if path in suspect:
                sha = _hash_file(self._git.toplevel / path, algo)
                if sha is not None:
                    result[rel] = sha
            else:
                result[rel] = obj
        return result

    def _converted_on_checkout(self, paths: Sequence[str]) -> set[str]:
        """Paths whose checked-out bytes may differ from the blob: a configured
        filter driver, ``ident``, ``working-tree-encoding``, or text with CRLF
        line endings in the working tree.  (Text checked out with LF equals the
        normalised blob, except a file added with CRLF; that file parses the same.)"""
        _unused, drivers, autocrlf, core_eol = self.config()
        attrs = self.check_attr(paths, ["filter", "ident", "working-tree-encoding", "text", "eol", "crlf"])
        autocrlf_true = autocrlf in ("true", "yes", "on", "1")
        autocrlf_any = autocrlf_true or autocrlf == "input"
        native = "crlf" if os.linesep == "\r\n" else "lf"
        default_eol = "crlf" if autocrlf_true else ("lf" if autocrlf == "input" else (core_eol if core_eol in ("lf", "crlf") else native))
        out: set[str] = set()
        for path, a in attrs.items():
            f = a.get("filter", "unspecified")
            if f not in ("unspecified", "unset", "set") and f in drivers:
                out.add(path)
                continue
            if a.get("ident", "unspecified") not in ("unspecified", "unset"):
                out.add(path)
                continue
            if a.get("working-tree-encoding", "unspecified") not in ("unspecified", "unset"):
                out.add(path)
                continue
            text, eol, crlf = a.get("text", "unspecified"), a.get("eol", "unspecified"), a.get("crlf", "unspecified")
            if text == "unset" or crlf == "unset":
                continue  # binary: never converted
            textish = text != "unspecified" or eol != "unspecified" or crlf != "unspecified" or autocrlf_any
            if not textish:
                continue
            effective = eol if eol in ("lf", "crlf") else default_eol
            if effective == "crlf":
                out.add(path)
        return out

    def is_clean(self, paths: list[str]) -> bool:
        """No staged, unstaged or untracked (not ignored) change under ``paths``
        (relative to the repository root; an empty list means the whole tree).
        Filter drivers are blanked, so a file under a real clean filter
        (git-crypt, LFS) that was touched may count as changed: the safe answer."""
        return self._status(paths) == b""

    def changed_paths(self, paths: list[str]) -> list[str]:
        """The paths under ``paths`` (relative to the repository root) with a staged,
        unstaged or untracked (not ignored) change -- what :meth:`is_clean` looks at,
        named, so a caller can tell a user which files to commit (or ignore files that
        are not its business, such as okrctl's own ``.okrctl.lock``).  Sorted, each once."""
        found = {_dec(rec[3:]) for rec in self._status(paths).split(b"\0") if len(rec) > 3}
        return sorted(found)

    def _status(self, paths: list[str]) -> bytes:
        """``git status --porcelain -z`` of ``paths``, filter drivers blanked."""
        for p in paths:
            _check_relpath(p)
        return self._git.out(["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
                              "--ignore-submodules=all", "--", *paths], config=self.no_filters())

