"""Checks of okrctl.yaml that its schema cannot express (OKR104, OKR240, OKR241)."""

from __future__ import annotations

from okrctl.model.messages import _

from zoneinfo import ZoneInfo

from okrctl.model.dates import UNKNOWN_ZONE
from okrctl.model.layout import CONFIG_FILE
from okrctl.model.periods import MAX_YEAR, MIN_YEAR
from okrctl.model.problems import Problem
from okrctl.model.records import Config
from okrctl.model.document import Document


def check_config(cfg: Config, doc: Document) -> list[Problem]:
    out: list[Problem] = []
    try:
        ZoneInfo(cfg.timezone)
    except UNKNOWN_ZONE:  # OSError: a directory such as "America"
        line, col = doc.position(["timezone"])
        out.append(Problem.make("OKR241", CONFIG_FILE, line, col, _("timezone {timezone!r} is not an IANA time zone name (e.g. Asia/Ho_Chi_Minh, UTC)").format(timezone=cfg.timezone)))
    for kind, bands in cfg.grades.items():
        if not bands:
            continue
        mins = [b.min for b in bands]
        bad = any(a <= b for a, b in zip(mins, mins[1:])) or mins[-1] != 0
        if bad:
            line, col = doc.position(["scoring", "grades", kind])
            out.append(Problem.make("OKR240", CONFIG_FILE, line, col,
                                       _("grades.{kind}: band minimums must be strictly decreasing and the last must be 0 (got {items})").format(kind=kind, items=', '.join(str(m) for m in mins))))
    if cfg.pace_off_track < cfg.pace_at_risk:
        line, col = doc.position(["scoring", "pace"])
        out.append(Problem.make("OKR104", CONFIG_FILE, line, col,
                                   _("pace.off_track ({pace_off_track}) must not be below pace.at_risk ({pace_at_risk})").format(pace_off_track=cfg.pace_off_track, pace_at_risk=cfg.pace_at_risk)))
    if cfg.as_of is not None and not MIN_YEAR <= cfg.as_of.year <= MAX_YEAR:
        line, col = doc.position(["as_of"])
        out.append(Problem.make("OKR104", CONFIG_FILE, line, col,
                                _("as_of {as_of} is outside the years okrctl works with ({MIN_YEAR}..{MAX_YEAR})").format(as_of=cfg.as_of, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR)))
    return out

