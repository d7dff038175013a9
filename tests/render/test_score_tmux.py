"""One real terminal (issue 14, done-when): ``okrctl score`` in a tmux pane 80
columns wide, as an analyst at a laptop sees it — the width comes from the
terminal itself (no COLUMNS), colours on.  The pane's text is read back with
``tmux capture-pane``: every number and marker of the sample is there, unbroken,
and no line is wider than the pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from rich.cells import cell_len

from conftest import PYCACHE, SAMPLE
from test_score_widths import expected_score_tokens, result  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 80, 50
DONE = "__okrctl_done__"


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], check=True, capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
def pane_text():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (.ci/run installs it with apt-get; install it to run this test)")
    sock = f"okrctl-test-{uuid.uuid4().hex[:8]}"
    cmd = (f"env -u COLUMNS -u LINES -u NO_COLOR PYTHONPYCACHEPREFIX={PYCACHE} "
           f"{sys.executable} -m okrctl -C {SAMPLE} score; echo {DONE} $?; sleep 120")
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "COLUMNS", "LINES")}
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT),
                    "-s", "okrctl", cmd], check=True, env=env, timeout=30)
    try:
        def capture() -> str:
            # -J joins lines the terminal wrapped (a line too wide would show whole);
            # -S - includes the scrollback (the view is longer than the pane)
            return _tmux(sock, "capture-pane", "-p", "-J", "-S", "-", "-t", "okrctl")

        deadline = time.monotonic() + 60
        text = capture()
        while DONE not in text and time.monotonic() < deadline:
            time.sleep(0.2)
            text = capture()
        assert DONE in text, f"okrctl did not finish in the pane:\n{text}"
        yield text
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=30)


def test_score_in_a_real_80_column_terminal(pane_text, result):  # noqa: F811
    body, _, tail = pane_text.partition(DONE)
    assert tail.split()[0] == "0", tail
    lines = [ln.rstrip() for ln in body.splitlines()]
    assert lines[0].startswith("Sở Khoa học và Công nghệ Hà Nội — Kỳ 2026-Q2")
    assert max(cell_len(ln) for ln in lines) <= WIDTH
    for token in expected_score_tokens(result):
        assert any(token in ln for ln in lines), f"{token!r} cut in an {WIDTH}-column terminal"
    assert not any("…" in ln for ln in lines)
    assert lines[-1] == "Cột ẩn vì màn hình hẹp: Tiến độ, Tin cậy"
