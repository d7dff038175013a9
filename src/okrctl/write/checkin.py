"""``okrctl checkin`` and ``okrctl measure``: append a check-in to a key result or a
measurement to a KPI.

How a check-in is written (:func:`append_record`): load the workspace and resolve the
reference; take the directory's sidecar lock (:func:`okrctl.write.fsio.file_lock`);
read the file's bytes (re-loading the workspace if they changed since); build the
item; compute the new bytes with :func:`okrctl.write.yamledit.append_item` (or, for a file
whose formatting a ruamel round trip would change, :func:`okrctl.write.yamledit.splice_item`:
same verification, only the new lines are rendered); re-load the whole workspace with
the new bytes in place of the file and refuse if that file then has any error; replace
the file atomically with ``expected_sha`` = the blob SHA of the bytes read; optionally
commit that one file (hooks never run) -- all under the lock.
"""

from __future__ import annotations

from okrctl.model.messages import _

import difflib
import unicodedata
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from okrctl import krtypes
from okrctl.model import dates, layout
from okrctl.model.inputs import InputError, number_text
from okrctl.model.periods import Period, parse_period
from okrctl.model.records import KPI, KeyResult, Objective, PeriodFile, Workspace
from okrctl.model.refs import RefError, choose_period
from okrctl.model.text import CONTROL_OR_BOM
from okrctl.read.source import Source, SourceError, WorkingTreeSource, blob_sha
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused, WriteRefused
from okrctl.write.inputs import _clean_text, _parse_confidence, parse_number
from okrctl.write.workspace import _load, _today_in, _validate_change, _workspace_of

__all__ = ["CheckinResult", "Target", "append_record", "new_bytes_with_item", "resolve_target"]


# ----------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Target:
    """The item a check-in or measurement goes to."""

    ref: str  # fully qualified PERIOD/UNIT/OBJ/KR or PERIOD/UNIT/KPI
    period: Period
    file: PeriodFile
    container_path: list[str | int]
    list_key: str  # "checkins" | "measurements"
    item: KeyResult | KPI
    objective: Objective | None
    #: one line when the reference, typed without its period, could mean more than one item
    note: str | None = None


