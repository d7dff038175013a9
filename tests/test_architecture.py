"""The shape of the code base: what the issues and docs promise about it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from conftest import ROOT, SAMPLE, subprocess_env

SRC = ROOT / "src" / "okrctl"
#: every module outside the presentation layers (cli/, render/)
CORE = sorted(".".join(p.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
              for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] not in ("cli", "render", "__main__.py"))


def test_core_imports_no_cli_or_gitpython():
    """The core is a library: no typer, rich or tabulate; nothing imports GitPython."""
    code = (f"import sys; import {', '.join(CORE)}; "
            "print(sorted(m for m in ('typer', 'rich', 'tabulate', 'git', 'click') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_gitio_runs_programs():
    """One module talks to git: no other module imports subprocess (or GitPython)."""
    offenders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                       if p.relative_to(SRC).parts[0] != "gitio" and _imports(p) & {"subprocess", "git"})
    assert offenders == []


def test_only_cli_and_render_import_rich_and_typer():
    allowed = ("cli", "render")
    offenders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                       if p.relative_to(SRC).parts[0] not in allowed
                       and _imports(p) & {"typer", "rich", "tabulate"})
    assert offenders == []


def test_schema_copies_are_identical_and_valid():
    for name in ("workspace", "units", "okr-file"):
        top = ROOT / "schema" / f"{name}.schema.json"
        packaged = SRC / "schema" / f"{name}.schema.json"
        assert top.read_bytes() == packaged.read_bytes(), name
        jsonschema.Draft202012Validator.check_schema(json.loads(top.read_text(encoding="utf-8")))


def test_sample_files_pass_the_published_schemas_without_okrctl():
    """Editors and other tools validate with the schemas alone (FORMAT §1)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)

    def plain(v):  # JSON data model: dates as ISO text
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return v

    schemas = {n: json.loads((ROOT / "schema" / f"{n}.schema.json").read_text(encoding="utf-8"))
               for n in ("workspace", "units", "okr-file")}
    for path in sorted(SAMPLE.rglob("*.yaml")):
        rel = path.relative_to(SAMPLE).as_posix()
        kind = {"okrctl.yaml": "workspace", "units.yaml": "units"}.get(rel, "okr-file")
        doc = plain(yaml.load(path.read_text(encoding="utf-8")))
        errors = list(jsonschema.Draft202012Validator(schemas[kind]).iter_errors(doc))
        assert errors == [], (rel, [e.message for e in errors][:3])
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"schema/{kind}.schema.json"), rel
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == (ROOT / "schema" / f"{kind}.schema.json").resolve(), rel


def test_python_m_okrctl_and_version():
    out = subprocess.run([sys.executable, "-m", "okrctl", "--version"], capture_output=True, text=True,
                         env=subprocess_env(), timeout=60)
    from okrctl import __version__

    assert out.returncode == 0 and out.stdout == f"okrctl {__version__}\n"


def test_version_matches_pyproject():
    import tomllib

    from okrctl import __version__

    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"] == __version__


def test_every_module_imports_on_its_own():
    """No import cycle depends on which module is imported first."""
    code = """
import importlib, pkgutil, sys
import okrctl
names = sorted(m.name for m in pkgutil.walk_packages(okrctl.__path__, "okrctl.") if not m.name.endswith("__main__"))
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "okrctl" or m.startswith("okrctl.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names)); print("\\n".join(failed))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    count, *failed = out.stdout.strip().split("\n")
    assert int(count) > 30 and failed == []


# ------------------------------------------------------------------ layers and import rules

#: which okrctl packages each layer may import (besides itself, ``okrctl`` for the
#: version and ``okrctl.errors``); docs/architecture.md shows the same table
IMPORT_RULES: dict[str, set[str]] = {
    "model": set(),
    "krtypes": {"model"},
    "checks": {"model", "krtypes"},
    "engine": {"model", "krtypes"},
    "reports": {"model", "krtypes", "engine"},
    "audit": {"model", "krtypes", "checks", "engine", "read", "gitio"},
    "read": {"model", "krtypes", "checks"},
    "gitio": {"model", "read"},
    "write": {"model", "krtypes", "checks", "engine", "reports", "read", "gitio"},
    "render": {"model", "krtypes", "engine", "reports"},
    "cli": {"model", "krtypes", "checks", "engine", "reports", "read", "gitio", "audit", "write", "render"},
}
#: the only modules of ``read`` that gitio may use
GITIO_READ_MODULES = {"okrctl.read.source"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _okrctl_imports(path: Path) -> set[str]:
    """Every ``okrctl...`` module a file imports, at any depth (lazy imports too).
    okrctl writes absolute imports only, so the rules can be read off the text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "okrctl")
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            mod = node.module or ""
            if mod.split(".")[0] == "okrctl":
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)  # `from okrctl.x import y` may name a module y
    return out


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in IMPORT_RULES else None


