"""Every ``--format json`` output has a published JSON Schema (schema/output/, 2020-12)
and a section in docs/json.md (issue 14 item 12).

* A command that gains a JSON output without a schema fails here: the commands are
  found by reading the CLI's own options (every ``--format`` offering ``json``), in
  groups too (``cache info``); an option whose help starts "Instead:" (``verify
  --published``) makes the command write another document, with its own schema.
* Each command runs on the sample (and on a git repository of it, for those that
  read history) — with a failing case for ``validate`` and ``check`` and a broken
  period file for ``score`` and ``rollup`` — and its output is validated with
  ``jsonschema`` against the schema.
* docs/json.md's field tables are generated from the schemas and its examples from
  these runs: the test fails when the page has drifted (``--update-goldens``
  rewrites the generated parts; see tests/golden/README.md).
"""

from __future__ import annotations

import json
import re
from enum import Enum
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, normalise_output, run_okrctl
from gitutil import commit_all, env_applied, identity_env, init_repo
from test_golden_outputs import broken_ws, edit, git_env, history_repo  # noqa: F401 (fixtures)

SCHEMAS = ROOT / "schema" / "output"
PACKAGED = ROOT / "src" / "okrctl" / "schema" / "output"
DOC = ROOT / "docs" / "json.md"

#: command (``group sub`` for a group's command, ``command --option`` for an option
#: that writes another document) → schema name; every JSON output must be here
SCHEMA_OF = {"validate": "validate", "check": "check", "diff": "diff", "score": "score", "rollup": "rollup",
             "history": "history", "export": "export", "query": "query", "verify": "verify",
             "verify --published": "verify-published", "cache info": "cache-info"}
