"""Helpers for tests that need real git repositories.

Everything here runs the real ``git`` binary (no mocking).  Commits get fixed
author/committer names and dates, signing is off, the branch is ``main``, and the
helpers never run hooks or fsmonitor, so a test may make a repository hostile
after building it.  Identity and dates go through environment variables, so the
machine's global git configuration does not matter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GIT = shutil.which("git") or "git"

DEFAULT_DATE = "2026-01-10T10:00:00+07:00"
DEFAULT_AUTHOR = "Nguyễn Văn A <a@example.org>"

_BASE_CONFIG = (
    "-c", "init.defaultBranch=main",
    "-c", "commit.gpgsign=false",
    "-c", "tag.gpgsign=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.autocrlf=false",
    "-c", "log.showSignature=false",
)


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_TRACE")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    if extra:
        env.update(extra)
    return env


def _identity(author: str, date: str) -> dict[str, str]:
    m = re.fullmatch(r"\s*(.*?)\s*<([^>]*)>\s*", author)
    if not m:
        raise ValueError(f"author must look like 'Name <email>': {author!r}")
    name, email = m.groups()
    return {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date,
    }


def git(repo_path: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None,
        check: bool = True) -> str:
    """Run ``git -C repo_path args...`` and return stdout (decoded, not stripped)."""
    proc = subprocess.run(
        [GIT, "-C", str(repo_path), *_BASE_CONFIG, *args],
        env=_env(env), input=input, stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True, check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def init_repo(path: Path, *, identity: bool = True, object_format: str | None = None) -> Path:
    """``git init`` a repository at ``path`` (created if needed) on branch ``main``.
    With ``identity`` the repository config gets user.name/user.email (like a
    user's machine), so okrctl's own commits and tags work."""
    path.mkdir(parents=True, exist_ok=True)
    args = ["init", "-q", "-b", "main"]
    if object_format:
        args.append(f"--object-format={object_format}")
    git(path, *args)
    if identity:
        name, email = re.fullmatch(r"(.*?) <([^>]*)>", DEFAULT_AUTHOR).groups()  # type: ignore[union-attr]
        git(path, "config", "user.name", name)
        git(path, "config", "user.email", email)
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "tag.gpgsign", "false")
    return path


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path``, creating directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def commit_all(repo_path: Path, message: str, date: str = DEFAULT_DATE, author: str = DEFAULT_AUTHOR,
               *, stage: bool = True) -> str:
    """Stage everything (``git add -A``; skipped with ``stage=False``) and commit
    it with the given author and date (also used as committer and commit date).
    Returns the new commit SHA."""
    ident = _identity(author, date)
    if stage:
        git(repo_path, "add", "-A")
    git(repo_path, "commit", "-q", "--no-verify", "--allow-empty", "--cleanup=verbatim", "-m", message, env=ident)
    return head(repo_path)


def sample_in_git(dest: Path) -> Path:
    """A copy of the sample workspace at ``dest``, committed (one commit, "init") in a
    git repository of its own; returns ``dest``."""
    import shutil

    from conftest import SAMPLE

    shutil.copytree(SAMPLE, dest)
    init_repo(dest)
    commit_all(dest, "init")
    return dest


def identity_env(author: str = DEFAULT_AUTHOR, date: str = DEFAULT_DATE) -> dict[str, str]:
    """Environment variables giving git this author/committer and date."""
    return _identity(author, date)


def head(repo_path: Path) -> str:
    return git(repo_path, "rev-parse", "--verify", "HEAD").strip()


def blob_of(repo_path: Path, rev: str, path: str) -> str:
    """The blob SHA of ``path`` at ``rev``."""
    return git(repo_path, "rev-parse", "--verify", f"{rev}:{path}").strip()


ROLES_WITH_OUTPUT = ("clean", "smudge", "textconv")  # must pass content through


def make_hostile(repo: Path, tmp_path: Path) -> Path:
    """Configure ``repo`` so that every program git could be tricked into running
    appends its role to MARKER.  Returns the marker path (which must not exist)."""
    marker = tmp_path / "MARKER"
    bin_dir = tmp_path / "evil-bin"
    hooks = tmp_path / "evil-hooks"
    bin_dir.mkdir()
    hooks.mkdir()

    def script(role: str, where: Path | None = None) -> str:
        path = (where or bin_dir) / role
        tail = 'exec cat "$@"\n' if role in ROLES_WITH_OUTPUT else "exit 0\n"
        path.write_text(f'#!/bin/sh\necho "{role} $*" >> "{marker}"\n{tail}')
        path.chmod(0o755)
        return str(path)

    settings = {
        "core.fsmonitor": script("fsmonitor"),
        "core.hooksPath": str(hooks),
        "core.pager": script("pager"),
        "pager.log": script("pager-log"),
        "core.editor": script("editor"),
        "sequence.editor": script("sequence-editor"),
        "core.sshCommand": script("ssh"),
        "core.askPass": script("askpass"),
        "core.alternateRefsCommand": script("alternate-refs"),
        "diff.external": script("external"),
        "diff.evil.command": script("diff-command"),
        "diff.evil.textconv": script("textconv"),
        "filter.evil.clean": script("clean"),
        "filter.evil.smudge": script("smudge"),
        "filter.evil.required": "true",
        "merge.evil.driver": script("merge-driver"),
        "gpg.program": script("gpg"),
        "gpg.ssh.program": script("gpg-ssh"),
        "log.showSignature": "true",
        "commit.gpgSign": "true",
        "tag.gpgSign": "true",
        "credential.helper": script("credential"),
        "uploadpack.packObjectsHook": script("pack-objects-hook"),
        "status.submoduleSummary": "true",
        "color.ui": "always",
        "i18n.logOutputEncoding": "ISO-8859-1",
        "log.follow": "true",
        "diff.renames": "copies",
    }
    for hook in ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "reference-transaction",
                 "pre-auto-gc", "post-index-change", "post-checkout", "post-rewrite", "pre-merge-commit"):
        script(hook, hooks)
    for key, value in settings.items():
        git(repo, "config", key, value)
    write(repo / ".gitattributes", "*.yaml diff=evil filter=evil merge=evil\n")
    return marker


@contextmanager
def env_applied(env: dict[str, str]) -> Iterator[None]:
    """``env`` set in this process for the block (a module-scoped fixture building a
    repository cannot use the ``monkeypatch`` fixture)."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        yield
