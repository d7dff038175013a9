"""``okrctl publish`` and ``okrctl verify --published``: read a closed period from
its close tag's tree into a :class:`~okrctl.reports.publish.PublishPlan`, write a
rendered package as one directory, atomically, and read a published directory back
to compare it.

Only the tag's tree is read (never the working tree), so the package of a tag is
the same on every machine: that is what lets anyone recompute and compare it.
"""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from okrctl.model.layout import is_settings_file, period_dir
from okrctl.model.periods import is_period_id, parse_period
from okrctl.model.records import PinnedEvidence, Workspace
from okrctl.read.loader import load_workspace
from okrctl.reports.publish import EvidenceItem, PublishPlan, sha256
from okrctl.write.close import close_tag
from okrctl.write.errors import BadInput, Refused
from okrctl.write.workspace import _diag_line

__all__ = ["package_options", "package_path", "prepare", "read_package", "write_package"]

#: the largest evidence file a package includes, and the largest file ``verify
#: --published`` reads from a published directory
MAX_EVIDENCE_BYTES = 256 << 20
#: the notes of a period's report, relative to the workspace (as ``okrctl report``)
NOTES = "reports/{period}.md"


def package_path(path: str) -> str:
    """Where a pinned local evidence file goes in the package: under ``evidence/``."""
    return path if path.startswith("evidence/") else f"evidence/{path}"


def pinned_evidence(ws: Workspace, period_id: str, until) -> list[tuple[str, str, PinnedEvidence]]:
    """``(KR ref, check-in date, pinned item)`` of the period's check-ins dated ≤ ``until``."""
    out = []
    for f in ws.files:
        if f.period.id != period_id:
            continue
        for o in f.objectives:
            for kr in o.key_results:
                for c in kr.checkins:
                    if c.date <= until:
                        out.extend((kr.ref, c.date.isoformat(), e) for e in c.evidence if not isinstance(e, str))
    return out


def prepare(root: Path, period_id: str, *, locale: str | None = None, with_names: bool = False,
            with_evidence: bool = False, history: Callable[[Path, Sequence, str], list] | None = None) -> PublishPlan:
    """The package of closed period ``period_id`` from the tree of its close tag.
    ``history(root, files, commit)``: the git events the report's change log shows
    (``okrctl.audit.history``; None leaves the log out).  Raises :class:`Refused`
    (exit 1) for a period that is not closed or does not load at its tag."""
    from okrctl import gitio
    from okrctl.gitio.commit import SIGNATURE_MARKERS
    from okrctl.engine.scoring import score_workspace
    from okrctl.reports import export as X
    from okrctl.reports import quarterly

    if not is_period_id(period_id):
        raise BadInput(_("PERIOD: {period!r} is not a period id (YYYY, YYYY-H1/H2 or YYYY-Q1..Q4)").format(period=period_id))
    root = Path(root).resolve()
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    tag = close_tag(period_id)
    sha = repo.tag_target(tag)
    if sha is None:
        raise Refused(_("{period} is not closed: there is no tag {tag} (okrctl close {period} closes it); "
                        "only a closed period is published").format(period=period_id, tag=tag))
    res = load_workspace(gitio.GitTreeSource(repo, sha, prefix))
    errs = [d for d in res.diagnostics if d.severity == "error"
            and (d.path.startswith(period_dir(period_id) + "/") or is_settings_file(d.path))]
    if res.workspace is None or errs:
        raise Refused(_("the workspace at {tag} ({sha}) does not load; nothing was published").format(tag=tag, sha=sha[:12]),
                      [_diag_line(d) for d in errs[:20]])
    ws = res.workspace
    period = parse_period(period_id, ws.config.fiscal_year_start)
    if not ws.files_for(period.id):
        raise Refused(_("{period} has no files at {tag}; nothing to publish").format(period=period.id, tag=tag))
    loc = locale or ws.config.locale
    if not with_names:  # the signature block names a person too
        ws = replace(ws, config=replace(ws.config, report=replace(ws.config.report, signer_name="")))
    info = repo.commit_info(sha)
    result = score_workspace(ws, period, period.end)
    files = [f for f in ws.files if f.period.id == period.id]
    events = history(root, files, sha) if history is not None else None
    report = quarterly.build(ws, result, result.units, edition="close",
                             source=quarterly.Source("commit", sha, info.committer_date.date()),
                             notes=_notes(repo, sha, prefix, period.id), with_names=with_names, events=events)
    opts = X.ExportOptions(with_names=with_names, source_commit=sha, locale=loc)
    tables = X.export_tables([result], opts)

    items, contents = _evidence(repo, sha, prefix, pinned_evidence(ws, period.id, period.end), with_evidence)
    raw_tag = repo.tag_object(tag)
    signed = raw_tag if raw_tag is not None and any(m in raw_tag for m in SIGNATURE_MARKERS) else None
    return PublishPlan(period=period, workspace_name=ws.config.name, tag=tag, commit=sha,
                       created=info.committer_date, locale=loc, licence=ws.config.report.licence,
                       with_names=with_names, with_evidence=with_evidence, report=report, tables=tables,
                       evidence=tuple(items), evidence_files=contents, signed_tag=signed)


def _tree_files(repo, sha: str, paths: list[str]) -> dict[str, str]:
    """path → blob sha of those of ``paths`` that are regular files in commit ``sha``."""
    found: dict[str, str] = {}
    for d in sorted({p.rsplit("/", 1)[0] if "/" in p else "" for p in paths}):
        if not d:
            continue
        for rel, mode, obj in repo.ls_tree(sha, d):
            if mode in ("100644", "100755"):
                found[f"{d}/{rel}"] = obj
    return found


