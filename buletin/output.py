"""Writing the site: fingerprinted assets, manifest.json, and an atomic swap into the output folder."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .paths import linked_folder_outside, refusal

THEME_ASSETS = Path(__file__).parent / "theme" / "assets"
MANIFEST = "manifest.json"
INPUT_DIRS = ("content", "data", "templates")


class OutputError(Exception):
    """The output folder cannot be written safely."""


class UsageError(OutputError):
    """An option names a folder buletin must not use (exit code 2)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def collect_assets(site_root: Path) -> dict[str, bytes]:
    """Theme assets, overridden or added to by the site's templates/assets/, by logical name."""
    assets: dict[str, bytes] = {}
    for folder in (THEME_ASSETS, site_root / "templates" / "assets"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if not path.name.startswith(".") and path.is_file() and \
                        (folder == THEME_ASSETS or refusal(site_root, path) is None):
                    assets[path.relative_to(folder).as_posix()] = path.read_bytes()
    return assets


def fingerprint(assets: dict[str, bytes]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Names with a content hash (style.css -> assets/style.3f2a9c1d.css) and the files to write."""
    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for name, data in sorted(assets.items()):
        stem, dot, suffix = name.rpartition(".")
        hashed = f"assets/{stem}.{sha256(data)[:8]}.{suffix}" if dot else f"assets/{name}.{sha256(data)[:8]}"
        names[name] = hashed
        files[hashed] = data
    return names, files


_HASHED: dict[Path, tuple[int, int, str]] = {}  # path -> (size, mtime_ns, sha256), for a second call


def input_hashes(site_root: Path, extra: list[str] | tuple[str, ...] = ("site.yaml",)) -> dict[str, str]:
    """sha256 of every input file (config, content, data, templates), by path relative to the site.

    A file hashed before in this process and not modified since (same size and mtime) is not read again.
    """
    hashes = {}
    for name in extra:
        if refusal(site_root, site_root / name) is None:
            hashes[name] = _file_hash(site_root / name)
    for folder in INPUT_DIRS:
        if linked_folder_outside(site_root, site_root / folder):
            continue  # reported by the stage that reads it
        for top, dirs, names in os.walk(site_root / folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden folders (the cache) are not inputs
            relative = os.path.relpath(top, site_root).replace(os.sep, "/")
            for name in names:
                if not name.startswith(".") and refusal(site_root, Path(top, name)) is None:
                    hashes[f"{relative}/{name}"] = _file_hash(Path(top, name))
    return dict(sorted(hashes.items()))


def _file_hash(path: Path) -> str:
    stat = path.stat()
    known = _HASHED.get(path)
    if known and known[:2] == (stat.st_size, stat.st_mtime_ns):
        return known[2]
    digest = sha256(path.read_bytes())
    _HASHED[path] = (stat.st_size, stat.st_mtime_ns, digest)
    return digest


def manifest(version: str, built_at: str, commit: str | None, inputs: dict[str, str],
             files: dict[str, bytes]) -> bytes:
    """manifest.json: what was built, when, from what, and the hash of every output file."""
    document = {"version": version, "generator": f"buletin {__version__}", "built_at": built_at,
                "commit": commit, "inputs": inputs,
                "files": {path: sha256(data) for path, data in sorted(files.items()) if path != MANIFEST}}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def check_output_folder(out: Path, site_root: Path) -> None:
    """Refuse to replace a folder that buletin did not make, or one that holds the site itself."""
    resolved, site = out.resolve(), site_root.resolve()
    if resolved == site or resolved in site.parents:
        raise UsageError(f"--out {out} would replace the site itself; choose a folder such as output/")
    for name in ("content", "data", "templates", "site.yaml"):
        if (site / name).resolve() == resolved or (site / name).resolve() in resolved.parents:
            raise UsageError(f"--out {out} is inside the site's {name}; choose a folder such as output/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"{out} is not empty and was not made by buletin (no {MANIFEST}); "
                          "empty it or choose another --out folder")


CACHE_DIR = ".buletin-cache"


@contextmanager
def site_lock(site_root: Path, what: str = "build") -> Iterator[None]:
    """One build or publish of a site at a time; a second is told so instead of corrupting the output.

    The lock file lives in the site's cache folder (git-ignored), never beside the user's output.
    """
    import fcntl

    folder = site_root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "build.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another build or publish of {site_root} is running; wait for it to finish, "
                              f"then {what} again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_site(out: Path, files: dict[str, bytes]) -> int:
    """Write the site into `out`; returns the number of files written. Unchanged files are not touched.

    A first build is written into a fresh folder beside `out` and swapped in. Later builds update `out`:
    new files are written, replacements are written under temporary names, and only when all are written
    are they renamed into place (manifest last) and the files the site no longer has removed. A failure
    before that point leaves `out` as it was; the rename step itself is a matter of milliseconds.
    Unchanged files keep their mtime, so rsync-style deploys upload only what changed.
    """
    out = out.absolute()
    if not (out / MANIFEST).is_file():
        return _write_fresh(out, files)
    old_files, old_dirs = _listing(out)
    conflict = any(path in old_dirs or any(parent in old_files for parent in _parents(path)) for path in files)
    if conflict:  # a file where a folder was, or the reverse: start afresh
        return _write_fresh(out, files)
    changed = [path for path in sorted(files, key=lambda p: p == MANIFEST) if not _same(out / path, files[path])]
    _apply(out, files, changed, (old_files, old_dirs))
    return len(changed)


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def walk(out: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every file and folder under `out`: its path relative to `out`, and its entry (stat is cached)."""
    todo = [("", str(out))]
    while todo:
        prefix, folder = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                yield f"{prefix}{entry.name}", entry
                if entry.is_dir(follow_symlinks=False):
                    todo.append((f"{prefix}{entry.name}/", entry.path))


def _listing(out: Path) -> tuple[set[str], set[str]]:
    """Every file and folder under `out`, relative to it."""
    files, dirs = set(), set()
    for name, entry in walk(out):
        (dirs if entry.is_dir(follow_symlinks=False) else files).add(name)
    return files, dirs


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _apply(out: Path, files: dict[str, bytes], changed: list[str], old: tuple[set[str], set[str]]) -> None:
    """Write the changed files, rename the replacements into place, then remove what the site no longer has.

    A file new to the folder is written under its own name (nothing links to it yet); one that replaces
    an old file is written under a temporary name first. Until the renames, a failure undoes everything.
    """
    old_files, old_dirs = old
    pid = os.getpid()
    replacing: list[tuple[Path, Path]] = []
    created: list[Path] = []
    made: list[str] = []
    try:
        for path in changed:
            for folder in _parents(path):
                if folder not in old_dirs and folder not in made:
                    (out / folder).mkdir()
                    made.append(folder)
            target = out / path
            if path in old_files:
                temporary = target.with_name(f".{target.name}.buletin-{pid}")
                replacing.append((temporary, target))
                temporary.write_bytes(files[path])
            else:
                created.append(target)
                target.write_bytes(files[path])
    except BaseException:
        for temporary, _ in replacing:
            temporary.unlink(missing_ok=True)
        for target in created:
            target.unlink(missing_ok=True)
        for folder in reversed(made):
            shutil.rmtree(out / folder, ignore_errors=True)
        raise
    for temporary, target in replacing:
        os.replace(temporary, target)
    for path in sorted(old_files - files.keys(), reverse=True):
        (out / path).unlink(missing_ok=True)
        for parent in _parents(path)[::-1]:
            try:
                (out / parent).rmdir()  # only when empty
            except OSError:
                break


def _write_fresh(out: Path, files: dict[str, bytes]) -> int:
    """Write every file into a fresh folder beside `out`, then swap it in."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    changed = 0
    made: set[Path] = set()
    try:
        for path, data in sorted(files.items()):
            target = staging / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if not _reuse(out / path, target, data):
                target.write_bytes(data)
                changed += 1
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return changed


def _reuse(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link an unchanged old file into the new tree; False when it must be written."""
    try:
        if old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new)
        return True
    except OSError:
        return False
