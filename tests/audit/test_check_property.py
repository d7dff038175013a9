"""Property (issue 11): for a random single-field definition edit after the lock,
``check`` fails without a rebaseline; with a valid matching rebaseline it passes,
and says ``target-eased`` exactly when FORMAT §8 calls the edit eased — always when
the item's score or status as of J improves.  Real git repositories, real commits
(the workspace of ``test_compare_check``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_compare_check import AFTER, base_files, item, judge, write_files

from okrctl.engine.scoring import score_workspace
from okrctl.model.periods import parse_period
from okrctl.model.problems import has_errors
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource

FREQ = {"weekly": 0, "monthly": 1, "quarterly": 2, None: 3}
STATUS = {"done": 5, "on_track": 4, "at_risk": 3, "no_data": 2, "off_track": 1, "missed": 0,
          "green": 2, "amber": 1, "red": 0}

# (item, field, strategy of new values, eased(old, new) per §8, written by hand)
EDITS = [
    ("O1/KR1", "target", st.integers(41, 120), lambda o, n: n < o),
    ("O1/KR1", "baseline", st.integers(0, 79), lambda o, n: n < o),
    ("O1/KR1", "weight", st.integers(0, 5), lambda o, n: True),
    ("O1/KR1", "unit", st.sampled_from(["điểm", "hồ sơ", None]), lambda o, n: True),
    ("O1/KR1", "aggregate", st.just("sum"), lambda o, n: True),
    ("O1/KR1", "frequency", st.sampled_from(["weekly", "monthly", "quarterly"]), lambda o, n: FREQ[n] > FREQ[o]),
    ("O1/KR1", "due_days", st.integers(0, 30), lambda o, n: n > (7 if o is None else o)),
    ("O1/KR2", "threshold", st.integers(50, 120), lambda o, n: n < o),
    ("O1/KR4", "due", st.sampled_from(["2026-04-20", "2026-05-10", "2026-06-01", "2026-06-30"]),
     lambda o, n: n > o),
    ("O1", "kind", st.just("aspirational"), lambda o, n: True),
    ("O1", "weight", st.integers(0, 5), lambda o, n: True),
    ("K1", "target", st.integers(96, 110), lambda o, n: n < o),   # above its alert 95: valid
    ("K1", "alert", st.integers(80, 97), lambda o, n: n < o),
]


#: the defaults FORMAT §5 applies to a field left out (writing the default is no change, §8)
DEFAULTS = {"due_days": 7, "weight": 1}


def _in_force(field, value):
    return DEFAULTS.get(field) if value is None else value


@st.composite
def edits(draw):
    ref, field, values, eased = draw(st.sampled_from(EDITS))
    old = item(base_files(), ref).get(field)
    new = draw(values.filter(lambda v: _in_force(field, v) != _in_force(field, old)))
    return ref, field, old, new, eased(old, new)


def _results(root: Path):
    ws = load_workspace(WorkingTreeSource(root), today=None).workspace
    res = score_workspace(ws, parse_period("2026-Q2", 1), AFTER)
    return {x.ref: x for x in (*res.key_results(), *res.objectives(), *res.kpis())}


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=edits())
def test_single_field_edits_after_the_lock(edit):
    ref, field, old, new, listed = edit
    full = "2026-Q2/team/" + ref

    def change(files, record=False):
        it = item(files, ref)
        if new is None:
            it.pop(field, None)
        else:
            it[field] = new
        if record:
            it["rebaselines"] = [{"date": "2026-05-18", "field": field, "from": old, "to": new,
                                  "reason": "Ngân sách điều chỉnh", "approved_by": "boss"}]

    with tempfile.TemporaryDirectory() as tmp:
        bare = judge(Path(tmp) / "a", change)
        assert has_errors(bare.findings)
        assert ("definition-changed", full) in {(f.rule, f.ref) for f in bare.findings}, bare.findings
        ok = judge(Path(tmp) / "b", lambda f: change(f, True))
        assert not has_errors(ok.findings), [f.message for f in ok.findings]
        eased = ("target-eased", full) in {(f.rule, f.ref) for f in ok.findings}
        # improvement as of J with BASE's check-ins (the edit leaves them alone)
        files = base_files()
        base_dir = Path(tmp) / "c"
        write_files(base_dir, files)
        b = _results(base_dir)[full]
        h = _results(Path(tmp) / "b" / "repo")[full]
        score_up = getattr(b, "score", None) is not None and getattr(h, "score", None) is not None and h.score > b.score
        status_up = STATUS.get(h.status, -1) > STATUS.get(b.status, -1) >= 0
    assert eased == (listed or score_up or status_up), (ref, field, old, new)
    if score_up or status_up:
        assert eased
