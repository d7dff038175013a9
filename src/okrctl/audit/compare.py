"""The comparison behind ``okrctl diff`` and ``okrctl check``.

Both compare two versions of the workspace: BASE, a git revision, and HEAD,
another revision or (by default) the working tree.  Only files whose bytes
differ are read and parsed (plus okrctl.yaml and units.yaml, which are small and
needed on both sides): for two commits ``git diff-tree`` names them; for the
working tree the blob SHAs of BASE (``ls-tree``) are compared with those of the
files on disk (the index's SHAs for untouched files, hashes of the others).

HEAD = the working tree means the workspace as ``okrctl score`` and ``validate``
see it: every ``okrs/<PERIOD>/<UNIT>.yaml`` on disk, tracked or not (an untracked
new file counts as added, a deleted one as removed), whatever ``.gitignore`` says.

``check`` validates HEAD (one call, :func:`okrctl.audit.headcheck.validate_head`:
its errors from the cache, or a load decoding only the records of the settings
and the changed files) and judges the change with
:mod:`okrctl.engine.rules`, whose settings come from BASE.  The rules read BASE's
changed files and settings, plus every file of a closed period to re-score; when
HEAD's records were not all decoded, they read of HEAD the same and what
:func:`_head_for_rules` adds.  A library: no typer, no rich; failures are
:class:`CompareError`.
"""

from __future__ import annotations

from okrctl.model.messages import _

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrctl.errors import OkrctlError
from okrctl.model.problems import INVALID, Problem


class CompareError(OkrctlError):
    """The comparison cannot be made (git trouble, a BASE that cannot be read, a
    HEAD that does not load for ``diff``): exit 2."""


@dataclass
class Outcome:
    """What ``diff`` and ``check`` found."""

    root: Path
    base_rev: str
    base_sha: str
    head_rev: str | None
    head_sha: str | None
    at: date
    changes: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    #: workspace files whose bytes differ
    changed_paths: list[str] = field(default_factory=list)

    @property
    def base_label(self) -> str:
        return self.base_rev

    @property
    def head_label(self) -> str:
        return self.head_rev if self.head_rev is not None else "working tree"

    def span(self) -> str:
        return f"{self.base_label}..{self.head_label}"


class _Only:
    """A view of a Source that lists only some of its paths (the ones to read)."""

    def __init__(self, source, listing, keep: set[str]) -> None:
        self.source = source
        self.label = source.label
        files, errors = listing
        self._files = [f for f in files if f.path in keep]
        self._errors = [e for e in errors if e.path in keep]

    def list_files(self):
        return list(self._files), list(self._errors)

    def read(self, path: str) -> bytes:
        return self.source.read(path)

    def prefetch(self, paths=None) -> None:
        fn = getattr(self.source, "prefetch", None)
        if fn is not None:
            fn(sorted(p for p in (paths if paths is not None else [f.path for f in self._files])))


def compare(root: Path, base_rev: str, head_rev: str | None = None, *, at: date | None = None,
            check: bool = False, cache=None, policy_rev: str | None = None, store=None) -> Outcome:
    """Compare the workspace at ``root`` between ``base_rev`` and ``head_rev``
    (None: the working tree); with ``check`` also apply the rules at ``at`` (J,
    default today in the policy's time zone) with the policy of ``policy_rev``
    (default BASE), of which BASE must be the merge base with the HEAD commit.  Raises :class:`CompareError` for git
    trouble, for a BASE that cannot be read and (without ``check``) for a HEAD
    that does not load.  ``store``: the loader's persistent cache
    (:func:`okrctl.read.loader.open_record_cache`), for every load of both sides."""
    from okrctl import gitio

    try:
        return _compare(root, base_rev, head_rev, at=at, check=check, cache=cache, policy_rev=policy_rev, store=store)
    except gitio.GitError as exc:
        raise CompareError(exc.message) from None


def _shallow_hint(repo, message: str) -> CompareError:
    """A git read failure; in a shallow clone, say how to get the history."""
    if repo.is_shallow():
        return CompareError(_("{message}; this is a shallow clone, so the history may be missing: fetch all of it with `git fetch --unshallow`, or set `fetch-depth: 0` in actions/checkout").format(message=message))
    return CompareError(message)


def _changed_paths(repo, prefix: str, base_sha: str, head_sha: str | None, base_src, base_listing,
                   head_src, head_listing) -> tuple[dict[str, str | None], set[str]]:
    """({HEAD path: blob SHA, None when unknown}, the workspace paths whose bytes
    differ).  Two commits: the paths ``diff-tree`` names.  The working tree: the
    SHAs on disk (from the index for untouched files) against BASE's ``ls-tree``;
    an untracked file also present at BASE is compared byte for byte.  A refused
    entry (a symlink, ...) counts as changed unless it is refused alike on both
    sides."""
    base_sha_of = {f.path: f.sha for f in base_listing[0]}
    base_err = {e.path: e.message for e in base_listing[1]}
    head_err = {e.path: e.message for e in head_listing[1]}
    if head_sha is not None:
        head_sha_of: dict[str, str | None] = {f.path: f.sha for f in head_listing[0]}
        candidates = {p for _unused, p, _unused, _unused in repo.diff_tree(base_sha, head_sha, prefix)}
    else:
        on_disk = repo.worktree_shas(prefix)
        if hasattr(head_src, "shas") and repo.object_format == "sha1":
            head_src.shas = on_disk  # the full load of `check` then reads no unchanged file
        head_sha_of = {f.path: on_disk.get(f.path) for f in head_listing[0]}
        candidates = set(base_sha_of) | set(head_sha_of)
    changed: set[str] = set()
    unknown: list[str] = []
    for p in candidates | set(base_err) | set(head_err):
        if p in base_err or p in head_err:
            if base_err.get(p) != head_err.get(p):
                changed.add(p)
        elif p in base_sha_of and p in head_sha_of:
            if head_sha_of[p] is None:
                unknown.append(p)
            elif head_sha_of[p] != base_sha_of[p]:
                changed.add(p)
        elif p in base_sha_of or p in head_sha_of:  # on one side only
            changed.add(p)
    if unknown:
        base_src.prefetch(unknown)
        for p in unknown:
            try:
                if base_src.read(p) != head_src.read(p):
                    changed.add(p)
            except Exception:  # unreadable on a side: the loader reports it
                changed.add(p)
    return head_sha_of, changed


def _policy_base(repo, base_rev: str, base_sha: str, head_sha: str | None, policy_rev: str | None,
                 policy_sha: str) -> None:
    """BASE must be the merge base of the policy revision and the HEAD commit
    (docs/ci.md), so a branch cannot choose an older, laxer policy."""
    head_commit = head_sha or repo.head()
    if head_commit is None:
        return
    mb = repo.merge_base(policy_sha, head_commit)
    if mb == base_sha:
        return
    if mb is None:
        raise CompareError(_("BASE {base_rev} is not an ancestor of HEAD and shares no history with it; check against the branch the change will merge into").format(base_rev=base_rev))
    if policy_rev is None:
        raise CompareError(_("BASE {base_rev} is not an ancestor of HEAD (their merge base is {mb}): run okrctl check {mb} --policy {base_rev}").format(base_rev=base_rev, mb=mb))
    raise CompareError(_("BASE {base_rev} is not the merge base of the policy revision {policy_rev} and HEAD (that is {mb}): run okrctl check {mb} --policy {policy_rev}").format(base_rev=base_rev, policy_rev=policy_rev, mb=mb))


