"""Everything okrctl writes into a workspace: check-ins, KPI measurements, a new
workspace, a new period, closing a period (and verifying a closed one).

Library module: no typer, no rich.  Every failure is a :class:`WriteError` with a
one-line ``message`` (and, for a refused write, optional ``details`` lines such as the
diagnostics that caused it).  Two kinds, which the CLI maps to exit codes:

* :class:`BadInput` (exit 2) -- what was typed is wrong: a value that is not a number
  of the KR's type, an unknown reference, a check-in date outside the period, an
  option out of range, a file ``init`` would overwrite.
* :class:`Refused` (exit 1) -- the input is fine but the workspace does not allow the
  write: the item takes no check-ins (aligned, cancelled), the period is closed, the
  file cannot be edited without reformatting it, the result would not validate,
  someone changed the file meanwhile, uncommitted changes where a commit is asked for.

Git failures are :class:`okrctl.gitio.GitError` (exit 2).

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

import difflib
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from okrctl import __version__
from okrctl.model.diagnostics import Diagnostic
from okrctl.read.loader import CONFIG_FILE, UNITS_FILE, LoadResult, load_workspace
from okrctl.model.records import KPI, Config, KeyResult, Objective, PeriodFile, Workspace
from okrctl.model.periods import Period, is_period_id, parse_period, periods_containing
from okrctl.read.source import Source, SourceError, SourceFile, WorkingTreeSource, blob_sha
from okrctl.read.yamlread import MAX_EXPONENT
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused, WriteError, WriteRefused

__all__ = [
    "BadInput",
    "CheckinResult",
    "CloseResult",
    "PeriodPlan",
    "Refused",
    "VerifyResult",
    "WriteError",
    "append_record",
    "close_period",
    "init_workspace",
    "new_period",
    "parse_bool",
    "parse_number",
    "previous_period",
    "verify_period",
]


# ----------------------------------------------------------------------------- errors


# ----------------------------------------------------------------------------- sources


class _EmptySource:
    label = "new workspace"

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        return [], []

    def read(self, path: str) -> bytes:
        raise SourceError(path, f"{path} does not exist")


class Overlay:
    """A :class:`~okrctl.read.source.Source` that reads ``files`` (workspace-relative path →
    bytes) instead of the base source's bytes for those paths, and lists them too: the
    workspace as it will be once they are written."""

    def __init__(self, base: Source, files: dict[str, bytes]) -> None:
        self.base = base
        self.files = files
        self.label = getattr(base, "label", "working tree")

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        listed, errors = self.base.list_files()
        out = [SourceFile(f.path, blob_sha(self.files[f.path])) if f.path in self.files else f for f in listed]
        known = {f.path for f in listed}
        out += [SourceFile(p, blob_sha(d)) for p, d in self.files.items() if p not in known]
        top = [f for f in out if "/" not in f.path]
        top.sort(key=lambda f: (f.path != CONFIG_FILE, f.path))
        return top + sorted((f for f in out if "/" in f.path), key=lambda f: f.path), errors

    def read(self, path: str) -> bytes:
        if path in self.files:
            return self.files[path]
        return self.base.read(path)


def _today_in(config: Config) -> date:
    from okrctl.engine.scoring import today

    try:
        return today(config)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # an unknown time zone, reported by validate (OKR241)
        from dataclasses import replace

        return today(replace(config, timezone="UTC"))


def _load(source: Source) -> LoadResult:
    return load_workspace(source, today=_today_in)


def _diag_line(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}"


def _workspace_of(res: LoadResult) -> Workspace:
    if res.workspace is None:
        bad = [d for d in res.diagnostics if d.severity == "error" and d.path in (CONFIG_FILE, UNITS_FILE)]
        raise Refused(f"{CONFIG_FILE} or {UNITS_FILE} has errors; fix them first (okrctl validate)",
                      [_diag_line(d) for d in bad[:20]])
    return res.workspace


# ----------------------------------------------------------------------------- values

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(r"[+-]?\.?(?:inf|infinity|nan)", re.IGNORECASE)
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:([.,  _'])[0-9]{3})+(?:([.,])[0-9]+)?")


def parse_number(text: str, what: str = "VALUE") -> Decimal:
    """A finite decimal number typed by a user, exactly (``62.50`` stays ``62.50``).

    Accepted: ``62``, ``-3``, ``0.25``, ``.5``, ``1e3`` (written back as ``1000``), with
    full-width digits or a Unicode minus normalised.  Refused with a hint: a decimal
    comma (``1,5`` → ``1.5``), thousands separators (``1.234,5``, ``1,234.5``, ``1 234``),
    ``nan``/``inf``, ``%``, hex and ``_`` separators, a decimal exponent beyond ±40."""
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not s:
        raise BadInput(f"{what}: empty; write a number such as 62 or 62.5")
    if _NUMBER.fullmatch(s):
        try:
            d = Decimal(s)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid text
            raise BadInput(f"{what}: {text!r} is not a number") from None
        if d and not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT:
            raise BadInput(f"{what}: {text!r} is out of range (okrctl reads numbers whose decimal exponent lies within ±{MAX_EXPONENT})")
        return d
    if _NON_FINITE.fullmatch(s):
        raise BadInput(f"{what}: {text!r} is not a finite number; write a plain decimal such as 62.5")
    if s.endswith("%") and _NUMBER.fullmatch(s[:-1].strip()):
        raise BadInput(f"{what}: write the number without the % sign: {s[:-1].strip()} (the KR's unit says what it counts)")
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", s):
        whole, frac = s.split(",")
        if len(frac) == 3:
            raise BadInput(f"{what}: {text!r} is ambiguous; write {whole}.{frac} (a decimal) or {whole}{frac} (a whole number): a dot for decimals, no thousands separator")
        raise BadInput(f"{what}: {text!r}: use a dot as the decimal separator: {whole}.{frac}")
    m = _THOUSANDS.fullmatch(s)
    if m and m.group(1) != m.group(2):
        sep, dec = m.group(1), m.group(2)
        digits = s if dec is None else s[: s.rindex(dec)]
        plain = digits.replace(sep, "") + ("" if dec is None else "." + s[s.rindex(dec) + 1 :])
        raise BadInput(f"{what}: {text!r}: write numbers without thousands separators and with a dot for decimals: {plain}")
    if re.fullmatch(r"[+-]?0[xXoObB][0-9a-fA-F_]+|[+-]?[0-9][0-9_]*(?:\.[0-9_]*)?", s):
        raise BadInput(f"{what}: {text!r}: write plain decimal digits (no hex, octal or _ separators)")
    raise BadInput(f"{what}: {text!r} is not a number; write a plain decimal such as 62 or 62.5")


_TRUE = frozenset({"true", "yes", "có", "co"})
_FALSE = frozenset({"false", "no", "không", "khong"})


def parse_bool(text: str, what: str = "VALUE") -> bool:
    """``true``/``false``; also ``yes``/``no`` and Vietnamese ``có``/``không`` (with or
    without diacritics), in any letter case.  Written to the file as ``true``/``false``."""
    s = unicodedata.normalize("NFC", text).strip().casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise BadInput(f"{what}: {text!r}: a boolean key result takes true or false (also yes/no, có/không)")


def _parse_confidence(text: str) -> Decimal:
    c = parse_number(text, "--confidence")
    if not 0 <= c <= 1:
        hint = f" (for {c}% write {c / 100})" if 1 < c <= 100 else ""
        raise BadInput(f"--confidence: {text!r} must lie between 0 and 1{hint}")
    return c


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u2028\u2029]")


def _clean_text(text: str, what: str, *, multiline: bool = False) -> str:
    s = unicodedata.normalize("NFC", text).strip()
    if not s:
        raise BadInput(f"{what}: empty text")
    bad = _CONTROL.search(s) or (None if multiline else re.search("[\n\t]", s))
    if bad:
        raise BadInput(f"{what}: contains the control character U+{ord(bad.group()):04X}; remove it")
    return s


def _number_text(d: Decimal) -> str:
    text = format(d, "f")
    return "0" if text == "-0" else text


def _milestone_ids(text: str, kr: KeyResult) -> list[str]:
    s = unicodedata.normalize("NFC", text).strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    ids = [p.strip() for p in s.split(",") if p.strip()]
    if not ids:
        raise BadInput(f"VALUE: name the milestones done, e.g. {','.join(m.id for m in kr.milestones[:2])}")
    known = [m.id for m in kr.milestones]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BadInput(f"VALUE: {kr.ref} has no milestone {', '.join(unknown)} (its milestones: {', '.join(known)})")
    return ids


def _exact_decimal(x: Fraction) -> Decimal:
    """The decimal equal to ``x`` (values okrctl reads are decimals, so sums of them are)."""
    for k in range(0, 80):
        scaled = x * 10**k
        if scaled.denominator == 1:
            return Decimal(scaled.numerator).scaleb(-k)
    raise Refused(f"internal error: {x} has no exact decimal form")


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


def _closest(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


def resolve_target(ws: Workspace, source: Source, ref: str, on: date | None, kind: str) -> tuple[Target, date]:
    """Resolve REF (with or without its period) for ``kind`` ``"kr"`` or ``"kpi"`` and the
    date of the new record.  Without ``on`` the date is today in the workspace time zone
    -- or, when REF names a period that has already ended, that period's last day."""
    ref = unicodedata.normalize("NFC", ref.strip()).strip("/")
    parts = ref.split("/") if ref else []
    explicit = bool(parts) and is_period_id(parts[0])
    today = _today_in(ws.config)
    if explicit:
        try:
            period = parse_period(parts[0], ws.config.fiscal_year_start)
        except ValueError as exc:
            raise BadInput(f"REF: {exc}") from None
        rest = parts[1:]
        d = on if on is not None else min(today, period.end)
    else:
        d = on if on is not None else today
        period = _default_period(ws, d)
        if period is None:
            have = ", ".join(ws.period_ids()) or "none"
            raise BadInput(f"REF: no period with files contains {d} (periods with files: {have}); write the period first, e.g. PERIOD/{ref}")
        rest = parts
    shape = "PERIOD/UNIT/OBJECTIVE/KR" if kind == "kr" else "PERIOD/UNIT/KPI"
    if len(rest) < 2 or any(not p for p in rest) or len(rest) > 3:
        raise BadInput(f"REF: {ref!r} is not a reference; write {shape} (the period may be left out)")
    unit_id = rest[0]
    if unit_id not in ws.unit_by_id:
        raise BadInput(f"REF: no unit {unit_id!r} in units.yaml{_closest(unit_id, list(ws.unit_by_id))}")
    pf = ws.file(period.id, unit_id)
    path = f"okrs/{period.id}/{unit_id}.yaml"
    if pf is None:
        listed = {f.path for f in source.list_files()[0]}
        if path in listed:
            raise Refused(f"{path} has errors; fix them first (okrctl validate {path})")
        raise BadInput(f"REF: there is no {path} (unit {unit_id} has no OKRs for {period.id})")
    item_id = rest[1]
    obj = next((o for o in pf.objectives if o.id == item_id), None)
    kpi = next((k for k in pf.kpis if k.id == item_id), None)
    full = f"{period.id}/{'/'.join(rest)}"
    if kind == "kr":
        if len(rest) == 2:
            if kpi is not None:
                raise BadInput(f"REF: {full} is a KPI; record its value with: okrctl measure {full} VALUE")
            if obj is not None:
                raise BadInput(f"REF: {full} is an objective; check in on one of its key results: "
                               + ", ".join(k.ref for k in obj.key_results))
            raise BadInput(f"REF: {pf.path} has no objective {item_id!r}{_closest(item_id, [o.id for o in pf.objectives])}")
        if obj is None:
            raise BadInput(f"REF: {pf.path} has no objective {item_id!r}{_closest(item_id, [o.id for o in pf.objectives])}")
        kr = next((k for k in obj.key_results if k.id == rest[2]), None)
        if kr is None:
            raise BadInput(f"REF: {obj.ref} has no key result {rest[2]!r} (it has {', '.join(k.id for k in obj.key_results)})")
        oi = pf.objectives.index(obj)
        ki = obj.key_results.index(kr)
        target = Target(kr.ref, period, pf, ["objectives", oi, "key_results", ki], "checkins", kr, obj)
    else:
        if len(rest) == 3 or (kpi is None and obj is not None):
            raise BadInput(f"REF: {full} is {'a key result' if len(rest) == 3 else 'an objective'}; "
                           f"record progress with: okrctl checkin {full if len(rest) == 3 else full + '/KR'} VALUE")
        if kpi is None:
            raise BadInput(f"REF: {pf.path} has no KPI {item_id!r}{_closest(item_id, [k.id for k in pf.kpis])}")
        target = Target(kpi.ref, period, pf, ["kpis", pf.kpis.index(kpi)], "measurements", kpi, None)
    if not period.contains(d):
        how = f"--date {d}" if on is not None else f"today ({d})"
        raise BadInput(f"{how} lies outside {period.id} ({period.start} .. {period.end}); a check-in's date is the last day its value describes: pass --date inside the period")
    return target, d


