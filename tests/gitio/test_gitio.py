"""okrctl.gitio against real temporary repositories built with the real git.

No git behaviour is mocked: every test builds its repository with ``git`` (see
``gitutil``), with fixed author/committer dates, and checks exact values.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from gitutil import blob_of, commit_all, git, head, identity_env, init_repo, make_hostile, write

from okrctl import gitio
from okrctl.gitio import CommitInfo, GitError, GitTreeSource, NothingToCommit, Repo, run_git
from okrctl.read.source import MAX_FILE_BYTES, SourceError, WorkingTreeSource, blob_sha

ICT = timezone(timedelta(hours=7))
A = "Nguyễn Văn A"
A_MAIL = "a@example.org"
B_AUTHOR = "Trần Thị B <b@example.org>"


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git

def one_line_error(excinfo: pytest.ExceptionInfo[GitError]) -> str:
    msg = excinfo.value.message
    assert "\n" not in msg and msg == str(excinfo.value) and msg
    return msg


def trace_counts(trace: Path) -> dict[str, int]:
    """How many git processes ran each subcommand, from a GIT_TRACE file."""
    counts: dict[str, int] = {}
    for line in trace.read_text(errors="replace").splitlines():
        m = re.search(r"trace: built-in: git (\S+)", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def ws_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository with a workspace at ``ws/`` and a file outside it; 3 commits."""
    repo = init_repo(tmp_path / "repo")
    write(repo / "ws/okrctl.yaml", "timezone: Asia/Ho_Chi_Minh\n")
    write(repo / "ws/units.yaml", "units: []\n")
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 1\n")
    write(repo / "ws/okrs/2026-Q1/b.yaml", "b: 1\n")
    write(repo / "outside.yaml", "x: 1\n")
    c1 = commit_all(repo, "one", "2026-01-05T09:00:00+07:00")
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 2\n")
    (repo / "ws/okrs/2026-Q1/b.yaml").unlink()
    write(repo / "ws/okrs/2026-Q1/c.yaml", "c: 1\n")
    write(repo / "outside.yaml", "x: 2\n")
    c2 = commit_all(repo, "two", "2026-01-06T09:00:00+07:00")
    git(repo, "tag", "v1", c1)
    git(repo, "tag", "-a", "-m", "annotated", "v2", c2, env=identity_env())
    c3 = commit_all(repo, "three (empty)", "2026-01-07T09:00:00+07:00")
    return repo, [c1, c2, c3]


# --------------------------------------------------------------------------- run_git


def test_run_git_returns_stdout_and_translates_failures(tmp_path: Path) -> None:
    repo, commits = ws_repo(tmp_path)
    assert run_git(["rev-parse", "HEAD"], repo) == commits[2].encode() + b"\n"
    with pytest.raises(GitError) as exc:
        run_git(["rev-parse", "--verify", "no-such-branch"], repo)
    assert one_line_error(exc) == "git rev-parse failed: Needed a single revision"
    assert run_git(["rev-parse", "--verify", "--quiet", "nope"], repo, check=False) == b""


def test_run_git_timeout(tmp_path: Path) -> None:
    with pytest.raises(GitError) as exc:
        run_git(["version"], tmp_path, timeout=0.000001)
    assert one_line_error(exc) == f"git version timed out after 1e-06 s in {tmp_path}"


def test_git_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(gitio.run, "_git_path", None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GitError) as exc:
        run_git(["version"], tmp_path)
    assert one_line_error(exc).startswith("git is not installed or not on PATH")


def test_git_is_never_taken_from_the_current_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    fake = tmp_path / "git"
    fake.write_text(f'#!/bin/sh\necho planted >> "{marker}"\n')
    fake.chmod(0o755)
    real = shutil.which("git")
    assert real is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(gitio.run, "_git_path", None)
    monkeypatch.setenv("PATH", os.pathsep.join([".", "", "bin", str(tmp_path), os.path.dirname(real)]))
    # "." and relative entries are skipped; an absolute entry naming the cwd is skipped too
    assert run_git(["version"], tmp_path).startswith(b"git version ")
    assert gitio.run._git_path == os.path.abspath(real)
    assert not marker.exists()