def _closest(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return _("; did you mean {ref}?").format(ref=near[0]) if near else ""


def resolve_target(ws: Workspace, source: Source, ref: str, on: date | None, kind: str) -> tuple[Target, date]:
    """Resolve REF (with or without its period) for ``kind`` ``"kr"`` or ``"kpi"`` and the
    date of the new record.  Without ``on`` the date is today in the workspace time zone
    -- or, when REF names a period that has already ended, that period's last day."""
    ref = unicodedata.normalize("NFC", ref.strip()).strip("/")
    today = _today_in(ws.config)
    fys = ws.config.fiscal_year_start
    # one rule for every command (model.refs.choose_period): without its period, the
    # reference names the default period at the record's --date, else at the scoring date
    try:
        choice = choose_period(ref, ws.period_ids(), on if on is not None else dates.scoring_date(ws.config), fys)
        period = parse_period(choice.period, fys)
    except (RefError, ValueError) as exc:
        raise BadInput(_("REF: {message}").format(message=getattr(exc, "message", exc))) from None
    rest = list(choice.rest)
    d = on if on is not None else min(today, period.end)
    shape = "PERIOD/UNIT/OBJECTIVE/KR" if kind == "kr" else "PERIOD/UNIT/KPI"
    if len(rest) < 2 or any(not p for p in rest) or len(rest) > 3:
        raise BadInput(_("REF: {ref!r} is not a reference; write {shape} (the period may be left out)").format(ref=ref, shape=shape))
    unit_id = rest[0]
    if unit_id not in ws.unit_by_id:
        raise BadInput(_("REF: no unit {unit_id!r} in units.yaml{closest}").format(unit_id=unit_id, closest=_closest(unit_id, list(ws.unit_by_id))))
    try:
        note = choice.note(choice.check(lambda p: (pf := ws.file(p, unit_id)) is not None and pf.holds(rest[1:])))
    except RefError as exc:
        raise BadInput(_("REF: {message}").format(message=exc.message)) from None
    pf = ws.file(period.id, unit_id)
    path = layout.period_file(period.id, unit_id)
    if pf is None:
        listed, refused = source.list_files()
        if path in {f.path for f in listed}:
            raise Refused(_("{path} has errors; fix them first (okrctl validate {path})").format(path=path))
        why = next((e for e in refused if e.path == path or path.startswith(e.path + "/")), None)
        if why is not None:  # a link, a FIFO, a submodule …: say so rather than "there is no"
            raise Refused(_("{message}; okrctl will not write to {path}").format(message=why.message, path=path))
        raise BadInput(_("REF: there is no {path} (unit {unit_id} has no OKRs for {id})").format(path=path, unit_id=unit_id, id=period.id))
    item_id = rest[1]
    obj = next((o for o in pf.objectives if o.id == item_id), None)
    kpi = next((k for k in pf.kpis if k.id == item_id), None)
    full = f"{period.id}/{'/'.join(rest)}"
    if kind == "kr":
        if len(rest) == 2:
            if kpi is not None:
                raise BadInput(_("REF: {full} is a KPI; record its value with: okrctl measure {full} VALUE").format(full=full))
            if obj is not None:
                raise BadInput(f"REF: {full} is an objective; check in on one of its key results: "
                               + ", ".join(k.ref for k in obj.key_results))
            raise BadInput(_("REF: {path} has no objective {item_id!r}{closest}").format(path=pf.path, item_id=item_id, closest=_closest(item_id, [o.id for o in pf.objectives])))
        if obj is None:
            raise BadInput(_("REF: {path} has no objective {item_id!r}{closest}").format(path=pf.path, item_id=item_id, closest=_closest(item_id, [o.id for o in pf.objectives])))
        kr = next((k for k in obj.key_results if k.id == rest[2]), None)
        if kr is None:
            raise BadInput(_("REF: {ref} has no key result {rest!r} (it has {items})").format(ref=obj.ref, rest=rest[2], items=', '.join(k.id for k in obj.key_results)))
        oi = pf.objectives.index(obj)
        ki = obj.key_results.index(kr)
        target = Target(kr.ref, period, pf, ["objectives", oi, "key_results", ki], "checkins", kr, obj, note)
    else:
        if len(rest) == 3 or (kpi is None and obj is not None):
            raise BadInput(_("REF: {full} is {value}; record progress with: okrctl checkin {value2} VALUE").format(full=full, value='a key result' if len(rest) == 3 else 'an objective', value2=full if len(rest) == 3 else full + '/KR'))
        if kpi is None:
            raise BadInput(_("REF: {path} has no KPI {item_id!r}{closest}").format(path=pf.path, item_id=item_id, closest=_closest(item_id, [k.id for k in pf.kpis])))
        target = Target(kpi.ref, period, pf, ["kpis", pf.kpis.index(kpi)], "measurements", kpi, None, note)
    if not period.contains(d):
        how = f"--date {d}" if on is not None else f"today ({d})"
        raise BadInput(_("{how} lies outside {id} ({start} .. {end}); a check-in's date is the last day its value describes: pass --date inside the period").format(how=how, id=period.id, start=period.start, end=period.end))
    return target, d


def _refuse_state(ws: Workspace, t: Target) -> None:
    item = t.item
    noun = "KPI" if isinstance(item, KPI) else "key result"
    if isinstance(item, KeyResult) and krtypes.of(item).fed_by_objectives:
        raise Refused(_("{ref} is an aligned key result: its score comes from the objectives aligned to it, so it takes no check-ins; check in on their key results instead").format(ref=t.ref))
    for what, rec in ((noun, item.cancelled), ("objective", t.objective.cancelled if t.objective else None)):
        if rec is not None:
            whose = t.ref if what == noun else t.objective.ref  # type: ignore[union-attr]
            raise Refused(_("{whose} was cancelled on {date} ({reason}); okrctl adds no check-ins to a cancelled {what}").format(whose=whose, date=rec.date, reason=rec.reason, what=what))
    if t.period.id in ws.config.locked_periods:
        raise Refused(_("{id} is closed (listed in policy.locked_periods of okrctl.yaml); its files take no more check-ins").format(id=t.period.id))


# ----------------------------------------------------------------------------- check-ins


@dataclass
class CheckinResult:
    """What :func:`append_record` did (or, with ``dry_run``, would do)."""

    ref: str
    path: str  # workspace-relative
    date: date
    item: dict
    old: bytes
    new: bytes
    written: bool
    summary: str  # "62 (confidence 0.7)"
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    spliced: bool = False
    #: the ``by`` written (None: left out) and where it came from (``--by``,
    #: ``git config okrctl.handle``, ``OKRCTL_HANDLE``; None when left out)
    by: str | None = None
    by_from: str | None = None

    def diff(self) -> str:
        """Unified diff of the file (what ``--dry-run`` prints)."""
        a = self.old.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.new.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}"))