def _default_period(ws: Workspace, d: date) -> Period | None:
    from okrctl.engine.scoring import default_period

    return default_period(ws, d)


def _refuse_state(ws: Workspace, t: Target) -> None:
    item = t.item
    noun = "KPI" if isinstance(item, KPI) else "key result"
    if isinstance(item, KeyResult) and item.type == "aligned":
        raise Refused(f"{t.ref} is an aligned key result: its score comes from the objectives aligned to it, "
                      "so it takes no check-ins; check in on their key results instead")
    for what, rec in ((noun, item.cancelled), ("objective", t.objective.cancelled if t.objective else None)):
        if rec is not None:
            whose = t.ref if what == noun else t.objective.ref  # type: ignore[union-attr]
            raise Refused(f"{whose} was cancelled on {rec.date} ({rec.reason}); okrctl adds no check-ins to a cancelled {what}")
    if t.period.id in ws.config.locked_periods:
        raise Refused(f"{t.period.id} is closed (listed in policy.locked_periods of okrctl.yaml); its files take no more check-ins")


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

    def diff(self) -> str:
        """Unified diff of the file (what ``--dry-run`` prints)."""
        a = self.old.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.new.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}"))


def new_bytes_with_item(data: bytes, container_path: list[str | int], list_key: str, item: dict, name: str) -> tuple[bytes, bool]:
    """``data`` with ``item`` appended to the list: :func:`yamledit.append_item` (ruamel
    round trip), or when that refuses, :func:`yamledit.splice_item` (for files whose
    formatting a round trip would change).  Returns the bytes and whether splicing was
    used.  Both verify that the result is the original plus the new lines only."""
    from okrctl.write import yamledit

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
    ``user.name`` when ``by_default`` (left out when there is none).  ``commit``
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
        if by is None and by_default and repo is not None:
            name = repo.user_name()
            by = unicodedata.normalize("NFC", name) if name and not _CONTROL.search(name) else None
    # parse the value now (bad input → exit 2 before any lock); milestones merge later
    kr_type = target.item.type if isinstance(target.item, KeyResult) else "kpi"
    parsed: Any
    if kr_type in ("metric", "maintain", "kpi"):
        parsed = parse_number(value)
    elif kr_type == "boolean":
        parsed = parse_bool(value)
    else:  # milestone
        parsed = _milestone_ids(value, target.item)  # type: ignore[arg-type]

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
                target, d = resolve_target(ws, base, ref, d, kind)
                _refuse_state(ws, target)
            if commit and not dry_run:
                assert repo is not None
                rel_repo = repo.relpath(full)
                dirty = repo.changed_paths([rel_repo])
                if dirty:
                    raise Refused(f"{relpath} has uncommitted changes; commit or stash them first (okrctl --commit commits only its own check-in)")
            item, summary = _build_item(target, d, parsed, conf, texts, by, ev)
            new, spliced = new_bytes_with_item(old, target.container_path, target.list_key, item, relpath)
            warnings = _validate_change(res, base, relpath, new, what="check-in" if kind == "kr" else "measurement")
            today = _today_in(ws.config)
            if today > target.period.end + timedelta(days=ws.config.checkin_grace_days):
                warnings.append(f"{target.period.id} ended on {target.period.end}, more than checkin_grace_days "
                                f"({ws.config.checkin_grace_days}) ago: `okrctl check` treats it as closed (locked-period-changed)")
            result = CheckinResult(target.ref, relpath, d, item, old, new, False, summary, warnings=warnings, spliced=spliced)
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


