"""The splice engine (okrctl.write.yamledit.splice): edits of files a ruamel round trip would reformat."""

from __future__ import annotations

from datetime import date

import pytest

from okrctl.write import yamledit
from writeutil import PERIOD


# ----------------------------------------------------------------------------- the splice path


CFG_ALIGNED = b"""\
name: A
scoring:
  grades:
    committed:    [{min: 1.0, label: green}, {min: 0, label: red}]
policy:
  lock_after_days: 14
  locked_periods: []          # closed periods
  backdate_days: 15
# end
"""


@pytest.mark.parametrize("before,after", [
    (CFG_ALIGNED, CFG_ALIGNED.replace(b"locked_periods: []          #", b"locked_periods: [2026-Q1]   #")),
    (CFG_ALIGNED.replace(b"locked_periods: []          # closed periods", b"locked_periods:\n    - 2025-Q4"),
     CFG_ALIGNED.replace(b"locked_periods: []          # closed periods", b"locked_periods:\n    - 2025-Q4\n    - 2026-Q1")),
    (CFG_ALIGNED.replace(b"  locked_periods: []          # closed periods\n", b""),
     CFG_ALIGNED.replace(b"  locked_periods: []          # closed periods\n", b"").replace(b"  backdate_days: 15\n", b"  backdate_days: 15\n  locked_periods: [2026-Q1]\n")),
    (b"name: A\n  # c\ncommitted:    [a]\n# end\n", b"name: A\n  # c\ncommitted:    [a]\npolicy:\n  locked_periods: [2026-Q1]\n# end\n"),
    (b"name: A\ncommitted:    [a]\npolicy:\n# end\n", b"name: A\ncommitted:    [a]\npolicy:\n  locked_periods: [2026-Q1]\n# end\n"),
])
def test_splice_to_list(before, after):
    assert not yamledit.round_trips(before)
    new = yamledit.splice_to_list(before, ["policy", "locked_periods"], "2026-Q1", if_absent=True)
    assert new == after
    assert yamledit.splice_to_list(new, ["policy", "locked_periods"], "2026-Q1", if_absent=True) == new


def test_splice_refuses_what_it_cannot_do_safely():
    multi = CFG_ALIGNED.replace(b"locked_periods: []", b"locked_periods: [2025-Q3,\n    2025-Q4]")
    with pytest.raises(yamledit.WriteRefused, match="flow list spanning lines"):
        yamledit.splice_to_list(multi, ["policy", "locked_periods"], "2026-Q1")
    flow = PERIOD.replace("""        checkins:
          - date: 2026-04-30
            value: 45
            evidence: [https://dichvucong.hanoi.gov.vn, "Báo cáo số 12/BC-SKHCN"]
""", "        checkins: [{date: 2026-04-30,\n                    value: 45}]\n").encode()
    with pytest.raises(yamledit.WriteRefused, match=r"is a flow list \(\[\.\.\.\]\)"):
        yamledit.splice_item(flow, ["objectives", 0, "key_results", 0], "checkins", {"date": date(2026, 5, 1), "value": 1})
