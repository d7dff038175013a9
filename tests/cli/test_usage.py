"""Help and usage errors in the conventions of command-line tools (issue 14, item 9),
and a closed standard output (item 13): the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import SAMPLE, run_okrctl, subprocess_env


@pytest.mark.parametrize("command,usage", [
    ("validate", "Usage: okrctl validate [OPTIONS] [PATHS]..."),
    ("init", "Usage: okrctl init [OPTIONS] [DIR]"),
    ("checkin", "Usage: okrctl checkin [OPTIONS] REF VALUE"),
    ("close", "Usage: okrctl close [OPTIONS] PERIOD"),
    ("diff", "Usage: okrctl diff [OPTIONS] [BASE] [HEAD]"),
])
def test_help_reads_like_a_command_line_tool(command, usage):
    r = run_okrctl(command, "--help", env={"COLUMNS": "80"})
    assert r.returncode == 0
    out = r.stdout.decode()
    assert usage in out
    for oddity in ("<bool>", "<list[", "{REF}", "[[", "<Path>", "<str>"):
        assert oddity not in out, (command, oddity)


@pytest.mark.parametrize("args,message", [
    (["validate", "--foo"], "okrctl: no such option: --foo (Possible options: --format)"),
    (["checkin"], "okrctl: missing argument 'REF'"),
    (["score", "--format", "xx"], "okrctl: invalid value for '--format' / '-f': 'xx' is not one of "
                                  "'table', 'json', 'csv', 'md'"),
    (["nosuch"], "okrctl: no such command 'nosuch'"),
])
def test_a_usage_error_is_the_usage_line_and_one_line(args, message):
    r = run_okrctl("-C", str(SAMPLE), *args)
    assert r.returncode == 2
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("Usage: okrctl")
    assert lines[1] == message
    assert r.stdout == b""


@pytest.mark.parametrize("args", [["validate", "--debug", "true"], ["--debug", "false", "score"],
                                  ["score", "--debug", "yes"]])
def test_debug_followed_by_a_boolean_word_is_a_usage_error(args):
    r = run_okrctl("-C", str(SAMPLE), *args)
    assert r.returncode == 2
    word = args[args.index("--debug") + 1]
    assert r.stderr.decode() == f"okrctl: --debug is a flag and takes no value: write --debug alone, not --debug {word}\n"


def test_debug_with_an_equals_value_is_one_line():
    r = run_okrctl("-C", str(SAMPLE), "validate", "--debug=true")
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[-1] == "okrctl: option '--debug' does not take a value"


@pytest.mark.parametrize("args", [["score"], ["rollup"], ["history", "2026-Q2/so-khcn/O1/KR1"], ["validate", "--format", "json"],
                                  ["score", "--color", "always"]])
def test_a_reader_that_went_away_is_not_an_error(args):
    """stdout is a real pipe whose read end is closed before okrctl writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([sys.executable, "-m", "okrctl", "-C", str(SAMPLE), *args], stdout=write_end,
                           stderr=subprocess.PIPE, env=subprocess_env(), timeout=120)
    finally:
        os.close(write_end)
    assert (r.returncode, r.stderr) == (0, b"")


def test_score_into_head_exits_zero():
    """The shell pipeline ``okrctl score | head -n 1``, its reader closing after one line."""
    okrctl = subprocess.Popen([sys.executable, "-m", "okrctl", "-C", str(SAMPLE), "score"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=subprocess_env())
    head = subprocess.run(["head", "-n", "1"], stdin=okrctl.stdout, capture_output=True, timeout=60)
    okrctl.stdout.close()
    with okrctl.stderr:
        assert okrctl.wait(timeout=60) == 0
        assert okrctl.stderr.read() == b""
    assert head.stdout.decode().startswith("Sở Khoa học")
