"""Frozen editions: snapshots of the data with sha256 locks, and what later data revised."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buletin import __version__
from buletin.build.state import NO_STATE, BuildState
from buletin.inputs import clock
from buletin.inputs.catalog import Catalog
from buletin.inputs.datapackage import PACKAGE_FILE
from buletin.inputs.paths import refusal, unsafe_relative
from buletin.inputs.query import QueryError, period_field, value
from buletin.problems import Problems

RELEASES_DIR = "data/releases"
LOCK_FILE = "release.lock.json"


def release_dir(period: str) -> str:
    """Where an edition's snapshot lives, relative to the site root."""
    return f"{RELEASES_DIR}/{period}"


def snapshot(site_root: Path, catalog: Catalog, period: str, published: dt.date) -> list[str]:
    """Copy datapackage.yaml and every resource file into data/releases/PERIOD, with a sha256 lock file.

    Written beside the target and renamed into place, so a failure never leaves half a snapshot.
    """
    target = site_root / release_dir(period)
    staging = target.with_name(f".{period}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files = [PACKAGE_FILE] + [spec.path for spec in catalog.package.resources]
    hashes = {}
    for rel in files:
        inside = rel.removeprefix("data/")
        destination = staging / inside
        destination.parent.mkdir(parents=True, exist_ok=True)
        data = (site_root / rel).read_bytes()
        destination.write_bytes(data)
        hashes[inside] = _sha256(data)
    lock = {"period": period, "published": published.isoformat(), "generator": f"buletin {__version__}",
            "files": dict(sorted(hashes.items()))}
    (staging / LOCK_FILE).write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return sorted(hashes)


def verify(site_root: Path, period: str, problems: Problems) -> bool:
    """Check a snapshot against its lock file; a changed, missing or added file is an error."""
    folder = site_root / release_dir(period)
    lock_path = folder / LOCK_FILE
    rel = f"{release_dir(period)}/{LOCK_FILE}"
    if not lock_path.is_file():
        problems.add(f"content/{period}/index.md", None, f"edition is published but {rel} is missing: "
                     f"restore data/releases/{period}/ from version control, or run `publish {period} --force`")
        return False
    try:
        expected = json.loads(lock_path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        problems.add(rel, None, f"unreadable lock file ({exc}): restore it from version control")
        return False
    if not isinstance(expected, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in expected.items()):
        problems.add(rel, None, "`files` must map each file name to its sha256: restore the lock file from "
                     "version control")
        return False
    ok = True
    for extra in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                        if p.is_file() and p.name != LOCK_FILE and p.relative_to(folder).as_posix() not in expected):
        problems.add(f"{release_dir(period)}/{extra}", None, "was added to a published snapshot after publishing: "
                     "remove it; a published edition never changes")
        ok = False
    for name, digest in sorted(expected.items()):
        unsafe = unsafe_relative(name)
        if unsafe:
            problems.add(rel, None, f"lock entry `{name}` {unsafe}: restore the lock file from version control")
            ok = False
            continue
        path = folder / name
        refused = refusal(site_root, path)
        if refused and refused != "does not exist":
            problems.add(f"{release_dir(period)}/{name}", None, refused)
            ok = False
            continue
        if not path.is_file():
            problems.add(f"{release_dir(period)}/{name}", None, "file of a published snapshot is missing")
            ok = False
        elif _sha256(path.read_bytes()) != digest:
            problems.add(f"{release_dir(period)}/{name}", None, "published snapshot was changed after publishing "
                         "(sha256 mismatch): restore it from version control; a published edition never changes")
            ok = False
    return ok


def mark_published(text: str, published: dt.date) -> str:
    """Set `status: published` and `published: DATE` in front matter, keeping every other byte."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if not lines or lines[0].strip() != "---":
        return newline.join(["---", "status: published", f"published: {published.isoformat()}", "---", text])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise ValueError("front matter has no closing `---` line")
    for key, new in (("status", "published"), ("published", published.isoformat())):
        pattern = re.compile(rf"^{key}\s*:")
        index = next((i for i in range(1, end) if pattern.match(lines[i])), None)
        if index is None:
            lines.insert(end, f"{key}: {new}")
            end += 1
        else:
            lines[index] = f"{key}: {new}"
    return newline.join(lines)


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a user's file only once the new text is fully on disk."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temporary, path)


@dataclass
class RevisedFigure:
    description: str  # e.g. "Unit usaha (periode 2020-11)"
    old: float
    new: float  # NaN when the current data no longer have the rows
    digits: int
    source: str  # the file that quotes it


@dataclass
class Revision:
    """How the current data differ from a published edition's snapshot, for its period."""

    datasets: list[str] = field(default_factory=list)  # resource names whose rows for the period changed
    figures: list[RevisedFigure] = field(default_factory=list)
    date: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.datasets or self.figures)


