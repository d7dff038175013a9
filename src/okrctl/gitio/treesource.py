""":class:`GitTreeSource`: the workspace as it is in a commit, read from the
object database (never the working tree)."""

from __future__ import annotations

from okrctl.model.messages import _

from collections.abc import Iterable
from typing import TYPE_CHECKING

from okrctl.gitio.paths import _LINK_MODES, _REGULAR_MODES, _check_prefix, _check_sha
from okrctl.model.layout import OKRS_DIR, SETTINGS_FILES, period_dir
from okrctl.read.source import MAX_FILE_BYTES, SourceError, SourceFile, _is_wanted, is_yaml_name, subfolder_error

if TYPE_CHECKING:
    from okrctl.gitio.repo import Repo


class GitTreeSource:
    """:class:`okrctl.read.source.Source` for the workspace at ``prefix`` (relative to
    the repository root, '' for the root) in commit ``sha``.  One ``ls-tree`` for
    the listing and one ``cat-file --batch`` for the contents, whatever the number
    of files; nothing in the working tree is consulted."""

    def __init__(self, repo: Repo, sha: str, prefix: str) -> None:
        self.repo = repo
        self.sha = _check_sha(sha)
        self.prefix = _check_prefix(prefix)
        self.label = f"revision {sha[:12]}"
        self._listing: tuple[list[SourceFile], list[SourceError]] | None = None
        self._blobs: dict[str, bytes] = {}
        self._too_large: dict[str, int] = {}
        self._missing: set[str] = set()
        self._fetched = False
        self._sha_of: dict[str, str] = {}
        self._error_of: dict[str, SourceError] = {}

    def list_files(self) -> tuple[list[SourceFile], list[SourceError]]:
        if self._listing is None:
            self._listing = self._list()
            self._sha_of = {f.path: f.sha for f in self._listing[0] if f.sha is not None}
            self._error_of = {e.path: e for e in self._listing[1]}
        return list(self._listing[0]), list(self._listing[1])

    def _list(self) -> tuple[list[SourceFile], list[SourceError]]:
        entries = {path: (mode, obj) for path, mode, obj in self.repo.ls_tree(self.sha, self.prefix, trees=True)}
        files: list[SourceFile] = []
        errors: list[SourceError] = []

        def consider(rel: str) -> None:
            got = entries.get(rel)
            if got is None:
                return
            mode, obj = got
            if mode in _REGULAR_MODES:
                files.append(SourceFile(rel, obj))
            elif mode == "120000":
                errors.append(SourceError(rel, _("{rel} is a symbolic link; okrctl refuses links").format(rel=rel), "OKR006"))
            elif mode == "160000":
                errors.append(SourceError(rel, _("{rel} is a submodule (a link to another repository); okrctl refuses links").format(rel=rel), "OKR006"))
            else:
                errors.append(SourceError(rel, _("{rel} is not a regular file").format(rel=rel), "OKR006"))

        for name in SETTINGS_FILES:
            consider(name)
        okrs = entries.get(OKRS_DIR)
        if okrs is None:
            return files, errors
        if okrs[0] == "120000":
            errors.append(SourceError(OKRS_DIR, _("okrs/ is a symbolic link; okrctl refuses links"), "OKR006"))
            return files, errors
        if okrs[0] == "160000":
            errors.append(SourceError(OKRS_DIR, _("okrs/ is a submodule (a link to another repository); okrctl refuses links"), "OKR006"))
            return files, errors
        if okrs[0] != "040000":
            errors.append(SourceError(OKRS_DIR, _("okrs is not a directory"), "OKR006"))
            return files, errors
        periods: dict[str, str] = {}
        children: dict[str, list[str]] = {}
        for path, (mode, _unused) in entries.items():
            parts = path.split("/")
            if len(parts) == 2 and parts[0] == OKRS_DIR:
                periods[parts[1]] = mode
            elif len(parts) == 3 and parts[0] == OKRS_DIR:
                children.setdefault(parts[1], []).append(parts[2])
        for name in sorted(periods):
            mode = periods[name]
            rel_dir = period_dir(name)
            if mode in _LINK_MODES:
                kind = "a symbolic link" if mode == "120000" else "a submodule (a link to another repository)"
                errors.append(SourceError(rel_dir, _("{rel_dir}/ is {kind}; okrctl refuses links").format(rel_dir=rel_dir, kind=kind), "OKR006"))
                continue
            if mode != "040000":
                if name.endswith((".yaml", ".yml")):
                    errors.append(SourceError(rel_dir, _("{rel_dir} must be inside a period directory: okrs/<PERIOD>/<UNIT>.yaml").format(rel_dir=rel_dir), "OKR110"))
                continue
            for fname in sorted(children.get(name, [])):
                if entries[f"{rel_dir}/{fname}"][0] == "040000":
                    err = subfolder_error(rel_dir, fname)
                    if err:
                        errors.append(err)
                    continue
                if is_yaml_name(fname):
                    consider(f"{rel_dir}/{fname}")
        return files, errors

    def prefetch(self, paths: Iterable[str] | None = None) -> None:
        """Read the blobs of ``paths`` (default: every listed file) in one
        ``cat-file --batch``.  :meth:`read` does this for every file on first use;
        a loader that knows its cache misses can call it with just those first."""
        self.list_files()
        if paths is None:
            self._fetched = True
            shas = list(self._sha_of.values())
        else:
            shas = [self._sha_of[p] for p in paths if p in self._sha_of]
        known = self._blobs.keys() | self._too_large.keys() | self._missing
        shas = [s for s in dict.fromkeys(shas) if s not in known]
        if not shas:
            return
        got = self.repo.read_blobs(shas)
        self._blobs.update(got)
        self._too_large.update(got.too_large)
        self._missing.update(got.missing)

    def read(self, path: str) -> bytes:
        self.list_files()
        parts = path.split("/")
        for i in range(len(parts), 0, -1):  # the file itself, or a linked directory above it
            err = self._error_of.get("/".join(parts[:i]))
            if err is not None and (i == len(parts) or err.code == "OKR006"):
                raise SourceError(path, err.message, err.code)
        sha = self._sha_of.get(path)
        if sha is None:
            if not _is_wanted(path):
                raise SourceError(path, _("{path} is not a workspace file").format(path=path), "OKR006")
            raise SourceError(path, _("{path} does not exist at {label}").format(path=path, label=self.label))
        if sha not in self._blobs and sha not in self._too_large and sha not in self._missing:
            self.prefetch(None if not self._fetched else [path])
        if sha in self._blobs:
            return self._blobs[sha]
        if sha in self._too_large:
            raise SourceError(path, _("{path} is {too_large} bytes; the limit is {MAX_FILE_BYTES}").format(path=path, too_large=self._too_large[sha], MAX_FILE_BYTES=MAX_FILE_BYTES), "OKR007")
        raise SourceError(path, _("cannot read {path} at {label}: git object {sha} is missing (shallow or partial clone?)").format(path=path, label=self.label, sha=sha[:12]))
