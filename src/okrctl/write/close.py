"""``okrctl close`` and ``okrctl verify``: lock a period in okrctl.yaml and tag the commit
with its final scores; later, compare those scores with the ones recomputed from the
tagged tree and from HEAD."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext

import json
from dataclasses import dataclass, field
from pathlib import Path

from okrctl import __version__
from okrctl.engine import closed
from okrctl.model.periods import Period, is_period_id, parse_period
from okrctl.model.layout import CONFIG_FILE, UNITS_FILE, is_settings_file, period_dir
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource, blob_sha
from okrctl.write import fsio
from okrctl.write.errors import BadInput, Refused, WriteRefused
from okrctl.write.workspace import _diag_line, _load, _today_in, _validate_change, _workspace_of

__all__ = ["CloseResult", "VerifyResult", "close_period", "parse_tag_message", "verify_period"]


TAG_PREFIX = "okr/close/"


def close_tag(period_id: str) -> str:
    return f"{TAG_PREFIX}{period_id}"


def tag_message(period: Period, payload: dict) -> str:
    body = {"okrctl": __version__, "period": period.id, "as_of": period.end.isoformat(), "scores": payload}
    return (f"okrctl close {period.id}: final scores as of {period.end}\n\n"
            + json.dumps(body, ensure_ascii=False, indent=2) + "\n")


#: limits on what ``verify`` reads from a tag message (a tag is untrusted input: anyone
#: who can push a tag wrote it).  A real record is a few hundred KB at most.
MAX_TAG_MESSAGE = 16 << 20
MAX_JSON_DEPTH = 64


def _json_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON ``text`` (strings skipped), found in
    one linear pass, so a 100,000-deep array is refused before ``json.loads`` recurses."""
    import re

    depth = deepest = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth -= 1
    return deepest


