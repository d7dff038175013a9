"""Issue 12 #2: nothing okrctl loads from a cache directory is code.

Versions up to 0.1 exec()-ed generated validators from
``$XDG_CACHE_HOME/okrctl/validators/<kind>-<hash>.py``: a cache directory inside an
untrusted checkout (or restored from another pipeline) ran its code and could switch
schema validation off.  These tests plant exactly those files."""

from __future__ import annotations

import hashlib
import json

import fastjsonschema

from conftest import SAMPLE, run_okrctl
from okrctl.read.schemas import schema


def _plant(cache_root, marker):
    """A stub validator that accepts everything and leaves a marker file, under the
    name the old cache looked up for each kind."""
    folder = cache_root / "okrctl" / "validators"
    folder.mkdir(parents=True)
    for kind in ("workspace", "units", "okr-file"):
        text = json.dumps(schema(kind), sort_keys=True)
        key = hashlib.sha256(f"{text}\0{fastjsonschema.VERSION}\0{1}".encode()).hexdigest()[:20]
        (folder / f"{kind}-{key}.py").write_text(
            f'VERSION = "x"\nopen({str(marker)!r}, "w").write("ran")\n'
            "def validate_stub(data, custom_formats={}, name_prefix=None):\n    return data\n",
            encoding="utf-8")


def test_a_planted_validator_is_never_run(tmp_path):
    cache, marker = tmp_path / "cache", tmp_path / "PWNED"
    _plant(cache, marker)
    bad = tmp_path / "ws"
    bad.mkdir()
    (bad / "okrctl.yaml").write_text("name: X\nlocale: fr\n", encoding="utf-8")
    (bad / "units.yaml").write_text("units: []\n", encoding="utf-8")
    r = run_okrctl("-C", str(bad), "validate", "--format", "json", env={"XDG_CACHE_HOME": str(cache)})
    assert not marker.exists()
    assert r.returncode == 1, r.stderr
    assert [d["code"] for d in json.loads(r.stdout)["diagnostics"]] == ["OKR104"]


def test_nothing_is_written_to_the_cache_directory(tmp_path):
    cache = tmp_path / "cache"
    r = run_okrctl("-C", str(SAMPLE), "validate", env={"XDG_CACHE_HOME": str(cache), "OKRCTL_CACHE_DIR": str(cache)})
    assert r.returncode == 0, r.stderr
    assert not cache.exists()
