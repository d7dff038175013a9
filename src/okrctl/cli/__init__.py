"""The ``okrctl`` command line.  ``main()`` is the console-script entry point.

Only this package and :mod:`okrctl.render` import typer and rich.  Every command
turns a library result into output and an exit code: 0 ok (warnings allowed),
1 findings, 2 usage/configuration/git/internal error — always with a one-line
message on stderr and never a traceback unless ``--debug``.
"""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> None:
    # A short-lived CLI holding many small objects: the cyclic GC only costs time.
    gc.disable()
    args = sys.argv[1:] if argv is None else argv
    from okrctl.cli.app import CliError, app

    try:
        app(args=args, prog_name="okrctl", standalone_mode=True)
    except CliError as exc:
        _fail(exc.message, exc.code)
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


def _fail(message: str, code: int) -> None:
    from okrctl.textsafe import one_line

    print(f"okrctl: {one_line(message)}", file=sys.stderr)
    raise SystemExit(code)