def test_layers_are_folders():
    """The first level below src/okrctl is the layer: no loose modules but the
    entry points, the version/API and the error base."""
    loose = sorted(p.name for p in SRC.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "errors.py"]
    assert {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(IMPORT_RULES)


def test_import_rules():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        me = _module_name(path)
        layer = _layer(me)
        if layer is None:
            continue
        allowed = IMPORT_RULES[layer] | {layer}
        for mod in sorted(_okrctl_imports(path)):
            target = _layer(mod)
            if target is None or (target in allowed and not (layer == "gitio" and target == "read")):
                continue
            if layer == "gitio" and target == "read" and any(mod.startswith(m) for m in GITIO_READ_MODULES):
                continue
            offenders.append(f"{me} imports {mod}")
    assert offenders == []


def test_only_render_and_cli_import_presentation_libraries():
    offenders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                       if p.relative_to(SRC).parts[0] not in ("cli", "render")
                       and _imports(p) & {"typer", "rich", "tabulate", "click"})
    assert offenders == []


def test_size_limits():
    """No module over ~600 lines, no class over ~250 (docs/architecture.md lists exceptions)."""
    big_modules, big_classes = [], []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.startswith("# Generated by `python -m okrctl."):
            continue  # generated code (read/_validators.py), compared with its generator by a test
        if text.count("\n") > MODULE_LINES:
            big_modules.append(f"{path.relative_to(SRC)}: {text.count(chr(10))}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > CLASS_LINES:
                big_classes.append(f"{path.relative_to(SRC)}:{node.name}: {node.end_lineno - node.lineno + 1}")
    assert sorted(big_modules) == [] and sorted(big_classes) == []


MODULE_LINES = 600
CLASS_LINES = 250


def test_one_exception_base():
    """Every exception okrctl defines derives from okrctl.errors.OkrctlError, which
    carries its exit code (internal signalling classes are listed, with why)."""
    import importlib
    import inspect

    from okrctl.errors import OkrctlError

    internal = {
        # caught inside the module that raises it, never reaches the CLI
        "okrctl.audit.codeowners.UnwritableOwner",
        "okrctl.render.formats.UnknownFormat",
        # OSError subclasses of read.source.read_regular: every caller catches OSError
        "okrctl.read.source._NotRegular",
        "okrctl.read.source._TooLarge",
        # the generated validators' "invalid", caught by read.schemas.is_valid
        "okrctl.read._validators.Invalid",
        # cli.coerce hands a value back to typer's own coercion; never leaves the module
        "okrctl.cli.coerce._Fallback",
    }
    others = []
    for name in CORE + sorted(_module_name(p) for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] in ("cli", "render")):
        module = importlib.import_module(name)
        for obj_name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name
                    and not issubclass(obj, OkrctlError) and f"{name}.{obj_name}" not in internal):
                others.append(f"{name}.{obj_name}")
    assert others == []


def test_exit_codes_are_mapped_in_one_place():
    """Only cli/main.py turns an OkrctlError (or a subclass) into an exit code: no other
    CLI module catches one to raise another in its place (catching one to go on, as
    codeowners does outside a git repository, is fine)."""
    from okrctl import errors

    names = {n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, Exception)}
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).parts[0] != "cli" or path.name == "main.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = {n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in ast.walk(node.type)}
                reraises = any(isinstance(n, ast.Raise) and n.exc is not None for b in node.body for n in ast.walk(b))
                if reraises and caught & (names | {"GitError", "SourceError", "WriteError", "CompareError", "HistoryError",
                                                   "WorkspaceNotFound", "WriteRefused", "BadInput", "Refused"}):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []
