"""The message catalogues: every message id in the code has a Vietnamese translation
(non-empty, not fuzzy, same placeholders), the .po holds no id the code no longer
uses, the shipped .mo is the compiled .po, and no message escapes the catalogue."""

from __future__ import annotations

import ast
import io
import pickle
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from okrctl.model import messages as M

SRC = ROOT / "src" / "okrctl"
LOCALES = SRC / "locale"
TRANSLATED = [loc for loc in M.LOCALES if loc != M.DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _code_ids() -> set:
    """Message ids as Babel's extractor finds them in src/okrctl (babel.cfg's method)."""
    found = set()
    for _file, _line, msg, _comments, _ctx in extract_from_dir(str(SRC), method_map=[("**.py", "python")]):
        found.add(msg)
    return found


def _typer_ids() -> set:
    import typer

    here = Path(typer.__file__).parent
    return {m[1] for name in ("core.py", "rich_utils.py") for m in extract_from_file("python", str(here / name))}


def _po(locale: str, domain: str):
    with open(LOCALES / locale / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
        return read_po(f, locale=locale, domain=domain)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("domain", [M.DOMAIN, M.CLICK_DOMAIN])
def test_every_message_is_translated_and_nothing_is_obsolete(locale, domain):
    wanted = _code_ids() if domain == M.DOMAIN else _typer_ids()
    catalogue = _po(locale, domain)
    have = {m.id for m in catalogue if m.id}
    missing = sorted(map(str, wanted - have))
    assert missing == [], f"not in {domain}.po (run scripts/i18n, then translate): {missing}"
    obsolete = sorted(map(str, have - wanted))
    assert obsolete == [], f"in {domain}.po but no longer in the code (run scripts/i18n): {obsolete}"
    untranslated, fuzzy, mismatched = [], [], []
    for m in catalogue:
        if not m.id:
            continue
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if not all(s.strip() for s in strings):
            untranslated.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        # plural forms: the translation uses the placeholders of one of the English forms
        if not any(_placeholders(s) == _placeholders(i) | ({"{n}"} if not isinstance(m.id, str) and "{n}" in
                                                            _placeholders(ids[-1]) else set())
                   for s in strings for i in ids):
            mismatched.append(m.id)
    assert untranslated == [], f"empty msgstr in {locale}/{domain}.po: {untranslated}"
    assert fuzzy == [], f"fuzzy (review, then remove the flag) in {locale}/{domain}.po: {fuzzy}"
    assert mismatched == [], f"placeholders differ between msgid and msgstr: {mismatched}"


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("domain", [M.DOMAIN, M.CLICK_DOMAIN])
def test_the_shipped_mo_is_the_compiled_po(locale, domain):
    buf = io.BytesIO()
    write_mo(buf, _po(locale, domain))
    shipped = (LOCALES / locale / "LC_MESSAGES" / f"{domain}.mo").read_bytes()
    assert shipped == buf.getvalue(), f"{locale}/{domain}.mo is out of step with its .po: run scripts/i18n"


def _okrctl_exceptions() -> set[str]:
    """The names of okrctl's exception classes (OkrctlError and what derives from it):
    their message is what ``okrctl: …`` prints.  Python's own (ValueError …) are
    internal and reworded before anyone reads them."""
    bases: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
    found = {"OkrctlError"}
    while True:
        more = {name for name, bs in bases.items() if bs & found} - found
        if not more:
            return found
        found |= more


_EXCEPTIONS = _okrctl_exceptions()


def _unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else (f.attr if isinstance(f, ast.Attribute) else "")
        if isinstance(f, ast.Name) and name in ("_", "N_", "ngettext"):
            if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}() needs a string literal (extraction)")
            continue
        arg = None
        if name == "SourceError" and len(node.args) > 1:  # (path, message, code)
            arg = node.args[1]
        elif name in _EXCEPTIONS and node.args:
            arg = node.args[0]
        elif name == "make" and len(node.args) >= 5:
            arg = node.args[4]
        elif name == "finding" and len(node.args) >= 6:
            arg = node.args[5]
        elif name in ("diag", "_d") and len(node.args) >= 3:  # krtypes.base.diag, imported as _d by checks
            arg = node.args[2]
        elif name == "emit" and len(node.args) >= 5:  # the rules of check
            arg = node.args[4]
        elif name == "err" and len(node.args) >= 3:  # the YAML reader
            arg = node.args[2]
        if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(...) with a message not marked by _()")
    return out


def test_no_message_escapes_the_catalogue():
    """An error, problem or refusal written as a bare string or f-string would exist
    in English only: every such message goes through ``_()``/``ngettext()``."""
    offenders = [line for path in sorted(SRC.rglob("*.py")) for line in _unmarked(path)]
    assert offenders == []


# --------------------------------------------------------------------------- Msg and tr


def test_a_message_is_english_text_until_it_is_translated():
    msg = M._("unknown key {key!r} in {where}{hint}; keys starting with 'x-' are free for your own data").format(
        key="tagret", where="objectives[0]", hint=M._(" (did you mean {key!r}?)").format(key="target"))
    assert msg == ("unknown key 'tagret' in objectives[0] (did you mean 'target'?); "
                   "keys starting with 'x-' are free for your own data")
    assert M.tr(msg, "en") == str(msg)
    assert M.tr(msg, "vi") == ("khóa không xác định 'tagret' trong objectives[0] (có phải ý bạn là 'target'?); "
                               "các khóa bắt đầu bằng 'x-' được tự do dùng cho dữ liệu riêng")
    assert M.tr("plain text", "vi") == "plain text"


def test_plural_forms():
    assert M.ngettext("{n} error", "{n} errors", 1) == "1 error"
    assert M.ngettext("{n} error", "{n} errors", 3) == "3 errors"
    assert M.tr(M.ngettext("{n} error", "{n} errors", 3), "vi") == "3 lỗi"
    later = M.ngettext("{period} has {n} error; fix it before closing the period (okrctl validate)",
                       "{period} has {n} errors; fix them before closing the period (okrctl validate)", 2)
    assert later.format(period="2026-Q1") == "2026-Q1 has 2 errors; fix them before closing the period (okrctl validate)"
    assert M.tr(later.format(period="2026-Q1"), "vi") == "kỳ 2026-Q1 có 2 lỗi; hãy sửa trước khi khóa sổ (okrctl validate)"


def test_a_message_survives_pickling_and_set_locale_falls_back_to_english():
    msg = M._("committed {sha}").format(sha="abc")
    back = pickle.loads(pickle.dumps(msg))
    assert isinstance(back, M.Msg) and back == msg and M.tr(back, "vi") == "đã commit abc"
    M.set_locale("fr")
    assert M.active_locale() == "en"
    M.set_locale("vi")
    assert M.active_locale() == "vi" and M.tr(msg) == "đã commit abc"
    M.set_locale("en")


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError):
        M._("{} and {}").format(1, 2)


@pytest.mark.parametrize(("flag", "env", "workspace", "chosen"), [
    ("vi", {"OKRCTL_LOCALE": "en"}, "en", "vi"),
    (None, {"OKRCTL_LOCALE": "vi_VN"}, "en", "vi"),
    (None, {"OKRCTL_LOCALE": "en"}, "vi", "en"),
    (None, {"OKRCTL_LOCALE": ""}, "vi", "vi"),
    (None, {"LANG": "vi_VN.UTF-8", "LANGUAGE": "vi"}, None, "en"),
    ("fr", {}, "vi", "vi"),
    (None, {}, None, "en"),
])
def test_the_locale_is_the_flag_then_okrctl_locale_then_the_workspace(flag, env, workspace, chosen):
    assert M.choose_locale(flag, env, workspace) == chosen


@given(st.text(max_size=40))
def test_any_argument_comes_back_whole_in_both_languages(value):
    msg = M._("no such file: {missing}").format(missing=value)
    assert str(msg) == f"no such file: {value}"
    assert M.tr(msg, "vi") == f"không có tệp: {value}"
