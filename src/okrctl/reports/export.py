"""``okrctl export`` / ``okrctl query``: the workspace as flat, typed tables.

One :class:`~okrctl.reports.tables.Table` per grain (docs/export.md): ``units``,
``objectives``, ``key_results``, ``checkins``, ``kpis``, ``measurements``, the
definition history ``changes`` (built by the caller from git, see
:func:`changes_table`) and ``_meta``.  The column lists below are THE definition:
the JSON Schemas in ``schema/export/`` and the column tables of docs/export.md are
kept in step with them by a test.

Person names (``owner``, ``by``, ``approved_by``) are left out unless asked for
(:data:`NAME_COLUMNS`): the tool scores work, never people.  Values stay exact
(``Fraction``/``Decimal``); writers decide how a number is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from okrctl import __version__
from okrctl.engine.results import KR_STATUSES, KPIScore, KRScore, ScoreResult, UnitScore
from okrctl.engine.scoring import current_checkin, current_measurement
from okrctl.reports.tables import Column, Table, make_table

#: the tables in export order
TABLES = ("units", "objectives", "key_results", "checkins", "kpis", "measurements", "changes", "_meta")

#: columns that name a person: present only with ``--with-names``
NAME_COLUMNS = frozenset({"owner", "by", "approved_by"})

#: KR statuses counted per unit and per objective (``krs_<status>`` columns)
COUNTED = KR_STATUSES

_ITEM = (("period", "ref", "the period id (`2026-Q2`)"),
         ("as_of", "date", "the scoring date D of the export"),
         ("unit", "ref", "the unit id"))
_SOURCE = (("path", "text", "the period file, relative to the workspace"),
           ("line", "int", "the line of the item in that file (1-based)"))
_COUNTS = tuple((f"krs_{s}", "int", f"key results with status `{s}` at D") for s in COUNTED)
_VALUE = (("value", "number", "the number (metric, maintain; with `aggregate: sum` baseline + the sum), empty otherwise"),
          ("value_bool", "bool", "boolean KRs: the value"),
          ("milestones_done", "text", "milestone KRs: the ids done, comma-separated"))

#: table → ((column, type, meaning), …): the one definition of every export column
SPECS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "units": (
        ("period", "ref", "the period id"), ("as_of", "date", "the scoring date D"),
        ("unit", "ref", "the unit id (units.yaml)"), ("name", "text", "the unit's name"),
        ("parent", "ref", "the parent unit id, empty for a root"),
        ("level", "int", "depth in the org tree among the units taking part (0 = a root)"),
        ("weight", "number", "weight in its parent's roll-up"),
        ("self_weight", "number", "weight of its own score in its roll-up"),
        ("from", "date", "first day the unit exists, empty when not set"),
        ("until", "date", "last day the unit exists, empty when not set"),
        ("score", "score", "own score: weighted mean of its objectives (docs/scoring.md)"),
        ("rolled_score", "score", "rolled-up score over the unit and its children (§6.4)"),
        ("objectives", "int", "objectives in the period file"),
        ("key_results", "int", "key results in the period file"),
        *_COUNTS,
        ("kpis", "int", "KPIs in the period file"),
        ("checkin_on_time", "number",
         "share of its KRs with a `frequency`, not cancelled, that are not overdue at D (§6.10); empty when none"),
    ),
    "objectives": (
        *_ITEM, ("objective", "ref", "the objective id"), ("ref", "ref", "`PERIOD/UNIT/OBJ`"),
        ("title", "text", "the objective's title"), ("kind", "code", "`committed` or `aspirational`"),
        ("weight", "number", "weight in the unit's score"),
        ("aligns_to", "ref", "the fully qualified objective or KR it aligns to"),
        ("score", "score", "weighted mean of its KRs' scores (§6.3)"),
        ("grade", "code", "the grade band label (§6.8)"), ("status", "code", "status at D (§6.7)"),
        ("key_results", "int", "its key results"), *_COUNTS,
        ("owner", "text", "the owner (only with `--with-names`)"), *_SOURCE,
    ),
    "key_results": (
        *_ITEM, ("objective", "ref", "the objective id"), ("key_result", "ref", "the KR id"),
        ("ref", "ref", "`PERIOD/UNIT/OBJ/KR`"), ("title", "text", "the KR's title"),
        ("type", "code", "`metric`, `boolean`, `milestone`, `maintain` or `aligned`"),
        ("unit_of_measure", "text", "the unit of measure (`%`, `hồ sơ`)"),
        ("direction", "code", "`increase` or `decrease` (metric, maintain)"),
        ("baseline", "number", "metric: the baseline"), ("target", "number", "metric: the target"),
        ("threshold", "number", "maintain: the threshold"),
        ("target_at_start", "number",
         "metric with a rebaselined target: the target before the first rebaseline (its `from`); else the target"),
        ("weight", "number", "weight in the objective's score"),
        *_VALUE,
        ("value_date", "date", "the date of the current check-in"),
        ("progress", "number", "metric with a check-in: the unclamped formula (§6.2)"),
        ("score", "score", "the score, clamped to [0, max_score]"),
        ("expected", "number", "the pace target of §6.6.7 (T × due weight or elapsed)"),
        ("status", "code", "status at D (§6.6)"),
        ("confidence", "number", "confidence of the current check-in (0..1)"),
        ("overdue", "bool", "its check-in is overdue at D (§6.10)"),
        ("rebaselined", "bool", "the KR has `rebaselines` entries"),
        ("cancelled", "bool", "the KR or its objective is cancelled at D"),
        ("days_since_checkin", "int", "days from the latest check-in dated ≤ D to D; empty without one"),
        ("owner", "text", "the owner (only with `--with-names`)"), *_SOURCE,
    ),
    "checkins": (
        *_ITEM, ("ref", "ref", "the key result `PERIOD/UNIT/OBJ/KR`"),
        ("date", "date", "the last day the value describes"), *_VALUE,
        ("confidence", "number", "confidence (0..1)"), ("note", "text", "the note"),
        ("evidence", "text", "evidence, one per line (a pinned document as its path or URL, a space and `sha256:` its hash)"),
        ("position", "int", "1-based position among the KR's check-ins of the same date, in file order"),
        ("superseded", "bool", "a later check-in of the same date corrects it"),
        ("current", "bool", "the check-in scoring uses at D (§6.1)"),
        ("by", "text", "who checked in (only with `--with-names`)"), *_SOURCE,
    ),
    "kpis": (
        *_ITEM, ("kpi", "ref", "the KPI id"), ("ref", "ref", "`PERIOD/UNIT/KPI`"),
        ("title", "text", "the KPI's title"), ("unit_of_measure", "text", "the unit of measure"),
        ("direction", "code", "`increase` or `decrease`"), ("target", "number", "meeting it is green"),
        ("alert", "number", "between alert and target is amber"),
        ("frequency", "code", "`weekly`, `monthly`, `quarterly` or empty"),
        ("value", "number", "the current measurement's value"),
        ("value_date", "date", "the current measurement's date"),
        ("status", "code", "`green`, `amber`, `red`, `no_data` or `cancelled` (§6.9)"),
        ("overdue", "bool", "its measurement is overdue at D (§6.10)"),
        ("cancelled", "bool", "cancelled at D"),
        ("days_since_measurement", "int", "days from the latest measurement dated ≤ D to D"),
        ("owner", "text", "the owner (only with `--with-names`)"), *_SOURCE,
    ),
    "measurements": (
        *_ITEM, ("ref", "ref", "the KPI `PERIOD/UNIT/KPI`"), ("date", "date", "the date measured"),
        ("value", "number", "the value"), ("source", "text", "where the number comes from"),
        ("note", "text", "the note"),
        ("position", "int", "1-based position among the KPI's measurements of the same date"),
        ("superseded", "bool", "a later measurement of the same date corrects it"),
        ("current", "bool", "the measurement status uses at D"),
        ("by", "text", "who measured (only with `--with-names`)"), *_SOURCE,
    ),
    "changes": (
        ("period", "ref", "the period id"), ("commit", "text", "the commit SHA (40 hex digits)"),
        ("date", "date", "the commit date in the workspace time zone (a claim, not proof)"),
        ("ref", "ref", "the objective, KR or KPI changed"),
        ("field", "code", "the definition field (`title`, `target`, …), `created`, `removed`, `rebaseline`, `added`, `cancelled`"),
        ("old", "text", "the old value as JSON"), ("new", "text", "the new value as JSON"),
        ("reason", "text", "rebaseline, added, cancelled records: the reason"),
        ("approved_by", "text", "who approved it (only with `--with-names`)"),
    ),
    "_meta": (
        ("key", "code", "`okrctl`, `schema_version`, `workspace`, `source_commit`, `as_of`, `periods`, `locale`, `with_names`"),
        ("value", "text", "its value"),
    ),
}


def columns(table: str, with_names: bool = False) -> tuple[Column, ...]:
    return tuple(Column(n, t) for n, t, _ in SPECS[table] if with_names or n not in NAME_COLUMNS)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ExportOptions:
    with_names: bool = False
    source_commit: str | None = None
    locale: str = "en"


def _counts(krs: Iterable[KRScore]) -> dict[str, int]:
    c = {f"krs_{s}": 0 for s in COUNTED}
    for k in krs:
        c[f"krs_{k.status}"] += 1
    return c


def _value_cells(kr_type: str, value: Any) -> dict[str, Any]:
    if kr_type == "boolean":
        return {"value_bool": None if value is None else bool(value)}
    if kr_type == "milestone":
        return {"milestones_done": None if value is None else ",".join(value)}
    return {"value": value}


def _src(loc) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line}


def _on_time(krs: Sequence[KRScore]) -> Fraction | None:
    due = [k for k in krs if k.kr.frequency is not None and not k.cancelled]
    return Fraction(sum(1 for k in due if not k.overdue), len(due)) if due else None


def _unit_row(u: UnitScore, base: dict[str, Any]) -> dict[str, Any]:
    krs = [k for o in u.objectives for k in o.key_results]
    return {**base, "name": u.unit.name, "parent": u.unit.parent, "level": u.depth, "weight": u.unit.weight,
            "self_weight": u.unit.self_weight, "from": u.unit.from_, "until": u.unit.until, "score": u.score,
            "rolled_score": u.rolled_score, "objectives": len(u.objectives), "key_results": len(krs),
            **_counts(krs), "kpis": len(u.kpis), "checkin_on_time": _on_time(krs)}


def _target_at_start(kr) -> Any:
    for r in kr.rebaselines:
        if r.field == "target":
            return r.from_
    return kr.target


def _kr_row(k: KRScore, base: dict[str, Any], D: date) -> dict[str, Any]:
    kr = k.kr
    last = current_checkin(kr.checkins, D)
    return {**base, "objective": kr.ref.split("/")[2], "key_result": kr.id, "ref": kr.ref, "title": kr.title,
            "type": kr.type, "unit_of_measure": kr.unit, "direction": k.direction, "baseline": kr.baseline,
            "target": kr.target, "threshold": kr.threshold,
            "target_at_start": _target_at_start(kr) if kr.type == "metric" else None, "weight": kr.weight,
            **_value_cells(kr.type, k.value), "value_date": k.value_date, "progress": k.progress,
            "score": k.score, "expected": k.expected, "status": k.status, "confidence": k.confidence,
            "overdue": k.overdue, "rebaselined": k.rebaselined, "cancelled": k.cancelled,
            "days_since_checkin": None if last is None else (D - last.date).days, "owner": kr.owner,
            **_src(kr.loc)}


def _evidence(items: Sequence[Any]) -> str | None:
    out = [e if isinstance(e, str) else f"{e.where} sha256:{e.sha256}" for e in items]
    return "\n".join(out) or None


def _positions(records: Sequence[Any], D: date, current: Any) -> list[dict[str, Any]]:
    """position among equal dates (1-based, file order), superseded, current; only records dated ≤ D."""
    last_of: dict[date, int] = {}
    for i, r in enumerate(records):
        last_of[r.date] = i
    seen: dict[date, int] = {}
    out = []
    for i, r in enumerate(records):
        seen[r.date] = seen.get(r.date, 0) + 1
        if r.date <= D:
            out.append({"_rec": r, "date": r.date, "position": seen[r.date], "superseded": last_of[r.date] != i,
                        "current": r is current, "by": r.by, "note": r.note, **_src(r.loc)})
    return out


def _checkin_rows(k: KRScore, base: dict[str, Any], D: date) -> list[dict[str, Any]]:
    kr = k.kr
    rows = []
    for row in _positions(kr.checkins, D, current_checkin(kr.checkins, D)):
        c = row.pop("_rec")
        value = c.done if kr.type == "milestone" else c.value
        rows.append({**base, **row, "ref": kr.ref, **_value_cells(kr.type, value), "confidence": c.confidence,
                     "evidence": _evidence(c.evidence)})
    return rows


def _kpi_row(k: KPIScore, base: dict[str, Any], D: date) -> dict[str, Any]:
    kp = k.kpi
    last = current_measurement(kp.measurements, D)
    return {**base, "kpi": kp.id, "ref": kp.ref, "title": kp.title, "unit_of_measure": kp.unit,
            "direction": kp.direction, "target": kp.target, "alert": kp.alert, "frequency": kp.frequency,
            "value": k.value, "value_date": k.value_date, "status": k.status, "overdue": k.overdue,
            "cancelled": k.cancelled, "days_since_measurement": None if last is None else (D - last.date).days,
            "owner": kp.owner, **_src(kp.loc)}


def _measurement_rows(k: KPIScore, base: dict[str, Any], D: date) -> list[dict[str, Any]]:
    kp = k.kpi
    rows = []
    for row in _positions(kp.measurements, D, current_measurement(kp.measurements, D)):
        m = row.pop("_rec")
        rows.append({**base, **row, "ref": kp.ref, "value": m.value, "source": m.source})
    return rows


def score_tables(results: Sequence[ScoreResult], opts: ExportOptions = ExportOptions()) -> dict[str, Table]:
    """The item tables (everything but ``changes`` and ``_meta``) of one or more periods."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES[:6]}
    for r in results:
        D = r.as_of
        for u in r.units:
            base = {"period": r.period.id, "as_of": D, "unit": u.unit.id}
            rows["units"].append(_unit_row(u, base))
            for o in u.objectives:
                rows["objectives"].append({
                    **base, "objective": o.objective.id, "ref": o.ref, "title": o.objective.title,
                    "kind": o.objective.kind, "weight": o.objective.weight, "aligns_to": o.aligns_to,
                    "score": o.score, "grade": o.grade, "status": o.status, "key_results": len(o.key_results),
                    **_counts(o.key_results), "owner": o.objective.owner, **_src(o.objective.loc)})
                for k in o.key_results:
                    rows["key_results"].append(_kr_row(k, base, D))
                    rows["checkins"].extend(_checkin_rows(k, base, D))
            for kp in u.kpis:
                rows["kpis"].append(_kpi_row(kp, base, D))
                rows["measurements"].extend(_measurement_rows(kp, base, D))
    return {t: make_table(t, columns(t, opts.with_names), rs) for t, rs in rows.items()}