def _build_item(t: Target, d: date, parsed: Any, conf: Decimal | None, texts: dict, by: str | None, ev: list[str]) -> tuple[dict, str]:
    from okrctl.engine.scoring import current_checkin

    item: dict[str, Any] = {"date": d}
    if isinstance(t.item, KPI):
        item["value"] = parsed
        summary = _number_text(parsed)
        for key, val in (("source", texts["source"]), ("note", texts["note"]), ("by", by)):
            if val is not None:
                item[key] = val
        return item, summary
    kr = t.item
    if kr.type == "milestone":
        cur = current_checkin(kr.checkins, d)
        done = set(cur.done or ()) if cur is not None else set()
        done |= set(parsed)
        order = [m.id for m in kr.milestones]
        full = [i for i in order if i in done] + sorted(i for i in done if i not in order)
        item["done"] = full
        summary = ", ".join(full)
    elif kr.type == "boolean":
        item["value"] = parsed
        summary = "true" if parsed else "false"
    else:
        item["value"] = parsed
        summary = _number_text(parsed)
    if conf is not None:
        item["confidence"] = conf
        summary += f" (confidence {_number_text(conf)})"
    if by is not None:
        item["by"] = by
    if texts["note"] is not None:
        item["note"] = texts["note"]
    if ev:
        item["evidence"] = ev
    return item, summary


