"""The forked worker's results travel as MessagePack and come back exactly."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from decimal import Decimal

from conftest import SAMPLE
from okrctl.model.messages import Msg
from okrctl.read.loader import ParseCache, load_workspace
from okrctl.read.source import WorkingTreeSource
from okrctl.read.wire import Wire


def _exact(a, b) -> bool:
    """Equal with the same types all the way down (1 is not Decimal(1), 1.10 is not 1.1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return str(a) == str(b)
    if is_dataclass(a):
        return all(_exact(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_exact(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_exact(a[k], b[k]) for k in a)
    if isinstance(a, Msg):
        return a == b and _exact(a.args, b.args)
    return a == b


def test_sample_results_round_trip_exactly():
    res = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache())
    wire = Wire()
    by_path: dict = {}
    for d in res.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    assert len(res.workspace.files) > 10
    for pf in res.workspace.files:
        value = (pf, by_path.get(pf.path, []))
        data = wire.dumps(value)
        assert data[:1] == b"m"
        back = wire.loads(data)
        assert _exact(back, value)
        # lazy positions survive: the same blob and JSON path
        assert back[0].objectives[0].loc.sha == pf.sha and back[0].objectives[0].loc.at == ("objectives", 0)
        # decoded records share what built ones share (one path, one blob id, one object per number)
        locs = [kr.loc for o in back[0].objectives for kr in o.key_results]
        assert all(lc.path is back[0].path and lc.sha is back[0].sha for lc in locs)
        assert all(lc.at[0] is locs[0].at[0] for lc in locs)
        confidences = [c.confidence for o in back[0].objectives for kr in o.key_results for c in kr.checkins
                       if c.confidence is not None]
        by_text: dict = {}
        assert all(by_text.setdefault(str(x), x) is x for x in confidences)


def test_messages_keep_their_id_and_arguments(tmp_path):
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws)
    f = sorted((ws / "okrs").glob("*/*.yaml"))[0]
    f.write_text(f.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    res = load_workspace(WorkingTreeSource(ws), cache=ParseCache())
    warnings = [d for d in res.diagnostics if isinstance(d.message, Msg)]
    assert warnings, "the sample has translatable diagnostics"
    back = Wire().loads(Wire().dumps((None, warnings)))
    assert back == (None, warnings)
    assert all(isinstance(d.message, Msg) and d.message.msgid == w.message.msgid for d, w in zip(back[1], warnings))


def test_what_msgpack_cannot_carry_travels_as_a_pickle():
    res = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache())
    pf = res.workspace.files[0]
    from dataclasses import replace

    kr = pf.objectives[0].key_results[0]
    huge = 10 ** 39  # the reader allows 40 digits; MessagePack stops at 64 bits
    obj = replace(pf.objectives[0], key_results=(replace(kr, target=huge), *pf.objectives[0].key_results[1:]))
    value = (replace(pf, objectives=(obj, *pf.objectives[1:])), [])
    data = Wire().dumps(value)
    assert data[:1] == b"p"
    back = Wire().loads(data)
    assert back == value and back[0].objectives[0].key_results[0].target == huge


def test_the_files_path_and_blob_id_are_elided_and_put_back():
    from dataclasses import replace

    from okrctl.read.wire import _locs

    res = load_workspace(WorkingTreeSource(SAMPLE), cache=ParseCache())
    wire = Wire()
    pf = max(res.workspace.files, key=lambda f: len(_locs(f)))
    data = wire.dumps((pf, []))
    assert pf.sha.encode() not in data[1:].replace(b"\xa3sha\xd9(" + pf.sha.encode(), b"", 1)  # once, the file's own
    assert all(lc.path == pf.path and lc.sha == pf.sha for lc in _locs(pf))  # the sender's records are unchanged
    back = wire.loads(data)[0]
    assert _exact(back, pf) and all(lc.path == pf.path and lc.sha == pf.sha for lc in _locs(back))
    # a location naming another file or blob: nothing is elided, it travels as it is
    o = pf.objectives[0]
    odd = replace(pf, objectives=(replace(o, loc=replace(o.loc, path="okrs/other.yaml")), *pf.objectives[1:]))
    data = wire.dumps((odd, []))
    assert data.count(pf.path.encode()) == len(_locs(pf))  # every location's path but the odd one, and the file's
    assert b"okrs/other.yaml" in data
