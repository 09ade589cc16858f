"""Skipping a build when nothing it read changed: the whole build is treated as one artifact, whose reads are
every input file, the options, the versions, the time to the quarter hour and the commit, hashed here as one
JSON text (not a key of the build state's store: it is kept as a record per output folder). Kept light: it runs
before the heavy imports."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buletin import messages
from buletin.build import lastbuild
from buletin.build.state import BuildState, versions
from buletin.inputs import clock, paths
from buletin.problems import Problem


@dataclass(frozen=True)
class Verdict:
    fingerprint: str  # of this build (see fingerprint)
    files: int | None  # output files, when the last build had the same fingerprint and its output is untouched
    changed: tuple[str, ...] | None  # input files added, changed or removed since the last build (None: unknown)
    inputs: frozenset[str] = frozenset()  # the input files, as the check found them
    warnings: tuple[tuple[Any, ...], ...] = ()  # the skipped build's, said again: (path, line, message, ...) each


def check(cache_dir: Path, site_root: Path, out: Path, drafts: bool, base_url: str | None) -> Verdict:
    """Whether this build can be skipped, and what changed since the last one."""
    record = lastbuild.read(BuildState(cache_dir), out)
    _recall_hashes(site_root, record)
    left_out: list[tuple[str, str]] = []
    inputs = paths.input_hashes(site_root, hidden=True, left_out=left_out)
    inputs.update((rel, f"link {_target(path)}") for rel, path in left_out)  # refused by a build: seen as a change
    print_ = fingerprint(site_root, out, drafts, base_url, inputs)
    if record.fingerprint == print_ and out.is_dir() and _untouched(out, record.files, record.folders):
        return Verdict(print_, len(record.files), (), frozenset(inputs), record.warnings)
    last = {rel: noted[-1] for rel, noted in record.hashes.items()}  # (stamp, digest)
    changed = tuple(sorted(rel for rel in inputs.keys() | last.keys() if inputs.get(rel) != last.get(rel))) \
        if last else None
    return Verdict(print_, None, changed, frozenset(inputs))


def _untouched(out: Path, files: dict[str, list[int]], folders: dict[str, int]) -> bool:
    """Whether every file the last build wrote still has the size and times it had, and every folder its mtime,
    which changes with its listing (a file added by hand). One lstat each: cheaper than listing the folders."""
    if not files or not folders:
        return False
    prefix = f"{out}/"
    try:
        for name, noted in files.items():
            stat = os.lstat(prefix + name)
            if noted != paths.listed_stamp(stat):
                return False
        return all(os.lstat(prefix + name).st_mtime_ns == mtime for name, mtime in folders.items())
    except OSError:
        return False


def _recall_hashes(site_root: Path, record: lastbuild.LastBuild) -> None:
    """The input files' hashes noted by the last build, for files unchanged since (the same stamp: size, times
    and inode), except those changed just before it noted them (a change in the same instant would go unseen)."""
    noted, hashes = record.noted, record.hashes
    site = os.path.join(os.path.abspath(site_root), "")  # with one separator at its end
    for rel, entry in hashes.items():
        if len(entry) != 2 or len(entry[0]) != 4:  # a record of an older buletin: its files are hashed again
            continue
        stamp, digest = entry
        if paths.changed_at(stamp) < noted - paths.RACY:
            paths.note_digest(site + rel, tuple(stamp), digest)


def fingerprint(site_root: Path, out: Path, drafts: bool, base_url: str | None, inputs: dict[str, str]) -> str:
    """Everything a build's output depends on: inputs (their hashes), options, versions, time and commit."""
    parts = {
        "inputs": inputs, "out": str(out.resolve()), "drafts": drafts,
        "base_url": base_url, "versions": versions(), "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "language": messages.language(), "shallow": clock.shallow(site_root),  # what the warnings said again say
        "commit": clock.git(site_root, "log", "-1", "--format=%H %ct"), "now": _quarter_hour(), "theme": _theme(),
        # a revision is dated by its commit only while its data file is committed as it is (clock.uncommitted)
        "uncommitted": clock.git(site_root, "status", "--porcelain", "--untracked-files=all", "--", "data"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _theme() -> str:
    """The built-in theme's templates and assets (the site's own templates/ are among the inputs)."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).parent / "theme").rglob("*")):
        if path.is_file():
            digest.update(path.as_posix().encode("utf-8") + path.read_bytes())
    return digest.hexdigest()


def _quarter_hour() -> str:
    """The time to the quarter hour (UTC): a day begins on a quarter hour in every time zone, so items dated
    today appear however the site's zone is set, without reading site.yaml here."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return ""
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0).isoformat()


def _tree(out: Path) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Size, mtime and ctime of every output file, and mtime of every folder: a file edited (even with its
    mtime put back), removed or added by hand makes the next build run."""
    from buletin.outputs.writer import walk

    files, folders = {}, {"": os.lstat(out).st_mtime_ns}
    for name, entry in walk(out):
        stat = entry.stat(follow_symlinks=False)
        if entry.is_dir(follow_symlinks=False):
            folders[name] = stat.st_mtime_ns
        else:
            files[name] = paths.listed_stamp(stat)
    return dict(sorted(files.items())), dict(sorted(folders.items()))


def remember(cache_dir: Path, site_root: Path, out: Path, verdict: Verdict, warnings: list[Problem]) -> None:
    """Record a successful build's fingerprint, the state of its output, its input files' hashes (of the files
    there are: a removed file's hash, recalled from the last record, would count as a change forever) and its
    warnings, which a skipped build says again."""
    site = os.path.join(os.path.abspath(site_root), "")  # with one separator at its end, as _recall_hashes
    paths.settle()
    hashes = {rel: noted for rel, noted in paths.known_digests(site).items() if rel in verdict.inputs}
    files, folders = _tree(out)
    lastbuild.write(BuildState(cache_dir), out, lastbuild.LastBuild(
        verdict.fingerprint, files, folders, hashes, tuple(tuple(warning) for warning in warnings), time.time_ns()))


def _target(link: str) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return ""
