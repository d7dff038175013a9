"""Everything okrctl asks of git, in one place.

This is the only module that runs git.  It uses git plumbing through
``subprocess`` (never a shell) and treats the repository as untrusted input:

* **One hardened runner.**  :func:`run_git` resolves git to an absolute path once,
  passes ``-c core.fsmonitor=false -c core.hooksPath=/dev/null
  -c core.quotepath=false`` (plus ``-c safe.bareRepository=explicit --no-pager
  --literal-pathspecs``) before every
  subcommand, runs with ``GIT_TERMINAL_PROMPT=0 GIT_NO_REPLACE_OBJECTS=1
  GIT_OPTIONAL_LOCKS=0 GIT_CONFIG_NOSYSTEM=1 LC_ALL=C``, drops inherited ``GIT_*``
  variables that would point git at another repository or index (``GIT_DIR``,
  ``GIT_INDEX_FILE``, ...), closes stdin, applies a timeout and turns every
  failure into a one-line :class:`GitError`.
* **Revisions are resolved once** (:meth:`Repo.resolve`) with
  ``rev-parse --verify --quiet --end-of-options REV^{commit}``; only the checked
  full SHA is passed on.  Every other public method that takes a commit insists
  on a full SHA.
* **History is read from the object database**: ``ls-tree``, ``diff-tree``,
  ``log --raw`` and one ``cat-file --batch`` process.  None of these look at the
  working tree, so clean/smudge filters, textconv, external diff, fsmonitor and
  hooks never run on that path (the CI path).
* **Commands that must look at the working tree** (``status``, ``diff-files``,
  ``add``, ``commit``) get every configured filter driver blanked
  (``-c filter.<name>.clean= -c filter.<name>.smudge= -c filter.<name>.process=
  -c filter.<name>.required=false``), so no clean filter runs either.  Writing
  (:meth:`Repo.commit_paths`) refuses a path whose attributes name a configured
  filter driver instead of silently committing unfiltered content.
* Output is always read with ``-z``; paths are decoded as UTF-8 with
  ``surrogateescape`` so that any byte sequence survives a round trip.

The only things that still run a program named by configuration are the ones
the user asks for explicitly: signing a tag (``sign=True``) or a commit
(``commit.gpgSign`` / ``sign=True``) runs ``gpg.program``.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from okrctl.read.source import MAX_FILE_BYTES, SourceError, SourceFile, _is_wanted, is_yaml_name, subfolder_error

__all__ = [
    "BlobMap",
    "CommitInfo",
    "GitError",
    "GitTreeSource",
    "NothingToCommit",
    "Repo",
    "run_git",
]

#: Oldest git okrctl supports: ``rev-parse --end-of-options`` and
#: ``--diff-merges=first-parent`` need 2.31.
MIN_GIT = (2, 31)

_HARDENING = (
    "--no-pager",
    "--literal-pathspecs",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.quotepath=false",
    # never pick up a bare repository by discovery (a repository planted inside
    # the working tree would bring its own config); git < 2.38 ignores this
    "-c", "safe.bareRepository=explicit",
)

#: Inherited GIT_* variables that are kept; every other GIT_* variable is
#: dropped so an outer git (okrctl run from a hook, an alias, a CI step) cannot
#: point us at another repository, index or object store.
_KEEP_ENV = {
    "GIT_EXEC_PATH", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_ASKPASS",
    "GIT_ALLOW_PROTOCOL", "GIT_PROTOCOL_FROM_USER",
}
_KEEP_ENV_PREFIXES = (
    "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_AUTHOR_", "GIT_COMMITTER_",
    "GIT_TRACE", "GIT_SSH", "GIT_SSL_", "GIT_HTTP_",
)

_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NULL_SHA_RE = re.compile(r"0{40}|0{64}")
_REGULAR_MODES = ("100644", "100755")
_LINK_MODES = ("120000", "160000")

_git_path: str | None = None


class GitError(Exception):
    """A git failure, with a one-line message meant for the user (the CLI prints
    it and exits 2)."""

    def __init__(self, message: str) -> None:
        message = " ".join(message.split("\n")).strip()
        super().__init__(message)
        self.message = message


class NothingToCommit(GitError):
    """:meth:`Repo.commit_paths` found no change in the given paths."""


# --------------------------------------------------------------------------- runner


def _find_git() -> str | None:
    """``git`` on PATH, looking only in absolute directories: never the current
    directory, even on Windows, where ``shutil.which`` tries it first."""
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry or not os.path.isabs(entry) or os.path.abspath(entry) == os.path.abspath(os.curdir):
            continue
        if os.name == "nt":
            found = next((os.path.join(entry, "git" + ext) for ext in (".exe", ".cmd", ".bat")
                          if os.path.isfile(os.path.join(entry, "git" + ext))), None)
        else:
            candidate = os.path.join(entry, "git")
            found = candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
        if found is not None:
            return os.path.abspath(found)
    return None


def _git_exe() -> str:
    global _git_path
    if _git_path is None:
        found = _find_git()
        if found is None:
            raise GitError("git is not installed or not on PATH (okrctl needs git 2.31 or later for commands that read history)")
        _git_path = found
    return _git_path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") or k in _KEEP_ENV or k.startswith(_KEEP_ENV_PREFIXES)}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_OPTIONAL_LOCKS="0",
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    env.pop("LANGUAGE", None)
    return env


def _command(args: Sequence[str], config: Sequence[str]) -> list[str]:
    cmd = [_git_exe(), *_HARDENING]
    for item in config:
        cmd += ["-c", item]
    cmd += list(args)
    return cmd


def _printable(text: str, limit: int = 200) -> str:
    """``text`` safe to show on one line: control characters escaped, shortened."""
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _subcommand(args: Sequence[str]) -> str:
    return next((a for a in args if not a.startswith("-")), "git")


def _failure(args: Sequence[str], cwd: Path, rc: int, stderr: bytes, stdout: bytes = b"") -> GitError:
    """Translate a failed git run into a user-facing :class:`GitError`."""
    err = stderr.decode("utf-8", "replace")
    if "detected dubious ownership" in err:
        m = re.search(r"dubious ownership in repository at '([^']*)'", err)
        where = m.group(1) if m else str(cwd)
        return GitError(
            f"git refuses to read {_printable(where)}: the repository is owned by another user "
            f"(dubious ownership); if you trust it, run: git config --global --add safe.directory {_printable(where)}"
        )
    if "not a git repository" in err:
        return GitError(f"not a git repository: {_printable(str(cwd))} (okrctl commands that read history need git)")
    lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    detail = (fatal or lines or [ln.strip() for ln in stdout.decode("utf-8", "replace").splitlines() if ln.strip()] or [f"exit status {rc}"])[0]
    for prefix in ("fatal: ", "error: "):
        detail = detail.removeprefix(prefix)
    return GitError(f"git {_subcommand(args)} failed: {_printable(detail)}")


def _run(args: Sequence[str], cwd: Path, *, input: bytes | None = None, timeout: float = 60,
         config: Sequence[str] = ()) -> subprocess.CompletedProcess[bytes]:
    """Run git; raise :class:`GitError` for failures that are never an answer
    (git missing, timeout, dubious ownership, not a repository); otherwise
    return the completed process whatever its exit status."""
    cmd = _command(args, config)
    try:
        proc = subprocess.run(
            cmd, cwd=str(cwd), env=_env(), input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=timeout, shell=False, check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {_subcommand(args)} timed out after {timeout:g} s in {_printable(str(cwd))}") from None
    except FileNotFoundError:
        if not Path(cwd).is_dir():
            raise GitError(f"not a directory: {_printable(str(cwd))}") from None
        raise GitError("git is not installed or not on PATH (okrctl needs git 2.31 or later for commands that read history)") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        err = proc.stderr
        if b"detected dubious ownership" in err or b"not a git repository" in err:
            raise _failure(args, cwd, proc.returncode, err)
    return proc


def run_git(args: list[str], cwd: Path, *, input: bytes | None = None, timeout: float = 60,
            check: bool = True, config: Sequence[str] = ()) -> bytes:
    """Run ``git <hardening options> [-c config...] <args>`` in ``cwd`` and return
    its stdout.  With ``check`` a non-zero exit raises :class:`GitError`; without
    it only environmental failures (git missing, timeout, dubious ownership, not a
    repository) raise.  ``args`` go to git as they are: never put unvalidated user
    input in them (see :meth:`Repo.resolve`)."""
    proc = _run(args, cwd, input=input, timeout=timeout, config=config)
    if check and proc.returncode != 0:
        raise _failure(args, cwd, proc.returncode, proc.stderr, proc.stdout)
    return proc.stdout


_version: tuple[int, ...] | None = None


def git_version(cwd: Path | None = None) -> tuple[int, ...]:
    """The installed git's version, e.g. ``(2, 39, 5)`` (asked once per process)."""
    global _version
    if _version is None:
        out = run_git(["version"], cwd if cwd is not None else Path(os.path.abspath(os.sep)))
        m = re.search(rb"(\d+)\.(\d+)(?:\.(\d+))?", out)
        if not m:
            raise GitError(f"cannot read the git version from {_printable(out[:60].decode('ascii', 'replace'))!r}")
        _version = tuple(int(g) for g in m.groups() if g is not None)
    return _version


