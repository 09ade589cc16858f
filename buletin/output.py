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

THEME_ASSETS = Path(__file__).parent / "theme" / "assets"
MANIFEST = "manifest.json"
INPUT_DIRS = ("content", "data", "templates")


class OutputError(Exception):
    """The output folder cannot be written safely."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def collect_assets(site_root: Path) -> dict[str, bytes]:
    """Theme assets, overridden or added to by the site's templates/assets/, by logical name."""
    assets: dict[str, bytes] = {}
    for folder in (THEME_ASSETS, site_root / "templates" / "assets"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
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


def input_hashes(site_root: Path, extra: list[str] | tuple[str, ...] = ("site.yaml",)) -> dict[str, str]:
    """sha256 of every input file (config, content, data, templates), by path relative to the site."""
    hashes = {}
    for name in extra:
        if (site_root / name).is_file():
            hashes[name] = sha256((site_root / name).read_bytes())
    for folder in INPUT_DIRS:
        root = site_root / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(site_root).parts):
                hashes[path.relative_to(site_root).as_posix()] = sha256(path.read_bytes())
    return dict(sorted(hashes.items()))


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
        raise OutputError(f"--out {out} would replace the site itself; choose a folder such as output/")
    for name in ("content", "data", "templates", "site.yaml"):
        if (site / name).resolve() == resolved or (site / name).resolve() in resolved.parents:
            raise OutputError(f"--out {out} is inside the site's {name}; choose a folder such as output/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise OutputError(f"{out} is not empty and was not made by buletin (no {MANIFEST}); "
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
    """Write every file into a fresh folder beside `out`, then swap it in. Returns files rewritten.

    A file whose bytes did not change is hard-linked from the old output, so it keeps its mtime and
    rsync-style deploys upload only what changed.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    changed = 0
    try:
        for path, data in sorted(files.items()):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
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
