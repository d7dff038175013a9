"""``okrctl init``: a new workspace that validates, from the templates in
:mod:`okrctl.write.templates` (package data)."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from okrctl.model.periods import is_period_id, parse_period, periods_containing
from okrctl.model.layout import CONFIG_FILE, OKRS_DIR, UNITS_FILE, is_settings_file, period_file
from okrctl.read.source import blob_sha, read_regular
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


#: ``policy.lock_after_days`` of a new workspace (every kind of period)
LOCK_AFTER_DAYS = 14

#: the files of the git repository (paths relative to its top) init creates when missing
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/okrctl.yml"
GITIGNORE = ".gitignore"


@dataclass
class InitPlan:
    root: Path
    files: dict[str, bytes]  # path relative to root → bytes, in creation order; refused when any exists
    unit: str
    period: str
    #: why this period (the default one): a sentence for the user
    period_reason: str = ""
    #: the top of the git working tree holding root (root itself outside git)
    repo_root: Path | None = None
    #: paths relative to repo_root → bytes: created when missing, else left alone
    repo_files: dict[str, bytes] = field(default_factory=dict)
    #: paths relative to root or repo_root (absolute) → lines: appended when missing
    extend: dict[Path, list[str]] = field(default_factory=dict)
    #: after init: the files of ``extend`` written → (created, the lines appended)
    extended: dict[Path, tuple[bool, list[str]]] = field(default_factory=dict)
    #: the pre-commit hook, to add by hand to an existing configuration
    hook: str = ""


def choose_period(d: date, lock_after_days: int = LOCK_AFTER_DAYS) -> tuple[str, str]:
    """The first quarter of a new workspace at date ``d``, and why: the current quarter
    while it is open for planning (``d`` ≤ its start + ``lock_after_days``: its
    definitions may still change without a ``rebaselines`` entry), else the next one."""
    from datetime import timedelta

    current = periods_containing(d, 1)[0]
    lock = current.start + timedelta(days=lock_after_days)
    if d <= lock:
        return current.id, _("period {period}: the current quarter, open for planning until {lock} "
                             "(start + policy.lock_after_days {days})").format(period=current.id, lock=lock.isoformat(),
                                                                              days=lock_after_days)
    following = periods_containing(current.end + timedelta(days=1), 1)[0]
    return following.id, _("period {period}: the next quarter; {current} locked on {lock} (start + "
                           "policy.lock_after_days {days}), so its targets could no longer be set without a "
                           "rebaselines entry; pass --period {current} to plan it anyway").format(
        period=following.id, current=current.id, lock=lock.isoformat(), days=lock_after_days)


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that is unambiguous, else double-quoted."""
    import json

    if (re.match(r"[A-Za-z0-9_^]", text) and ": " not in text and " #" not in text and not text.endswith(":")
            and text.isprintable() and text == text.strip()):
        return text
    return json.dumps(text, ensure_ascii=False)


def _ci_files(root: Path, repo_root: Path) -> tuple[dict[str, bytes], str]:
    """The pre-commit configuration and the GitHub workflow for the workspace at
    ``root`` in the repository at ``repo_root`` (``okrctl -C okr …`` when it is a
    subfolder), and the hook alone."""
    import shlex

    rel = Path(os.path.relpath(root, repo_root)).as_posix()
    okrctl = "okrctl" if rel == "." else f"okrctl -C {shlex.quote(rel)}"
    prefix = "" if rel == "." else re.escape(rel + "/")
    hook = _render("pre-commit-hook.yaml", entry=_yaml_scalar(f"{okrctl} validate"),
                   files=_yaml_scalar(f"^{prefix}((okrctl|units)\\.yaml|okrs/.+\\.ya?ml)$")).decode("utf-8")
    files = {
        PRE_COMMIT_CONFIG: _render("pre-commit-config.yaml", hook=hook.rstrip("\n")),
        WORKFLOW: _render("github-workflow.yml", validate=_yaml_scalar(f"{okrctl} validate"),
                          check=_yaml_scalar(f'{okrctl} check "$BASE_SHA"'),
                          summary=_yaml_scalar(f'{okrctl} diff "$BASE_SHA" --format md >> "$GITHUB_STEP_SUMMARY"')),
    }
    return files, hook