def _require_version(cwd: Path) -> None:
    version = git_version(cwd)
    if version[:2] < MIN_GIT:
        have = ".".join(map(str, version))
        need = ".".join(map(str, MIN_GIT))
        raise GitError(f"git {have} is too old: okrctl needs git {need} or later")


# --------------------------------------------------------------------------- helpers


def _dec(b: bytes) -> str:
    """A path from git output (bytes) as str, losslessly."""
    return b.decode("utf-8", "surrogateescape")


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _check_sha(sha: str, what: str = "commit") -> str:
    if not isinstance(sha, str) or not _SHA_RE.fullmatch(sha):
        raise GitError(f"internal error: expected a full {what} SHA, got {_printable(str(sha))!r}")
    return sha


def _check_prefix(prefix: str) -> str:
    if prefix in ("", "."):
        return ""
    parts = prefix.split("/")
    if prefix.startswith("/") or "\0" in prefix or any(p in ("", ".", "..") for p in parts):
        raise GitError(f"internal error: bad workspace prefix {_printable(prefix)!r}")
    return prefix


def _check_relpath(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or "\0" in path or any(p in ("", ".", "..") for p in parts):
        raise GitError(f"invalid path {_printable(path)!r}: expected a path relative to the repository root")
    return path


def _strip_prefix(path: str, prefix: str) -> str | None:
    """``path`` relative to ``prefix``, or None when it is not below it."""
    if not prefix:
        return path
    if path.startswith(prefix + "/"):
        return path[len(prefix) + 1:]
    return None


def _pathspec(prefix: str) -> list[str]:
    return ["--", prefix] if prefix else []


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
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
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


def _parse_date(text: str, sha: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise GitError(f"commit {sha[:12]} has an unreadable date {_printable(text)!r}")
    return value


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit as git records it.  Dates are claims by whoever made the commit
    (FORMAT §8: reported, never trusted)."""

    sha: str
    author_name: str
    author_email: str
    author_date: datetime
    committer_date: datetime
    subject: str


class BlobMap(dict[str, bytes]):
    """Result of :meth:`Repo.read_blobs`: ``{sha: bytes}`` for the blobs read,
    plus ``too_large`` (``{sha: size}``, not read) and ``missing`` (SHAs that are
    not blobs in the object database, e.g. cut off by a shallow or partial clone)."""

    def __init__(self) -> None:
        super().__init__()
        self.too_large: dict[str, int] = {}
        self.missing: set[str] = set()


#: ``git log`` format: a marker, then fixed NUL-separated fields.
_LOG_FORMAT = "%x01%H%x00%an%x00%ae%x00%aI%x00%cI%x00%s"
_LOG_FIELDS = 6


# --------------------------------------------------------------------------- Repo


class Repo:
    """A git working tree.  Every git command runs with ``cwd=toplevel``, so every
    path given to or returned by these methods is relative to the repository root
    (POSIX separators) unless the method says "relative to prefix"."""

    def __init__(self, toplevel: Path, *, object_format: str = "sha1", shallow: bool | None = None) -> None:
        self.toplevel = toplevel
        self.object_format = object_format
        self._shallow = shallow
        self._config_cache: tuple[list[str], set[str], str, str] | None = None

    # ---- discovery and paths

    @classmethod
    def discover(cls, path: Path) -> Repo:
        """The repository whose working tree contains ``path`` (a directory or a
        file in one)."""
        path = Path(path)
        if not os.path.lexists(path):
            raise GitError(f"no such file or directory: {_printable(str(path))}")
        start = path if path.is_dir() else path.parent
        _require_version(start)
        proc = _run(["rev-parse", "--is-inside-work-tree", "--show-toplevel",
                     "--show-object-format", "--is-shallow-repository"], start)
        if proc.returncode != 0:
            if b"must be run in a work tree" in proc.stderr or b"cannot use bare repository" in proc.stderr:
                raise GitError(f"not a git working tree: {_printable(str(path))} is inside a .git directory or a bare repository")
            raise _failure(["rev-parse"], start, proc.returncode, proc.stderr)
        lines = proc.stdout.split(b"\n")
        if len(lines) < 4 or lines[0] != b"true":
            raise GitError(f"not a git working tree: {_printable(str(path))}")
        top = Path(os.fsdecode(lines[1]))
        fmt = lines[2].decode("ascii", "replace")
        if fmt not in ("sha1", "sha256"):
            raise GitError(f"unsupported git object format {fmt!r}")
        return cls(top, object_format=fmt, shallow=lines[3] == b"true")

    def relpath(self, path: Path) -> str:
        """POSIX path of ``path`` relative to the top of the working tree ('' for
        the top itself)."""
        full = Path(path).resolve()
        top = self.toplevel.resolve()
        try:
            rel = full.relative_to(top)
        except ValueError:
            raise GitError(f"{_printable(str(path))} is outside the git repository {_printable(str(top))}") from None
        text = rel.as_posix()
        return "" if text == "." else text

    def _git(self, args: Sequence[str], *, input: bytes | None = None, timeout: float = 60,
             config: Sequence[str] = ()) -> bytes:
        return run_git(list(args), self.toplevel, input=input, timeout=timeout, config=config)

    def _proc(self, args: Sequence[str], *, input: bytes | None = None, timeout: float = 60,
              config: Sequence[str] = ()) -> subprocess.CompletedProcess[bytes]:
        return _run(args, self.toplevel, input=input, timeout=timeout, config=config)

    # ---- configuration that matters for the working tree

    def _wt_config(self) -> tuple[list[str], set[str], str, str]:
        """(``-c`` items blanking every configured filter driver, the driver names,
        core.autocrlf, core.eol) -- read once per Repo."""
        if self._config_cache is None:
            proc = self._proc(["config", "-z", "--get-regexp", r"^(filter\..+\.[^.]+|core\.autocrlf|core\.eol)$"])
            names: set[str] = set()
            autocrlf = eol = ""
            for item in proc.stdout.split(b"\0"):
                if not item:
                    continue
                key_b, _, value_b = item.partition(b"\n")
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
                    raise GitError(f"refusing to use git here: filter driver {_printable(name)!r} has a name okrctl cannot neutralise")
                overrides += [f"filter.{name}.clean=", f"filter.{name}.smudge=",
                              f"filter.{name}.process=", f"filter.{name}.required=false"]
            self._config_cache = (overrides, names, autocrlf, eol)
        return self._config_cache

    def _no_filters(self) -> list[str]:
        return self._wt_config()[0]

    def _check_attr(self, paths: Sequence[str], attrs: Sequence[str]) -> dict[str, dict[str, str]]:
        """``{path: {attr: value}}`` from ``git check-attr`` (runs no program)."""
        if not paths:
            return {}
        out = self._git(["check-attr", "-z", "--stdin", *attrs],
                        input=b"".join(_enc(p) + b"\0" for p in paths))
        fields = out.split(b"\0")
        result: dict[str, dict[str, str]] = {}
        for i in range(0, len(fields) - 2, 3):
            result.setdefault(_dec(fields[i]), {})[_dec(fields[i + 1])] = _dec(fields[i + 2])
        return result

    # ---- revisions

    def resolve(self, rev: str) -> str:
        """A user-supplied revision (branch, tag, SHA, ``HEAD~2``...) as the full
        SHA of a commit.  Anything that could be read as an option is refused."""
        shown = _printable(str(rev))
        if not isinstance(rev, str) or not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r") or len(rev) > 1000:
            raise GitError(f"invalid revision '{shown}': a revision may not be empty, start with '-' or contain line breaks")
        proc = self._proc(["rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode != 0 or not _SHA_RE.fullmatch(sha):
            hint = ""
            if self.is_shallow():
                hint = " (this is a shallow clone, so the history may be missing: fetch all of it with `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
            raise GitError(f"unknown revision '{shown}'{hint}")
        return sha

    def is_shallow(self) -> bool:
        if self._shallow is None:
            out = self._git(["rev-parse", "--is-shallow-repository"])
            self._shallow = out.strip() == b"true"
        return self._shallow

    def require_full_history(self, what: str) -> None:
        """Raise :class:`GitError` naming ``fetch-depth: 0`` when the clone is shallow."""
        if self.is_shallow():
            raise GitError(
                f"{what} needs the full git history, but this is a shallow clone: fetch all of it "
                "with `git fetch --unshallow`, or set `fetch-depth: 0` in actions/checkout"
            )

    def head(self) -> str | None:
        """SHA of HEAD, or None before the first commit."""
        proc = self._proc(["rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        return sha if proc.returncode == 0 and _SHA_RE.fullmatch(sha) else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when commit ``ancestor`` is reachable from ``descendant`` (both full
        SHAs): the audit check that history was not rewritten."""
        _check_sha(ancestor)
        _check_sha(descendant)
        proc = self._proc(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant])
        if proc.returncode in (0, 1):
            return proc.returncode == 0
        raise _failure(["merge-base"], self.toplevel, proc.returncode, proc.stderr)

    def has_replace_refs(self) -> bool:
        """True when ``refs/replace/*`` exist (okrctl ignores them, but an auditor
        should know someone tried to rewrite what ``git log`` shows)."""
        return bool(self._git(["for-each-ref", "--count=1", "--format=%(refname)", "refs/replace/"]).strip())

    def commit_info(self, sha: str) -> CommitInfo:
        """Author, dates and subject of one commit (full SHA)."""
        _check_sha(sha)
        out = self._git(["log", "-1", "--no-walk", "--no-show-signature", "--no-color", "--encoding=UTF-8",
                         f"--format={_LOG_FORMAT}", "--end-of-options", sha],
                        config=("log.showSignature=false",))
        fields = out.rstrip(b"\n").split(b"\0")
        if len(fields) < _LOG_FIELDS:
            raise GitError(f"cannot read commit {sha[:12]}")
        return _commit_from(fields[:_LOG_FIELDS])

    # ---- trees and blobs

    def ls_tree(self, sha: str, prefix: str, *, trees: bool = False) -> list[tuple[str, str, str]]:
        """``(path relative to prefix, mode, object sha)`` for every blob (and, with
        ``trees``, every tree) below ``prefix`` in commit ``sha``, recursively, in
        git's order.  Mode ``120000`` is a symlink, ``160000`` a submodule."""
        _check_sha(sha)
        prefix = _check_prefix(prefix)
        args = ["ls-tree", "-r", "-z", "--full-tree"] + (["-t"] if trees else []) + ["--end-of-options", sha] + _pathspec(prefix)
        out = self._git(args)
        result: list[tuple[str, str, str]] = []
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _, path_b = rec.partition(b"\t")
            mode, _type, obj = meta.decode("ascii").split(" ")
            rel = _strip_prefix(_dec(path_b), prefix)
            if rel is None or rel == "":
                continue
            result.append((rel, mode, obj))
        return result

    def read_blobs(self, shas: Iterable[str], *, limit: int = MAX_FILE_BYTES, timeout: float = 120) -> BlobMap:
        """The content of many blobs through ONE ``git cat-file --batch`` process.
        Blobs larger than ``limit`` are not kept (their size goes to
        ``result.too_large``); unknown objects and non-blobs go to ``result.missing``."""
        wanted = list(dict.fromkeys(_check_sha(s, "blob") for s in shas))
        result = BlobMap()
        if not wanted:
            return result
        cmd = _command(["cat-file", "--batch", "--buffer"], ())
        try:
            proc = subprocess.Popen(cmd, cwd=str(self.toplevel), env=_env(), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, shell=False)
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        def feed() -> None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(b"".join(s.encode("ascii") + b"\n" for s in wanted))
                proc.stdin.close()
            except OSError:
                pass

        err_chunks: list[bytes] = []

        def drain() -> None:
            assert proc.stderr is not None
            err_chunks.append(proc.stderr.read())

        timer = threading.Timer(timeout, kill)
        threads = [threading.Thread(target=feed, daemon=True), threading.Thread(target=drain, daemon=True)]
        timer.start()
        for t in threads:
            t.start()
        out = proc.stdout
        assert out is not None
        complete = False
        try:
            complete = self._read_batch(out, wanted, limit, result)
        finally:
            out.close()
            rc = proc.wait()
            timer.cancel()
            for t in threads:
                t.join(5)
            for pipe in (proc.stdin, proc.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()
        if timed_out.is_set():
            raise GitError(f"git cat-file timed out after {timeout:g} s in {_printable(str(self.toplevel))}")
        if rc != 0 or not complete:
            raise _failure(["cat-file"], self.toplevel, rc or 1, b"".join(err_chunks) or b"fatal: unexpected end of output")
        return result

    @staticmethod
    def _read_batch(out, wanted: list[str], limit: int, result: BlobMap) -> bool:
        """Consume ``cat-file --batch`` output for ``wanted``; False on a short read."""
        for sha in wanted:
            header = out.readline()
            if not header.endswith(b"\n"):
                return False
            parts = header.split()
            if len(parts) != 3 or not parts[2].isdigit():
                result.missing.add(sha)  # "<sha> missing"
                continue
            kind, size = parts[1], int(parts[2])
            if kind == b"blob" and size <= limit:
                data = out.read(size)
                if len(data) != size:
                    return False
                result[sha] = data
            else:  # skip the content without keeping it
                left = size
                while left > 0:
                    chunk = out.read(min(left, 1 << 16))
                    if not chunk:
                        return False
                    left -= len(chunk)
                if kind == b"blob":
                    result.too_large[sha] = size
                else:
                    result.missing.add(sha)
            if out.read(1) != b"\n":
                return False
        return True

    def diff_tree(self, a: str, b: str, prefix: str) -> list[tuple[str, str, str | None, str | None]]:
        """Files that differ below ``prefix`` between commits ``a`` and ``b``:
        ``(status, path relative to prefix, old blob sha or None, new blob sha or
        None)`` with status ``A``, ``M`` or ``D`` (a type change, e.g. file to
        symlink, is reported as ``M``; read the files through
        :class:`GitTreeSource`, which refuses links).  Renames are an add plus a
        delete."""
        _check_sha(a)
        _check_sha(b)
        prefix = _check_prefix(prefix)
        out = self._git(["diff-tree", "-r", "-z", "--no-renames", "--raw", "--no-abbrev", "--no-ext-diff",
                         "--no-textconv", "--ignore-submodules=none", "--end-of-options", a, b, *(["--", prefix] if prefix else ["--"])])
        result: list[tuple[str, str, str | None, str | None]] = []
        for status, path, old, new in _parse_raw(out.split(b"\0")):
            rel = _strip_prefix(path, prefix)
            if rel:
                result.append((status, rel, old, new))
        return result

    # ---- the working tree

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
        nofilter = self._no_filters()
        out = self._git(["ls-files", "-s", "-v", "-z", *spec], config=nofilter)
        index: dict[str, tuple[str, str]] = {}
        suspect: set[str] = set()
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _, path_b = rec.partition(b"\t")
            tag, mode, obj, stage = meta.decode("ascii").split(" ")
            path = _dec(path_b)
            if _strip_prefix(path, prefix) is None:
                continue
            if stage != "0" or tag == "S" or tag.islower():
                suspect.add(path)
            index[path] = (mode, obj)
        if not index:
            return {}
        dirty = self._git(["diff-files", "--name-only", "-z", "--ignore-submodules=all", *spec], config=nofilter)
        suspect.update(_dec(p) for p in dirty.split(b"\0") if p)
        regular = [p for p, (mode, _) in index.items() if mode in _REGULAR_MODES and p not in suspect]
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
                sha = _hash_file(self.toplevel / path, algo)
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
        _, drivers, autocrlf, core_eol = self._wt_config()
        attrs = self._check_attr(paths, ["filter", "ident", "working-tree-encoding", "text", "eol", "crlf"])
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
        for p in paths:
            _check_relpath(p)
        out = self._git(["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
                         "--ignore-submodules=all", "--", *paths], config=self._no_filters())
        return out == b""

    def changed_paths(self, paths: list[str]) -> list[str]:
        """The paths under ``paths`` (relative to the repository root) with a staged,
        unstaged or untracked (not ignored) change -- what :meth:`is_clean` looks at,
        named, so a caller can tell a user which files to commit (or ignore files that
        are not its business, such as okrctl's own ``.okrctl.lock``).  Sorted, each once."""
        for p in paths:
            _check_relpath(p)
        out = self._git(["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
                         "--ignore-submodules=all", "--", *paths], config=self._no_filters())
        found = {_dec(rec[3:]) for rec in out.split(b"\0") if len(rec) > 3}
        return sorted(found)

    # ---- history

    def log_path(self, paths: list[str], rev: str = "HEAD") -> list[tuple[CommitInfo, dict[str, str | None]]]:
        """The commits of the main line (first parents) up to ``rev`` that changed
        any of ``paths`` (relative to the repository root; a directory means every
        file below it), OLDEST FIRST, each with ``{path: blob sha at that commit, or
        None when deleted}`` for the paths it changed.  A merge is compared with its
        first parent, so work done on a side branch shows up once, as the merge that
        brought it into the main line; the states therefore form one chain (each
        entry's old content is the previous entry's new content).  Renames are not
        followed: okrctl identifies items by id, not by file.  One ``git log``
        process; the blobs are read separately with :meth:`read_blobs`.  ``rev``
        is resolved with :meth:`resolve`; an empty repository has no history."""
        if not paths:
            return []
        for p in paths:
            _check_relpath(p)
        if rev == "HEAD":
            sha = self.head()
            if sha is None:
                return []
        else:
            sha = self.resolve(rev)
        out = self._git(
            ["log", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
             "--no-color", "--no-show-signature", "--no-relative", "--encoding=UTF-8",
             "--first-parent", "--diff-merges=first-parent", "--reverse",
             f"--format={_LOG_FORMAT}", "--end-of-options", sha, "--", *paths],
            config=("log.follow=false", "log.showSignature=false", "diff.relative=false"),
            timeout=300,
        )
        return _parse_log(out)

    # ---- identity, writing

    def user_name(self) -> str | None:
        """The author name git would record for a commit made now (``GIT_AUTHOR_NAME``,
        else ``user.name``), or None when unset."""
        env_name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
        if env_name:
            return env_name
        proc = self._proc(["config", "--get", "user.name"])
        if proc.returncode != 0:
            return None
        name = proc.stdout.decode("utf-8", "replace").strip()
        return name or None

    def commit_paths(self, paths: list[str], message: str, *, sign: bool | None = None) -> str:
        """Commit exactly ``paths`` (relative to the repository root) as they are in
        the working tree -- new, changed or deleted -- leaving any other staged
        change staged and uncommitted (``git commit --only``).  Hooks never run
        (``--no-verify`` and ``core.hooksPath=/dev/null``), filter drivers are
        blanked, and a path whose attributes name a configured filter driver is
        refused.  ``sign``: None follows ``commit.gpgSign``, True signs, False does
        not.  The message is stored verbatim (plus the final newline git adds).  Returns the new commit's SHA;
        raises :class:`NothingToCommit` when nothing changed."""
        if not paths:
            raise GitError("internal error: commit_paths needs at least one path")
        for p in paths:
            _check_relpath(p)
        if "\0" in message or not message.strip():
            raise GitError("internal error: a commit message must be non-empty text")
        nofilter, drivers, _, _ = self._wt_config()
        if drivers:
            for path, a in self._check_attr(paths, ["filter"]).items():
                if a.get("filter") in drivers:
                    raise GitError(
                        f"okrctl will not commit {_printable(path)}: its git attributes give it filter "
                        f"'{_printable(a['filter'])}', which would run a program; commit it with git yourself"
                    )
        tracked = {_dec(p) for p in self._git(["ls-files", "-z", "--", *paths], config=nofilter).split(b"\0") if p}
        new = [p for p in paths if p not in tracked]
        write_cfg = [*nofilter, "gc.auto=0", "maintenance.auto=false", "commit.status=false"]
        if new:
            missing = [p for p in new if not os.path.lexists(self.toplevel / p)]
            if missing:
                raise GitError(f"cannot commit {_printable(missing[0])}: no such file")
            self._git(["add", "--", *new], config=write_cfg)
        sign_args = [] if sign is None else (["-S"] if sign else ["--no-gpg-sign"])
        proc = self._proc(["commit", "--quiet", "--no-verify", "--only", "--cleanup=verbatim", "--no-edit",
                           *sign_args, "-m", message, "--", *paths], config=write_cfg, timeout=120)
        if proc.returncode != 0:
            text = proc.stdout + proc.stderr
            if b"nothing to commit" in text or b"no changes added to commit" in text:
                raise NothingToCommit(f"nothing to commit: {_printable(', '.join(paths))} unchanged")
            if b"Please tell me who you are" in text or b"unable to auto-detect email" in text or b"empty ident name" in text:
                raise GitError("git does not know who you are: run git config --global user.name \"Your Name\" and git config --global user.email you@example.org")
            raise _failure(["commit"], self.toplevel, proc.returncode, proc.stderr, proc.stdout)
        sha = self.head()
        if sha is None:
            raise GitError("git commit succeeded but HEAD is unreadable")
        return sha

    def _check_tag_name(self, name: str) -> str:
        bad = not isinstance(name, str) or not name or name.startswith("-") or any(not c.isprintable() for c in name)
        if not bad:
            bad = self._proc(["check-ref-format", f"refs/tags/{name}"]).returncode != 0
        if bad:
            raise GitError(f"invalid tag name '{_printable(str(name))}'")
        return name

    def tag_annotated(self, name: str, sha: str, message: str, sign: bool = False) -> None:
        """Create the annotated tag ``name`` on commit ``sha`` with ``message``
        (stored verbatim; ``sign`` makes it a signed tag, which runs the configured
        ``gpg.program``).  Fails if the tag exists."""
        self._check_tag_name(name)
        _check_sha(sha)
        if "\0" in message or not message.strip():
            raise GitError("internal error: a tag message must be non-empty text")
        sign_args = ["-s"] if sign else ["-a", "--no-sign"]
        self._git(["tag", *sign_args, "--cleanup=verbatim", "-m", message, "--end-of-options", name, sha],
                  config=("gc.auto=0",))

    def tag_target(self, name: str) -> str | None:
        """SHA of the commit tag ``name`` points to (annotated or lightweight), or
        None when there is no such tag."""
        self._check_tag_name(name)
        proc = self._proc(["rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{name}^{{commit}}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        return sha if proc.returncode == 0 and _SHA_RE.fullmatch(sha) else None

    def tag_message(self, name: str) -> str | None:
        """The message of annotated tag ``name`` exactly as stored (without a
        signature block), or None for a lightweight or missing tag."""
        self._check_tag_name(name)
        proc = self._proc(["rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{name}"])
        obj = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode != 0 or not _SHA_RE.fullmatch(obj):
            return None
        if self._git(["cat-file", "-t", obj]).strip() != b"tag":
            return None
        raw = self._git(["cat-file", "tag", obj])
        _, sep, body = raw.partition(b"\n\n")
        if not sep:
            return ""
        for marker in (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----", b"-----BEGIN SIGNED MESSAGE-----"):
            if body.startswith(marker):
                body = b""
                break
            at = body.find(b"\n" + marker)
            if at != -1:
                body = body[: at + 1]
                break
        return body.decode("utf-8", "replace")


# --------------------------------------------------------------------------- parsing


def _commit_from(fields: list[bytes]) -> CommitInfo:
    sha = fields[0].lstrip(b"\n\x01").decode("ascii", "replace")
    if not _SHA_RE.fullmatch(sha):
        raise GitError("unexpected output from git log")
    text = [f.decode("utf-8", "replace") for f in fields[1:]]
    return CommitInfo(
        sha=sha,
        author_name=text[0],
        author_email=text[1],
        author_date=_parse_date(text[2], sha),
        committer_date=_parse_date(text[3], sha),
        subject=text[4],
    )


def _parse_raw(tokens: list[bytes]) -> Iterable[tuple[str, str, str | None, str | None]]:
    """``--raw -z --no-renames`` records: ``:oldmode newmode old new S\\0path\\0``."""
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if not tok:
            continue
        if not tok.startswith(b":") or i >= n:
            raise GitError("unexpected output from git diff-tree")
        yield _raw_entry(tok, tokens[i])
        i += 1


def _raw_entry(meta: bytes, path_b: bytes) -> tuple[str, str, str | None, str | None]:
    parts = meta[1:].decode("ascii", "replace").split(" ")
    if len(parts) != 5:
        raise GitError("unexpected raw diff output from git")
    _om, _nm, old, new, status = parts
    letter = status[:1]
    if letter == "T":
        letter = "M"
    if letter not in ("A", "M", "D"):
        raise GitError(f"unexpected change status {status!r} from git")
    return (letter, _dec(path_b),
            None if _NULL_SHA_RE.fullmatch(old) else old,
            None if _NULL_SHA_RE.fullmatch(new) else new)


def _parse_log(out: bytes) -> list[tuple[CommitInfo, dict[str, str | None]]]:
    """Parse ``git log --raw -z --format=_LOG_FORMAT``: per commit a header token
    starting with \\x01, five more header fields, then raw records.  Fields are
    consumed by position, so a path may contain any byte but NUL."""
    tokens = out.split(b"\0")
    result: list[tuple[CommitInfo, dict[str, str | None]]] = []
    i, n = 0, len(tokens)
    current: dict[str, str | None] | None = None
    while i < n:
        tok = tokens[i].lstrip(b"\n")
        if not tok:
            i += 1
            continue
        if tok.startswith(b"\x01"):
            if i + _LOG_FIELDS > n:
                raise GitError("unexpected output from git log")
            info = _commit_from([tok, *tokens[i + 1: i + _LOG_FIELDS]])
            current = {}
            result.append((info, current))
            i += _LOG_FIELDS
            continue
        if tok.startswith(b":") and current is not None and i + 1 < n:
            _status, path, _old, new = _raw_entry(tok, tokens[i + 1])
            current[path] = new
            i += 2
            continue
        raise GitError("unexpected output from git log")
    return result


# --------------------------------------------------------------------------- Source


class GitTreeSource:
    """:class:`okrctl.read.source.Source` for the workspace at ``prefix`` (relative to
    the repository root, '' for the root) in commit ``sha``.  One ``ls-tree`` for
    the listing and one ``cat-file --batch`` for the contents, whatever the number
    of files; nothing in the working tree is consulted."""

    def __init__(self, repo: Repo, sha: str, prefix: str) -> None:
        self.repo = repo
        self.sha = _check_sha(sha)
        self.prefix = _check_prefix(prefix)
        self.label = f"revision {sha[:12]}"
        self._listing: tuple[list[SourceFile], list[SourceError]] | None = None
        self._blobs: dict[str, bytes] = {}
        self._too_large: dict[str, int] = {}
        self._missing: set[str] = set()
        self._fetched = False
        self._sha_of: dict[str, str] = {}
        self._error_of: dict[str, SourceError] = {}

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        if self._listing is None:
            self._listing = self._list()
            self._sha_of = {f.path: f.sha for f in self._listing[0] if f.sha is not None}
            self._error_of = {e.path: e for e in self._listing[1]}
        return list(self._listing[0]), list(self._listing[1])

    def _list(self) -> tuple[list[SourceFile], list[SourceError]]:
        entries = {path: (mode, obj) for path, mode, obj in self.repo.ls_tree(self.sha, self.prefix, trees=True)}
        files: list[SourceFile] = []
        errors: list[SourceError] = []

        def consider(rel: str) -> None:
            got = entries.get(rel)
            if got is None:
                return
            mode, obj = got
            if mode in _REGULAR_MODES:
                files.append(SourceFile(rel, obj))
            elif mode == "120000":
                errors.append(SourceError(rel, f"{rel} is a symbolic link; okrctl refuses links", "OKR006"))
            elif mode == "160000":
                errors.append(SourceError(rel, f"{rel} is a submodule (a link to another repository); okrctl refuses links", "OKR006"))
            else:
                errors.append(SourceError(rel, f"{rel} is not a regular file", "OKR006"))

        consider("okrctl.yaml")
        consider("units.yaml")
        okrs = entries.get("okrs")
        if okrs is None:
            return files, errors
        if okrs[0] == "120000":
            errors.append(SourceError("okrs", "okrs/ is a symbolic link; okrctl refuses links", "OKR006"))
            return files, errors
        if okrs[0] == "160000":
            errors.append(SourceError("okrs", "okrs/ is a submodule (a link to another repository); okrctl refuses links", "OKR006"))
            return files, errors
        if okrs[0] != "040000":
            errors.append(SourceError("okrs", "okrs is not a directory", "OKR006"))
            return files, errors
        periods: dict[str, str] = {}
        children: dict[str, list[str]] = {}
        for path, (mode, _) in entries.items():
            parts = path.split("/")
            if len(parts) == 2 and parts[0] == "okrs":
                periods[parts[1]] = mode
            elif len(parts) == 3 and parts[0] == "okrs":
                children.setdefault(parts[1], []).append(parts[2])
        for name in sorted(periods):
            mode = periods[name]
            rel_dir = f"okrs/{name}"
            if mode in _LINK_MODES:
                kind = "a symbolic link" if mode == "120000" else "a submodule (a link to another repository)"
                errors.append(SourceError(rel_dir, f"{rel_dir}/ is {kind}; okrctl refuses links", "OKR006"))
                continue
            if mode != "040000":
                if name.endswith((".yaml", ".yml")):
                    errors.append(SourceError(rel_dir, f"{rel_dir} must be inside a period directory: okrs/<PERIOD>/<UNIT>.yaml", "OKR110"))
                continue
            for fname in sorted(children.get(name, [])):
                if entries[f"{rel_dir}/{fname}"][0] == "040000":
                    err = subfolder_error(rel_dir, fname)
                    if err:
                        errors.append(err)
                    continue
                if is_yaml_name(fname):
                    consider(f"{rel_dir}/{fname}")
        return files, errors

    def prefetch(self, paths: Iterable[str] | None = None) -> None:
        """Read the blobs of ``paths`` (default: every listed file) in one
        ``cat-file --batch``.  :meth:`read` does this for every file on first use;
        a loader that knows its cache misses can call it with just those first."""
        self.list_files()
        if paths is None:
            self._fetched = True
            shas = list(self._sha_of.values())
        else:
            shas = [self._sha_of[p] for p in paths if p in self._sha_of]
        known = self._blobs.keys() | self._too_large.keys() | self._missing
        shas = [s for s in dict.fromkeys(shas) if s not in known]
        if not shas:
            return
        got = self.repo.read_blobs(shas)
        self._blobs.update(got)
        self._too_large.update(got.too_large)
        self._missing.update(got.missing)

    def read(self, path: str) -> bytes:
        self.list_files()
        parts = path.split("/")
        for i in range(len(parts), 0, -1):  # the file itself, or a linked directory above it
            err = self._error_of.get("/".join(parts[:i]))
            if err is not None and (i == len(parts) or err.code == "OKR006"):
                raise SourceError(path, err.message, err.code)
        sha = self._sha_of.get(path)
        if sha is None:
            if not _is_wanted(path):
                raise SourceError(path, f"{path} is not a workspace file", "OKR006")
            raise SourceError(path, f"{path} does not exist at {self.label}")
        if sha not in self._blobs and sha not in self._too_large and sha not in self._missing:
            self.prefetch(None if not self._fetched else [path])
        if sha in self._blobs:
            return self._blobs[sha]
        if sha in self._too_large:
            raise SourceError(path, f"{path} is {self._too_large[sha]} bytes; the limit is {MAX_FILE_BYTES}", "OKR007")
        raise SourceError(path, f"cannot read {path} at {self.label}: git object {sha[:12]} is missing (shallow or partial clone?)")
