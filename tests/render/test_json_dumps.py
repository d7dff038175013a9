"""okrctl.render.dumps writes exactly what ``json.dumps(obj, ensure_ascii=False,
indent=2)`` writes (the JSON outputs' goldens were made that way), by a faster
route: every value of JSON, every float spelling (exponents, -0.0), control and
wide characters, empty containers, NaN and lone surrogates."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from okrctl.render import dumps
from okrctl.render.textsafe import SURROGATE


def reference(obj) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([1e-05, 1e16, 1e22, -0.0, 2.5e-7, 1e15, 0.1, 1 / 3, 1.5e300]))
text = st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x1f\x7f\u2028\u2029\"\\/\t\n\r\b\féđ漢🙂"))
scalars = st.none() | st.booleans() | st.integers() | floats | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(text, values, max_size=5))
def test_same_text_as_the_indenting_encoder(obj):
    assert dumps(obj, fast_from=0) == dumps(obj) == reference(obj)


def test_a_large_output_takes_the_fast_path_and_the_same_text(monkeypatch):
    import sys

    obj = {"rows": [{"unit": f"phường-{i}", "score": i / 7, "ok": i % 2 == 0, "n": None} for i in range(2000)]}
    monkeypatch.delitem(sys.modules, "msgspec", raising=False)
    small = dumps({"a": [1, 2.5, "x"]})
    assert "msgspec" not in sys.modules and small == reference({"a": [1, 2.5, "x"]})
    assert dumps(obj) == reference(obj) and "msgspec" in sys.modules


def test_not_json_and_not_utf8_take_the_reference_path():
    for obj in ({"x": float("nan")}, {"x": [float("inf"), -float("inf")]}, {"p": "a\udc80b"}, {"p": ["\ud800"]},
                {1: [], "k": {}}):
        assert dumps(obj, fast_from=0) == dumps(obj) == reference(obj)
    assert dumps({"p": "a\udc80b"}) == '{\n  "p": "a\\udc80b"\n}\n'