def find_revision(frozen: Catalog, current: Catalog, period: str, quoted: list[dict[str, Any]]) -> Revision:
    """Datasets whose rows for `period` changed, and the edition's quoted figures that changed with them."""
    revision = Revision()
    for name in sorted(frozen.names):
        if frozen.hashes.get(name) == current.hashes.get(name) or current.spec(name) is None:
            continue  # same bytes, same declaration: nothing revised, nothing to read
        old, new = frozen.get(name), current.get(name)
        if old is None or new is None:
            continue
        column = period_field(old)
        old_rows, new_rows = old.frame, new.frame
        if column and column in new.frame.columns:
            old_rows = old_rows[old_rows[column] == period]
            new_rows = new_rows[new_rows[column] == period]
        if list(old_rows.columns) != list(new_rows.columns) or \
                sorted(map(tuple, old_rows.to_numpy())) != sorted(map(tuple, new_rows.to_numpy())):
            revision.datasets.append(name)
    seen = set()
    for call in quoted:
        key = json.dumps([call["data"], call["column"], call["agg"], call["filters"]], sort_keys=True, default=str)
        if key in seen or call["data"] not in revision.datasets:
            continue
        seen.add(key)
        try:
            now = value(current, call["data"], call["column"], call["agg"], call["filters"])
        except QueryError:
            now = math.nan
        if not _same(now, call["value"]):
            revision.figures.append(RevisedFigure(_describe(frozen, call), call["value"], now,
                                                  call.get("digits", 0), call["source"]))
    return revision


def _describe(catalog: Catalog, call: dict[str, Any]) -> str:
    """A quoted figure in words: "Unit usaha (periode 2020-11, kode_wilayah 7403)"."""
    spec = catalog.spec(call["data"])
    assert spec is not None  # a revised dataset is one of the snapshot's usable resources (find_revision)
    field_spec = spec.field(call["column"])
    name = (field_spec.title if field_spec and field_spec.title else call["column"])
    if call["agg"] != "sum":
        name = f"{name}, {call['agg']}"
    filters = ", ".join(f"{k} {v}" for k, v in sorted(call["filters"].items()))
    return f"{name} ({filters})" if filters else name


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def load_frozen(site_root: Path, published_periods: list[str], problems: Problems,
                state: BuildState = NO_STATE) -> dict[str, Catalog]:
    """The snapshot catalog of every published edition, each verified against its lock file."""
    from buletin.inputs.catalog import load_catalog

    frozen = {}
    for period in published_periods:
        if verify(site_root, period, problems):
            frozen[period] = load_catalog(site_root, problems, data_dir=release_dir(period), state=state)
    return frozen


def revision_date(site_root: Path, catalog: Catalog, names: list[str], fallback: dt.date, zone: str) -> dt.date:
    """When the revision came in: the last commit touching the revised files, else the build date."""
    from zoneinfo import ZoneInfo

    seconds = [s for n in names if (spec := catalog.spec(n)) and (s := clock.commit_seconds(site_root, spec.path))]
    if not seconds:
        return fallback
    return dt.datetime.fromtimestamp(max(seconds), tz=dt.timezone.utc).astimezone(ZoneInfo(zone)).date()


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
