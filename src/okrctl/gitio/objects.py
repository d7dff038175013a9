"""Reading git's object database: tree listings, blob contents, tree diffs.

Nothing here looks at the working tree, so clean/smudge filters, textconv,
external diff, fsmonitor and hooks never run on this path (the CI path).  Blobs
are read through ONE ``git cat-file --batch`` process whatever their number.
"""

from __future__ import annotations

from okrctl.model.messages import _

import subprocess
import threading
from collections.abc import Iterable

from okrctl.gitio.paths import _NULL_SHA_RE, _check_prefix, _check_sha, _dec, _pathspec, _strip_prefix
from okrctl.gitio.run import Git, GitError, _command, _env, _failure, _printable
from okrctl.read.source import MAX_FILE_BYTES


class BlobMap(dict[str, bytes]):
    """Result of :meth:`Repo.read_blobs`: ``{sha: bytes}`` for the blobs read,
    plus ``too_large`` (``{sha: size}``, not read) and ``missing`` (SHAs that are
    not blobs in the object database, e.g. cut off by a shallow or partial clone)."""

    def __init__(self) -> None:
        super().__init__()
        self.too_large: dict[str, int] = {}
        self.missing: set[str] = set()



class ObjectReader:
    """Trees and blobs of one repository, by full SHA (:class:`~okrctl.gitio.Repo`
    hands its ``ls_tree``, ``read_blobs`` and ``diff_tree`` to this)."""

    def __init__(self, git: Git) -> None:
        self._git = git

    def ls_tree(self, sha: str, prefix: str, *, trees: bool = False) -> list[tuple[str, str, str]]:
        """``(path relative to prefix, mode, object sha)`` for every blob (and, with
        ``trees``, every tree) below ``prefix`` in commit ``sha``, recursively, in
        git's order.  Mode ``120000`` is a symlink, ``160000`` a submodule."""
        _check_sha(sha)
        prefix = _check_prefix(prefix)
        args = ["ls-tree", "-r", "-z", "--full-tree"] + (["-t"] if trees else []) + ["--end-of-options", sha] + _pathspec(prefix)
        out = self._git.out(args)
        result: list[tuple[str, str, str]] = []
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _unused, path_b = rec.partition(b"\t")
            mode, _type, obj = meta.decode("ascii").split(" ")
            rel = _strip_prefix(_dec(path_b), prefix)
            if rel is None or rel == "":
                continue
            result.append((rel, mode, obj))
        return result

    def read_blobs(self, shas: Iterable[str], *, limit: int = MAX_FILE_BYTES, timeout: float = 120) -> BlobMap:
        """The content of many blobs through ONE ``git cat-file --batch`` process.
        Blobs larger than ``limit`` are not kept (their size goes to
        ``result.too_large``); unknown objects and non-blobs go to ``result.missing``."""
        wanted = list(dict.fromkeys(_check_sha(s, "blob") for s in shas))
        result = BlobMap()
        if not wanted:
            return result
        cmd = _command(["cat-file", "--batch", "--buffer"], ())
        try:
            proc = subprocess.Popen(cmd, cwd=str(self._git.toplevel), env=_env(), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, shell=False)
        except OSError as exc:
            raise GitError(_("cannot run git: {value}").format(value=exc.strerror or exc)) from None
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        def feed() -> None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(b"".join(s.encode("ascii") + b"\n" for s in wanted))
                proc.stdin.close()
            except OSError:
                pass

        err_chunks: list[bytes] = []

        def drain() -> None:
            assert proc.stderr is not None
            err_chunks.append(proc.stderr.read())

        timer = threading.Timer(timeout, kill)
        threads = [threading.Thread(target=feed, daemon=True), threading.Thread(target=drain, daemon=True)]
        timer.start()
        for t in threads:
            t.start()
        out = proc.stdout
        assert out is not None
        complete = False
        try:
            complete = self._read_batch(out, wanted, limit, result)
        finally:
            out.close()
            rc = proc.wait()
            timer.cancel()
            for t in threads:
                t.join(5)
            for pipe in (proc.stdin, proc.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()
        if timed_out.is_set():
            raise GitError(_("git cat-file timed out after {timeout:g} s in {printable}").format(timeout=timeout, printable=_printable(str(self._git.toplevel))))
        if rc != 0 or not complete:
            raise _failure(["cat-file"], self._git.toplevel, rc or 1, b"".join(err_chunks) or b"fatal: unexpected end of output")
        return result

    @staticmethod
    def _read_batch(out, wanted: list[str], limit: int, result: BlobMap) -> bool:
        """Consume ``cat-file --batch`` output for ``wanted``; False on a short read."""
        for sha in wanted:
            header = out.readline()
            if not header.endswith(b"\n"):
                return False
            parts = header.split()
            if len(parts) != 3 or not parts[2].isdigit():
                result.missing.add(sha)  # "<sha> missing"
                continue
            kind, size = parts[1], int(parts[2])
            if kind == b"blob" and size <= limit:
                data = out.read(size)
                if len(data) != size:
                    return False
                result[sha] = data
            else:  # skip the content without keeping it
                left = size
                while left > 0:
                    chunk = out.read(min(left, 1 << 16))
                    if not chunk:
                        return False
                    left -= len(chunk)
                if kind == b"blob":
                    result.too_large[sha] = size
                else:
                    result.missing.add(sha)
            if out.read(1) != b"\n":
                return False
        return True

    def diff_tree(self, a: str, b: str, prefix: str) -> list[tuple[str, str, str | None, str | None]]:
        """Files that differ below ``prefix`` between commits ``a`` and ``b``:
        ``(status, path relative to prefix, old blob sha or None, new blob sha or
        None)`` with status ``A``, ``M`` or ``D`` (a type change, e.g. file to
        symlink, is reported as ``M``; read the files through
        :class:`GitTreeSource`, which refuses links).  Renames are an add plus a
        delete."""
        _check_sha(a)
        _check_sha(b)
        prefix = _check_prefix(prefix)
        out = self._git.out(["diff-tree", "-r", "-z", "--no-renames", "--raw", "--no-abbrev", "--no-ext-diff",
                             "--no-textconv", "--ignore-submodules=none", "--end-of-options", a, b, *(["--", prefix] if prefix else ["--"])])
        result: list[tuple[str, str, str | None, str | None]] = []
        for status, path, old, new in _parse_raw(out.split(b"\0")):
            rel = _strip_prefix(path, prefix)
            if rel:
                result.append((status, rel, old, new))
        return result


    def changed_between(self, a: str, b: str | None, pathspecs: list[str]) -> list[str]:
        """Paths under ``pathspecs`` (literal, from the repository root) that differ
        between commit ``a`` and commit ``b`` or, with None, the tracked files of
        the working tree."""
        _check_sha(a)
        if b is not None:
            _check_sha(b)
        out = self._git.out(["--literal-pathspecs", "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
                             "--no-textconv", "--end-of-options", a, *([b] if b else []), "--", *pathspecs])
        return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def _parse_raw(tokens: list[bytes]) -> Iterable[tuple[str, str, str | None, str | None]]:
    """``--raw -z --no-renames`` records: ``:oldmode newmode old new S\\0path\\0``."""
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if not tok:
            continue
        if not tok.startswith(b":") or i >= n:
            raise GitError(_("unexpected output from git diff-tree"))
        yield _raw_entry(tok, tokens[i])
        i += 1


def _raw_entry(meta: bytes, path_b: bytes) -> tuple[str, str, str | None, str | None]:
    parts = meta[1:].decode("ascii", "replace").split(" ")
    if len(parts) != 5:
        raise GitError(_("unexpected raw diff output from git"))
    _om, _nm, old, new, status = parts
    letter = status[:1]
    if letter == "T":
        letter = "M"
    if letter not in ("A", "M", "D"):
        raise GitError(_("unexpected change status {status!r} from git").format(status=status))
    return (letter, _dec(path_b),
            None if _NULL_SHA_RE.fullmatch(old) else old,
            None if _NULL_SHA_RE.fullmatch(new) else new)


