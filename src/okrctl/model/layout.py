"""Where things live in a workspace (docs/format.md): the one module that knows the file
names ``okrctl.yaml`` and ``units.yaml`` and the shape ``okrs/<PERIOD>/<UNIT>.yaml``.

Paths are workspace-relative and use ``/`` on every platform.  Messages that name
the files in prose may spell them out; code that builds or reads a path uses this.
"""

from __future__ import annotations

__all__ = [
    "CONFIG_FILE",
    "OKRS_DIR",
    "PERIOD_FILE_SUFFIX",
    "SETTINGS_FILES",
    "UNITS_FILE",
    "file_ref",
    "is_settings_file",
    "parse_period_path",
    "path_order",
    "period_dir",
    "period_file",
    "period_of_path",
]

#: workspace settings (required); its directory is the workspace
CONFIG_FILE = "okrctl.yaml"
#: the organisation tree (required)
UNITS_FILE = "units.yaml"
#: the directory of the period directories
OKRS_DIR = "okrs"
#: how a period file's name ends
PERIOD_FILE_SUFFIX = ".yaml"
#: the two settings files, in the order they are shown and read
SETTINGS_FILES = (CONFIG_FILE, UNITS_FILE)


def is_settings_file(path: str) -> bool:
    """``okrctl.yaml`` or ``units.yaml``."""
    return path in SETTINGS_FILES


def period_dir(period: str) -> str:
    """``okrs/PERIOD``: the directory of a period's files."""
    return f"{OKRS_DIR}/{period}"


def period_file(period: str, unit: str) -> str:
    """``okrs/PERIOD/UNIT.yaml``: the file of one unit for one period."""
    return f"{OKRS_DIR}/{period}/{unit}{PERIOD_FILE_SUFFIX}"


def _period_parts(path: str) -> list[str] | None:
    parts = path.split("/")
    return parts if len(parts) == 3 and parts[0] == OKRS_DIR else None


def period_of_path(path: str) -> str | None:
    """The period directory of a path of the shape ``okrs/<DIR>/<NAME>`` (whatever
    DIR and NAME are); None for any other path."""
    parts = _period_parts(path)
    return parts[1] if parts else None


def parse_period_path(path: str) -> tuple[str, str] | None:
    """``okrs/2026-Q1/so-khcn.yaml`` → ``("2026-Q1", "so-khcn")``; None unless the path
    has that shape and ends in ``.yaml``.  Neither part is validated here."""
    parts = _period_parts(path)
    if parts is None or not parts[2].endswith(PERIOD_FILE_SUFFIX):
        return None
    return parts[1], parts[2][: -len(PERIOD_FILE_SUFFIX)]


def file_ref(path: str) -> str:
    """How a file is named in a change list: ``okrs/2026-Q1/so-khcn.yaml`` →
    ``2026-Q1/so-khcn`` (any extension is dropped); settings files as they are."""
    parts = _period_parts(path)
    if parts is None:
        return path
    return f"{parts[1]}/{parts[2].rsplit('.', 1)[0]}"


def path_order(path: str) -> tuple[int, str]:
    """Sort key: okrctl.yaml, units.yaml, then period files by path."""
    return ({CONFIG_FILE: 0, UNITS_FILE: 1}.get(path, 2), path)


#: paths from the git repository root that configure CI or review (docs/ci.md,
#: ci-config-changed; ``okrctl codeowners`` gives them to the root approvers)
CI_CONFIG_PATHS = (".github/", ".gitlab/", ".gitlab-ci.yml", "CODEOWNERS", "docs/CODEOWNERS", ".pre-commit-config.yaml")