def _validate_change(res: LoadResult, base: Source, relpath: str, new: bytes, *, what: str) -> list[str]:
    """Load the workspace with ``new`` in place of ``relpath``: refuse when that file has
    any error; return the warnings about it that were not there before."""
    after = _load(Overlay(base, {relpath: new}))
    errors = [d for d in after.diagnostics if d.path == relpath and d.severity == "error"]
    if after.workspace is None or errors:
        first = errors[0] if errors else None
        detail = f": {first.line}:{first.column} {first.code} {first.message}" if first else ""
        raise Refused(f"{relpath} would not be valid with this {what}{detail}; nothing was written",
                      [_diag_line(e) for e in errors[:20]])

    def key(d: Diagnostic) -> tuple[str, str]:
        return (d.code, d.message)

    before = [key(d) for d in res.diagnostics if d.path == relpath and d.severity == "warning"]
    out = []
    for d in after.diagnostics:
        if d.path == relpath and d.severity == "warning":
            if key(d) in before:
                before.remove(key(d))
            else:
                out.append(_diag_line(d))
    return out


# ----------------------------------------------------------------------------- new files

def emit_yaml(doc: dict, header: Iterable[str] = ()) -> str:
    """A new file's YAML text (ruamel.yaml, see :func:`okrctl.write.yamledit.dump_document`)."""
    from okrctl.write.yamledit import dump_document

    return dump_document(doc, header)


def _same_data(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, date):
        return b == a.isoformat()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _check_emitted(text: str, doc: dict, path: str) -> None:
    from okrctl.read.yamlread import parse

    parsed, diags = parse(text.encode("utf-8"), path)
    if parsed is None or not _same_data(doc, parsed.value):
        why = diags[0].message if diags else "it reads back differently"
        raise Refused(f"internal error: okrctl produced YAML for {path} that it cannot read back ({why}); nothing was written")


# ----------------------------------------------------------------------------- init

_SLUG_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def slugify(name: str) -> str:
    """A unit id from a name: ``Sở Khoa học và Công nghệ`` → ``so-khoa-hoc-va-cong-nghe``."""
    s = unicodedata.normalize("NFD", name.translate(_SLUG_MAP))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"^[^a-z]+", "", s)
    while len(s) > 64:
        s = s[: s.rfind("-")] if "-" in s[:64] else s[:64]
    return s or "unit"


_INIT_TEXT = {
    "vi": {
        "name": "Cơ quan mẫu",
        "timezone": "Asia/Ho_Chi_Minh",
        "config_head": [
            "# Cấu hình không gian làm việc OKR/KPI của okrctl.",
            "# Mọi khoá trừ `name` là tuỳ chọn; giá trị ghi dưới đây là mặc định.",
        ],
        "lock": "sau 14 ngày đầu kỳ, thay đổi chỉ tiêu cần bản ghi `rebaselines`",
        "locked": "`okrctl close KỲ` thêm kỳ đã chốt vào đây",
        "units_head": [
            "# Cây tổ chức: mỗi đơn vị một mục; `parent` là đơn vị cấp trên,",
            "# `owners` là người cập nhật tệp OKR của đơn vị.",
        ],
        "okr_head": "# OKR kỳ {period} của {name}.",
        "okr_hint": "# Cập nhật tiến độ hằng tuần: okrctl checkin {period}/{unit}/O1/KR1 45 --confidence 0.7",
        "objective": "Nâng cao chất lượng phục vụ người dân và doanh nghiệp",
        "kr": "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "kr_unit": "%",
        "kpi": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    },
    "en": {
        "name": "Example Agency",
        "timezone": "UTC",
        "config_head": [
            "# okrctl workspace settings.",
            "# Every key but `name` is optional; the values below are the defaults.",
        ],
        "lock": "14 days into a period, target changes need a `rebaselines` record",
        "locked": "`okrctl close PERIOD` adds closed periods here",
        "units_head": [
            "# The organisation tree: one entry per unit; `parent` is the unit above,",
            "# `owners` are the people who update the unit's OKR files.",
        ],
        "okr_head": "# OKRs of {name} for {period}.",
        "okr_hint": "# Record progress every week: okrctl checkin {period}/{unit}/O1/KR1 45 --confidence 0.7",
        "objective": "Make our services faster and easier to use for citizens and businesses",
        "kr": "Share of applications processed fully online",
        "kr_unit": "%",
        "kpi": "Share of applications settled on time",
    },
}


@dataclass
class InitPlan:
    root: Path
    files: dict[str, bytes]  # path relative to root → bytes, in creation order
    unit: str
    period: str