def _compare(root: Path, base_rev: str, head_rev: str | None, *, at: date | None, check: bool, cache,
             policy_rev: str | None = None, store=None) -> Outcome:
    from okrctl import gitio
    from okrctl.engine import rules
    from okrctl.engine.diff import Version, compare_versions
    from okrctl.model import dates
    from okrctl.model.layout import CI_CONFIG_PATHS, CONFIG_FILE, UNITS_FILE, path_order, period_of_path
    from okrctl.read.loader import LoadResult, ParseCache, load_workspace
    from okrctl.model.records import Config, Workspace
    from okrctl.read.source import WorkingTreeSource

    cache = cache or ParseCache()
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    base_sha = repo.resolve(base_rev)
    head_sha = repo.resolve(head_rev) if head_rev is not None else None
    policy_sha = repo.resolve(policy_rev) if policy_rev is not None else base_sha
    if check:
        _policy_base(repo, base_rev, base_sha, head_sha, policy_rev, policy_sha)

    base_src = gitio.GitTreeSource(repo, base_sha, prefix)
    try:
        base_listing = base_src.list_files()
    except gitio.GitError as exc:
        raise _shallow_hint(repo, f"cannot read revision {base_rev}: {exc.message}") from None
    base_sha_of = {f.path: f.sha for f in base_listing[0]}
    base_err = {e.path: e.message for e in base_listing[1]}

    head_src = gitio.GitTreeSource(repo, head_sha, prefix) if head_sha is not None else WorkingTreeSource(root)
    head_listing = head_src.list_files()
    head_err = {e.path: e.message for e in head_listing[1]}
    head_sha_of, changed = _changed_paths(repo, prefix, base_sha, head_sha, base_src, base_listing, head_src, head_listing)

    def load(src, listing, keep: set[str]):
        if isinstance(src, gitio.GitTreeSource) and store is not None:
            return load_workspace(_Only(src, listing, keep), today=None, cache=cache, store=store)  # fetches its misses
        if isinstance(src, gitio.GitTreeSource):  # one cat-file for these blobs, not the whole tree
            src.prefetch(sorted(keep))
        return load_workspace(_Only(src, listing, keep), today=None, cache=cache, store=store)

    settings = {CONFIG_FILE, UNITS_FILE}
    base_keep = settings | changed
    # a BASE without okrctl.yaml: the change creates the workspace, nothing to judge it by
    created = CONFIG_FILE not in base_sha_of and CONFIG_FILE not in base_err
    if created:
        base_res = LoadResult(Workspace(Config(name=""), (), (), label=base_rev), [], {})
    else:
        base_res = load(base_src, base_listing, base_keep)
        _require_base(repo, base_rev, base_res, base_keep)
    base_ws = base_res.workspace
    assert base_ws is not None

    def today_of(config: Config) -> date:  # an unknown time zone (OKR241): UTC
        return dates.today(config, on_unknown_zone="utc")

    policy_ws = base_ws
    if check and policy_sha != base_sha:
        policy_src = gitio.GitTreeSource(repo, policy_sha, prefix)
        try:
            policy_listing = policy_src.list_files()
        except gitio.GitError as exc:
            raise _shallow_hint(repo, f"cannot read revision {policy_rev}: {exc.message}") from None
        policy_res = load(policy_src, policy_listing, settings)
        _require_base(repo, policy_rev or "", policy_res, settings)
        policy_ws = policy_res.workspace
        assert policy_ws is not None

    if check:  # J is today per BASE's time zone (per HEAD's when BASE has none)
        from okrctl.audit.headcheck import validate_head

        J_or_fn = at or (today_of if created else today_of(policy_ws.config))
        validation = validate_head(head_src, today=J_or_fn, cache=cache, store=store, working_tree=head_sha is None,
                                   needed=settings | changed)
        head_res = validation.result
        head_diags = validation.diagnostics
        if head_res is None:  # from the cache: the rules' HEAD files are loaded below
            head_res = load(head_src, head_listing, settings | changed)
            head_diags = head_diags + [d for d in head_res.diagnostics if d.code == "OKR005"]  # git lost a blob since
    else:
        head_res = load(head_src, head_listing, settings | changed)
        head_diags = head_res.diagnostics
    config_of_j = head_res.workspace.config if created and head_res.workspace is not None else policy_ws.config
    J = at or today_of(config_of_j)
    if head_sha is not None:
        _require_readable(repo, head_rev or "", head_diags)

    out = Outcome(root, base_rev, base_sha, head_rev, head_sha, J, changed_paths=sorted(changed))
    invalid: list = []
    if check:
        invalid = [Problem.finding(INVALID, "error", d.path, d.path, d.line, _("{code} {message}").format(code=d.code, message=d.message), d.column)
                   for d in head_diags if d.severity == "error"]
    if head_res.workspace is None:
        if check:
            out.findings = invalid
            return out
        first = next((d for d in head_res.diagnostics if d.severity == "error"), None)
        detail = f": {first.path}:{first.line}: {first.message}" if first else ""
        raise CompareError(_("cannot compare: the workspace at {head_label} does not load{detail} (okrctl validate)").format(head_label=out.head_label, detail=detail))

    head_ws = head_res.workspace
    if check and not created:  # BASE files of the closed periods whose scores may move
        period_ids = {period_of_path(p) for p in (*base_sha_of, *head_sha_of)} - {None}
        closed = set(rules.periods_to_rescore(policy_ws.config, changed, J, period_ids))
        more = {p for p in base_sha_of if period_of_path(p) in closed}
        if changed & settings:  # policy-changed lists the open periods' roll-ups it moves
            more |= {p for p in base_sha_of if period_of_path(p) not in (None, *closed)}
        if more - base_keep:
            base_keep |= more
            base_res = load(base_src, base_listing, base_keep)
            _require_base(repo, base_rev, base_res, base_keep)
            base_ws = base_res.workspace
            assert base_ws is not None
        if validation.partial:  # HEAD's records are not all loaded: load what the rules read of it
            head_ws = _head_for_rules(
                repo, prefix, base_sha, head_sha, head_listing, head_ws, base_ws, changed,
                closed if validation.ok else set(), validation, policy_ws.config, J,
                lambda keep: _readable(repo, head_rev, load(head_src, head_listing, keep)).workspace,
                lambda: load_workspace(head_src, today=J_or_fn, cache=cache, parallel=True, store=store).workspace)

    base_v = Version(base_rev, base_ws, base_res.documents, frozenset(base_sha_of) | frozenset(base_err), base_res.diagnostics)
    head_v = Version(out.head_label, head_ws, head_res.documents, frozenset(head_sha_of) | frozenset(head_err), head_diags)
    changes, unreadable = compare_versions(base_v, head_v, changed)
    out.changes = changes
    notes = []
    base_unreadable = []
    for u in unreadable:
        d = u.diagnostic
        if check and u.side == "head":
            continue  # already reported as invalid
        if check:  # base-unreadable: never a pass
            base_unreadable.append(d)
            continue
        severity = "error" if u.side == "head" else "warning"
        notes.append(Problem.finding(INVALID, severity, d.path, d.path, d.line,
                                   _("not compared: {path} does not load at {label} ({code} {message})").format(path=d.path, label=u.label, code=d.code, message=d.message)))
    found = notes
    if check and created:
        found = invalid + [Problem.finding("policy-changed", "warning", CONFIG_FILE, CONFIG_FILE, 1,
                                         _("{CONFIG_FILE} was added: the workspace starts with this change, so no rule applies to it yet (only its validity is checked)").format(CONFIG_FILE=CONFIG_FILE))]
    elif check:
        ok = not any(d.severity == "error" for d in head_diags)
        ci = repo.changed_between(base_sha, head_sha, list(CI_CONFIG_PATHS))
        found = invalid + notes + rules.check_change(
            base_ws, head_ws, changes, J, score_closed=ok, policy=(policy_ws.config, policy_ws.units),
            base_unreadable=base_unreadable, ci_changed=ci)
        from okrctl.audit.evidence import RULE, evidence_rewrites

        found += evidence_rewrites(repo, prefix, base_sha, head_sha, base_ws, head_ws, changed,
                                   rules.severity_of(policy_ws.config, RULE))
    out.findings = sorted(found, key=lambda f: (path_order(f.path), f.line, f.rule, f.ref))
    return out


