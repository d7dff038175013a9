"""Small factories for model records, so tests can build workspaces without YAML.

Numbers may be given as ``int``, ``Decimal`` or a decimal string (``"0.7"`` becomes
``Decimal("0.7")``); dates as ``date`` or ISO strings.  References are filled in
by :func:`pfile`: build KRs with :func:`kr`, objectives with :func:`objective`,
KPIs with :func:`kpi`, then put them in a file with ``pfile(period, unit, ...)``,
which rewrites every ``ref`` to ``PERIOD/UNIT/OBJ[/KR]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from okrctl.model.records import (
    KPI,
    Approval,
    CheckIn,
    Config,
    KeyResult,
    Loc,
    Measurement,
    Milestone,
    Number,
    Objective,
    PeriodFile,
    Rebaseline,
    Unit,
    Workspace,
)
from okrctl.model.periods import Period, parse_period

LOC = Loc("test.yaml", 1, 1)


def num(x: Any) -> Number | None:
    """int/Decimal as is; a string becomes an exact Decimal; floats are refused."""
    if x is None or isinstance(x, (int, Decimal)) and not isinstance(x, bool):
        return x
    if isinstance(x, str):
        return Decimal(x)
    raise TypeError(f"give numbers as int, Decimal or str, not {x!r}")


def d(x: date | str | None) -> date | None:
    if x is None or isinstance(x, date):
        return x
    return date.fromisoformat(x)


def config(**kw: Any) -> Config:
    kw.setdefault("name", "Test")
    for k in ("max_score", "aspirational_target", "pace_at_risk", "pace_off_track"):
        if k in kw:
            kw[k] = num(kw[k])
    if "as_of" in kw:
        kw["as_of"] = d(kw["as_of"])
    return Config(**kw)


def approval(on: date | str, reason: str = "r", approved_by: str = "boss") -> Approval:
    return Approval(date=d(on), reason=reason, approved_by=approved_by, loc=LOC)  # type: ignore[arg-type]


cancelled = approval


def rebaseline(on: date | str, field: str = "target", from_: Any = 1, to: Any = 2) -> Rebaseline:
    return Rebaseline(d(on), field, from_, to, "r", "boss", LOC)  # type: ignore[arg-type]


def ci(
    on: date | str,
    value: Any = None,
    *,
    done: Iterable[str] | None = None,
    confidence: Any = None,
    by: str | None = None,
    note: str | None = None,
) -> CheckIn:
    """A check-in; ``value`` numbers go through :func:`num`, bools stay bools."""
    v = value if isinstance(value, bool) or value is None else num(value)
    return CheckIn(
        date=d(on),  # type: ignore[arg-type]
        value=v,
        done=None if done is None else tuple(done),
        confidence=num(confidence),
        by=by,
        note=note,
        evidence=(),
        loc=LOC,
    )


def meas(on: date | str, value: Any) -> Measurement:
    return Measurement(date=d(on), value=num(value), source=None, note=None, by=None, loc=LOC)  # type: ignore[arg-type]


def ms(id: str, weight: Any = 1, due: date | str | None = None, title: str | None = None) -> Milestone:
    return Milestone(id=id, title=title or id, weight=num(weight), due=d(due), loc=LOC)  # type: ignore[arg-type]


def kr(id: str = "KR1", type: str = "metric", **kw: Any) -> KeyResult:
    """A key result (ref filled in by :func:`pfile`)."""
    for k in ("baseline", "target", "threshold", "weight"):
        if k in kw:
            kw[k] = num(kw[k])
    if "due" in kw:
        kw["due"] = d(kw["due"])
    for k in ("checkins", "milestones", "rebaselines"):
        if k in kw:
            kw[k] = tuple(kw[k])
    if isinstance(kw.get("cancelled"), (str, date)):
        kw["cancelled"] = approval(kw["cancelled"])
    kw.setdefault("title", f"Key result {id}")
    return KeyResult(ref=id, id=id, type=type, loc=LOC, **kw)  # type: ignore[arg-type]


def metric(id: str = "KR1", baseline: Any = 0, target: Any = 100, **kw: Any) -> KeyResult:
    return kr(id, "metric", baseline=baseline, target=target, **kw)


def objective(id: str = "O1", krs: Iterable[KeyResult] = (), **kw: Any) -> Objective:
    """An objective (ref filled in by :func:`pfile`).  ``aligns_to`` is kept as
    written; ``aligns_to_ref`` is filled by :func:`pfile` like the loader does
    (period prefixed when left out)."""
    if "weight" in kw:
        kw["weight"] = num(kw["weight"])
    if isinstance(kw.get("cancelled"), (str, date)):
        kw["cancelled"] = approval(kw["cancelled"])
    kw.setdefault("title", f"Objective {id}")
    return Objective(ref=id, id=id, loc=LOC, key_results=tuple(krs), **kw)


def kpi(id: str = "K1", target: Any = 100, **kw: Any) -> KPI:
    for k in ("alert",):
        if k in kw:
            kw[k] = num(kw[k])
    if "measurements" in kw:
        kw["measurements"] = tuple(kw["measurements"])
    if isinstance(kw.get("cancelled"), (str, date)):
        kw["cancelled"] = approval(kw["cancelled"])
    kw.setdefault("title", f"KPI {id}")
    return KPI(ref=id, id=id, title=kw.pop("title"), target=num(target), loc=LOC, **kw)  # type: ignore[arg-type]


def pfile(
    period: str | Period,
    unit: str,
    objectives: Iterable[Objective] = (),
    kpis: Iterable[KPI] = (),
    fiscal_year_start: int = 1,
) -> PeriodFile:
    """A period file; rewrites refs of everything inside to the full form."""
    p = period if isinstance(period, Period) else parse_period(period, fiscal_year_start)
    objs = []
    for o in objectives:
        oref = f"{p.id}/{unit}/{o.id}"
        krs = tuple(dataclasses.replace(k, ref=f"{oref}/{k.id}") for k in o.key_results)
        aref = o.aligns_to_ref
        if aref is None and o.aligns_to:
            first = o.aligns_to.split("/", 1)[0]
            aref = o.aligns_to if first[:4].isdigit() else f"{p.id}/{o.aligns_to}"
        objs.append(dataclasses.replace(o, ref=oref, key_results=krs, aligns_to_ref=aref))
    ks = tuple(dataclasses.replace(k, ref=f"{p.id}/{unit}/{k.id}") for k in kpis)
    return PeriodFile(path=f"okrs/{p.id}/{unit}.yaml", unit=unit, period=p, objectives=tuple(objs), kpis=ks)


def unit(id: str, parent: str | None = None, **kw: Any) -> Unit:
    for k in ("weight", "self_weight"):
        if k in kw:
            kw[k] = num(kw[k])
    if "from_" in kw:
        kw["from_"] = d(kw["from_"])
    if "until" in kw:
        kw["until"] = d(kw["until"])
    kw.setdefault("name", id.upper())
    return Unit(id=id, parent=parent, **kw)


def workspace(
    files: Iterable[PeriodFile] = (),
    units: Iterable[Unit] | None = None,
    cfg: Config | None = None,
) -> Workspace:
    """A workspace; ``units`` default to one root unit per file's unit, in order of appearance."""
    fs = tuple(sorted(files, key=lambda f: f.path))
    if units is None:
        seen: dict[str, Unit] = {}
        for f in files:
            seen.setdefault(f.unit, unit(f.unit))
        units = tuple(seen.values())
    return Workspace(config=cfg or config(), units=tuple(units), files=fs)


def one_kr_ws(
    k: KeyResult,
    *,
    period: str = "2026-Q1",
    unit_id: str = "u",
    cfg: Config | None = None,
    **obj_kw: Any,
) -> Workspace:
    """A workspace with a single unit, objective O1 and the given KR."""
    return workspace([pfile(period, unit_id, [objective("O1", [k], **obj_kw)])], cfg=cfg)
