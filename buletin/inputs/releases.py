"""Frozen editions: snapshots of the data with sha256 locks. What later data revised: inputs/revisions."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

from buletin import __version__
from buletin.build.state import NO_STATE, BuildState
from buletin.inputs import yamlfile
from buletin.inputs.catalog import Catalog, load_catalog
from buletin.inputs.content import Edition
from buletin.inputs.datapackage import PACKAGE_FILE
from buletin.inputs.notes import NOTES_FILE
from buletin.inputs.paths import MISSING, refusal, refused, unsafe_relative
from buletin.messages import _
from buletin.problems import Problems

__all__ = ["check_unfrozen", "load_frozen", "mark_published", "release_dir",
           "release_folder_problem", "snapshot", "verify", "write_text_atomically"]

RELEASES_DIR = "data/releases"
LOCK_FILE = "release.lock.json"


def release_dir(period: str) -> str:
    """Where an edition's snapshot lives, relative to the site root."""
    return f"{RELEASES_DIR}/{period}"


def snapshot(site_root: Path, catalog: Catalog, period: str, published: dt.date) -> list[str]:
    """Copy datapackage.yaml, every resource file and catatan.yaml into data/releases/PERIOD, with a sha256
    lock file.

    Written beside the target and renamed into place, so a failure never leaves half a snapshot.
    """
    target = site_root / release_dir(period)
    staging = target.with_name(f".{period}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files = [PACKAGE_FILE] + [spec.path for spec in catalog.package.resources]
    if (site_root / "data" / NOTES_FILE).is_file():  # its notes stay beside its figures, as published
        files.append(f"data/{NOTES_FILE}")
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
        problems.add(f"content/{period}/index.md", None, _("this edition is published, but {lock} is missing: "
                                                           "restore data/releases/{period}/ from version control, or "
                                                           "run `python build.py publish {period} --force`").format(
                                                               lock=rel, period=period))
        return False
    try:
        expected = json.loads(lock_path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        problems.add(rel, None, _("the lock file cannot be read ({reason}): restore it from version control").format(
            reason=exc))
        return False
    if not isinstance(expected, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in expected.items()):
        problems.add(rel, None, _("`files` must give each file name with its sha256: restore the lock file from "
                                  "version control"))
        return False
    ok = True
    for extra in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                        if p.is_file() and p.name != LOCK_FILE and p.relative_to(folder).as_posix() not in expected):
        problems.add(f"{release_dir(period)}/{extra}", None, _("this file was added to a published edition's frozen "
                                                               "data after publishing: remove it; a published edition "
                                                               "never changes"))
        ok = False
    for name, digest in sorted(expected.items()):
        unsafe = unsafe_relative(name)
        if unsafe:
            problems.add(rel, None, _("the lock file names `{name}`, which is not a file inside its folder: restore "
                                      "the lock file from version control").format(name=name))
            ok = False
            continue
        path = folder / name
        reason = refusal(site_root, path)
        if reason and reason != MISSING:
            problems.add(f"{release_dir(period)}/{name}", None, refused(site_root, path) or reason)
            ok = False
            continue
        if not path.is_file():
            problems.add(f"{release_dir(period)}/{name}", None, _("this file of a published edition's frozen data is "
                                                                  "missing: restore it as it was committed, with "
                                                                  "`git checkout -- {path}` (or on GitHub, from the "
                                                                  "file's history)").format(
                                                                      path=f"{release_dir(period)}/{name}"))
            ok = False
        elif _sha256(path.read_bytes()) != digest:
            # Panduan: Data edisi yang sudah terbit dibekukan supaya angka yang pernah diumumkan tidak berubah
            # diam-diam. Untuk mengoreksi angka, perbarui data di data/ lalu terbitkan edisi berikutnya; lihat bab 7.
            problems.add(f"{release_dir(period)}/{name}", None, _("this file of a published edition's frozen data "
                                                                  "was changed after publishing, and a published "
                                                                  "edition never changes: restore it as it was "
                                                                  "committed, with `git checkout -- {path}` (or on "
                                                                  "GitHub, from the file's history); to correct a "
                                                                  "figure, change data/ instead").format(
                                                                      path=f"{release_dir(period)}/{name}"))
            ok = False
    return ok


def release_folder_problem(site_root: Path, period: str) -> str | None:
    """Why a snapshot may not be written into data/releases/PERIOD (a link, or a folder outside the site)."""
    root = site_root.resolve()
    for folder in (site_root / RELEASES_DIR, site_root / release_dir(period)):
        if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(root)):
            return _("{folder} is a link, and publish writes snapshots only inside the site: replace the link with "
                     "a folder (move its files there), then publish again").format(
                         folder=folder.relative_to(site_root).as_posix())
    return None


