"""Command-line values coerced without pydantic (start-up, issue 10 item 6).

typer 0.29 (pinned in pyproject.toml) builds a pydantic ``TypeAdapter`` for every
parameter that receives a value, defaults included: importing pydantic and
building the adapters cost ≈ 0.1 s of every command's ≈ 0.3 s fixed cost
(docs/performance.md).  okrctl's options are plain: text, whole numbers with a
lower bound, flags, paths without checks, choices from an ``Enum``, and lists of
text or paths.  For exactly those, :func:`install` gives typer a runtime parameter
that does what typer's adapter does, with typer's own helpers (``coerce_cli_choice``,
``coerce_cli_path``) and the same messages; any other annotation, and any value
the plain rules are not sure of (``"1_000"`` for a number), goes to typer's own
pydantic path.  ``tests/cli/test_coerce.py`` compares both on generated values.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

#: what the plain path parses as a whole number; anything else goes to pydantic
_PLAIN_INT = re.compile(r"-?[0-9]{1,18}\Z")


class _Fallback(Exception):
    """The plain rules are not sure: let typer's pydantic adapter decide."""


def _plain_leaf(annotation: Any, info: Any) -> bool:
    if info.parser is not None or getattr(info, "click_type", None) is not None:
        return False
    if annotation is str or annotation is bool:
        return True
    if annotation is int:
        return not info.clamp
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return True
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return info.path_type is None
    return False


def plain(annotation: Any, info: Any) -> bool:
    """Whether :func:`install`'s runtime parameter handles this parameter."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and _plain_leaf(args[0], info)
    return _plain_leaf(annotation, info)


def _leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    from typer._click.utils import _escape_control_characters
    from typer._param_types import coerce_cli_choice, coerce_cli_path

    if annotation is str:
        if isinstance(value, str):
            return value
        raise _Fallback
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise _Fallback
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _Fallback
        if isinstance(value, str):
            if not _PLAIN_INT.match(value):
                raise _Fallback
            value = int(value)
        if info.min is not None and value < info.min:
            raise ValueError(f"Input should be greater than or equal to {info.min}")
        if info.max is not None and value > info.max:
            raise ValueError(f"Input should be less than or equal to {info.max}")
        return value
    if issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
        except ValueError as exc:
            raise ValueError(_escape_control_characters(f"Value error, {exc}")) from None
    # a Path: typer converts the text with pydantic's TypeAdapter(Path), which is Path(text)
    if isinstance(value, str) and value and "\0" not in value:
        value = annotation(value)
    if not isinstance(value, annotation):
        raise _Fallback
    return coerce_cli_path(value, info, path_type=annotation, param=param, ctx=ctx)


def install() -> None:
    """Make typer coerce okrctl's plain parameters without importing pydantic."""
    import typer.core
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam

    original = typer.core.build_runtime_param
    if getattr(original, "okrctl_plain", False):
        return

    class PlainRuntimeParam(RuntimeParam):
        """typer's adapter semantics for okrctl's plain parameters."""

        fallback: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            try:
                if get_origin(self.annotation) is list:
                    item = get_args(self.annotation)[0]
                    items = value if isinstance(value, (list, tuple)) else [value]
                    return [_leaf(item, info, v, param, ctx) for v in items]
                return _leaf(self.annotation, info, value, param, ctx)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None
            except _Fallback:
                if self.fallback is None:
                    object.__setattr__(self, "fallback", original(self.descriptor))
                return self.fallback._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        if descriptor.file_annotation is None and plain(descriptor.annotation, descriptor.parameter_info):
            rp = PlainRuntimeParam(annotation=descriptor.annotation, parameter_info=descriptor.parameter_info)
            object.__setattr__(rp, "descriptor", descriptor)
            return rp
        return original(descriptor)

    build.okrctl_plain = True  # type: ignore[attr-defined]
    build.original = original  # type: ignore[attr-defined]
    typer.core.build_runtime_param = build