def plan_init(root: Path, *, locale: str = "en", name: str | None = None, unit: str | None = None,
              period: str | None = None, today: date | None = None) -> InitPlan:
    """The files :func:`init_workspace` would create (validated, nothing written)."""
    from importlib import resources

    from okrctl.checks.semantic import UNIT_ID_RE

    if locale not in _INIT_TEXT:
        raise BadInput(f"--locale: {locale!r} is not one of en, vi")
    tx = _INIT_TEXT[locale]
    name = _clean_text(name, "--name") if name is not None else tx["name"]
    unit_id = unit if unit is not None else slugify(name)
    if not UNIT_ID_RE.match(unit_id) or is_period_id(unit_id):
        raise BadInput(f"--unit: {unit_id!r} is not a unit id (lowercase letters, digits and -, starting with a letter, at most 64)")
    if period is None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        d = today or datetime.now(ZoneInfo(tx["timezone"])).date()
        period = periods_containing(d, 1)[0].id
    try:
        parse_period(period, 1)
    except ValueError as exc:
        raise BadInput(f"--period: {exc}") from None

    def y(doc: dict, header: list[str]) -> bytes:
        return emit_yaml(doc, header).encode("utf-8")

    config_text = "\n".join([
        "# yaml-language-server: $schema=schema/workspace.schema.json",
        "#",
        *tx["config_head"],
        "",
        emit_yaml({"name": name}).rstrip("\n"),
        f"locale: {locale}",
        f"timezone: {tx['timezone']}",
        "fiscal_year_start: 1",
        "checkin_grace_days: 15",
        "",
        "scoring:",
        "  max_score: 1.0",
        "  aspirational_target: 0.7",
        "",
        "policy:",
        f"  lock_after_days: 14   # {tx['lock']}",
        f"  locked_periods: []    # {tx['locked']}",
        "  backdate_days: 15",
        "",
    ]).encode("utf-8")
    units_doc = {"units": [{"id": unit_id, "name": name}]}
    okr_doc = {
        "unit": unit_id,
        "period": period,
        "objectives": [{
            "id": "O1",
            "title": tx["objective"],
            "kind": "committed",
            "key_results": [{
                "id": "KR1",
                "title": tx["kr"],
                "unit": tx["kr_unit"],
                "baseline": 40,
                "target": 60,
                "frequency": "monthly",
            }],
        }],
        "kpis": [{"id": "K1", "title": tx["kpi"], "unit": "%", "target": 98, "alert": 95}],
    }
    files: dict[str, bytes] = {
        CONFIG_FILE: config_text,
        UNITS_FILE: y(units_doc, ["# yaml-language-server: $schema=schema/units.schema.json", "#", *tx["units_head"], ""]),
        f"okrs/{period}/{unit_id}.yaml": y(okr_doc, [
            "# yaml-language-server: $schema=../../schema/okr-file.schema.json",
            "#",
            tx["okr_head"].format(period=period, name=name),
            tx["okr_hint"].format(period=period, unit=unit_id),
            "",
        ]),
    }
    schema_dir = resources.files("okrctl") / "schema"
    for fname in ("workspace.schema.json", "units.schema.json", "okr-file.schema.json"):
        files[f"schema/{fname}"] = (schema_dir / fname).read_bytes()
    files[".vscode/settings.json"] = (json.dumps({
        "yaml.schemas": {
            "./schema/workspace.schema.json": ["okrctl.yaml"],
            "./schema/units.schema.json": ["units.yaml"],
            "./schema/okr-file.schema.json": ["okrs/*/*.yaml"],
        },
        "files.eol": "\n",
    }, indent=2) + "\n").encode("utf-8")
    files[".pre-commit-config.yaml"] = "\n".join([
        "# pre-commit (https://pre-commit.com): after `pre-commit install`, every commit",
        "# runs `okrctl validate` on the workspace files it changes.",
        "repos:",
        "  - repo: https://github.com/okrctl/okrctl",
        f"    rev: v{__version__}",
        "    hooks:",
        "      - id: okrctl-validate",
        "",
    ]).encode("utf-8")
    files[".github/workflows/okrctl.yml"] = _workflow().encode("utf-8")
    files[".gitattributes"] = b"# okrctl: YAML files keep LF line endings on every platform\n*.yaml text eol=lf\n"
    files[".gitignore"] = b"# okrctl's lock file and the temporary files of an interrupted write\n.okrctl.lock\n.*.tmp\n"

    res = _load(Overlay(_EmptySource(), {p: d for p, d in files.items() if p in (CONFIG_FILE, UNITS_FILE) or p.startswith("okrs/")}))
    errors = [d for d in res.diagnostics if d.severity == "error"]
    if res.workspace is None or errors:  # pragma: no cover - a bug in the templates above
        raise Refused("internal error: the new workspace would not validate", [_diag_line(d) for d in errors])
    return InitPlan(Path(root), files, unit_id, period)


def _workflow() -> str:
    """The GitHub Actions job of docs/ci.md: validate, then check the pull request
    against its base branch."""
    return "\n".join([
        "# okrctl on every pull request: validate the workspace, then check the change",
        "# against the base branch (closed periods, targets changed after the lock,",
        "# rewritten check-ins).  See docs/ci.md of okrctl.",
        "name: okrctl",
        "on:",
        "  pull_request:",
        "",
        "permissions:",
        "  contents: read",
        "",
        "jobs:",
        "  okrctl:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          fetch-depth: 0              # check needs the base branch's history",
        "          persist-credentials: false  # okrctl never pushes",
        "      - uses: astral-sh/setup-uv@v6",
        "      - name: Install okrctl",
        f"        run: uv tool install git+https://github.com/okrctl/okrctl@v{__version__}",
        "      - name: Validate",
        "        run: okrctl validate",
        "      - name: Check the change",
        "        env:",
        "          BASE_REF: ${{ github.base_ref }}",
        '        run: okrctl check "origin/$BASE_REF"',
        "",
    ])


def init_workspace(root: Path, **kw: Any) -> InitPlan:
    """Create a new workspace in ``root`` (created if missing): okrctl.yaml, units.yaml,
    one period file, the JSON Schemas, editor, pre-commit, CI, .gitattributes and
    .gitignore files.  Refuses (:class:`BadInput`) when any of them exists; then
    nothing is written."""
    plan = plan_init(root, **kw)
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root} exists and is not a directory")
    existing = [p for p in plan.files if os.path.lexists(root / p)]
    if existing:
        raise BadInput(f"{root}: {', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; okrctl init never overwrites files")
    created: list[str] = []
    for rel, data in plan.files.items():
        if not fsio.create_exclusive(root / rel, data):
            raise Refused(f"{root / rel} appeared while okrctl was writing; created so far: {', '.join(created) or 'nothing'}")
        created.append(rel)
    return plan


