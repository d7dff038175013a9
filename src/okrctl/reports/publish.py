"""``okrctl publish``: a closed period as an open-data package -- the values.

Pure data and pure functions: :class:`PublishPlan` is everything the package says
(read from the close tag's tree by :mod:`okrctl.write.publish`);
:func:`datapackage` is its Frictionless Data Package descriptor, :func:`manifest`
the ``sha256sum -c`` file and :func:`compare` what ``okrctl verify --published``
reports.  The files themselves are rendered by :mod:`okrctl.render.publish`.

Everything here is deterministic: keys sorted, times from the tag's commit, no
absolute path, so the same tag always gives a byte-identical package.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from okrctl import __version__
from okrctl.model.periods import Period
from okrctl.reports.export import SPECS
from okrctl.reports.tables import Table

#: the licence of a package when okrctl.yaml names none (``report: {licence: …}``)
DEFAULT_LICENCE = "CC-BY-4.0"

#: SPDX id → (title, URL) of the open licences an agency is likely to use; any other
#: id is published by its name alone
LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution Share-Alike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "PDDL-1.0": ("Open Data Commons Public Domain Dedication and License 1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
}

#: export column type → Frictionless Table Schema field type
FIELD_TYPES = {"text": "string", "code": "string", "ref": "string", "number": "number", "score": "number",
               "int": "integer", "date": "date", "bool": "boolean", "value": "string"}

MANIFEST = "manifest.sha256"
DESCRIPTOR = "datapackage.json"
INDEX = "index.html"
DATA_DIR = "data"
#: the raw close tag (with its signature) when the tag is signed
TAG_FILE = "close-tag.txt"

TITLES = {"vi": "Kết quả OKR và KPI {period} — {name}", "en": "OKR and KPI results {period} — {name}"}


@dataclass(frozen=True)
class EvidenceItem:
    """A pinned evidence document of a check-in in the package."""

    ref: str  # the KR
    date: str  # the check-in's date
    sha256: str
    url: str | None = None
    path: str | None = None
    title: str | None = None
    included: bool = False  # the file is in the package (``--with-evidence``)

    def to_json(self) -> dict[str, Any]:
        d = {"ref": self.ref, "date": self.date, "sha256": self.sha256, "included": self.included}
        for k in ("url", "path", "title"):
            if getattr(self, k) is not None:
                d[k] = getattr(self, k)
        return d


@dataclass(frozen=True)
class PublishPlan:
    """What a package publishes: the period, where it comes from (tag, commit, the
    commit's time) and its contents as values."""

    period: Period
    workspace_name: str
    tag: str
    commit: str
    created: datetime  # the committer date of the tagged commit
    locale: str
    licence: str
    with_names: bool
    with_evidence: bool
    report: Any  # a reports.quarterly.QuarterlyReport
    tables: dict[str, Table]
    evidence: tuple[EvidenceItem, ...] = ()
    #: path in the package → bytes of each included evidence file
    evidence_files: dict[str, bytes] = field(default_factory=dict)
    #: the raw signed tag object, or None when the tag is not signed
    signed_tag: bytes | None = None

    @property
    def name(self) -> str:
        return package_name(self.workspace_name, self.period.id)

    def title(self, locale: str) -> str:
        return TITLES[locale].format(period=self.period.id, name=self.workspace_name)


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and ``-``: ``Sở KH&CN Hà Nội`` → ``so-kh-cn-ha-noi``."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-") or "okr"


def package_name(workspace_name: str, period_id: str) -> str:
    return f"okr-{slug(workspace_name)}-{period_id.lower()}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_schema(table: str, columns: tuple[str, ...]) -> dict[str, Any]:
    """The Frictionless Table Schema of an export table (types and meanings from
    :data:`okrctl.reports.export.SPECS`, the definition docs/export.md shows)."""
    spec = {n: (t, m) for n, t, m in SPECS[table]}
    fields = []
    for n in columns:
        t, meaning = spec[n]
        f: dict[str, Any] = {"name": n, "type": FIELD_TYPES[t], "description": meaning}
        if t == "bool":
            f["trueValues"], f["falseValues"] = ["true"], ["false"]
        fields.append(f)
    return {"fields": fields, "missingValues": [""]}


