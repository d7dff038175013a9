"""Messages in the language of the run (issue 14 item 8): ``--locale``, then
``OKRCTL_LOCALE``, then ``locale:`` in okrctl.yaml.  The real CLI in a subprocess,
the same cases in Vietnamese and in English; JSON stays English."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, run_okrctl

#: the environment of a run that lets okrctl.yaml decide (the tests pin English otherwise)
FROM_WORKSPACE = {"OKRCTL_LOCALE": ""}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The sample with one misspelt key: ``tagret:`` for ``target:`` in a KR."""
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    f = ws / "okrs" / "2026-Q2" / "so-khcn.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("        target: 80\n", "        tagret: 80\n", 1),
                 encoding="utf-8")
    return ws


def _text(r) -> str:
    return r.stdout.decode() + r.stderr.decode()


def test_a_schema_error_in_vietnamese(broken):
    r = run_okrctl("-C", str(broken), "--locale", "vi", "validate", "--format", "text")
    assert r.returncode == 1
    out = _text(r)
    assert ("okrs/2026-Q2/so-khcn.yaml:26:9: error OKR101 khóa không xác định 'tagret' trong "
            in out), out
    assert "(có phải ý bạn là 'target'?); các khóa bắt đầu bằng 'x-' được tự do dùng cho dữ liệu riêng" in out
    assert "thiếu khóa bắt buộc 'target'" in out
    # how many files a broken one touches is issue 14 item 7's business: the shape only
    assert re.search(r"^\d+ lỗi trong \d+ tệp \(đã kiểm tra 14 tệp\)$", out, re.M), out
    assert "unknown key" not in out and "did you mean" not in out


def test_the_same_schema_error_in_english(broken):
    r = run_okrctl("-C", str(broken), "--locale", "en", "validate", "--format", "text")
    assert r.returncode == 1
    out = _text(r)
    assert "okrs/2026-Q2/so-khcn.yaml:26:9: error OKR101 unknown key 'tagret' in " in out
    assert "(did you mean 'target'?); keys starting with 'x-' are free for your own data" in out
    assert re.search(r"^\d+ errors in \d+ files? \(14 checked\)$", out, re.M), out


def test_okrctl_yaml_decides_unless_the_flag_or_environment_says_otherwise(broken):
    vi = run_okrctl("-C", str(broken), "validate", "--format", "text", env=FROM_WORKSPACE)
    assert vi.returncode == 1 and "khóa không xác định 'tagret'" in _text(vi)
    en = run_okrctl("-C", str(broken), "validate", "--format", "text", env={"OKRCTL_LOCALE": "en"})
    assert en.returncode == 1 and "unknown key 'tagret'" in _text(en)
    flag = run_okrctl("-C", str(broken), "validate", "--format", "text", "--locale", "en", env={"OKRCTL_LOCALE": "vi"})
    assert "unknown key 'tagret'" in _text(flag)


def test_json_messages_stay_english_and_other_human_formats_translate(broken):
    r = run_okrctl("-C", str(broken), "--locale", "vi", "validate", "--format", "json")
    assert r.returncode == 1
    messages = [d["message"] for d in json.loads(r.stdout)["diagnostics"]]
    assert any(m.startswith("unknown key 'tagret'") for m in messages), messages
    gh = run_okrctl("-C", str(broken), "--locale", "vi", "validate", "--format", "github")
    assert "::error file=" in gh.stdout.decode() and "khóa không xác định 'tagret'" in gh.stdout.decode()
    sarif = json.loads(run_okrctl("-C", str(broken), "--locale", "vi", "validate", "--format", "sarif").stdout)
    assert any("khóa không xác định" in res["message"]["text"] for res in sarif["runs"][0]["results"])


@pytest.mark.parametrize(("locale", "expected"), [
    ("vi", "Cách dùng: okrctl score [OPTIONS]\nokrctl: không có tùy chọn: --perod (có phải ý bạn là --period?)\n"),
    ("en", "Usage: okrctl score [OPTIONS]\nokrctl: no such option: --perod (Possible options: --period)\n"),
])
def test_a_usage_error(locale, expected):
    r = run_okrctl("-C", str(SAMPLE), "score", "--perod", "2026-Q1", "--locale", locale)
    assert r.returncode == 2
    assert r.stderr.decode() == expected


def test_a_usage_error_follows_okrctl_yaml_before_anything_is_loaded():
    r = run_okrctl("-C", str(SAMPLE), "checkin", env=FROM_WORKSPACE)
    assert r.returncode == 2
    assert r.stderr.decode() == "Cách dùng: okrctl checkin [OPTIONS] REF VALUE\nokrctl: thiếu tham số REF\n"
    r = run_okrctl("-C", str(SAMPLE), "--locale", "vi", "scor")
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[-1] == "okrctl: không có lệnh 'scor'; có phải ý bạn là 'score', 'doctor'?"


