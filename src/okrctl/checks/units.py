"""Checks of units.yaml (OKR200–OKR202, OKR205) and the folding of ids for comparison."""

from __future__ import annotations

from okrctl.model.messages import _

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
            same = _("the same id") if prev.id == u.id else _("an id that differs only in case from {id!r}").format(id=prev.id)
            out.append(_d("OKR202", u.loc, _("unit {id!r} has {same} (first defined at line {line})").format(id=u.id, same=same, line=prev.loc.line)))
        else:
            seen[f] = u
        if u.parent is not None and u.parent not in ids:
            out.append(_d("OKR200", u.parent_loc or u.loc, _("unit {id!r}: parent {parent!r} is not defined in units.yaml").format(id=u.id, parent=u.parent)))
        for r in u.replaced_by:
            if r not in ids:
                out.append(_d("OKR200", u.replaced_by_loc or u.loc, _("unit {id!r}: replaced_by {r!r} is not defined in units.yaml").format(id=u.id, r=r)))
        if u.from_ and u.until and u.until < u.from_:
            out.append(_d("OKR205", u.loc, _("unit {id!r}: until {until} is before from {from_}").format(id=u.id, until=u.until, from_=u.from_)))
    parent = {u.id: u.parent for u in units}
    by_id = {u.id: u for u in units}
    depths, cycles = chains({uid: p for uid, p in parent.items() if p is not None and p in parent}, parent)
    for cycle in cycles:
        out.append(_d("OKR201", by_id[cycle[0]].loc, "units form a parent cycle: " + " → ".join(cycle + [cycle[0]])))
    for u in units:
        if depths.get(u.id) == MAX_TREE_DEPTH + 1:
            out.append(_d("OKR206", u.parent_loc or u.loc,
                          _("unit {id!r} is at level {value} of the tree of units; okrctl scores trees of at most {MAX_TREE_DEPTH} levels").format(id=u.id, value=MAX_TREE_DEPTH + 1, MAX_TREE_DEPTH=MAX_TREE_DEPTH)))
    return out
