"""KR types (docs/format.md): one module per ``type:``, behind a registry.

``get(name)`` gives the :class:`~okrctl.krtypes.base.KRType` of a type name,
:data:`ALL` every type in the order of docs/format.md, :data:`NAMES` their names.  Callers
dispatch through the registry rather than on ``kr.type``; see ``docs/krtypes.md``.
"""

from __future__ import annotations

from typing import Any

from okrctl.krtypes import aligned, boolean, maintain, metric, milestone
from okrctl.krtypes.base import KRType, Reading, Value
from okrctl.model.records import KeyResult

#: every KR type, in the order of docs/format.md
ALL: tuple[KRType, ...] = (metric.TYPE, boolean.TYPE, milestone.TYPE, maintain.TYPE, aligned.TYPE)
NAMES: tuple[str, ...] = tuple(t.name for t in ALL)
_BY_NAME = {t.name: t for t in ALL}
#: every definition field some type uses
TYPED_FIELDS: frozenset[str] = frozenset().union(*(t.fields for t in ALL))


def get(name: str) -> KRType:
    """The type named ``name``; ValueError for a name docs/format.md does not define."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown KR type {name!r}") from None


def of(kr: KeyResult) -> KRType:
    """The type of a key result."""
    return get(kr.type)


def eased(base: KeyResult, field: str, old: Any, new: Any) -> bool:
    """Could changing numeric ``field`` of KR ``base`` ease it (docs/ci.md)?  Judged by
    the KR's type; a field the type ignores is judged as by the type that uses it
    (as before the types were split out: the check does not depend on the type)."""
    kind = of(base)
    if field not in kind.fields:
        kind = next((t for t in ALL if field in t.fields), kind)
    return kind.eased(base, field, old, new)


__all__ = ["ALL", "NAMES", "TYPED_FIELDS", "KRType", "Reading", "Value", "eased", "get", "of"]
