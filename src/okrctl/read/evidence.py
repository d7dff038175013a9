"""Evidence pinned by hash (docs/format.md): a check-in's ``{path, sha256}`` item names a
file of the workspace, and that file must exist and have that SHA-256.

:func:`file_sha256` hashes a workspace file safely (the path is untrusted: no
absolute path, no ``..``, no symbolic link anywhere on the way, a regular file, at
most :data:`MAX_EVIDENCE_BYTES`); :func:`check_evidence` is ``okrctl validate``'s
check (OKR228), run on the working tree only: hashing every document costs time
the other commands do not spend.
"""

from __future__ import annotations

from okrctl.model.messages import _

import hashlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from okrctl.errors import OkrctlError
from okrctl.model.problems import Problem
from okrctl.model.records import PinnedEvidence, Workspace
from okrctl.model.summary import FileSummary
from okrctl.read.source import OPEN_FLAGS

#: the largest evidence file okrctl hashes
MAX_EVIDENCE_BYTES = 256 << 20


class EvidenceError(OkrctlError):
    """A pinned path that cannot be hashed (a link on the way, not a regular file, too
    large); ``message`` is one line."""


def _parts(rel: str) -> list[str]:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise EvidenceError(_("{path!r} is not a relative path inside the workspace").format(path=rel))
    return parts


class HashMemo:
    """SHA-256s of files hashed before, by ``(path, size, mtime_ns, ctime_ns,
    inode)`` as ``fstat`` gives them after the file is opened the safe way (git's
    index trusts the same stat data).  A file changed within the last
    :data:`RACY_NS` is not remembered (its next change could keep the same
    times).  ``rows()``: what this run used, for ``validate``'s cache."""

    def __init__(self, rows: list[tuple[str, int, int, int, int, str]] | None = None) -> None:
        self._old = {r[:5]: r[5] for r in rows or ()}
        self._new: dict[tuple, str] = {}

    def get(self, stamp: tuple) -> str | None:
        sha = self._old.get(stamp)
        if sha is not None:
            self._new[stamp] = sha
        return sha

    def put(self, stamp: tuple, sha: str, st: os.stat_result) -> None:
        now = time.time_ns()
        if now - st.st_mtime_ns > RACY_NS and now - st.st_ctime_ns > RACY_NS:
            self._new[stamp] = sha

    def rows(self) -> list[tuple[str, int, int, int, int, str]]:
        return sorted((*k, v) for k, v in self._new.items())

    @property
    def changed(self) -> bool:
        return self._new != self._old


#: a file changed this recently is hashed again next time
RACY_NS = 2_000_000_000


def file_sha256(root: Path, rel: str, *, limit: int = MAX_EVIDENCE_BYTES, memo: HashMemo | None = None) -> str:
    """The SHA-256 of the workspace file ``rel`` (``/``-separated, relative to
    ``root``).  Raises :class:`EvidenceError` (missing, a link or not a regular file
    on the way, too large) or :class:`FileNotFoundError` when it does not exist.
    With ``memo``, a file whose stat data are remembered is not read again."""
    parts = _parts(rel)
    here = Path(root)
    for p in parts[:-1]:
        here = here / p
        st = os.lstat(here)  # FileNotFoundError when missing
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
            raise EvidenceError(_("{path}: {part} is not a directory (a symbolic link?)").format(path=rel, part=here.relative_to(root).as_posix()))
    try:
        fd = os.open(here / parts[-1], OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == 2:
            raise FileNotFoundError(rel) from None
        raise EvidenceError(_("{path}: {reason} (a symbolic link?)").format(path=rel, reason=exc.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise EvidenceError(_("{path} is not a regular file").format(path=rel))
        stamp = (rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if memo is not None and st.st_size <= limit and (known := memo.get(stamp)) is not None:
            return known
        h = hashlib.sha256()
        n = 0
        while chunk := f.read(1 << 20):
            n += len(chunk)
            if n > limit:
                raise EvidenceError(_("{path} is larger than {mib} MiB").format(path=rel, mib=limit >> 20))
            h.update(chunk)
    if memo is not None:
        memo.put(stamp, h.hexdigest(), st)
    return h.hexdigest()


def pinned_local(ws: Workspace) -> list[tuple[str, PinnedEvidence]]:
    """``(check-in ref, item)`` of every pinned workspace file, in file order."""
    out = []
    for f in ws.files:
        for o in f.objectives:
            for kr in o.key_results:
                for c in kr.checkins:
                    out.extend((f"{kr.ref}@{c.date}", e) for e in c.evidence
                               if isinstance(e, PinnedEvidence) and e.path is not None)
    return out


def pinned_in(summaries: Iterable[FileSummary]) -> list[tuple[str, PinnedEvidence]]:
    """:func:`pinned_local` from the files' summaries (no records needed)."""
    return [(p.ref, p.item) for s in summaries for p in s.pins]


def check_evidence(root: Path, ws: Workspace) -> list[Problem]:
    """OKR228 for each pinned workspace file that is missing, unreadable or whose
    SHA-256 is not the pinned one."""
    return check_pins(root, pinned_local(ws))


def check_pins(root: Path, pins: list[tuple[str, PinnedEvidence]], memo: HashMemo | None = None) -> list[Problem]:
    """:func:`check_evidence` of the ``(check-in ref, item)`` pairs ``pins``."""
    out = []
    seen: dict[str, str | Exception] = {}
    for ref, e in pins:
        assert e.path is not None
        if e.path not in seen:
            try:
                seen[e.path] = file_sha256(root, e.path, memo=memo)
            except (OSError, EvidenceError) as exc:
                seen[e.path] = exc
        got = seen[e.path]
        loc = e.loc
        line, col = (loc.line, loc.column) if loc is not None else (1, 1)
        path = loc.path if loc is not None else ref
        if isinstance(got, FileNotFoundError):
            msg = f"pinned evidence {e.path} does not exist"
        elif isinstance(got, EvidenceError):
            msg = f"pinned evidence {got.message}"
        elif isinstance(got, Exception):
            msg = f"pinned evidence {e.path} cannot be read: {getattr(got, 'strerror', None) or got}"
        elif got != e.sha256:
            msg = f"pinned evidence {e.path} has SHA-256 {got}, not the pinned {e.sha256}: the document changed"
        else:
            continue
        out.append(Problem.make("OKR228", path, line, col, msg, ref=ref.split("@", 1)[0]))
    return out


def pins_still_match(root: Path, pins: list[tuple[str, str]], memo: HashMemo | None = None) -> bool:
    """Whether every pinned ``(path, sha256)`` still names a workspace file with
    that SHA-256 (then :func:`check_evidence` would report nothing)."""
    for path, sha in pins:
        try:
            if file_sha256(root, path, memo=memo) != sha:
                return False
        except (OSError, EvidenceError):
            return False
    return True
