"""The compiled fast path of ``yamlread.parse`` (yaml-rs behind a pre-scan and a
checked walk, okrctl.read.fastyaml) against the strict reference reader
(``parse_reference``: libyaml + okrctl's walk): on generated adversarial documents
and on every YAML file of the tests and the sample, both accept and reject the same
documents, with the same diagnostics, and give the same values — same types, exact
decimals spelled as written, NFC text and keys."""

from __future__ import annotations

import os
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from okrctl.read import fastyaml
from okrctl.read.yamlread import parse, parse_reference

pytestmark = pytest.mark.skipif(fastyaml._loads is None, reason="yaml-rs wheel not installed")

ROOT = Path(__file__).resolve().parents[2]


def canon(v: object) -> object:
    """A value with its exact type: Decimal('1.10') differs from Decimal('1.1'),
    True from 1, 1 from Decimal(1); mapping order kept."""
    if isinstance(v, dict):
        return ("map", tuple((k.__class__.__name__, k, canon(x)) for k, x in v.items()))
    if isinstance(v, list):
        return ("seq", tuple(canon(x) for x in v))
    if isinstance(v, Decimal):
        return ("dec", str(v))
    return (v.__class__.__name__, v)


def both(text: str | bytes) -> tuple[object, object, bool]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    fast, fdiags = parse(data, "f.yaml")
    ref, rdiags = parse_reference(data, "f.yaml")
    took_fast = fast is not None and fast.lazy
    return ((canon(fast.value) if fast else None), fdiags), ((canon(ref.value) if ref else None), rdiags), took_fast


def assert_same(text: str | bytes) -> bool:
    mine, ref, took_fast = both(text)
    assert mine == ref, text
    return took_fast


# ---------------------------------------------------------------- generated documents

NFD_E = unicodedata.normalize("NFD", "ế")  # e + two combining marks
SCALARS = [
    # core types and their YAML 1.1 / 1.2 traps
    "1", "-0", "+7", "007", "12345678901234567890", "1" * 39, "1" * 41, "1.0", "1.10", "1.1", "0.5", ".5", "5.",
    "-0.0", "0.0", "1e3", "1E+3", "1000.0", "1.5e-3", "1e400", "1e-400", "2.50", "2.5", "1_000", "1__0", "1._5",
    "0x1F", "0o17", "0b101", "0755", ".inf", "-.Inf", ".NaN", "1:30", "yes", "no", "on", "off", "y", "~", "null",
    "Null", "NULL", "true", "True", "TRUE", "false", "FALSE", "tRUE", "2026-01-15", "2026-01-15T10:00:00",
    "<<", "&a x", "*a", "!t x", "!!str 1", "? k", "-", "+", ".", "1.5.5", "1e", "e3", "0.7 # c", "x#y",
    # text: Vietnamese, NFC and NFD, escapes
    "Hà Nội", "Ha" + "\u0300" + " Noi", "tiến độ", NFD_E, "a b: c", "'1.5'", "'true'", "''", '""', '"1_000"',
    '"\\u202e"', '"\\e"', '"\\t tab"', '"\\u00e9"', '"e\\u0301"', '"x\\ny"', "'it''s'", '"\\x41"',
]
KEYS = ["id", "title", "value", "a", "b", "ế", NFD_E, "'1'", "1", "1.5", "true", "~", "'null'", '"x"', "<<",
        "'é'", "e\u0301", "\"\\u00e9\"", "[a]", "{a: 1}", "? k", "-k", "k k"]
FRAGMENTS = ["\t", "\r\n", "\n", " ", "&x ", "*x", "!y ", "---\n", "...\n", "%YAML 1.2\n", "#", ":", "- ", "[", "]",
             "{", "}", ",", "'", '"', "\\", "|\n", ">\n", "\u202e", "\ufeff", "\x85", "\x07", "é", NFD_E, "1.10"]


