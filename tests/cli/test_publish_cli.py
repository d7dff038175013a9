"""``okrctl publish`` and ``okrctl verify --published`` end to end, on a real clone of
the sample with 2026-Q1 closed: the package validates with the ``frictionless``
library, ``sha256sum -c`` passes, the page opens in headless Chromium with no
network request and no console error, two runs are byte-identical, and ``verify
--published`` fails after one byte of any file changes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl
from gitutil import commit_all, init_repo, write

EVIDENCE = b"Bien ban thu nghiem so 03/BB-CDS\n"
EXTERNAL = "https://dichvucong.hanoi.gov.vn/bao-cao/bb-04.pdf"
EXTERNAL_SHA = "ab" * 32
PINNED = "evidence/2026-Q1/so-khcn-cds/bb-03.txt"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    cfg = tmp_path_factory.mktemp("gitcfg") / "global.gitconfig"
    cfg.write_text("")
    return {"GIT_CONFIG_GLOBAL": str(cfg), "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory, env) -> Path:
    """The sample in git, one Q1 check-in pinning a local and an external document,
    2026-Q1 closed."""
    ws = tmp_path_factory.mktemp("publish") / "ws"
    shutil.copytree(SAMPLE, ws)
    write(ws / PINNED, EVIDENCE)
    f = ws / "okrs/2026-Q1/so-khcn-cds.yaml"
    text = f.read_text(encoding="utf-8")
    old = 'evidence: ["Biên bản thử nghiệm số 03/BB-CĐS"]}'
    assert old in text
    f.write_text(text.replace(old, 'evidence: ["Biên bản thử nghiệm số 03/BB-CĐS", '
                                   f'{{path: {PINNED}, sha256: "{hashlib.sha256(EVIDENCE).hexdigest()}", title: Biên bản 03}}, '
                                   f'{{url: "{EXTERNAL}", sha256: "{EXTERNAL_SHA}"}}]}}'), encoding="utf-8")
    init_repo(ws)
    commit_all(ws, "init")
    closed = run_okrctl("-C", str(ws), "close", "2026-Q1", "--yes", env=env)
    assert closed.returncode == 0, closed.stderr.decode()
    return ws


@pytest.fixture(scope="module")
def package(repo, env, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "okr-2026-Q1"
    proc = run_okrctl("-C", str(repo), "publish", "2026-Q1", "-o", str(out), env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    return out


def files_of(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_layout_and_determinism(repo, env, package, tmp_path):
    files = files_of(package)
    tables = ("units", "objectives", "key_results", "checkins", "kpis", "measurements", "_meta")
    assert set(files) == {"index.html", "datapackage.json", "manifest.sha256", "data/export.json",
                          *(f"data/{t}.csv" for t in tables), *(f"data/{t}.parquet" for t in tables)}
    assert all(files[f"data/{t}.csv"].startswith("\ufeff".encode()) for t in tables)  # a BOM for Excel
    again = tmp_path / "again"
    assert run_okrctl("-C", str(repo), "publish", "2026-Q1", "-o", str(again), env=env).returncode == 0
    assert files_of(again) == files  # byte-identical
    # every file has the tag's commit time, so copies compare equal
    assert len({p.stat().st_mtime for p in package.rglob("*")}) == 1
    # nothing absolute, nothing of this machine
    for name, data in files.items():
        if not name.endswith(".parquet"):
            assert str(repo).encode() not in data and str(package).encode() not in data, name


def test_person_names_left_out_unless_asked(repo, env, package, tmp_path):
    files = files_of(package)
    names = (b"nguyen.van.a", b"tran.thi.b")
    for name, data in files.items():
        for person in names:
            assert person not in data, (name, person)
    header = files["data/checkins.csv"].decode("utf-8-sig").splitlines()[0].split(",")
    assert "by" not in header and "owner" not in files["data/key_results.csv"].decode("utf-8-sig").splitlines()[0]
    named = tmp_path / "named"
    assert run_okrctl("-C", str(repo), "publish", "2026-Q1", "--with-names", "-o", str(named), env=env).returncode == 0
    assert b"nguyen.van.a" in (named / "data/checkins.csv").read_bytes()
    desc = json.loads((named / "datapackage.json").read_bytes())
    assert desc["okrctl"]["with_names"] is True
    # verify reads the options from the package itself
    assert run_okrctl("-C", str(repo), "verify", "2026-Q1", "--published", str(named), env=env).returncode == 0


def test_descriptor(package, repo):
    desc = json.loads((package / "datapackage.json").read_bytes())
    tag = subprocess.run(["git", "-C", str(repo), "rev-parse", "okr/close/2026-Q1^{commit}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert desc["name"] == "okr-so-khoa-hoc-va-cong-nghe-ha-noi-2026-q1"
    assert desc["title"] == "Kết quả OKR và KPI 2026-Q1 — Sở Khoa học và Công nghệ Hà Nội"
    assert desc["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                 "title": "Creative Commons Attribution 4.0"}]
    assert desc["okrctl"]["tag"] == "okr/close/2026-Q1" and desc["okrctl"]["commit"] == tag
    assert desc["sources"][0]["version"] == tag
    by_path = {r["path"]: r for r in desc["resources"]}
    assert len(by_path) == 15
    kr = by_path["data/key_results.csv"]
    assert kr["hash"] == "sha256:" + hashlib.sha256((package / "data/key_results.csv").read_bytes()).hexdigest()
    fields = {f["name"]: f["type"] for f in kr["schema"]["fields"]}
    assert fields["score"] == "number" and fields["days_since_checkin"] == "integer"
    assert fields["value_date"] == "date" and fields["overdue"] == "boolean" and "owner" not in fields
    # the pinned evidence is listed, external and local, not included without --with-evidence
    assert desc["okrctl"]["evidence"] == [
        {"ref": "2026-Q1/so-khcn-cds/O1/KR1", "date": "2026-02-27", "sha256": hashlib.sha256(EVIDENCE).hexdigest(),
         "path": PINNED, "title": "Biên bản 03", "included": False},
        {"ref": "2026-Q1/so-khcn-cds/O1/KR1", "date": "2026-02-27", "sha256": EXTERNAL_SHA, "url": EXTERNAL,
         "included": False}]
    html = (package / "index.html").read_text(encoding="utf-8")
    assert EXTERNAL in html and EXTERNAL_SHA in html and "sha256sum -c manifest.sha256" in html
    for r in by_path:
        assert f'href="{r}"' in html


def test_frictionless_validates_the_package(package):
    from frictionless import Package, validate

    report = validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    # the command a portal operator would run
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=package, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]
    pkg = Package(str(package / "datapackage.json"))
    rows = pkg.get_resource("key_results-csv").read_rows()
    assert len(rows) == 12  # the 12 KRs of 2026-Q1 (okrctl export --table key_results)
    assert rows[0]["ref"] == "2026-Q1/so-khcn/O1/KR1" and rows[0]["score"] == 1


def test_frictionless_notices_a_changed_file(package, tmp_path):
    from frictionless import validate

    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    path = copy / "data/units.csv"
    path.write_bytes(path.read_bytes().replace(b"2026-Q1", b"2026-Q2", 1))
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert report.flatten(["type"]) == [["hash-count"]]
    assert [t.place for t in report.tasks if not t.valid] == ["data/units.csv"]


def test_sha256sum_checks_the_manifest(package):
    proc = subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=package, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = [ln.split("  ", 1)[1] for ln in (package / "manifest.sha256").read_text().splitlines()]
    assert sorted(listed) == sorted(p for p in files_of(package) if p != "manifest.sha256")


def _one_byte_changed(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


@pytest.mark.slow
def test_verify_published_passes_then_fails_after_any_one_byte_change(repo, env, package, tmp_path):
    ok = run_okrctl("-C", str(repo), "verify", "2026-Q1", "--published", str(package), env=env)
    assert ok.returncode == 0, ok.stdout.decode() + ok.stderr.decode()
    assert ok.stdout.decode().splitlines()[-1] == f"verified: {package} is the package of 2026-Q1"
    copy = tmp_path / "copy"
    for name in files_of(package):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(package, copy)
        (copy / name).write_bytes(_one_byte_changed((copy / name).read_bytes()))
        proc = run_okrctl("-C", str(repo), "verify", "2026-Q1", "--published", str(copy), "--format", "json", env=env)
        assert proc.returncode == 1, name
        diffs = json.loads(proc.stdout)["differences"]
        assert [(d["path"], d["kind"]) for d in diffs] == [(name, "changed")], name


def test_verify_published_missing_and_extra(repo, env, package, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    (copy / "data/kpis.parquet").unlink()
    (copy / "notes.txt").write_text("x")
    proc = run_okrctl("-C", str(repo), "verify", "2026-Q1", "--published", str(copy), env=env)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[1:] == [
        "  ✗ data/kpis.parquet is missing", "  ✗ notes.txt is not part of the package",
        "verification failed: 2 files differ"]


def test_publish_refuses(repo, env, package, tmp_path):
    open_period = run_okrctl("-C", str(repo), "publish", "2026-Q2", "-o", str(tmp_path / "q2"), env=env)
    assert open_period.returncode == 1
    assert open_period.stderr.decode().strip().splitlines()[-1].endswith(
        "2026-Q2 is not closed: there is no tag okr/close/2026-Q2 (okrctl close 2026-Q2 closes it); only a closed period is published")
    assert not (tmp_path / "q2").exists()
    again = run_okrctl("-C", str(repo), "publish", "2026-Q1", "-o", str(package), env=env)
    assert again.returncode == 2 and b"not empty; pass --force" in again.stderr
    assert run_okrctl("-C", str(repo), "publish", "2026-Q1", "-o", str(package), "--force", env=env).returncode == 0
    assert [p.name for p in package.parent.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_publish_with_evidence(repo, env, tmp_path):
    out = tmp_path / "with-evidence"
    assert run_okrctl("-C", str(repo), "publish", "2026-Q1", "--with-evidence", "-o", str(out), env=env).returncode == 0
    assert (out / PINNED).read_bytes() == EVIDENCE
    desc = json.loads((out / "datapackage.json").read_bytes())
    ev = [r for r in desc["resources"] if r["path"] == PINNED]
    assert ev and ev[0]["hash"] == "sha256:" + hashlib.sha256(EVIDENCE).hexdigest()
    assert [e["included"] for e in desc["okrctl"]["evidence"]] == [True, False]
    assert f'href="{PINNED}"' in (out / "index.html").read_text(encoding="utf-8")
    assert subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=out, capture_output=True).returncode == 0
    assert run_okrctl("-C", str(repo), "verify", "2026-Q1", "--published", str(out), env=env).returncode == 0


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)")
def test_index_in_headless_chromium(package, tmp_path):
    net_log = tmp_path / "net.json"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
                          "--v=0", f"--log-net-log={net_log}", "--dump-dom", (package / "index.html").as_uri()],
                         capture_output=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert [ln for ln in dom.stderr.decode("utf-8", "replace").splitlines() if "CONSOLE" in ln] == []
    text = dom.stdout.decode("utf-8")
    assert "Dữ liệu mở và cách kiểm tra" in text and "okrctl verify 2026-Q1 --published DIR" in text
    urls = set(re.findall(r'"url":"([^"]+)"', net_log.read_text(encoding="utf-8", errors="replace")))
    own = re.compile(r"^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)/")
    assert {u for u in urls if not u.startswith("file:") and not own.match(u)} == set()


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen signs the close tag")
def test_signed_tag_and_licence(tmp_path, env):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    cfg = ws / "okrctl.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("report:\n", "report:\n  licence: ODbL-1.0\n  signer_name: Nguyễn Văn Giám\n", 1),
                   encoding="utf-8")
    init_repo(ws)
    commit_all(ws, "init")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "so-khcn", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed"
    allowed.write_text("a@example.org " + (tmp_path / "key.pub").read_text())
    for k, v in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("gpg.ssh.allowedSignersFile", str(allowed))):
        subprocess.run(["git", "-C", str(ws), "config", k, v], check=True)
    closed = run_okrctl("-C", str(ws), "close", "2026-Q1", "--yes", "--sign", env=env)
    assert closed.returncode == 0, closed.stderr.decode()
    out = tmp_path / "pkg"
    assert run_okrctl("-C", str(ws), "publish", "2026-Q1", "-o", str(out), env=env).returncode == 0
    raw = (out / "close-tag.txt").read_bytes()
    assert b"-----BEGIN SSH SIGNATURE-----" in raw and b"tag okr/close/2026-Q1\n" in raw
    desc = json.loads((out / "datapackage.json").read_bytes())
    assert desc["licenses"] == [{"name": "ODbL-1.0", "title": "Open Data Commons Open Database License 1.0",
                                 "path": "https://opendatacommons.org/licenses/odbl/1-0/"}]
    assert desc["okrctl"]["signed"] is True
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "git verify-tag okr/close/2026-Q1" in html and 'href="close-tag.txt"' in html
    assert "Nguyễn Văn Giám" not in html  # the signer's name is a person's name
    named = tmp_path / "named"
    assert run_okrctl("-C", str(ws), "publish", "2026-Q1", "--with-names", "-o", str(named), env=env).returncode == 0
    assert "Nguyễn Văn Giám" in (named / "index.html").read_text(encoding="utf-8")
    # what docs/publish.md tells an auditor: the tag verifies in the repository
    check = subprocess.run(["git", "-C", str(ws), "verify-tag", "okr/close/2026-Q1"], capture_output=True, text=True)
    assert check.returncode == 0 and 'Good "git" signature' in check.stderr
    assert run_okrctl("-C", str(ws), "verify", "2026-Q1", "--published", str(out), env=env).returncode == 0


def test_with_evidence_refuses_a_file_that_does_not_match_its_pin(tmp_path, env):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    write(ws / PINNED, b"not the pinned document\n")
    f = ws / "okrs/2026-Q1/so-khcn-cds.yaml"
    old = 'evidence: ["Biên bản thử nghiệm số 03/BB-CĐS"]}'
    f.write_text(f.read_text(encoding="utf-8").replace(
        old, f'evidence: [{{path: {PINNED}, sha256: "{hashlib.sha256(EVIDENCE).hexdigest()}"}}]}}'), encoding="utf-8")
    init_repo(ws)
    commit_all(ws, "init")
    assert run_okrctl("-C", str(ws), "close", "2026-Q1", "--yes", env=env).returncode == 0
    out = tmp_path / "pkg"
    proc = run_okrctl("-C", str(ws), "publish", "2026-Q1", "--with-evidence", "-o", str(out), env=env)
    assert proc.returncode == 1 and not out.exists()
    lines = proc.stderr.decode().strip().splitlines()
    assert lines[-1] == ("okrctl: 1 pinned evidence file at the close tag does not match its pin; nothing was published")
    wrong = hashlib.sha256(b"not the pinned document\n").hexdigest()
    assert any(f"{PINNED}: its SHA-256 is {wrong}" in ln for ln in lines)
    # without --with-evidence the pin is only listed
    assert run_okrctl("-C", str(ws), "publish", "2026-Q1", "-o", str(out), env=env).returncode == 0