#: files larger than this are spliced first (:func:`new_bytes_with_item`); a round trip
#: of a typical 25 KB period file takes ~0.3 s, of a 1 MB one ~15 s
SPLICE_FIRST_BYTES = 128 * 1024


def new_bytes_with_item(data: bytes, container_path: list[str | int], list_key: str, item: dict, name: str) -> tuple[bytes, bool]:
    """``data`` with ``item`` appended to the list: :func:`yamledit.append_item` (ruamel
    round trip), or when that refuses, :func:`yamledit.splice_item` (for files whose
    formatting a round trip would change).  Returns the bytes and whether splicing was
    used.  Both verify that the result is the original plus the new lines only."""
    from okrctl.write import yamledit

    if len(data) > SPLICE_FIRST_BYTES:
        # a ruamel round trip of a 1 MB file costs ~15 s of CPU (load, dump per indentation
        # style tried, dump again); splicing reads it with libyaml and renders only the
        # new lines, and passes the same verification (docs/performance.md)
        try:
            return yamledit.splice_item(data, container_path, list_key, item, name=name), True
        except WriteRefused:
            pass
    try:
        return yamledit.append_item(data, container_path, list_key, item, name=name), False
    except WriteRefused:
        try:
            return yamledit.splice_item(data, container_path, list_key, item, name=name), True
        except WriteRefused as second:  # its reason is the more specific one
            raise Refused(second.message) from None


def append_record(
    root: Path,
    kind: str,
    ref: str,
    value: str,
    *,
    on: date | None = None,
    confidence: str | None = None,
    note: str | None = None,
    by: str | None = None,
    by_default: bool = True,
    evidence: Iterable[str] = (),
    source_text: str | None = None,
    dry_run: bool = False,
    commit: bool = False,
    lock_timeout: float = 10.0,
) -> CheckinResult:
    """Append a check-in (``kind="kr"``) or a KPI measurement (``kind="kpi"``) to the
    workspace at ``root`` (see the module docstring for the steps).  ``value`` is the
    text typed by the user, parsed for the item's type.  ``by`` defaults to git's
    handle (:func:`default_handle`) when ``by_default`` (left out when there is none).  ``commit``
    commits the file alone, hooks skipped; it requires the file to have no other
    uncommitted change."""

    root = Path(root).resolve()
    base = WorkingTreeSource(root)
    res = _load(base)
    ws = _workspace_of(res)
    target, d = resolve_target(ws, base, ref, on, kind)
    _refuse_state(ws, target)

    conf = _parse_confidence(confidence) if confidence is not None else None
    texts = {
        "note": _clean_text(note, "--note", multiline=True) if note is not None else None,
        "source": _clean_text(source_text, "--source") if source_text is not None else None,
    }
    ev = [_clean_text(e, "--evidence") for e in evidence]
    if by is not None:
        by = _clean_text(by, "--by")
    repo = None
    if commit or (by is None and by_default):
        from okrctl.gitio import GitError, Repo

        try:
            repo = Repo.discover(root)
        except GitError:
            if commit:
                raise
    by_from = "--by" if by is not None else None
    if by is None and by_default:
        by, by_from = default_handle(repo)
    # parse the value now (bad input → exit 2 before any lock); milestones merge later
    parsed: Any
    if isinstance(target.item, KeyResult):
        try:
            parsed = krtypes.of(target.item).parse_value(value, target.item)
        except InputError as exc:
            raise BadInput(exc.message) from None
    else:  # a KPI's measurement
        parsed = parse_number(value)

    full = root / target.file.path
    relpath = target.file.path
    lock = nullcontext() if dry_run else fsio.file_lock(full.parent, timeout=lock_timeout)
    try:
        with lock:
            try:
                old = base.read(relpath)
            except SourceError as exc:
                raise Refused(exc.message) from None
            if target.file.sha is not None and blob_sha(old) != target.file.sha:
                # another writer got in between: resolve again on what is there now
                res = _load(base)
                ws = _workspace_of(res)
                note = target.note
                target, d = resolve_target(ws, base, target.ref, d, kind)
                target = replace(target, note=note)
                _refuse_state(ws, target)
            if commit and not dry_run:
                assert repo is not None
                rel_repo = repo.relpath(full)
                dirty = repo.changed_paths([rel_repo])
                if dirty:
                    raise Refused(_("{relpath} has uncommitted changes; commit or stash them first (okrctl --commit commits only its own check-in)").format(relpath=relpath))
            item, summary = _build_item(target, d, parsed, conf, texts, by, ev)
            new, spliced = new_bytes_with_item(old, target.container_path, target.list_key, item, relpath)
            warnings = _validate_change(res, base, relpath, new, what="check-in" if kind == "kr" else "measurement")
            if target.note:
                warnings.insert(0, target.note)
            today = _today_in(ws.config)
            if today > target.period.end + timedelta(days=ws.config.checkin_grace_days):
                warnings.append(_("{id} ended on {end}, more than checkin_grace_days ({checkin_grace_days}) ago: `okrctl check` treats it as closed (locked-period-changed)").format(id=target.period.id, end=target.period.end, checkin_grace_days=ws.config.checkin_grace_days))
            result = CheckinResult(target.ref, relpath, d, item, old, new, False, summary, warnings=warnings,
                                   spliced=spliced, by=by, by_from=by_from)
            if dry_run:
                return result
            fsio.atomic_write(full, new, expected_sha=blob_sha(old))
            result.written = True
            if commit:
                assert repo is not None
                verb = "check-in" if kind == "kr" else "measure"
                message = f"okr: {verb} {target.ref} = {summary}\n\nOkr-Ref: {target.ref}\nOkr-Date: {d.isoformat()}\n"
                result.commit = repo.commit_paths([repo.relpath(full)], message)
            return result
    except WriteRefused as exc:
        raise Refused(exc.message) from None


