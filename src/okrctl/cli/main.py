"""``main()``, the console-script entry point, and the ONE place that turns an
exception into an exit code.

Every command turns a library result into output and an exit code: 0 ok (warnings
allowed), 1 findings, 2 usage/configuration/git/internal error.  A failure is an
:class:`okrctl.errors.OkrctlError`, which carries its exit code; it is printed here
as one line on stderr (after its ``details``).  Any other exception is a bug: an
"internal error" line, and a traceback only with ``--debug``.
"""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> None:
    # A short-lived CLI holding many small objects: the cyclic GC only costs time.
    gc.disable()
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    from okrctl.errors import OkrctlError

    try:
        app = _application()
        app(args=args, prog_name="okrctl", standalone_mode=True)
    except OkrctlError as exc:
        for line in exc.details:
            print(line, file=sys.stderr)
        _fail(exc.message, exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(0) from None
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if "--debug" in args:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback, and please report it)", 2)


#: the modules under okrctl.cli that register commands, in the order ``--help`` lists
#: them: the daily work first (``checkin`` also registers ``measure``, ``close`` also
#: ``verify``)
COMMAND_MODULES = ("validate", "score", "rollup", "report", "checkin", "init", "close", "diff", "check", "history",
                   "export", "query", "codeowners", "period", "doctor")


def _application():
    """The typer application with every command registered, in the order ``--help``
    lists them (the daily work first)."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"okrctl.cli.{name}")
    from okrctl.cli.app import app

    return app


#: global options (value-taking ones map to True) accepted anywhere on the line:
#: `okrctl score --color never` works like `okrctl --color never score`
_GLOBAL = {"--color": True, "-C": True, "--workspace": True, "--debug": False}


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
        if seen_command and name in _GLOBAL:
            takes_value = _GLOBAL[name] and "=" not in a
            front.extend(args[i:i + (2 if takes_value else 1)])
            i += 2 if takes_value else 1
            continue
        if not a.startswith("-") and not seen_command and (not front or not _GLOBAL.get(front[-1], False)):
            seen_command = True
        (rest if seen_command else front).append(a)
        i += 1
    return front + rest


def _fail(message: str, code: int) -> None:
    from okrctl.render.textsafe import one_line

    print(f"okrctl: {one_line(message)}", file=sys.stderr)
    raise SystemExit(code)
