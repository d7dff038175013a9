"""``okrctl init``: a new workspace that validates, from the templates in
:mod:`okrctl.write.templates` (package data)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from okrctl import __version__
from okrctl.model.periods import is_period_id, parse_period, periods_containing
from okrctl.read.loader import CONFIG_FILE, UNITS_FILE
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused
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


_INIT_TEXT = {
    "vi": {
        "name": "Cơ quan mẫu",
        "timezone": "Asia/Ho_Chi_Minh",
        "config_head": [
            "# Cấu hình không gian làm việc OKR/KPI của okrctl.",
            "# Mọi khoá trừ `name` là tuỳ chọn; giá trị ghi dưới đây là mặc định.",
        ],
        "lock": "sau 14 ngày đầu kỳ, thay đổi chỉ tiêu cần bản ghi `rebaselines`",
        "locked": "`okrctl close KỲ` thêm kỳ đã chốt vào đây",
        "units_head": [
            "# Cây tổ chức: mỗi đơn vị một mục; `parent` là đơn vị cấp trên,",
            "# `owners` là người cập nhật tệp OKR của đơn vị.",
        ],
        "okr_head": "# OKR kỳ {period} của {name}.",
        "okr_hint": "# Cập nhật tiến độ hằng tuần: okrctl checkin {period}/{unit}/O1/KR1 45 --confidence 0.7",
        "objective": "Nâng cao chất lượng phục vụ người dân và doanh nghiệp",
        "kr": "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "kr_unit": "%",
        "kpi": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    },
    "en": {
        "name": "Example Agency",
        "timezone": "UTC",
        "config_head": [
            "# okrctl workspace settings.",
            "# Every key but `name` is optional; the values below are the defaults.",
        ],
        "lock": "14 days into a period, target changes need a `rebaselines` record",
        "locked": "`okrctl close PERIOD` adds closed periods here",
        "units_head": [
            "# The organisation tree: one entry per unit; `parent` is the unit above,",
            "# `owners` are the people who update the unit's OKR files.",
        ],
        "okr_head": "# OKRs of {name} for {period}.",
        "okr_hint": "# Record progress every week: okrctl checkin {period}/{unit}/O1/KR1 45 --confidence 0.7",
        "objective": "Make our services faster and easier to use for citizens and businesses",
        "kr": "Share of applications processed fully online",
        "kr_unit": "%",
        "kpi": "Share of applications settled on time",
    },
}


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

    from okrctl.checks.semantic import UNIT_ID_RE

    if locale not in _INIT_TEXT:
        raise BadInput(f"--locale: {locale!r} is not one of en, vi")
    tx = _INIT_TEXT[locale]
    name = _clean_text(name, "--name") if name is not None else tx["name"]
    unit_id = unit if unit is not None else slugify(name)
    if not UNIT_ID_RE.match(unit_id) or is_period_id(unit_id):
        raise BadInput(f"--unit: {unit_id!r} is not a unit id (lowercase letters, digits and -, starting with a letter, at most 64)")
    if period is None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        d = today or datetime.now(ZoneInfo(tx["timezone"])).date()
        period = periods_containing(d, 1)[0].id
    try:
        parse_period(period, 1)
    except ValueError as exc:
        raise BadInput(f"--period: {exc}") from None

    def y(doc: dict, header: list[str]) -> bytes:
        return emit_yaml(doc, header).encode("utf-8")

    config_text = "\n".join([
        "# yaml-language-server: $schema=schema/workspace.schema.json",
        "#",
        *tx["config_head"],
        "",
        emit_yaml({"name": name}).rstrip("\n"),
        f"locale: {locale}",
        f"timezone: {tx['timezone']}",
        "fiscal_year_start: 1",
        "checkin_grace_days: 15",
        "",
        "scoring:",
        "  max_score: 1.0",
        "  aspirational_target: 0.7",
        "",
        "policy:",
        f"  lock_after_days: 14   # {tx['lock']}",
        f"  locked_periods: []    # {tx['locked']}",
        "  backdate_days: 15",
        "",
    ]).encode("utf-8")
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
        f"okrs/{period}/{unit_id}.yaml": y(okr_doc, [
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
    files[".vscode/settings.json"] = (json.dumps({
        "yaml.schemas": {
            "./schema/workspace.schema.json": ["okrctl.yaml"],
            "./schema/units.schema.json": ["units.yaml"],
            "./schema/okr-file.schema.json": ["okrs/*/*.yaml"],
        },
        "files.eol": "\n",
    }, indent=2) + "\n").encode("utf-8")
    files[".pre-commit-config.yaml"] = "\n".join([
        "# pre-commit (https://pre-commit.com): after `pre-commit install`, every commit",
        "# runs `okrctl validate` on the workspace files it changes.",
        "repos:",
        "  - repo: https://github.com/okrctl/okrctl",
        f"    rev: v{__version__}",
        "    hooks:",
        "      - id: okrctl-validate",
        "",
    ]).encode("utf-8")
    files[".github/workflows/okrctl.yml"] = _workflow().encode("utf-8")
    files[".gitattributes"] = b"# okrctl: YAML files keep LF line endings on every platform\n*.yaml text eol=lf\n"
    files[".gitignore"] = b"# okrctl's lock file and the temporary files of an interrupted write\n.okrctl.lock\n.*.tmp\n"

    res = _load(Overlay(_EmptySource(), {p: d for p, d in files.items() if p in (CONFIG_FILE, UNITS_FILE) or p.startswith("okrs/")}))
    errors = [d for d in res.diagnostics if d.severity == "error"]
    if res.workspace is None or errors:  # pragma: no cover - a bug in the templates above
        raise Refused("internal error: the new workspace would not validate", [_diag_line(d) for d in errors])
    return InitPlan(Path(root), files, unit_id, period)


def _workflow() -> str:
    """The GitHub Actions job of docs/ci.md: validate, then check the pull request
    against its base branch."""
    return "\n".join([
        "# okrctl on every pull request: validate the workspace, then check the change",
        "# against the base branch (closed periods, targets changed after the lock,",
        "# rewritten check-ins).  See docs/ci.md of okrctl.",
        "name: okrctl",
        "on:",
        "  pull_request:",
        "",
        "permissions:",
        "  contents: read",
        "",
        "jobs:",
        "  okrctl:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          fetch-depth: 0              # check needs the base branch's history",
        "          persist-credentials: false  # okrctl never pushes",
        "      - uses: astral-sh/setup-uv@v6",
        "      - name: Install okrctl",
        f"        run: uv tool install git+https://github.com/okrctl/okrctl@v{__version__}",
        "      - name: Validate",
        "        run: okrctl validate",
        "      - name: Check the change",
        "        env:",
        "          BASE_REF: ${{ github.base_ref }}",
        '        run: okrctl check "origin/$BASE_REF"',
        "",
    ])


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
    created: list[str] = []
    for rel, data in plan.files.items():
        if not fsio.create_exclusive(root / rel, data):
            raise Refused(f"{root / rel} appeared while okrctl was writing; created so far: {', '.join(created) or 'nothing'}")
        created.append(rel)
    return plan