#: the environment variable that gives ``--by`` its default when ``git config
#: okrctl.handle`` is unset
HANDLE_ENV = "OKRCTL_HANDLE"
HANDLE_KEY = "okrctl.handle"


def default_handle(repo) -> tuple[str | None, str | None]:
    """The default of ``--by``: a person's handle (``hoang.thi.g``, as ``owner`` and
    ``by`` hold them), never git's display name.  From ``git config okrctl.handle``
    (``repo`` may be None outside git), else the environment variable
    ``OKRCTL_HANDLE``; ``(None, None)`` when neither is set -- ``by`` is then left out.
    Returns ``(handle, where it came from)``; a value with control characters is
    ignored."""
    import os

    candidates = ((repo.config_value(HANDLE_KEY) if repo is not None else None, f"git config {HANDLE_KEY}"),
                  (os.environ.get(HANDLE_ENV, "").strip() or None, HANDLE_ENV))
    for value, where in candidates:
        if value and not CONTROL_OR_BOM.search(value):
            return unicodedata.normalize("NFC", value), where
    return None, None


def _build_item(t: Target, d: date, parsed: Any, conf: Decimal | None, texts: dict, by: str | None, ev: list[str]) -> tuple[dict, str]:
    from okrctl.engine.scoring import current_checkin

    item: dict[str, Any] = {"date": d}
    if isinstance(t.item, KPI):
        item["value"] = parsed
        summary = number_text(parsed)
        for key, val in (("source", texts["source"]), ("note", texts["note"]), ("by", by)):
            if val is not None:
                item[key] = val
        return item, summary
    kr = t.item
    fields, summary = krtypes.of(kr).new_checkin(kr, parsed, current_checkin(kr.checkins, d))
    item.update(fields)
    if conf is not None:
        item["confidence"] = conf
        summary += f" (confidence {number_text(conf)})"
    if by is not None:
        item["by"] = by
    if texts["note"] is not None:
        item["note"] = texts["note"]
    if ev:
        item["evidence"] = ev
    return item, summary