# ----------------------------------------------------------------------------- period new


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
        raise Refused(f"the workspace has {len(errors)} error{'s' if len(errors) != 1 else ''}; fix them first (okrctl validate)",
                      [_diag_line(d) for d in errors[:20]])
    fys = ws.config.fiscal_year_start
    try:
        new = parse_period(period_id, fys)
    except ValueError as exc:
        raise BadInput(f"PERIOD: {exc}") from None
    if from_id is not None:
        try:
            src = parse_period(from_id, fys)
        except ValueError as exc:
            raise BadInput(f"--from: {exc}") from None
    else:
        src = previous_period(new, fys)
    if src.end >= new.start:
        raise BadInput(f"--from {src.id} must end before {new.id} starts ({new.start})")
    src_files = ws.files_for(src.id)
    if not src_files:
        raise BadInput(f"no files in okrs/{src.id}/ to carry over into {new.id}; name another source with --from")
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
        path = f"okrs/{new.id}/{unit.id}.yaml"
        if not unit.takes_part(new):
            span = f"{unit.from_ or '…'} .. {unit.until or '…'}"
            plan.skipped.append((unit.id, f"does not take part in {new.id} ({span})"))
            continue
        if unit.id in existing_new or path in listed or os.path.lexists(root / path):
            plan.skipped.append((path, "exists; okrctl never overwrites a file"))
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
    def rest_of(ref: str) -> str:
        return ref.split("/", 1)[1]

    existing_refs: set[str] = set()
    existing_feeds: set[str] = set()
    for f in existing_new.values():
        for o in f.objectives:
            if o.cancelled is None:
                existing_refs.add(rest_of(o.ref))
                existing_refs.update(rest_of(k.ref) for k in o.key_results if k.cancelled is None)
            if o.aligns_to_ref and o.aligns_to_ref.startswith(new.id + "/"):
                existing_feeds.add(rest_of(o.aligns_to_ref))
    aligns: dict[str, str | None] = {}
    while True:
        carried = set(existing_refs)
        for objs in carry.values():
            for o, krs in objs:
                carried.add(rest_of(o.ref))
                carried.update(rest_of(k.ref) for k in krs)
        aligns.clear()
        why: dict[str, str] = {}
        for objs in carry.values():
            for o, _ in objs:
                aligns[o.ref], why[o.ref] = _carry_alignment(ws, o, src, new, carried)
        feeds = set(existing_feeds)
        for ref, a in aligns.items():
            if a is not None:
                q = a if is_period_id(a.split("/", 1)[0]) else f"{new.id}/{a}"
                if q.startswith(new.id + "/"):
                    feeds.add(rest_of(q))
        changed = False
        for unit_id, objs in carry.items():
            kept = []
            for o, krs in objs:
                keep = [k for k in krs if k.type != "aligned" or rest_of(k.ref) in feeds]
                for k in krs:
                    if k not in keep:
                        plan.notes.append(f"{new.id}/{rest_of(k.ref)} (aligned) is not carried: no objective of {new.id} aligns to it")
                        changed = True
                if keep:
                    kept.append((o, keep))
                elif krs:
                    plan.notes.append(f"{new.id}/{rest_of(o.ref)} is not carried: none of its unfinished key results can be")
            carry[unit_id] = kept
        if not changed:
            break
    for objs in carry.values():
        for o, _ in objs:
            if aligns.get(o.ref) is None and o.aligns_to:
                plan.notes.append(f"{new.id}/{rest_of(o.ref)}: aligns_to {o.aligns_to_ref} dropped ({why[o.ref]})")

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
    directory = root / "okrs" / new.id
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with fsio.file_lock(directory, timeout=lock_timeout):
            for nf in plan.files:
                nf.created = fsio.create_exclusive(root / nf.path, new_files[nf.path])
                if not nf.created:
                    plan.skipped.append((nf.path, "appeared while okrctl was writing; left as it is"))
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    return plan


def _carry_alignment(ws: Workspace, o: Objective, src: Period, new: Period, carried: set[str]) -> tuple[str | None, str]:
    """The ``aligns_to`` text for the carried copy of ``o`` (None: dropped) and why."""
    if not o.aligns_to or not o.aligns_to_ref:
        return None, ""
    q = o.aligns_to_ref
    qp_id, rest = q.split("/", 1)
    if qp_id == src.id:
        if rest in carried:
            written_with_period = is_period_id(o.aligns_to.split("/", 1)[0])
            return (f"{new.id}/{rest}" if written_with_period else o.aligns_to), ""
        return None, f"{new.id}/{rest} is not carried into {new.id}"
    try:
        qp = parse_period(qp_id, ws.config.fiscal_year_start)
    except ValueError:
        return None, f"{qp_id} is not a period"
    if not qp.encloses(new):
        return None, f"{qp_id} does not enclose {new.id}"
    target = ws.resolve(q)
    if target is None:
        return None, f"{q} does not exist"
    cancelled = getattr(target, "cancelled", None)
    if cancelled is not None:
        return None, f"{q} is cancelled"
    return o.aligns_to, ""


def _as_written(parsed: Any, value: Any) -> Any:
    """``value`` from a parsed document with only the keys written in the file (the
    schema validator fills in defaults such as ``type: metric``; a copy must not)."""
    if isinstance(value, dict):
        node = parsed.nodes.get(id(value))
        written = None
        if node is not None and isinstance(node.value, list):
            written = {unicodedata.normalize("NFC", k.value) for k, _ in node.value}
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
    path = f"okrs/{new.id}/{unit.id}.yaml"
    _check_emitted(text, doc, path)
    return NewFile(path, unit.id, text, summary, [k["id"] for k in kpis])


def _carried_kr(raw: dict, kr: KeyResult, result: Any, new: Period, notes: list[str]) -> dict:
    ks = result.find(kr.ref)
    new_ref = f"{new.id}/{kr.ref.split('/', 1)[1]}"
    dues = ([("due", kr.due)] if kr.due else []) + [(f"milestone {m.id} due", m.due) for m in kr.milestones if m.due]
    for what, when in dues:
        if when is not None and not new.contains(when):
            notes.append(f"{new_ref}: {what} {when} lies outside {new.id}; set a new date")
    if kr.type == "milestone" and ks is not None and ks.value:
        notes.append(f"{new_ref}: milestones done by the end of the old period: {', '.join(ks.value)} "
                     f"(the new period starts without check-ins; record them again with okrctl checkin {new_ref} {','.join(ks.value)})")
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


# ----------------------------------------------------------------------------- close and verify

TAG_PREFIX = "okr/close/"


def close_tag(period_id: str) -> str:
    return f"{TAG_PREFIX}{period_id}"


def score_payload(ws: Workspace, period: Period) -> dict:
    """The ``score`` JSON payload of ``period`` as of its end, as plain JSON data."""
    from okrctl.engine.scoring import score_to_json, score_workspace

    payload = score_to_json(score_workspace(ws, period, period.end))
    return json.loads(json.dumps(payload, ensure_ascii=False))