def _resource(path: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"path": path, "bytes": len(data), "hash": f"sha256:{sha256(data)}", **extra}


def datapackage(plan: PublishPlan, files: Mapping[str, bytes]) -> dict[str, Any]:
    """The ``datapackage.json`` descriptor (Frictionless Data Package v2) over
    ``files`` (the package's data files by path)."""
    title, url = LICENCES.get(plan.licence, (None, None))
    licence: dict[str, Any] = {"name": plan.licence}
    if title:
        licence.update(title=title, path=url)
    resources = []
    for path in sorted(files):
        if not path.startswith(DATA_DIR + "/"):
            continue
        data = files[path]
        stem, _, ext = path[len(DATA_DIR) + 1:].rpartition(".")
        name = re.sub(r"[^a-z0-9._-]", "-", f"{stem.lstrip('_')}-{ext}")
        if ext == "csv" and stem in plan.tables:
            t = plan.tables[stem]
            resources.append(_resource(path, data, name=name, type="table", format="csv", mediatype="text/csv",
                                       encoding="utf-8-sig", dialect={"delimiter": ",", "lineTerminator": "\r\n",
                                                                      "header": True},
                                       schema=table_schema(stem, t.names), title=stem))
        elif ext == "parquet" and stem in plan.tables:
            resources.append(_resource(path, data, name=name, type="file", format="parquet",
                                       mediatype="application/vnd.apache.parquet",
                                       description=f"{stem} as Parquet (the same columns and types as {stem}.csv)",
                                       title=stem))
        elif ext == "json":
            resources.append(_resource(path, data, name=name, type="file", format="json", mediatype="application/json",
                                       description="every table as one JSON document (okrctl export --format json)",
                                       title="all tables"))
    evidence = [_resource(p, plan.evidence_files[p], name=f"evidence-{i + 1}", type="file",
                          title=next((e.title for e in plan.evidence if e.path == p and e.title), p))
                for i, p in enumerate(sorted(plan.evidence_files))]
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": plan.name,
        "title": plan.title(plan.locale),
        "description": plan.title("en" if plan.locale == "vi" else "vi"),
        "version": plan.commit[:12],
        "created": plan.created.isoformat(),
        "licenses": [licence],
        "sources": [{"title": f"{plan.workspace_name}: git tag {plan.tag} (commit {plan.commit})",
                     "version": plan.commit}],
        "keywords": ["OKR", "KPI", plan.period.id],
        "resources": resources + evidence,
        "okrctl": {"version": __version__, "period": plan.period.id, "start": plan.period.start.isoformat(),
                   "end": plan.period.end.isoformat(), "tag": plan.tag, "commit": plan.commit,
                   "signed": plan.signed_tag is not None, "with_names": plan.with_names,
                   "with_evidence": plan.with_evidence, "locale": plan.locale,
                   "evidence": [e.to_json() for e in plan.evidence]},
    }


def descriptor_bytes(desc: dict[str, Any]) -> bytes:
    return (json.dumps(desc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def manifest(files: Mapping[str, bytes]) -> bytes:
    """``sha256sum -c`` input over ``files`` (sorted by path; two spaces: text mode,
    which GNU and BSD tools both read)."""
    return "".join(f"{sha256(files[p])}  {p}\n" for p in sorted(files)).encode("utf-8")


@dataclass(frozen=True)
class Difference:
    path: str
    kind: str  # "changed" | "missing" | "extra"
    expected: str | None = None  # sha256 of the recomputed file
    found: str | None = None  # sha256 of the published file

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "expected": self.expected, "found": self.found}


def compare(expected: Mapping[str, bytes], found: Mapping[str, bytes | None]) -> list[Difference]:
    """Differences between the recomputed package and a published directory
    (``found``: path → bytes, ``None`` for something that is not a regular file)."""
    out = []
    for p in sorted(expected.keys() | found.keys()):
        if p not in found:
            out.append(Difference(p, "missing", sha256(expected[p])))
        elif p not in expected:
            data = found[p]
            out.append(Difference(p, "extra", None, None if data is None else sha256(data)))
        else:
            data = found[p]
            got = None if data is None else sha256(data)
            if got != sha256(expected[p]):
                out.append(Difference(p, "changed", sha256(expected[p]), got))
    return out
