"""Pinned evidence hashed once (read/evidence.HashMemo): a file whose stat data are
remembered is not read again; any change to it, a link, or a file changed too
recently to trust its times is hashed (or refused) as before."""

from __future__ import annotations

import hashlib
import os

import pytest

from okrctl.read import evidence as E

REL = "docs/bien-ban.txt"


@pytest.fixture
def root(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / REL).write_bytes("Biên bản số 03\n".encode())
    return tmp_path


def test_a_remembered_file_is_not_read_again(root, monkeypatch):
    monkeypatch.setattr(E, "RACY_NS", 0)
    memo = E.HashMemo()
    real = hashlib.sha256((root / REL).read_bytes()).hexdigest()
    assert E.file_sha256(root, REL, memo=memo) == real
    [row] = memo.rows()
    st = os.stat(root / REL)
    assert row == (REL, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, real) and memo.changed
    # a memo that says otherwise for the same stat data is believed: the file was not read
    planted = E.HashMemo([(*row[:5], "f" * 64)])
    assert E.file_sha256(root, REL, memo=planted) == "f" * 64
    assert planted.rows() == [(*row[:5], "f" * 64)] and not planted.changed
    assert E.pins_still_match(root, [(REL, "f" * 64)], planted)
    # changed bytes (another size, other times): hashed again
    (root / REL).write_bytes("Biên bản số 03, bản sửa\n".encode())
    again = E.HashMemo(memo.rows())
    new = hashlib.sha256((root / REL).read_bytes()).hexdigest()
    assert E.file_sha256(root, REL, memo=again) == new != real
    assert [r[5] for r in again.rows()] == [new]  # only what this run used


def test_a_file_changed_just_now_is_not_remembered(root):
    memo = E.HashMemo()
    E.file_sha256(root, REL, memo=memo)
    assert memo.rows() == [] and not memo.changed


def test_a_link_is_refused_whatever_the_memo_says(root, monkeypatch):
    monkeypatch.setattr(E, "RACY_NS", 0)
    memo = E.HashMemo()
    E.file_sha256(root, REL, memo=memo)
    rows = memo.rows()
    (root / "real.txt").write_bytes((root / REL).read_bytes())
    (root / REL).unlink()
    (root / REL).symlink_to(root / "real.txt")
    with pytest.raises(E.EvidenceError):
        E.file_sha256(root, REL, memo=E.HashMemo(rows))
    pins = [(REL, rows[0][5])]
    assert not E.pins_still_match(root, pins, E.HashMemo(rows))
