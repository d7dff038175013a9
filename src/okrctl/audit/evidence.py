"""``okrctl check``: pinned evidence of a reported check-in is part of it.

A check-in that pins a workspace file by hash (docs/format.md) reports that document;
changing or deleting the file between BASE and HEAD rewrites the check-in as surely
as editing its value, so it is ``checkin-rewritten`` (OKR806).  A change of the pin
itself is a change of the check-in's YAML, which the rules already judge.
"""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable

from okrctl.model.problems import Problem
from okrctl.model.records import KeyResult, PinnedEvidence, Workspace

RULE = "checkin-rewritten"


def _krs(ws: Workspace, paths: Iterable[str] | None = None) -> dict[str, KeyResult]:
    keep = set(paths) if paths is not None else None
    return {kr.ref: kr for f in ws.files if keep is None or f.path in keep
            for o in f.objectives for kr in o.key_results}


def evidence_rewrites(repo, prefix: str, base_sha: str, head_sha: str | None, base: Workspace, head: Workspace,
                      changed: set[str], severity: str | None) -> list[Problem]:
    """``checkin-rewritten`` for each pinned workspace file of a check-in reported at
    BASE (present in HEAD with the same pin) that differs between BASE and HEAD
    (``head_sha`` None: the working tree).  ``changed``: the workspace files (YAML)
    that differ, whose BASE versions ``base`` holds; ``severity`` from the policy
    (None: the rule is off)."""
    if severity is None:
        return []
    pins: list[tuple[KeyResult, object, PinnedEvidence]] = []
    for kr in _krs(head).values():
        for c in kr.checkins:
            pins.extend((kr, c, e) for e in c.evidence if isinstance(e, PinnedEvidence) and e.path)
    if not pins:
        return []

    def full(p: str) -> str:
        return f"{prefix}/{p}" if prefix else p

    moved = set(repo.changed_between(base_sha, head_sha, sorted({full(e.path) for _, _, e in pins})))
    if not moved:
        return []
    base_krs = _krs(base, changed)
    out = []
    for kr, c, e in pins:
        if full(e.path) not in moved:
            continue
        if kr.loc.path in changed:  # the file changed too: was this check-in (with this pin) at BASE?
            old = base_krs.get(kr.ref)
            if old is None or not any(b.date == c.date and e in b.evidence for b in old.checkins):
                continue
        out.append(Problem.finding(RULE, severity, kr.ref, c.loc.path, c.loc.line,  # type: ignore[attr-defined]
                                   _("{ref}: the evidence {path} pinned by the check-in of {date} "
                                     "changed or was removed after it was reported; pinned evidence never changes: add the new "
                                     "document as new evidence (okrctl evidence add) and restore this one").format(
                                       ref=kr.ref, path=e.path, date=c.date)))  # type: ignore[attr-defined]
    return out