def plan_init(root: Path, *, locale: str = "en", name: str | None = None, unit: str | None = None,
              period: str | None = None, today: date | None = None) -> InitPlan:
    """The files :func:`init_workspace` would create (validated, nothing written)."""
    from importlib import resources

    from okrctl.checks import UNIT_ID_RE

    texts = _init_texts()
    if locale not in texts:
        raise BadInput(_("--locale: {locale!r} is not one of en, vi").format(locale=locale))
    tx = texts[locale]
    name = _clean_text(name, "--name") if name is not None else tx["name"]
    unit_id = unit if unit is not None else slugify(name)
    if not UNIT_ID_RE.match(unit_id) or is_period_id(unit_id):
        raise BadInput(_("--unit: {unit_id!r} is not a unit id (lowercase letters, digits and -, starting with a letter, at most 64)").format(unit_id=unit_id))
    reason = ""
    if period is None:
        from okrctl.model.dates import today_in

        period, reason = choose_period(today or today_in(tx["timezone"]))
    try:
        parse_period(period, 1)
    except ValueError as exc:
        raise BadInput(_("--period: {exc}").format(exc=exc)) from None

    def y(doc: dict, header: list[str]) -> bytes:
        return emit_yaml(doc, header).encode("utf-8")

    config_text = _render("okrctl.yaml", config_head="\n".join(tx["config_head"]), name=emit_yaml({"name": name}).rstrip("\n"),
                          locale=locale, timezone=tx["timezone"], lock=tx["lock"], locked=tx["locked"], lock_days=str(LOCK_AFTER_DAYS))
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
    root = Path(os.path.abspath(root))
    repo_root = fsio.work_tree_root(root) or root
    repo_files, hook = _ci_files(root, repo_root)
    extend = {root / ".gitattributes": _template("gitattributes").splitlines(),
              repo_root / GITIGNORE: _template("gitignore").splitlines()}

    res = _load(Overlay(_EmptySource(), {p: d for p, d in files.items() if is_settings_file(p) or p.startswith(OKRS_DIR + "/")}))
    errors = [d for d in res.diagnostics if d.severity == "error"]
    if res.workspace is None or errors:  # pragma: no cover - a bug in the templates above
        raise Refused(_("internal error: the new workspace would not validate"), [_diag_line(d) for d in errors])
    return InitPlan(root, files, unit_id, period, period_reason=reason, repo_root=repo_root, repo_files=repo_files,
                    extend=extend, hook=hook)


def init_workspace(root: Path, **kw: Any) -> InitPlan:
    """Create a new workspace in ``root`` (created if missing): okrctl.yaml, units.yaml,
    one period file, the JSON Schemas and editor settings.  Refuses (:class:`BadInput`)
    when any of them exists; then nothing is written.  At the top of the git working
    tree holding ``root`` (``root`` itself outside git) it creates the pre-commit
    configuration and the GitHub workflow unless they exist (then they are left as
    they are), and appends to ``.gitignore`` (there) and ``.gitattributes`` (in
    ``root``) the lines they lack."""
    plan = plan_init(root, **kw)
    root = plan.root
    if root.exists() and not root.is_dir():
        raise BadInput(_("{root} exists and is not a directory").format(root=root))
    existing = [p for p in plan.files if os.path.lexists(root / p)]
    if existing:
        raise BadInput(ngettext("{root}: {existing} already exists; okrctl init never overwrites files",
                                "{root}: {existing} already exist; okrctl init never overwrites files", len(existing)).format(root=root, existing=', '.join(existing)))
    for path in plan.extend:  # refused before anything is written: a symlink, a folder, unreadable
        _read_text_file(path)
    assert plan.repo_root is not None
    same = plan.repo_root == root  # outside git, or DIR is the top: all or nothing in one step
    try:
        made = fsio.create_all(root, {**plan.files, **plan.repo_files} if same else plan.files)
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    appeared = [rel for rel in plan.files if not made[rel]]
    if appeared:
        raise Refused(_("{root}: {appeared} appeared while okrctl was writing and were left as they are").format(root=root, appeared=', '.join(appeared)))
    if not same:
        try:
            made = fsio.create_all(plan.repo_root, plan.repo_files)
        except WriteRefused as exc:
            raise Refused(_("{message} (the workspace in {root} was created)").format(message=exc.message, root=root)) from None
    plan.repo_files = {rel: data for rel, data in plan.repo_files.items() if made[rel]}
    for path, lines in plan.extend.items():
        created = not os.path.lexists(path)
        added = _extend_lines(path, lines)
        if added:
            plan.extended[path] = (created, added)
    return plan


def _read_text_file(path: Path) -> bytes | None:
    """The bytes of the regular file ``path``, None when it does not exist; refuses a
    symlink, a folder or an unreadable file."""
    if not os.path.lexists(path):
        return None
    try:
        return read_regular(path, limit=1 << 20)
    except OSError as exc:
        raise Refused(_("{path}: {value}; okrctl init wrote nothing").format(path=path, value=exc.strerror or exc)) from None


def _extend_lines(path: Path, lines: list[str]) -> list[str]:
    """Append to the text file ``path`` (created when missing) the lines of ``lines`` it
    does not hold; the lines appended."""
    old = _read_text_file(path)
    text = "" if old is None else old.decode("utf-8", "surrogateescape")
    have = {ln.strip() for ln in text.splitlines()}
    missing = [ln for ln in lines if ln.strip() not in have]
    if not any(ln.strip() and not ln.startswith("#") for ln in missing):
        return []
    if text and not text.endswith("\n"):
        text += "\n"
    new = (text + "\n".join(missing) + "\n").encode("utf-8", "surrogateescape")
    try:
        if old is None:
            fsio.create_all(path.parent, {path.name: new})
        else:
            fsio.atomic_write(path, new, expected_sha=blob_sha(old))
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    return missing
