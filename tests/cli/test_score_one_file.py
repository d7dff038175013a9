"""score and rollup after one file changed: only the files of the scored period
(and, for ``rollup --by alignment``, of the periods enclosing it) are decoded, the
others are known from their cached summaries — and the output is byte for byte
the output of a run without the cache (every command and format), whichever
file changed: a check-in of the scored period, a file of another period, the
objective an aligned KR is fed by, units.yaml, the scoring date, a broken file
of another period."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_okrctl_text
from gitutil import commit_all, sample_in_git
from test_warm_score import cached, uncached

#: (file, old, new): each is one of the edits of a run
EDITS = {
    "check-in of the scored period": ("okrs/2026-Q2/so-khcn-cds.yaml", "value: 120,", "value: 130,"),
    "check-in of another period": ("okrs/2026-Q1/so-khcn-cds.yaml", "value: 80,", "value: 85,"),
    "objective feeding an aligned KR": ("okrs/2026/so-khcn.yaml", "value: 19,", "value: 20,"),
    "units.yaml": ("units.yaml", "self_weight: 2 ", "self_weight: 3 "),
    "the scoring date (a new default period)": ("okrctl.yaml", "as_of: 2026-05-15", "as_of: 2026-03-20"),
    "a broken file of another period": ("okrs/2026-Q1/so-khcn.yaml", "objectives:", "objectivez:"),
}
COMMANDS = (("score",), ("rollup",), ("rollup", "--by", "alignment"), ("score", "-p", "2026"),
            ("rollup", "--by", "alignment", "-p", "2026-Q1"))
FORMATS = ("table", "json", "csv", "md")


@pytest.fixture
def repo(tmp_path, isolated_git) -> Path:
    return sample_in_git(tmp_path / "repo")


def edit(repo: Path, name: str) -> None:
    path, old, new = EDITS[name]
    f = repo / path
    text = f.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (path, old)
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def check_after_edit(repo: Path, name: str, runs) -> None:
    for args in runs:
        cached(repo, *args)  # the warm row of the state before the edit
    edit(repo, name)
    for args in runs:
        after, whole = cached(repo, *args)
        assert whole == 0, (name, args)
        assert after == uncached(repo, *args), (name, args)
        assert after[2] in (0, 1) and after[0], (name, args)


@pytest.mark.parametrize("name", list(EDITS))
def test_one_file_changed_equals_no_cache(repo, name):
    check_after_edit(repo, name, [("score", "--format", "json"), ("rollup", "--by", "alignment", "--format", "md")])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EDITS))
def test_one_file_changed_equals_no_cache_every_format(repo, name):
    check_after_edit(repo, name, [(*c, "--format", f) for c in COMMANDS for f in FORMATS])


@pytest.mark.slow
def test_edits_one_after_another_committed_or_not(repo):
    runs = [(*c, "--format", f) for c, f in zip(COMMANDS, ("json", "table", "md", "csv", "json"))]
    for i, name in enumerate(EDITS):
        check_after_edit(repo, name, runs)
        if i % 2:
            commit_all(repo, name)
            for args in runs:
                assert cached(repo, *args) == (uncached(repo, *args), 1), (name, args)


def decoded(repo: Path, monkeypatch, capsys, *args: str) -> tuple[list[str], list[str], int]:
    """Run ``args`` in this process: (the period files whose records were read or
    decoded, the period ids of the workspace that was scored, the exit code)."""
    from okrctl.cli.main import _main
    from okrctl.engine import scoring
    from okrctl.read import incremental

    took: list[str] = []
    seen: list[str] = []
    real_took, real_score = incremental.PeriodFiles._took, scoring.score_workspace

    def spy_took(self, i, r, **kw):
        took.append(self.paths[i])
        return real_took(self, i, r, **kw)

    def spy_score(ws, period, as_of):
        seen.extend(f.path for f in ws.files)
        return real_score(ws, period, as_of)

    monkeypatch.setattr(incremental.PeriodFiles, "_took", spy_took)
    monkeypatch.setattr(scoring, "score_workspace", spy_score)
    try:
        _main(["-C", str(repo), *args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    capsys.readouterr()
    return sorted(took), sorted(set(seen)), code


def test_only_the_scored_periods_files_are_decoded(repo, monkeypatch, capsys):
    assert run_okrctl_text("-C", str(repo), "validate").returncode == 0  # every file's rows in the cache
    q2 = sorted(str(p.relative_to(repo)) for p in (repo / "okrs/2026-Q2").glob("*.yaml"))
    annual = ["okrs/2026/ha-noi.yaml", "okrs/2026/so-khcn.yaml"]
    assert len(q2) == 6
    assert decoded(repo, monkeypatch, capsys, "score", "--format", "json") == (q2, q2, 0)
    assert decoded(repo, monkeypatch, capsys, "rollup", "--format", "csv") == (q2, q2, 0)
    both = sorted(annual + q2)
    assert decoded(repo, monkeypatch, capsys, "rollup", "--by", "alignment", "--format", "md") == (both, both, 0)
    assert decoded(repo, monkeypatch, capsys, "score", "-p", "2026", "--format", "md") == (annual, annual, 0)
    # one file of another period changed: read again (its summary), not one more decoded
    edit(repo, "check-in of another period")
    took, seen, code = decoded(repo, monkeypatch, capsys, "score", "--format", "csv")
    assert (took, seen, code) == (sorted(q2 + ["okrs/2026-Q1/so-khcn-cds.yaml"]), q2, 0)
    # without the cache every file is read, and the output is the same
    took, seen, code = decoded(repo, monkeypatch, capsys, "--no-cache", "score", "--format", "csv")
    assert len(took) == 12 and seen == sorted(took) and code == 0
