"""Schema, layout, unit and semantic checks (OKR1xx, OKR2xx) and `okrctl validate`.

Every code of the OKR1xx/OKR2xx families has at least one test that triggers it and
one nearby case that must not.  Workspaces are small real directories in
``tmp_path``, loaded in-process; only the CLI behaviour runs in a subprocess.
Positions are 1-based and computed by hand from the YAML written in each test:
a list item's mapping is located at its first key (``- id: KR1`` → the ``i``),
a key problem at the key, a value problem at the value.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from conftest import ROOT, subprocess_env

import okrctl.read.schemas
from okrctl.model.problems import CODES
from okrctl.read.loader import LoadResult, ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource

TODAY = date(2026, 5, 15)
REPO = Path(__file__).resolve().parents[2]

DEFAULT_CONFIG = "name: Test workspace\n"
#: units.yaml — line 2: root (2:5), line 4: team (4:5), child of root
DEFAULT_UNITS = """\
units:
  - id: root
    name: Root
  - id: team
    name: Team
    parent: root
"""

#: the head of a period file: objective O1 at 2:5; its key results start on line 5
#: with the first KR's mapping at 5:9 (see :func:`okr`)
HEAD = """\
objectives:
  - id: O1
    title: Objective one
    key_results:
"""

#: a valid metric KR, for files that need one
KR_OK = """\
- id: KR1
  title: Key result one
  baseline: 0
  target: 10
"""


def okr(krs: str = KR_OK, tail: str = "") -> str:
    """A period file with objective O1 holding the key results ``krs`` (a YAML list
    written at column 1; it is indented by 6, so the first KR is on line 5 at 5:9,
    its keys at column 9, and a list under a KR has its items' keys at column 13),
    followed by ``tail`` (top-level YAML)."""
    return HEAD + textwrap.indent(textwrap.dedent(krs), " " * 6) + textwrap.dedent(tail)


#: a valid file: O1 with one metric KR (lines 1-8)
VALID = okr()


def make_ws(tmp_path: Path, files: dict[str, str | None], *, name: str = "ws") -> Path:
    """Write a workspace under ``tmp_path/name``.  ``okrctl.yaml`` and ``units.yaml``
    default to :data:`DEFAULT_CONFIG` and :data:`DEFAULT_UNITS`; a value of None
    leaves that file out.  Texts are dedented, so they may be indented in the test."""
    root = tmp_path / name
    root.mkdir(parents=True, exist_ok=True)
    merged: dict[str, str | None] = {"okrctl.yaml": DEFAULT_CONFIG, "units.yaml": DEFAULT_UNITS, **files}
    for rel, text in merged.items():
        if text is None:
            continue
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load(root: Path, today: date | None = TODAY) -> LoadResult:
    # a fresh parse cache: no test sees another's documents
    return load_workspace(WorkingTreeSource(root), today=today, cache=ParseCache())


def diags(root: Path) -> list[tuple[str, int, int, str, str]]:
    return [(d.path, d.line, d.column, d.code, d.severity) for d in load(root).diagnostics]


def messages(root: Path, code: str) -> list[str]:
    return [d.message for d in load(root).diagnostics if d.code == code]


Q2 = "okrs/2026-Q2/team.yaml"
Q1 = "okrs/2026-Q1/team.yaml"


def E(path: str, line: int, col: int, code: str) -> tuple[str, int, int, str, str]:
    return (path, line, col, code, CODES[code].severity)


# ============================================================== sanity

def test_helper_workspace_is_clean(tmp_path):
    root = make_ws(tmp_path, {Q2: VALID})
    res = load(root)
    assert res.diagnostics == []
    assert res.workspace is not None
    assert [f.path for f in res.workspace.files] == [Q2]
    assert res.workspace.files[0].objectives[0].key_results[0].ref == "2026-Q2/team/O1/KR1"


# ============================================================== OKR100 schema (the safety net)

def test_okr100_when_the_two_schema_validators_disagree(tmp_path, monkeypatch):
    root = make_ws(tmp_path, {Q2: VALID})
    assert diags(root) == []
    real = okrctl.read.schemas.is_valid
    # the fast validator says "invalid", jsonschema finds nothing: never pass silently
    monkeypatch.setattr(okrctl.read.schemas, "is_valid", lambda kind, value: kind != "units" and real(kind, value))
    assert diags(root) == [E("units.yaml", 1, 1, "OKR100")]


def test_trailing_newline_in_an_id_is_a_pattern_error_not_okr100(tmp_path):
    # "$" in a schema pattern is the end of the text (ECMA-262); Python's "$" also
    # matches before a final newline, which made the two tiers disagree
    root = make_ws(tmp_path, {Q2: okr('- id: "KR1\\n"\n  title: K\n  baseline: 0\n  target: 1\n')})
    assert diags(root) == [E(Q2, 5, 13, "OKR104")]


# ============================================================== OKR101 unknown key

def test_okr101_unknown_key_with_suggestion(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: Key result one
          baseline: 0
          targte: 10
        """)})
    # the typo also leaves the metric KR without its target
    assert diags(root) == [E(Q2, 5, 9, "OKR102"), E(Q2, 8, 9, "OKR101")]
    (msg,) = messages(root, "OKR101")
    assert "'targte'" in msg and "did you mean 'target'?" in msg


