"""okrctl period new (okrctl.write.period_new)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import write
from okrctl.write import period_new
from okrctl.read.loader import load_workspace
from okrctl.read.source import WorkingTreeSource
from writeutil import PERIOD, make_ws, valid


@pytest.fixture(autouse=True)
def _isolated_git(isolated_git: Path) -> Path:
    return isolated_git


# ----------------------------------------------------------------------------- period new


def test_period_new_from_the_sample(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    write(ws / "okrs/2026-Q3/so-khcn-dmst.yaml", "objectives: []\n")  # exists: must stay as it is
    plan = period_new.new_period(ws, "2026-Q3")
    assert plan.source == "2026-Q2"
    created = {nf.path: nf for nf in plan.files if nf.created}
    assert "okrs/2026-Q3/so-khcn-dmst.yaml" not in created
    assert ("okrs/2026-Q3/so-khcn-dmst.yaml", "exists; okrctl never overwrites a file") in plan.skipped
    assert (ws / "okrs/2026-Q3/so-khcn-dmst.yaml").read_text() == "objectives: []\n"
    assert valid(ws)
    res = load_workspace(WorkingTreeSource(ws))
    new = res.workspace
    f = new.file("2026-Q3", "so-khcn")
    o1 = f.objectives[0]
    kr1 = o1.key_results[0]
    # last value of 2026-Q2/so-khcn/O1/KR1 was 77 (2026-05-08): the new baseline
    assert (kr1.id, kr1.baseline, kr1.target, kr1.checkins, kr1.rebaselines) == ("KR1", 77, 80, (), ())
    assert o1.aligns_to == "2026/so-khcn/O1"  # an enclosing period's objective still resolves
    # sum KR: baseline + increments (0 + 3 + 2)
    o2 = f.objectives[1]
    assert o2.key_results[0].aggregate == "sum" and o2.key_results[0].baseline == 5
    # KR3 (cancelled) is not carried, KR4 (added after the lock) is, without its `added` record
    assert [k.id for k in o2.key_results] == ["KR1", "KR2", "KR4"] and o2.key_results[2].added is None
    assert [k.id for k in f.kpis] == ["K1", "K2"] and all(not k.measurements for k in f.kpis)
    # the aligned KR is carried because so-khcn-vp/O1 (carried too) still feeds it
    assert o1.key_results[1].type == "aligned"
    assert new.file("2026-Q3", "so-khcn-vp").objectives[0].aligns_to == "so-khcn/O1/KR2"
    text = (ws / "okrs/2026-Q3/so-khcn.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schema/okr-file.schema.json\n")
    assert "checkins" not in text and "rebaselines" not in text and "measurements" not in text
    assert "unit: so-khcn\nperiod: 2026-Q3\n" in text
    assert any("KR3: due 2026-06-15 lies outside 2026-Q3" in n for n in plan.notes)
    # the unit that ended on 2026-03-31 has no Q2 file; ha-noi has no Q2 file: neither appears
    assert not (ws / "okrs/2026-Q3/ha-noi.yaml").exists()


def test_period_new_cli_drops_alignment_that_no_longer_resolves(tmp_path):
    root = make_ws(tmp_path / "ws", PERIOD.replace("    owner: tran.thi.b\n", "    owner: tran.thi.b\n    aligns_to: so-2/O1\n", 1))
    write(root / "okrs/2026-Q2/so-2.yaml", textwrap.dedent("""\
        objectives:
          - id: O1
            title: Hai
            key_results:
              - {id: KR1, title: Một, baseline: 0, target: 10, checkins: [{date: 2026-06-30, value: 10}]}
        """))
    assert valid(root)
    proc = run_okrctl("-C", str(root), "period", "new", "2026-Q3")
    assert proc.returncode == 0, proc.stderr.decode()
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "created okrs/2026-Q3/so-1.yaml: O1 (KR1, KR2, KR3, KR4, KR5); O3 (KR1); KPIs K1" in out
    assert "skipped so-2: does not take part in 2026-Q3 (… .. 2026-06-30)" in out
    # so-2 does not go on, so O1's alignment to its objective goes
    assert "warning: 2026-Q3/so-1/O1: aligns_to 2026-Q2/so-2/O1 dropped (2026-Q3/so-2/O1 is not carried into 2026-Q3)" in err
    text = (root / "okrs/2026-Q3/so-1.yaml").read_text()
    assert "so-2" not in text
    assert "baseline: 45\n" in text  # KR1's last value
    assert "aligns_to: so-1/O1/KR4" in text  # same-period target, carried along
    assert "O2" not in text  # cancelled
    assert valid(root)
    again = run_okrctl("-C", str(root), "period", "new", "2026-Q3")
    assert again.returncode == 0 and "skipped okrs/2026-Q3/so-1.yaml: exists" in again.stdout.decode()
    assert (root / "okrs/2026-Q3/so-1.yaml").read_text() == text
    bad = run_okrctl("-C", str(root), "period", "new", "2026-Q5")
    assert bad.returncode == 2 and "not a period id" in bad.stderr.decode()
