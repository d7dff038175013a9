from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-workspace"
EXAMPLE_EN = ROOT / "examples" / "en-workspace"

#: subprocesses keep compiled bytecode here (outside the source tree), so each CLI
#: run does not recompile okrctl and its dependencies when the environment sets
#: PYTHONDONTWRITEBYTECODE
PYCACHE = tempfile.mkdtemp(prefix="okrctl-test-pycache-")
#: okrctl's user cache (the locks of workspaces outside git), private to this test session
OKRCTL_CACHE = tempfile.mkdtemp(prefix="okrctl-test-cache-")
os.environ["OKRCTL_CACHE_DIR"] = OKRCTL_CACHE


GOLDEN = ROOT / "tests" / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current output (review the git diff afterwards)")


@pytest.fixture
def golden(request):
    """``golden(name, text)``: ``text`` must equal ``tests/golden/<name>``; with
    ``--update-goldens`` the file is rewritten first (see tests/golden/README.md)."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_bytes(text.encode("utf-8"))
        # byte for byte: CSV goldens keep their RFC 4180 CRLF line ends
        assert text == path.read_bytes().decode("utf-8"), f"{name} differs (see tests/golden/README.md to regenerate)"

    return check


def normalise_output(text: str, *, root: Path | None = None, shas: dict[str, str] | None = None,
                     today: tuple[str, ...] = ()) -> str:
    """Replace what is inherently variable in okrctl's output, and nothing else, so
    the rest can be compared with a golden file byte for byte:

    * ``root`` (a temporary workspace or repository): every occurrence of its path,
      including as the ``file://`` URI of SARIF ``originalUriBaseIds``, becomes ``<ROOT>``;
    * ``shas`` (``{"BASE": sha, ...}``): each full commit SHA, and any abbreviation of it
      of 7 or more hex digits, becomes ``<BASE>`` (and so on);
    * okrctl's version, as the value of a JSON ``"okrctl"`` or ``"version"`` key
      (JSON reports, SARIF ``tool.driver.version``), becomes ``VERSION``;
    * ``today`` (the date(s) a run may have taken as today, ISO): a JSON ``"at"`` with
      that value becomes ``TODAY`` (``diff`` has no ``--at``: its JSON ``at`` is the
      clock's date in the workspace time zone);
    * the random token of GitHub's ``::stop-commands::TOKEN`` ... ``::TOKEN::`` fence
      becomes ``TOKEN``.
    """
    from okrctl import __version__

    if root is not None:
        for form in (str(root.resolve()), str(root)):
            text = text.replace(form.rstrip("/"), "<ROOT>")
    for name, sha in (shas or {}).items():
        text = re.sub(rf"\b{sha[:7]}[0-9a-f]{{0,{len(sha) - 7}}}\b",
                      lambda m, sha=sha, name=name: f"<{name}>" if sha.startswith(m.group(0)) else m.group(0), text)
    text = re.sub(rf'^(\s*"(?:okrctl|version)": )"{re.escape(__version__)}"', r'\1"VERSION"', text, flags=re.M)
    for day in today:
        text = re.sub(rf'^(\s*"at": )"{day}"', r'\1"TODAY"', text, flags=re.M)
    m = re.search(r"^::stop-commands::(\S+)$", text, flags=re.M)
    if m:
        text = text.replace(f"::stop-commands::{m.group(1)}", "::stop-commands::TOKEN")
        text = text.replace(f"::{m.group(1)}::", "::TOKEN::")
    return text


def subprocess_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env.setdefault("COLUMNS", "120")
    # messages in English unless a test asks for a language (the sample says `locale: vi`)
    env["OKRCTL_LOCALE"] = "en"
    if extra:
        env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Tests see neither the developer's colour settings nor CI's."""
    for var in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GITHUB_WORKFLOW", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    # messages in English unless a test asks for a language; a run in this process
    # that chose Vietnamese leaves nothing behind
    monkeypatch.setenv("OKRCTL_LOCALE", "en")
    from okrctl.model import messages

    messages.set_locale("en")


def run_okrctl(*args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (exit codes, stdout/stderr separation)."""
    return subprocess.run([sys.executable, "-m", "okrctl", *args], cwd=cwd, env=subprocess_env(env), input=input,
                          capture_output=True, timeout=timeout)


def run_okrctl_text(*args: str, **kw) -> subprocess.CompletedProcess:
    """:func:`run_okrctl` with stdout and stderr decoded as UTF-8."""
    r = run_okrctl(*args, **kw)
    r.stdout, r.stderr = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")
    return r


@pytest.fixture
def isolated_git(monkeypatch, tmp_path: Path) -> Path:
    """The machine's global git config, an outer repository and inherited GIT_*
    variables must not matter to a test that builds repositories; returns the
    (empty) global config file, which a test may fill."""
    cfg = tmp_path / "global.gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_TRACE", "GIT_CONFIG_PARAMETERS"):
        monkeypatch.delenv(var, raising=False)
    return cfg