def tag_message(period: Period, payload: dict) -> str:
    body = {"okrctl": __version__, "period": period.id, "as_of": period.end.isoformat(), "scores": payload}
    return (f"okrctl close {period.id}: final scores as of {period.end}\n\n"
            + json.dumps(body, ensure_ascii=False, indent=2) + "\n")


def parse_tag_message(message: str) -> dict:
    _, sep, body = message.partition("\n\n")
    start = body.find("{")
    if not sep or start < 0:
        raise ValueError("the tag message holds no okrctl JSON")
    data = json.loads(body[start:])
    if not isinstance(data, dict) or not isinstance(data.get("scores"), dict) or "period" not in data:
        raise ValueError("the tag message's JSON is not an okrctl close record")
    return data


@dataclass
class CloseResult:
    period: str
    tag: str
    commit: str
    committed: bool  # False when okrctl.yaml already listed the period
    warnings: list[str]
    payload: dict


def _period_paths(prefix: str, period_id: str) -> tuple[str, list[str]]:
    def j(p: str) -> str:
        return f"{prefix}/{p}" if prefix else p

    return j(f"okrs/{period_id}"), [j(f"okrs/{period_id}"), j(CONFIG_FILE), j(UNITS_FILE)]


def close_period(root: Path, period_id: str, *, sign: bool = False, lock_timeout: float = 10.0) -> CloseResult:
    """Close a period: refuse while its files (or okrctl.yaml, units.yaml) are invalid or
    have uncommitted changes, or when its tag exists; add it to ``policy.locked_periods``
    in okrctl.yaml and commit that file alone; tag the commit ``okr/close/<PERIOD>``
    (annotated, signed with ``sign``) with the final scores as of the period's end,
    computed from the committed tree."""
    from okrctl import gitio

    root = Path(root).resolve()
    base = WorkingTreeSource(root)
    res = _load(base)
    ws = _workspace_of(res)
    try:
        period = parse_period(period_id, ws.config.fiscal_year_start)
    except ValueError as exc:
        raise BadInput(f"PERIOD: {exc}") from None
    if not ws.files_for(period.id):
        raise BadInput(f"{period.id} has no files (okrs/{period.id}/); nothing to close")
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    tag = close_tag(period.id)
    if repo.tag_target(tag) is not None:
        raise Refused(f"{period.id} is already closed: the tag {tag} exists (okrctl verify {period.id} checks it)")
    bad = [d for d in res.diagnostics if d.severity == "error"
           and (d.path.startswith(f"okrs/{period.id}/") or d.path in (CONFIG_FILE, UNITS_FILE))]
    if bad:
        raise Refused(f"{period.id} has {len(bad)} error{'s' if len(bad) != 1 else ''}; fix them before closing it (okrctl validate)",
                      [_diag_line(d) for d in bad[:20]])
    period_dir, paths = _period_paths(prefix, period.id)
    dirty = [p for p in repo.changed_paths(paths)
             if not (p.startswith(period_dir + "/") and p.rsplit("/", 1)[-1].startswith("."))]
    if dirty:
        raise Refused(f"uncommitted changes in {', '.join(dirty[:5])}{' …' if len(dirty) > 5 else ''}; commit them before closing {period.id}",
                      [f"uncommitted: {p}" for p in dirty])
    warnings: list[str] = []
    today = _today_in(ws.config)
    if today <= period.end:
        warnings.append(f"{period.id} has not ended yet (it ends on {period.end}); closing it now freezes its scores as of that day")
    from okrctl.engine.scoring import score_workspace

    final = score_workspace(ws, period, period.end)
    for o in final.objectives():
        # as of the end itself statuses still follow the pace; "missed" is what they become
        # the day after (FORMAT §6.7): a score below T, or none
        missed = not o.cancelled and (o.score is None or o.score < o.T)
        if missed and o.objective.kind == "committed" and not o.objective.review:
            score = "none" if o.score is None else f"{float(o.score):.2f}"
            warnings.append(f"{o.ref} (committed) missed its target (score {score} < 1) and has no `review: {{note: …}}` explaining why")

    cfg = root / CONFIG_FILE
    try:
        with fsio.file_lock(root, timeout=lock_timeout):
            old = base.read(CONFIG_FILE)
            new = _add_locked_period(old, period.id)
            committed = new != old
            if committed:
                _validate_change(res, base, CONFIG_FILE, new, what="change")
                fsio.atomic_write(cfg, new, expected_sha=blob_sha(old))
                rel = repo.relpath(cfg)
                try:
                    sha = repo.commit_paths([rel], f"okr: close {period.id}\n\nOkr-Period: {period.id}\n")
                except gitio.GitError:
                    fsio.atomic_write(cfg, old, expected_sha=blob_sha(new))  # put it back
                    raise
            else:
                head = repo.head()
                if head is None:
                    raise Refused("the repository has no commit yet; commit the workspace first")
                sha = head
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    tagged = load_workspace(gitio.GitTreeSource(repo, sha, prefix))
    if tagged.workspace is None:
        raise Refused(f"the committed workspace at {sha[:12]} cannot be loaded; run okrctl validate")
    payload = score_payload(tagged.workspace, period)
    try:
        repo.tag_annotated(tag, sha, tag_message(period, payload), sign=sign)
    except gitio.GitError as exc:
        raise gitio.GitError(f"{period.id} is locked in {CONFIG_FILE} (commit {sha[:12]}) but the tag {tag} could not be created: "
                             f"{exc.message}; run okrctl close {period.id} again to retry") from None
    return CloseResult(period.id, tag, sha, committed, warnings, payload)


def _add_locked_period(data: bytes, period_id: str) -> bytes:
    from okrctl.write import yamledit

    key = ["policy", "locked_periods"]
    try:
        return yamledit.add_to_list(data, key, period_id, name=CONFIG_FILE, if_absent=True)
    except WriteRefused:
        try:
            return yamledit.splice_to_list(data, key, period_id, name=CONFIG_FILE, if_absent=True)
        except WriteRefused as second:
            raise Refused(second.message) from None