@pytest.mark.parametrize(("locale", "lines"), [
    ("vi", ["người cập nhật: hoang.thi.g (lấy từ --by)", "chạy thử: chưa ghi gì"]),
    ("en", ["by: hoang.thi.g (from --by)", "dry run: nothing was written"]),
])
def test_a_confirmation(locale, lines):
    r = run_okrctl("-C", str(SAMPLE), "--locale", locale, "checkin", "2026-Q2/so-khcn/O1/KR1", "7", "--dry-run",
                   "--by", "hoang.thi.g")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stderr.decode().splitlines()[-2:] == lines


@pytest.mark.parametrize(("locale", "line"), [
    ("vi", "okrctl: --field tagret: không có trường này (có phải ý bạn là target?); các trường hợp lệ: title,"),
    ("en", "okrctl: --field tagret: no such field (did you mean target?); known fields: title,"),
])
def test_a_hint(locale, line):
    r = run_okrctl("-C", str(SAMPLE), "history", "so-khcn/O1/KR1", "--field", "tagret", "--locale", locale)
    assert r.returncode == 2
    assert r.stderr.decode().startswith(line)


@pytest.mark.parametrize(("locale", "line"), [
    ("vi", "cảnh báo: so-khcn/O1/KR1 có nghĩa là 2026-Q2/so-khcn/O1/KR1"),
    ("en", "warning: so-khcn/O1/KR1 means 2026-Q2/so-khcn/O1/KR1"),
])
def test_a_warning(locale, line):
    r = run_okrctl("-C", str(SAMPLE), "--locale", locale, "checkin", "so-khcn/O1/KR1", "7", "--dry-run", "--by", "x")
    assert r.returncode == 0
    assert r.stderr.decode().splitlines()[0].startswith(line)


def test_the_global_option_also_sets_the_labels_of_a_command_that_has_its_own():
    before = run_okrctl("-C", str(SAMPLE), "--locale", "en", "score", env={"COLUMNS": "200"})
    after = run_okrctl("-C", str(SAMPLE), "score", "--locale", "en", env={"COLUMNS": "200"})
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout
    assert "— Period 2026-Q2 (2026-04-01 .. 2026-06-30), as of 2026-05-15" in before.stdout.decode()


@pytest.fixture
def in_git(tmp_path, isolated_git) -> Path:
    """The sample committed in a git repository of its own, no period closed."""
    from gitutil import sample_in_git

    return sample_in_git(tmp_path / "ws")


def test_publish_of_a_period_that_is_not_closed_in_vietnamese(in_git, tmp_path):
    r = run_okrctl("-C", str(in_git), "--locale", "vi", "publish", "2026-Q2", "-o", str(tmp_path / "q2"))
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[-1] == (
        "okrctl: kỳ 2026-Q2 chưa khóa sổ: không có thẻ okr/close/2026-Q2 (lệnh okrctl close 2026-Q2 sẽ khóa sổ kỳ); "
        "chỉ kỳ đã khóa sổ mới được công bố")
    assert not (tmp_path / "q2").exists()


def test_evidence_add_dry_run_confirmation_in_vietnamese(tmp_path):
    doc = tmp_path / "bien-ban.txt"
    doc.write_bytes(b"Bien ban so 03\n")
    r = run_okrctl("-C", str(SAMPLE), "--locale", "vi", "evidence", "add", "2026-Q2/so-khcn/O1/KR1", str(doc),
                   "--dry-run")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stderr.decode().splitlines()[-2:] == [
        f"sẽ sao chép {doc} vào evidence/2026-Q2/so-khcn/bien-ban.txt", "chạy thử: chưa ghi gì"]
    assert "path: evidence/2026-Q2/so-khcn/bien-ban.txt" in r.stdout.decode()  # the diff, on stdout
    assert not (SAMPLE / "evidence").exists()


def test_cache_info_in_vietnamese(in_git):
    assert run_okrctl("-C", str(in_git), "validate").returncode in (0, 1)
    assert run_okrctl("-C", str(in_git), "validate").returncode in (0, 1)
    r = run_okrctl("-C", str(in_git), "--locale", "vi", "cache", "info")
    assert r.returncode == 0, r.stderr.decode()
    lines = r.stdout.decode().splitlines()
    assert lines[0] == f"đường dẫn:      {in_git / '.git' / 'okrctl' / 'cache.sqlite'}"
    assert lines[1:3] == ["trạng thái:     bật", "số mục:         39 dòng"]  # 2 + 3 × 12 rows and validate's whole result
    assert lines[3].startswith("dung lượng:     0.1 MB dữ liệu, ") and lines[3].endswith(
        "(giới hạn 2048 MB, OKRCTL_CACHE_MAX_MB)")
    assert lines[4] == "lần chạy trước: 100% (14 trên 14 tệp)"
    as_json = run_okrctl("-C", str(in_git), "--locale", "vi", "cache", "info", "--format", "json")
    assert json.loads(as_json.stdout)["status"] == "on"  # JSON stays English
