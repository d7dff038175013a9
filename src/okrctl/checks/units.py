"""Checks of units.yaml (OKR200–OKR202, OKR205) and the folding of ids for comparison."""

from __future__ import annotations

import unicodedata

from okrctl.krtypes.base import diag as _d
from okrctl.model.problems import Problem
from okrctl.model.chains import MAX_TREE_DEPTH, chains
from okrctl.model.records import Unit
from okrctl.model.document import Document



def fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def check_units(units: tuple[Unit, ...], doc: Document) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, Unit] = {}
    ids = {u.id for u in units}
    for u in units:
        f = fold(u.id)
        if f in seen:
            prev = seen[f]
            same = "the same id" if prev.id == u.id else f"an id that differs only in case from {prev.id!r}"
            out.append(_d("OKR202", u.loc, f"unit {u.id!r} has {same} (first defined at line {prev.loc.line})"))
        else:
            seen[f] = u
        if u.parent is not None and u.parent not in ids:
            out.append(_d("OKR200", u.parent_loc or u.loc, f"unit {u.id!r}: parent {u.parent!r} is not defined in units.yaml"))
        for r in u.replaced_by:
            if r not in ids:
                out.append(_d("OKR200", u.replaced_by_loc or u.loc, f"unit {u.id!r}: replaced_by {r!r} is not defined in units.yaml"))
        if u.from_ and u.until and u.until < u.from_:
            out.append(_d("OKR205", u.loc, f"unit {u.id!r}: until {u.until} is before from {u.from_}"))
    parent = {u.id: u.parent for u in units}
    by_id = {u.id: u for u in units}
    depths, cycles = chains({uid: p for uid, p in parent.items() if p is not None and p in parent}, parent)
    for cycle in cycles:
        out.append(_d("OKR201", by_id[cycle[0]].loc, "units form a parent cycle: " + " → ".join(cycle + [cycle[0]])))
    for u in units:
        if depths.get(u.id) == MAX_TREE_DEPTH + 1:
            out.append(_d("OKR206", u.parent_loc or u.loc,
                          f"unit {u.id!r} is at level {MAX_TREE_DEPTH + 1} of the tree of units; "
                          f"okrctl scores trees of at most {MAX_TREE_DEPTH} levels"))
    return out
