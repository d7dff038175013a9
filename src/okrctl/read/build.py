"""Typed records from a parsed document: :func:`build_config`, :func:`build_units`
and :func:`build_period_file` (the loader's "records" stage; also used by history and
codeowners for single versions of a file).  Given the blob id, every record's
:class:`~okrctl.model.records.Loc` is lazy: the JSON path of the record, its line and
column computed only when asked (see :func:`okrctl.model.records.register_positions`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from okrctl.model.layout import CONFIG_FILE, UNITS_FILE
from okrctl.model.records import (
    DEFAULT_GRADES,
    KPI,
    Approval,
    CheckIn,
    Config,
    Evidence,
    GradeBand,
    KeyResult,
    Loc,
    Measurement,
    Milestone,
    Objective,
    PeriodFile,
    PinnedEvidence,
    Rebaseline,
    ReportHeader,
    Unit,
)
from okrctl.model.refs import format_ref, qualify
from okrctl.read.yamlread import Parsed


def _date(v: object) -> date | None:
    return date.fromisoformat(v) if isinstance(v, str) else None


def _num(v: object):
    return v if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else None


class _Builder:
    """Records with their :class:`Loc`: given the blob id ``sha``, lazy ones (the
    JSON path ``at`` of the record; line and column computed only when read, see
    :func:`_register_positions`), otherwise resolved at once."""

    def __init__(self, doc: Parsed, path: str, sha: str | None = None) -> None:
        self.doc = doc
        self.path = path
        self.sha = sha

    def loc(self, at: tuple) -> Loc:
        if self.sha is not None:
            return Loc(self.path, 0, 0, self.sha, at)
        return Loc(self.path, *self.doc.position(at))

    def approval(self, d: dict | None, at: tuple) -> Approval | None:
        if not isinstance(d, dict):
            return None
        return Approval(_date(d["date"]), d["reason"], d["approved_by"], self.loc(at))  # type: ignore[arg-type]

    def rebaselines(self, item: dict, at: tuple) -> tuple[Rebaseline, ...]:
        return tuple(
            Rebaseline(_date(r["date"]), r["field"], r["from"], r["to"], r["reason"], r["approved_by"], self.loc((*at, "rebaselines", i)))  # type: ignore[arg-type]
            for i, r in enumerate(item.get("rebaselines") or ())
        )

    def review(self, d: dict | None) -> str | None:
        return d.get("note") if isinstance(d, dict) else None


def build_config(doc: Parsed) -> Config:
    v: dict = doc.value  # type: ignore[assignment]
    sc = v.get("scoring") or {}
    pace = sc.get("pace") or {}
    grades = dict(DEFAULT_GRADES)
    for kind, bands in (sc.get("grades") or {}).items():
        if kind.startswith("x-"):  # the user's own data, not a kind of objective
            continue
        grades[kind] = tuple(GradeBand(b["min"], b["label"]) for b in bands)
    pol = v.get("policy") or {}
    lad = pol.get("lock_after_days", 14)
    if isinstance(lad, dict):
        lock = {"quarter": lad.get("quarter", 14), "half": lad.get("half", 14), "year": lad.get("year", 14)}
    else:
        lock = {"quarter": lad, "half": lad, "year": lad}
    kw = {}
    for key, attr in (("max_score", "max_score"), ("aspirational_target", "aspirational_target")):
        if key in sc:
            kw[attr] = sc[key]
    if "at_risk" in pace:
        kw["pace_at_risk"] = pace["at_risk"]
    if "off_track" in pace:
        kw["pace_off_track"] = pace["off_track"]
    return Config(
        name=v["name"],
        locale=v.get("locale", "en"),
        timezone=v.get("timezone", "UTC"),
        fiscal_year_start=v.get("fiscal_year_start", 1),
        checkin_grace_days=v.get("checkin_grace_days", 15),
        as_of=_date(v.get("as_of")),
        grades=grades,
        lock_after_days=lock,
        locked_periods=tuple(pol.get("locked_periods") or ()),
        backdate_days=pol.get("backdate_days", 15),
        rules={k: r for k, r in (pol.get("rules") or {}).items() if not k.startswith("x-")},
        report=_report_header(v.get("report") or {}),
        loc=Loc(CONFIG_FILE, 1, 1),
        **kw,
    )


def _evidence_item(b: _Builder, e: object, at: tuple) -> Evidence:
    if isinstance(e, dict):
        return PinnedEvidence(e["sha256"], e.get("path"), e.get("url"), e.get("title"), b.loc(at))
    return e  # type: ignore[return-value]


def _report_header(r: dict) -> ReportHeader:
    text = {k: r[k] for k in ("agency", "parent_agency", "abbreviation", "place", "signer_title", "signer_name", "licence")
            if isinstance(r.get(k), str)}
    return ReportHeader(**text, recipients=tuple(r.get("recipients") or ()))


def build_units(doc: Parsed, sha: str | None = None) -> tuple[Unit, ...]:
    b = _Builder(doc, UNITS_FILE, sha)
    out = []
    for i, u in enumerate(doc.value["units"]):  # type: ignore[index]
        at = ("units", i)
        out.append(Unit(
            id=u["id"], name=u["name"], parent=u.get("parent"),
            owners=tuple(u.get("owners") or ()), approvers=tuple(u.get("approvers") or ()),
            weight=u.get("weight", 1), self_weight=u.get("self_weight", 1),
            from_=_date(u.get("from")), until=_date(u.get("until")),
            replaced_by=tuple(u.get("replaced_by") or ()), loc=b.loc(at),
            parent_loc=b.loc((*at, "parent")) if "parent" in u else None,
            replaced_by_loc=b.loc((*at, "replaced_by")) if "replaced_by" in u else None,
        ))
    return tuple(out)


def _checkins(b: _Builder, items: list | None, at: tuple) -> tuple[CheckIn, ...]:
    """The check-ins of a KR (the hot loop of a cold load: positional arguments, no
    generator per check-in, lazy locations built inline)."""
    if not items:
        return ()
    sha, path, loc = b.sha, b.path, b.loc
    out = []
    for ci, c in enumerate(items):
        ev = c.get("evidence")
        out.append(CheckIn(
            _date(c["date"]),  # type: ignore[arg-type]
            c.get("value"),
            tuple(c["done"]) if "done" in c else None,
            c.get("confidence"),
            c.get("by"), c.get("note"),
            tuple(_evidence_item(b, e, (*at, ci, "evidence", ei)) for ei, e in enumerate(ev)) if ev else (),
            Loc(path, 0, 0, sha, (*at, ci)) if sha is not None else loc((*at, ci)),
        ))
    return tuple(out)


def build_period_file(doc: Parsed, path: str, unit_id: str, period, sha: str | None) -> PeriodFile:
    b = _Builder(doc, path, sha)
    v: dict = doc.value  # type: ignore[assignment]
    objectives = []
    for oi, o in enumerate(v.get("objectives") or ()):
        oat = ("objectives", oi)
        oref = format_ref(period.id, unit_id, o["id"])
        krs = []
        for ki, k in enumerate(o["key_results"]):
            kat = (*oat, "key_results", ki)
            checkins = _checkins(b, k.get("checkins"), (*kat, "checkins"))
            milestones = tuple(
                Milestone(m["id"], m["title"], m.get("weight", 1), _date(m.get("due")), b.loc((*kat, "milestones", mi)))
                for mi, m in enumerate(k.get("milestones") or ())
            )
            rebaselines = b.rebaselines(k, kat)
            krs.append(KeyResult(
                ref=format_ref(period.id, unit_id, o["id"], k["id"]), id=k["id"], title=k["title"], type=k.get("type", "metric"), loc=b.loc(kat),
                unit=k.get("unit"), owner=k.get("owner"),
                baseline=_num(k.get("baseline")), target=_num(k.get("target")), direction=k.get("direction"),
                aggregate=k.get("aggregate", "last"), threshold=_num(k.get("threshold")), due=_date(k.get("due")),
                milestones=milestones, frequency=k.get("frequency"), due_days=k.get("due_days", 7),
                weight=k.get("weight", 1), checkins=checkins, rebaselines=rebaselines,
                added=b.approval(k.get("added"), (*kat, "added")), cancelled=b.approval(k.get("cancelled"), (*kat, "cancelled")),
                review=b.review(k.get("review")),
            ))
        aligns = o.get("aligns_to")
        objectives.append(Objective(
            ref=oref, id=o["id"], title=o["title"], loc=b.loc(oat), owner=o.get("owner"),
            kind=o.get("kind", "committed"), weight=o.get("weight", 1),
            aligns_to=aligns, aligns_to_ref=qualify(aligns, period.id) if aligns else None,
            key_results=tuple(krs), rebaselines=b.rebaselines(o, oat),
            added=b.approval(o.get("added"), (*oat, "added")), cancelled=b.approval(o.get("cancelled"), (*oat, "cancelled")),
            review=b.review(o.get("review")),
            aligns_to_loc=b.loc((*oat, "aligns_to")) if aligns else None,
        ))
    kpis = []
    for pi, k in enumerate(v.get("kpis") or ()):
        pat = ("kpis", pi)
        kpis.append(KPI(
            ref=format_ref(period.id, unit_id, k["id"]), id=k["id"], title=k["title"], target=k["target"], loc=b.loc(pat),
            unit=k.get("unit"), owner=k.get("owner"), direction=k.get("direction", "increase"),
            alert=_num(k.get("alert")), frequency=k.get("frequency"), due_days=k.get("due_days", 7),
            measurements=tuple(
                Measurement(_date(m["date"]), m["value"], m.get("source"), m.get("note"), m.get("by"), b.loc((*pat, "measurements", mi)))  # type: ignore[arg-type]
                for mi, m in enumerate(k.get("measurements") or ())
            ),
            rebaselines=b.rebaselines(k, pat),
            added=b.approval(k.get("added"), (*pat, "added")), cancelled=b.approval(k.get("cancelled"), (*pat, "cancelled")),
            review=b.review(k.get("review")),
        ))
    return PeriodFile(path, unit_id, period, tuple(objectives), tuple(kpis), sha)
