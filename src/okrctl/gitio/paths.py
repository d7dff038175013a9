"""What passes between okrctl and git: full SHAs and repository paths, checked on
the way in, and paths from git output decoded as UTF-8 with ``surrogateescape``
so that any byte sequence survives a round trip."""

from __future__ import annotations

from okrctl.model.messages import _

import re

from okrctl.gitio.run import GitError, _printable

_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NULL_SHA_RE = re.compile(r"0{40}|0{64}")
_REGULAR_MODES = ("100644", "100755")
_LINK_MODES = ("120000", "160000")


def _dec(b: bytes) -> str:
    """A path from git output (bytes) as str, losslessly."""
    return b.decode("utf-8", "surrogateescape")


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _check_sha(sha: str, what: str = "commit") -> str:
    if not isinstance(sha, str) or not _SHA_RE.fullmatch(sha):
        raise GitError(_("internal error: expected a full {what} SHA, got {printable!r}").format(what=what, printable=_printable(str(sha))))
    return sha


def _check_prefix(prefix: str) -> str:
    if prefix in ("", "."):
        return ""
    parts = prefix.split("/")
    if prefix.startswith("/") or "\0" in prefix or any(p in ("", ".", "..") for p in parts):
        raise GitError(_("internal error: bad workspace prefix {printable!r}").format(printable=_printable(prefix)))
    return prefix


def _check_relpath(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or "\0" in path or any(p in ("", ".", "..") for p in parts):
        raise GitError(_("invalid path {printable!r}: expected a path relative to the repository root").format(printable=_printable(path)))
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

