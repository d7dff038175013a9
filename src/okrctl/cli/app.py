"""The typer application, global options and helpers shared by commands.

The commands register themselves on :data:`app` when :mod:`okrctl.cli.main` imports
them; this module imports none of them, so each command module imports on its own."""

from __future__ import annotations

from okrctl.model.messages import _, tr

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from okrctl import __version__
from okrctl.cli import coerce
from okrctl.errors import UsageError


class Locale(str, Enum):
    """Languages of labels, status words and example texts (okrctl.render.i18n)."""

    en = "en"
    vi = "vi"


class ProblemFormat(str, Enum):
    """Output formats of the commands that report problems (validate, check)."""

    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    md = "md"


def problem_format(fmt: ProblemFormat | None) -> ProblemFormat:
    """The format asked for, else GitHub annotations under GitHub Actions, else text."""
    if fmt is not None:
        return fmt
    return ProblemFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ProblemFormat.text


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


@dataclass
class State:
    workspace: Path | None = None
    color: str = "auto"
    debug: bool = False
    #: ``--locale``: the language of messages (and of labels where a command has no own option)
    locale: str | None = None
    cache: dict = field(default_factory=dict)
    #: --no-cache: neither read nor write the cache of parsed files
    no_cache: bool = False


def _conventional_usage() -> None:
    """Help and usage lines in the conventions of other command-line tools, over
    typer 0.29's own (pinned in pyproject.toml; tests/cli/test_usage.py): a flag
    shows no ``<bool>``; an argument shows its metavar, not ``<list[Path]>``; the
    usage line reads ``REF VALUE`` and ``[DIR]``, ``PATHS...``, not ``{REF} {VALUE}``."""
    from typer.core import TyperArgument, TyperOption

    def option_type(self, ctx):
        if self.is_flag and self.metavar is None:
            return None
        return _option_type(self, ctx)

    def usage_name(self) -> str:
        name = self.display_name_raw.upper()
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    _option_type = TyperOption.display_type_rich
    TyperOption.display_type_rich = option_type
    TyperArgument.display_type_rich = lambda self, ctx: None
    TyperArgument._usage_display_name = usage_name


_conventional_usage()
coerce.install()  # no pydantic on the path of ordinary commands (cli/coerce.py)

app = typer.Typer(
    name="okrctl",
    help=(
        "OKRs and KPIs as plain-text YAML in git: validate, score, roll up, diff and audit them.\n\n"
        "Run inside a workspace (a directory with okrctl.yaml) or point at one with -C DIR.\n\n"
        "Exit codes: 0 ok (warnings allowed), 1 findings (invalid files, rule errors), "
        "2 usage, configuration, git or internal error."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"okrctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global(
    ctx: typer.Context,
    workspace: Annotated[Path | None, typer.Option("-C", "--workspace", metavar="DIR",
                                                   help="Use the workspace in DIR instead of searching upwards from the current directory.")] = None,
    color: Annotated[ColorMode, typer.Option("--color", help="Colour in terminal output (auto honours NO_COLOR and FORCE_COLOR).")] = ColorMode.auto,
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for internal errors.")] = False,
    locale: Annotated[Locale | None, typer.Option("--locale", help="Language of messages: errors, warnings, hints (default: OKRCTL_LOCALE, else locale in okrctl.yaml, else en).")] = None,
    version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read and parse every file; neither use nor update the cache of parsed files (also OKRCTL_NO_CACHE=1).")] = False,
) -> None:
    ctx.obj = State(workspace=workspace, color=color.value, debug=debug, no_cache=no_cache,
                    locale=locale.value if locale else None)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def parse_date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    from okrctl.model.periods import MAX_YEAR, MIN_YEAR

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(_("{name}: {value!r} is not a date (YYYY-MM-DD)").format(name=name, value=value)) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise UsageError(_("{name}: {value} is outside the years okrctl works with ({MIN_YEAR}..{MAX_YEAR})").format(name=name, value=value, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR))
    return day


def check_rev(rev: str | None) -> str | None:
    if rev is not None and (rev.startswith("-") or not rev.strip()):
        raise UsageError(_("--rev: {rev!r} is not a revision").format(rev=rev))
    return rev


def display_path_fn(root: Path):
    """Paths in human/CI output: relative to the current directory when the
    workspace lies below it (so editors and CI annotations find the file)."""
    try:
        rel = os.path.relpath(root, Path.cwd())
    except ValueError:
        rel = str(root)
    if rel == ".":
        return lambda p: p
    if rel.startswith(".."):
        return lambda p: str(root / p)
    return lambda p: f"{rel}/{p}"


def out_stream(output: Path | None):
    return sys.stdout if output is None else None


def warn(lines) -> None:
    """Print each line as ``warning: …`` on stderr."""
    for line in lines:
        print(tr(_("warning: {message}").format(message=line)), file=sys.stderr)
