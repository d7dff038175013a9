"""click's and typer's own words (usage errors, ``Usage:``, help panels) in the
language of the run.

click and typer mark their texts with ``gettext.gettext`` of the standard library,
bound at import as the module global ``_`` (and ``ngettext``), in the process-wide
default domain, with the language taken from ``LANGUAGE``/``LANG``.  okrctl ships
its own catalogue of those texts (domain ``click``: ``okrctl/locale/<lang>/
LC_MESSAGES/click.po``, extracted from the installed click and typer by
``scripts/i18n``) and, when the run is not in English, points those module globals
at it: the process's gettext domain and environment stay untouched.  typer's help
panel titles are constants computed at import; they are set here too.
"""

from __future__ import annotations

import importlib

#: the modules whose ``_``/``ngettext`` say what a user reads (errors, usage, help)
MODULES = ("click.exceptions", "click.parser", "click.formatting", "click.types", "click.core", "typer.core",
           "typer.rich_utils")
#: typer.rich_utils's texts computed when it is imported
_RICH_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                   "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE", "ERRORS_PANEL_TITLE",
                   "ABORTED_TEXT", "RICH_HELP")


#: what the modules held before the first change: (module, attribute) -> value
_ORIGINAL: dict[tuple[str, str], object] = {}


def translate_click() -> None:
    """Make click and typer speak the active locale (English: their own words,
    restored if an earlier run in this process changed them)."""
    from okrctl.model.messages import CLICK_DOMAIN, DEFAULT_LOCALE, active_locale, catalogue

    locale = active_locale()
    if locale == DEFAULT_LOCALE and not _ORIGINAL:
        return
    cat = catalogue(locale, CLICK_DOMAIN)
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in ("_", "ngettext", *(_RICH_CONSTANTS if name == "typer.rich_utils" else ())):
            if not hasattr(module, attr):
                continue
            english = _ORIGINAL.setdefault((name, attr), getattr(module, attr))
            if locale == DEFAULT_LOCALE:
                setattr(module, attr, english)
            elif attr == "_":
                setattr(module, attr, cat.gettext)
            elif attr == "ngettext":
                setattr(module, attr, cat.ngettext)
            elif isinstance(english, str):
                setattr(module, attr, cat.gettext(english))
