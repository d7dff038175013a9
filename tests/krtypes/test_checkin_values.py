"""A check-in typed by a user goes through the KR type: parse_value, new_checkin."""

from __future__ import annotations

from decimal import Decimal

import pytest

from factories import ci, kr, ms
from okrctl import krtypes
from okrctl.model.inputs import InputError


@pytest.mark.parametrize("name", ["metric", "maintain"])
def test_number_types(name):
    k = kr(type=name)
    t = krtypes.get(name)
    assert t.parse_value("1e3", k) == Decimal("1E+3")
    assert t.new_checkin(k, Decimal("1E+3"), None) == ({"value": Decimal("1E+3")}, "1000")
    assert t.new_checkin(k, Decimal("-0"), None)[1] == "0"
    with pytest.raises(InputError, match="use a dot as the decimal separator: 1.5"):
        t.parse_value("1,5", k)


def test_boolean():
    k, t = kr(type="boolean"), krtypes.get("boolean")
    assert t.parse_value("Có", k) is True and t.parse_value("no", k) is False
    assert t.new_checkin(k, False, None) == ({"value": False}, "false")
    with pytest.raises(InputError, match="a boolean key result takes true or false"):
        t.parse_value("1", k)


def test_milestone_merges_with_the_current_checkin_in_kr_order():
    k = kr(type="milestone", milestones=[ms("M1"), ms("M2"), ms("M3")])
    t = krtypes.of(k)
    assert t.parse_value(" [M3, M1] ", k) == ["M3", "M1"]
    assert t.new_checkin(k, ["M3"], ci("2026-01-05", done=["M1"])) == ({"done": ["M1", "M3"]}, "M1, M3")
    with pytest.raises(InputError, match=r"^VALUE: KR1 has no milestone M9 \(its milestones: M1, M2, M3\)$"):
        t.parse_value("M1,M9", k)
    with pytest.raises(InputError, match="name the milestones done, e.g. M1,M2"):
        t.parse_value("[]", k)


def test_aligned_takes_no_checkins():
    k = kr(type="aligned")
    assert krtypes.of(k).fed_by_objectives
    with pytest.raises(InputError):
        krtypes.of(k).parse_value("1", k)
