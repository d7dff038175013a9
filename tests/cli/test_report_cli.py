"""``okrctl report`` end to end: golden Markdown and HTML of the sample (a copy
outside git, so the source line is stable), byte-identical reruns, the page in
headless Chromium (no console error, no network request, every unit and section
heading present, a screenshot), exit codes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl

NOTES = """# Ghi chú báo cáo quý II

## Tồn tại, hạn chế và nguyên nhân

Bộ phận một cửa thiếu 2 biên chế.

## Kiến nghị

Đề nghị UBND Thành phố bổ sung biên chế.
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report") / "ws"
    shutil.copytree(SAMPLE, root)
    (root / "reports").mkdir()
    (root / "reports" / "2026-Q2.md").write_text(NOTES, encoding="utf-8")
    return root


def report(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return run_okrctl("-C", str(ws), "report", *args)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_and_deterministic(ws, golden, fmt):
    first = report(ws, "--format", fmt)
    assert first.returncode == 0, first.stderr
    again = report(ws, "--format", fmt)
    assert first.stdout == again.stdout
    golden(f"report-2026-Q2-vi.{fmt}", first.stdout.decode("utf-8"))


def test_markdown_english_and_cap(ws, tmp_path):
    out = report(ws, "--locale", "en", "--max-chars", "3000")
    text = out.stdout.decode()
    assert out.returncode == 0
    assert text.startswith("## OKR/KPI report Q2 2026")
    assert len(text) <= 3000
    assert "detail dropped to stay under 3,000 characters" in text


def test_notes_verbatim_and_placeholder(ws):
    html = report(ws, "--format", "html").stdout.decode()
    assert "Bộ phận một cửa thiếu 2 biên chế." in html
    assert "Đề nghị UBND Thành phố bổ sung biên chế." in html
    # the priorities section has no notes: a visible placeholder, never invented text
    section = html.split("VIII. Nhiệm vụ trọng tâm kỳ tới</h2>", 1)[1].split("<h2", 1)[0]
    assert "(chưa có nội dung)" in section


def test_output_file_by_extension(ws, tmp_path):
    out = report(ws, "-o", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_options(ws):
    out = report(ws, "--period", "2026-Q9")
    assert out.returncode == 2 and b"--period" in out.stderr and b"Traceback" not in out.stderr
    out = report(ws, "--unit", "nope")
    assert out.returncode == 2 and b"--unit" in out.stderr


def test_unit_scope_and_no_person_column(ws):
    html = report(ws, "--format", "html", "--unit", "so-khcn-vp").stdout.decode()
    assert "Văn phòng Sở" in html and "UBND phường Hoàn Kiếm" not in html
    assert "hoang.thi.g" not in html  # check-in authors only with --with-names
    named = report(ws, "--format", "html", "--unit", "so-khcn-vp", "--with-names").stdout.decode()
    assert "<th>Người cập nhật</th>" in named


def test_html_is_self_contained(ws):
    html = report(ws, "--format", "html").stdout.decode()
    assert "<script" not in html and "<details" not in html
    assert set(re.findall(r"https?://[^\"' )]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "@page" in html and "counter(page)" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)")
def test_html_in_headless_chromium(ws, tmp_path):
    page = tmp_path / "report.html"
    assert report(ws, "-o", str(page)).returncode == 0
    profile = tmp_path / "profile"
    net_log = tmp_path / "net.json"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                          f"--log-net-log={net_log}", "--dump-dom", page.as_uri()],
                         capture_output=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout.decode("utf-8")
    console = [ln for ln in dom.stderr.decode("utf-8", "replace").splitlines() if "CONSOLE" in ln]
    assert console == []
    for unit in ("UBND Thành phố Hà Nội", "Sở Khoa học và Công nghệ", "Văn phòng Sở", "Phòng Quản lý khoa học",
                 "Phòng Chuyển đổi số", "Phòng Đổi mới sáng tạo và Khởi nghiệp", "UBND phường Hoàn Kiếm"):
        assert unit in text
    for n in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"):
        assert re.search(rf"<h2[^>]*>{n}\. ", text), n
    # the network log lists every URL the browser asked for: besides Chromium's own
    # background services (updates, clock, account), nothing (a file: page is read
    # without the network stack)
    urls = set(re.findall(r'"url":"([^"]+)"', net_log.read_text(encoding="utf-8", errors="replace")))
    own = re.compile(r"^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)/")
    assert {u for u in urls if not u.startswith("file:") and not own.match(u)} == set()
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1000,3000",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000


def _run_with_stderr_on_a_terminal(args: list[str], timeout: float = 120) -> tuple[int, bytes]:
    """Run okrctl with stderr on a pseudo-terminal; its exit code and what it wrote there."""
    import os
    import pty
    import select
    import sys
    import time

    from conftest import subprocess_env

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "okrctl", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=subprocess_env({"TERM": "xterm"}))
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return rc, out


def test_progress_bar_on_a_terminal_only(ws: Path, tmp_path: Path) -> None:
    """On a terminal the report shows a transient progress bar per stage (history of the
    items, weekly statuses of the heat map, charts) on stderr and writes the same file;
    piped, stderr stays empty."""
    in_git = tmp_path / "ws"
    shutil.copytree(ws, in_git)
    from gitutil import commit_all, init_repo

    init_repo(in_git)
    commit_all(in_git, "sample", "2026-05-14T09:00:00+07:00")
    tty_file, pipe_file = tmp_path / "tty.html", tmp_path / "pipe.html"
    rc, err = _run_with_stderr_on_a_terminal(["-C", str(in_git), "report", "--format", "html", "-o", str(tty_file)])
    assert rc == 0, err
    text = err.decode("utf-8", "replace")
    for stage in ("history", "weekly status", "charts"):
        assert f"{stage} " in text and "100%" in text, text[:400]
    assert "\x1b[2K" in text  # transient: the bar erases its line
    piped = run_okrctl("-C", str(in_git), "report", "--format", "html", "-o", str(pipe_file))
    assert piped.returncode == 0 and piped.stderr == b""
    assert tty_file.read_bytes() == pipe_file.read_bytes()


def test_readme_shows_the_real_report() -> None:
    """The README's Markdown excerpt is the sample's report as the golden file has it
    (byte for byte, line by line, in order), and the two page images it shows exist."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The quarterly report", 1)[1].split("\n## ", 1)[0]
    excerpt = section.split("```markdown\n", 1)[1].split("```\n", 1)[0]
    golden = (root / "tests/golden/report-2026-Q2-vi.md").read_text(encoding="utf-8")
    assert len(excerpt.splitlines()) >= 15 and excerpt in golden
    for img in re.findall(r'src="(docs/img/[^"]+\.png)"', section):
        assert (root / img).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", img
    assert len(re.findall(r'src="docs/img/', section)) == 2
