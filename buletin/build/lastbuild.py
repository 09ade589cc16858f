"""The record of the last successful build into an output folder, kept beside the build state's other records:
the whole build's fingerprint, the size and times of every file it wrote and the times of its folders, the input
files' hashes, and its warnings. skip.py writes it and reads it for the no-op check; the page cache
(outputs/pagecache.py) takes the files' stamps from it, and the pipeline asks whether there is one. This module
alone knows its layout."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buletin.build.state import BuildState, output_name


@dataclass(frozen=True)
class LastBuild:
    fingerprint: str | None = None  # of the whole build (skip.fingerprint)
    files: dict[str, list[int]] = field(default_factory=dict)  # output file -> its stamp (paths.listed_stamp)
    folders: dict[str, int] = field(default_factory=dict)  # output folder ("" the output itself) -> its mtime
    hashes: dict[str, Any] = field(default_factory=dict)  # input file -> [stamp, digest]
    warnings: tuple[tuple[Any, ...], ...] = ()  # the build's warnings, said again by a skipped build
    noted: int = 0  # when the hashes were noted (time.time_ns())


def _name(out: Path) -> str:
    return f"{output_name(out)}.build"


def exists(state: BuildState, out: Path) -> bool:
    """Whether a build into `out` was recorded (one built with this cache folder and finished)."""
    return state.has_record(_name(out))


def read(state: BuildState, out: Path) -> LastBuild:
    """The last build into `out` as recorded (empty when none was, or the record is of another layout)."""
    found = state.record(_name(out))
    if not isinstance(found, dict):
        return LastBuild()
    return LastBuild(found.get("fingerprint"), found.get("files") or {}, found.get("folders") or {},
                     found.get("hashes") or {}, tuple(found.get("warnings") or ()), found.get("noted") or 0)


def write(state: BuildState, out: Path, last: LastBuild) -> None:
    state.write_record(_name(out), {
        "fingerprint": last.fingerprint, "files": last.files, "folders": last.folders, "hashes": last.hashes,
        "warnings": [tuple(warning) for warning in last.warnings], "noted": last.noted})
