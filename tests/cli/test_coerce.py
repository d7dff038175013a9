"""okrctl's pydantic-free coercion of command-line values (cli/coerce.py) against
typer's own pydantic adapters, parameter by parameter of the real application, and
the start-up it buys: no pydantic imported by an ordinary command."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, subprocess_env


def _params():
    import typer.core
    import typer.main

    from okrctl.cli.main import _application

    group = typer.main.get_command(_application())
    out = []
    for name, cmd in [("okrctl", group), *sorted(group.commands.items())]:
        subs = cmd.commands.items() if hasattr(cmd, "commands") and cmd is not group else [(name, cmd)]
        for sub_name, sub in subs:
            for p in sub.params:
                if isinstance(p, typer.core._TyperParameter):
                    out.append((f"{sub_name} {p.name}", sub, p))
    return out


PARAMS = _params()


def _outcome(runtime, value, param, command):
    from typer._click import Context
    from typer._click.exceptions import BadParameter

    ctx = Context(command)
    try:
        return ("ok", runtime._coerce_value(value, param=param, ctx=ctx))
    except BadParameter as exc:
        return ("error", exc.message)


#: the everyday commands: none of their options may need pydantic (a new option of
#: another kind there: teach cli/coerce.py the kind, with typer's semantics)
EVERYDAY = ("okrctl", "validate", "score", "rollup", "report", "checkin", "measure", "diff", "check", "history", "export")


def test_every_option_of_the_everyday_commands_is_coerced_without_pydantic():
    from okrctl.cli.coerce import plain

    assert len(PARAMS) > 60
    left = [n for n, _, p in PARAMS if n.split()[0] in EVERYDAY
            and not plain(p.type_descriptor.annotation, p.type_descriptor.parameter_info)]
    assert left == []


_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "7", "999", "1000", "60000", "1_000", " 5", "5 ", "+3", "1e3", "0x10", "00012",
                     "json", "JSON", "Json", "table", "vi", "en", "auto", "never", "sarif", "md", "org", "-", ".",
                     "sample-workspace", "a\x1bb", "2026-Q2/x", "99999999999999999999"]),
)


@settings(max_examples=60, deadline=None)
@pytest.mark.parametrize("name,command,param", PARAMS, ids=[n for n, _, _ in PARAMS])
@given(value=_values)
def test_plain_coercion_agrees_with_typers_pydantic_adapter(name, command, param, value):
    import typer.core

    build = typer.core.build_runtime_param
    mine = build(param.type_descriptor)
    theirs = build.original(param.type_descriptor)
    if type(mine).__name__ != "PlainRuntimeParam":
        return  # an option of another kind is typer's own (pydantic) coercion
    values = [value] if not param.multiple and param.nargs == 1 else [[value], [value, "x"]]
    for v in values:
        if param.type_descriptor.annotation is bool:
            v = value == "1"
        assert _outcome(mine, v, param, command) == _outcome(theirs, v, param, command), (name, v)


def test_an_ordinary_command_imports_neither_pydantic_nor_fastjsonschema():
    probe = ("import sys\nfrom okrctl.cli.main import main\n"
             "sys.argv = ['okrctl', '-C', sys.argv[1], 'score', '--format', 'json', '--period', '2026-Q2']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('pydantic', 'pydantic_core', 'fastjsonschema', 'jsonschema'))))\n")
    r = subprocess.run([sys.executable, "-c", probe, str(SAMPLE)], capture_output=True, env=subprocess_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().strip().splitlines()[-1:] in ([], [""]), r.stderr.decode()


@pytest.mark.parametrize("args,word", [
    (["-C", "ws", "--color", "never", "score", "--period", "2026-Q1"], "score"),
    (["--workspace=ws", "--debug", "measure", "R", "1"], "measure"),
    (["--help", "score"], None), (["-h"], None), (["--version"], None), ([], None), (["--", "score"], None),
])
def test_only_the_named_commands_module_is_loaded(args, word):
    from okrctl.cli.main import _command_word

    assert _command_word(args) == word


def test_help_before_a_command_still_lists_every_command():
    from conftest import run_okrctl

    r = run_okrctl("--help", "score", env={"COLUMNS": "100"})
    assert r.returncode == 0
    out = r.stdout.decode()
    for command in ("validate", "score", "rollup", "checkin", "measure", "verify", "history", "doctor"):
        assert f"│ {command} " in out, command