def test_okr101_in_okrctl_yaml_and_units_yaml(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": """\
            name: Test
            timezon: UTC
            scoring:
              pace: {at_risk: 0.1, of_track: 0.3}
            """,
        "units.yaml": DEFAULT_UNITS + "    parnet: root\n",
    })
    assert diags(root) == [
        E("okrctl.yaml", 2, 1, "OKR101"),
        E("okrctl.yaml", 4, 24, "OKR101"),
        E("units.yaml", 7, 5, "OKR101"),
    ]
    msgs = messages(root, "OKR101")
    assert "did you mean 'timezone'?" in msgs[0]
    assert "did you mean 'off_track'?" in msgs[1]
    assert "did you mean 'parent'?" in msgs[2]


def test_okr101_no_suggestion_when_nothing_is_close(tmp_path):
    root = make_ws(tmp_path, {Q2: "objectives: []\nnotes: hello\n"})
    assert diags(root) == [E(Q2, 2, 1, "OKR101")]
    (msg,) = messages(root, "OKR101")
    assert "did you mean" not in msg and "'x-'" in msg


def test_x_keys_are_allowed_everywhere(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": """\
            name: Test
            x-contact: it@example.org
            scoring:
              x-note: tuned in 2025
              pace: {at_risk: 0.1, off_track: 0.25, x-why: default}
              grades:
                x-source: handbook
                committed: [{min: 1, label: green, x-colour: "#0f0"}, {min: 0, label: red}]
            policy:
              x-owner: pmo
              lock_after_days: {quarter: 14, x-comment: legal}
              rules: {checkin-backdated: off, x-reason: pilot year}
            """,
        "units.yaml": """\
            x-generated-by: hr-export
            units:
              - id: root
                name: Root
                x-code: "000.00.20.H26"
              - id: team
                name: Team
                parent: root
            """,
        Q2: """\
            x-file-note: anything
            objectives:
              - id: O1
                title: Objective one
                x-priority: 1
                added: {date: 2026-04-20, reason: new, approved_by: boss, x-ticket: 12}
                review: {note: fine, x-by: boss}
                key_results:
                  - id: KR1
                    title: Key result one
                    baseline: 0
                    target: 10
                    x-source: [a, b]
                    checkins:
                      - {date: 2026-04-30, value: 3, x-raw: "3.0"}
                    rebaselines:
                      - {date: 2026-04-20, field: target, from: 12, to: 10, reason: budget, approved_by: boss, x-memo: 7}
                  - id: KR2
                    title: Milestones
                    type: milestone
                    milestones:
                      - {id: m1, title: First, x-owner: ann}
            kpis:
              - id: K1
                title: KPI one
                target: 98
                x-dashboard: https://example.org
                cancelled: {date: 2026-05-01, reason: dropped, approved_by: boss, x-note: see minutes}
                measurements:
                  - {date: 2026-04-30, value: 97, x-batch: 3}
            """,
    })
    res = load(root)
    assert res.diagnostics == []
    # x- keys in policy.rules are the user's, not rules
    assert res.workspace.config.rules == {"checkin-backdated": "off"}


# ============================================================== OKR102 missing key

@pytest.mark.parametrize(("kr", "missing"), [
    ("- id: KR1\n  title: T\n", ["baseline", "target"]),                            # metric by default
    ("- id: KR1\n  title: T\n  type: metric\n  baseline: 0\n", ["target"]),
    ("- id: KR1\n  title: T\n  type: milestone\n", ["milestones"]),
    ("- id: KR1\n  title: T\n  type: maintain\n", ["threshold", "direction"]),
    ("- id: KR1\n  title: T\n  type: maintain\n  threshold: 95\n", ["direction"]),
    ("- id: KR1\n  type: boolean\n", ["title"]),
])
def test_okr102_definition_fields_per_kr_type(tmp_path, kr, missing):
    root = make_ws(tmp_path, {Q2: okr(kr)})
    got = load(root).diagnostics
    assert [(d.line, d.column, d.code) for d in got] == [(5, 9, "OKR102")] * len(missing)
    assert sorted(d.message.rsplit(" ", 1)[1] for d in got) == sorted(f"{m!r}" for m in missing)


@pytest.mark.parametrize("kr", [
    "- id: KR1\n  title: T\n  type: boolean\n",
    "- id: KR1\n  title: T\n  type: metric\n  baseline: 0\n  target: 1\n",
    "- id: KR1\n  title: T\n  type: milestone\n  milestones: [{id: m1, title: M}]\n",
    "- id: KR1\n  title: T\n  type: maintain\n  threshold: 95\n  direction: increase\n",
])
def test_okr102_not_when_the_type_has_its_fields(tmp_path, kr):
    root = make_ws(tmp_path, {Q2: okr(kr)})
    assert diags(root) == []


def test_okr102_objective_kpi_settings_unit_and_records(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": "locale: vi\n",
        "units.yaml": "units:\n  - id: root\n",
        Q2: """\
            objectives:
              - id: O1
                title: No key results
              - id: O2
                title: Cancelled without approver
                cancelled: {date: 2026-04-20, reason: merged}
                key_results:
                  - {id: KR1, title: T, baseline: 0, target: 1}
            kpis:
              - id: K1
                title: No target
            """,
    })
    assert diags(root) == [
        E("okrctl.yaml", 1, 1, "OKR102"),
        E(Q2, 2, 5, "OKR102"),
        E(Q2, 6, 5, "OKR102"),
        E(Q2, 10, 5, "OKR102"),
        E("units.yaml", 2, 5, "OKR102"),
    ]
    got = {(d.path, d.line): d.message for d in load(root).diagnostics}
    assert got[("okrctl.yaml", 1)].endswith("'name'")
    assert got[("units.yaml", 2)].endswith("'name'")
    assert got[(Q2, 2)].endswith("'key_results'")
    assert got[(Q2, 6)].endswith("'approved_by'")
    assert got[(Q2, 10)].endswith("'target'")


# ============================================================== OKR103 wrong type

def test_okr103_wrong_types(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": 'name: Test\nfiscal_year_start: "7"\n',
        Q2: okr("""\
            - id: KR1
              title: T
              baseline: "10"
              target: 20
              weight: heavy
              checkins:
                - {date: 2026-04-30, value: yes}
            - id: KR2
              title: T
              type: milestone
              milestones: {id: m1, title: M}
            """),
    })
    assert diags(root) == [
        E("okrctl.yaml", 2, 20, "OKR103"),
        E(Q2, 7, 19, "OKR103"),
        E(Q2, 9, 17, "OKR103"),
        E(Q2, 11, 39, "OKR103"),
        E(Q2, 15, 21, "OKR103"),
    ]
    msgs = messages(root, "OKR103")
    assert "quoted or not a plain decimal" in msgs[1]
    assert "write true or false" in msgs[3]


def test_okr103_not_for_plain_scalars_where_text_is_wanted(tmp_path):
    # title: 2026 and id: 1 are read as numbers by YAML; the schema wants text
    root = make_ws(tmp_path, {Q2: okr("- id: 1\n  title: 2026\n  unit: 1\n  baseline: 0\n  target: 1\n")})
    res = load(root)
    assert res.diagnostics == []
    kr = res.workspace.files[0].objectives[0].key_results[0]
    assert (kr.id, kr.title, kr.unit) == ("1", "2026", "1")


# ============================================================== OKR104 invalid value

def test_okr104_enums(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": "name: Test\nlocale: fr\n",
        Q2: """\
            objectives:
              - id: O1
                title: T
                kind: stretch
                key_results:
                  - {id: KR1, title: T, type: metrik}
                  - {id: KR2, title: T, baseline: 0, target: 1, direction: up, frequency: daily}
            """,
    })
    assert diags(root) == [
        E("okrctl.yaml", 2, 9, "OKR104"),
        E(Q2, 4, 11, "OKR104"),
        E(Q2, 6, 35, "OKR104"),
        E(Q2, 7, 64, "OKR104"),
        E(Q2, 7, 79, "OKR104"),
    ]
    assert "is not one of: metric, boolean, milestone, maintain, aligned" in messages(root, "OKR104")[2]


def test_okr104_ranges(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": "name: Test\nfiscal_year_start: 13\nscoring:\n  max_score: 0.5\n",
        Q2: okr("""\
            - id: KR1
              title: T
              baseline: 0
              target: 10
              weight: -1
              checkins:
                - {date: 2026-04-30, value: 3, confidence: 1.5}
            """),
    })
    assert diags(root) == [
        E("okrctl.yaml", 2, 20, "OKR104"),
        E("okrctl.yaml", 4, 14, "OKR104"),
        E(Q2, 9, 17, "OKR104"),
        E(Q2, 11, 54, "OKR104"),
    ]
    msgs = messages(root, "OKR104")
    assert msgs == [
        "fiscal_year_start must be at most 12, not 13",
        "scoring.max_score must be at least 1, not 0.5",
        "objectives[O1].key_results[KR1].weight must be at least 0, not -1",
        "objectives[O1].key_results[KR1].checkins[1].confidence must be at most 1, not 1.5",
    ]


def test_okr104_ranges_at_their_limits_are_fine(tmp_path):
    # fiscal_year_start 12: 2026-Q1 is 2025-12-01 .. 2026-02-28
    root = make_ws(tmp_path, {
        "okrctl.yaml": "name: Test\nfiscal_year_start: 12\nscoring:\n  max_score: 1\n",
        Q1: okr("""\
            - id: KR1
              title: T
              baseline: 0
              target: 10
              weight: 0
            - id: KR2
              title: T
              baseline: 0
              target: 10
              checkins:
                - {date: 2025-12-01, value: 3, confidence: 1}
                - {date: 2026-02-28, value: 4, confidence: 0}
            """),
    })
    assert diags(root) == []


def test_okr104_bad_ids_and_pace_order(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": "name: Test\nscoring:\n  pace: {at_risk: 0.3, off_track: 0.2}\n",
        Q2: okr('- id: "KR 1"\n  title: T\n  baseline: 0\n  target: 1\n'),
    })
    assert diags(root) == [E("okrctl.yaml", 3, 9, "OKR104"), E(Q2, 5, 13, "OKR104")]
    assert "pace.off_track (0.2) must not be below pace.at_risk (0.3)" in messages(root, "OKR104")[0]


# ============================================================== OKR105 invalid date

def test_okr105_invalid_dates(tmp_path):
    root = make_ws(tmp_path, {
        "okrctl.yaml": "name: Test\nas_of: 2026-04-31\n",
        "units.yaml": DEFAULT_UNITS + "    from: 2026-02-29\n",
        Q1: okr("""\
            - id: KR1
              title: T
              type: boolean
              due: 2026-13-01
              checkins:
                - date: 2026-02-30
                  value: true
                - date: 2026-1-5
                  value: false
            """),
    })
    assert diags(root) == [
        E("okrctl.yaml", 2, 8, "OKR105"),
        E(Q1, 8, 14, "OKR105"),
        E(Q1, 10, 19, "OKR105"),
        E(Q1, 12, 19, "OKR105"),
        E("units.yaml", 7, 11, "OKR105"),
    ]


def test_okr105_not_for_real_dates(tmp_path):
    root = make_ws(tmp_path, {
        "units.yaml": DEFAULT_UNITS + "    until: 2028-02-29\n",
        Q1: okr("- id: KR1\n  title: T\n  type: boolean\n  due: 2026-02-28\n  checkins:\n    - {date: 2026-02-28, value: true}\n"),
    })
    assert diags(root) == []


# ============================================================== OKR110 bad path

@pytest.mark.parametrize("path", [
    "okrs/2026-Q2/Team.yaml",        # uppercase: not a unit id
    "okrs/2026-Q2/my_team.yaml",     # underscore
    "okrs/2026-Q2/team.yml",         # .yml
    "okrs/team.yaml",                # not inside a period directory
])
def test_okr110_bad_paths(tmp_path, path):
    root = make_ws(tmp_path, {path: VALID})
    assert diags(root) == [E(path, 1, 1, "OKR110")]


def test_okr110_not_for_a_proper_path_and_ignores_other_files(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026-Q2/team-2.yaml": VALID,
        "okrs/2026-Q2/notes.txt": "not yaml",
        "okrs/README.md": "# okrs\n",
        "units.yaml": DEFAULT_UNITS + "  - id: team-2\n    name: Team 2\n    parent: root\n",
    })
    assert diags(root) == []


# ============================================================== OKR111 missing file

def test_okr111_missing_okrctl_yaml(tmp_path):
    # the CLI cannot even find such a workspace; the loader reports it
    root = make_ws(tmp_path, {"okrctl.yaml": None, Q2: VALID})
    res = load(root)
    assert [(d.path, d.line, d.column, d.code, d.severity) for d in res.diagnostics] == [E("okrctl.yaml", 1, 1, "OKR111")]
    assert res.workspace is None


def test_okr111_missing_units_yaml(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": None, Q2: VALID})
    res = load(root)
    assert [(d.path, d.line, d.column, d.code, d.severity) for d in res.diagnostics] == [E("units.yaml", 1, 1, "OKR111")]
    assert res.workspace is None


def test_okr111_not_when_both_exist(tmp_path):
    root = make_ws(tmp_path, {})
    res = load(root)
    assert res.diagnostics == [] and res.workspace is not None


# ============================================================== OKR112 path mismatch

def test_okr112_unit_and_period_disagree_with_the_path(tmp_path):
    root = make_ws(tmp_path, {Q2: "unit: root\nperiod: 2026-Q1\n" + VALID})
    assert diags(root) == [E(Q2, 1, 7, "OKR112"), E(Q2, 2, 9, "OKR112")]
    assert messages(root, "OKR112") == [
        "unit: 'root' disagrees with the path, which says 'team'",
        "period: '2026-Q1' disagrees with the path, which says '2026-Q2'",
    ]


def test_okr112_not_when_they_match(tmp_path):
    # `period: 2026` is a number to YAML; the schema reads it as the text "2026"
    root = make_ws(tmp_path, {"okrs/2026/team.yaml": "unit: team\nperiod: 2026\n" + VALID,
                              Q2: "unit: team\nperiod: 2026-Q2\n" + VALID})
    assert diags(root) == []


# ============================================================== OKR113 path collision

def test_okr113_paths_differing_only_in_case(tmp_path):
    root = make_ws(tmp_path, {Q2: VALID, "okrs/2026-q2/team.yaml": VALID})
    assert diags(root) == [E("okrs/2026-q2/team.yaml", 1, 1, "OKR113")]


def test_okr113_not_for_different_periods(tmp_path):
    root = make_ws(tmp_path, {Q1: VALID, Q2: VALID})
    assert diags(root) == []


# ============================================================== OKR200 unknown unit

def test_okr200_unknown_units(tmp_path):
    root = make_ws(tmp_path, {
        "units.yaml": DEFAULT_UNITS + "  - id: old\n    name: Old\n    parent: nowhere\n    replaced_by: [team, ghost]\n",
        "okrs/2026-Q2/ghost.yaml": VALID,
    })
    # at the field that names the unknown unit (issue 12 #18): parent: on line 9,
    # the list of replaced_by: on line 10
    assert diags(root) == [
        E("okrs/2026-Q2/ghost.yaml", 1, 1, "OKR200"),
        E("units.yaml", 9, 13, "OKR200"),
        E("units.yaml", 10, 18, "OKR200"),
    ]
    msgs = messages(root, "OKR200")
    assert "'ghost' (from the file name)" in msgs[0]
    assert sorted(msgs[1:]) == ["unit 'old': parent 'nowhere' is not defined in units.yaml",
                                "unit 'old': replaced_by 'ghost' is not defined in units.yaml"]


def test_okr200_not_for_known_units(tmp_path):
    root = make_ws(tmp_path, {
        "units.yaml": DEFAULT_UNITS + "  - id: old\n    name: Old\n    parent: root\n    replaced_by: [team]\n",
        Q2: VALID, "okrs/2026-Q2/root.yaml": VALID,
    })
    assert diags(root) == []


# ============================================================== OKR201 unit cycle

def test_okr201_parent_cycle(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": """\
        units:
          - id: root
            name: Root
          - id: a
            name: A
            parent: b
          - id: b
            name: B
            parent: a
        """})
    assert diags(root) == [E("units.yaml", 4, 5, "OKR201")]
    assert messages(root, "OKR201") == ["units form a parent cycle: a → b → a"]


def test_okr201_self_parent(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": "units:\n  - id: root\n    name: Root\n    parent: root\n"})
    assert diags(root) == [E("units.yaml", 2, 5, "OKR201")]
    assert messages(root, "OKR201") == ["units form a parent cycle: root → root"]


def test_okr201_not_for_a_deep_chain(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": """\
        units:
          - {id: c, name: C, parent: b}
          - {id: b, name: B, parent: a}
          - {id: a, name: A}
        """})
    assert diags(root) == []


# ============================================================== OKR202 duplicate unit

def test_okr202_duplicate_unit(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": DEFAULT_UNITS + "  - id: team\n    name: Team again\n"})
    assert diags(root) == [E("units.yaml", 7, 5, "OKR202")]
    assert messages(root, "OKR202") == ["unit 'team' has the same id (first defined at line 4)"]


def test_okr202_case_variants_cannot_arise_unit_ids_are_lowercase(tmp_path):
    # `Team` next to `team` would collide under case-folding; unit ids are
    # [a-z][a-z0-9-]*, so the schema refuses it first
    root = make_ws(tmp_path, {"units.yaml": DEFAULT_UNITS + "  - id: Team\n    name: Team again\n"})
    assert diags(root) == [E("units.yaml", 7, 9, "OKR104")]


def test_okr202_not_for_similar_ids(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": DEFAULT_UNITS + "  - id: team-2\n    name: Team 2\n"})
    assert diags(root) == []


# ============================================================== OKR203 unit not active

def test_okr203_file_for_a_period_the_unit_does_not_take_part_in(tmp_path):
    root = make_ws(tmp_path, {
        "units.yaml": DEFAULT_UNITS + "    until: 2026-03-31\n  - id: new\n    name: New\n    parent: root\n    from: 2026-04-01\n",
        Q2: VALID,                                  # team ended on 2026-03-31
        "okrs/2026-Q1/new.yaml": VALID,            # new starts on 2026-04-01
    })
    assert diags(root) == [E("okrs/2026-Q1/new.yaml", 1, 1, "OKR203"), E(Q2, 1, 1, "OKR203")]
    assert messages(root, "OKR203")[1] == (
        "unit 'team' exists … .. 2026-03-31 and does not take part in 2026-Q2 (2026-04-01 .. 2026-06-30)")


def test_okr203_not_when_the_dates_overlap_the_period(tmp_path):
    root = make_ws(tmp_path, {
        "units.yaml": DEFAULT_UNITS + "    from: 2026-03-31\n    until: 2026-04-01\n",
        Q1: VALID, Q2: VALID, "okrs/2026/team.yaml": VALID, "okrs/2026-H1/team.yaml": VALID,
    })
    assert diags(root) == []


# ============================================================== OKR204 parent not active

UNITS_OLD_PARENT = """\
units:
  - id: root
    name: Root
  - id: old
    name: Old department
    parent: root
    until: 2026-03-31
  - id: team
    name: Team
    parent: old
"""


def test_okr204_unit_with_a_file_where_its_parent_does_not_take_part(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": UNITS_OLD_PARENT, Q2: VALID})
    assert diags(root) == [E(Q2, 1, 1, "OKR204"), E("units.yaml", 8, 5, "OKR204")]
    assert messages(root, "OKR204")[0] == "unit 'team' takes part in 2026-Q2 but its parent 'old' does not"


def test_okr204_also_without_a_file_of_its_own(tmp_path):
    # the workspace has 2026-Q2 files; team takes part in 2026-Q2, its parent not
    root = make_ws(tmp_path, {"units.yaml": UNITS_OLD_PARENT, "okrs/2026-Q2/root.yaml": VALID})
    assert diags(root) == [E("units.yaml", 8, 5, "OKR204")]
    assert messages(root, "OKR204")[0].startswith("unit 'team' takes part in 2026-Q2 but its parent 'old' does not")


def test_okr204_not_when_the_child_ends_with_its_parent(tmp_path):
    units = UNITS_OLD_PARENT + "    until: 2026-03-31\n"
    root = make_ws(tmp_path, {"units.yaml": units, Q1: VALID, "okrs/2026/team.yaml": VALID,
                              "okrs/2026-Q2/root.yaml": VALID})
    assert diags(root) == []


# ============================================================== OKR205 unit dates

def test_okr205_until_before_from(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": DEFAULT_UNITS + "    from: 2026-04-01\n    until: 2026-03-31\n"})
    assert diags(root) == [E("units.yaml", 4, 5, "OKR205")]


def test_okr205_not_for_a_single_day(tmp_path):
    root = make_ws(tmp_path, {"units.yaml": DEFAULT_UNITS + "    from: 2026-04-01\n    until: 2026-04-01\n"})
    assert diags(root) == []


# ============================================================== OKR210 duplicate id

def test_okr210_duplicate_ids(tmp_path):
    root = make_ws(tmp_path, {Q2: """\
        objectives:
          - id: O1
            title: First
            key_results:
              - {id: KR1, title: T, baseline: 0, target: 1}
              - {id: kr1, title: T, baseline: 0, target: 1}
              - id: KR2
                title: T
                type: milestone
                milestones:
                  - {id: m1, title: M}
                  - {id: m1, title: M again}
          - id: o1
            title: Same id, other case
            key_results:
              - {id: KR1, title: T, baseline: 0, target: 1}
        kpis:
          - {id: O1, title: A KPI named like an objective, target: 1}
          - {id: K1, title: KPI, target: 1}
          - {id: K1, title: KPI again, target: 1}
        """})
    assert diags(root) == [
        E(Q2, 6, 9, "OKR210"),      # kr1 vs KR1
        E(Q2, 12, 13, "OKR210"),    # milestone m1 twice
        E(Q2, 13, 5, "OKR210"),     # o1 vs O1
        E(Q2, 18, 5, "OKR210"),     # KPI O1 shares the objectives' namespace
        E(Q2, 20, 5, "OKR210"),     # K1 twice
    ]
    msgs = messages(root, "OKR210")
    assert "(differs only in case from 'KR1')" in msgs[0]
    assert msgs[1] == "milestone id 'm1' is used twice in O1/KR2; first at line 11"
    assert "(differs only in case from 'O1')" in msgs[2]


def test_okr210_not_across_scopes(tmp_path):
    root = make_ws(tmp_path, {
        Q2: """\
            objectives:
              - id: O1
                title: First
                key_results:
                  - {id: KR1, title: T, type: milestone, milestones: [{id: m1, title: M}]}
                  - {id: KR2, title: T, type: milestone, milestones: [{id: m1, title: M}]}
              - id: O10
                title: Second
                key_results:
                  - {id: KR1, title: T, baseline: 0, target: 1}
            kpis:
              - {id: K1, title: KPI, target: 1}
            """,
        "okrs/2026-Q2/root.yaml": VALID,   # O1/KR1 again, in another file
    })
    assert diags(root) == []


# ============================================================== OKR211 unresolved reference

def test_okr211_aligns_to_nothing(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026-Q2/root.yaml": VALID + "kpis:\n  - {id: K1, title: KPI, target: 1}\n",
        Q2: """\
            objectives:
              - id: O1
                title: T
                aligns_to: root/O9
                key_results: [{id: KR1, title: T, baseline: 0, target: 1}]
              - id: O2
                title: T
                aligns_to: root/O1/KR9
                key_results: [{id: KR1, title: T, baseline: 0, target: 1}]
              - id: O3
                title: T
                aligns_to: root/K1
                key_results: [{id: KR1, title: T, baseline: 0, target: 1}]
              - id: O4
                title: T
                aligns_to: 2026/root/O1
                key_results: [{id: KR1, title: T, baseline: 0, target: 1}]
              - id: O5
                title: T
                aligns_to: root/o1
                key_results: [{id: KR1, title: T, baseline: 0, target: 1}]
            """,
    })
    # at each aligns_to value (issue 12 #18)
    assert diags(root) == [E(Q2, 4, 16, "OKR211"), E(Q2, 8, 16, "OKR211"), E(Q2, 12, 16, "OKR211"),
                           E(Q2, 16, 16, "OKR211"), E(Q2, 20, 16, "OKR211")]
    assert messages(root, "OKR211")[0] == (
        "objective O1: aligns_to 'root/O9' names no objective or key result (looked for 2026-Q2/root/O9)")


def test_okr211_not_for_existing_targets(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": VALID,
        "okrs/2026-Q2/root.yaml": VALID,
        Q2: """\
            objectives:
              - {id: O1, title: T, aligns_to: root/O1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}
              - {id: O2, title: T, aligns_to: root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}
              - {id: O3, title: T, aligns_to: 2026/root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}
              - {id: O4, title: T, aligns_to: 2026-Q2/root/O1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}
            """,
    })
    assert diags(root) == []


# ============================================================== OKR212 alignment period

def test_okr212_year_aligning_to_a_quarter(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026-Q1/root.yaml": VALID,
        "okrs/2026/team.yaml": HEAD.replace("    key_results:\n", "    aligns_to: 2026-Q1/root/O1\n    key_results:\n")
        + textwrap.indent(KR_OK, " " * 6),
    })
    assert diags(root) == [E("okrs/2026/team.yaml", 4, 16, "OKR212")]
    assert messages(root, "OKR212") == [
        "objective O1: aligns_to '2026-Q1/root/O1' is in period 2026-Q1, which does not enclose 2026"]


def test_okr212_quarter_aligning_to_another_quarter(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026-Q1/root.yaml": VALID,
        Q2: "objectives:\n  - {id: O1, title: T, aligns_to: 2026-Q1/root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n",
    })
    assert diags(root) == [E(Q2, 2, 35, "OKR212")]


def test_okr212_not_for_same_or_enclosing_periods(tmp_path):
    aligned = "objectives:\n  - {{id: O1, title: T, aligns_to: {ref}, key_results: [{{id: KR1, title: T, baseline: 0, target: 1}}]}}\n"
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": VALID,
        "okrs/2026-H1/root.yaml": aligned.format(ref="2026/root/O1"),
        "okrs/2026-Q2/root.yaml": aligned.format(ref="2026-H1/root/O1"),
        Q2: aligned.format(ref="root/O1"),
        Q1: aligned.format(ref="2026/root/O1/KR1"),
    })
    assert diags(root) == []


# ============================================================== OKR206 / OKR215 depth limits
# (issue 12 #8; the CLI side in test_depth_and_field_positions.py)

def _unit_chain(n: int) -> str:
    return "units:\n" + "".join(f"  - id: u{i}\n    name: U\n" + (f"    parent: u{i - 1}\n" if i else "") for i in range(n))


def test_okr206_units_deeper_than_64_levels(tmp_path):
    assert diags(make_ws(tmp_path, {"units.yaml": _unit_chain(64)}, name="ok")) == []
    # u64 (level 65) starts on line 2 + 3·64 - 1 = 193; its parent: is two lines on
    root = make_ws(tmp_path, {"units.yaml": _unit_chain(100)})
    assert diags(root) == [E("units.yaml", 195, 13, "OKR206")]
    assert messages(root, "OKR206") == ["unit 'u64' is at level 65 of the tree of units; okrctl scores trees of at most 64 levels"]


def _objective_chain(n: int) -> str:
    return "objectives:\n" + "".join(
        f"  - {{id: O{i}, title: T, {f'aligns_to: root/O{i - 1}, ' if i else ''}key_results: [{{id: KR1, title: T, baseline: 0, target: 1}}]}}\n"
        for i in range(n))


def test_okr215_aligns_to_chain_longer_than_64(tmp_path):
    assert diags(make_ws(tmp_path, {"okrs/2026-Q2/root.yaml": _objective_chain(64)}, name="ok")) == []
    root = make_ws(tmp_path, {"okrs/2026-Q2/root.yaml": _objective_chain(70)})
    # O64 is on line 66; "  - {id: O64, title: T, aligns_to: " puts its value at column 36
    assert diags(root) == [E("okrs/2026-Q2/root.yaml", 66, 36, "OKR215")]
    assert messages(root, "OKR215") == ["objective O64: its chain of aligns_to is 65 objectives long; okrctl scores chains of at most 64"]


# ============================================================== OKR213 alignment cycle

def test_okr213_cycle_across_two_files(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": HEAD.replace("    key_results:\n", "    aligns_to: team/O1\n    key_results:\n")
        + textwrap.indent(KR_OK, " " * 6),
        "okrs/2026/team.yaml": HEAD.replace("    key_results:\n", "    aligns_to: root/O1/KR1\n    key_results:\n")
        + textwrap.indent(KR_OK, " " * 6),
    })
    # reported once, at the aligns_to of the first objective of the cycle (issue 12 #18)
    assert diags(root) == [E("okrs/2026/root.yaml", 4, 16, "OKR213")]
    assert messages(root, "OKR213") == ["objectives align in a cycle: 2026/root/O1 → 2026/team/O1 → 2026/root/O1"]


@pytest.mark.parametrize(("ref", "what"), [("team/O1", "itself"), ("team/O1/KR1", "its own key result KR1"), ("2026-Q2/team/O1", "itself")])
def test_okr213_objective_aligning_to_itself(tmp_path, ref, what):
    root = make_ws(tmp_path, {Q2: HEAD.replace("    key_results:\n", f"    aligns_to: {ref}\n    key_results:\n")
                              + textwrap.indent(KR_OK, " " * 6)})
    assert diags(root) == [E(Q2, 4, 16, "OKR213")]
    assert messages(root, "OKR213") == [f"objective O1 aligns to {what}"]


def test_okr213_not_for_a_chain(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": VALID,
        "okrs/2026/team.yaml": HEAD.replace("    key_results:\n", "    aligns_to: root/O1\n    key_results:\n")
        + textwrap.indent(KR_OK, " " * 6),
        Q2: "objectives:\n  - {id: O1, title: T, aligns_to: 2026/team/O1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n"
            "  - {id: O2, title: T, aligns_to: team/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n",
    })
    assert diags(root) == []


# ============================================================== OKR214 aligned without feeders

ALIGNED_ROOT = okr("- id: KR1\n  title: Rolled up from the teams\n  type: aligned\n")


def test_okr214_aligned_kr_without_feeders(tmp_path):
    root = make_ws(tmp_path, {"okrs/2026/root.yaml": ALIGNED_ROOT})
    assert diags(root) == [E("okrs/2026/root.yaml", 5, 9, "OKR214")]


def test_okr214_a_feeder_from_a_shorter_period_does_not_count(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": ALIGNED_ROOT,
        Q2: "objectives:\n  - {id: O1, title: T, aligns_to: 2026/root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n",
    })
    assert diags(root) == [E("okrs/2026/root.yaml", 5, 9, "OKR214")]
    assert messages(root, "OKR214") == [
        "O1/KR1: no objective of 2026 has aligns_to naming 2026/root/O1/KR1; an aligned KR needs at least one"]


def test_okr214_not_with_a_same_period_feeder(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": ALIGNED_ROOT,
        "okrs/2026/team.yaml": "objectives:\n  - {id: O1, title: T, aligns_to: root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n",
    })
    assert diags(root) == []


# ============================================================== OKR220 / OKR221 metric definitions

def test_okr220_baseline_equals_target_exactly(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("- id: KR1\n  title: T\n  baseline: 5\n  target: 5.0\n")})
    assert diags(root) == [E(Q2, 5, 9, "OKR220")]


def test_okr220_not_for_a_tiny_distance(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("- id: KR1\n  title: T\n  baseline: 0.1\n  target: 0.10000001\n")})
    assert diags(root) == []


@pytest.mark.parametrize(("baseline", "target", "direction"), [(10, 5, "increase"), (0, 10, "decrease")])
def test_okr221_direction_disagrees(tmp_path, baseline, target, direction):
    root = make_ws(tmp_path, {Q2: okr(f"- id: KR1\n  title: T\n  baseline: {baseline}\n  target: {target}\n  direction: {direction}\n")})
    assert diags(root) == [E(Q2, 5, 9, "OKR221")]


@pytest.mark.parametrize(("baseline", "target", "direction"), [(10, 5, "decrease"), (0, 10, "increase")])
def test_okr221_not_when_direction_agrees(tmp_path, baseline, target, direction):
    root = make_ws(tmp_path, {Q2: okr(f"- id: KR1\n  title: T\n  baseline: {baseline}\n  target: {target}\n  direction: {direction}\n")})
    assert diags(root) == []


# ============================================================== OKR222 zero weights

def test_okr222_all_kr_weights_zero(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - {id: KR1, title: T, baseline: 0, target: 1, weight: 0}
        - {id: KR2, title: T, baseline: 0, target: 1, weight: 0.0}
        """)})
    assert diags(root) == [E(Q2, 2, 5, "OKR222")]


def test_okr222_all_milestone_weights_zero(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: T
          type: milestone
          milestones:
            - {id: m1, title: A, weight: 0}
            - {id: m2, title: B, weight: 0}
        """)})
    assert diags(root) == [E(Q2, 5, 9, "OKR222")]


def test_okr222_not_when_one_weight_is_positive(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - {id: KR1, title: T, baseline: 0, target: 1, weight: 0}
        - id: KR2
          title: T
          type: milestone
          milestones:
            - {id: m1, title: A, weight: 0}
            - {id: m2, title: B}
        """)})
    assert diags(root) == []


# ============================================================== OKR223 / OKR224 check-in values

def test_okr223_unknown_milestone_in_done(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: T
          type: milestone
          milestones: [{id: m1, title: A}, {id: m2, title: B}]
          checkins:
            - {date: 2026-04-30, done: [m1]}
            - {date: 2026-05-10, done: [m1, m9]}
        """)})
    assert diags(root) == [E(Q2, 11, 13, "OKR223")]
    assert messages(root, "OKR223") == ["O1/KR1: check-in names milestone 'm9', which the KR does not define (has: m1, m2)"]


def test_okr223_not_for_defined_milestones_and_ids_match_exactly(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: T
          type: milestone
          milestones: [{id: m1, title: A}, {id: M1x, title: B}]
          checkins:
            - {date: 2026-05-10, done: [m1, M1x]}
        """)})
    assert diags(root) == []


