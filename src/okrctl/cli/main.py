"""``main()``, the console-script entry point, and the ONE place that turns an
exception into an exit code.

Every command turns a library result into output and an exit code: 0 ok (warnings
allowed), 1 findings, 2 usage/configuration/git/internal error.  A failure is an
:class:`okrctl.errors.OkrctlError`, which carries its exit code; it is printed here
as one line on stderr (after its ``details``).  Any other exception is a bug: an
"internal error" line, and a traceback only with ``--debug``.
"""

from __future__ import annotations

import errno
import gc
import os
import sys

from okrctl.model.messages import _


def main(argv: list[str] | None = None) -> None:
    """The console script (``argv`` None): after the output is flushed, the process
    ends with ``os._exit`` and its exact exit code, skipping the interpreter's
    teardown (freeing a large workspace object by object is ~25% of a big run);
    atexit handlers still run.  Called with ``argv`` (in-process), it raises
    ``SystemExit`` as usual."""
    try:
        _main(argv)
    except SystemExit as exc:
        if argv is not None:
            raise
        _exit_now(exc.code)


def _exit_now(code: object) -> None:
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): what the interpreter does with it
        print(code, file=sys.stderr)
        status = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away: nothing more to say
            pass
    os._exit(status & 0xFF)


def _main(argv: list[str] | None) -> None:
    # A short-lived CLI holding many small objects: the cyclic GC only costs time.
    gc.disable()
    args = list(sys.argv[1:] if argv is None else argv)
    from okrctl.errors import OkrctlError

    stdout = sys.stdout
    try:
        choose_message_locale(args)
        args = hoist_global_options(args)
        app = _application(_command_word(args))
        # standalone_mode=False: usage errors, Abort and a closed stdout reach us
        # instead of typer's rich boxes and its sys.exit(1) on EPIPE
        code = app(args=args, prog_name="okrctl", standalone_mode=False)
        sys.stdout.flush()
    except OkrctlError as exc:
        from okrctl.model.messages import tr

        for line in exc.details:
            print(tr(line), file=sys.stderr)
        _fail(exc.message, exc.exit_code)
    except SystemExit:
        # typer catches EPIPE itself even outside standalone mode (typer/core.py,
        # ``_main``: ``except OSError … sys.exit(1)``), after wrapping sys.stdout
        # in click's PacifyFlushWrapper: a replaced stdout is how we know
        if sys.stdout is not stdout:
            sys.stdout = stdout
            _stdout_closed()
        raise
    except KeyboardInterrupt:
        _fail(_("interrupted"), 130)
    except BrokenPipeError:
        _stdout_closed()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            _internal_error(exc, args)
        _stdout_closed()
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if _is_typer(exc, "TyperException"):
            _usage_error(exc)
        if _is_typer(exc, "Abort"):
            _fail(_("aborted"), 1)
        _internal_error(exc, args)
    raise SystemExit(code if isinstance(code, int) else 0)


def _is_typer(exc: BaseException, name: str) -> bool:
    import typer

    return isinstance(exc, getattr(typer, name))


def _internal_error(exc: Exception, args: list[str]) -> None:
    if "--debug" in args:
        raise exc
    _fail(_("internal error: {kind}: {error} (run with --debug for the traceback, and please report it)")
          .format(kind=type(exc).__name__, error=str(exc)), 2)