@dataclass
class Comparison:
    label: str  # "tagged tree" | "HEAD"
    commit: str | None
    match: bool
    differences: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class VerifyResult:
    period: str
    tag: str
    commit: str
    okrctl_version: str | None
    as_of: str | None
    comparisons: list[Comparison]
    later_commits: list[dict]
    #: problems other than a score comparison or a later commit (tag unreadable, history rewritten…)
    issues: list[str]

    @property
    def problems(self) -> list[str]:
        out = list(self.issues)
        for c in self.comparisons:
            where = f"{c.label} ({c.commit[:12]})" if c.commit else c.label
            if c.error:
                out.append(f"{where}: {c.error}")
            elif not c.match:
                n = len(c.differences)
                out.append(f"{where}: {n} score{'s differ' if n != 1 else ' differs'} from the closed record")
        if self.later_commits:
            n = len(self.later_commits)
            out.append(f"{n} commit{'s' if n != 1 else ''} after the close changed okrs/{self.period}/")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {
            "period": self.period,
            "tag": self.tag,
            "commit": self.commit,
            "closed_with": self.okrctl_version,
            "as_of": self.as_of,
            "ok": self.ok,
            "tagged": _cmp_json(self.comparisons[0]) if self.comparisons else None,
            "head": _cmp_json(self.comparisons[1]) if len(self.comparisons) > 1 else None,
            "later_commits": self.later_commits,
            "problems": self.problems,
        }


def _cmp_json(c: Comparison) -> dict:
    return {"commit": c.commit, "match": c.match, "differences": c.differences, "error": c.error}


def _flatten(payload: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for u in payload.get("units") or []:
        out[f"unit {u.get('unit')}"] = {k: v for k, v in u.items() if k not in ("objectives", "kpis")}
        for o in u.get("objectives") or []:
            out[o.get("ref")] = {k: v for k, v in o.items() if k != "key_results"}
            for k in o.get("key_results") or []:
                out[k.get("ref")] = dict(k)
        for k in u.get("kpis") or []:
            out[k.get("ref")] = dict(k)
    return out


def _differences(want: dict, got: dict) -> list[dict]:
    a, b = _flatten(want), _flatten(got)
    diffs: list[dict] = []
    for ref in list(a) + [r for r in b if r not in a]:
        x, y = a.get(ref), b.get(ref)
        if x is None or y is None:
            diffs.append({"ref": ref, "field": None, "closed": x, "now": y})
            continue
        for k in list(x) + [k for k in y if k not in x]:
            if x.get(k) != y.get(k):
                diffs.append({"ref": ref, "field": k, "closed": x.get(k), "now": y.get(k)})
    for key in ("period", "as_of"):
        if want.get(key) != got.get(key):
            diffs.append({"ref": None, "field": key, "closed": want.get(key), "now": got.get(key)})
    if not diffs and want != got:
        diffs.append({"ref": None, "field": None, "closed": "…", "now": "…"})
    return diffs


def verify_period(root: Path, period_id: str) -> VerifyResult:
    """Compare the scores recorded in the tag ``okr/close/<PERIOD>`` with the scores
    recomputed from the tagged tree and from HEAD's tree (as of the period's end), and
    list the commits after the close that touched the period's files."""
    from okrctl import gitio

    root = Path(root).resolve()
    if not is_period_id(period_id):
        raise BadInput(f"PERIOD: {period_id!r} is not a period id (YYYY, YYYY-H1/H2 or YYYY-Q1..Q4)")
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    tag = close_tag(period_id)
    sha = repo.tag_target(tag)
    if sha is None:
        raise BadInput(f"no tag {tag}: {period_id} was not closed with okrctl close")
    issues: list[str] = []
    message = repo.tag_message(tag)
    recorded: dict | None = None
    if message is None:
        issues.append(f"{tag} is not an annotated tag, so it records no scores")
    else:
        try:
            recorded = parse_tag_message(message)
        except ValueError as exc:
            issues.append(f"{tag}: {exc}")
    if recorded is not None and recorded.get("period") != period_id:
        issues.append(f"{tag} records period {recorded.get('period')!r}, not {period_id}")

    comparisons: list[Comparison] = []
    head = repo.head()
    for label, commit in (("tagged tree", sha), ("HEAD", head)):
        if commit is None:
            comparisons.append(Comparison(label, None, False, error="the repository has no commit"))
            continue
        res = load_workspace(gitio.GitTreeSource(repo, commit, prefix))
        ws = res.workspace
        errs = [d for d in res.diagnostics if d.severity == "error"
                and (d.path.startswith(f"okrs/{period_id}/") or d.path in (CONFIG_FILE, UNITS_FILE))]
        if ws is None or errs:
            why = _diag_line(errs[0]) if errs else "okrctl.yaml or units.yaml is unreadable"
            comparisons.append(Comparison(label, commit, False, error=f"the workspace does not load: {why}"))
            continue
        period = parse_period(period_id, ws.config.fiscal_year_start)
        now = score_payload(ws, period)
        if recorded is None:
            comparisons.append(Comparison(label, commit, False, error="nothing recorded to compare with"))
            continue
        if recorded.get("as_of") != period.end.isoformat() and label == "tagged tree":
            issues.append(f"the tag records scores as of {recorded.get('as_of')}, but {period_id} ends on {period.end}")
        diffs = [] if now == recorded["scores"] else _differences(recorded["scores"], now)
        comparisons.append(Comparison(label, commit, not diffs, diffs))

    later: list[dict] = []
    if head is not None:
        if not repo.is_ancestor(sha, head):
            issues.append(f"HEAD ({head[:12]}) does not contain the close commit {sha[:12]} (history rewritten, or another branch)")
        period_dir = f"{prefix}/okrs/{period_id}" if prefix else f"okrs/{period_id}"
        for info, changed in reversed(repo.log_path([period_dir])):
            if repo.is_ancestor(info.sha, sha):
                break
            later.append({"commit": info.sha, "date": info.committer_date.isoformat(), "author": info.author_name,
                          "subject": info.subject, "paths": sorted(p[len(prefix) + 1:] if prefix else p for p in changed)})
        later.reverse()
    return VerifyResult(period_id, tag, sha, recorded.get("okrctl") if recorded else None,
                        recorded.get("as_of") if recorded else None, comparisons, later, issues)

