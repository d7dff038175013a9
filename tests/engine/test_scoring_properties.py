"""Property tests of scoring (FORMAT §6) with hypothesis."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction as F

from factories import ci, config, kr, metric, ms, objective, pfile, unit, workspace
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from okrctl.model.periods import parse_period
from okrctl.engine.scoring import score_workspace, to_fraction

Q1 = parse_period("2026-Q1")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# exact decimals with up to 2 places, like numbers written in YAML
decimals = st.integers(min_value=-100_000, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))
weights = st.one_of(st.just(0), st.integers(min_value=1, max_value=10), st.decimals("0.01", "5", places=2))
pos_weights = st.one_of(st.integers(min_value=1, max_value=10), st.decimals("0.01", "5", places=2))
max_scores = st.sampled_from([1, Decimal("1.2"), Decimal("1.5"), 2])
dates_q1 = st.integers(min_value=0, max_value=89).map(lambda n: Q1.start + timedelta(days=n))
as_ofs = st.integers(min_value=-10, max_value=120).map(lambda n: Q1.start + timedelta(days=n))
kinds = st.sampled_from(["committed", "aspirational"])


@st.composite
def metric_krs(draw, id="KR1", with_cancel=False):
    b = draw(decimals)
    t = draw(decimals.filter(lambda x: x != b))
    agg = draw(st.sampled_from(["last", "sum"]))
    checkins = [ci(draw(dates_q1), draw(decimals)) for _ in range(draw(st.integers(0, 4)))]
    kw = {}
    if with_cancel and draw(st.booleans()):
        kw["cancelled"] = draw(as_ofs)
    return metric(id, baseline=b, target=t, aggregate=agg, checkins=checkins, weight=draw(weights), **kw)


@st.composite
def any_krs(draw, id="KR1", with_cancel=False):
    typ = draw(st.sampled_from(["metric", "boolean", "milestone", "maintain"]))
    w = draw(weights)
    kw = {}
    if with_cancel and draw(st.booleans()):
        kw["cancelled"] = draw(as_ofs)
    n = draw(st.integers(0, 3))
    if typ == "metric":
        k = draw(metric_krs(id))
        return kr(id, "metric", baseline=k.baseline, target=k.target, aggregate=k.aggregate,
                  checkins=k.checkins, weight=w, **kw)  # fmt: skip
    if typ == "boolean":
        return kr(id, "boolean", weight=w, checkins=[ci(draw(dates_q1), draw(st.booleans())) for _ in range(n)], **kw)
    if typ == "maintain":
        return kr(id, "maintain", threshold=draw(decimals), direction=draw(st.sampled_from(["increase", "decrease"])),
                  weight=w, checkins=[ci(draw(dates_q1), draw(decimals)) for _ in range(n)], **kw)  # fmt: skip
    mss = [ms(f"m{i}", draw(pos_weights)) for i in range(draw(st.integers(1, 4)))]
    ids = [m.id for m in mss]
    checkins = [ci(draw(dates_q1), done=draw(st.lists(st.sampled_from(ids), max_size=6))) for _ in range(n)]
    return kr(id, "milestone", milestones=mss, weight=w, checkins=checkins, **kw)


def _first_kr(ws, as_of):
    return score_workspace(ws, Q1, as_of).units[0].objectives[0].key_results[0]


@SETTINGS
@given(k=any_krs(), max_score=max_scores, as_of=as_ofs, kind=kinds)
def test_scores_within_zero_and_max_score(k, max_score, as_of, kind):
    ws = workspace([pfile(Q1, "u", [objective("O1", [k], kind=kind)])], cfg=config(max_score=max_score))
    s = _first_kr(ws, as_of)
    assert s.score is not None
    assert 0 <= s.score <= to_fraction(max_score)
    o = score_workspace(ws, Q1, as_of).units[0].objectives[0]
    assert o.score is None or 0 <= o.score <= to_fraction(max_score)


@SETTINGS
@given(b=decimals, t=decimals, v1=decimals, v2=decimals, max_score=max_scores)
def test_metric_score_monotone_in_value(b, t, v1, v2, max_score):
    assume(b != t)
    lo, hi = min(v1, v2), max(v1, v2)
    cfg = config(max_score=max_score)

    def score(v):
        k = metric(baseline=b, target=t, checkins=[ci("2026-01-15", v)])
        return _first_kr(workspace([pfile(Q1, "u", [objective("O1", [k])])], cfg=cfg), date(2026, 2, 1)).score

    if t > b:  # increasing: a larger value never scores less
        assert score(lo) <= score(hi)
    else:  # decreasing: antitone
        assert score(lo) >= score(hi)


@SETTINGS
@given(krs=st.lists(any_krs(with_cancel=True), min_size=1, max_size=5), as_of=as_ofs, kind=kinds)
def test_objective_score_is_weighted_mean_of_its_krs(krs, as_of, kind):
    krs = [kr(f"K{i}", k.type, **{f: getattr(k, f) for f in (
        "baseline", "target", "aggregate", "threshold", "direction", "milestones", "weight", "checkins", "cancelled")})
        for i, k in enumerate(krs)]  # fmt: skip
    ws = workspace([pfile(Q1, "u", [objective("O1", krs, kind=kind)])])
    o = score_workspace(ws, Q1, as_of).units[0].objectives[0]
    num = F(0)
    den = F(0)
    for ks in o.key_results:
        w = to_fraction(ks.kr.weight)
        if w == 0 or ks.score is None or (ks.kr.cancelled is not None and ks.kr.cancelled.date <= as_of):
            continue
        num += w * ks.score
        den += w
    assert o.score == (None if den == 0 else num / den)
    if o.score is not None:
        counted = [k.score for k in o.counted_key_results if k.score is not None]
        assert min(counted) <= o.score <= max(counted)


@st.composite
def unit_forests(draw):
    """Up to 7 units (each parent earlier in the list), each with an optional file
    holding a single metric KR, random weights and self_weights."""
    n = draw(st.integers(1, 7))
    units = []
    files = []
    for i in range(n):
        parent = None if i == 0 or draw(st.booleans()) and i > 3 else f"u{draw(st.integers(0, i - 1))}"
        units.append(unit(f"u{i}", parent, weight=draw(weights), self_weight=draw(weights)))
        if draw(st.booleans()):
            objs = [
                objective(f"O{j}", [draw(metric_krs())], weight=draw(weights)) for j in range(draw(st.integers(1, 3)))
            ]
            files.append(pfile(Q1, f"u{i}", objs))
    return units, files


@SETTINGS
@given(forest=unit_forests(), as_of=as_ofs)
def test_rollup_lies_between_min_and_max_of_its_parts(forest, as_of):
    units, files = forest
    res = score_workspace(workspace(files, units), Q1, as_of)
    for u in res.units:
        parts = []
        if u.score is not None and to_fraction(u.unit.self_weight) > 0:
            parts.append(u.score)
        for c in u.children:
            cu = res.unit(c)
            assert cu is not None
            if cu.rolled_score is not None and to_fraction(cu.unit.weight) > 0:
                parts.append(cu.rolled_score)
        if parts:
            assert min(parts) <= u.rolled_score <= max(parts)
        else:
            assert u.rolled_score is None
        # own score lies between its objectives' scores too
        own = [o.score for o in u.objectives if o.score is not None and not o.cancelled and o.objective.weight != 0]
        if own:
            assert min(own) <= u.score <= max(own)


def _scale_workspace(units, files, c):
    def dec(x):
        # weights are Numbers (int/Decimal); c is an integer or a short decimal, so the product is exact
        return Decimal(x) * c if isinstance(c, Decimal) else x * c

    units2 = [dataclasses.replace(u, weight=dec(u.weight), self_weight=dec(u.self_weight)) for u in units]
    files2 = []
    for f in files:
        objs = [
            dataclasses.replace(
                o,
                weight=dec(o.weight),
                key_results=tuple(dataclasses.replace(k, weight=dec(k.weight)) for k in o.key_results),
            )
            for o in f.objectives
        ]
        files2.append(dataclasses.replace(f, objectives=tuple(objs)))
    return units2, files2


@SETTINGS
@given(
    forest=unit_forests(),
    as_of=as_ofs,
    c=st.one_of(st.integers(2, 1000), st.decimals("0.01", "50", places=2)),
)
def test_scaling_all_weights_changes_nothing(forest, as_of, c):
    units, files = forest
    units2, files2 = _scale_workspace(units, files, c)
    r1 = score_workspace(workspace(files, units), Q1, as_of)
    r2 = score_workspace(workspace(files2, units2), Q1, as_of)
    for u1, u2 in zip(r1.units, r2.units, strict=True):
        assert (u1.score, u1.rolled_score) == (u2.score, u2.rolled_score)
        for o1, o2 in zip(u1.objectives, u2.objectives, strict=True):
            assert (o1.score, o1.status, o1.grade) == (o2.score, o2.status, o2.grade)
            for k1, k2 in zip(o1.key_results, o2.key_results, strict=True):
                assert (k1.score, k1.status) == (k2.score, k2.status)


@SETTINGS
@given(
    feeders=st.lists(st.tuples(metric_krs(), weights, st.one_of(st.none(), as_ofs)), min_size=1, max_size=4),
    as_of=as_ofs,
)
def test_aligned_kr_is_weighted_mean_of_feeders(feeders, as_of):
    objs = [
        objective(f"O{i}", [k], weight=w, aligns_to="p/O1/A", **({"cancelled": cd} if cd else {}))
        for i, (k, w, cd) in enumerate(feeders)
    ]
    ws = workspace(
        [pfile(Q1, "p", [objective("O1", [kr("A", "aligned")])]), pfile(Q1, "c", objs)],
        [unit("p"), unit("c", "p")],
    )
    res = score_workspace(ws, Q1, as_of)
    terms = [
        (res.find(f"c/O{i}").score, to_fraction(w))
        for i, (_, w, cd) in enumerate(feeders)
        if w != 0 and not (cd is not None and cd <= as_of)
    ]
    terms = [(s, w) for s, w in terms if s is not None]
    expected = None if not terms else sum(s * w for s, w in terms) / sum(w for _, w in terms)
    assert res.find("p/O1/A").score == expected