def _block(v: object, indent: int, flow_lists: bool = False) -> list[str]:
    """Block style; with ``flow_lists``, lists as one-line flow sequences (``[a, b]``)."""
    pad = " " * indent
    if isinstance(v, dict):
        out = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x and not (flow_lists and isinstance(x, list)):
                out.append(f"{pad}{k}:")
                out += _block(x, indent + 2, flow_lists)
            else:
                out.append(f"{pad}{k}: {_flow(x)}")
        return out or [pad + "{}"]
    if isinstance(v, list):
        out = []
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = _block(x, indent + 2, flow_lists)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out += sub[1:]
            else:
                out.append(f"{pad}- {_flow(x)}")
        return out or [pad + "[]"]
    return [pad + str(v)]


def _flow(v: object) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return str(v)


scalars = st.one_of(
    st.sampled_from(SCALARS),
    st.from_regex(r"[-+]?[0-9]{1,4}(\.[0-9]{0,3})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.text(alphabet="aàảãáạăằêếệôơưđ bnk0123456789.-_:#", min_size=1, max_size=8).map(str.strip).filter(bool),
)
trees = st.recursive(scalars, lambda ch: st.one_of(st.lists(ch, min_size=1, max_size=4),
                                                  st.dictionaries(st.sampled_from(KEYS), ch, min_size=1, max_size=4)),
                     max_leaves=16)
# documents like real period files (the fast path's daily work): text, numbers, dates,
# Vietnamese in NFC and NFD, quoted text, comments
safe_scalars = st.one_of(
    st.from_regex(r"[-+]?[0-9]{1,4}(\.[0-9]{0,3})?([eE][-+]?[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["Hà Nội", NFD_E, "tiến độ", "2026-01-15", "yes", "~", "true", "'x: y'", '"e\\u0301"', "x # c"]),
    st.text(alphabet="aàảãáạăằêếệôơưđ bnk0123456789.-", min_size=1, max_size=8).map(str.strip).filter(bool),
)
safe_trees = st.recursive(safe_scalars, lambda ch: st.one_of(
    st.lists(ch, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(["id", "title", "value", "ế", NFD_E, "k k"]), ch, min_size=1, max_size=4)),
    max_leaves=16)
documents = st.one_of(st.dictionaries(st.sampled_from(KEYS), trees, min_size=1, max_size=5),
                      st.dictionaries(st.sampled_from(["id", "date", "note", "by"]), safe_trees, min_size=1, max_size=5))


@st.composite
def texts(draw) -> str:
    doc = draw(documents)
    style = draw(st.sampled_from(["block", "flow", "mixed", "flow-lists"]))
    if style == "flow":
        text = _flow(doc) + "\n"
    else:
        lines = _block(doc, 0, style == "flow-lists")
        if style == "mixed" and lines:  # a duplicate key, a comment, a flow leaf
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i] if not lines[i].startswith(" ") else "# " + lines[i])
        text = "\n".join(lines) + "\n"
    if draw(st.booleans()):  # an adversarial fragment at a random place
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(FRAGMENTS)) + text[pos:]
    return text


_COUNTS = {"fast": 0, "all": 0}


