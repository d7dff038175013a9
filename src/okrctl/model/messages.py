"""Messages for people in English or Vietnamese: gettext catalogues (docs/languages.md).

Every error, warning, confirmation and hint okrctl prints is written in English in
the code and marked for translation::

    from okrctl.model.messages import _, ngettext

    raise UsageError(_("unknown key {key}").format(key=name))
    ngettext("{n} file checked", "{n} files checked", n)

``_()`` does not translate on the spot: it returns a :class:`Msg`, a ``str`` whose
value is the English text (so JSON, ``==``, sorting and logs stay stable and
English) and which remembers its message id and arguments.  Output for people
calls :func:`tr` at the last moment, in the locale chosen for the run
(:func:`set_locale`; the command line decides: ``--locale`` > ``OKRCTL_LOCALE`` >
``locale:`` in okrctl.yaml > English).  Because the locale may only be known after
okrctl.yaml is read, nothing is translated before it is printed.

Placeholders are named, ``{name}`` (``str.format``), the same in the msgid and its
translation (tests/model/test_catalogue.py).  An argument that is itself a ``Msg``
is translated too.  Anything that turns a ``Msg`` into a plain ``str`` (``+``, an
f-string, ``.strip()``) freezes it in English: compose with placeholders instead.

The catalogues are ``okrctl/locale/<lang>/LC_MESSAGES/okrctl.po`` (and the compiled
``.mo`` the standard library's :mod:`gettext` reads; Babel only extracts and
compiles, it is not needed at run time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: languages okrctl speaks; English is the source language (no catalogue)
LOCALES = ("en", "vi")
DEFAULT_LOCALE = "en"
#: the gettext domain of okrctl's own messages, and of click's (usage errors)
DOMAIN = "okrctl"
CLICK_DOMAIN = "click"
#: where the catalogues live (package data)
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_active = DEFAULT_LOCALE
_catalogues: dict[tuple[str, str], Any] = {}


class Msg(str):
    """A message for people: English as its ``str`` value, translatable by :func:`tr`."""

    __slots__ = ("msgid", "plural", "n", "args")

    def __new__(cls, msgid: str, args: dict[str, Any] | None = None, plural: str | None = None,
                n: int | None = None) -> "Msg":
        english = plural if plural is not None and n != 1 else msgid
        args = dict(args or {})
        try:
            text = english.format(**args) if args else english
        except (KeyError, IndexError):  # ``ngettext(...)`` before its ``.format(name=…)``
            text = english
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.plural = plural
        self.n = n
        self.args = args
        return self

    def format(self, *args: Any, **kwargs: Any) -> "Msg":  # type: ignore[override]
        """The same message with (more) named arguments; positional ones are refused."""
        if args:
            raise TypeError("okrctl messages take named placeholders only")
        return Msg(self.msgid, {**self.args, **kwargs}, self.plural, self.n)

    def __reduce__(self):
        return (Msg, (self.msgid, self.args, self.plural, self.n))

    def __copy__(self) -> "Msg":
        return self

    def __deepcopy__(self, memo) -> "Msg":
        return self


def _(msgid: str) -> Msg:
    """Mark ``msgid`` for translation; arguments come with ``.format(name=…)``."""
    return Msg(msgid)


#: marks a message id for extraction where the text itself must stay a plain ``str``
N_ = _


def ngettext(singular: str, plural: str, n: int) -> Msg:
    """A message with a singular and a plural form; ``{n}`` is the count."""
    return Msg(singular, {"n": n}, plural, n)


def set_locale(locale: str | None) -> None:
    """Choose the language of every message printed from now on."""
    global _active
    _active = locale if locale in LOCALES else DEFAULT_LOCALE


def active_locale() -> str:
    return _active


def choose_locale(flag: str | None, environ: dict[str, str] | None, workspace: str | None) -> str:
    """The language of messages: ``--locale``, else ``OKRCTL_LOCALE``, else the
    workspace's ``locale:``, else English.  The system's ``LANG``/``LANGUAGE`` are not
    read: an agency laptop's system language says little about the team's."""
    env = (environ or {}).get("OKRCTL_LOCALE", "").strip().lower()
    for candidate in (flag, env.split("_")[0] if env else None, workspace):
        if candidate in LOCALES:
            return candidate
    return DEFAULT_LOCALE


def catalogue(locale: str, domain: str = DOMAIN):
    """The ``gettext`` translations of ``domain`` in ``locale`` (English: none)."""
    key = (locale, domain)
    found = _catalogues.get(key)
    if found is None:
        import gettext

        found = (gettext.NullTranslations() if locale == DEFAULT_LOCALE else
                 gettext.translation(domain, str(LOCALE_DIR), languages=[locale], fallback=True))
        _catalogues[key] = found
    return found


def tr(text: Any, locale: str | None = None) -> str:
    """``text`` for people in ``locale`` (default: the active one).  A plain ``str``
    comes back as it is; a :class:`Msg` is looked up in the catalogue and its
    arguments filled in (translated too when they are messages)."""
    if not isinstance(text, Msg):
        return str(text)
    loc = locale or _active
    if loc == DEFAULT_LOCALE:
        return str(text)
    cat = catalogue(loc)
    pattern = cat.gettext(text.msgid) if text.plural is None else cat.ngettext(text.msgid, text.plural, text.n)
    if not text.args:
        return pattern
    args = {k: tr(v, loc) if isinstance(v, Msg) else v for k, v in text.args.items()}
    try:
        return pattern.format(**args)
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the message
        return str(text)
