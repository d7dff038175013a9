"""Problems as values: every problem okrctl finds is a :class:`Problem`.

One record for ``validate`` (a file breaks the format) and ``check`` (a change
breaks a rule of docs/ci.md).  Each carries the workspace-relative path, a 1-based
line and column, a severity, a stable code from :data:`CODES` (whose ``name`` is
the rule name: ``unknown-key``, ``definition-changed``), a one-line message and,
for findings about an item, its reference.  Checks and rules return lists of them;
nothing in the core raises for bad input.  Every output format (text, JSON,
GitHub, SARIF, Markdown: :mod:`okrctl.render.problems`) starts from this record.
"""

from __future__ import annotations

from okrctl.model.messages import ngettext

from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, Literal

Severity = Literal["error", "warning"]


Family = Literal["validate", "check"]


@dataclass(frozen=True, slots=True)
class Check:
    """One entry of the registry: a stable code, its rule name, default severity
    and a one-line summary.  ``family`` says which command reports it."""

    code: str
    name: str
    severity: Severity
    summary: str
    family: Family = "validate"


def _registry(*checks: Check) -> dict[str, Check]:
    return {c.code: c for c in checks}


def _rule(code: str, name: str, severity: Severity, summary: str) -> Check:
    return Check(code, name, severity, summary, "check")


#: Every problem okrctl can report, ``validate``'s and ``check``'s.  ``docs/checks.md``
#: documents the validate codes and ``docs/ci.md`` the check rules; tests keep both in
#: step with this registry.
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
    Check("OKR016", "too-many-problems", "error",
          "a file has more problems than are listed (the first 200 are; this line counts the rest)"),
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
    Check("OKR206", "unit-tree-too-deep", "error", "the tree of units is more than 64 levels deep"),
    # --- ids and alignment (OKR21x)
    Check("OKR210", "duplicate-id", "error", "two siblings share an id (also under case-folding)"),
    Check("OKR211", "unresolved-reference", "error", "`aligns_to` names nothing that exists"),
    Check("OKR212", "alignment-period", "error", "`aligns_to` names a period that neither equals nor encloses the file's"),
    Check("OKR213", "alignment-cycle", "error", "objectives align to each other in a cycle"),
    Check("OKR214", "aligned-without-feeders", "error", "an `aligned` KR has no same-period objective aligned to it"),
    Check("OKR215", "alignment-too-deep", "error", "a chain of `aligns_to` is more than 64 objectives long"),
    # --- definitions (OKR22x)
    Check("OKR220", "baseline-equals-target", "error", "a metric KR's baseline equals its target"),
    Check("OKR221", "direction-mismatch", "error", "`direction` disagrees with baseline → target"),
    Check("OKR222", "zero-weights", "error", "all KR (or milestone) weights of an objective (KR) are 0"),
    Check("OKR223", "unknown-milestone", "error", "a check-in names a milestone the KR does not define"),
    Check("OKR224", "wrong-checkin-value", "error", "a check-in's value does not fit the KR type"),
    Check("OKR225", "alert-wrong-side", "error", "a KPI `alert` is not on the far side of its `target`"),
    Check("OKR226", "checkin-not-allowed", "error", "an `aligned` KR has check-ins or a frequency"),
    Check("OKR227", "field-not-for-type", "warning", "a KR sets a field its type does not use (it has no effect)"),
    Check("OKR228", "evidence-mismatch", "error", "a pinned evidence file is missing or its SHA-256 is not the pinned one"),
    # --- dates (OKR23x)
    Check("OKR230", "date-outside-period", "error", "a check-in or measurement is dated outside its file's period"),
    Check("OKR231", "date-in-future", "warning", "a check-in or measurement is dated after today"),
    # --- settings (OKR24x)
    Check("OKR240", "grade-bands", "error", "grade bands are not strictly decreasing or do not end at 0"),
    Check("OKR241", "unknown-timezone", "error", "`timezone` is not a known IANA time zone"),
    Check("OKR242", "bad-period", "error", "a period id is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4"),
    Check("OKR243", "unknown-rule", "error", "`policy.rules` names a rule okrctl does not have"),
    # --- the rules on a change, docs/ci.md (OKR8xx), in its order; `policy.rules` at
    # the policy revision may set each to error, warning or off
    _rule("OKR801", "locked-period-changed", "error", "a file of a closed period was added, removed or changed"),
    _rule("OKR802", "definition-changed", "error",
          "after the lock, a definition field changed without a valid matching `rebaselines` entry added in the same change"),
    _rule("OKR812", "target-eased", "warning",
          "an eased definition change was accepted through a valid `rebaselines` entry"),
    _rule("OKR803", "item-added", "error",
          "after the lock, an objective, key result or KPI appeared (in a new file too) without a valid `added` record"),
    _rule("OKR813", "item-added-recorded", "warning",
          "after the lock, an objective, key result or KPI appeared with a valid `added` record"),
    _rule("OKR804", "item-removed", "error",
          "after the lock, an objective, key result or KPI of BASE is gone (cancel it instead)"),
    _rule("OKR805", "item-cancelled", "warning", "a valid `cancelled` record was added"),
    _rule("OKR814", "approval-invalid", "error",
          "an added `rebaselines`, `added` or `cancelled` record has a blank reason, a date outside [period start, J] "
          "or an `approved_by` who is not an approver of the unit"),
    _rule("OKR815", "approval-unverifiable", "warning",
          "an added record's unit has no approvers at all, so `approved_by` cannot be judged"),
    _rule("OKR806", "checkin-rewritten", "error",
          "an existing check-in, measurement, `rebaselines`, `added` or `cancelled` record changed or disappeared "
          "(also with its removed or renamed item)"),
    _rule("OKR816", "checkin-corrected", "warning",
          "an added check-in or measurement has the date of one BASE already has: it replaces a reported value"),
    _rule("OKR807", "checkin-backdated", "warning",
          "an added check-in, measurement or record is dated more than `backdate_days` before J"),
    _rule("OKR808", "checkin-future", "error", "an added check-in, measurement or record is dated after J"),
    _rule("OKR809", "checkin-out-of-order", "warning",
          "an added check-in or measurement is dated before the item's latest one at BASE"),
    _rule("OKR810", "policy-changed", "warning",
          "okrctl.yaml or units.yaml changed; lists the open-period rolled-up scores it moves"),
    _rule("OKR817", "ci-config-changed", "warning",
          "a file that configures CI or review changed (.github/, .gitlab/, .gitlab-ci.yml, CODEOWNERS, "
          "docs/CODEOWNERS, .pre-commit-config.yaml)"),
    _rule("OKR811", "closed-result-changed", "error",
          "a closed period's final results (scores, statuses, grades, KPI statuses as of the day after its end) "
          "differ between BASE and HEAD"),
    # not configurable: a file of BASE that does not load is never a pass
    _rule("OKR818", "base-unreadable", "error", "a file of BASE does not load, so the change to it cannot be judged"),
    # not a rule of §8 and not configurable: a file of HEAD does not validate (always
    # an error), or a changed file could not be compared
    _rule("OKR899", "invalid", "error", "a file of HEAD does not validate, or a changed file could not be compared"),
)