@settings(max_examples=int(os.environ.get("OKRCTL_FAST_EXAMPLES", "600")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=texts())
@example(text="{id: [{id: Hà Nội, title: 0}],---\n date: 0}\n")  # a nested flow collection over two lines
@example(text="a: 1.10\nb: 1.1\n")  # two spellings of one float: the reference decides
@example(text="a: 1.10\nb: '1.1'\n")
@example(text="x: 1_000\n")
@example(text="x: 0x1F\n")
@example(text="K: 1\n\u212a: 2\n")  # Kelvin sign: "K" after NFC
@example(text=f"{NFD_E}: 1\nế: 2\n")
@example(text='a: "\\u202e"\n')
@example(text="a: &x 1\nb: *x\n")
@example(text="a: !!float 1\n")
@example(text="a: 1\n---\nb: 2\n")
@example(text="- 1\n")
@example(text="a: " + "[" * 40 + "]" * 40 + "\n")
@example(text="a: 0.7 # 0.70\nb: '0.70'\n")
@example(text="k: 1e400\n")
@example(text="1: a\n")
@example(text="'1': a\n")
@example(text="a: ~\nb: \nc: ''\n")
def test_fast_and_reference_agree(text: str) -> None:
    _COUNTS["all"] += 1
    _COUNTS["fast"] += assert_same(text)


def test_the_generated_documents_exercise_the_fast_path() -> None:
    """Not vacuous: a good share of the agreeing documents went through yaml-rs."""
    if _COUNTS["all"] < 100:
        pytest.skip("run with test_fast_and_reference_agree")
    print(_COUNTS)
    assert _COUNTS["fast"] >= _COUNTS["all"] // 10, _COUNTS


def _repo_yaml() -> list[Path]:
    return sorted(p for pat in ("**/*.yaml", "**/*.yml") for p in ROOT.glob(pat)
                  if p.is_file() and p.stat().st_size <= 1 << 20 and not {".venv", ".git", ".cache", ".hypothesis"} & set(p.parts))


def test_every_yaml_file_of_the_repository_reads_the_same() -> None:
    files = _repo_yaml()
    assert len(files) >= 14
    fast = sum(assert_same(p.read_bytes()) for p in files)
    # multi-line flow mappings (examples/en-workspace) go to the reference reader
    assert fast >= len(files) // 4, f"only {fast} of {len(files)} files took the fast path"


def test_generated_workspace_files_take_the_fast_path(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_workspace.py"), str(tmp_path), "--units", "4",
                    "--quarters", "1"], check=True, capture_output=True)
    files = sorted(tmp_path.glob("okrs/*/*.yaml"))
    assert len(files) == 4
    for p in files:
        assert assert_same(p.read_bytes()), p  # took the fast path, and agreed


@pytest.mark.parametrize("text, value", [
    ("a: 1.10\nb: 2.5e3\nc: -0.0\nd: 7\n", {"a": Decimal("1.10"), "b": Decimal("2.5e3"), "c": Decimal("-0.0"), "d": 7}),
    (f"{NFD_E}: {NFD_E}\n", {"ế": "ế"}),
    ("t: yes\nd: 2026-01-15\nn: ~\n", {"t": "yes", "d": "2026-01-15", "n": None}),
])
def test_fast_values_are_exact(text: str, value: dict) -> None:
    doc, diags = parse(text.encode(), "f.yaml")
    assert diags == [] and doc is not None and doc.lazy
    assert canon(doc.value) == canon(value)


def test_without_the_wheel_or_with_the_env_var_everything_is_the_reference(monkeypatch) -> None:
    text = b"a: 1.10\nb: [x, 2]\n"
    monkeypatch.setenv(fastyaml.ENV, "reference")
    doc, _ = parse(text, "f.yaml")
    assert doc is not None and not doc.lazy and canon(doc.value) == canon({"a": Decimal("1.10"), "b": ["x", 2]})
    monkeypatch.delenv(fastyaml.ENV)
    monkeypatch.setattr(fastyaml, "_loads", None)  # as if `import yaml_rs` failed
    doc, _ = parse(text, "f.yaml")
    assert doc is not None and not doc.lazy


def test_lazy_document_composes_positions_on_demand() -> None:
    text = b"objectives:\n  - id: o1\n    key_results:\n      - id: k1\n        target: 1.50\n"
    doc, _ = parse(text, "f.yaml")
    assert doc is not None and doc.lazy
    assert doc.position(["objectives", 0, "key_results", 0, "target"]) == (5, 17)
    assert not doc.lazy
    kr = doc.value["objectives"][0]["key_results"][0]
    assert doc.container_position(kr) == (4, 9)
    assert doc.item_key_position(kr, "target") == (5, 17)
    assert doc.source_text(["objectives", 0, "key_results", 0, "target"]) == "1.50"
