"""A content-addressed cache on disk: safe to delete, never stale (every input is part of a key)."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

from buletin import __version__

DEFAULT_DIR = ".buletin-cache"
# The Cache Directory Tagging Specification: backup tools skip the folder, and buletin knows it made it.
TAG_FILE = "CACHEDIR.TAG"
TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# This folder is buletin's build cache; safe to delete.\n"
_LIBRARIES = ("jinja2", "markdown", "matplotlib", "pandas", "openpyxl", "pyyaml", "babel", "nh3", "numpy",
              "pagefind", "pagefind-bin")


@lru_cache(maxsize=1)
def versions() -> tuple[tuple[str, str], ...]:
    """buletin's and its libraries' versions: a new release of any invalidates what it may have produced."""
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.parent.rglob("*")):
        if path.suffix == ".py" and path.is_file():  # templates are applied after the cache, never in it
            code.update(path.name.encode() + path.read_bytes())
    installed = _installed()
    found = [("buletin", __version__), ("buletin-code", code.hexdigest())]
    found += [(name, installed.get(_normal(name)) or _metadata_version(name)) for name in _LIBRARIES]
    return tuple(found)


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _installed() -> dict[str, str]:
    """Installed distributions' versions from their `NAME-VERSION.dist-info` folders, first on sys.path first.

    importlib.metadata gives the same answer, but importing it costs more than a small build takes.
    """
    import sys

    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            stem = entry.rsplit(".", 1)[0]
            if entry.endswith((".dist-info", ".egg-info")) and "-" in stem:
                name, version = stem.split("-", 1)
                found.setdefault(_normal(name), version.split("-")[0])
    return found


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def make_key(*parts: Any) -> str:
    """sha256 over the parts and the library versions; every part must be keyable (see canonical)."""
    text = json.dumps([versions(), *(canonical(part) for part in parts)], ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Unkeyable(TypeError):
    """A value that a cache key cannot stand for: a bug in buletin, caught by its tests, never a silent reuse."""


def canonical(value: Any) -> Any:
    """A JSON value that stands for `value` exactly: mappings in key order (keys of any type), dataclasses by
    their fields, dates by their ISO text. Anything else is Unkeyable, rather than keyed by a name or repr that
    could stand for two different values."""
    import dataclasses
    import datetime as dt

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, dict):
        items = [[canonical(key), canonical(item)] for key, item in value.items()]
        return {"{}": sorted(items, key=lambda pair: json.dumps(pair[0], sort_keys=True))}
    if isinstance(value, (set, frozenset)):
        return {"set": sorted((canonical(item) for item in value), key=lambda item: json.dumps(item))}
    if isinstance(value, (dt.date, dt.datetime)):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, bytes):
        return {"bytes": hashlib.sha256(value).hexdigest()}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__qualname__: [canonical(getattr(value, f.name)) for f in dataclasses.fields(value)]}
    raise Unkeyable(f"a cache key cannot stand for a {type(value).__module__}.{type(value).__qualname__}")


class Cache:
    """Values by kind and key under one folder; a miss returns None. Writes are atomic."""

    def __init__(self, root: Path | None, read_only: bool = False):
        self.root = root
        self.read_only = read_only  # `check` reads the cache but writes nothing
        self.hits = 0
        self.misses = 0
        self._folders: set[Path] = set()

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / key[2:]

    def load(self, kind: str, key: str) -> Any | None:
        if self.root is None:
            return None
        try:
            with open(f"{self.root}/{kind}/{key[:2]}/{key[2:]}", "rb") as handle:  # thousands a build: no Path
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def store(self, kind: str, key: str, value: Any) -> None:
        if self.root is None or self.read_only:
            return
        path = self._path(kind, key)
        try:
            if path.parent not in self._folders:  # a mkdir is slow on some disks: once per folder
                if not self._folders:
                    tag(self.root)
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:  # a cache that cannot be written only costs time
            self._folders.discard(path.parent)  # deleted while `serve` runs: made again next time


NO_CACHE = Cache(None)


def tag(root: Path) -> None:
    """Mark a folder as buletin's cache (CACHEDIR.TAG), making it when needed."""
    marker = root / TAG_FILE
    if not marker.is_file():
        root.mkdir(parents=True, exist_ok=True)
        marker.write_bytes(TAG)


def check_cache_folder(cache: Path, site_root: Path, out: Path) -> None:
    """Refuse a --cache folder that buletin did not make and that is not empty, or one that holds the site,
    its inputs or its output: the cache's contents are deleted and replaced at will."""
    from buletin.outputs.writer import UsageError

    resolved, site, output = cache.resolve(), site_root.resolve(), out.resolve()
    if resolved == site or resolved in site.parents:
        raise UsageError(f"--cache {cache} would hold the site itself; choose a new folder such as {DEFAULT_DIR}/")
    for name in ("content", "data", "templates"):
        if (site / name) == resolved or (site / name) in resolved.parents:
            raise UsageError(f"--cache {cache} is inside the site's {name}/; choose a folder such as {DEFAULT_DIR}/")
    if resolved == output or output in resolved.parents or resolved in output.parents:
        raise UsageError(f"--cache {cache} overlaps the output folder {out}; choose another folder")
    if resolved.exists() and not resolved.is_dir():
        raise UsageError(f"--cache {cache} exists and is not a folder")
    if resolved.is_dir() and not (resolved / TAG_FILE).is_file() and any(resolved.iterdir()):
        raise UsageError(f"--cache {cache} is not empty and was not made by buletin (no {TAG_FILE}); "
                         "choose an empty or new folder")


def output_record(cache_dir: Path, out: Path, kind: str) -> Path:
    """Where the cache keeps what it knows of one output folder (the last build's fingerprint, its pages)."""
    name = hashlib.sha256(str(out.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "last-build" / f"{name}.{kind}.json"


def read_record(path: Path) -> dict:
    """A JSON record of the cache's; {} when it is missing or unreadable."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_record(path: Path, document: dict) -> None:
    """Replace a JSON record atomically; a record that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
