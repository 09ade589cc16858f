"""Skipping a build when nothing it read changed: the whole build is an artifact of the build state like any
other, whose reads are every input file, the options, the versions, the day and the commit. Kept light: it
runs before the heavy imports."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from buletin.build.state import BuildState, output_name, versions
from buletin.inputs import clock
from buletin.inputs.paths import input_hashes, refusal
from buletin.outputs.writer import walk


def fingerprint(site_root: Path, out: Path, drafts: bool, base_url: str | None) -> str:
    """Everything a build's output depends on: inputs, options, versions, time and commit."""
    parts = {
        "inputs": input_hashes(site_root), "out": str(out.resolve()), "drafts": drafts, "base_url": base_url,
        "versions": versions(), "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "commit": clock.git(site_root, "log", "-1", "--format=%H %ct"),
        "today": _today(site_root), "theme": _theme(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _theme() -> str:
    """The built-in theme's templates and assets (the site's own templates/ are among the inputs)."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).parent / "theme").rglob("*")):
        if path.is_file():
            digest.update(path.as_posix().encode("utf-8") + path.read_bytes())
    return digest.hexdigest()


def _today(site_root: Path) -> str:
    """Today's date where the site is (future-dated items appear on it); hours do not matter."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import yaml

    zone: dt.tzinfo
    try:
        if refusal(site_root, site_root / "site.yaml"):
            raise ValueError("site.yaml cannot be read")
        zone = ZoneInfo(str((yaml.safe_load((site_root / "site.yaml").read_text("utf-8")) or {}).get("timezone")))
    except (OSError, yaml.YAMLError, ZoneInfoNotFoundError, ValueError, AttributeError, TypeError):
        zone = dt.timezone.utc
    return clock.today(zone).isoformat()


def _tree(out: Path) -> dict[str, list[int]]:
    """Size and mtime of every output file: a file edited or removed by hand makes the next build run."""
    files = {}
    for name, entry in walk(out):
        if not entry.is_dir(follow_symlinks=False):
            stat = entry.stat()
            files[name] = [stat.st_size, stat.st_mtime_ns]
    return dict(sorted(files.items()))


def unchanged(cache_dir: Path, out: Path, print_: str) -> int | None:
    """The number of output files when the last build had this fingerprint and its output is untouched."""
    record = BuildState(cache_dir).record(f"{output_name(out)}.build")
    if not isinstance(record, dict) or record.get("fingerprint") != print_ or not out.is_dir() or \
            _tree(out) != record.get("files"):
        return None
    return len(record["files"])


def remember(cache_dir: Path, out: Path, print_: str) -> None:
    """Record a successful build's fingerprint and the state of its output."""
    BuildState(cache_dir).write_record(f"{output_name(out)}.build", {"fingerprint": print_, "files": _tree(out)})
