"""Properties of the semantic diff (hypothesis): nothing changed means no change,
and the diff of B→A mirrors the diff of A→B."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ci, kpi, meas, metric, objective, pfile
from okrctl.engine.diff import diff_period_files

DATES = st.sampled_from(["2026-01-15", "2026-02-15", "2026-03-15"])
NUMS = st.integers(min_value=0, max_value=100)


@st.composite
def key_results(draw, kid: str):
    base = draw(NUMS)
    target = draw(NUMS.filter(lambda t: t != base))
    checkins = draw(st.lists(st.tuples(DATES, NUMS), max_size=4))
    return metric(kid, base, target, weight=draw(st.integers(0, 3)),
                  checkins=[ci(d, v) for d, v in sorted(checkins, key=lambda c: c[0])])


@st.composite
def period_files(draw):
    objs = []
    for oid in draw(st.lists(st.sampled_from(["O1", "O2", "O3"]), unique=True, max_size=3)):
        krs = [draw(key_results(k)) for k in draw(st.lists(st.sampled_from(["KR1", "KR2"]), unique=True, min_size=1))]
        objs.append(objective(oid, krs, weight=draw(st.integers(0, 3)),
                              kind=draw(st.sampled_from(["committed", "aspirational"]))))
    kpis = [kpi(k, draw(NUMS), measurements=[meas(d, v) for d, v in sorted(draw(st.lists(st.tuples(DATES, NUMS), max_size=3)))])
            for k in draw(st.lists(st.sampled_from(["K1", "K2"]), unique=True, max_size=2))]
    return pfile("2026-Q1", "so-khcn", objs, kpis)


def _key(c):
    return (c.ref, c.field or "", c.item)


@settings(max_examples=150, deadline=None)
@given(period_files())
def test_no_change_no_diff(pf):
    assert diff_period_files(pf, pf) == []


@settings(max_examples=150, deadline=None)
@given(period_files(), period_files())
def test_reverse_diff_mirrors(a, b):
    """Field changes mirror exactly; an added item lists what it comes with (its
    check-ins, so the check-in rules judge them) while a removed one is a single
    change, so records inside added or removed items are compared separately."""
    fwd_all, back_all = diff_period_files(a, b), diff_period_files(b, a)
    whole = {c.ref for c in fwd_all + back_all if c.field is None}

    def inside(c):
        return any(c.ref != w and c.ref.startswith((w + "/", w + "@")) for w in whole)

    fwd = sorted((c for c in fwd_all if not inside(c)), key=_key)
    back = sorted((c for c in back_all if not inside(c)), key=_key)
    # what an added item brings is exactly its own dated records
    for c in fwd_all + back_all:
        if inside(c):
            assert c.kind == "added" and c.field in ("checkin", "measurement"), c
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    assert [(_key(c), flip[c.kind], c.new, c.old) for c in fwd] == [(_key(c), c.kind, c.old, c.new) for c in back]