def test_inherited_git_environment_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    repo, commits = ws_repo(tmp_path)
    other = init_repo(tmp_path / "other")
    other_head = commit_all(other, "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "bogus-index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    r = Repo.discover(repo / "ws")
    assert r.toplevel == repo
    assert r.head() == commits[2] != other_head
    assert r.worktree_shas("ws")["okrs/2026-Q1/a.yaml"] == blob_of(repo, "HEAD", "ws/okrs/2026-Q1/a.yaml")


# --------------------------------------------------------------------------- discovery


def test_discover_and_relpath(tmp_path: Path) -> None:
    repo, _ = ws_repo(tmp_path)
    r = Repo.discover(repo / "ws" / "okrs")
    assert r.toplevel == repo
    assert r.object_format == "sha1"
    assert r.is_shallow() is False
    assert r.relpath(repo) == ""
    assert r.relpath(repo / "ws") == "ws"
    assert r.relpath(repo / "ws/okrs/2026-Q1/a.yaml") == "ws/okrs/2026-Q1/a.yaml"
    assert Repo.discover(repo / "ws/okrctl.yaml").toplevel == repo  # a file: its directory
    with pytest.raises(GitError) as exc:
        r.relpath(tmp_path)
    assert one_line_error(exc) == f"{tmp_path} is outside the git repository {repo}"


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as exc:
        Repo.discover(plain)
    assert one_line_error(exc) == f"not a git repository: {plain} (okrctl commands that read history need git)"
    with pytest.raises(GitError) as exc:
        Repo.discover(tmp_path / "missing")
    assert one_line_error(exc) == f"no such file or directory: {tmp_path / 'missing'}"
    repo = init_repo(tmp_path / "repo")
    with pytest.raises(GitError) as exc:
        Repo.discover(repo / ".git")
    assert one_line_error(exc) == f"not a git working tree: {repo / '.git'} is inside a .git directory or a bare repository"
    # a bare repository planted inside a working tree is never used
    planted = repo / "ws" / "planted.git"
    planted.mkdir(parents=True)
    git(planted, "init", "-q", "--bare")
    with pytest.raises(GitError) as exc:
        Repo.discover(planted)
    assert one_line_error(exc) == f"not a git working tree: {planted} is inside a .git directory or a bare repository"


def test_empty_repository(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    r = Repo.discover(repo)
    assert r.head() is None
    assert r.log_path(["okrctl.yaml"]) == []
    with pytest.raises(GitError) as exc:
        r.resolve("HEAD")
    assert one_line_error(exc) == "unknown revision 'HEAD'"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_dubious_ownership(tmp_path: Path, _isolated_git: Path) -> None:
    repo, commits = ws_repo(tmp_path)
    before = Repo.discover(repo)  # opened while still trusted
    units_blob = blob_of(repo, commits[0], "ws/units.yaml")
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    hint = f"git config --global --add safe.directory {repo}"
    with pytest.raises(GitError) as exc:
        Repo.discover(repo / "ws")
    msg = one_line_error(exc)
    assert "safe.directory" in msg and msg.endswith(hint) and "dubious ownership" in msg
    for call in (lambda: before.log_path(["ws/okrctl.yaml"]),
                 lambda: before.read_blobs([units_blob]),
                 lambda: before.worktree_shas("ws"),
                 lambda: before.resolve("HEAD")):
        with pytest.raises(GitError) as exc:
            call()
        assert one_line_error(exc).endswith(hint)
    # following the hint works (safe.directory is only honoured in global config)
    _isolated_git.write_text(f"[safe]\n\tdirectory = {repo}\n")
    assert Repo.discover(repo).head() == commits[2]


def test_shallow_clone(tmp_path: Path) -> None:
    src, commits = ws_repo(tmp_path)
    dst = tmp_path / "shallow"
    subprocess.run(["git", "-c", "protocol.file.allow=always", "clone", "-q", "--depth", "1",
                    f"file://{src}", str(dst)], check=True, env={**os.environ, "LC_ALL": "C"})
    r = Repo.discover(dst)
    assert r.is_shallow() is True
    with pytest.raises(GitError) as exc:
        r.require_full_history("okrctl history")
    msg = one_line_error(exc)
    assert msg.startswith("okrctl history needs the full git history, but this is a shallow clone")
    assert "fetch-depth: 0" in msg
    assert r.resolve("HEAD") == commits[2]
    with pytest.raises(GitError) as exc:
        r.resolve("HEAD~1")
    msg = one_line_error(exc)
    assert msg.startswith("unknown revision 'HEAD~1' (this is a shallow clone") and "fetch-depth: 0" in msg
    # what a shallow clone does to history: only the boundary commit is visible
    assert [c.sha for c, _ in r.log_path(["ws/okrs/2026-Q1/a.yaml"])] == [commits[2]]
    Repo.discover(src).require_full_history("okrctl history")  # full clone: no error


# --------------------------------------------------------------------------- revisions


def test_resolve_valid_revisions(tmp_path: Path) -> None:
    repo, (c1, c2, c3) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    assert r.resolve("HEAD") == c3
    assert r.resolve("main") == c3
    assert r.resolve("HEAD~1") == c2
    assert r.resolve("HEAD^^") == c1
    assert r.resolve(c1[:10]) == c1
    assert r.resolve("v1") == c1
    assert r.resolve("v2") == c2  # annotated tag peeled to its commit
    assert r.resolve("refs/tags/v2") == c2
    assert r.resolve(c2) == c2


@pytest.mark.parametrize("rev", ["--output={out}", "-n1", "--output", "-o{out}", "--all", "-", "--end-of-options"])
def test_resolve_rejects_options(tmp_path: Path, rev: str) -> None:
    repo, _ = ws_repo(tmp_path)
    out = tmp_path / "injected.txt"
    r = Repo.discover(repo)
    rev = rev.format(out=out)
    with pytest.raises(GitError) as exc:
        r.resolve(rev)
    assert one_line_error(exc) == f"invalid revision '{rev}': a revision may not be empty, start with '-' or contain line breaks"
    with pytest.raises(GitError):
        r.log_path(["ws/okrctl.yaml"], rev)
    assert not out.exists()
    assert not (repo / "injected.txt").exists()


@pytest.mark.parametrize("rev", ["HEAD:ws/okrctl.yaml", "no-such-branch", "HEAD~99", "v1:ws",
                                 "ext::sh -c touch% {marker}", "../../../../dev/zero", "HEAD^{tree}",
                                 "a\nb", "a\0b", "", "x" * 1001])
def test_resolve_rejects_non_commits(tmp_path: Path, rev: str) -> None:
    repo, _ = ws_repo(tmp_path)
    marker = tmp_path / "MARKER"
    rev = rev.replace("{marker}", str(marker))
    with pytest.raises(GitError) as exc:
        Repo.discover(repo).resolve(rev)
    msg = one_line_error(exc)
    assert msg.startswith(("unknown revision '", "invalid revision '"))
    assert "\0" not in msg
    assert not marker.exists()


def test_methods_insist_on_full_shas(tmp_path: Path) -> None:
    repo, (c1, c2, _) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    for call in (lambda: r.ls_tree("HEAD", "ws"), lambda: r.diff_tree(c1, "--output=x", "ws"),
                 lambda: r.read_blobs(["--batch-all-objects"]), lambda: GitTreeSource(r, "main", "ws"),
                 lambda: r.commit_info(c1[:12]), lambda: r.ls_tree(c1, "../x")):
        with pytest.raises(GitError):
            call()
    assert not (repo / "x").exists()


def test_commit_info_and_ancestry(tmp_path: Path) -> None:
    repo, (c1, c2, c3) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    assert r.commit_info(c2) == CommitInfo(
        sha=c2, author_name=A, author_email=A_MAIL,
        author_date=datetime(2026, 1, 6, 9, 0, tzinfo=ICT), committer_date=datetime(2026, 1, 6, 9, 0, tzinfo=ICT),
        subject="two",
    )
    assert r.is_ancestor(c1, c3) is True
    assert r.is_ancestor(c3, c1) is False
    assert r.has_replace_refs() is False
    git(repo, "replace", c2, c1)
    assert r.has_replace_refs() is True
    assert r.commit_info(c2).subject == "two"  # GIT_NO_REPLACE_OBJECTS: the truth, not the replacement


# --------------------------------------------------------------------------- trees and blobs


def test_ls_tree(tmp_path: Path) -> None:
    repo, (c1, c2, _) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    assert r.ls_tree(c1, "ws") == [
        ("okrctl.yaml", "100644", blob_of(repo, c1, "ws/okrctl.yaml")),
        ("okrs/2026-Q1/a.yaml", "100644", blob_of(repo, c1, "ws/okrs/2026-Q1/a.yaml")),
        ("okrs/2026-Q1/b.yaml", "100644", blob_of(repo, c1, "ws/okrs/2026-Q1/b.yaml")),
        ("units.yaml", "100644", blob_of(repo, c1, "ws/units.yaml")),
    ]
    assert [p for p, _, _ in r.ls_tree(c2, "")] == [
        "outside.yaml", "ws/okrctl.yaml", "ws/okrs/2026-Q1/a.yaml", "ws/okrs/2026-Q1/c.yaml", "ws/units.yaml"]
    assert [(p, m) for p, m, _ in r.ls_tree(c2, "ws", trees=True)] == [
        ("okrctl.yaml", "100644"), ("okrs", "040000"), ("okrs/2026-Q1", "040000"),
        ("okrs/2026-Q1/a.yaml", "100644"), ("okrs/2026-Q1/c.yaml", "100644"), ("units.yaml", "100644")]
    assert r.ls_tree(c1, "ws/okrs") == [("2026-Q1/a.yaml", "100644", blob_of(repo, c1, "ws/okrs/2026-Q1/a.yaml")),
                                        ("2026-Q1/b.yaml", "100644", blob_of(repo, c1, "ws/okrs/2026-Q1/b.yaml"))]
    assert r.ls_tree(c1, "no-such-dir") == []
    assert r.ls_tree(c1, "outside.yaml") == []  # a file is not a directory to list


def test_read_blobs_one_process_with_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "repo")
    contents = {f"f{i}.yaml": f"value: {i}\n".encode() * (i + 1) for i in range(50)}
    for name, data in contents.items():
        write(repo / name, data)
    write(repo / "big.yaml", b"x" * (MAX_FILE_BYTES + 1))
    write(repo / "empty.yaml", b"")
    c = commit_all(repo, "blobs")
    r = Repo.discover(repo)
    shas = {name: blob_of(repo, c, name) for name in contents}
    big = blob_of(repo, c, "big.yaml")
    empty = blob_of(repo, c, "empty.yaml")
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    unknown = "0123456789abcdef0123456789abcdef01234567"
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    got = r.read_blobs([*shas.values(), big, empty, tree, unknown, *shas.values()])
    monkeypatch.delenv("GIT_TRACE")
    assert trace_counts(trace) == {"cat-file": 1}
    assert dict(got) == {**{shas[n]: data for n, data in contents.items()}, empty: b""}
    assert got.too_large == {big: MAX_FILE_BYTES + 1}
    assert got.missing == {tree, unknown}
    small = r.read_blobs([shas["f9.yaml"], shas["f0.yaml"]], limit=20)
    assert dict(small) == {shas["f0.yaml"]: b"value: 0\n"}
    assert small.too_large == {shas["f9.yaml"]: 90}
    assert r.read_blobs([]) == {}


def test_diff_tree(tmp_path: Path) -> None:
    repo, (c1, c2, c3) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    a1, a2 = blob_of(repo, c1, "ws/okrs/2026-Q1/a.yaml"), blob_of(repo, c2, "ws/okrs/2026-Q1/a.yaml")
    b1, cc = blob_of(repo, c1, "ws/okrs/2026-Q1/b.yaml"), blob_of(repo, c2, "ws/okrs/2026-Q1/c.yaml")
    assert r.diff_tree(c1, c2, "ws") == [
        ("M", "okrs/2026-Q1/a.yaml", a1, a2),
        ("D", "okrs/2026-Q1/b.yaml", b1, None),
        ("A", "okrs/2026-Q1/c.yaml", None, cc),
    ]
    assert r.diff_tree(c2, c1, "ws/okrs/2026-Q1") == [("M", "a.yaml", a2, a1), ("A", "b.yaml", None, b1), ("D", "c.yaml", cc, None)]
    assert [(s, p) for s, p, _, _ in r.diff_tree(c1, c2, "")] == [
        ("M", "outside.yaml"), ("M", "ws/okrs/2026-Q1/a.yaml"), ("D", "ws/okrs/2026-Q1/b.yaml"), ("A", "ws/okrs/2026-Q1/c.yaml")]
    assert r.diff_tree(c2, c3, "ws") == []
    # a file replaced by a symlink is a change of the same path
    (repo / "ws/okrs/2026-Q1/a.yaml").unlink()
    os.symlink("c.yaml", repo / "ws/okrs/2026-Q1/a.yaml")
    c4 = commit_all(repo, "link")
    link_blob = blob_of(repo, c4, "ws/okrs/2026-Q1/a.yaml")
    assert link_blob == blob_sha(b"c.yaml")
    assert r.diff_tree(c3, c4, "ws") == [("M", "okrs/2026-Q1/a.yaml", a2, link_blob)]


# --------------------------------------------------------------------------- history


def test_log_path_oldest_first_with_blobs_and_dates(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    f = "ws/okrs/2026-Q1/khcn.yaml"
    plan = [  # (date, author, content of f or None to delete or ... to leave it, other file change)
        ("2026-01-05T09:00:00+07:00", None, "v: 1\n", True),
        ("2026-01-06T09:00:00+07:00", None, ..., True),
        ("2026-01-07T14:30:00+07:00", B_AUTHOR, "v: 2\n", False),
        ("2026-01-08T09:00:00+07:00", None, "v: 3\n", True),
        ("2026-01-09T09:00:00+07:00", None, ..., True),
        ("2026-01-10T08:15:00+00:00", B_AUTHOR, "v: 4\n", False),
        ("2025-12-01T09:00:00+07:00", None, "v: 5\n", False),  # back-dated: still in chain order
        ("2026-01-12T09:00:00+07:00", None, None, True),
    ]
    expected = []
    for i, (date, author, content, other) in enumerate(plan):
        if other:
            write(repo / "ws/units.yaml", f"units: {i}\n")
        if content is None:
            (repo / f).unlink()
        elif content is not ...:
            write(repo / f, content)
        sha = commit_all(repo, f"commit {i}", date, author or f"{A} <{A_MAIL}>")
        if content is not ...:
            blob = None if content is None else blob_of(repo, sha, f)
            when = datetime.fromisoformat(date)
            name, mail = (("Trần Thị B", "b@example.org") if author else (A, A_MAIL))
            expected.append((CommitInfo(sha, name, mail, when, when, f"commit {i}"), {f: blob}))
    r = Repo.discover(repo)
    got = r.log_path([f])
    assert got == expected
    assert len(got) == 6
    seven = timedelta(hours=7)
    assert [c.author_date.utcoffset() for c, _ in got] == [seven, seven, seven, timedelta(0), seven, seven]
    assert got[3][0].author_date == datetime(2026, 1, 10, 8, 15, tzinfo=timezone.utc)
    assert got[4][0].committer_date == datetime(2025, 12, 1, 9, 0, tzinfo=ICT)  # back-dated, kept in chain order
    # several paths: each commit lists only the paths it changed
    both = r.log_path([f, "ws/units.yaml"])
    assert len(both) == len(plan)
    assert both[0][1] == {f: expected[0][1][f], "ws/units.yaml": blob_of(repo, expected[0][0].sha, "ws/units.yaml")}
    assert both[1][1] == {"ws/units.yaml": blob_of(repo, both[1][0].sha, "ws/units.yaml")}
    # up to a given revision
    assert r.log_path([f], expected[2][0].sha) == expected[:3]
    assert r.log_path([f], "HEAD~2") == expected[:4]
    assert r.log_path(["ws/okrs"]) == [(c, {f: b}) for c, d in expected for b in d.values()]
    assert r.log_path(["no/such/file.yaml"]) == []


def test_log_path_follows_the_first_parent(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    f = "okrs/2026-Q1/a.yaml"
    write(repo / f, "v: 1\n")
    m1 = commit_all(repo, "m1", "2026-01-05T09:00:00+07:00")
    git(repo, "checkout", "-q", "-b", "side")
    write(repo / f, "v: 2\n")
    s1 = commit_all(repo, "s1", "2026-01-06T09:00:00+07:00")
    git(repo, "checkout", "-q", "main")
    write(repo / "units.yaml", "units: []\n")
    commit_all(repo, "m2", "2026-01-07T09:00:00+07:00")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "side", env=identity_env(date="2026-01-08T09:00:00+07:00"))
    merge = head(repo)
    r = Repo.discover(repo)
    got = r.log_path([f])
    assert [(c.sha, c.subject, d) for c, d in got] == [
        (m1, "m1", {f: blob_of(repo, m1, f)}),
        (merge, "Merge branch 'side'", {f: blob_of(repo, s1, f)}),
    ]
    assert got[1][0].author_date == datetime(2026, 1, 8, 9, 0, tzinfo=ICT)
    assert s1 not in [c.sha for c, _ in got]
    assert [c.sha for c, _ in r.log_path([f], "side")] == [m1, s1]


# --------------------------------------------------------------------------- working tree


def test_worktree_shas_name_the_bytes_on_disk(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    ws = repo / "ws"
    write(repo / ".gitattributes", "crlf.yaml text eol=crlf\nident.yaml ident\nbin.yaml -text\n")
    for name in ("okrctl.yaml", "units.yaml", "okrs/2026-Q1/a.yaml", "okrs/2026-Q1/b.yaml", "okrs/2026-Q1/c.yaml",
                 "okrs/2026-Q1/d.yaml", "okrs/2026-Q1/clean.yaml", "okrs/2026-Q1/crlf.yaml", "okrs/2026-Q1/bin.yaml"):
        write(ws / name, f"name: {name}\n")
    write(ws / "okrs/2026-Q1/ident.yaml", "id: $Id$\n")
    write(repo / "outside.yaml", "x: 1\n")
    c = commit_all(repo, "one")
    # git rewrites files with conversions on checkout: CRLF, $Id: ...$
    for name in ("crlf.yaml", "ident.yaml"):
        (ws / "okrs/2026-Q1" / name).unlink()
    git(repo, "checkout", "--", "ws/okrs/2026-Q1/crlf.yaml", "ws/okrs/2026-Q1/ident.yaml")
    assert (ws / "okrs/2026-Q1/crlf.yaml").read_bytes() == b"name: okrs/2026-Q1/crlf.yaml\r\n"
    assert (ws / "okrs/2026-Q1/ident.yaml").read_bytes().startswith(b"id: $Id: ")
    write(ws / "okrs/2026-Q1/a.yaml", "name: changed\n")  # modified
    b = ws / "okrs/2026-Q1/b.yaml"
    os.utime(b, (1_700_000_000, 1_700_000_000))  # stat-dirty, same content
    (ws / "okrs/2026-Q1/c.yaml").unlink()  # deleted
    write(ws / "okrs/2026-Q1/d.yaml", "name: staged\n")
    git(repo, "add", "ws/okrs/2026-Q1/d.yaml")
    write(ws / "okrs/2026-Q1/d.yaml", "name: staged, then changed again\n")
    git(repo, "update-index", "--assume-unchanged", "ws/okrctl.yaml")
    write(ws / "okrctl.yaml", "name: hidden by assume-unchanged\n")
    write(ws / "okrs/2026-Q1/new.yaml", "untracked\n")
    r = Repo.discover(repo)
    got = r.worktree_shas("ws")
    names = ["okrctl.yaml", "units.yaml", "okrs/2026-Q1/a.yaml", "okrs/2026-Q1/b.yaml", "okrs/2026-Q1/d.yaml",
             "okrs/2026-Q1/clean.yaml", "okrs/2026-Q1/crlf.yaml", "okrs/2026-Q1/ident.yaml", "okrs/2026-Q1/bin.yaml"]
    assert got == {n: blob_sha((ws / n).read_bytes()) for n in names}
    assert got["okrs/2026-Q1/clean.yaml"] == blob_of(repo, c, "ws/okrs/2026-Q1/clean.yaml")
    assert got["okrs/2026-Q1/crlf.yaml"] != blob_of(repo, c, "ws/okrs/2026-Q1/crlf.yaml")
    everything = r.worktree_shas("")
    assert everything["outside.yaml"] == blob_of(repo, c, "outside.yaml")
    assert everything["ws/okrs/2026-Q1/a.yaml"] == got["okrs/2026-Q1/a.yaml"]
    assert r.worktree_shas("nothing-here") == {}


def test_worktree_shas_symlink_and_sha256(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo", object_format="sha256")
    write(repo / "okrctl.yaml", "a: 1\n")
    os.symlink("okrctl.yaml", repo / "units.yaml")
    c = commit_all(repo, "sha256")
    r = Repo.discover(repo)
    assert r.object_format == "sha256" and len(c) == 64
    assert r.resolve("HEAD") == c
    write(repo / "okrctl.yaml", "a: 2\n")
    (repo / "units.yaml").unlink()
    os.symlink("elsewhere.yaml", repo / "units.yaml")
    expect_file = git(repo, "hash-object", "okrctl.yaml").strip()
    expect_link = git(repo, "hash-object", "--stdin", input=b"elsewhere.yaml").strip()
    assert r.worktree_shas("") == {"okrctl.yaml": expect_file, "units.yaml": expect_link}
    src = GitTreeSource(r, c, "")
    files, errors = src.list_files()
    assert [(f.path, f.sha) for f in files] == [("okrctl.yaml", blob_of(repo, c, "okrctl.yaml"))]
    assert src.read("okrctl.yaml") == b"a: 1\n"
    assert [(e.path, e.code) for e in errors] == [("units.yaml", "OKR006")]


def test_is_clean(tmp_path: Path) -> None:
    repo, _ = ws_repo(tmp_path)
    write(repo / ".gitignore", "*.tmp\n")
    commit_all(repo, "ignore")
    r = Repo.discover(repo)
    assert r.is_clean(["ws"]) is True
    assert r.is_clean([]) is True
    write(repo / "ws/okrs/2026-Q1/scratch.tmp", "ignored\n")
    write(repo / "outside.yaml", "x: changed\n")
    assert r.is_clean(["ws"]) is True
    assert r.is_clean(["ws/okrs/2026-Q1/a.yaml", "ws/units.yaml"]) is True
    assert r.is_clean([]) is False
    os.utime(repo / "ws/units.yaml", (1_700_000_000, 1_700_000_000))
    assert r.is_clean(["ws"]) is True  # touched, not changed
    write(repo / "ws/okrs/2026-Q2/new.yaml", "new\n")
    assert r.is_clean(["ws"]) is False
    assert r.is_clean(["ws/okrs/2026-Q1"]) is True
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 3\n")
    assert r.is_clean(["ws/okrs/2026-Q1"]) is False
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 2\n")
    assert r.is_clean(["ws/okrs/2026-Q1"]) is True
    git(repo, "rm", "-q", "--cached", "ws/okrs/2026-Q1/c.yaml")
    assert r.is_clean(["ws/okrs/2026-Q1"]) is False  # staged deletion (and now untracked)


# --------------------------------------------------------------------------- writing


def test_commit_paths_commits_only_those_paths(tmp_path: Path) -> None:
    repo, (_, _, c3) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 3\n")  # modified
    write(repo / "ws/units.yaml", "units: [staged]\n")
    git(repo, "add", "ws/units.yaml")  # someone else's staged change
    write(repo / "ws/okrs/2026-Q2/new.yaml", "n: 1\n")  # new
    (repo / "ws/okrs/2026-Q1/c.yaml").unlink()  # deleted
    write(repo / "outside.yaml", "x: unstaged\n")
    message = "checkin: O1.KR1 = 3\n\n# this line is not a comment\nBy: Nguyễn Văn A"
    paths = ["ws/okrs/2026-Q1/a.yaml", "ws/okrs/2026-Q2/new.yaml", "ws/okrs/2026-Q1/c.yaml"]
    sha = r.commit_paths(paths, message)
    assert sha == head(repo) != c3
    assert git(repo, "rev-parse", f"{sha}^").strip() == c3
    assert git(repo, "diff-tree", "--no-commit-id", "--name-status", "-r", sha).splitlines() == [
        "M\tws/okrs/2026-Q1/a.yaml", "D\tws/okrs/2026-Q1/c.yaml", "A\tws/okrs/2026-Q2/new.yaml"]
    raw = git(repo, "cat-file", "commit", sha)
    assert raw.split("\n\n", 1)[1] == message + "\n"
    assert f"\nauthor {A} <{A_MAIL}> " in raw
    # the other staged change is still staged, not committed; the unstaged one untouched
    assert git(repo, "diff", "--cached", "--name-only").splitlines() == ["ws/units.yaml"]
    assert git(repo, "diff", "--name-only").splitlines() == ["outside.yaml"]
    assert r.is_clean(paths) is True
    with pytest.raises(NothingToCommit) as exc:
        r.commit_paths(["ws/okrs/2026-Q1/a.yaml"], "again")
    assert one_line_error(exc) == "nothing to commit: ws/okrs/2026-Q1/a.yaml unchanged"
    assert head(repo) == sha
    with pytest.raises(GitError) as exc:
        r.commit_paths(["ws/okrs/2026-Q3/missing.yaml"], "missing")
    assert one_line_error(exc) == "cannot commit ws/okrs/2026-Q3/missing.yaml: no such file"
    for bad in ("../escape.yaml", "/abs.yaml", "ws/./x.yaml", ""):
        with pytest.raises(GitError):
            r.commit_paths([bad], "bad")
    assert head(repo) == sha


def test_commit_paths_without_identity(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo", identity=False)
    write(repo / "okrctl.yaml", "a: 1\n")
    r = Repo.discover(repo)
    assert r.user_name() is None
    with pytest.raises(GitError) as exc:
        r.commit_paths(["okrctl.yaml"], "first")
    assert one_line_error(exc).startswith("git does not know who you are")
    git(repo, "config", "user.name", "Lê Văn C")
    git(repo, "config", "user.email", "c@example.org")
    assert r.user_name() == "Lê Văn C"
    sha = r.commit_paths(["okrctl.yaml"], "first")  # the root commit of an empty repository
    assert r.head() == sha
    assert git(repo, "log", "--format=%an|%s").strip() == "Lê Văn C|first"


def test_tags(tmp_path: Path) -> None:
    repo, (c1, c2, c3) = ws_repo(tmp_path)
    r = Repo.discover(repo)
    message = "# okrctl close 2026-Q1\n\nscore: 0.72\nkhcn: 0.80\n"
    r.tag_annotated("okr/close/2026-Q1", c2, message)
    assert r.tag_target("okr/close/2026-Q1") == c2
    assert r.tag_message("okr/close/2026-Q1") == message
    assert git(repo, "cat-file", "-t", "refs/tags/okr/close/2026-Q1").strip() == "tag"
    r.tag_annotated("no-newline", c3, "one line")
    assert r.tag_message("no-newline") == "one line"
    assert r.tag_target("v1") == c1  # lightweight
    assert r.tag_message("v1") is None
    assert r.tag_message("v2") == "annotated\n"
    assert r.tag_target("okr/close/2099-Q1") is None
    assert r.tag_message("okr/close/2099-Q1") is None
    with pytest.raises(GitError) as exc:
        r.tag_annotated("okr/close/2026-Q1", c3, "again")
    assert one_line_error(exc) == "git tag failed: tag 'okr/close/2026-Q1' already exists"
    for bad in ("-f", "--output=x", "a b", "a..b", "a~1", "x\ny", "tag:x", "", "a/", "@{x}"):
        with pytest.raises(GitError) as exc:
            r.tag_annotated(bad, c1, "bad")
        assert one_line_error(exc).startswith("invalid tag name '")
        with pytest.raises(GitError):
            r.tag_target(bad)
    assert not (repo / "x").exists()
    with pytest.raises(GitError):
        r.tag_annotated("ok", "HEAD", "not a sha")


# --------------------------------------------------------------------------- GitTreeSource


def test_git_tree_source_matches_working_tree_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "repo")
    ws = repo / "ws"
    write(ws / "okrctl.yaml", "timezone: Asia/Ho_Chi_Minh\n")
    write(ws / "real-units.yaml", "units: []\n")
    os.symlink("real-units.yaml", ws / "units.yaml")
    q1 = ws / "okrs/2026-Q1"
    write(q1 / "phòng-khcn.yaml", "unit: phòng-khcn\n")
    write(q1 / "so-tc.yml", "unit: so-tc\n")
    write(q1 / ".hidden.yaml", "hidden\n")
    write(q1 / "notes.txt", "notes\n")
    write(q1 / "sub/deep.yaml", "too deep\n")
    write(q1 / "dir.yaml/inner.txt", "a directory named like a file\n")
    os.symlink("so-tc.yml", q1 / "link.yaml")
    write(ws / "okrs/2026-H1/big.yaml", b"#" * (MAX_FILE_BYTES + 1))
    write(ws / "okrs/stray.yaml", "not in a period\n")
    os.symlink("2026-Q1", ws / "okrs/2026-Q2")
    write(repo / "elsewhere/okrs/2026-Q1/x.yaml", "outside the workspace\n")
    c = commit_all(repo, "workspace")

    r = Repo.discover(ws)
    src = GitTreeSource(r, c, r.relpath(ws))
    assert src.label == f"revision {c[:12]}"
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    files, errors = src.list_files()
    wt_files, wt_errors = WorkingTreeSource(ws).list_files()
    assert [f.path for f in files] == [f.path for f in wt_files] == [
        "okrctl.yaml", "okrs/2026-H1/big.yaml", "okrs/2026-Q1/phòng-khcn.yaml", "okrs/2026-Q1/so-tc.yml"]
    assert [(e.path, e.code, e.message) for e in errors] == [(e.path, e.code, e.message) for e in wt_errors] == [
        ("units.yaml", "OKR006", "units.yaml is a symbolic link; okrctl refuses links"),
        ("okrs/2026-Q1/dir.yaml", "OKR110", "okrs/2026-Q1/dir.yaml/ is a folder; period files sit directly in okrs/2026-Q1/ as <UNIT>.yaml, so nothing in it is read"),
        ("okrs/2026-Q1/link.yaml", "OKR006", "okrs/2026-Q1/link.yaml is a symbolic link; okrctl refuses links"),
        ("okrs/2026-Q1/sub", "OKR110", "okrs/2026-Q1/sub/ is a folder; period files sit directly in okrs/2026-Q1/ as <UNIT>.yaml, so nothing in it is read"),
        ("okrs/2026-Q2", "OKR006", "okrs/2026-Q2/ is a symbolic link; okrctl refuses links"),
        ("okrs/stray.yaml", "OKR110", "okrs/stray.yaml must be inside a period directory: okrs/<PERIOD>/<UNIT>.yaml"),
    ]
    assert [f.sha for f in files] == [blob_of(repo, c, f"ws/{f.path}") for f in files]
    # the working tree changes; the revision does not
    write(ws / "okrctl.yaml", "changed: after the commit\n")
    assert src.read("okrctl.yaml") == b"timezone: Asia/Ho_Chi_Minh\n"
    assert src.read("okrs/2026-Q1/phòng-khcn.yaml") == "unit: phòng-khcn\n".encode()
    assert src.read("okrs/2026-Q1/so-tc.yml") == b"unit: so-tc\n"
    assert src.list_files() == (files, errors)
    monkeypatch.delenv("GIT_TRACE")
    assert trace_counts(trace) == {"ls-tree": 1, "cat-file": 1}
    cases = {
        "okrs/2026-H1/big.yaml": ("OKR007", f"okrs/2026-H1/big.yaml is {MAX_FILE_BYTES + 1} bytes; the limit is {MAX_FILE_BYTES}"),
        "units.yaml": ("OKR006", "units.yaml is a symbolic link; okrctl refuses links"),
        "okrs/2026-Q1/link.yaml": ("OKR006", "okrs/2026-Q1/link.yaml is a symbolic link; okrctl refuses links"),
        "okrs/2026-Q2/so-tc.yml": ("OKR006", "okrs/2026-Q2/ is a symbolic link; okrctl refuses links"),
        "okrs/2026-Q1/notes.txt": ("OKR006", "okrs/2026-Q1/notes.txt is not a workspace file"),
        "../elsewhere/okrs/2026-Q1/x.yaml": ("OKR006", "../elsewhere/okrs/2026-Q1/x.yaml is not a workspace file"),
        "okrs/2026-Q4/none.yaml": ("OKR005", f"okrs/2026-Q4/none.yaml does not exist at revision {c[:12]}"),
    }
    wt_source = WorkingTreeSource(ws)
    for path, (code, message) in cases.items():
        with pytest.raises(SourceError) as exc:
            src.read(path)
        assert (exc.value.path, exc.value.code, exc.value.message) == (path, code, message)
        if code != "OKR005":  # the working tree has the same refusals
            with pytest.raises(SourceError) as exc:
                wt_source.read(path)
            assert (exc.value.path, exc.value.code, exc.value.message) == (path, code, message)


def test_git_tree_source_prefetch_reads_only_what_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "repo")
    for i in range(5):
        write(repo / f"okrs/2026-Q1/u{i}.yaml", f"u: {i}\n")
    write(repo / "okrctl.yaml", "a: 1\n")
    c = commit_all(repo, "five")
    src = GitTreeSource(Repo.discover(repo), c, "")
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    src.prefetch(["okrs/2026-Q1/u1.yaml", "okrs/2026-Q1/u3.yaml", "not/listed.yaml"])
    assert src.read("okrs/2026-Q1/u3.yaml") == b"u: 3\n"
    assert src.read("okrs/2026-Q1/u1.yaml") == b"u: 1\n"
    assert trace_counts(trace) == {"ls-tree": 1, "cat-file": 1}
    assert src.read("okrs/2026-Q1/u0.yaml") == b"u: 0\n"  # not prefetched: everything else in one go
    assert src.read("okrs/2026-Q1/u4.yaml") == b"u: 4\n"
    assert src.read("okrctl.yaml") == b"a: 1\n"
    assert trace_counts(trace) == {"ls-tree": 1, "cat-file": 2}


def test_git_tree_source_refuses_submodules_and_linked_okrs(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    write(repo / "okrctl.yaml", "a: 1\n")
    write(repo / "okrs/2026-Q1/a.yaml", "a: 1\n")
    base = commit_all(repo, "base")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{base},okrs/2026-Q3")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{base},units.yaml")
    c = commit_all(repo, "gitlinks", stage=False)
    r = Repo.discover(repo)
    files, errors = GitTreeSource(r, c, "").list_files()
    assert [f.path for f in files] == ["okrctl.yaml", "okrs/2026-Q1/a.yaml"]
    assert [(e.path, e.code, e.message) for e in errors] == [
        ("units.yaml", "OKR006", "units.yaml is a submodule (a link to another repository); okrctl refuses links"),
        ("okrs/2026-Q3", "OKR006", "okrs/2026-Q3/ is a submodule (a link to another repository); okrctl refuses links"),
    ]
    # okrs itself a symlink
    repo2 = init_repo(tmp_path / "repo2")
    write(repo2 / "okrctl.yaml", "a: 1\n")
    write(repo2 / "real/2026-Q1/a.yaml", "a: 1\n")
    os.symlink("real", repo2 / "okrs")
    c2 = commit_all(repo2, "linked okrs")
    files, errors = GitTreeSource(Repo.discover(repo2), c2, "").list_files()
    assert [f.path for f in files] == ["okrctl.yaml"]
    assert [(e.path, e.message) for e in errors] == [("okrs", "okrs/ is a symbolic link; okrctl refuses links")]


# --------------------------------------------------------------------------- names


ODD_NAMES = [
    "phòng-khcn.yaml",  # NFC
    "pho\u0300ng-khcn.yaml",  # the same name in NFD: a different file, kept apart
    "sở KH&CN.yaml",
    "tab\tname.yaml",
    "new\nline.yaml",
    'quote"q.yaml',
    "back\\slash.yaml",
    "-dash.yaml",
    "star*[1].yaml",
    "\udcff-latin1.yaml",  # byte 0xFF: not UTF-8 at all
    "日本.yml",
]


def test_vietnamese_and_odd_names_survive(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    prefix = "kế hoạch [1]"
    sibling = "kế hoạch 1"  # what "[1]" would match as a glob
    for name in ODD_NAMES:
        write(repo / prefix / "okrs/2026-Q1" / name, f"name: {name!r}\n")
    write(repo / prefix / "okrctl.yaml", "a: 1\n")
    write(repo / sibling / "okrctl.yaml", "sibling\n")
    c1 = commit_all(repo, "Thêm kế hoạch quý 1", author="Phạm Thị Đào <dao@example.org>")
    write(repo / sibling / "okrctl.yaml", "sibling changed\n")
    commit_all(repo, "sibling only")
    for name in ODD_NAMES:
        write(repo / prefix / "okrs/2026-Q1" / name, f"changed: {name!r}\n")
    c3 = commit_all(repo, "đổi")

    r = Repo.discover(repo)
    expected_paths = sorted(f"okrs/2026-Q1/{n}" for n in ODD_NAMES)
    assert sorted(p for p, _, _ in r.ls_tree(c1, prefix)) == sorted([*expected_paths, "okrctl.yaml"])
    files, errors = GitTreeSource(r, c3, prefix).list_files()
    assert errors == []
    assert [f.path for f in files] == ["okrctl.yaml", *sorted(expected_paths)]
    src = GitTreeSource(r, c3, prefix)
    for name in ODD_NAMES:
        assert src.read(f"okrs/2026-Q1/{name}") == f"changed: {name!r}\n".encode("utf-8", "surrogateescape")
    assert sorted(p for _, p, _, _ in r.diff_tree(c1, c3, prefix)) == expected_paths
    wt = r.worktree_shas(prefix)
    assert sorted(wt) == sorted([*expected_paths, "okrctl.yaml"])
    for name in ODD_NAMES:
        path = f"okrs/2026-Q1/{name}"
        assert wt[path] == blob_sha((repo / prefix / path).read_bytes())
        full = f"{prefix}/{path}"
        assert [(c.sha, d) for c, d in r.log_path([full])] == [
            (c1, {full: blob_of(repo, c1, full)}), (c3, {full: blob_of(repo, c3, full)})]
    # literal pathspecs: "[1]" is not a glob, so the sibling's commit is not history of the prefix
    assert [c.subject for c, _ in r.log_path([f"{prefix}/okrctl.yaml"])] == ["Thêm kế hoạch quý 1"]
    assert r.log_path([prefix])[0][0].author_name == "Phạm Thị Đào"
    assert [c.subject for c, _ in r.log_path([prefix])] == ["Thêm kế hoạch quý 1", "đổi"]
    assert r.is_clean([prefix]) is True
    write(repo / prefix / "okrs/2026-Q1" / "new\nline.yaml", "dirty\n")
    assert r.is_clean([prefix]) is False
    sha = r.commit_paths([f"{prefix}/okrs/2026-Q1/new\nline.yaml"], "Cập nhật")
    assert r.diff_tree(c3, sha, prefix) == [
        ("M", "okrs/2026-Q1/new\nline.yaml", blob_of(repo, c3, f"{prefix}/okrs/2026-Q1/new\nline.yaml"), blob_sha(b"dirty\n"))]


# --------------------------------------------------------------------------- hostile repository


def sign_head(repo: Path) -> str:
    """Replace HEAD by the same commit carrying a (fake) signature header."""
    raw = git(repo, "cat-file", "commit", "HEAD").encode()
    headers, _, msg = raw.partition(b"\n\n")
    sig = b"gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n =AAAA\n -----END PGP SIGNATURE-----"
    new = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=headers + b"\n" + sig + b"\n\n" + msg).strip()
    git(repo, "update-ref", "refs/heads/main", new)
    return new


def test_hostile_repository_config_never_runs_programs(tmp_path: Path) -> None:
    repo, (c1, _, _) = ws_repo(tmp_path)
    write(repo / "README.md", "read me\n")
    commit_all(repo, "readme", "2026-01-08T09:00:00+07:00")
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 5\n")
    signed = commit_all(repo, "signed", "2026-01-09T09:00:00+07:00")
    signed = sign_head(repo)
    marker = make_hostile(repo, tmp_path)
    # a working tree that makes git want to run fsmonitor and the clean filter
    write(repo / "ws/okrs/2026-Q1/a.yaml", "a: 6\n")
    os.utime(repo / "ws/okrs/2026-Q1/c.yaml", (1_700_000_000, 1_700_000_000))
    write(repo / "ws/okrs/2026-Q2/new.yaml", "new: 1\n")
    write(repo / "README.md", "read me again\n")
    write(repo / "ws/okrs/2026-Q1/empty.yaml", "")

    r = Repo.discover(repo / "ws")
    assert r.head() == signed == r.resolve("HEAD")
    assert r.user_name() == A
    assert r.is_shallow() is False
    files = r.ls_tree(signed, "ws")
    blobs = r.read_blobs(s for _, _, s in files)
    assert blobs[blob_of(repo, signed, "ws/okrs/2026-Q1/a.yaml")] == b"a: 5\n"
    assert [(s, p) for s, p, _, _ in r.diff_tree(c1, signed, "ws")] == [
        ("M", "okrs/2026-Q1/a.yaml"), ("D", "okrs/2026-Q1/b.yaml"), ("A", "okrs/2026-Q1/c.yaml")]
    history = r.log_path(["ws/okrs/2026-Q1/a.yaml"])
    assert [c.subject for c, _ in history] == ["one", "two", "signed"]
    assert history[0][0].author_name == A  # UTF-8 despite i18n.logOutputEncoding
    wt = r.worktree_shas("ws")
    assert wt["okrs/2026-Q1/a.yaml"] == blob_sha(b"a: 6\n")
    assert wt["okrs/2026-Q1/c.yaml"] == blob_of(repo, signed, "ws/okrs/2026-Q1/c.yaml")
    assert r.is_clean(["ws"]) is False
    assert r.is_clean(["ws/okrs/2026-Q1/c.yaml"]) is True
    src = GitTreeSource(r, signed, "ws")
    assert src.read("okrs/2026-Q1/a.yaml") == b"a: 5\n"
    assert r.commit_info(signed).subject == "signed"
    # a path under a configured filter driver is refused, not committed unfiltered
    with pytest.raises(GitError) as exc:
        r.commit_paths(["ws/okrs/2026-Q1/a.yaml"], "checkin")
    assert one_line_error(exc) == ("okrctl will not commit ws/okrs/2026-Q1/a.yaml: its git attributes give it filter "
                                   "'evil', which would run a program; commit it with git yourself")
    write(repo / "NOTES.md", "new, untracked: needs git add\n")
    new = r.commit_paths(["README.md", "NOTES.md"], "docs", sign=False)
    assert git(repo, "show", "--no-patch", "--format=%s|%G?", new).strip() == "docs|N"
    assert git(repo, "diff-tree", "--no-commit-id", "--name-status", "-r", new).splitlines() == ["A\tNOTES.md", "M\tREADME.md"]
    r.tag_annotated("okr/close/2026-Q1", new, "closed\n")
    assert r.tag_message("okr/close/2026-Q1") == "closed\n"
    assert r.tag_target("okr/close/2026-Q1") == new
    assert r.is_ancestor(signed, new) is True
    assert not marker.exists(), marker.read_text()

    # Control: the same repository really is hostile to plain git.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_TRACE")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    for args in (["status"], ["diff"], ["log", "-p", "--no-ext-diff", "-1", "--", "ws"], ["log", "-1"]):
        subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=False)
    roles = {line.split(" ")[0] for line in marker.read_text().splitlines()}
    assert {"fsmonitor", "clean", "diff-command", "textconv", "gpg"} <= roles


def test_user_name_follows_git_author_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name a check-in records is the one git would record for the commit."""
    repo = init_repo(tmp_path / "repo", identity=False)
    git(repo, "config", "user.name", "Lê Văn C")
    r = Repo.discover(repo)
    assert r.user_name() == "Lê Văn C"
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Phạm Thị D")
    assert r.user_name() == "Phạm Thị D"
