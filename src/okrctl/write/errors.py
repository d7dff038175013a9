"""The exceptions of okrctl's writes.

Every failure of a use case is a :class:`WriteError` with a one-line ``message`` (and,
for a refused write, optional ``details`` lines such as the diagnostics that caused it).
Two kinds, each carrying its exit code (:mod:`okrctl.errors`):

* :class:`BadInput` (exit 2) -- what was typed is wrong: a value that is not a number
  of the KR's type, an unknown reference, a check-in date outside the period, an
  option out of range, a file ``init`` would overwrite.
* :class:`Refused` (exit 1) -- the input is fine but the workspace does not allow the
  write: the item takes no check-ins (aligned, cancelled), the period is closed, the
  file cannot be edited without reformatting it, the result would not validate,
  someone changed the file meanwhile, uncommitted changes where a commit is asked for.

Git failures are :class:`okrctl.gitio.GitError` (exit 2).

:class:`WriteRefused` is what the lower layers (:mod:`okrctl.write.yamledit`,
:mod:`okrctl.write.fsio`) raise when a file cannot be edited or replaced safely; the
use cases turn it into :class:`Refused`.
"""

from __future__ import annotations

from collections.abc import Iterable

from okrctl.errors import EXIT_ERROR, EXIT_FINDINGS, OkrctlError

__all__ = ["BadInput", "Refused", "WriteError", "WriteRefused"]


class WriteError(OkrctlError):
    """A write okrctl will not do; ``message`` is one line for the user, ``details``
    extra lines (diagnostics, file names) to show before it."""

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message, details=details)


class BadInput(WriteError):
    """What was typed is wrong (exit 2)."""

    exit_code = EXIT_ERROR


class Refused(WriteError):
    """The workspace does not allow this write (exit 1)."""

    exit_code = EXIT_FINDINGS


class WriteRefused(OkrctlError):
    """okrctl will not write this file.  ``message`` is one user-facing line; ``line`` is the
    1-based line of the original file the refusal is about, when there is one."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        message = " ".join(part.strip() for part in message.splitlines() if part.strip())
        super().__init__(message)
        self.line = line
