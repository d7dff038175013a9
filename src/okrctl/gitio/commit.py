"""Writing: commits and tags.

:meth:`Writer.commit_paths` commits exactly the given paths with hooks off
(``--no-verify``, ``core.hooksPath=/dev/null``) and every filter driver
blanked, and refuses a path whose attributes name a configured filter driver
instead of silently committing unfiltered content.  The only things that still
run a program named by configuration are the ones the user asks for
explicitly: signing a tag (``sign=True``) or a commit (``commit.gpgSign`` /
``sign=True``) runs ``gpg.program``.
"""

from __future__ import annotations

from okrctl.model.messages import _

import os

from okrctl.gitio.paths import _SHA_RE, _check_relpath, _check_sha, _dec
from okrctl.gitio.revisions import Revisions
from okrctl.gitio.run import Git, GitError, _failure, _printable
from okrctl.gitio.worktree import WorkTree

#: the largest tag object :meth:`Writer.tag_message` reads (a close record of a large
#: organisation is a few hundred KB)
MAX_TAG_BYTES = 16 << 20


#: the first line of a signature block in a tag object (OpenPGP, SSH, X.509)
SIGNATURE_MARKERS = (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----", b"-----BEGIN SIGNED MESSAGE-----")


class NothingToCommit(GitError):
    """:meth:`Writer.commit_paths` found no change in the given paths."""



class Writer:
    """Commits and tags in one repository, and who would author them
    (:class:`~okrctl.gitio.Repo` hands its writing methods to this)."""

    def __init__(self, git: Git, worktree: WorkTree, revisions: Revisions) -> None:
        self._git = git
        self._worktree = worktree
        self._revisions = revisions

    def user_name(self) -> str | None:
        """The author name git would record for a commit made now (``GIT_AUTHOR_NAME``,
        else ``user.name``), or None when unset."""
        env_name = os.environ.get("GIT_AUTHOR_NAME", "").strip()
        if env_name:
            return env_name
        proc = self._git.proc(["config", "--get", "user.name"])
        if proc.returncode != 0:
            return None
        name = proc.stdout.decode("utf-8", "replace").strip()
        return name or None

    def config_value(self, key: str) -> str | None:
        """The value of git configuration ``key`` (``git config --get``: repository,
        then global and system), stripped; None when unset or empty."""
        proc = self._git.proc(["config", "--get", key])
        if proc.returncode != 0:
            return None
        return proc.stdout.decode("utf-8", "replace").strip() or None

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
            raise GitError(_("internal error: commit_paths needs at least one path"))
        for p in paths:
            _check_relpath(p)
        if "\0" in message or not message.strip():
            raise GitError(_("internal error: a commit message must be non-empty text"))
        nofilter, drivers, _unused, _unused = self._worktree.config()
        if drivers:
            for path, a in self._worktree.check_attr(paths, ["filter"]).items():
                if a.get("filter") in drivers:
                    raise GitError(
                        _("okrctl will not commit {printable}: its git attributes give it filter '{printable2}', which would run a program; commit it with git yourself").format(printable=_printable(path), printable2=_printable(a['filter']))
                    )
        tracked = {_dec(p) for p in self._git.out(["ls-files", "-z", "--", *paths], config=nofilter).split(b"\0") if p}
        new = [p for p in paths if p not in tracked]
        write_cfg = [*nofilter, "gc.auto=0", "maintenance.auto=false", "commit.status=false"]
        if new:
            missing = [p for p in new if not os.path.lexists(self._git.toplevel / p)]
            if missing:
                raise GitError(_("cannot commit {printable}: no such file").format(printable=_printable(missing[0])))
            self._git.out(["add", "--", *new], config=write_cfg)
        sign_args = [] if sign is None else (["-S"] if sign else ["--no-gpg-sign"])
        proc = self._git.proc(["commit", "--quiet", "--no-verify", "--only", "--cleanup=verbatim", "--no-edit",
                               *sign_args, "-m", message, "--", *paths], config=write_cfg, timeout=120)
        if proc.returncode != 0:
            text = proc.stdout + proc.stderr
            if b"nothing to commit" in text or b"no changes added to commit" in text:
                raise NothingToCommit(_("nothing to commit: {printable} unchanged").format(printable=_printable(', '.join(paths))))
            if b"Please tell me who you are" in text or b"unable to auto-detect email" in text or b"empty ident name" in text:
                raise GitError(_("git does not know who you are: run git config --global user.name \"Your Name\" and git config --global user.email you@example.org"))
            raise _failure(["commit"], self._git.toplevel, proc.returncode, proc.stderr, proc.stdout)
        sha = self._revisions.head()
        if sha is None:
            raise GitError(_("git commit succeeded but HEAD is unreadable"))
        return sha

    def _check_tag_name(self, name: str) -> str:
        bad = not isinstance(name, str) or not name or name.startswith("-") or any(not c.isprintable() for c in name)
        if not bad:
            bad = self._git.proc(["check-ref-format", f"refs/tags/{name}"]).returncode != 0
        if bad:
            raise GitError(_("invalid tag name '{printable}'").format(printable=_printable(str(name))))
        return name

    def tag_annotated(self, name: str, sha: str, message: str, sign: bool = False) -> None:
        """Create the annotated tag ``name`` on commit ``sha`` with ``message``
        (stored verbatim; ``sign`` makes it a signed tag, which runs the configured
        ``gpg.program``).  Fails if the tag exists."""
        self._check_tag_name(name)
        _check_sha(sha)
        if "\0" in message or not message.strip():
            raise GitError(_("internal error: a tag message must be non-empty text"))
        sign_args = ["-s"] if sign else ["-a", "--no-sign"]
        self._git.out(["tag", *sign_args, "--cleanup=verbatim", "-m", message, "--end-of-options", name, sha],
                      config=("gc.auto=0",))

    def tag_target(self, name: str) -> str | None:
        """SHA of the commit tag ``name`` points to (annotated or lightweight), or
        None when there is no such tag."""
        self._check_tag_name(name)
        proc = self._git.proc(["rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{name}^{{commit}}"])
        sha = proc.stdout.decode("ascii", "replace").strip()
        return sha if proc.returncode == 0 and _SHA_RE.fullmatch(sha) else None

    def tag_object(self, name: str) -> bytes | None:
        """The raw object of annotated tag ``name`` (``git cat-file tag``: header,
        message and any signature block), or None for a lightweight or missing tag."""
        self._check_tag_name(name)
        proc = self._git.proc(["rev-parse", "--verify", "--quiet", "--end-of-options", f"refs/tags/{name}"])
        obj = proc.stdout.decode("ascii", "replace").strip()
        if proc.returncode != 0 or not _SHA_RE.fullmatch(obj):
            return None
        if self._git.out(["cat-file", "-t", obj]).strip() != b"tag":
            return None
        size = int(self._git.out(["cat-file", "-s", obj]).strip() or b"0")
        if size > MAX_TAG_BYTES:  # a tag is untrusted: never read an unbounded object
            raise GitError(_("tag {name} is {size} bytes; okrctl reads tags of at most {MAX_TAG_BYTES} bytes").format(name=name, size=size, MAX_TAG_BYTES=MAX_TAG_BYTES))
        return self._git.out(["cat-file", "tag", obj])

    def tag_message(self, name: str) -> str | None:
        """The message of annotated tag ``name`` exactly as stored (without a
        signature block), or None for a lightweight or missing tag."""
        raw = self.tag_object(name)
        if raw is None:
            return None
        _, sep, body = raw.partition(b"\n\n")
        if not sep:
            return ""
        for marker in SIGNATURE_MARKERS:
            if body.startswith(marker):
                body = b""
                break
            at = body.find(b"\n" + marker)
            if at != -1:
                body = body[: at + 1]
                break
        return body.decode("utf-8", "replace")