def test_okr223_is_case_sensitive(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: T
          type: milestone
          milestones: [{id: m1, title: A}]
          checkins:
            - {date: 2026-05-10, done: [M1]}
        """)})
    assert diags(root) == [E(Q2, 10, 13, "OKR223")]


def test_okr224_wrong_checkin_value_per_kr_type(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: Metric
          baseline: 0
          target: 10
          checkins:
            - {date: 2026-04-30, value: true}
            - {date: 2026-05-01, done: []}
            - {date: 2026-05-02, note: forgot the value}
        - id: KR2
          title: Boolean
          type: boolean
          checkins:
            - {date: 2026-04-30, value: 1}
        - id: KR3
          title: Milestone
          type: milestone
          milestones: [{id: m1, title: A}]
          checkins:
            - {date: 2026-04-30, value: 1}
            - {date: 2026-05-01, done: [m1], value: true}
        - id: KR4
          title: Maintain
          type: maintain
          threshold: 95
          direction: increase
          checkins:
            - {date: 2026-04-30, value: false}
        """)})
    assert diags(root) == [E(Q2, line, 13, "OKR224") for line in (10, 11, 12, 17, 23, 24, 31)]


def test_okr224_not_for_the_right_kinds(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: Metric
          baseline: 0
          target: 10
          checkins: [{date: 2026-04-30, value: 2.5}]
        - id: KR2
          title: Boolean
          type: boolean
          checkins: [{date: 2026-04-30, value: false}]
        - id: KR3
          title: Milestone
          type: milestone
          milestones: [{id: m1, title: A}]
          checkins: [{date: 2026-04-30, done: []}]
        - id: KR4
          title: Maintain
          type: maintain
          threshold: 95
          direction: decrease
          checkins: [{date: 2026-04-30, value: -3}]
        """)})
    assert diags(root) == []


# ============================================================== OKR225 KPI alert side

@pytest.mark.parametrize(("direction", "target", "alert"), [
    ("increase", 98, 99),
    ("increase", 98, 98),
    ("decrease", 5, 3),
])
def test_okr225_alert_on_the_wrong_side(tmp_path, direction, target, alert):
    root = make_ws(tmp_path, {Q2: f"kpis:\n  - id: K1\n    title: T\n    direction: {direction}\n    target: {target}\n    alert: {alert}\n"})
    assert diags(root) == [E(Q2, 2, 5, "OKR225")]


def test_okr225_default_direction_is_increase(tmp_path):
    root = make_ws(tmp_path, {Q2: "kpis:\n  - {id: K1, title: T, target: 10, alert: 12}\n"})
    assert diags(root) == [E(Q2, 2, 5, "OKR225")]
    assert messages(root, "OKR225") == ["KPI K1: alert 12 must be below target 10 (direction increase)"]


@pytest.mark.parametrize(("direction", "target", "alert"), [("increase", 98, 95), ("decrease", 5, 8)])
def test_okr225_not_on_the_far_side(tmp_path, direction, target, alert):
    root = make_ws(tmp_path, {Q2: f"kpis:\n  - id: K1\n    title: T\n    direction: {direction}\n    target: {target}\n    alert: {alert}\n"})
    assert diags(root) == []


# ============================================================== OKR226 aligned KR with check-ins

def test_okr226_aligned_kr_with_checkins_and_frequency(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": okr("""\
            - id: KR1
              title: Rolled up
              type: aligned
              frequency: monthly
              checkins:
                - {date: 2026-01-31, value: 3}
            """),
        "okrs/2026/team.yaml": "objectives:\n  - {id: O1, title: T, aligns_to: root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1}]}\n",
    })
    assert diags(root) == [E("okrs/2026/root.yaml", 5, 9, "OKR226"), E("okrs/2026/root.yaml", 10, 13, "OKR226")]


def test_okr226_not_for_a_plain_aligned_kr(tmp_path):
    root = make_ws(tmp_path, {
        "okrs/2026/root.yaml": ALIGNED_ROOT,
        "okrs/2026/team.yaml": "objectives:\n  - {id: O1, title: T, aligns_to: root/O1/KR1, key_results: [{id: KR1, title: T, baseline: 0, target: 1, frequency: weekly}]}\n",
    })
    assert diags(root) == []


# ============================================================== OKR230 / OKR231 dates

def test_okr230_checkin_and_measurement_outside_the_period(tmp_path):
    root = make_ws(tmp_path, {Q1: okr("""\
        - id: KR1
          title: T
          baseline: 0
          target: 10
          checkins:
            - {date: 2025-12-31, value: 1}
            - {date: 2026-01-01, value: 2}
            - {date: 2026-03-31, value: 3}
            - {date: 2026-04-01, value: 4}
        """, """\
        kpis:
          - id: K1
            title: T
            target: 1
            measurements:
              - {date: 2026-04-02, value: 1}
              - {date: 2026-02-01, value: 1}
        """)})
    assert diags(root) == [E(Q1, 10, 13, "OKR230"), E(Q1, 13, 13, "OKR230"), E(Q1, 19, 9, "OKR230")]
    assert messages(root, "OKR230")[0] == "O1/KR1: check-in dated 2025-12-31 lies outside 2026-Q1 (2026-01-01 .. 2026-03-31)"


@pytest.mark.parametrize(("fys", "day", "expected"), [
    (7, "2025-08-15", []),                 # 2026-Q1 is Jul–Sep 2025
    (7, "2026-02-15", ["OKR230"]),
    (1, "2025-08-15", ["OKR230"]),
    (1, "2026-02-15", []),
])
def test_okr230_fiscal_year_start_moves_the_quarter(tmp_path, fys, day, expected):
    root = make_ws(tmp_path, {
        "okrctl.yaml": f"name: Test\nfiscal_year_start: {fys}\n",
        Q1: okr(f"- id: KR1\n  title: T\n  baseline: 0\n  target: 10\n  checkins:\n    - {{date: {day}, value: 1}}\n"),
    })
    assert diags(root) == [E(Q1, 10, 13, c) for c in expected]


def test_okr231_future_dates_are_warnings(tmp_path):
    root = make_ws(tmp_path, {Q2: okr("""\
        - id: KR1
          title: T
          baseline: 0
          target: 10
          checkins:
            - {date: 2026-05-15, value: 1}
            - {date: 2026-05-16, value: 2}
        """, """\
        kpis:
          - {id: K1, title: T, target: 1, measurements: [{date: 2026-06-30, value: 1}]}
        """)})
    res = load(root)
    assert [(d.path, d.line, d.column, d.code, d.severity) for d in res.diagnostics] == [
        (Q2, 11, 13, "OKR231", "warning"), (Q2, 13, 50, "OKR231", "warning")]
    assert res.ok  # warnings only
    # without a "today" the check is skipped
    assert load(root, today=None).diagnostics == []


# ============================================================== OKR240..OKR243 settings

@pytest.mark.parametrize("bands", [
    "[{min: 0.7, label: a}, {min: 1, label: b}, {min: 0, label: c}]",   # increasing
    "[{min: 1, label: a}, {min: 1, label: b}, {min: 0, label: c}]",     # equal: not strictly decreasing
    "[{min: 1, label: a}, {min: 0.5, label: b}]",                       # last min not 0
])
def test_okr240_grade_bands(tmp_path, bands):
    root = make_ws(tmp_path, {"okrctl.yaml": f"name: Test\nscoring:\n  grades:\n    aspirational: {bands}\n"})
    assert diags(root) == [E("okrctl.yaml", 4, 19, "OKR240")]


def test_okr240_not_for_proper_bands(tmp_path):
    root = make_ws(tmp_path, {"okrctl.yaml": "name: Test\nscoring:\n  grades:\n    committed: [{min: 0.9, label: a}, {min: 0.5, label: b}, {min: 0, label: c}]\n"
                                             "    aspirational: [{min: 0, label: any}]\n"})
    assert diags(root) == []


@pytest.mark.parametrize("tz", ["Mars/Olympus", "America", "Asia/"])
def test_okr241_unknown_timezone(tmp_path, tz):
    root = make_ws(tmp_path, {"okrctl.yaml": f"name: Test\ntimezone: {tz}\n", Q2: VALID})
    assert diags(root) == [E("okrctl.yaml", 2, 11, "OKR241")]


def test_okr241_unknown_timezone_with_a_today_function(tmp_path):
    # the CLI passes "today in the workspace time zone" as a function of the settings:
    # a bad zone must still be a diagnostic, never an exception
    root = make_ws(tmp_path, {"okrctl.yaml": "name: Test\ntimezone: Mars/Olympus\n", Q2: VALID})
    from okrctl.engine.scoring import today
    res = load_workspace(WorkingTreeSource(root), today=today, cache=ParseCache())
    assert [(d.path, d.line, d.column, d.code) for d in res.diagnostics] == [("okrctl.yaml", 2, 11, "OKR241")]


def test_okr241_not_for_iana_names(tmp_path):
    root = make_ws(tmp_path, {"okrctl.yaml": "name: Test\ntimezone: Asia/Ho_Chi_Minh\n"})
    assert diags(root) == []


@pytest.mark.parametrize("period", ["2026-Q5", "2026-H3", "Q1-2026", "2026-q1", "1899"])
def test_okr242_bad_period_directory(tmp_path, period):
    path = f"okrs/{period}/team.yaml"
    root = make_ws(tmp_path, {path: VALID})
    assert diags(root) == [E(path, 1, 1, "OKR242")]


def test_okr242_not_for_good_period_directories(tmp_path):
    root = make_ws(tmp_path, {f"okrs/{p}/team.yaml": VALID for p in ("2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q4")})
    assert diags(root) == []


def test_okr243_unknown_rule(tmp_path):
    root = make_ws(tmp_path, {"okrctl.yaml": """\
        name: Test
        policy:
          rules:
            checkin-future: warning
            checkin-futur: off
        """})
    assert diags(root) == [E("okrctl.yaml", 5, 5, "OKR243")]
    (msg,) = messages(root, "OKR243")
    assert msg.startswith("policy.rules: 'checkin-futur' is not a rule of okrctl check (did you mean 'checkin-future'?)")


def test_okr243_not_for_known_rules_and_a_bad_severity_is_okr104(tmp_path):
    rules = ["locked-period-changed", "definition-changed", "target-eased", "item-added", "item-added-recorded",
             "item-removed", "item-cancelled", "approval-invalid", "approval-unverifiable", "checkin-rewritten",
             "checkin-corrected", "checkin-backdated", "checkin-future", "checkin-out-of-order",
             "policy-changed", "ci-config-changed", "closed-result-changed"]
    text = "name: Test\npolicy:\n  rules:\n" + "".join(f"    {r}: warning\n" for r in rules)
    root = make_ws(tmp_path, {"okrctl.yaml": text})
    assert diags(root) == []
    root = make_ws(tmp_path, {"okrctl.yaml": "name: Test\npolicy:\n  rules:\n    item-added: fatal\n"}, name="ws2")
    assert diags(root) == [E("okrctl.yaml", 4, 17, "OKR104")]
    # FORMAT §8: base-unreadable cannot be configured, and the old name is gone
    for i, gone in enumerate(("base-unreadable", "closed-score-changed")):
        root = make_ws(tmp_path, {"okrctl.yaml": f"name: Test\npolicy:\n  rules:\n    {gone}: off\n"}, name=f"ws{i + 3}")
        assert [d[3] for d in diags(root)] == ["OKR243"]


# ============================================================== every code is covered

#: the OKR1xx/OKR2xx codes each triggered by a test above
TRIGGERED = {
    "OKR100", "OKR101", "OKR102", "OKR103", "OKR104", "OKR105", "OKR110", "OKR111", "OKR112", "OKR113",
    "OKR200", "OKR201", "OKR202", "OKR203", "OKR204", "OKR205", "OKR206",
    "OKR210", "OKR211", "OKR212", "OKR213", "OKR214", "OKR215",
    "OKR220", "OKR221", "OKR222", "OKR223", "OKR224", "OKR225", "OKR226", "OKR227", "OKR228",
    "OKR230", "OKR231", "OKR240", "OKR241", "OKR242", "OKR243",
}


def test_every_schema_and_semantic_code_has_a_test():
    assert {c for c in CODES if c[3] in "12"} == TRIGGERED
    src = Path(__file__).read_text("utf-8")
    for code in TRIGGERED:
        assert f"def test_{code.lower()}_" in src, code


# ============================================================== the CLI

def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    e = subprocess_env({"NO_COLOR": "1", "COLUMNS": "300", **env})
    return subprocess.run([sys.executable, "-m", "okrctl", *args], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=60)


#: a workspace with two errors and a warning in three files
CLI_FILES = {
    "units.yaml": DEFAULT_UNITS + "  - id: other\n    name: Other\n    parent: root\n",
    Q2: okr("- id: KR1\n  title: 'Growth: 50%, at least'\n  baseline: 0\n  targte: 10\n"),
    "okrs/2026-Q2/other.yaml": okr("- {id: KR1, title: T, baseline: 3, target: 3}\n"),
    "okrs/2099-Q1/root.yaml": okr("- id: KR1\n  title: T\n  baseline: 0\n  target: 10\n  checkins:\n    - {date: 2099-02-01, value: 1}\n"),
}


def test_cli_json(tmp_path):
    root = make_ws(tmp_path, CLI_FILES)
    r = run(["-C", str(root), "validate", "--format", "json"], cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["okrctl"] and isinstance(out["okrctl"], str)
    assert (out["schema_version"], out["command"], out["status"]) == (1, "validate", "fail")
    got = [(d["path"], d["line"], d["column"], d["severity"], d["code"]) for d in out["diagnostics"]]
    assert got == [
        ("okrs/2026-Q2/other.yaml", 5, 9, "error", "OKR220"),
        ("okrs/2026-Q2/team.yaml", 5, 9, "error", "OKR102"),
        ("okrs/2026-Q2/team.yaml", 8, 9, "error", "OKR101"),
        ("okrs/2099-Q1/root.yaml", 10, 13, "warning", "OKR231"),
    ]
    for d in out["diagnostics"]:
        assert set(d) == {"path", "line", "column", "severity", "code", "rule", "ref", "message"}
        assert d["rule"] == CODES[d["code"]].name and d["ref"] is None
        assert isinstance(d["message"], str) and d["message"]


def test_cli_json_ok_status(tmp_path):
    root = make_ws(tmp_path, {Q2: VALID})
    r = run(["-C", str(root), "validate", "--format", "json"], cwd=tmp_path)
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert (out["schema_version"], out["command"], out["status"], out["diagnostics"]) == (1, "validate", "ok", [])


def test_cli_text_sorted_and_exit_1(tmp_path):
    make_ws(tmp_path, {**CLI_FILES, "okrctl.yaml": "name: Test\ntimezone: Mars/Olympus\n",
                      "units.yaml": CLI_FILES["units.yaml"] + "  - id: other\n    name: Dup\n"})
    r = run(["-C", "ws", "validate"], cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert [ln.split(" ", 3)[:3] for ln in lines] == [
        ["ws/okrctl.yaml:2:11:", "error", "OKR241"],
        ["ws/okrs/2026-Q2/other.yaml:5:9:", "error", "OKR220"],
        ["ws/okrs/2026-Q2/team.yaml:5:9:", "error", "OKR102"],
        ["ws/okrs/2026-Q2/team.yaml:8:9:", "error", "OKR101"],
        ["ws/okrs/2099-Q1/root.yaml:10:13:", "warning", "OKR231"],
        ["ws/units.yaml:10:5:", "error", "OKR202"],
    ]
    assert r.stderr.strip() == "5 errors and 1 warning in 5 files (5 checked)"


def test_cli_exit_0_with_warnings_only(tmp_path):
    root = make_ws(tmp_path, {"okrs/2099-Q1/root.yaml": CLI_FILES["okrs/2099-Q1/root.yaml"]})
    r = run(["-C", str(root), "validate"], cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    (line,) = r.stdout.splitlines()
    assert line.startswith("okrs/2099-Q1/root.yaml:10:13: warning OKR231 "
                           "O1/KR1: check-in dated 2099-02-01 is in the future (today is ")
    assert r.stderr.strip() == "1 warning in 1 file (3 checked)"


def test_cli_exit_2_without_a_workspace(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run(["-C", str(tmp_path / "empty"), "validate"], cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("okrctl: no okrctl.yaml in ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_cli_validate_named_paths_only(tmp_path):
    make_ws(tmp_path, CLI_FILES)
    r = run(["-C", "ws", "validate", "ws/okrs/2026-Q2/team.yaml", "--format", "json"], cwd=tmp_path)
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert [(d["path"], d["code"]) for d in out["diagnostics"]] == [
        ("okrs/2026-Q2/team.yaml", "OKR102"), ("okrs/2026-Q2/team.yaml", "OKR101")]
    # a file with only a warning: exit 0 although the workspace has errors elsewhere
    r = run(["-C", "ws", "validate", "ws/okrs/2099-Q1/root.yaml"], cwd=tmp_path)
    assert r.returncode == 0
    assert [ln.split(" ", 3)[:3] for ln in r.stdout.splitlines()] == [["ws/okrs/2099-Q1/root.yaml:10:13:", "warning", "OKR231"]]
    # a clean file: nothing
    r = run(["-C", "ws", "validate", "ws/units.yaml"], cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")


GITHUB_PROPS = [
    "error file={ws}okrs/2026-Q2/other.yaml,line=5,col=9,title=okrctl OKR220",
    "error file={ws}okrs/2026-Q2/team.yaml,line=5,col=9,title=okrctl OKR102",
    "error file={ws}okrs/2026-Q2/team.yaml,line=8,col=9,title=okrctl OKR101",
    "warning file={ws}okrs/2099-Q1/root.yaml,line=10,col=13,title=okrctl OKR231",
]


def test_cli_github_format_and_escaping(tmp_path):
    # the workspace directory's name puts %, ",", ":" and a newline into the file property
    root = make_ws(tmp_path, CLI_FILES, name="w%s,x:y\nz")
    r = run(["-C", str(root), "validate", "--format", "github"], cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert all(ln.startswith("::") and ln.count("::") == 2 for ln in lines)
    assert [ln.split("::")[1] for ln in lines] == [p.format(ws="w%25s%2Cx%3Ay%0Az/") for p in GITHUB_PROPS]
    assert lines[2].split("::", 2)[2].startswith(
        "unknown key 'targte' in objectives[O1].key_results[KR1] (did you mean 'target'?)")


def test_cli_github_escapes_percent_in_message_data(tmp_path):
    # in the message data only %, CR and LF are escaped; ":" and "," stay
    root = make_ws(tmp_path, {Q2: okr('- id: KR1\n  title: T\n  baseline: 0\n  target: 1\n  "a%b,c:d": 1\n')})
    r = run(["-C", str(root), "validate", "--format", "github"], cwd=root)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "::error file=okrs/2026-Q2/team.yaml,line=9,col=9,title=okrctl OKR101::unknown key 'a%25b,c:d' in "
        "objectives[O1].key_results[KR1]; keys starting with 'x-' are free for your own data"]


def test_cli_github_automatic_under_github_actions(tmp_path):
    root = make_ws(tmp_path, CLI_FILES)
    r = run(["-C", str(root), "validate"], cwd=root, GITHUB_ACTIONS="true")
    assert r.returncode == 1
    assert [ln.split("::")[1] for ln in r.stdout.splitlines()] == [p.format(ws="") for p in GITHUB_PROPS]
    # an explicit --format wins
    r = run(["-C", str(root), "validate", "--format", "json"], cwd=root, GITHUB_ACTIONS="true")
    assert json.loads(r.stdout)["command"] == "validate"


def test_cli_sarif(tmp_path):
    root = make_ws(tmp_path, CLI_FILES)
    r = run(["-C", str(root), "validate", "--format", "sarif"], cwd=root)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    assert "sarif" in doc["$schema"]
    (sarif_run,) = doc["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "okrctl"
    assert [rule["id"] for rule in driver["rules"]] == ["OKR101", "OKR102", "OKR220", "OKR231"]
    results = sarif_run["results"]
    got = [(x["ruleId"], x["level"], x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            x["locations"][0]["physicalLocation"]["region"]["startLine"],
            x["locations"][0]["physicalLocation"]["region"]["startColumn"]) for x in results]
    assert got == [
        ("OKR220", "error", "okrs/2026-Q2/other.yaml", 5, 9),
        ("OKR102", "error", "okrs/2026-Q2/team.yaml", 5, 9),
        ("OKR101", "error", "okrs/2026-Q2/team.yaml", 8, 9),
        ("OKR231", "warning", "okrs/2099-Q1/root.yaml", 10, 13),
    ]
    for x in results:
        assert driver["rules"][x["ruleIndex"]]["id"] == x["ruleId"]
        assert x["message"]["text"]


def test_cli_markdown(tmp_path):
    """validate --format md: a heading with the verdict, then one table row per problem."""
    root = make_ws(tmp_path, CLI_FILES)
    r = run(["-C", str(root), "validate", "--format", "md"], cwd=root)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "### ❌ okrctl validate: 3 errors and 1 warning in 3 files (5 checked)"
    assert lines[2:4] == ["| severity | code | where | message |", "|---|---|---|---|"]
    rows = [ln.split(" | ")[:3] for ln in lines[4:]]
    assert rows == [
        ["| error", "`OKR220`", "`okrs/2026-Q2/other.yaml:5:9`"],
        ["| error", "`OKR102`", "`okrs/2026-Q2/team.yaml:5:9`"],
        ["| error", "`OKR101`", "`okrs/2026-Q2/team.yaml:8:9`"],
        ["| warning", "`OKR231`", "`okrs/2099-Q1/root.yaml:10:13`"],
    ]
    clean = run(["-C", str(ROOT / "sample-workspace"), "validate", "--format", "md"], cwd=root)
    assert clean.returncode == 0 and clean.stdout.startswith("### ✅ okrctl validate: ok: 14 files checked, no problems\n")


@pytest.mark.parametrize("ws", ["sample-workspace", "examples/en-workspace"])
def test_cli_shipped_workspaces_validate_clean(ws):
    r = run(["-C", str(REPO / ws), "validate", "--format", "json"], cwd=REPO)
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert (out["status"], out["diagnostics"]) == ("ok", [])


# ============================================================== OKR227 fields a type ignores

def test_okr227_fields_the_type_does_not_use(tmp_path):
    root = make_ws(tmp_path, {Q1: okr("""\
        - id: KR1
          title: Giữ tỷ lệ
          type: maintain
          direction: increase
          threshold: 98
          target: 99
        - id: KR2
          title: Done or not
          type: boolean
          aggregate: sum
          due_days: 3
        """)})
    got = diags(root)
    assert got == [E(Q1, 10, 9, "OKR227"), E(Q1, 14, 9, "OKR227"), E(Q1, 15, 9, "OKR227")]
    assert messages(root, "OKR227")[0] == "O1/KR1: `target` has no effect on a maintain KR (it uses: direction, threshold)"


def test_okr228_pinned_evidence_missing_or_changed(tmp_path):
    import hashlib

    from okrctl.read.evidence import check_evidence

    doc = "Báo cáo số 12\n".encode()
    pin = hashlib.sha256(doc).hexdigest()
    root = make_ws(tmp_path, {Q1: okr(f"""\
        - id: KR1
          title: Metric
          baseline: 0
          target: 10
          checkins:
            - date: 2026-02-01
              value: 4
              evidence:
                - Báo cáo số 11
                - {{path: evidence/2026-Q1/team/bc-12.txt, sha256: {pin}}}
                - {{url: "https://x.gov.vn/bc-13.pdf", sha256: "{"0" * 64}"}}
        """)})
    assert diags(root) == []  # the schema takes both forms

    def found():
        return [(d.path, d.line, d.column, d.code, d.severity, d.message)
                for d in check_evidence(root, load(root).workspace)]

    missing = "pinned evidence evidence/2026-Q1/team/bc-12.txt does not exist"
    assert found() == [(Q1, 14, 17, "OKR228", "error", missing)]  # the URL is never fetched
    (root / "evidence/2026-Q1/team").mkdir(parents=True)
    (root / "evidence/2026-Q1/team/bc-12.txt").write_bytes(doc)
    assert found() == []
    (root / "evidence/2026-Q1/team/bc-12.txt").write_bytes(doc.upper())
    assert [f[5] for f in found()] == [
        f"pinned evidence evidence/2026-Q1/team/bc-12.txt has SHA-256 {hashlib.sha256(doc.upper()).hexdigest()}, "
        f"not the pinned {pin}: the document changed"]


def test_okr227_not_for_fields_the_type_uses(tmp_path):
    root = make_ws(tmp_path, {Q1: okr("""\
        - id: KR1
          title: Metric
          baseline: 0
          target: 10
          direction: increase
          aggregate: sum
          frequency: weekly
          due_days: 3
        """)})
    assert diags(root) == []
