"""Parsing of command-line values (okrctl.write.inputs)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okrctl.write import inputs
from okrctl.write.errors import BadInput


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize("text,value", [
    ("62", Decimal(62)), ("62.50", Decimal("62.50")), ("-3", Decimal(-3)), (".5", Decimal("0.5")),
    ("1e3", Decimal(1000)), ("６２", Decimal(62)), ("\u22123", Decimal(-3)), ("+7", Decimal(7)),
])
def test_parse_number(text, value):
    got = inputs.parse_number(text)
    assert got == value and isinstance(got, Decimal)


@pytest.mark.parametrize("text,hint", [
    ("1,5", "1.5"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1,234", "ambiguous"),
    ("nan", "finite"), ("inf", "finite"), ("-Infinity", "finite"), ("1e400", "out of range"),
    ("62%", "without the % sign"), ("0x10", "plain decimal"), ("1_000", "without thousands separators"), ("1_0", "plain decimal"), ("abc", "not a number"), ("", "empty"),
])
def test_parse_number_refuses_with_a_hint(text, hint):
    with pytest.raises(BadInput, match="VALUE") as exc:
        inputs.parse_number(text)
    assert hint in exc.value.message


def test_parse_bool():
    assert [inputs.parse_bool(x) for x in ("true", "Yes", "CÓ", "co", "có")] == [True] * 5
    assert [inputs.parse_bool(x) for x in ("false", "no", "Không", "khong", "KHÔNG")] == [False] * 5
    with pytest.raises(BadInput, match="true or false"):
        inputs.parse_bool("1")
