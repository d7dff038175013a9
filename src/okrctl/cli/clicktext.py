"""typer's own words (usage errors, ``Usage:``, help panels) in the language of the run.

typer 0.29 parses the command line with its own copy of click (``typer._click``),
whose messages are plain English f-strings: :func:`usage_message` recognises them
by their shape and says them again through okrctl's catalogue.  typer's own texts
(``typer/core.py``: "No such command", "Missing command"; ``typer/rich_utils.py``:
the help panels "Options", "Arguments", "Commands", "[default: …]") are marked with
the standard library's ``gettext.gettext``, bound at import as the module global
``_``, in the process-wide default domain with the language from ``LANGUAGE``/
``LANG``.  okrctl ships its own catalogue of those (domain ``click``:
``okrctl/locale/<lang>/LC_MESSAGES/click.po``, extracted from the installed typer by
``scripts/i18n``) and, when the run is not in English, points those module globals at
it: the process's gettext domain and environment stay untouched.  rich_utils's
panel titles are constants computed at import; they are set here too.  What stays
English: the help texts of commands and options (docs/languages.md).
"""

from __future__ import annotations

import importlib

#: the modules whose ``_``/``ngettext`` say what a user reads (errors, usage, help)
MODULES = ("typer.core", "typer.rich_utils")
#: typer.rich_utils's texts computed when it is imported
_RICH_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                   "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE", "ERRORS_PANEL_TITLE",
                   "ABORTED_TEXT", "RICH_HELP")


#: what the modules held before the first change: (module, attribute) -> value
_ORIGINAL: dict[tuple[str, str], object] = {}


def translate_click(help_page: bool = False) -> None:
    """Make typer speak the active locale (English: its own words, restored if an
    earlier run in this process changed them).  ``typer.rich_utils`` (which imports
    most of rich, about a second on a busy machine) is only imported for a help page;
    otherwise it is changed only if something imported it already."""
    import sys

    from okrctl.model.messages import CLICK_DOMAIN, DEFAULT_LOCALE, active_locale, catalogue

    locale = active_locale()
    if locale == DEFAULT_LOCALE and not _ORIGINAL:
        return
    cat = catalogue(locale, CLICK_DOMAIN)
    for name in MODULES:
        if name == "typer.rich_utils" and not help_page and name not in sys.modules:
            continue
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


def _usage_patterns():
    """typer 0.29 parses with its own copy of click (``typer._click``), whose texts
    are plain English f-strings, not gettext: its usage errors are recognised here by
    their English shape and said again through okrctl's catalogue."""
    import re

    from okrctl.model.messages import _

    return [
        (re.compile(r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)$"),
         _("no such option: {name} (did you mean {options}?)")),
        (re.compile(r"No such option: (?P<name>\S+)$"), _("no such option: {name}")),
        (re.compile(r"No such command '(?P<name>.+)'\. Did you mean (?P<options>.+)\?$"),
         _("no such command '{name}'; did you mean {options}?")),
        (re.compile(r"No such command '(?P<name>.+)'\.?$"), _("no such command '{name}'")),
        # typer.core's own "No such command" is gettext (so already translated), its hint is not
        (re.compile(r"(?P<message>.+?)\.? Did you mean (?P<options>.+)\?$"), _("{message}; did you mean {options}?")),
        (re.compile(r"Missing argument '(?P<name>.+)'\.?$"), _("missing argument {name}")),
        (re.compile(r"Missing option '(?P<name>.+)'\.?$"), _("missing option {name}")),
        (re.compile(r"Missing parameter: (?P<name>.+)$"), _("missing {name}")),
        (re.compile(r"Got unexpected extra arguments? \((?P<args>.+)\)$"), _("unexpected extra argument ({args})")),
        (re.compile(r"Option '(?P<name>.+)' requires an argument\.?$"), _("option '{name}' needs a value")),
        (re.compile(r"Option '(?P<name>.+)' requires (?P<n>\d+) arguments\.?$"), _("option '{name}' needs {n} values")),
        (re.compile(r"Option '(?P<name>.+)' does not take a value\.?$"), _("option '{name}' takes no value")),
        (re.compile(r"Invalid value for (?P<where>.+?): (?P<value>'.*') is not one of (?P<choices>.+?)\.?$"),
         _("invalid value for {where}: {value} is not one of {choices}")),
        (re.compile(r"Invalid value for (?P<where>.+?): (?:Value )?(?P<value>'.*') is not a valid (?P<kind>\w+)\.?$"),
         _("invalid value for {where}: {value} is not a valid {kind}")),
        (re.compile(r"Invalid value for (?P<where>.+?): (?P<label>\w+) (?P<value>'.*') does not exist\.?$"),
         _("invalid value for {where}: {value} does not exist")),
        (re.compile(r"Invalid value for (?P<where>.+?): (?P<message>.+)$"), _("invalid value for {where}: {message}")),
    ]


def usage_message(message: str) -> str:
    """A usage error of typer/click in the active locale (English: unchanged)."""
    from okrctl.model.messages import DEFAULT_LOCALE, active_locale, tr

    if active_locale() == DEFAULT_LOCALE:
        return message
    plain = message.replace("Value error, ", "").strip()  # typer's pydantic-style wording
    for pattern, msg in _usage_patterns():
        found = pattern.match(plain)
        if found:
            return tr(msg.format(**found.groupdict()))
    return message


def usage_line(line: str) -> str:
    """``Usage: okrctl …`` with its first word in the active locale."""
    from okrctl.model.messages import _, tr

    head = "Usage:"
    return tr(_("Usage:")) + line[len(head):] if line.startswith(head) else line