def _stdout_closed() -> None:
    """The reader of standard output went away (``okrctl score | head``): not an
    error.  Point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(0)


#: click's wording that reads like a data-validation library, not a command line
_WORDING = (("Value error, ", ""), ("Invalid value for ", "invalid value for "), ("No such option", "no such option"), ("Option '", "option '"),
            ("No such command", "no such command"), ("Missing argument", "missing argument"),
            ("Missing option", "missing option"), ("Got unexpected extra argument", "unexpected extra argument"))


def _usage_error(exc) -> None:
    """A click usage error as the usage line and one ``okrctl: …`` line, exit 2
    (``okrctl`` alone prints the help, exit 2, as before)."""
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message()
    if type(exc).__name__ == "NoArgsIsHelpError":
        print(message, file=sys.stderr)
        raise SystemExit(2)
    from okrctl.cli.clicktext import usage_line, usage_message

    if ctx is not None and exc.exit_code == 2:
        print(usage_line(ctx.get_usage()), file=sys.stderr)
    translated = usage_message(message)
    if translated == message:
        for old, new in _WORDING:
            message = message.replace(old, new)
    else:
        message = translated
    _fail(message.rstrip("."), exc.exit_code)


#: the modules under okrctl.cli that register commands, in the order ``--help`` lists
#: them: the daily work first (``checkin`` also registers ``measure``, ``close`` also
#: ``verify``)
COMMAND_MODULES = ("validate", "score", "rollup", "report", "checkin", "evidence", "init", "close", "publish", "diff",
                   "check", "history", "export", "query", "codeowners", "period", "doctor", "cache")


#: commands registered by a module of another name
_MODULE_OF = {"measure": "checkin", "verify": "close"}


def _command_word(args: list[str]) -> str | None:
    """The command named on the (hoisted) line, or None (help, --version, a typo)."""
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--", "--help", "-h"):
            return None  # `okrctl --help score` lists every command
        if not a.startswith("-"):
            return a
        i += 2 if _GLOBAL.get(a, False) else 1
    return None


def _application(command: str | None = None):
    """The typer application with every command registered, in the order ``--help``
    lists them (the daily work first).  When the line names a known command, only
    its module is imported and registered: typer builds the parameters of every
    registered command on every run (≈ 30 ms for all of them, docs/performance.md)."""
    import importlib

    module = _MODULE_OF.get(command or "", command)
    for name in (module,) if module in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(f"okrctl.cli.{name}")
    from okrctl.cli.app import app

    return app


#: global options (value-taking ones map to True) accepted anywhere on the line:
#: `okrctl score --color never` works like `okrctl --color never score`
_GLOBAL = {"--color": True, "-C": True, "--workspace": True, "--debug": False, "--no-cache": False, "--locale": True}
#: commands with their own ``--locale`` (the language of their labels): the global
#: option (messages) is passed on to them, wherever it was written
OWN_LOCALE = frozenset({"score", "rollup", "report", "export", "init"})


def _option_value(args: list[str], names: tuple[str, ...]) -> str | None:
    """The value of the last ``NAME VALUE`` / ``NAME=VALUE`` before ``--``."""
    found = None
    for i, a in enumerate(args):
        if a == "--":
            break
        for name in names:
            if a == name and i + 1 < len(args):
                found = args[i + 1]
            elif a.startswith(name + "="):
                found = a.split("=", 1)[1]
    return found


def choose_message_locale(args: list[str]) -> None:
    """The language of messages for this run (docs/languages.md): ``--locale``
    anywhere on the line, else ``OKRCTL_LOCALE``, else ``locale:`` in the okrctl.yaml
    of the workspace (``-C DIR`` or upwards from here; read again, exactly, once the
    command loads it), else English.  Decided before any parsing, so even a usage
    error speaks the language of the workspace."""
    from okrctl.cli.workspace import peek_locale
    from okrctl.model.messages import LOCALES, choose_locale, set_locale

    flag = _option_value(args, ("--locale",))
    workspace = None
    if flag not in LOCALES and not os.environ.get("OKRCTL_LOCALE"):
        workspace = peek_locale(_option_value(args, ("-C", "--workspace")))
    set_locale(choose_locale(flag, dict(os.environ), workspace))
    from okrctl.cli.clicktext import translate_click

    translate_click(help_page=not args or any(a in ("--help", "-h") for a in args))


#: words a user may write after a flag believing it takes a value (``--debug true``)
_BOOLEAN_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options written after the command name to the front."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_command = False
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        name = a.split("=", 1)[0]
        if name in _GLOBAL and not _GLOBAL[name] and "=" not in a and i + 1 < len(args) \
                and args[i + 1].lower() in _BOOLEAN_WORDS:
            from okrctl.errors import UsageError

            raise UsageError(_("{name} is a flag and takes no value: write {name} alone, not {name} {value}")
                             .format(name=name, value=args[i + 1]))
        if seen_command and name in _GLOBAL:
            takes_value = _GLOBAL[name] and "=" not in a
            front.extend(args[i:i + (2 if takes_value else 1)])
            i += 2 if takes_value else 1
            continue
        if not a.startswith("-") and not seen_command and (not front or not _GLOBAL.get(front[-1], False)):
            seen_command = True
        (rest if seen_command else front).append(a)
        i += 1
    locale = _option_value(front, ("--locale",))
    if locale is not None and rest and rest[0] in OWN_LOCALE:
        rest[1:1] = ["--locale", locale]  # the command's own option: its labels follow too
    return front + rest


def _fail(message: str, code: int) -> None:
    from okrctl.model.messages import tr
    from okrctl.render.textsafe import one_line

    print(f"okrctl: {one_line(tr(message))}", file=sys.stderr)
    raise SystemExit(code)
