"""Workspace-wide structure: objectives aligning in a cycle (OKR213) and units
taking part in a period their parent does not (OKR204)."""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable

from okrctl.krtypes.base import diag as _d
from okrctl.model.problems import Problem
from okrctl.model.chains import MAX_TREE_DEPTH, chains
from okrctl.model.periods import Period
from okrctl.model.records import Unit
from okrctl.model.summary import FileSummary, ObjectiveSummary
from okrctl.model.refs import objective_ref


def check_alignment_cycles(summaries: Iterable[FileSummary]) -> list[Problem]:
    """Objective A aligns to B (or to a KR of B): edge A → B.  Report each cycle once.
    ``summaries``: of every period file, in path order."""
    edges: dict[str, str] = {}
    objs: dict[str, ObjectiveSummary] = {}
    for s in summaries:
        for o in s.objectives:
            objs[o.ref] = o
    for ref, o in objs.items():
        if o.aligns_to_ref:
            target = objective_ref(o.aligns_to_ref)
            if target in objs and target != ref:
                edges[ref] = target
    out = []
    # only objectives that align somewhere start a chain longer than 1 or a cycle
    # (walking from the others first changes no depth and finds no cycle)
    depths, cycles = chains(edges, edges)
    for cycle in cycles:
        first = min(cycle)
        o = objs[first]
        out.append(_d("OKR213", o.loc, "objectives align in a cycle: " + " → ".join(cycle[cycle.index(first):] + cycle[: cycle.index(first)] + [first])))  # type: ignore[arg-type]
    for ref, o in objs.items():
        if depths.get(ref) == MAX_TREE_DEPTH + 1:
            out.append(_d("OKR215", o.loc,  # type: ignore[arg-type]
                          _("objective {id}: its chain of aligns_to is {value} objectives long; okrctl scores chains of at most {MAX_TREE_DEPTH}").format(id=o.id, value=MAX_TREE_DEPTH + 1, MAX_TREE_DEPTH=MAX_TREE_DEPTH)))
    return out


def check_parents_take_part(units: tuple[Unit, ...], periods: Iterable[Period]) -> list[Problem]:
    """docs/format.md: a unit taking part in a period its parent does not is an error,
    whether or not the unit has a file there (the periods are those with files;
    a file of such a unit is also reported at the file)."""
    by_id = {u.id: u for u in units}
    by_period = {p.id: p for p in periods}
    out = []
    for u in units:
        p = by_id.get(u.parent) if u.parent else None
        if p is None:
            continue
        bad = [pid for pid, per in sorted(by_period.items()) if u.takes_part(per) and not p.takes_part(per)]
        if bad:
            out.append(_d("OKR204", u.loc, _("unit {id!r} takes part in {bad} but its parent {id2!r} does not ({id2} exists {value} .. {value2}); set {id}'s from/until or change its parent").format(id=u.id, bad=', '.join(bad), id2=p.id, value=p.from_ or '…', value2=p.until or '…')))
    return out

