"""The one exception base of okrctl and the exit codes (docs/checks.md).

Problems *in the user's files* are values (:class:`okrctl.model.problems.Problem`),
collected and reported together; they never raise.  An exception means the command
cannot go on: a bad option, a workspace that is not there, a git failure, a write
that was refused.  Every such exception derives from :class:`OkrctlError` and carries
its exit code; ``okrctl.cli.main`` is the one place that turns it into a one-line
message on stderr and that exit code.  Any other exception reaching the CLI is a
bug, reported as "internal error".
"""

from __future__ import annotations

from collections.abc import Iterable

#: success, warnings allowed
EXIT_OK = 0
#: findings: invalid files, rule errors, a refused write or a failed verification
EXIT_FINDINGS = 1
#: usage, configuration, git or internal error
EXIT_ERROR = 2


class OkrctlError(Exception):
    """A failure that ends the command with a one-line message and ``exit_code``."""

    #: the default exit code of the class; an instance may override it
    exit_code: int = EXIT_ERROR

    def __init__(self, message: str, *, exit_code: int | None = None, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        #: extra lines (diagnostics, file names) shown on stderr before the message
        self.details = list(details)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(OkrctlError):
    """An option or argument the command cannot use (exit 2)."""


class ConfigError(OkrctlError):
    """The workspace cannot be found or its settings cannot be used (exit 2)."""


class FindingsError(OkrctlError):
    """The command ran and found what it exists to find: a workspace with errors, a
    CODEOWNERS file out of date, a write the workspace's rules refuse (exit 1)."""

    exit_code = EXIT_FINDINGS