#: check codes that ``policy.rules`` cannot name (docs/ci.md)
UNCONFIGURABLE = ("invalid", "base-unreadable")
#: the rules of ``check`` by name (docs/ci.md order), as ``policy.rules`` names them
RULES: dict[str, Check] = {c.name: c for c in CODES.values() if c.family == "check" and c.name not in UNCONFIGURABLE}
#: the code of each rule name, ``invalid`` included
RULE_CODES: dict[str, str] = {c.name: c.code for c in CODES.values() if c.family == "check"}
#: the pseudo-rule of files that do not validate or cannot be compared
INVALID = "invalid"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    code: str
    #: a ``str``, usually a :class:`okrctl.model.messages.Msg` (English, translated when
    #: printed); typed ``Any`` so that the persistent cache keeps the message id and its
    #: arguments instead of the English text (:mod:`okrctl.read.cache`)
    message: Any
    severity: Severity = "error"
    #: what it is about, for findings: ``PERIOD/UNIT/OBJ[/KR]``, ``REF@DATE#N``, a file, a period
    ref: str | None = None

    @classmethod
    def make(cls, code: str, path: str, line: int, column: int, message: str, severity: Severity | None = None,
             ref: str | None = None) -> "Problem":
        return cls(path, max(line, 1), max(column, 1), code, message, severity or CODES[code].severity, ref)

    @classmethod
    def finding(cls, rule: str, severity: Severity, ref: str, path: str, line: int, message: str,
                column: int = 1) -> "Problem":
        """A finding of ``check``: the rule by name, at a line of HEAD's file."""
        return cls.make(RULE_CODES[rule], path, line, column, message, severity, ref)

    @property
    def name(self) -> str:
        """The rule name of the code (``unknown-key``, ``definition-changed``)."""
        return CODES[self.code].name

    #: ``check`` calls the name its rule
    rule = name

    def to_dict(self) -> dict:
        """docs/json.md: validate's ``diagnostics`` and check's ``findings`` alike."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "rule": self.name,
            "ref": self.ref,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Sorted by path, line, column, code; exact duplicates removed."""
    return sorted(set(problems), key=lambda d: (d.path, d.line, d.column, d.code, d.message))


#: problems listed per file; the rest are counted on one OKR016 line
MAX_PER_FILE = 200


def cap_per_file(problems: list[Problem], limit: int = MAX_PER_FILE) -> list[Problem]:
    """The first ``limit`` problems of each file (in the given order), then one
    ``… and N more`` line (OKR016) for a file that had more: output stays readable
    and every later step stays linear however broken a file is."""
    kept: dict[str, list[Problem]] = {}
    dropped: dict[str, list[Problem]] = {}
    for p in problems:
        mine = kept.setdefault(p.path, [])
        (mine if len(mine) < limit else dropped.setdefault(p.path, [])).append(p)
    out: list[Problem] = []
    for path, mine in kept.items():
        out += mine
        rest = dropped.get(path)
        if rest:
            n = len(rest)
            out.append(Problem.make("OKR016", path, rest[0].line, 1,
                                    ngettext("… and {n} more problem in this file (only the first {limit} are listed)",
                                             "… and {n} more problems in this file (only the first {limit} are listed)", n).format(limit=limit),
                                    "error" if has_errors(rest) else "warning"))
    return out


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(d.severity == "error" for d in problems)
