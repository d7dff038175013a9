"""Reading history: commits and the files they changed, from ``git log --raw -z``
(object database only; renames are not followed)."""

from __future__ import annotations

from okrctl.model.messages import _

from dataclasses import dataclass
from datetime import datetime

from okrctl.gitio.objects import _raw_entry
from okrctl.gitio.paths import _SHA_RE, _check_relpath, _check_sha
from okrctl.gitio.revisions import Revisions
from okrctl.gitio.run import Git, GitError, _printable


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit as git records it.  Dates are claims by whoever made the commit
    (docs/ci.md: reported, never trusted)."""

    sha: str
    author_name: str
    author_email: str
    author_date: datetime
    committer_date: datetime
    subject: str



#: ``git log`` format: a marker, then fixed NUL-separated fields.
_LOG_FORMAT = "%x01%H%x00%an%x00%ae%x00%aI%x00%cI%x00%s"
_LOG_FIELDS = 6


def _parse_date(text: str, sha: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise GitError(_("commit {sha} has an unreadable date {printable!r}").format(sha=sha[:12], printable=_printable(text)))
    return value



class LogReader:
    """Commits of one repository (:class:`~okrctl.gitio.Repo` hands its
    ``commit_info`` and ``log_path`` to this)."""

    def __init__(self, git: Git, revisions: Revisions) -> None:
        self._git = git
        self._revisions = revisions

    def commit_info(self, sha: str) -> CommitInfo:
        """Author, dates and subject of one commit (full SHA)."""
        _check_sha(sha)
        out = self._git.out(["log", "-1", "--no-walk", "--no-show-signature", "--no-color", "--encoding=UTF-8",
                             f"--format={_LOG_FORMAT}", "--end-of-options", sha],
                            config=("log.showSignature=false",))
        fields = out.rstrip(b"\n").split(b"\0")
        if len(fields) < _LOG_FIELDS:
            raise GitError(_("cannot read commit {sha}").format(sha=sha[:12]))
        return _commit_from(fields[:_LOG_FIELDS])


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
        is resolved with :meth:`resolve`, except a full SHA, taken as it is (what
        a caller that resolved the user's revision passes: not resolved twice);
        an empty repository has no history."""
        if not paths:
            return []
        for p in paths:
            _check_relpath(p)
        if rev == "HEAD":
            sha = self._revisions.head()
            if sha is None:
                return []
        elif _SHA_RE.fullmatch(rev):
            sha = rev
        else:
            sha = self._revisions.resolve(rev)
        out = self._git.out(
            ["log", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
             "--no-color", "--no-show-signature", "--no-relative", "--encoding=UTF-8",
             "--first-parent", "--diff-merges=first-parent", "--reverse",
             f"--format={_LOG_FORMAT}", "--end-of-options", sha, "--", *paths],
            config=("log.follow=false", "log.showSignature=false", "diff.relative=false"),
            timeout=300,
        )
        return _parse_log(out)



def _commit_from(fields: list[bytes]) -> CommitInfo:
    sha = fields[0].lstrip(b"\n\x01").decode("ascii", "replace")
    if not _SHA_RE.fullmatch(sha):
        raise GitError(_("unexpected output from git log"))
    text = [f.decode("utf-8", "replace") for f in fields[1:]]
    return CommitInfo(
        sha=sha,
        author_name=text[0],
        author_email=text[1],
        author_date=_parse_date(text[2], sha),
        committer_date=_parse_date(text[3], sha),
        subject=text[4],
    )


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
                raise GitError(_("unexpected output from git log"))
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
        raise GitError(_("unexpected output from git log"))
    return result

