"""The one hardened way okrctl runs git.

:func:`run_git` resolves git to an absolute path once (never from the current
directory), passes ``-c core.fsmonitor=false -c core.hooksPath=/dev/null
-c core.quotepath=false`` (plus ``-c safe.bareRepository=explicit --no-pager
--literal-pathspecs``) before every subcommand, runs with
``GIT_TERMINAL_PROMPT=0 GIT_NO_REPLACE_OBJECTS=1 GIT_OPTIONAL_LOCKS=0
GIT_CONFIG_NOSYSTEM=1 LC_ALL=C``, drops inherited ``GIT_*`` variables that would
point git at another repository or index (``GIT_DIR``, ``GIT_INDEX_FILE``, ...),
closes stdin, applies a timeout and turns every failure into a one-line
:class:`GitError`.  :class:`Git` is that runner bound to one working tree; the
other :mod:`okrctl.gitio` modules talk to git only through it (and
:mod:`okrctl.gitio.objects`, for its long-running ``cat-file --batch``, through
:func:`_command` and :func:`_env`).
"""

from __future__ import annotations

from okrctl.model.messages import _

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from okrctl.errors import OkrctlError

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
    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
}
_KEEP_ENV_PREFIXES = (
    "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_AUTHOR_", "GIT_COMMITTER_",
    "GIT_TRACE",
)

#: okrctl never talks to a remote.  In a partial clone (``--filter=blob:none``)
#: reading an object that is not local makes git fetch it from the promisor
#: remote, which runs ``core.sshCommand`` or a remote helper named by the
#: repository's config.  ``GIT_NO_LAZY_FETCH=1`` (git 2.44+) switches lazy
#: fetching off; on older git ``GIT_ALLOW_PROTOCOL`` naming no real protocol
#: makes every transport refuse before it connects (the variable overrides any
#: ``protocol.*.allow`` in the repository's config).  A missing object is then
#: reported as missing.
NO_NETWORK_ENV = {"GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": "okrctl-never-fetches"}


_git_path: str | None = None


class GitError(OkrctlError):
    """A git failure, with a one-line message meant for the user (the CLI prints
    it and exits 2)."""

    def __init__(self, message: str) -> None:
        message = " ".join(message.split("\n")).strip()
        super().__init__(message)



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
            raise GitError(_("git is not installed or not on PATH (okrctl needs git 2.31 or later for commands that read history)"))
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
    env.update(NO_NETWORK_ENV)
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
            _("git refuses to read {printable}: the repository is owned by another user (dubious ownership); if you trust it, run: git config --global --add safe.directory {printable}").format(printable=_printable(where))
        )
    if "not a git repository" in err:
        return GitError(_("not a git repository: {printable} (okrctl commands that read history need git)").format(printable=_printable(str(cwd))))
    m = re.search(r"could not fetch ([0-9a-f]{7,64}) from promisor remote", err)
    if m:
        return GitError(
            _("git object {group} is not in this partial clone (cloned with --filter) and okrctl never fetches from a remote; fetch the history first (git fetch --refetch), or clone without --filter").format(group=m.group(1)[:12])
        )
    lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    detail = (fatal or lines or [ln.strip() for ln in stdout.decode("utf-8", "replace").splitlines() if ln.strip()] or [f"exit status {rc}"])[0]
    for prefix in ("fatal: ", "error: "):
        detail = detail.removeprefix(prefix)
    return GitError(_("git {subcommand} failed: {printable}").format(subcommand=_subcommand(args), printable=_printable(detail)))


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
        raise GitError(_("git {subcommand} timed out after {timeout:g} s in {printable}").format(subcommand=_subcommand(args), timeout=timeout, printable=_printable(str(cwd)))) from None
    except FileNotFoundError:
        if not Path(cwd).is_dir():
            raise GitError(_("not a directory: {printable}").format(printable=_printable(str(cwd)))) from None
        raise GitError(_("git is not installed or not on PATH (okrctl needs git 2.31 or later for commands that read history)")) from None
    except OSError as exc:
        raise GitError(_("cannot run git: {value}").format(value=exc.strerror or exc)) from None
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
            raise GitError(_("cannot read the git version from {printable!r}").format(printable=_printable(out[:60].decode('ascii', 'replace'))))
        _version = tuple(int(g) for g in m.groups() if g is not None)
    return _version


def _require_version(cwd: Path) -> None:
    version = git_version(cwd)
    if version[:2] < MIN_GIT:
        have = ".".join(map(str, version))
        need = ".".join(map(str, MIN_GIT))
        raise GitError(_("git {have} is too old: okrctl needs git {need} or later").format(have=have, need=need))



class Git:
    """The hardened runner bound to one working tree: every command runs with
    ``cwd=toplevel``."""

    def __init__(self, toplevel: Path) -> None:
        self.toplevel = toplevel

    def out(self, args: Sequence[str], *, input: bytes | None = None, timeout: float = 60,
            config: Sequence[str] = ()) -> bytes:
        """stdout of a run that must succeed (see :func:`run_git`)."""
        return run_git(list(args), self.toplevel, input=input, timeout=timeout, config=config)

    def proc(self, args: Sequence[str], *, input: bytes | None = None, timeout: float = 60,
             config: Sequence[str] = ()) -> subprocess.CompletedProcess[bytes]:
        """The completed process of a run whose exit status is an answer (see :func:`_run`)."""
        return _run(args, self.toplevel, input=input, timeout=timeout, config=config)
