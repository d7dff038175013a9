"""Revisions: a user-supplied revision is resolved ONCE, with ``rev-parse
--verify --quiet --end-of-options REV^{commit}``, and only the checked full SHA
is passed on; every other method that takes a commit insists on a full SHA."""

from __future__ import annotations

from okrctl.model.messages import _

import re

from okrctl.gitio.paths import _SHA_RE, _check_sha
from okrctl.gitio.run import Git, GitError, _failure, _printable


_NAME_RE = re.compile(r"[^~^:@]*")
_HEX_RE = re.compile(r"[0-9a-fA-F]{4,64}")


class Revisions:
    """Revision resolution, HEAD, ancestry and shallowness of one repository."""

    def __init__(self, git: Git, *, shallow: bool | None = None) -> None:
        self._git = git
        self._shallow = shallow

    def resolve(self, rev: str) -> str:
        """A user-supplied revision (branch, tag, SHA, ``HEAD~2``...) as the full
        SHA of a commit.  Anything that could be read as an option is refused."""
        shown = _printable(str(rev))
        if not isinstance(rev, str) or not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r") or len(rev) > 1000:
            raise GitError(_("invalid revision '{shown}': a revision may not be empty, start with '-' or contain line breaks").format(shown=shown))
        if rev.startswith(":/") or "^{/" in rev:
            raise GitError(_("invalid revision '{shown}': revisions that search commit messages (:/text, ^{{/text}}) are refused; name a branch, tag or sha").format(shown=shown))
        self._refuse_ambiguous(rev, shown)
        proc = self._git.proc(["rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode != 0 or not _SHA_RE.fullmatch(sha):
            hint = ""
            if self.is_shallow():
                hint = " (this is a shallow clone, so the history may be missing: fetch all of it with `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
            raise GitError(_("unknown revision '{shown}'{hint}").format(shown=shown, hint=hint))
        return sha

    def _refuse_ambiguous(self, rev: str, shown: str) -> None:
        """Refuse a revision whose name git could read in more than one way (docs/ci.md): a tag ``origin/main`` beside the remote-tracking branch, a branch named
        like a sha prefix.  The name is the part before the first ``~ ^ : @``;
        a full ref name (``refs/...``) is never ambiguous."""
        name = _NAME_RE.match(rev).group(0)  # type: ignore[union-attr]
        if not name or name.startswith("refs/") or name == "HEAD":
            return
        candidates = [f"refs/{name}", f"refs/tags/{name}", f"refs/heads/{name}",
                      f"refs/remotes/{name}", f"refs/remotes/{name}/HEAD"]
        proc = self._git.proc(["for-each-ref", "--format=%(refname)", "--end-of-options", *candidates])
        found = {r for r in proc.stdout.decode("utf-8", "replace").splitlines() if r in candidates}
        readings = sorted(found)
        if _HEX_RE.fullmatch(name):
            dis = self._git.proc(["rev-parse", "--disambiguate=" + name.lower()])
            if dis.returncode == 0 and dis.stdout.strip():
                readings.append(f"an object whose sha starts with {name}")
        if len(readings) > 1:
            raise GitError(_("ambiguous revision '{shown}': it could mean {readings}; name it in full (e.g. {sorted}) or by its sha").format(shown=shown, readings=' or '.join(readings), sorted=sorted(found)[0]))

    def is_shallow(self) -> bool:
        if self._shallow is None:
            out = self._git.out(["rev-parse", "--is-shallow-repository"])
            self._shallow = out.strip() == b"true"
        return self._shallow

    def require_full_history(self, what: str) -> None:
        """Raise :class:`GitError` naming ``fetch-depth: 0`` when the clone is shallow."""
        if self.is_shallow():
            raise GitError(
                _("{what} needs the full git history, but this is a shallow clone: fetch all of it with `git fetch --unshallow`, or set `fetch-depth: 0` in actions/checkout").format(what=what)
            )

    def head(self) -> str | None:
        """SHA of HEAD, or None before the first commit."""
        proc = self._git.proc(["rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        return sha if proc.returncode == 0 and _SHA_RE.fullmatch(sha) else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when commit ``ancestor`` is reachable from ``descendant`` (both full
        SHAs): the audit check that history was not rewritten."""
        _check_sha(ancestor)
        _check_sha(descendant)
        proc = self._git.proc(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant])
        if proc.returncode in (0, 1):
            return proc.returncode == 0
        raise _failure(["merge-base"], self._git.toplevel, proc.returncode, proc.stderr)

    def merge_base(self, a: str, b: str) -> str | None:
        """The best common ancestor of commits ``a`` and ``b`` (full SHAs); None
        when they share no history."""
        _check_sha(a)
        _check_sha(b)
        proc = self._git.proc(["merge-base", "--end-of-options", a, b])
        sha = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode == 0 and _SHA_RE.fullmatch(sha):
            return sha
        if proc.returncode == 1:
            return None
        raise _failure(["merge-base"], self._git.toplevel, proc.returncode, proc.stderr)

    def has_replace_refs(self) -> bool:
        """True when ``refs/replace/*`` exist (okrctl ignores them, but an auditor
        should know someone tried to rewrite what ``git log`` shows)."""
        return bool(self._git.out(["for-each-ref", "--count=1", "--format=%(refname)", "refs/replace/"]).strip())