#: the order of docs/json.md
ORDER = ["validate", "check", "diff", "score", "rollup", "history", "export", "query", "verify",
         "verify --published", "cache info"]


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def _validator(name: str):
    import jsonschema
    from referencing import Registry, Resource

    resources = []
    for f in sorted((ROOT / "schema").rglob("*.schema.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        resources.append((doc["$id"], Resource.from_contents(doc)))
    schema = _schema(name)
    return jsonschema.Draft202012Validator(schema, registry=Registry().with_resources(resources),
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _offers_json(p) -> bool:
    """A ``--format`` option with ``json`` among its values: an Enum (typer keeps it as
    the annotation), or a plain string whose metavar lists them (``text|json``)."""
    if "--format" not in getattr(p, "opts", ()):
        return False
    ann = p.type_descriptor.annotation
    if isinstance(ann, type) and issubclass(ann, Enum):
        return "json" in [m.value for m in ann]
    return "json" in (getattr(p, "metavar", None) or "").split("|")


def _commands_with_json() -> set[str]:
    """Every JSON output: each command (in groups too, as ``cache info``) with a
    ``--format json``, and ``command --option`` for each of its options whose help
    starts "Instead:" (it writes another document: ``verify --published``)."""
    import typer.main

    import okrctl.cli.main as main

    found = set()

    def walk(group, prefix: str) -> None:
        for name, cmd in group.commands.items():
            if hasattr(cmd, "commands"):  # a group (typer's own click has no common Group base to test)
                walk(cmd, f"{prefix}{name} ")
            elif any(_offers_json(p) for p in cmd.params):
                found.add(f"{prefix}{name}")
                found.update(f"{prefix}{name} {max(p.opts, key=len)}" for p in cmd.params
                             if (getattr(p, "help", None) or "").startswith("Instead:"))

    walk(typer.main.get_command(main._application()), "")
    return found


def test_every_json_output_has_a_schema_and_a_section():
    found = _commands_with_json()
    assert found, "no command with --format json found: the introspection is broken"
    assert {"cache info", "verify --published"} <= found, "the introspection misses groups or options"
    missing = sorted(found - set(SCHEMA_OF))
    assert missing == [], f"commands with a JSON output but no schema in schema/output/: {missing}"
    assert sorted(found) == sorted(SCHEMA_OF), "SCHEMA_OF names a JSON output the CLI no longer has"
    assert sorted(SCHEMA_OF) == sorted(ORDER)
    for name in SCHEMA_OF.values():
        assert (SCHEMAS / f"{name}.schema.json").is_file(), name
        assert f"<!-- generated:{name} -->" in DOC.read_text(encoding="utf-8"), name


def test_schemas_are_valid_and_the_packaged_copies_identical():
    import jsonschema

    top = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert top == sorted(p.name for p in PACKAGED.glob("*.json"))
    for name in top:
        assert (SCHEMAS / name).read_bytes() == (PACKAGED / name).read_bytes(), name
        doc = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(doc)
        assert doc["$id"] == f"https://okrctl.dev/schema/output/{name}"


# ------------------------------------------------------------------ the runs


@pytest.fixture(scope="module")
def closed_repo(tmp_path_factory, git_env):
    """The sample in git, 2026-Q1 closed with okrctl close, then a later commit that
    changes a title of 2026-Q1: verify reports it."""
    repo = tmp_path_factory.mktemp("verify") / "repo"
    shutil.copytree(SAMPLE, repo)
    with env_applied(git_env):
        init_repo(repo)
        commit_all(repo, "OKR 2026", date="2026-04-02T09:00:00+07:00")
        env = {**git_env, **identity_env(date="2026-04-03T09:00:00+07:00")}
        r = run_okrctl("close", "2026-Q1", "--yes", cwd=repo, env=env)
        assert r.returncode == 0, r.stderr
        edit(repo / "okrs/2026-Q1/so-khcn-cds.yaml", "    title: Đưa nền tảng số", "    title: Đưa các nền tảng số")
        commit_all(repo, "Sửa tên mục tiêu quý I", date="2026-04-20T09:00:00+07:00")
    return repo


#: the cache on, at its default size, whatever the machine running the tests says
_CACHE_ENV = {"OKRCTL_NO_CACHE": "", "OKRCTL_CACHE_MAX_MB": ""}


@pytest.fixture(scope="module")
def published_changed(closed_repo, git_env, tmp_path_factory):
    """The package okrctl publish wrote for the closed 2026-Q1 (``intact``), and a copy
    with one file changed, one removed and one added: verify --published reports the
    three kinds."""
    intact = tmp_path_factory.mktemp("published") / "okr-2026-Q1"
    r = run_okrctl("publish", "2026-Q1", "-o", str(intact), cwd=closed_repo, env=git_env)
    assert r.returncode == 0, r.stderr.decode()
    out = intact.parent / "changed" / intact.name
    shutil.copytree(intact, out)
    files = sorted(f for f in out.rglob("*.csv"))
    assert len(files) >= 2, files
    files[0].write_bytes(files[0].read_bytes() + b"\n")
    files[1].unlink()
    (out / "notes.txt").write_text("thêm vào sau\n", encoding="utf-8")
    return {"intact": intact, "changed": out}


@pytest.fixture(scope="module")
def cache_ws(closed_repo, git_env):
    """The closed repository's cache after a validate (a git repository: the cache
    lives in .git/okrctl/)."""
    r = run_okrctl("validate", cwd=closed_repo, env={**git_env, **_CACHE_ENV})
    assert r.returncode == 0, r.stderr.decode()
    return closed_repo


@pytest.fixture(scope="module")
def broken_period_file(tmp_path_factory):
    ws = tmp_path_factory.mktemp("partial") / "ws"
    shutil.copytree(SAMPLE, ws)
    edit(ws / "okrs/2026-Q2/so-khcn.yaml", "    title: Chuyển đổi số toàn diện", "    titel: Chuyển đổi số toàn diện")
    return ws


def _runs(history_repo, broken_ws, closed_repo, broken_period_file, published_changed, cache_ws) -> dict[str, list[tuple[str, list[str], Path, int]]]:  # noqa: F811
    """name → [(label, args, cwd, exit code)]; the first run of each is the docs example."""
    h = history_repo["repo"]
    s = ["-C", str(SAMPLE)]
    return {
        "validate": [("failing", ["validate"], broken_ws, 1), ("ok", [*s, "validate"], SAMPLE, 0)],
        "check": [("failing", ["check", "base", "HEAD", "--at", "2026-05-20"], h, 1),
                  ("ok", ["check", "base", "base", "--at", "2026-05-20"], h, 0)],
        "diff": [("sample", ["diff", "base", "HEAD"], h, 0)],
        "score": [("sample", [*s, "score", "--unit", "so-khcn-vp"], SAMPLE, 0), ("all", [*s, "score"], SAMPLE, 0),
                  ("ended", [*s, "score", "--period", "2026-Q1"], SAMPLE, 0),
                  ("broken", ["-C", str(broken_period_file), "score"], broken_period_file, 1)],
        "rollup": [("org", [*s, "rollup"], SAMPLE, 0), ("alignment", [*s, "rollup", "--by", "alignment"], SAMPLE, 0),
                   ("broken", ["-C", str(broken_period_file), "rollup"], broken_period_file, 1)],
        "history": [("sample", ["history", "2026-Q2/so-khcn-vp/O1/KR1"], h, 0),
                    ("kpi", ["history", "2026-Q2/so-khcn/K1"], h, 0)],
        "export": [("sample", [*s, "export", "--table", "units"], SAMPLE, 0), ("all", [*s, "export"], SAMPLE, 0)],
        "query": [("sample", [*s, "query", "select unit, name, rolled_score from units order by level, unit limit 3"], SAMPLE, 0)],
        "verify": [("changed", ["verify", "2026-Q1"], closed_repo, 1)],
        # DIR relative to the working directory: the example shows no temporary path
        "verify --published": [("changed", ["-C", str(closed_repo), "verify", "2026-Q1", "--published", "okr-2026-Q1"],
                                published_changed["changed"].parent, 1),
                               ("intact", ["-C", str(closed_repo), "verify", "2026-Q1", "--published", "okr-2026-Q1"],
                                published_changed["intact"].parent, 0)],
        "cache info": [("filled", ["cache", "info"], cache_ws, 0), ("off", ["--no-cache", "cache", "info"], cache_ws, 0)],
    }


def _today_candidates():
    """Today in the sample's time zone, and either side of it (a run near midnight)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    d = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return [(d + timedelta(days=n)).isoformat() for n in (-1, 0, 1)]


@pytest.fixture(scope="module")
def outputs(history_repo, broken_ws, closed_repo, broken_period_file, published_changed, cache_ws, git_env):  # noqa: F811
    """name → [(label, parsed document, normalised text)]."""
    out: dict[str, list] = {}
    h = history_repo
    for name, runs in _runs(history_repo, broken_ws, closed_repo, broken_period_file, published_changed, cache_ws).items():
        for label, args, cwd, code in runs:
            r = run_okrctl(*args, "--format", "json", cwd=cwd, env={**git_env, **_CACHE_ENV})
            assert r.returncode == code, f"{name} {label}: exit {r.returncode}\n{r.stderr.decode()}"
            text = normalise_output(r.stdout.decode(), root=cwd, shas={"BASE": h["base"], "HEAD": h["head"]},
                                    today=tuple(_today_candidates()))
            out.setdefault(name, []).append((label, json.loads(r.stdout), text))
    return out


@pytest.mark.parametrize("name", ORDER)
def test_output_validates_against_its_schema(outputs, name):
    v = _validator(SCHEMA_OF[name])
    for label, doc, _ in outputs[name]:
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        assert errors == [], f"{name} ({label}): " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
        assert doc["command"] == name.split(" --")[0]


def test_the_schemas_are_strict(outputs):
    """A schema that accepts anything proves nothing: an unknown key, a wrong type
    and a missing field are each rejected."""
    _, doc, _ = outputs["score"][0]
    v = _validator("score")
    unit = doc["units"][0]
    for bad in ({**unit, "person": "x"}, {**unit, "scored": "yes"}, {k: x for k, x in unit.items() if k != "rollup_complete"}):
        assert list(v.iter_errors({**doc, "units": [bad]})), bad
    _, doc, _ = outputs["validate"][0]
    assert list(_validator("validate").iter_errors({**doc, "diagnostics": [{**doc["diagnostics"][0], "line": 0}]}))


# ------------------------------------------------------------------ docs/json.md


def _shorten(v, depth=0):
    """The docs example: every list cut to its first item (and objects kept whole)."""
    if isinstance(v, list):
        return [_shorten(x, depth + 1) for x in v[:1]]
    if isinstance(v, dict):
        return {k: _shorten(x, depth + 1) for k, x in v.items()}
    return v


def _type_of(s: dict, doc: str = "") -> str:
    if "$ref" in s:
        return f"[{s['$ref'].rsplit('/', 1)[-1].replace('.schema.json', '')}](#{_anchor(s['$ref'], doc)})"
    if "const" in s:
        return f"`{json.dumps(s['const'])}`"
    if "enum" in s:
        return " \\| ".join(f"`{json.dumps(e, ensure_ascii=False)}`" for e in s["enum"])
    if "anyOf" in s:
        return " or ".join(_type_of(x, doc) for x in s["anyOf"])
    t = s.get("type")
    if t is None:
        return "any"
    ts = t if isinstance(t, list) else [t]
    out = []
    for x in ts:
        if x == "array":
            item = s.get("items", {})
            out.append(f"array of {_type_of(item, doc)}" if item else "array")
        elif x == "string" and "format" in s:
            out.append(f"string ({s['format']})")
        else:
            out.append(x)
    return " or ".join(out)


def _anchor(ref: str, doc: str) -> str:
    if ref.startswith("https://okrctl.dev/schema/export/"):
        return "export-rows"
    return f"{doc}-{ref.rsplit('/', 1)[-1]}".replace("_", "-")


def _table(props: dict, required: list[str], doc: str) -> list[str]:
    lines = ["| field | type | meaning |", "|---|---|---|"]

    def rows(props: dict, required: list[str], prefix: str) -> None:
        for k, s in props.items():
            opt = "" if k in required else " (optional)"
            desc = s.get("description", "").replace("|", "\\|")
            lines.append(f"| `{prefix}{k}`{opt} | {_type_of(s, doc)} | {desc} |")
            if s.get("type") == "object" and "properties" in s:  # an inline object: its fields as a.b
                rows(s["properties"], s.get("required", []), f"{prefix}{k}.")

    rows(props, required, "")
    return lines


def _section(name: str, example: str) -> str:
    s = _schema(name)
    lines = [f"Schema: [`schema/output/{name}.schema.json`](../schema/output/{name}.schema.json) — {s['description']}", ""]
    lines += _table(s["properties"], s.get("required", []), name)
    for dname, d in s.get("$defs", {}).items():
        anchor = _anchor(f"#/$defs/{dname}", name)
        lines += ["", f'<a id="{anchor}"></a>**{dname}** — {d.get("description", "")}', ""]
        lines += _table(d["properties"], d.get("required", []), name)
    lines += ["", "Example (from the sample; lists cut to their first item):", "", "```json",
              example.rstrip("\n"), "```"]
    return "\n".join(lines)


def _steady(doc: dict) -> dict:
    """What changes from run to run in ``cache info`` (the sizes follow the length of
    the temporary path, ``at`` the clock) set to the values of one run, so the example
    does not drift."""
    if doc.get("command") == "cache info" and "entries" in doc:
        doc = {**doc, "bytes": 58454, "file_bytes": 94208, "last_run": {**doc["last_run"], "at": 1796436282}}
    return doc


def _render_doc(outputs) -> str:
    text = DOC.read_text(encoding="utf-8")
    for name in ORDER:
        _, doc, norm = outputs[name][0]
        example = json.dumps(_shorten(_steady(json.loads(norm))), ensure_ascii=False, indent=2).replace('"VERSION"', '"0.1.0"', 1)
        schema = SCHEMA_OF[name]
        body = _section(schema, example)
        text, n = re.subn(rf"(<!-- generated:{schema} -->\n).*?(<!-- /generated:{schema} -->)",
                          lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text, flags=re.S)
        assert n == 1, f"docs/json.md has no generated section for {name} ({schema})"
    return text


def test_docs_page_is_generated_from_the_schemas_and_the_runs(outputs, request):
    text = _render_doc(outputs)
    if request.config.getoption("--update-goldens"):
        DOC.write_text(text, encoding="utf-8")
    assert text == DOC.read_text(encoding="utf-8"), "docs/json.md has drifted: rerun with --update-goldens and review"