def _evidence(repo, sha: str, prefix: str, pinned, with_evidence: bool):
    """The package's evidence list and, with ``with_evidence``, the bytes of each
    pinned local file at the tag (refused when one is missing or does not match)."""
    def full(p: str) -> str:
        return f"{prefix}/{p}" if prefix else p

    local = sorted({e.path for _, _, e in pinned if e.path})
    blobs: dict[str, bytes] = {}
    if with_evidence and local:
        where = _tree_files(repo, sha, [full(p) for p in local])
        got = repo.read_blobs([where[full(p)] for p in local if full(p) in where], limit=MAX_EVIDENCE_BYTES)
        bad = []
        for p in local:
            obj = where.get(full(p))
            data = got.get(obj) if obj else None
            want = {e.sha256 for _, _, e in pinned if e.path == p}
            if data is None:
                bad.append(_("{path}: not in the tree of the close tag").format(path=p) if obj is None else
                           _("{path}: cannot be read (over {mib} MiB?)").format(path=p, mib=MAX_EVIDENCE_BYTES >> 20))
            elif {sha256(data)} != want:
                bad.append(_("{path}: its SHA-256 is {sha256}, the check-in pins {pins}").format(
                    path=p, sha256=sha256(data), pins=", ".join(sorted(want))))
            else:
                blobs[package_path(p)] = data
        if bad:
            raise Refused(ngettext("{n} pinned evidence file at the close tag does not match its pin; nothing was published",
                                   "{n} pinned evidence files at the close tag do not match their pins; nothing was published",
                                   len(bad)), bad)
    items = sorted({EvidenceItem(ref, d, e.sha256, e.url, package_path(e.path) if e.path else None, e.title,
                                 included=bool(e.path) and with_evidence) for ref, d, e in pinned},
                   key=lambda i: (i.ref, i.date, i.path or i.url or "", i.sha256))
    return items, blobs


def _notes(repo, sha: str, prefix: str, period_id: str) -> dict[str, str | None]:
    from okrctl.reports.quarterly import parse_notes

    rel = NOTES.format(period=period_id)
    path = f"{prefix}/{rel}" if prefix else rel
    where = _tree_files(repo, sha, [path])
    if path not in where:
        return {}
    data = repo.read_blobs([where[path]]).get(where[path])
    if data is None:
        return {}
    return parse_notes(data.decode("utf-8-sig", "replace"))


# ------------------------------------------------------------------ the directory


def write_package(out: Path, files: Mapping[str, bytes], *, force: bool = False, mtime: float | None = None) -> None:
    """Write ``files`` as the directory ``out``, all or nothing: built in a hidden
    directory beside it, then renamed into place.  ``out`` may be missing or an empty
    directory; a non-empty one is replaced only with ``force``.  Every file and
    directory gets ``mtime`` (the tag's commit time) so copies compare equal."""
    out = Path(os.path.abspath(out))
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BadInput(_("-o {out}: exists and is not a directory").format(out=out))
    if out.exists() and any(out.iterdir()) and not force:
        raise BadInput(_("-o {out}: the directory is not empty; pass --force to replace it").format(out=out))
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise BadInput(_("cannot write {path}: {reason}").format(path=exc.filename or parent, reason=exc.strerror)) from None
    old: Path | None = None
    try:
        for rel in sorted(files):
            target = tmp.joinpath(*rel.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(files[rel])
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        if mtime is not None:
            for dirpath, _dirs, names in os.walk(tmp, topdown=False):
                for n in names:
                    os.utime(os.path.join(dirpath, n), (mtime, mtime))
                os.utime(dirpath, (mtime, mtime))
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, old / "package")
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists() and (old / "package").exists():
            os.rename(old / "package", out)  # put the previous package back
        raise BadInput(_("cannot write {path}: {reason}").format(path=exc.filename or out, reason=exc.strerror)) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def package_options(found: Mapping[str, bytes | None]) -> dict:
    """The options a published package was made with (``okrctl`` in its
    datapackage.json: locale, with_names, with_evidence), {} when it cannot be read."""
    import json

    from okrctl.reports.publish import DESCRIPTOR

    data = found.get(DESCRIPTOR)
    try:
        meta = json.loads(data)["okrctl"] if data else {}
    except (ValueError, KeyError, TypeError):
        return {}
    if not isinstance(meta, dict):
        return {}
    out: dict = {}
    if meta.get("locale") in ("vi", "en"):
        out["locale"] = meta["locale"]
    for k in ("with_names", "with_evidence"):
        if meta.get(k) is True:
            out[k] = True
    return out


def read_package(directory: Path) -> dict[str, bytes | None]:
    """Every entry of a published directory: path (``/``-separated) → bytes; None for
    something that is not a regular file (a symbolic link is never followed) or is
    over :data:`MAX_EVIDENCE_BYTES`."""
    from okrctl.read.source import read_regular

    directory = Path(directory)
    if directory.is_symlink() or not directory.is_dir():
        raise BadInput(_("--published {directory}: not a directory").format(directory=directory))
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, names in os.walk(directory):
        base = Path(dirpath)
        for n in list(dirnames):
            if (base / n).is_symlink():
                dirnames.remove(n)
                names.append(n)
        for n in names:
            rel = (base / n).relative_to(directory).as_posix()
            try:
                out[rel] = read_regular(base / n, limit=MAX_EVIDENCE_BYTES)
            except OSError:
                out[rel] = None
    return out

