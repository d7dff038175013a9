"""``okrctl init``: a new workspace that validates, from the templates in
:mod:`okrctl.write.templates` (package data)."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from okrctl import __version__
from okrctl.model.periods import is_period_id, parse_period, periods_containing
from okrctl.model.layout import CONFIG_FILE, OKRS_DIR, UNITS_FILE, is_settings_file, period_file
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused, WriteRefused
from okrctl.write.inputs import _clean_text
from okrctl.write.workspace import Overlay, _diag_line, _EmptySource, _load, emit_yaml

__all__ = ["InitPlan", "init_workspace", "plan_init", "slugify"]


_SLUG_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def slugify(name: str) -> str:
    """A unit id from a name: ``Sở Khoa học và Công nghệ`` → ``so-khoa-hoc-va-cong-nghe``."""
    s = unicodedata.normalize("NFD", name.translate(_SLUG_MAP))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"^[^a-z]+", "", s)
    while len(s) > 64:
        s = s[: s.rfind("-")] if "-" in s[:64] else s[:64]
    return s or "unit"


_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _template(name: str) -> str:
    """The text of ``templates/<name>`` (package data)."""
    from importlib import resources

    return (resources.files("okrctl.write") / "templates" / name).read_text(encoding="utf-8")


def _render(template: str, /, **values: str) -> bytes:
    """``templates/<template>`` with each ``{{key}}`` replaced by ``values[key]``, in one pass
    (a value is never searched for placeholders; ``${{ github.… }}`` has spaces and is left
    alone)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _template(template)).encode("utf-8")


def _init_texts() -> dict[str, dict[str, Any]]:
    """The texts of each locale, from ``templates/texts.toml``."""
    import tomllib

    return tomllib.loads(_template("texts.toml"))


@dataclass
class InitPlan:
    root: Path
    files: dict[str, bytes]  # path relative to root → bytes, in creation order
    unit: str
    period: str


def plan_init(root: Path, *, locale: str = "en", name: str | None = None, unit: str | None = None,
              period: str | None = None, today: date | None = None) -> InitPlan:
    """The files :func:`init_workspace` would create (validated, nothing written)."""
    from importlib import resources

    from okrctl.checks import UNIT_ID_RE

    texts = _init_texts()
    if locale not in texts:
        raise BadInput(f"--locale: {locale!r} is not one of en, vi")
    tx = texts[locale]
    name = _clean_text(name, "--name") if name is not None else tx["name"]
    unit_id = unit if unit is not None else slugify(name)
    if not UNIT_ID_RE.match(unit_id) or is_period_id(unit_id):
        raise BadInput(f"--unit: {unit_id!r} is not a unit id (lowercase letters, digits and -, starting with a letter, at most 64)")
    if period is None:
        from okrctl.model.dates import today_in

        d = today or today_in(tx["timezone"])
        period = periods_containing(d, 1)[0].id
    try:
        parse_period(period, 1)
    except ValueError as exc:
        raise BadInput(f"--period: {exc}") from None

    def y(doc: dict, header: list[str]) -> bytes:
        return emit_yaml(doc, header).encode("utf-8")

    config_text = _render("okrctl.yaml", config_head="\n".join(tx["config_head"]), name=emit_yaml({"name": name}).rstrip("\n"),
                          locale=locale, timezone=tx["timezone"], lock=tx["lock"], locked=tx["locked"])
    units_doc = {"units": [{"id": unit_id, "name": name}]}
    okr_doc = {
        "unit": unit_id,
        "period": period,
        "objectives": [{
            "id": "O1",
            "title": tx["objective"],
            "kind": "committed",
            "key_results": [{
                "id": "KR1",
                "title": tx["kr"],
                "unit": tx["kr_unit"],
                "baseline": 40,
                "target": 60,
                "frequency": "monthly",
            }],
        }],
        "kpis": [{"id": "K1", "title": tx["kpi"], "unit": "%", "target": 98, "alert": 95}],
    }
    files: dict[str, bytes] = {
        CONFIG_FILE: config_text,
        UNITS_FILE: y(units_doc, ["# yaml-language-server: $schema=schema/units.schema.json", "#", *tx["units_head"], ""]),
        period_file(period, unit_id): y(okr_doc, [
            "# yaml-language-server: $schema=../../schema/okr-file.schema.json",
            "#",
            tx["okr_head"].format(period=period, name=name),
            tx["okr_hint"].format(period=period, unit=unit_id),
            "",
        ]),
    }
    schema_dir = resources.files("okrctl") / "schema"
    for fname in ("workspace.schema.json", "units.schema.json", "okr-file.schema.json"):
        files[f"schema/{fname}"] = (schema_dir / fname).read_bytes()
    files[".vscode/settings.json"] = _render("vscode-settings.json")
    files[".pre-commit-config.yaml"] = _render("pre-commit-config.yaml", version=__version__)
    files[".github/workflows/okrctl.yml"] = _render("github-workflow.yml", version=__version__)
    files[".gitattributes"] = _render("gitattributes")
    files[".gitignore"] = _render("gitignore")

    res = _load(Overlay(_EmptySource(), {p: d for p, d in files.items() if is_settings_file(p) or p.startswith(OKRS_DIR + "/")}))
    errors = [d for d in res.diagnostics if d.severity == "error"]
    if res.workspace is None or errors:  # pragma: no cover - a bug in the templates above
        raise Refused("internal error: the new workspace would not validate", [_diag_line(d) for d in errors])
    return InitPlan(Path(root), files, unit_id, period)


def init_workspace(root: Path, **kw: Any) -> InitPlan:
    """Create a new workspace in ``root`` (created if missing): okrctl.yaml, units.yaml,
    one period file, the JSON Schemas, editor, pre-commit, CI, .gitattributes and
    .gitignore files.  Refuses (:class:`BadInput`) when any of them exists; then
    nothing is written."""
    plan = plan_init(root, **kw)
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root} exists and is not a directory")
    existing = [p for p in plan.files if os.path.lexists(root / p)]
    if existing:
        raise BadInput(f"{root}: {', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; okrctl init never overwrites files")
    try:
        made = fsio.create_all(root, plan.files)
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    appeared = [rel for rel, ok in made.items() if not ok]
    if appeared:
        raise Refused(f"{root}: {', '.join(appeared)} appeared while okrctl was writing and were left as they are")
    return plan
