"""``okrctl period new``: the files of a new period, carrying the unfinished objectives
and key results of the one before (see docs/writing.md)."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import os
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from okrctl.model.layout import period_dir, period_file
from okrctl.model.periods import Period, parse_period
from okrctl.model.records import KeyResult, Objective, PeriodFile, Workspace
from okrctl.model.refs import has_period, local_part, period_of, qualify
from okrctl.read.source import Source, SourceError, WorkingTreeSource
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused, WriteRefused
from okrctl.write.workspace import Overlay, _check_emitted, _diag_line, _load, _workspace_of, emit_yaml

__all__ = ["NewFile", "PeriodPlan", "new_period", "previous_period"]


def _exact_decimal(x: Fraction) -> Decimal:
    """The decimal equal to ``x`` (values okrctl reads are decimals, so sums of them are)."""
    for k in range(0, 80):
        scaled = x * 10**k
        if scaled.denominator == 1:
            return Decimal(scaled.numerator).scaleb(-k)
    raise Refused(_("internal error: {x} has no exact decimal form").format(x=x))


def previous_period(p: Period, fiscal_year_start: int = 1) -> Period:
    """The period just before ``p`` of the same kind (2026-Q1 → 2025-Q4, 2026-H1 →
    2025-H2, 2026 → 2025)."""
    year = int(p.id[:4])
    if p.kind == "year":
        pid = str(year - 1)
    elif p.kind == "half":
        pid = f"{year}-H1" if p.id.endswith("H2") else f"{year - 1}-H2"
    else:
        n = int(p.id[-1])
        pid = f"{year}-Q{n - 1}" if n > 1 else f"{year - 1}-Q4"
    return parse_period(pid, fiscal_year_start)


_DROP_ITEM_KEYS = ("checkins", "measurements", "rebaselines", "added", "cancelled", "review")


@dataclass
class NewFile:
    path: str
    unit: str
    text: str
    objectives: list[tuple[str, list[str]]]  # (objective id, [KR ids])
    kpis: list[str]
    created: bool = False


@dataclass
class PeriodPlan:
    period: str
    source: str
    files: list[NewFile]
    skipped: list[tuple[str, str]]  # (path or unit, why)
    notes: list[str]


def new_period(root: Path, period_id: str, from_id: str | None = None, *, dry_run: bool = False,
               lock_timeout: float = 10.0) -> PeriodPlan:
    """Create ``okrs/<period_id>/<unit>.yaml`` for every unit that has a file in the source
    period (default: the one just before, of the same kind) and takes part in the new
    one, carrying the unfinished objectives and key results (see docs/writing.md).
    Existing files are never touched.  The new files must validate with the rest of the
    workspace, or nothing is written."""
    from okrctl.engine.scoring import score_workspace

    root = Path(root).resolve()
    base = WorkingTreeSource(root)
    res = _load(base)
    ws = _workspace_of(res)
    errors = [d for d in res.diagnostics if d.severity == "error"]
    if errors:
        raise Refused(ngettext("the workspace has {n} error; fix it first (okrctl validate)",
                               "the workspace has {n} errors; fix them first (okrctl validate)", len(errors)),
                      [_diag_line(d) for d in errors[:20]])
    fys = ws.config.fiscal_year_start
    try:
        new = parse_period(period_id, fys)
    except ValueError as exc:
        raise BadInput(_("PERIOD: {exc}").format(exc=exc)) from None
    if from_id is not None:
        try:
            src = parse_period(from_id, fys)
        except ValueError as exc:
            raise BadInput(_("--from: {exc}").format(exc=exc)) from None
    else:
        src = previous_period(new, fys)
    if src.end >= new.start:
        raise BadInput(_("--from {id} must end before {id2} starts ({start})").format(id=src.id, id2=new.id, start=new.start))
    src_files = ws.files_for(src.id)
    if not src_files:
        raise BadInput(_("no files in okrs/{id}/ to carry over into {id2}; name another source with --from").format(id=src.id, id2=new.id))
    result = score_workspace(ws, src, src.end)
    existing_new = {f.unit: f for f in ws.files_for(new.id)}
    listed = {f.path for f in base.list_files()[0]}

    plan = PeriodPlan(new.id, src.id, [], [], [])
    # 1. what is unfinished, per unit in units.yaml order
    carry: dict[str, list[tuple[Objective, list[KeyResult]]]] = {}
    src_by_unit = {f.unit: f for f in src_files}
    for unit in ws.units:
        pf = src_by_unit.get(unit.id)
        if pf is None:
            continue
        path = period_file(new.id, unit.id)
        if not unit.takes_part(new):
            span = f"{unit.from_ or '…'} .. {unit.until or '…'}"
            plan.skipped.append((unit.id, _("does not take part in {period} ({span})").format(period=new.id, span=span)))
            continue
        if unit.id in existing_new or path in listed or os.path.lexists(root / path):
            plan.skipped.append((path, _("exists; okrctl never overwrites a file")))
            continue
        objs: list[tuple[Objective, list[KeyResult]]] = []
        for o in pf.objectives:
            os_ = result.find(o.ref)
            if os_ is None or os_.cancelled:
                continue
            krs = [ks.kr for ks in os_.key_results  # type: ignore[union-attr]
                   if not ks.cancelled and (ks.score is None or ks.score < ks.T)]
            if krs:
                objs.append((o, krs))
        carry[unit.id] = objs

    # 2. alignment: keep aligns_to when its target still resolves; keep an aligned KR only
    #    while some objective of the new period feeds it (repeat until nothing changes)
    existing_refs: set[str] = set()
    existing_feeds: set[str] = set()
    for f in existing_new.values():
        for o in f.objectives:
            if o.cancelled is None:
                existing_refs.add(local_part(o.ref))
                existing_refs.update(local_part(k.ref) for k in o.key_results if k.cancelled is None)
            if o.aligns_to_ref and o.aligns_to_ref.startswith(new.id + "/"):
                existing_feeds.add(local_part(o.aligns_to_ref))
    aligns: dict[str, str | None] = {}
    while True:
        carried = set(existing_refs)
        for objs in carry.values():
            for o, krs in objs:
                carried.add(local_part(o.ref))
                carried.update(local_part(k.ref) for k in krs)
        aligns.clear()
        why: dict[str, str] = {}
        for objs in carry.values():
            for o, _unused in objs:
                aligns[o.ref], why[o.ref] = _carry_alignment(ws, o, src, new, carried)
        feeds = set(existing_feeds)
        for ref, a in aligns.items():
            if a is not None:
                q = qualify(a, new.id)
                if q.startswith(new.id + "/"):
                    feeds.add(local_part(q))
        changed = False
        for unit_id, objs in carry.items():
            kept = []
            for o, krs in objs:
                keep = [k for k in krs if k.type != "aligned" or local_part(k.ref) in feeds]
                for k in krs:
                    if k not in keep:
                        plan.notes.append(_("{id}/{local_part} (aligned) is not carried: no objective of {id} aligns to it").format(id=new.id, local_part=local_part(k.ref)))
                        changed = True
                if keep:
                    kept.append((o, keep))
                elif krs:
                    plan.notes.append(_("{id}/{local_part} is not carried: none of its unfinished key results can be").format(id=new.id, local_part=local_part(o.ref)))
            carry[unit_id] = kept
        if not changed:
            break
    for objs in carry.values():
        for o, _unused in objs:
            if aligns.get(o.ref) is None and o.aligns_to:
                plan.notes.append(_("{id}/{local_part}: aligns_to {aligns_to_ref} dropped ({why})").format(id=new.id, local_part=local_part(o.ref), aligns_to_ref=o.aligns_to_ref, why=why[o.ref]))

    # 3. the files
    new_files: dict[str, bytes] = {}
    for unit_id, objs in carry.items():
        pf = src_by_unit[unit_id]
        nf = _carried_file(ws, pf, res.documents[pf.path], objs, aligns, result, src, new, base, plan.notes)
        plan.files.append(nf)
        new_files[nf.path] = nf.text.encode("utf-8")
    if not plan.files:
        return plan

    after = _load(Overlay(base, new_files))
    bad = [d for d in after.diagnostics if d.severity == "error"]
    if after.workspace is None or bad:
        first = bad[0] if bad else None
        raise Refused(f"the new files of {new.id} would not validate"
                      + (f": {first.path}:{first.line}:{first.column} {first.code} {first.message}" if first else "")
                      + "; nothing was written", [_diag_line(d) for d in bad[:20]])
    if dry_run:
        return plan
    try:
        # the lock is on the period folder's path (it need not exist yet); the files
        # and the folder are created all or nothing, never through a symlink
        with fsio.file_lock(root / period_dir(new.id), timeout=lock_timeout):
            made = fsio.create_all(root, {nf.path: new_files[nf.path] for nf in plan.files})
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    for nf in plan.files:
        nf.created = made[nf.path]
        if not nf.created:
            plan.skipped.append((nf.path, _("appeared while okrctl was writing; left as it is")))
    return plan


def _carry_alignment(ws: Workspace, o: Objective, src: Period, new: Period, carried: set[str]) -> tuple[str | None, str]:
    """The ``aligns_to`` text for the carried copy of ``o`` (None: dropped) and why."""
    if not o.aligns_to or not o.aligns_to_ref:
        return None, ""
    q = o.aligns_to_ref
    qp_id, rest = period_of(q), local_part(q)
    if qp_id == src.id:
        if rest in carried:
            written_with_period = has_period(o.aligns_to)
            return (f"{new.id}/{rest}" if written_with_period else o.aligns_to), ""
        return None, _("{ref} is not carried into {period}").format(ref=f"{new.id}/{rest}", period=new.id)
    try:
        qp = parse_period(qp_id, ws.config.fiscal_year_start)
    except ValueError:
        return None, _("{period} is not a period").format(period=qp_id)
    if not qp.encloses(new):
        return None, _("{period} does not enclose {new}").format(period=qp_id, new=new.id)
    target = ws.resolve(q)
    if target is None:
        return None, _("{ref} does not exist").format(ref=q)
    cancelled = getattr(target, "cancelled", None)
    if cancelled is not None:
        return None, _("{ref} is cancelled").format(ref=q)
    return o.aligns_to, ""


def _as_written(parsed: Any, value: Any) -> Any:
    """``value`` from a parsed document with only the keys written in the file (the
    schema validator fills in defaults such as ``type: metric``; a copy must not)."""
    if isinstance(value, dict):
        node = parsed.nodes.get(id(value))
        written = None
        if node is not None and isinstance(node.value, list):
            written = {unicodedata.normalize("NFC", k.value) for k, _unused in node.value}
        return {k: _as_written(parsed, v) for k, v in value.items() if written is None or k in written}
    if isinstance(value, list):
        return [_as_written(parsed, v) for v in value]
    return value


def _carried_file(ws: Workspace, pf: PeriodFile, parsed: Any, objs: list[tuple[Objective, list[KeyResult]]],
                  aligns: dict[str, str | None], result: Any, src: Period, new: Period, base: Source,
                  notes: list[str]) -> NewFile:
    unit = ws.unit_by_id[pf.unit]
    doc_src = _as_written(parsed, parsed.value)
    doc: dict[str, Any] = {"unit": unit.id, "period": new.id}
    for k, v in doc_src.items():
        if k.startswith("x-"):
            doc[k] = v
    raw_objs = doc_src.get("objectives") or []
    out_objs = []
    summary: list[tuple[str, list[str]]] = []
    for o, krs in objs:
        raw_o = raw_objs[pf.objectives.index(o)]
        new_o: dict[str, Any] = {}
        for k, v in raw_o.items():
            if k in _DROP_ITEM_KEYS:
                continue
            if k == "aligns_to":
                a = aligns.get(o.ref)
                if a is not None:
                    new_o[k] = a
                continue
            if k == "key_results":
                new_o[k] = [_carried_kr(raw_o["key_results"][o.key_results.index(kr)], kr, result, new, notes) for kr in krs]
                continue
            new_o[k] = v
        out_objs.append(new_o)
        summary.append((o.id, [k.id for k in krs]))
    doc["objectives"] = out_objs
    kpis = []
    raw_kpis = doc_src.get("kpis") or []
    for i, kp in enumerate(pf.kpis):
        if kp.cancelled is not None and kp.cancelled.date <= src.end:
            continue
        kpis.append({k: v for k, v in raw_kpis[i].items() if k not in _DROP_ITEM_KEYS})
    if kpis:
        doc["kpis"] = kpis
    modeline = _modeline_of(base, pf.path)
    locale = ws.config.locale
    if locale == "vi":
        head = [f"# OKR kỳ {new.id} của {unit.name}: tạo bằng `okrctl period new` từ kỳ {src.id}.",
                "# Mục tiêu và kết quả then chốt chưa hoàn thành được chuyển tiếp; giá trị gốc",
                f"# (baseline) là giá trị ngày {src.end}."]
    else:
        head = [f"# OKRs of {unit.name} for {new.id}, created by `okrctl period new` from {src.id}:",
                "# the unfinished objectives and key results, each metric's baseline being its",
                f"# value on {src.end}."]
    header = ([modeline, "#"] if modeline else []) + [h.replace("\n", " ") for h in head] + [""]
    text = emit_yaml(doc, header)
    path = period_file(new.id, unit.id)
    _check_emitted(text, doc, path)
    return NewFile(path, unit.id, text, summary, [k["id"] for k in kpis])


def _carried_kr(raw: dict, kr: KeyResult, result: Any, new: Period, notes: list[str]) -> dict:
    ks = result.find(kr.ref)
    new_ref = f"{new.id}/{local_part(kr.ref)}"
    dues = ([("due", kr.due)] if kr.due else []) + [(f"milestone {m.id} due", m.due) for m in kr.milestones if m.due]
    for what, when in dues:
        if when is not None and not new.contains(when):
            notes.append(_("{new_ref}: {what} {when} lies outside {id}; set a new date").format(new_ref=new_ref, what=what, when=when, id=new.id))
    if kr.type == "milestone" and ks is not None and ks.value:
        notes.append(_("{new_ref}: milestones done by the end of the old period: {value} (the new period starts without check-ins; record them again with okrctl checkin {new_ref} {value2})").format(new_ref=new_ref, value=', '.join(ks.value), value2=','.join(ks.value)))
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k in _DROP_ITEM_KEYS:
            continue
        if k == "baseline" and kr.type == "metric" and ks is not None and ks.value is not None:
            cur = ks.checkin
            if kr.aggregate != "sum" and cur is not None and isinstance(cur.value, int | Decimal) and not isinstance(cur.value, bool):
                out[k] = cur.value  # exactly as written in the check-in
            else:
                out[k] = _exact_decimal(Fraction(ks.value))
            continue
        out[k] = v
    return out


def _modeline_of(base: Source, path: str) -> str | None:
    try:
        first = base.read(path).decode("utf-8", "replace").lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    except SourceError:
        first = ""
    if first.startswith("# yaml-language-server:"):
        return first
    root = getattr(base, "root", None)
    if root is not None and (Path(root) / "schema" / "okr-file.schema.json").is_file():
        return "# yaml-language-server: $schema=../../schema/okr-file.schema.json"
    return None