def _head_for_rules(repo, prefix: str, base_sha: str, head_sha: str | None, head_listing, head_ws, base_ws,
                    changed: set[str], closed: set[str], validation, config, J: date, load, load_all):
    """HEAD as the rules read it, when its validation came from the cache or decoded
    only okrctl.yaml, units.yaml and the changed files (``head_ws``): all of
    it (``load_all()``, the full load) when a settings file changed (policy-changed
    scores the open periods); else also the files of the closed periods to
    re-score (``closed``), of the periods whose aligned KRs' feeders moved after
    the lock, and of the check-ins that pin evidence that changed (``load(paths)``,
    from the cache; an unchanged file BASE has loaded is taken from ``base_ws``).
    Unchanged files are identical at BASE and HEAD (same blob id), so nothing else
    can produce a finding."""
    from dataclasses import replace

    from okrctl.engine import rules
    from okrctl.model.layout import is_settings_file, period_of_path

    if any(is_settings_file(p) for p in changed):
        return load_all()
    listed = {f.path for f in head_listing[0]}
    keep = {p for p in listed if is_settings_file(p) or p in changed or period_of_path(p) in closed}
    feeders = set(rules.feeder_periods(config, base_ws, head_ws, changed, J))
    keep |= {p for p in listed if period_of_path(p) in feeders}
    if validation.pins and rules.severity_of(config, "checkin-rewritten") is not None:
        def full(p: str) -> str:
            return f"{prefix}/{p}" if prefix else p

        moved = set(repo.changed_between(base_sha, head_sha, sorted({full(e) for e, _f in validation.pins})))
        keep |= {f for e, f in validation.pins if full(e) in moved}
    # an unchanged file's records at BASE are HEAD's: same blob, path and settings
    reuse = {f.path: f for f in base_ws.files if f.path in keep and f.path not in changed}
    need = {p for p in keep if p not in reuse}
    ws = head_ws if need <= {f.path for f in head_ws.files} | set(filter(is_settings_file, need)) else load(need)
    if reuse:
        ws = replace(ws, files=tuple(sorted((*ws.files, *reuse.values()), key=lambda f: f.path)))
    # the rules score HEAD only when it validates, as the full load would have it: no invalid file
    return replace(ws, invalid=frozenset()) if validation.ok else ws


def _require_base(repo, base_rev: str, res, keep: set[str]) -> None:
    """BASE must load: its settings decide the rules, and a file that cannot be
    read from git (a shallow clone) is exit 2, never a silent gap."""
    missing = [d for d in res.diagnostics if d.code == "OKR005" and d.path in keep]
    if missing:
        raise _shallow_hint(repo, f"BASE {base_rev}: {missing[0].message}")
    if res.workspace is None:
        first = next((d for d in res.diagnostics if d.severity == "error"), None)
        detail = f"{first.path}:{first.line}: {first.code} {first.message}" if first else "okrctl.yaml or units.yaml is unusable"
        raise CompareError(_("cannot use the workspace at {base_rev} as the base: {detail}").format(base_rev=base_rev, detail=detail))


def _readable(repo, rev: str | None, res):
    """``res``, a load of HEAD, when git gave every blob of it."""
    if rev is not None:
        _require_readable(repo, rev, res.diagnostics)
    return res


def _require_readable(repo, rev: str, diagnostics) -> None:
    missing = [d for d in diagnostics if d.code == "OKR005"]
    if missing:
        raise _shallow_hint(repo, f"HEAD {rev}: {missing[0].message}")