def mark_published(text: str, published: dt.date) -> str:
    """Set `status: published` and `published: DATE` in front matter, keeping every other byte; ValueError
    when the front matter is written so that the two keys cannot be set line by line."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix(bom)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if not lines or lines[0].strip() != "---":
        return bom + newline.join(["---", "status: published", f"published: {published.isoformat()}", "---", text])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise ValueError(_("the front matter has no closing `---` line: add it"))
    before = newline.join(lines[1:end])
    for key, new in (("status", "published"), ("published", published.isoformat())):
        pattern = re.compile(rf"""^(["']?){key}\1\s*:""")
        index = next((i for i in range(1, end) if pattern.match(lines[i])), None)
        if index is None:
            lines.insert(end, f"{key}: {new}")
            end += 1
        else:
            lines[index] = f"{key}: {new}"
    if not _only_marked(before, newline.join(lines[1:end]), published):
        raise ValueError(_("publish cannot set `status` and `published` in this front matter (they are written "
                           "over several lines or inside another value): write them as `status: published` and "
                           "`published: {date}`, each on a line of its own, then publish again").format(
                               date=published.isoformat()))
    return bom + newline.join(lines)


def _only_marked(before: str, after: str, published: dt.date) -> bool:
    """Whether the edited front matter says what the old one said, with the two keys set."""
    try:
        old, new = yamlfile.load(before) or {}, yamlfile.load(after) or {}
    except yamlfile.YamlError:
        return False
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    keys = ("status", "published")
    return new.get("status") == "published" and str(new.get("published")) == published.isoformat() and \
        {k: v for k, v in old.items() if k not in keys} == {k: v for k, v in new.items() if k not in keys}


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a user's file only once the new text is fully on disk."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # left only when the replacing failed


def check_unfrozen(site_root: Path, editions: list[Edition], problems: Problems, publishing: str | None = None) -> None:
    """An error at an edition that has a snapshot but is not marked published (but the one `publishing`, which may
    be set back to `live` to publish it again): with `status: published` deleted by mistake, a published edition
    showed the current data without a word."""
    for edition in editions:
        period = str(edition.period)
        if edition.status != "published" and period != publishing and \
                (site_root / release_dir(period) / LOCK_FILE).is_file():
            problems.add(edition.source, edition.line_of("status"), _(
                "edition {period} was published (its frozen data are in {folder}/), but this file does not say "
                "`status: published`, so the edition would show the current data instead: put `status: published` "
                "back; to freeze it again with the current data, run `python build.py publish {period}`; to "
                "withdraw the publication on purpose, delete {folder}/").format(
                    period=period, folder=release_dir(period)))


def load_frozen(site_root: Path, published_periods: list[str], problems: Problems,
                state: BuildState = NO_STATE) -> dict[str, Catalog]:
    """The snapshot catalog of every published edition, each verified against its lock file."""
    frozen = {}
    for period in published_periods:
        if verify(site_root, period, problems):
            frozen[period] = load_catalog(site_root, problems, data_dir=release_dir(period), state=state)
    return frozen


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
