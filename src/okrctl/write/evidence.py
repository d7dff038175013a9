"""``okrctl evidence add``: pin evidence documents by SHA-256 to a key result's
check-in (docs/format.md).

A local FILE is copied to ``evidence/<PERIOD>/<UNIT>/<name>`` in the workspace (a file
already there with the same bytes is reused; a different one is refused) and pinned as
``{path, sha256, title}``; with ``--url`` the document stays where it is and is pinned
as ``{url, sha256, title}``, the hash given with ``--sha256`` or computed from a local
copy.  The items go to a new check-in that repeats the current value (``--checkin new``,
the default: a reported check-in is never rewritten) or to the latest check-in
(``--checkin latest``, for one not yet committed).  The YAML is written with the same
machinery as ``okrctl checkin`` (append only, verified, atomic, under the lock).
"""

from __future__ import annotations

from okrctl.model.messages import _

import difflib
import hashlib
import os
import re
import stat
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from okrctl.model.records import KeyResult
from okrctl.model.text import CONTROL_OR_BOM
from okrctl.read.evidence import MAX_EVIDENCE_BYTES
from okrctl.read.source import SourceError, WorkingTreeSource, blob_sha, read_regular
from okrctl.write import fsio
from okrctl.write.checkin import _refuse_state, new_bytes_with_item, resolve_target
from okrctl.write.errors import BadInput, Refused, WriteRefused
from okrctl.write.inputs import _clean_text
from okrctl.write.workspace import _load, _validate_change, _workspace_of

__all__ = ["EvidenceResult", "add_evidence", "evidence_dir"]

EVIDENCE_DIR = "evidence"
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_URL = re.compile(r"https?://\S+")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def evidence_dir(period_id: str, unit_id: str) -> str:
    return f"{EVIDENCE_DIR}/{period_id}/{unit_id}"


@dataclass
class EvidenceResult:
    ref: str
    path: str  # the period file
    date: date
    checkin: str  # "new" | "latest"
    items: list[dict]
    old: bytes
    new: bytes
    #: (source file, workspace path) of each copy; ``reused`` the ones already there
    copies: list[tuple[str, str]] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    written: bool = False
    warnings: list[str] = field(default_factory=list)

    def diff(self) -> str:
        a = self.old.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.new.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}"))


def _file_name(p: Path) -> str:
    name = unicodedata.normalize("NFC", p.name)
    if not name or name.startswith(".") or CONTROL_OR_BOM.search(name) or "\\" in name or len(name.encode()) > 200:
        raise BadInput(_("FILE: {name!r} cannot be an evidence file name (no leading dot, no control "
                         "characters, at most 200 bytes); rename it first").format(name=p.name))
    return name


def _read(p: Path) -> bytes:
    try:
        return read_regular(p, limit=MAX_EVIDENCE_BYTES, label=str(p))
    except OSError as exc:
        raise BadInput(_("FILE: cannot read {path}: {reason}").format(path=p, reason=exc.strerror or str(exc))) from None


def _safe_dir(root: Path, rel: str) -> None:
    """Refuse when a part of ``rel`` under ``root`` exists and is not a real directory."""
    here = root
    for part in rel.split("/"):
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(_("{path} is not a directory (a symbolic link?); "
                            "okrctl writes evidence only into real directories").format(path=here.relative_to(root).as_posix()))


def _items(root: Path, target_dir: str, files: list[Path], url: str | None, digest: str | None,
           title: str | None) -> tuple[list[dict], list[tuple[str, str, bytes]], list[str]]:
    """The evidence items, the copies to make ``(source, rel, bytes)`` and the reused paths."""
    if digest is not None and not _HEX.fullmatch(digest):
        raise BadInput(_("--sha256: 64 hexadecimal digits"))
    if url is not None:
        url = _clean_text(url, "--url")
        if not _URL.fullmatch(url):
            raise BadInput(_("--url: an http:// or https:// address without spaces"))
        if len(files) > 1:
            raise BadInput(_("--url pins one document: give at most one FILE (a local copy to hash)"))
        if files:
            got = sha256(_read(files[0]))
            if digest is not None and digest.lower() != got:
                raise BadInput(_("--sha256 {digest} is not the SHA-256 of {file} ({got})").format(digest=digest.lower(), file=files[0], got=got))
            digest = got
        if digest is None:
            raise BadInput(_("--url needs --sha256 HEX or a local copy of the document as FILE"))
        item = {"url": url, "sha256": digest.lower()}
        return [item | ({"title": title} if title else {})], [], []
    if not files:
        raise BadInput(_("give one or more FILEs (or --url URL with --sha256 HEX)"))
    if digest is not None:
        raise BadInput(_("--sha256 goes with --url; a local FILE is hashed by okrctl"))
    items, copies, reused = [], [], []
    names: set[str] = set()
    for p in files:
        data = _read(p)
        name = _file_name(p)
        if name in names:
            raise BadInput(_("FILE: two files are named {name}").format(name=name))
        names.add(name)
        rel = f"{target_dir}/{name}"
        dest = root / rel
        if dest.exists() or dest.is_symlink():
            try:
                there = read_regular(dest, limit=MAX_EVIDENCE_BYTES)
            except OSError:
                raise Refused(_("{path} exists and is not a regular file").format(path=rel)) from None
            if there != data:
                raise Refused(_("{path} already exists with other contents; pinned evidence never changes: "
                                "rename the new document").format(path=rel))
            reused.append(rel)
        else:
            copies.append((str(p), rel, data))
        item: dict[str, Any] = {"path": rel, "sha256": sha256(data)}
        if title:
            item["title"] = title if len(files) == 1 else f"{title} ({name})"
        items.append(item)
    return items, copies, reused