def parse_tag_message(message: str) -> dict:
    """The close record in a tag message; ``ValueError`` (one line) when there is none,
    it is over :data:`MAX_TAG_MESSAGE` characters or nested deeper than
    :data:`MAX_JSON_DEPTH`, or it is not valid JSON."""
    if len(message) > MAX_TAG_MESSAGE:
        raise ValueError(f"the tag message is {len(message)} characters; okrctl reads at most {MAX_TAG_MESSAGE}")
    _unused, sep, body = message.partition("\n\n")
    start = body.find("{")
    if not sep or start < 0:
        raise ValueError("the tag message holds no okrctl JSON")
    if _json_depth(body[start:]) > MAX_JSON_DEPTH:
        raise ValueError(f"the tag message's JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(body[start:])
    except ValueError as exc:
        raise ValueError(f"the tag message's JSON does not parse: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("scores"), dict) or "period" not in data:
        raise ValueError("the tag message's JSON is not an okrctl close record")
    return data


@dataclass
class CloseResult:
    period: str
    tag: str
    commit: str
    committed: bool  # False when okrctl.yaml already listed the period
    warnings: list[str]
    payload: dict
    #: with ``dry_run``: okrctl.yaml before and after (nothing was written)
    old_config: bytes = b""
    new_config: bytes = b""
    dry_run: bool = False

    def config_diff(self) -> str:
        """The change to okrctl.yaml as a unified diff (what ``--dry-run`` prints)."""
        import difflib

        return "".join(difflib.unified_diff(self.old_config.decode("utf-8").splitlines(True),
                                            self.new_config.decode("utf-8").splitlines(True),
                                            f"a/{CONFIG_FILE}", f"b/{CONFIG_FILE}"))


def _period_paths(prefix: str, period_id: str) -> tuple[str, list[str]]:
    def j(p: str) -> str:
        return f"{prefix}/{p}" if prefix else p

    return j(period_dir(period_id)), [j(period_dir(period_id)), j(CONFIG_FILE), j(UNITS_FILE)]


def close_period(root: Path, period_id: str, *, sign: bool = False, lock_timeout: float = 10.0,
                 dry_run: bool = False, force: bool = False) -> CloseResult:
    """Close a period: refuse while its files (or okrctl.yaml, units.yaml) are invalid or
    have uncommitted changes, when its tag exists, or -- unless ``force`` -- while it
    has not ended by the scoring date (``as_of`` of okrctl.yaml, else today); add it to
    ``policy.locked_periods`` in okrctl.yaml and commit that file alone; tag the commit
    ``okr/close/<PERIOD>`` (annotated, signed with ``sign``) with the final scores as of
    the period's end, computed from the committed tree.  ``dry_run``: every check,
    then the change and the scores the tag would hold, nothing written."""
    from okrctl import gitio

    root = Path(root).resolve()
    base = WorkingTreeSource(root)
    res = _load(base)
    ws = _workspace_of(res)
    try:
        period = parse_period(period_id, ws.config.fiscal_year_start)
    except ValueError as exc:
        raise BadInput(_("PERIOD: {exc}").format(exc=exc)) from None
    if not ws.files_for(period.id):
        raise BadInput(_("{id} has no files (okrs/{id}/); nothing to close").format(id=period.id))
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    tag = close_tag(period.id)
    if repo.tag_target(tag) is not None:
        raise Refused(_("{id} is already closed: the tag {tag} exists (okrctl verify {id} checks it)").format(id=period.id, tag=tag))
    bad = [d for d in res.diagnostics if d.severity == "error"
           and (d.path.startswith(period_dir(period.id) + "/") or is_settings_file(d.path))]
    if bad:
        raise Refused(ngettext("{period} has {n} error; fix it before closing the period (okrctl validate)",
                               "{period} has {n} errors; fix them before closing the period (okrctl validate)", len(bad)).format(period=period.id),
                      [_diag_line(d) for d in bad[:20]])
    pdir, paths = _period_paths(prefix, period.id)
    dirty = [p for p in repo.changed_paths(paths)
             if not (p.startswith(pdir + "/") and p.rsplit("/", 1)[-1].startswith("."))]
    if dirty:
        raise Refused(_("uncommitted changes in {dirty}{value}; commit them before closing {id}").format(dirty=', '.join(dirty[:5]), value=' …' if len(dirty) > 5 else '', id=period.id),
                      [f"uncommitted: {p}" for p in dirty])
    warnings: list[str] = []
    D = ws.config.as_of or _today_in(ws.config)  # the scoring date (docs/scoring.md)
    if D <= period.end:
        if not force:
            raise Refused(_("{id} has not ended by the scoring date {D} (it ends on {end}); closing it now would freeze its scores as of {end} and lock it: pass --force to close it anyway").format(id=period.id, D=D, end=period.end))
        warnings.append(_("{id} has not ended by the scoring date {D} (it ends on {end}); closing it now freezes its scores as of that day").format(id=period.id, D=D, end=period.end))
    from okrctl.engine.scoring import score_workspace

    final = score_workspace(ws, period, period.end)
    for o in final.objectives():
        # as of the end itself statuses still follow the pace; "missed" is what they become
        # the day after (docs/scoring.md): a score below T, or none
        missed = not o.cancelled and (o.score is None or o.score < o.T)
        if missed and o.objective.kind == "committed" and not o.objective.review:
            score = "none" if o.score is None else f"{float(o.score):.2f}"
            warnings.append(_("{ref} (committed) missed its target (score {score} < 1) and has no `review: {{note: …}}` explaining why").format(ref=o.ref, score=score))

    cfg = root / CONFIG_FILE
    if dry_run:
        old = base.read(CONFIG_FILE)
        new = _add_locked_period(old, period.id)
        if new != old:
            _validate_change(res, base, CONFIG_FILE, new, what="change")
        return CloseResult(period.id, tag, "", new != old, warnings, closed.final_payload(ws, period),
                           old_config=old, new_config=new, dry_run=True)
    try:
        with fsio.file_lock(root, timeout=lock_timeout):
            old = base.read(CONFIG_FILE)
            new = _add_locked_period(old, period.id)
            committed = new != old
            if committed:
                _validate_change(res, base, CONFIG_FILE, new, what="change")
                fsio.atomic_write(cfg, new, expected_sha=blob_sha(old))
                rel = repo.relpath(cfg)
                try:
                    sha = repo.commit_paths([rel], f"okr: close {period.id}\n\nOkr-Period: {period.id}\n")
                except gitio.GitError:
                    fsio.atomic_write(cfg, old, expected_sha=blob_sha(new))  # put it back
                    raise
            else:
                head = repo.head()
                if head is None:
                    raise Refused(_("the repository has no commit yet; commit the workspace first"))
                sha = head
    except WriteRefused as exc:
        raise Refused(exc.message) from None
    tagged = load_workspace(gitio.GitTreeSource(repo, sha, prefix))
    if tagged.workspace is None:
        raise Refused(_("the committed workspace at {sha} cannot be loaded; run okrctl validate").format(sha=sha[:12]))
    payload = closed.final_payload(tagged.workspace, period)
    try:
        repo.tag_annotated(tag, sha, tag_message(period, payload), sign=sign)
    except gitio.GitError as exc:
        raise gitio.GitError(_("{id} is locked in {CONFIG_FILE} (commit {sha}) but the tag {tag} could not be created: {message}; run okrctl close {id} again to retry").format(id=period.id, CONFIG_FILE=CONFIG_FILE, sha=sha[:12], tag=tag, message=exc.message)) from None
    return CloseResult(period.id, tag, sha, committed, warnings, payload)


def _add_locked_period(data: bytes, period_id: str) -> bytes:
    from okrctl.write import yamledit

    key = ["policy", "locked_periods"]
    try:
        return yamledit.add_to_list(data, key, period_id, name=CONFIG_FILE, if_absent=True)
    except WriteRefused:
        try:
            return yamledit.splice_to_list(data, key, period_id, name=CONFIG_FILE, if_absent=True)
        except WriteRefused as second:
            raise Refused(second.message) from None


@dataclass
class Comparison:
    label: str  # "tagged tree" | "HEAD"
    commit: str | None
    match: bool
    differences: list[dict] = field(default_factory=list)
    error: str | None = None


@dataclass
class VerifyResult:
    period: str
    tag: str
    commit: str
    okrctl_version: str | None
    as_of: str | None
    comparisons: list[Comparison]
    later_commits: list[dict]
    #: problems other than a score comparison or a later commit (tag unreadable, history rewritten…)
    issues: list[str]

    @property
    def problems(self) -> list[str]:
        out = list(self.issues)
        for c in self.comparisons:
            where = f"{c.label} ({c.commit[:12]})" if c.commit else c.label
            if c.error:
                out.append(_("{where}: {error}").format(where=where, error=c.error))
            elif not c.match:
                n = len(c.differences)
                out.append(ngettext("{where}: {n} score differs from the closed record",
                                    "{where}: {n} scores differ from the closed record", n).format(where=where))
        if self.later_commits:
            n = len(self.later_commits)
            out.append(ngettext("{n} commit after the close changed okrs/{period}/",
                                "{n} commits after the close changed okrs/{period}/", n).format(period=self.period))
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {
            "period": self.period,
            "tag": self.tag,
            "commit": self.commit,
            "closed_with": self.okrctl_version,
            "as_of": self.as_of,
            "ok": self.ok,
            "tagged": _cmp_json(self.comparisons[0]) if self.comparisons else None,
            "head": _cmp_json(self.comparisons[1]) if len(self.comparisons) > 1 else None,
            "later_commits": self.later_commits,
            "problems": self.problems,
        }


def _cmp_json(c: Comparison) -> dict:
    return {"commit": c.commit, "match": c.match, "differences": c.differences, "error": c.error}


def verify_period(root: Path, period_id: str) -> VerifyResult:
    """Compare the scores recorded in the tag ``okr/close/<PERIOD>`` with the scores
    recomputed from the tagged tree and from HEAD's tree (as of the period's end), and
    list the commits after the close that touched the period's files."""
    from okrctl import gitio

    root = Path(root).resolve()
    if not is_period_id(period_id):
        raise BadInput(_("PERIOD: {period_id!r} is not a period id (YYYY, YYYY-H1/H2 or YYYY-Q1..Q4)").format(period_id=period_id))
    repo = gitio.Repo.discover(root)
    prefix = repo.relpath(root)
    tag = close_tag(period_id)
    sha = repo.tag_target(tag)
    if sha is None:
        raise BadInput(_("no tag {tag}: {period_id} was not closed with okrctl close").format(tag=tag, period_id=period_id))
    issues: list[str] = []
    message = repo.tag_message(tag)
    recorded: dict | None = None
    if message is None:
        issues.append(_("{tag} is not an annotated tag, so it records no scores").format(tag=tag))
    else:
        try:
            recorded = parse_tag_message(message)
        except ValueError as exc:
            issues.append(_("{tag}: {exc}").format(tag=tag, exc=exc))
    if recorded is not None and recorded.get("period") != period_id:
        issues.append(_("{tag} records period {get!r}, not {period_id}").format(tag=tag, get=recorded.get('period'), period_id=period_id))

    comparisons: list[Comparison] = []
    head = repo.head()
    for label, commit in (("tagged tree", sha), ("HEAD", head)):
        if commit is None:
            comparisons.append(Comparison(label, None, False, error=_("the repository has no commit")))
            continue
        res = load_workspace(gitio.GitTreeSource(repo, commit, prefix))
        ws = res.workspace
        errs = [d for d in res.diagnostics if d.severity == "error"
                and (d.path.startswith(period_dir(period_id) + "/") or is_settings_file(d.path))]
        if ws is None or errs:
            why = _diag_line(errs[0]) if errs else "okrctl.yaml or units.yaml is unreadable"
            comparisons.append(Comparison(label, commit, False, error=_("the workspace does not load: {why}").format(why=why)))
            continue
        period = parse_period(period_id, ws.config.fiscal_year_start)
        now = closed.final_payload(ws, period)
        if recorded is None:
            comparisons.append(Comparison(label, commit, False, error="nothing recorded to compare with"))
            continue
        if recorded.get("as_of") != period.end.isoformat() and label == "tagged tree":
            issues.append(_("the tag records scores as of {recorded_text}, but {period_id} ends on {end}").format(recorded_text=_recorded_text(recorded.get('as_of')), period_id=period_id, end=period.end))
        diffs = [] if now == recorded["scores"] else closed.payload_differences(recorded["scores"], now)
        comparisons.append(Comparison(label, commit, not diffs, diffs))

    later: list[dict] = []
    if head is not None:
        if not repo.is_ancestor(sha, head):
            issues.append(_("HEAD ({head}) does not contain the close commit {sha} (history rewritten, or another branch)").format(head=head[:12], sha=sha[:12]))
        pdir = f"{prefix}/{period_dir(period_id)}" if prefix else period_dir(period_id)
        for info, changed in reversed(repo.log_path([pdir])):
            if repo.is_ancestor(info.sha, sha):
                break
            later.append({"commit": info.sha, "date": info.committer_date.isoformat(), "author": info.author_name,
                          "subject": info.subject, "paths": sorted(p[len(prefix) + 1:] if prefix else p for p in changed)})
        later.reverse()
    return VerifyResult(period_id, tag, sha, _recorded_text(recorded.get("okrctl")) if recorded else None,
                        _recorded_text(recorded.get("as_of")) if recorded else None, comparisons, later, issues)


def _recorded_text(value: object) -> str | None:
    """A field of the tag's record as safe one-line text: the tag is untrusted, so a
    control or bidi character (an ESC that clears the screen) is escaped and the text
    shortened; a value that is not a string is shown as JSON."""
    from okrctl.model.text import CONTROL

    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text.replace("\n", " "))
    return text if len(text) <= 64 else text[:63] + "…"
