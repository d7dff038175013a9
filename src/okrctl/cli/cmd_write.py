"""Commands registered on the okrctl app (see okrctl.cli.app)."""

from __future__ import annotations
