"""What the rest of a workspace needs from one period file: its summary.

The checks of one file look into the others only through the objectives and key
results they name (``aligns_to``), the objectives that align to one of its aligned
KRs (feeders), and which files have errors of their own; the workspace-wide checks
(alignment cycles, parents taking part) need the alignment edges and each file's
period; ``validate``'s evidence check needs the pinned workspace files.  A
:class:`FileSummary` holds exactly that, so a warm run can check a workspace from
the summaries of the files that did not change (a few hundred bytes each) instead
of their records (docs/architecture.md, "The cache").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from okrctl.model.periods import Period
from okrctl.model.records import Loc, PeriodFile, PinnedEvidence


@dataclass(frozen=True, slots=True)
class ObjectiveSummary:
    """An objective as other files see it: its ref and id, the ids of its KRs, where
    it aligns to, and where a diagnostic about its alignment points (``aligns_to:``
    when written, else the objective; None when it aligns to nothing: no alignment
    diagnostic can point at it)."""

    ref: str
    id: str
    krs: tuple[str, ...]
    aligns_to_ref: str | None
    loc: Loc | None


@dataclass(frozen=True, slots=True)
class Pin:
    """A pinned workspace file named by a check-in (``ref``: ``PERIOD/UNIT/OBJ/KR@date``)."""

    ref: str
    item: PinnedEvidence


@dataclass(frozen=True, slots=True)
class FileSummary:
    path: str
    unit: str
    period: Period
    objectives: tuple[ObjectiveSummary, ...]
    pins: tuple[Pin, ...]
    #: digest of what other files' checks read from this one (period, refs, alignment;
    #: not positions, titles or check-ins): equal digests, equal checks elsewhere
    cross: str


def summarize(pf: PeriodFile) -> FileSummary:
    objectives = tuple(ObjectiveSummary(o.ref, o.id, tuple(kr.ref.rsplit("/", 1)[1] for kr in o.key_results), o.aligns_to_ref,
                                        (o.aligns_to_loc or o.loc) if o.aligns_to_ref else None) for o in pf.objectives)
    pins = tuple(Pin(f"{kr.ref}@{c.date}", e) for o in pf.objectives for kr in o.key_results for c in kr.checkins
                 for e in c.evidence if isinstance(e, PinnedEvidence) and e.path is not None)
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{pf.path}\0{pf.unit}\0{pf.period.id}\0{pf.period.start}\0{pf.period.end}\n".encode("utf-8", "surrogateescape"))
    for o in objectives:
        h.update(f"{o.ref}\0{o.id}\0{o.aligns_to_ref}\0{chr(1).join(o.krs)}\n".encode("utf-8", "surrogateescape"))
    return FileSummary(pf.path, pf.unit, pf.period, objectives, pins, h.hexdigest())
