"""Diagnostics as values: every problem okrctl finds is a :class:`Diagnostic`.

Each carries the workspace-relative path, a 1-based line and column, a severity,
a stable code from :data:`CODES` and a one-line message.  Checks return lists of
them; nothing in the core raises for bad input.  Renderers (text, JSON, GitHub,
SARIF) all start from :meth:`Diagnostic.to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    name: str
    severity: Severity
    summary: str


def _registry(*checks: Check) -> dict[str, Check]:
    return {c.code: c for c in checks}


#: Every diagnostic okrctl can emit.  ``docs/checks.md`` documents each one and a
#: test keeps the two in step.
CODES: dict[str, Check] = _registry(
    # --- reading: bytes, encoding, YAML subset (OKR0xx)
    Check("OKR001", "invalid-utf8", "error", "the file is not valid UTF-8"),
    Check("OKR002", "yaml-syntax", "error", "the file is not well-formed YAML"),
    Check("OKR003", "yaml-anchor", "error", "anchors, aliases and merge keys are not allowed"),
    Check("OKR004", "yaml-tag", "error", "explicit tags and %YAML/%TAG directives are not allowed"),
    Check("OKR005", "read-error", "error", "the file could not be read"),
    Check("OKR006", "not-a-regular-file", "error", "symbolic links and special files are refused"),
    Check("OKR007", "too-large", "error", "the file, a value or the nesting is over okrctl's limits"),
    Check("OKR008", "duplicate-key", "error", "a key appears twice in one mapping (also after NFC normalisation)"),
    Check("OKR009", "non-string-key", "error", "a mapping key is not text"),
    Check("OKR010", "multiple-documents", "error", "a file holds more than one YAML document"),
    Check("OKR011", "empty-document", "error", "the file has no content"),
    Check("OKR012", "not-a-mapping", "error", "the top level of the file is not a mapping"),
    Check("OKR013", "bad-number", "error", "a number is not written in plain decimal (hex, octal, `_`, .inf, .nan)"),
    Check("OKR014", "control-character", "error", "the text holds a byte-order mark, bidi override or control character"),
    Check("OKR015", "internal-parser-error", "error", "the YAML parser failed unexpectedly; please report it"),
    # --- schema and layout (OKR1xx)
    Check("OKR100", "schema", "error", "the document does not match its JSON Schema"),
    Check("OKR101", "unknown-key", "error", "a key the format does not define (use an `x-` prefix for your own data)"),
    Check("OKR102", "missing-key", "error", "a required key is missing"),
    Check("OKR103", "wrong-type", "error", "a value has the wrong type"),
    Check("OKR104", "invalid-value", "error", "a value is out of range, not allowed, or badly formed"),
    Check("OKR105", "invalid-date", "error", "a date is not a real ISO YYYY-MM-DD date"),
    Check("OKR110", "bad-path", "error", "a file is not at okrs/<PERIOD>/<UNIT>.yaml"),
    Check("OKR111", "missing-file", "error", "okrctl.yaml or units.yaml is missing"),
    Check("OKR112", "path-mismatch", "error", "a file's `unit:` or `period:` disagrees with its path"),
    Check("OKR113", "path-collision", "error", "two paths differ only in letter case or Unicode normalisation"),
    # --- units (OKR2xx)
    Check("OKR200", "unknown-unit", "error", "a unit id is not defined in units.yaml"),
    Check("OKR201", "unit-cycle", "error", "the parent graph of units has a cycle"),
    Check("OKR202", "duplicate-unit", "error", "two units share an id (also under case-folding)"),
    Check("OKR203", "unit-not-active", "error", "a unit has a file for a period it does not take part in"),
    Check("OKR204", "parent-not-active", "error", "a unit takes part in a period its parent does not"),
    Check("OKR205", "unit-dates", "error", "a unit's `until` is before its `from`"),
    # --- ids and alignment (OKR21x)
    Check("OKR210", "duplicate-id", "error", "two siblings share an id (also under case-folding)"),
    Check("OKR211", "unresolved-reference", "error", "`aligns_to` names nothing that exists"),
    Check("OKR212", "alignment-period", "error", "`aligns_to` names a period that neither equals nor encloses the file's"),
    Check("OKR213", "alignment-cycle", "error", "objectives align to each other in a cycle"),
    Check("OKR214", "aligned-without-feeders", "error", "an `aligned` KR has no same-period objective aligned to it"),
    # --- definitions (OKR22x)
    Check("OKR220", "baseline-equals-target", "error", "a metric KR's baseline equals its target"),
    Check("OKR221", "direction-mismatch", "error", "`direction` disagrees with baseline → target"),
    Check("OKR222", "zero-weights", "error", "all KR (or milestone) weights of an objective (KR) are 0"),
    Check("OKR223", "unknown-milestone", "error", "a check-in names a milestone the KR does not define"),
    Check("OKR224", "wrong-checkin-value", "error", "a check-in's value does not fit the KR type"),
    Check("OKR225", "alert-wrong-side", "error", "a KPI `alert` is not on the far side of its `target`"),
    Check("OKR226", "checkin-not-allowed", "error", "an `aligned` KR has check-ins or a frequency"),
    Check("OKR227", "field-not-for-type", "warning", "a KR sets a field its type does not use (it has no effect)"),
    # --- dates (OKR23x)
    Check("OKR230", "date-outside-period", "error", "a check-in or measurement is dated outside its file's period"),
    Check("OKR231", "date-in-future", "warning", "a check-in or measurement is dated after today"),
    # --- settings (OKR24x)
    Check("OKR240", "grade-bands", "error", "grade bands are not strictly decreasing or do not end at 0"),
    Check("OKR241", "unknown-timezone", "error", "`timezone` is not a known IANA time zone"),
    Check("OKR242", "bad-period", "error", "a period id is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4"),
    Check("OKR243", "unknown-rule", "error", "`policy.rules` names a rule okrctl does not have"),
)


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = "error"

    @classmethod
    def make(cls, code: str, path: str, line: int, column: int, message: str, severity: Severity | None = None) -> "Diagnostic":
        return cls(path, max(line, 1), max(column, 1), code, message, severity or CODES[code].severity)

    @property
    def name(self) -> str:
        return CODES[self.code].name

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


def sort_diagnostics(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Sorted by path, line, column, code; exact duplicates removed."""
    return sorted(set(diags), key=lambda d: (d.path, d.line, d.column, d.code, d.message))


def has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)