def _latest_index(kr: KeyResult) -> int | None:
    if not kr.checkins:
        return None
    latest = max(c.date for c in kr.checkins)
    return max(i for i, c in enumerate(kr.checkins) if c.date == latest)


def _repeat(kr: KeyResult, i: int | None, d: date, items: list[dict]) -> dict:
    """A new check-in dated ``d`` that repeats the value of check-in ``i``."""
    if i is None:
        raise Refused(_("{ref} has no check-in yet; report its value with okrctl checkin {ref} VALUE "
                        "--evidence TEXT, then pin documents to it").format(ref=kr.ref))
    c = kr.checkins[i]
    new: dict[str, Any] = {"date": d}
    if c.done is not None:
        new["done"] = list(c.done)
    elif c.value is not None:
        new["value"] = 0 if kr.aggregate == "sum" else c.value  # sum: check-ins are increments
    if c.confidence is not None:
        new["confidence"] = c.confidence
    new["evidence"] = items
    return new


def add_evidence(root: Path, ref: str, files: list[Path], *, url: str | None = None, digest: str | None = None,
                 title: str | None = None, checkin: str = "new", on: date | None = None, dry_run: bool = False,
                 lock_timeout: float = 10.0) -> EvidenceResult:
    """Pin ``files`` (or ``url``) to key result ``ref``; see the module docstring."""
    from okrctl.write import yamledit

    if checkin not in ("new", "latest"):
        raise BadInput(_("--checkin: new or latest"))
    root = Path(root).resolve()
    base = WorkingTreeSource(root)
    res = _load(base)
    ws = _workspace_of(res)
    target, d = resolve_target(ws, base, ref, on, "kr")
    _refuse_state(ws, target)
    kr = target.item
    assert isinstance(kr, KeyResult)
    title = _clean_text(title, "--title") if title is not None else None
    unit_id = target.file.unit
    tdir = evidence_dir(target.period.id, unit_id)
    _safe_dir(root, tdir)
    items, copies, reused = _items(root, tdir, list(files), url, digest, title)
    relpath = target.file.path
    full = root / relpath
    try:
        with fsio.file_lock(full.parent, timeout=lock_timeout) if not dry_run else nullcontext():
            try:
                old = base.read(relpath)
            except SourceError as exc:
                raise Refused(exc.message) from None
            if target.file.sha is not None and blob_sha(old) != target.file.sha:
                raise Refused(_("{path} changed while okrctl was reading it; run the command again").format(path=relpath))
            i = _latest_index(kr)
            if checkin == "latest":
                if i is None:
                    raise Refused(_("{ref} has no check-in to add evidence to; use --checkin new after a check-in").format(ref=kr.ref))
                d = kr.checkins[i].date
                path = [*target.container_path, "checkins", i]
                new = old
                for item in items:
                    try:
                        new = yamledit.append_item(new, path, "evidence", item, name=relpath)
                    except WriteRefused:
                        try:
                            new = yamledit.splice_item(new, path, "evidence", item, name=relpath)
                        except WriteRefused as exc:
                            raise Refused(_("{message}; or add the evidence to a new check-in (--checkin new)").format(message=exc.message)) from None
            else:
                new, _line = new_bytes_with_item(old, target.container_path, "checkins", _repeat(kr, i, d, items), relpath)
            warnings = _validate_change(res, base, relpath, new, what="evidence")
            if target.note:
                warnings.insert(0, target.note)
            result = EvidenceResult(kr.ref, relpath, d, checkin, items, old, new,
                                    [(s, r) for s, r, _data in copies], reused, warnings=warnings)
            if dry_run:
                return result
            made: list[Path] = []
            try:
                for _src, rel, data in copies:
                    if not fsio.create_exclusive(root / rel, data):
                        raise Refused(_("{path} appeared meanwhile; run the command again").format(path=rel))
                    made.append(root / rel)
                fsio.atomic_write(full, new, expected_sha=blob_sha(old))
            except BaseException:
                for p in made:
                    p.unlink(missing_ok=True)
                raise
            result.written = True
            return result
    except WriteRefused as exc:
        raise Refused(exc.message) from None
