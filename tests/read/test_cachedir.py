"""The compiled-validator cache: used when present, rebuilt when missing or damaged."""

from __future__ import annotations

import json

from conftest import SAMPLE, run_okrctl


def test_validators_are_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    r = run_okrctl("-C", str(SAMPLE), "validate", env={"OKRCTL_CACHE_DIR": str(cache)})
    assert r.returncode == 0
    files = sorted(p.name.split("-")[0] for p in (cache / "validators").glob("*.py"))
    assert files == ["okr", "units", "workspace"]
    for p in (cache / "validators").glob("*.py"):
        p.write_text("garbage that is not a validator", encoding="utf-8")
    bad = tmp_path / "ws"
    bad.mkdir()
    (bad / "okrctl.yaml").write_text("name: X\nlocale: fr\n", encoding="utf-8")
    (bad / "units.yaml").write_text("units: []\n", encoding="utf-8")
    r = run_okrctl("-C", str(bad), "validate", "--format", "json", env={"OKRCTL_CACHE_DIR": str(cache)})
    assert r.returncode == 1
    assert [d["code"] for d in json.loads(r.stdout)["diagnostics"]] == ["OKR104"]
    rebuilt = {p.name.split("-")[0]: p.read_text(encoding="utf-8").startswith("VERSION = ")
               for p in (cache / "validators").glob("*.py")}
    # the two validators this workspace needed were rebuilt; the unused one was left alone
    assert rebuilt == {"workspace": True, "units": True, "okr": False}


def test_unwritable_cache_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    r = run_okrctl("-C", str(SAMPLE), "validate", env={"OKRCTL_CACHE_DIR": str(blocker / "sub")})
    assert r.returncode == 0, r.stderr