def changes_table(events: Iterable[dict[str, Any]], opts: ExportOptions = ExportOptions()) -> Table:
    """``changes`` from event dicts with the keys of its columns (``old``/``new``
    already JSON text)."""
    return make_table("changes", columns("changes", opts.with_names), list(events))


def meta_table(workspace_name: str, as_of: date, periods: Sequence[str], opts: ExportOptions) -> Table:
    pairs = [("okrctl", __version__), ("schema_version", "1"), ("workspace", workspace_name),
             ("source_commit", opts.source_commit or ""), ("as_of", as_of.isoformat()),
             ("periods", ",".join(periods)), ("locale", opts.locale),
             ("with_names", "true" if opts.with_names else "false")]
    return make_table("_meta", columns("_meta"), [{"key": k, "value": v} for k, v in pairs])


def export_tables(results: Sequence[ScoreResult], opts: ExportOptions = ExportOptions(),
                  changes: Table | None = None) -> dict[str, Table]:
    """Every export table, in :data:`TABLES` order (``changes`` only when given)."""
    tables = score_tables(results, opts)
    if changes is not None:
        tables["changes"] = changes
    name = results[0].workspace_name if results else ""
    as_of = results[0].as_of if results else date.min
    tables["_meta"] = meta_table(name, as_of, [r.period.id for r in results], opts)
    return {t: tables[t] for t in TABLES if t in tables}


# ------------------------------------------------------------------ JSON Schema of each table

_JSON_TYPES = {"text": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]},
               "ref": {"type": ["string", "null"]}, "number": {"type": ["number", "null"]},
               "score": {"type": ["number", "null"]}, "int": {"type": ["integer", "null"]},
               "date": {"type": ["string", "null"], "format": "date"}, "bool": {"type": ["boolean", "null"]}}


def json_schema(table: str) -> dict[str, Any]:
    """The JSON Schema of one row of ``table`` (``schema/export/<table>.schema.json``)."""
    props = {n: {**_JSON_TYPES[t], "description": m} for n, t, m in SPECS[table]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://okrctl.dev/schema/export/{table}.schema.json",
        "title": f"okrctl export: one row of {table}",
        "type": "object",
        "properties": props,
        "required": [n for n, _, _ in SPECS[table] if n not in NAME_COLUMNS],
        "additionalProperties": False,
    }
