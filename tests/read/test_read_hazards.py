"""The reader is strict and safe: every reading hazard of the reliability catalogue
(/work/shared/research/reliability.md §1, rows Y1–Y33 and P58–P63) against the real
CLI.

Each case builds a real workspace on disk (``okrctl.yaml`` with ``name: Test``,
``units.yaml`` with unit ``so-khcn`` and, usually, ``okrs/2026-Q1/so-khcn.yaml``
holding the hazard) and checks the exit code, the exact set of
``path:line:col: error CODE`` prefixes (computed by hand, see the comments) and that
no Python traceback is printed.  At least one case of every hazard (those named in
:data:`CLI`) runs the real CLI, ``python -m okrctl -C WS validate``, in a subprocess;
the other variants of the same hazard load the same workspace in-process with
``load_workspace`` (a CLI run costs ~0.6 s of start-up, and the whole file must stay
well under a minute).  The subprocesses of all selected cases are started together by
one module fixture (a thread pool); each case is still its own test.

Rows not tested here, because they concern writing, not reading:

* Y2 (``allow_duplicate_keys=True``): a ruamel flag; the reader never uses ruamel,
  and libyaml has no such switch (duplicates are found by our own walker, Y1).
* Y12 (the "Norway problem" on output): how the writer quotes ``yes``/``NO``/``1:30``.
  On reading, those stay text (covered by the Y10/Y13 cases here and by
  tests/test_reader_agreement.py).
* Y22's second half (keep CRLF on write-back) and Y21's (restore the BOM on write) are
  writer duties; reading CRLF, CR and a leading BOM is covered.
* P62 for names longer than 255 bytes: such a file cannot exist on disk
  (``ENAMETOOLONG``); the longest possible names are covered.

Rows 34–57 and 64–68 (writer, git, audit, schema) are other areas.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from okrctl.model.problems import CODES
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import MAX_FILE_BYTES, SourceError, WorkingTreeSource
from okrctl.read.yamlread import MAX_SCALAR, Parsed, parse

PERIOD = "okrs/2026-Q1/so-khcn.yaml"
CONFIG = b"name: Test\n"
UNITS = "units:\n  - id: so-khcn\n    name: Sở Khoa học và Công nghệ\n".encode()
SECRET = "TOPSECRET-7f3a9c"

# The sample period file; line numbers and the column where each value starts:
SAMPLE = (
    "objectives:\n"                                # 1
    "  - id: O1\n"                                 # 2  id value at col 9
    "    title: Chuyển đổi số\n"                   # 3  title value at col 12
    "    key_results:\n"                           # 4
    "      - id: KR1\n"                            # 5
    "        title: Tỷ lệ hồ sơ xử lý trực tuyến\n"  # 6
    "        baseline: 45\n"                       # 7  value at col 19
    "        target: 80\n"                         # 8  value at col 17
    "        checkins:\n"                          # 9
    "          - date: 2026-01-15\n"               # 10 value at col 19
    "            value: 52\n"                      # 11 value at col 20
    "            by: tran.thi.b\n"                 # 12 value at col 17
)
# A boolean KR: line 10 is the check-in value (col 20).
BOOL_SAMPLE = (
    "objectives:\n"
    "  - id: O1\n"
    "    title: Chuyển đổi số\n"
    "    key_results:\n"
    "      - id: KR1\n"
    "        title: Có cổng dịch vụ công\n"
    "        type: boolean\n"                      # 7
    "        checkins:\n"                          # 8
    "          - date: 2026-01-15\n"               # 9
    "            value: true\n"                    # 10 value at col 20
)


def edit(text: str, lines: dict[int, str]) -> str:
    """``text`` with line N (1-based) replaced by ``lines[N]`` (which may hold newlines)."""
    out = text.split("\n")
    for n, new in lines.items():
        out[n - 1] = new
    return "\n".join(out)


def sample(lines: dict[int, str] | None = None, base: str = SAMPLE) -> bytes:
    return edit(base, lines or {}).encode()


def top(extra: str) -> bytes:
    """A valid period file with ``extra`` from line 2 on."""
    return ("objectives: []\n" + extra).encode()


P = PERIOD  # short, for the expected prefixes


@dataclass(frozen=True)
class Case:
    id: str
    period: bytes | None = None                     # bytes of okrs/2026-Q1/so-khcn.yaml (None: no file)
    errors: tuple[str, ...] = ()                    # "path:L:C: error OKRxxx", all of them unless exact=False
    exit: int = 1
    exact: bool = True
    contains: tuple[str, ...] = ()                  # more text that stdout must contain
    absent: tuple[str, ...] = ()                    # text in neither stdout nor stderr
    units: bytes = UNITS
    config: bytes = CONFIG
    setup: Callable[[Path, Path], None] | None = None  # (workspace, a directory outside it)


def ok(id: str, period: bytes, **kw) -> Case:
    return Case(id, period, (), exit=0, **kw)


# ---------------------------------------------------------------- the tables (row → cases)

DUPLICATE_KEYS = [  # Y1, Y4
    Case("Y1-same-mapping", top("objectives: []\n"), (f"{P}:2:1: error OKR008",),
         contains=("duplicate key 'objectives' (first defined at 1:1)",)),
    Case("Y1-nested", sample({8: "        target: 10\n        target: 99"}), (f"{P}:9:9: error OKR008",),
         contains=("duplicate key 'target' (first defined at 8:9)",)),
    Case("Y1-in-flow-mapping", top("x-a: {k: 1, k: 2}\n"), (f"{P}:2:13: error OKR008",)),
    # Y4: the same Vietnamese key typed in NFC and in NFD (o + U+0300)
    Case("Y4-nfc-vs-nfd", top("x-Phòng: 1\nx-Pho\u0300ng: 2\n"), (f"{P}:3:1: error OKR008",),
         contains=("after Unicode NFC normalisation (first defined at 2:1)",)),
    Case("Y4-nfd-vs-nfc-in-units", None, ("units.yaml:5:5: error OKR008",),
         units="units:\n  - id: so-khcn\n    name: Phòng\n    x-tên: 1\n    x-te\u0302n: 2\n".encode()),
    # columns count the characters as written: NFD "o"+U+0300 is two of them
    Case("Y4-nfd-columns", top("x-Pho\u0300ng: !!str 1\n"), (f"{P}:2:11: error OKR004",)),
]

NON_TEXT_KEYS = [  # Y3, Y32
    Case("Y32-int-key", top("1: a\n"), (f"{P}:2:1: error OKR009",), contains=("key '1' is read as a number",)),
    Case("Y32-float-key", top("1.5: a\n"), (f"{P}:2:1: error OKR009",)),
    Case("Y32-true-key", top("true: b\n"), (f"{P}:2:1: error OKR009",), contains=("key 'true'",)),
    Case("Y32-null-key", top("~: x\n"), (f"{P}:2:1: error OKR009",), contains=("key '~'",)),
    Case("Y32-null-word-key", top("null: x\n"), (f"{P}:2:1: error OKR009",)),
    Case("Y32-complex-seq-key", top("? [a, b]\n: c\n"), (f"{P}:2:3: error OKR009",)),
    Case("Y32-complex-map-key", top("? {a: 1}\n: c\n"), (f"{P}:2:3: error OKR009",)),
    Case("Y32-flow-seq-key", top("x-m: {[a]: 1}\n"), (f"{P}:2:7: error OKR009",)),
    # YAML 1.2 has no timestamp type: a date key is text, hence just an unknown key
    Case("Y32-date-key-is-text", top("2024-01-01: c\n"), (f"{P}:2:1: error OKR101",)),
    # quoting makes a number key text
    Case("Y32-quoted-number-key", top('"1": a\n'), (f"{P}:2:1: error OKR101",)),
    # Y3: 1 and true (1 == True in Python) are each refused with their own token
    Case("Y3-python-equality", top("1: a\ntrue: b\n"), (f"{P}:2:1: error OKR009", f"{P}:3:1: error OKR009"),
         contains=("key '1' is read", "key 'true' is read"), absent=("duplicate",)),
    Case("Y3-int-and-float", top("1: a\n1.0: b\n"), (f"{P}:2:1: error OKR009", f"{P}:3:1: error OKR009"),
         absent=("duplicate",)),
]

BOMB = "x-a0: &a0 [lol]\n" + "".join(f"x-a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))

ANCHORS = [  # Y5, Y6, Y7, Y31
    Case("Y5-merge-key-flow", top("x-m: {<<: {x: 1}, x: 2}\n"), (f"{P}:2:7: error OKR003",), contains=("merge keys (<<)",)),
    Case("Y5-merge-key-block", top("x-m:\n  <<: {x: 1}\n  x: 2\n"), (f"{P}:3:3: error OKR003",)),
    Case("Y5-merge-with-alias", top("x-base: &b {x: 1}\nx-m: {<<: *b, x: 2}\n"),
         (f"{P}:2:9: error OKR003", f"{P}:3:11: error OKR003"), contains=("anchor &b", "alias *b")),
    Case("Y5-double-merge", top("x-base: &b {x: 1}\nx-m:\n  <<: *b\n  <<: *b\n"),
         (f"{P}:2:9: error OKR003", f"{P}:4:7: error OKR003", f"{P}:5:7: error OKR003")),
    Case("Y5-anchor-on-objective", sample({2: "  - &o id: O1"}), (f"{P}:2:5: error OKR003",)),
    # 9 levels × 9 aliases (about 10^9 nodes if expanded): refused at the first anchor,
    # before anything is composed; the event scan stops after 20 findings
    Case("Y6-billion-laughs", top(BOMB), (f"{P}:2:7: error OKR003", f"{P}:3:7: error OKR003", f"{P}:3:12: error OKR003"),
         exact=False),
    Case("Y7-recursive-seq", top("x-a: &x [1, *x]\n"), (f"{P}:2:6: error OKR003", f"{P}:2:13: error OKR003")),
    Case("Y7-recursive-map", top("x-b: &m {k: *m}\n"), (f"{P}:2:6: error OKR003", f"{P}:2:13: error OKR003")),
    Case("Y31-anchor-redefined", top("x-a: &x 1\nx-b: &x 2\nx-c: *x\n"),
         (f"{P}:2:6: error OKR003", f"{P}:3:6: error OKR003", f"{P}:4:6: error OKR003")),
]

TAGS = [  # Y8, Y9, Y11
    # the command would create "pwned" in the workspace if it were ever executed
    Case("Y8-python-object-apply", top('x-a: !!python/object/apply:os.system ["touch pwned"]\n'),
         (f"{P}:2:6: error OKR004",), contains=("python/object/apply:os.system",)),
    Case("Y8-python-name", top("x-a: !!python/name:os.system\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y8-python-tag-on-target", sample({8: "        target: !!python/object/new:decimal.Decimal ['1']"}),
         (f"{P}:8:17: error OKR004",)),
    Case("Y9-Ref", top("x-a: !Ref foo\n"), (f"{P}:2:6: error OKR004",), contains=("'!Ref'",)),
    Case("Y9-binary", top("x-a: !!binary aGVsbG8=\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y9-set", top("x-a: !!set {a, b}\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y9-omap", top("x-a: !!omap [a: 1]\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y9-custom", top("x-a: !custom {x: 1}\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y9-str-tag", sample({8: "        target: !!str 80"}), (f"{P}:8:17: error OKR004",)),
    Case("Y9-tag-on-key", top("!!str x-a: 1\n"), (f"{P}:2:1: error OKR004",)),
    Case("Y9-verbatim-tag", top("x-a: !<tag:yaml.org,2002:int> 1\n"), (f"{P}:2:6: error OKR004",)),
    Case("Y11-yaml-1.1-directive", ("%YAML 1.1\n---\nobjectives: []\nx-e: yes\nx-m: 0777\n").encode(),
         (f"{P}:1:1: error OKR004",), contains=("%YAML directives",)),
    Case("Y11-yaml-1.2-directive", b"%YAML 1.2\n---\nobjectives: []\n", (f"{P}:1:1: error OKR004",)),
    Case("Y11-tag-directive", b"%TAG !e! tag:example.com,2000:\n---\nobjectives: []\n", (f"{P}:1:1: error OKR004",),
         contains=("%TAG directives",)),
]

DOCUMENTS = [  # Y28, Y29, Y30
    Case("Y30-two-documents", top("---\nkpis: []\n"), (f"{P}:2:1: error OKR010",)),
    Case("Y30-explicit-documents", b"---\nobjectives: []\n...\n---\nkpis: []\n", (f"{P}:4:1: error OKR010",)),
    Case("Y28-empty-file", b"", (f"{P}:1:1: error OKR011",)),
    Case("Y28-comments-only", "# Kế hoạch quý 1\n# (chưa có)\n".encode(), (f"{P}:1:1: error OKR011",)),
    Case("Y28-document-marker-only", b"---\n", (f"{P}:1:1: error OKR011",)),
    Case("Y28-marker-and-comment", b"--- # nothing yet\n...\n", (f"{P}:1:1: error OKR011",)),
    Case("Y28-blank-lines", b"\n  \n\n", (f"{P}:1:1: error OKR011",)),
    Case("Y28-empty-units", None, ("units.yaml:1:1: error OKR011",), units=b""),
    Case("Y28-empty-config", None, ("okrctl.yaml:1:1: error OKR011",), config=b"# settings\n"),
    Case("Y29-top-level-list", b"- a\n- b\n", (f"{P}:1:1: error OKR012",), contains=("not a list",)),
    Case("Y29-top-level-scalar", b"hello\n", (f"{P}:1:1: error OKR012",), contains=("not a single value",)),
    Case("Y29-top-level-null", b"null\n", (f"{P}:1:1: error OKR012",)),
    Case("Y29-top-level-list-config", None, ("okrctl.yaml:1:1: error OKR012",), config=b"- name: Test\n"),
]

BOOLEANS = [  # Y10: YAML 1.1 booleans are text in YAML 1.2, and the schema wants a boolean
    *(Case(f"Y10-{word}", sample({10: f"            value: {word}"}, BOOL_SAMPLE), (f"{P}:10:20: error OKR103",),
           contains=(f"not '{word}' (YAML 1.2 reads yes/no/on/off as text; write true or false)",))
      for word in ("yes", "no", "on", "off", "y", "NO", "Yes")),
    Case("Y10-quoted-true", sample({10: "            value: 'true'"}, BOOL_SAMPLE), (f"{P}:10:20: error OKR103",)),
    ok("Y10-True-is-boolean", sample({10: "            value: True"}, BOOL_SAMPLE)),
    ok("Y10-FALSE-is-boolean", sample({10: "            value: FALSE"}, BOOL_SAMPLE)),
]

TEXT_STAYS_TEXT = [  # Y13, Y15 (valid files: exit 0)
    ok("Y13-phone-number-by", sample({12: "            by: 0912345678"})),
    ok("Y13-id-007", sample({2: "  - id: 007"})),
    ok("Y13-zip-like-title", sample({3: "    title: 01234"})),
    ok("Y13-numeric-title", sample({3: "    title: 2026", 6: "        title: 1.10"})),
    ok("Y15-date-stays-text", sample({10: "          - date: 2026-01-15"})),
]

NUMBERS = [  # Y14, Y17, Y18, Y19
    *(Case(f"Y14-{name}", sample({8: f"        target: {tok}"}), (f"{P}:8:17: error OKR013",),
           contains=(f"'{tok}' is not a plain decimal number",))
      for name, tok in (("hex", "0x1F"), ("octal-0o", "0o17"), ("underscore", "1_000"),
                        ("underscore-fraction", "1_000.5"), ("hex-negative", "-0x10"))),
    *(Case(f"Y18-{name}", sample({8: f"        target: {tok}"}), (f"{P}:8:17: error OKR013",))
      for name, tok in (("inf", ".inf"), ("minus-Inf", "-.Inf"), ("plus-INF", "+.INF"), ("nan", ".nan"), ("NaN", ".NaN"))),
    # plain "nan" is text in YAML 1.2: a type error, not a NaN
    Case("Y18-plain-nan-is-text", sample({8: "        target: nan"}), (f"{P}:8:17: error OKR103",)),
    ok("Y14-odd-but-decimal", sample({7: "        baseline: .5", 8: "        target: 1e3"})),
    ok("Y14-plus-sign-and-trailing-dot", sample({7: "        baseline: +1", 8: "        target: 2."})),
    ok("Y17-29-digits", sample({8: "        target: " + "9" * 29})),
    ok("Y17-40-digits", sample({8: "        target: " + "9" * 40})),
    Case("Y17-41-digits", sample({8: "        target: " + "9" * 41}), (f"{P}:8:17: error OKR007",),
         contains=("more than 40 digits",)),
    # 5000 digits would raise ValueError (int/str digit limit) in a naive reader
    Case("Y17-5000-digits", sample({8: "        target: " + "9" * 5000}), (f"{P}:8:17: error OKR007",),
         absent=("ValueError", "4300")),
    # 1e999999999 is a 12-character "decimal"; exact arithmetic on it would need a
    # billion-digit integer (score hung for minutes); 1e99999999999999999999 made
    # Decimal() raise (it was reported as an internal error, OKR015)
    Case("Y17-huge-exponent", sample({8: "        target: 1e999999999"}), (f"{P}:8:17: error OKR007",)),
    Case("Y17-tiny-exponent", sample({8: "        target: 1e-999999999"}), (f"{P}:8:17: error OKR007",)),
    Case("Y17-exponent-beyond-decimal", sample({8: "        target: 1e99999999999999999999"}), (f"{P}:8:17: error OKR007",),
         absent=("OKR015", "InvalidOperation")),
    Case("Y17-huge-measurement", top("kpis:\n  - id: K1\n    title: T\n    target: 98\n    measurements:\n"
                                     "      - {date: 2026-01-31, value: 1e41}\n"), (f"{P}:7:35: error OKR007",)),
    # Y19: a float where the schema wants an integer
    Case("Y19-float-for-integer", sample({9: "        due_days: 7.0\n        checkins:"}), (f"{P}:9:19: error OKR103",),
         contains=("must be a whole number, not 7.0",)),
]

DATES = [  # Y15, Y16
    Case("Y16-february-30", sample({10: "          - date: 2026-02-30"}), (f"{P}:10:19: error OKR105",),
         contains=("'2026-02-30' is not a real date",), absent=("ValueError", "day is out of range")),
    Case("Y16-month-13", sample({10: "          - date: 2026-13-45"}), (f"{P}:10:19: error OKR105",)),
    Case("Y15-datetime", sample({10: "          - date: 2026-01-15 10:00:00"}), (f"{P}:10:19: error OKR105",)),
    Case("Y15-datetime-with-zone", sample({10: "          - date: 2026-01-15T10:00:00+07:00"}), (f"{P}:10:19: error OKR105",)),
    Case("Y15-unpadded-date", sample({10: "          - date: 2026-1-5"}), (f"{P}:10:19: error OKR105",)),
]

# only line 3 (the objective title) is non-ASCII, so the file can be saved as Latin-1/CP1258
LEGACY = edit(SAMPLE, {6: "        title: Online share"})

ENCODINGS = [  # Y20, Y21, Y22
    # line 3 is "    title: …": the first character of the title is column 12
    Case("Y20-latin-1", LEGACY.replace("Chuyển đổi số", "Cà phê").encode("latin-1"), (f"{P}:3:13: error OKR001",), contains=("invalid UTF-8 (byte 0xE0)",)),
    Case("Y20-cp1258", LEGACY.replace("Chuyển đổi số", "Sơn").encode("cp1258"), (f"{P}:3:13: error OKR001",),
         contains=("(byte 0xF5)",)),
    Case("Y20-overlong", sample({3: "    title: a"}).replace(b"title: a", b"title: a\xc0\xaf"), (f"{P}:3:13: error OKR001",),
         contains=("(byte 0xC0)",)),
    Case("Y20-surrogate", sample({3: "    title: ab"}).replace(b"title: ab", b"title: ab\xed\xa0\x80"), (f"{P}:3:14: error OKR001",),
         contains=("(byte 0xED)",)),
    # the column counts characters, not bytes: "Việt" is 4 characters, 6 bytes
    Case("Y20-after-vietnamese", sample({3: "    title: Việt"}).replace("Việt".encode(), "Việt".encode() + b"\xff"),
         (f"{P}:3:16: error OKR001",)),
    Case("Y20-truncated-at-end", sample() + "x-ghi-chú: Hà N".encode() + b"\xe1\xbb", (f"{P}:13:16: error OKR001",)),
    Case("Y21-utf16-le-bom", b"\xff\xfe" + SAMPLE.encode("utf-16-le"), (f"{P}:1:1: error OKR001",), contains=("UTF-16",)),
    Case("Y21-utf16-be-bom", b"\xfe\xff" + SAMPLE.encode("utf-16-be"), (f"{P}:1:1: error OKR001",)),
    Case("Y21-utf32-bom", SAMPLE.encode("utf-32"), (f"{P}:1:1: error OKR001",)),
    Case("Y21-utf16-without-bom", SAMPLE.encode("utf-16-le"), (f"{P}:1:1: error OKR001",), contains=("without a byte-order mark",)),
    ok("Y21-leading-utf8-bom", b"\xef\xbb\xbf" + sample()),
    Case("Y21-bom-in-title", sample({3: "    title: Vi\ufeffệt"}), (f"{P}:3:14: error OKR014",), contains=("byte-order mark",)),
    Case("Y21-bom-in-key", top("x-\ufeffb: 1\n"), (f"{P}:2:3: error OKR014",)),
    Case("Y21-two-leading-boms", b"\xef\xbb\xbf\xef\xbb\xbf" + sample(), (f"{P}:1:1: error OKR014",)),
    ok("Y22-crlf", sample().replace(b"\n", b"\r\n")),
    ok("Y22-cr-only", sample().replace(b"\n", b"\r")),
    ok("Y22-crlf-with-bom", b"\xef\xbb\xbf" + sample().replace(b"\n", b"\r\n")),
    # lines are counted the same with CRLF and CR: the bad number is still 8:17
    Case("Y22-crlf-positions", sample({8: "        target: 0x1F"}).replace(b"\n", b"\r\n"), (f"{P}:8:17: error OKR013",)),
    Case("Y22-cr-positions", sample({8: "        target: 0x1F"}).replace(b"\n", b"\r"), (f"{P}:8:17: error OKR013",)),
]

WHITESPACE_AND_CONTROLS = [  # Y23, Y24
    Case("Y23-tab-indentation", b"objectives:\n\t- id: O1\n", (f"{P}:2:1: error OKR002",), contains=("tabs are not allowed",)),
    Case("Y23-tab-indented-key", sample({8: "\ttarget: 80"}), (f"{P}:8:1: error OKR002",), contains=("tabs are not allowed",)),
    # YAML 1.2 allows a tab as separation after ':' (s-separate-in-line), and in text
    ok("Y23-tab-after-colon", sample({8: "        target:\t80"})),
    ok("Y23-tab-inside-title", sample({3: "    title: Chuyển\tđổi số"})),
    # raw control characters in the text (line 3, title starts at column 12)
    *(Case(f"Y24-{name}", sample({3: f"    title: a{ch}b"}), (f"{P}:3:13: error OKR014",),
           absent=(ch,))
      for name, ch in (("nul", "\x00"), ("bell", "\x07"), ("escape", "\x1b"), ("delete", "\x7f"),
                       ("c1-csi", "\x9b"), ("nel", "\x85"), ("line-separator", "\u2028"),
                       ("paragraph-separator", "\u2029"), ("bidi-rlo", "\u202e"), ("bidi-isolate", "\u2066"),
                       ("lrm", "\u200e"), ("arabic-letter-mark", "\u061c"))),
    Case("Y24-bidi-in-key", top("x-a\u202eb: 1\n"), (f"{P}:2:4: error OKR014",), contains=("U+202E",)),
    Case("Y24-bidi-in-unit-id", None, ("units.yaml:2:16: error OKR014",),
         units="units:\n  - id: so-khcn\u202e\n    name: X\n".encode()),
    # NEL / U+2028 used to be taken for line breaks by libyaml: the error was a
    # confusing "could not find expected ':'" two lines further down
    Case("Y24-nel-in-objective", sample({5: "      - id: KR1\x85"}), (f"{P}:5:16: error OKR014",), contains=("U+0085",)),
    # escaped in a double-quoted string, a control or bidi character is refused too
    # (issue 12 #5: docs/checks.md promises OKR014), at the value, and never printed raw
    Case("Y24-escaped-controls-in-title", sample({3: '    title: "a\\e[31mb\\u202Ec\\0"'}), (f"{P}:3:12: error OKR014",),
         absent=("\x1b", "\u202e")),
]

LIMITS = [  # Y25, Y26, Y27
    # libyaml's own limit (1000 flow levels) trips at the 1000th '[' (column 5 + 1000)
    Case("Y25-2000-brackets", top("x-a: " + "[" * 2000 + "]" * 2000 + "\n"), (f"{P}:2:1005: error OKR007",)),
    Case("Y25-100000-open-brackets", top("x-a: " + "[" * 100_000 + "\n"), (f"{P}:2:1005: error OKR007",)),
    # our limit (32 levels): the k-th '[' is at column 5 + k and at depth k; depth 32 is refused
    Case("Y25-33-brackets", top("x-a: " + "[" * 33 + "]" * 33 + "\n"), (f"{P}:2:37: error OKR007",),
         contains=("nesting deeper than 32 levels",)),
    ok("Y25-31-brackets", top("x-a: " + "[" * 31 + "]" * 31 + "\n")),
    # "{a: " is 4 characters: the 32nd '{' is at column 6 + 4·31 = 130
    Case("Y25-300-flow-mappings", top("x-a: " + "{a: " * 300 + "1" + "}" * 300 + "\n"), (f"{P}:2:130: error OKR007",)),
    # block mapping k levels below x-a starts on line 2 + k at column 1 + k
    Case("Y25-300-block-levels", top("x-a:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(300)) + " " * 301 + "v\n"),
         (f"{P}:34:33: error OKR007",)),
    Case("Y26-over-1-MiB", top("#" * MAX_FILE_BYTES + "\n"), (f"{P}:1:1: error OKR007",),
         contains=(f"is {MAX_FILE_BYTES + 16} bytes; the limit is {MAX_FILE_BYTES}",)),
    Case("Y26-100k-keys", top("".join(f"x-k{i:07d}: 1\n" for i in range(100_000))), (f"{P}:1:1: error OKR007",)),
    ok("Y26-just-under-1-MiB", top("#" * (MAX_FILE_BYTES - 32) + "\n")),
    Case("Y27-long-plain-scalar", top("x-a: " + "a" * (MAX_SCALAR + 1) + "\n"), (f"{P}:2:6: error OKR007",),
         contains=(f"value is {MAX_SCALAR + 1} characters long",)),
    Case("Y27-long-quoted-scalar", top('x-a: "' + "ă" * (MAX_SCALAR + 1) + '"\n'), (f"{P}:2:6: error OKR007",)),
    Case("Y27-long-title", sample({3: "    title: " + "Đ" * 2001}), (f"{P}:3:12: error OKR104",)),
    # a plain key over 1024 characters: libyaml said "could not find expected ':'" at
    # its end; now the limit is named, at the start of the key
    Case("Y27-long-key", top("x-" + "k" * 1100 + ": 1\n"), (f"{P}:2:1: error OKR007",), contains=("longer than 1024 characters",)),
    Case("Y27-long-quoted-key", top('"x-' + "k" * 1100 + '": 1\n'), (f"{P}:2:1: error OKR007",)),
    ok("Y27-long-line-of-numbers", top("x-a: [" + "1, " * 50_000 + "1]\n")),
]


def _symlink_file(ws: Path, out: Path) -> None:
    (out / "secret.yaml").write_text(f"{SECRET}: 1\n")
    (ws / "okrs/2026-Q1").mkdir(parents=True)
    os.symlink(out / "secret.yaml", ws / PERIOD)


def _symlink_okrs(ws: Path, out: Path) -> None:
    (out / "okrs/2026-Q1").mkdir(parents=True)
    (out / "okrs" / PERIOD.removeprefix("okrs/")).write_text(f"{SECRET}: 1\n")
    os.symlink(out / "okrs", ws / "okrs")


def _symlink_period(ws: Path, out: Path) -> None:
    (out / "q1").mkdir()
    (out / "q1/so-khcn.yaml").write_text(f"{SECRET}: 1\n")
    (ws / "okrs").mkdir()
    os.symlink(out / "q1", ws / "okrs/2026-Q1")


def _symlink_relative(ws: Path, out: Path) -> None:
    (out / "secret.yaml").write_text(f"{SECRET}: 1\n")
    (ws / "okrs/2026-Q1").mkdir(parents=True)
    os.symlink(os.path.relpath(out / "secret.yaml", ws / "okrs/2026-Q1"), ws / PERIOD)


def _symlink_units(ws: Path, out: Path) -> None:
    (out / "secret.yaml").write_text(f"units:\n  - id: {SECRET.lower()}\n    name: {SECRET}\n")
    (ws / "units.yaml").unlink()
    os.symlink(out / "secret.yaml", ws / "units.yaml")


def _symlink_dev_zero(ws: Path, out: Path) -> None:
    (ws / "okrs/2026-Q1").mkdir(parents=True)
    os.symlink("/dev/zero", ws / PERIOD)


def _fifo(ws: Path, out: Path) -> None:  # reading it would block forever
    (ws / "okrs/2026-Q1").mkdir(parents=True)
    os.mkfifo(ws / PERIOD)


def _directory_named_like_a_file(ws: Path, out: Path) -> None:
    (ws / PERIOD).mkdir(parents=True)


def _files(*names: str | bytes) -> Callable[[Path, Path], None]:
    def setup(ws: Path, out: Path) -> None:
        for name in names:
            raw = name if isinstance(name, bytes) else name.encode()
            full = os.path.join(bytes(ws), raw)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(b"objectives: []\n")
    return setup


Q = "okrs/2026-Q1"

PATHS = [  # P58–P63
    # P58: unit ids that would be path traversal are schema errors at their position
    *(Case(f"P58-unit-id-{name}", None, ("units.yaml:2:9: error OKR104",),
           units=f"units:\n  - id: {uid}\n    name: X\n".encode())
      for name, uid in (("dotdot", "../../etc/passwd"), ("absolute", "/etc/passwd"), ("inner-dotdot", "a/../../x"),
                        ("dot", "so.khcn"))),
    # an escaped NUL is refused by the reader before the schema sees the id
    Case("P58-unit-id-escaped-nul", None, ("units.yaml:2:9: error OKR014",), units=b'units:\n  - id: "x\\0y"\n    name: X\n'),
    # P59: links are refused and the outside file is never read (its text would show
    # up as an unknown key if it were)
    Case("P59-symlinked-period-file", None, (f"{P}:1:1: error OKR006",), absent=(SECRET,), setup=_symlink_file),
    Case("P59-relative-symlink", None, (f"{P}:1:1: error OKR006",), absent=(SECRET,), setup=_symlink_relative),
    Case("P59-symlinked-okrs-dir", None, ("okrs:1:1: error OKR006",), absent=(SECRET,), setup=_symlink_okrs),
    Case("P59-symlinked-period-dir", None, (f"{Q}:1:1: error OKR006",), absent=(SECRET,), setup=_symlink_period),
    Case("P59-symlinked-units", None, ("units.yaml:1:1: error OKR006",),
         absent=(SECRET, SECRET.lower()), setup=_symlink_units),
    Case("P59-symlink-to-dev-zero", None, (f"{P}:1:1: error OKR006",), setup=_symlink_dev_zero),
    Case("P59-fifo", None, (f"{P}:1:1: error OKR006",), contains=("not a regular file",), setup=_fifo),
    Case("P59-directory-named-yaml", None, (f"{P}:1:1: error OKR110",), contains=("is a folder",), setup=_directory_named_like_a_file),
    # P60: unit ids are lowercase, so the uppercase twin is not a unit id, and the pair
    # collides (the listing is sorted, uppercase first, so the lowercase file is named)
    Case("P60-case-twins", sample(), (f"{Q}/SO-KHCN.yaml:1:1: error OKR110", f"{P}:1:1: error OKR113"),
         setup=_files(f"{Q}/SO-KHCN.yaml")),
    Case("P60-period-dir-case-twins", sample(), ("okrs/2026-q1/so-khcn.yaml:1:1: error OKR113",),
         setup=_files("okrs/2026-q1/so-khcn.yaml")),
    Case("P60-Sales", None, (f"{Q}/Sales.yaml:1:1: error OKR110",), setup=_files(f"{Q}/Sales.yaml")),
    # P61: NFD file names (as macOS writes them): not unit ids, and an NFC twin collides
    Case("P61-nfd-name", None, (f"{Q}/pho\u0300ng.yaml:1:1: error OKR110",), setup=_files(f"{Q}/pho\u0300ng.yaml")),
    Case("P61-nfc-and-nfd-twins", None, (f"{Q}/pho\u0300ng.yaml:1:1: error OKR110", f"{Q}/phòng.yaml:1:1: error OKR113"),
         setup=_files(f"{Q}/phòng.yaml", f"{Q}/pho\u0300ng.yaml")),
    # P62: names longer than a unit id (64) — the longest the file system allows
    Case("P62-65-characters", None, (f"{Q}/{'a' * 65}.yaml:1:1: error OKR110",), setup=_files(f"{Q}/{'a' * 65}.yaml")),
    Case("P62-long-vietnamese", None, (f"{Q}/{'ả' * 80}.yaml:1:1: error OKR110",), setup=_files(f"{Q}/{'ả' * 80}.yaml")),
    # P63: names that are not unit ids
    *(Case(f"P63-{label}", None, (f"{Q}/{name}:1:1: error OKR110",), setup=_files(f"{Q}/{name}"))
      for label, name in (("space", "a b.yaml"), ("leading-space", " sales.yaml"), ("trailing-dot", "sales..yaml"),
                          ("colon", "a:b.yaml"), ("underscore", "so_khcn.yaml"), ("yml", "so-khcn.yml"),
                          ("period-like", "2026.yaml"))),
    # "con" is a valid unit id by FORMAT §2 ([a-z][a-z0-9-]*), so con.yaml is read
    # like any other (it is reserved on Windows: see the report)
    ok("P63-con-is-a-unit-id", None, units=UNITS + b"  - id: con\n    name: Con\n", setup=_files(f"{Q}/con.yaml")),
    # a name with a newline or an escape sequence is refused and printed escaped, so
    # it can neither forge a CI annotation line nor recolour the terminal
    Case("P63-newline-in-name", None, (f"{Q}/x\\u000a::error::forged.yaml:1:1: error OKR110",),
         absent=("\n::error::forged",), setup=_files(f"{Q}/x\n::error::forged.yaml")),
    Case("P63-escape-in-name", None, (f"{Q}/x\\u001b[31m.yaml:1:1: error OKR110",), absent=("\x1b",),
         setup=_files(f"{Q}/x\x1b[31m.yaml")),
    Case("P63-non-utf8-name", None, (f"{Q}/\\udcff.yaml:1:1: error OKR110",), setup=_files(Q.encode() + b"/\xff.yaml")),
    # layout: a directory that is not a period, a file outside a period directory
    Case("P-period-Q5", None, ("okrs/2026-Q5/so-khcn.yaml:1:1: error OKR242",), setup=_files("okrs/2026-Q5/so-khcn.yaml")),
    Case("P-period-lowercase", None, ("okrs/2026-q1/so-khcn.yaml:1:1: error OKR242",), setup=_files("okrs/2026-q1/so-khcn.yaml")),
    Case("P-period-H3", None, ("okrs/2026-H3/so-khcn.yaml:1:1: error OKR242",), setup=_files("okrs/2026-H3/so-khcn.yaml")),
    Case("P-file-directly-in-okrs", None, ("okrs/so-khcn.yaml:1:1: error OKR110",), setup=_files("okrs/so-khcn.yaml")),
]

# The cases that run the real CLI in a subprocess: at least one per hazard row.
CLI = frozenset({
    "Y1-same-mapping", "Y1-nested", "Y4-nfc-vs-nfd", "Y3-python-equality", "Y32-int-key", "Y32-null-key",
    "Y32-complex-seq-key", "Y5-merge-key-flow", "Y6-billion-laughs", "Y7-recursive-seq", "Y31-anchor-redefined",
    "Y8-python-object-apply", "Y9-Ref", "Y9-binary", "Y9-custom", "Y11-yaml-1.1-directive", "Y30-two-documents",
    "Y28-empty-file", "Y28-document-marker-only", "Y29-top-level-list", "Y10-yes", "Y13-phone-number-by",
    "Y13-id-007", "Y14-hex", "Y14-underscore", "Y18-inf", "Y17-5000-digits", "Y17-huge-exponent",
    "Y19-float-for-integer", "Y16-february-30", "Y15-datetime", "Y20-latin-1", "Y20-overlong", "Y20-surrogate",
    "Y21-utf16-le-bom", "Y21-leading-utf8-bom", "Y21-bom-in-title", "Y22-crlf", "Y23-tab-indentation",
    "Y24-nul", "Y24-nel", "Y24-bidi-rlo", "Y25-2000-brackets", "Y26-over-1-MiB", "Y27-long-plain-scalar",
    "Y27-long-key", "P58-unit-id-dotdot", "P59-symlinked-period-file", "P59-symlinked-okrs-dir",
    "P59-symlinked-period-dir", "P59-fifo", "P60-case-twins", "P61-nfd-name", "P63-space", "P63-yml",
    "P63-newline-in-name", "P-period-Q5",
    # output-level checks (escaping, encodings) that only the CLI can show
    "P63-escape-in-name", "P63-non-utf8-name", "Y24-escaped-controls-in-title", "P59-symlinked-units",
    # more variants, while the run stays short
    "Y4-nfd-columns", "Y5-merge-with-alias", "Y10-on", "Y21-utf16-without-bom", "Y23-tab-after-colon",
    "Y24-line-separator", "P61-nfc-and-nfd-twins", "P63-con-is-a-unit-id", "P-file-directly-in-okrs",
})

ALL_CASES = (DUPLICATE_KEYS + NON_TEXT_KEYS + ANCHORS + TAGS + DOCUMENTS + BOOLEANS + TEXT_STAYS_TEXT + NUMBERS
             + DATES + ENCODINGS + WHITESPACE_AND_CONTROLS + LIMITS + PATHS)
assert len({c.id for c in ALL_CASES}) == len(ALL_CASES), "case ids must be unique"
assert CLI <= {c.id for c in ALL_CASES}, CLI - {c.id for c in ALL_CASES}


# ---------------------------------------------------------------- running the CLI

@dataclass
class Run:
    ws: Path
    proc: subprocess.CompletedProcess | None = None
    seconds: float = 0.0


def _build(case: Case, root: Path) -> tuple[Path, Path]:
    ws, out = root / "ws", root / "outside"
    ws.mkdir()
    out.mkdir()
    (ws / "okrctl.yaml").write_bytes(case.config)
    (ws / "units.yaml").write_bytes(case.units)
    if case.period is not None:
        (ws / "okrs/2026-Q1").mkdir(parents=True)
        (ws / PERIOD).write_bytes(case.period)
    if case.setup is not None:
        case.setup(ws, out)
    return ws, out


def _env(pycache: Path) -> dict[str, str]:
    drop = ("GITHUB_ACTIONS", "FORCE_COLOR", "OKRCTL_WORKSPACE", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    # byte-code in a private directory: halves the start-up of every run after the first
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8", COLUMNS="200", PYTHONPYCACHEPREFIX=str(pycache))
    return env


def run_cli(ws: Path, env: dict[str, str]) -> Run:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "okrctl", "-C", str(ws), "validate"],
        cwd=ws, capture_output=True, timeout=60, env=env,
    )
    return Run(ws, proc, time.perf_counter() - t)


@pytest.fixture(scope="module")
def cli_runs(request, tmp_path_factory) -> dict[str, Future]:
    """Start the CLI for every selected case at once; each test waits for its own."""
    selected = {item.callspec.params["case"].id for item in request.session.items
                if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)} & CLI
    env = _env(tmp_path_factory.mktemp("pycache"))
    futures = {}
    if selected:  # compile the byte-code once, before the runs start in parallel
        subprocess.run([sys.executable, "-m", "okrctl", "--version"], capture_output=True, timeout=60, env=env)
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2) + 1)
    for case in ALL_CASES:
        if case.id in selected:
            ws, _ = _build(case, tmp_path_factory.mktemp(re.sub(r"[^A-Za-z0-9-]", "_", case.id)[:40]))
            futures[case.id] = pool.submit(run_cli, ws, env)
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


def run_in_process(case: Case, root: Path) -> Run:
    """The same workspace, loaded in this process; the output is what ``validate``
    prints (one ``str(diagnostic)`` per line) and the exit code it would give."""
    ws, _ = _build(case, root)
    t = time.perf_counter()
    res = load_workspace(WorkingTreeSource(ws), cache=ParseCache())
    seconds = time.perf_counter() - t
    out = "".join(f"{d}\n" for d in res.diagnostics).encode("utf-8")
    code = 1 if any(d.severity == "error" for d in res.diagnostics) else 0
    return Run(ws, subprocess.CompletedProcess([], code, out, b""), seconds)


@pytest.fixture
def run(request, tmp_path) -> Callable[[Case], Run]:
    def go(case: Case) -> Run:
        if case.id in CLI:
            return request.getfixturevalue("cli_runs")[case.id].result()
        return run_in_process(case, tmp_path)
    return go


_ERROR = re.compile(r"^(.+?:\d+:\d+: error OKR\d{3}) ", re.M)


def check(case: Case, run: Run) -> None:
    proc = run.proc
    stdout = proc.stdout.decode("utf-8")  # the output is always valid UTF-8
    stderr = proc.stderr.decode("utf-8")
    assert "Traceback" not in stdout and "Traceback" not in stderr, stderr
    assert "internal error" not in stderr and "OKR015" not in stdout, (stdout, stderr)
    assert proc.returncode == case.exit, (stdout, stderr)
    got = _ERROR.findall(stdout)
    if case.exact:
        assert sorted(got) == sorted(case.errors), stdout
    else:
        missing = [e for e in case.errors if e not in got]
        assert not missing, stdout
    for text in case.contains:
        assert text in stdout, stdout
    for text in case.absent:
        assert text not in stdout and text not in stderr, stdout


def _param(cases: list[Case]):
    return pytest.mark.parametrize("case", cases, ids=[c.id for c in cases])


@_param(DUPLICATE_KEYS)
def test_duplicate_keys(case: Case, run) -> None:
    check(case, run(case))


@_param(NON_TEXT_KEYS)
def test_non_text_keys(case: Case, run) -> None:
    check(case, run(case))


@_param(ANCHORS)
def test_anchors_aliases_merge_keys(case: Case, run) -> None:
    r = run(case)
    check(case, r)
    if case.id == "Y6-billion-laughs":
        assert len(_ERROR.findall(r.proc.stdout.decode())) == 20  # the scan stops after 20 findings


@_param(TAGS)
def test_tags_and_directives(case: Case, run) -> None:
    r = run(case)
    check(case, r)
    assert not (r.ws / "pwned").exists()


@_param(DOCUMENTS)
def test_document_shape(case: Case, run) -> None:
    check(case, run(case))


@_param(BOOLEANS)
def test_yaml11_booleans(case: Case, run) -> None:
    check(case, run(case))


@_param(TEXT_STAYS_TEXT)
def test_text_stays_text(case: Case, run) -> None:
    check(case, run(case))


@_param(NUMBERS)
def test_numbers(case: Case, run) -> None:
    check(case, run(case))


@_param(DATES)
def test_dates(case: Case, run) -> None:
    check(case, run(case))


@_param(ENCODINGS)
def test_encodings_boms_line_endings(case: Case, run) -> None:
    check(case, run(case))


@_param(WHITESPACE_AND_CONTROLS)
def test_tabs_and_control_characters(case: Case, run) -> None:
    check(case, run(case))


@_param(LIMITS)
def test_size_and_depth_limits(case: Case, run) -> None:
    r = run(case)
    check(case, r)
    assert r.seconds < 30  # usually well under a second


@_param(PATHS)
def test_paths_and_links(case: Case, run) -> None:
    check(case, run(case))


# ---------------------------------------------------------------- in-process checks


def _workspace(tmp_path: Path, period: bytes) -> Path:
    ws, _ = _build(Case("x", period), tmp_path)
    return ws


def _load(ws: Path):
    return load_workspace(WorkingTreeSource(ws), cache=ParseCache())


def test_decimal_read_exactly(tmp_path: Path) -> None:
    """Y14: ``1.10`` is exactly 11/10 with its two decimals, never the double 1.1."""
    ws = _workspace(tmp_path, sample({7: "        baseline: 0.1", 8: "        target: 1.10", 11: "            value: 0.30"}))
    res = _load(ws)
    assert res.ok, res.diagnostics
    kr = res.workspace.files[0].objectives[0].key_results[0]
    assert (kr.baseline, kr.target) == (Decimal("0.1"), Decimal("1.10"))
    assert str(kr.target) == "1.10"
    assert kr.checkins[0].value == Decimal("0.30") and not isinstance(kr.checkins[0].value, float)


def test_text_values_keep_their_digits(tmp_path: Path) -> None:
    """Y13, Y15: a phone number, a leading-zero id and a date stay the text written."""
    ws = _workspace(tmp_path, sample({2: "  - id: 007", 3: "    title: 2026", 12: "            by: 0912345678"}))
    res = _load(ws)
    assert res.ok, res.diagnostics
    obj = res.workspace.files[0].objectives[0]
    assert (obj.id, obj.title) == ("007", "2026")
    ci = obj.key_results[0].checkins[0]
    assert (ci.by, ci.date) == ("0912345678", date(2026, 1, 15))
    parsed, diags = parse(sample(), "x.yaml")
    assert diags == [] and parsed.value["objectives"][0]["key_results"][0]["checkins"][0]["date"] == "2026-01-15"


def test_crlf_bom_and_tab_read_the_same(tmp_path: Path) -> None:
    """Y21, Y22, Y23: CRLF, CR, a leading BOM and a tab after ':' change nothing."""
    plain, _ = parse(sample(), "x.yaml")
    for data in (sample().replace(b"\n", b"\r\n"), sample().replace(b"\n", b"\r"), b"\xef\xbb\xbf" + sample(),
                 sample({8: "        target:\t80"})):
        doc, diags = parse(data, "x.yaml")
        assert diags == [] and doc.value == plain.value


def test_nfd_text_is_stored_nfc() -> None:
    """FORMAT §2: text is stored in NFC, whatever the editor wrote."""
    doc, diags = parse(("x-Pho\u0300ng: Pho\u0300ng\nx-q: \"Ho\u0300a\"\n").encode(), "x.yaml")
    assert diags == []
    assert doc.value == {"x-Phòng": "Phòng", "x-q": "Hòa"}


def test_billion_laughs_is_refused_fast() -> None:
    """Y6: refused at the event level, long before anything could expand."""
    t = time.perf_counter()
    doc, diags = parse(top(BOMB), "x.yaml")
    assert time.perf_counter() - t < 0.5
    assert doc is None and {d.code for d in diags} == {"OKR003"}
    assert (diags[0].line, diags[0].column) == (2, 7)


def test_large_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """Y26: the size cap comes before any parsing, so a 5 MiB file costs nothing."""
    ws = _workspace(tmp_path, top("".join(f"x-k{i:07d}: [1, 2, 3]\n" for i in range(250_000))))
    t = time.perf_counter()
    res = _load(ws)
    assert time.perf_counter() - t < 2
    assert [(d.path, d.code) for d in res.diagnostics] == [(PERIOD, "OKR007")]


@pytest.mark.parametrize("layout", ["period-dir", "okrs-dir"])
def test_source_read_refuses_symlinked_directories(tmp_path: Path, layout: str) -> None:
    """P59: O_NOFOLLOW guards only the last component; ``read`` must refuse a path
    through a symlinked directory too, even when called directly."""
    ws, out = _build(Case("x"), tmp_path)
    (_symlink_period if layout == "period-dir" else _symlink_okrs)(ws, out)
    with pytest.raises(SourceError) as exc:
        WorkingTreeSource(ws).read(PERIOD)
    assert exc.value.code == "OKR006"
    assert SECRET not in exc.value.message


def test_source_read_refuses_symlinked_file(tmp_path: Path) -> None:
    ws, out = _build(Case("x"), tmp_path)
    _symlink_file(ws, out)
    with pytest.raises(SourceError) as exc:
        WorkingTreeSource(ws).read(PERIOD)
    assert (exc.value.code, exc.value.path) == ("OKR006", PERIOD)


# ---------------------------------------------------------------- Y33: mutation fuzz smoke

_INTERESTING = [b":", b"-", b"[", b"]", b"{", b"}", b"&", b"*", b"!", b"%", b"#", b"'", b'"', b"|", b">", b"?",
                b",", b"\t", b"\n", b"\r", b" ", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\xe2\x80\xae",
                b"<<", b"---", b"...", b"~", b"0x", b".inf", b"1e999", b"\\", b"\xc2\x85", b"9" * 50]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        i = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip a byte
            buf[min(i, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:  # insert something YAML cares about
            buf[i:i] = rng.choice(_INTERESTING)
        elif op == 2 and buf:  # delete a run
            del buf[i:i + rng.randint(1, 8)]
        elif op == 3 and buf:  # duplicate a run (duplicate keys, deeper nesting)
            j = rng.randrange(len(buf))
            buf[i:i] = buf[j:j + rng.randint(1, 40)]
        else:  # swap two lines
            lines = bytes(buf).split(b"\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def test_mutation_fuzz_never_crashes() -> None:
    """Y33: 300 mutated sample files.  ``parse`` turns any exception into OKR015 (an
    internal error), so the real assertion is that OKR015 never appears: every input
    gives either a value and no diagnostics, or diagnostics with known codes at
    positions inside the file."""
    rng = random.Random(20260115)
    seeds = [sample(), sample(base=BOOL_SAMPLE), top("kpis:\n  - {id: K1, title: T, target: 98, measurements: [{date: 2026-01-31, value: 97.2}]}\n")]
    outcomes = {"value": 0, "diagnostics": 0}
    for n in range(300):
        data = _mutate(rng, seeds[n % len(seeds)])
        doc, diags = parse(data, "x.yaml")
        if doc is not None:
            assert isinstance(doc, Parsed) and isinstance(doc.value, dict) and diags == [], data
            outcomes["value"] += 1
            continue
        assert diags, data
        nlines = data.count(b"\n") + data.count(b"\r") + 2
        for d in diags:
            assert d.code in CODES and d.code != "OKR015", (data, d)
            assert 1 <= d.line <= nlines and d.column >= 1, (data, d)
        outcomes["diagnostics"] += 1
    # the mutations are neither all harmless nor all fatal
    assert outcomes["value"] > 10 and outcomes["diagnostics"] > 100, outcomes
