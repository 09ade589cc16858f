"""The build state: every artifact buletin makes, kept with what it read, and one rule for reusing it.

An artifact (a validated dataset, a body, a figure, a quoted value, a chart's SVG, a search shard, a page, the
whole build) is kept under a key that covers everything it is made from that is known before making it (its
text, its options, the language, buletin's and every library's version), together with the hashes of what
it read while being made (the datasets a body's figures used, say). It is made again if and only if its key
is new or something it read has changed. This is the "verifying traces" design of Mokhov, Mitchell and Peyton
Jones's *Build systems à la carte*, as Lektor's build state keeps it per artifact.

The rule is one; where an artifact is kept differs with its size and with when it is needed:
- in the store (`recall()`/`keep()`: one SQLite file, see store.py): validated datasets with their warnings,
  bodies, figures, values, main points, headline cards, row lists, downloads, chart images, search shards,
  PDFs, compiled templates;
- as records (`record()`/`write_record()`, a pickle file each): the last build's fingerprint of the inputs
  (skip.py, laid out in lastbuild.py: the no-op build is the whole build's key), the YAML memo of a site
  (yamlfile.py: parsed texts keyed by the text itself, and, through `yamlfile.remembered`, what is made from texts
  alone: front matters checked (inputs/content.py), each document's slips (inputs/slips.py) and the site
  templates' check (outputs/theme.py), each keyed by everything it reads and the language), and each output
  folder's page keys (outputs/pagecache.py: a page is taken from the last output when its key, made
  with make_key like every other, is the one it was written under);
- with the fingerprint record: the digest of each input file, used while the file keeps its stamp, as git's
  index does: size, modification and change times, inode (inputs/paths.py: known_digests, note_digest);
- within one process only, never across builds: text sizes measured by a chart-drawing worker
  (compose/canvas.py) and projected map areas (compose/mapareas.py), each keyed by all it is made from; and a
  worker's composer and renderer (compose/composer.py, outputs/render.py) and the values shared with it
  (build/workers.py), each kept for the build that started the worker.

Each build marks the entries it uses; `finish()` removes those that none of the last few builds used, and the
records that none used once a month old, so the folder stays bounded however often a site is edited (the folder
is safe to delete at any time).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import time
from collections.abc import Mapping
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buletin import __version__, messages
from buletin.build import pickles
from buletin.messages import _

if TYPE_CHECKING:  # the store (and sqlite3) is imported when first opened: a skipped build never opens it
    from buletin.build.store import Store

DEFAULT_DIR = ".buletin-cache"
PREVIEW_FOLDER = "preview"  # where `serve` builds, in the cache folder: output/ is left to `build`
# The Cache Directory Tagging Specification: backup tools skip the folder, and buletin knows it made it.
TAG_FILE = "CACHEDIR.TAG"
TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# This folder is buletin's build cache; safe to delete.\n"
_LIBRARIES = ("jinja2", "markdown", "matplotlib", "pillow", "pandas", "openpyxl", "pyyaml", "babel", "nh3", "numpy",
              "pagefind", "pagefind-bin", "typst")  # pillow: matplotlib writes the sharing cards' PNG with it


@lru_cache(maxsize=1)
def versions() -> tuple[tuple[str, str], ...]:
    """buletin's and its libraries' versions: a new release of any invalidates what it may have produced."""
    code = hashlib.sha256()
    for path in _code_files(Path(__file__).parent.parent):
        with open(path, "rb") as file:
            code.update(os.path.basename(path).encode() + file.read())
    installed = _installed()
    found = [("buletin", __version__), ("buletin-code", code.hexdigest())]
    found += [(name, installed.get(_normal(name)) or _metadata_version(name)) for name in _LIBRARIES]
    return tuple(found)


def _code_files(package: Path) -> list[str]:
    """The package's modules and compiled message catalogues, in a fixed order. Templates are applied after
    the cache, never in it; the catalogue's words are in it. (A walk that skips __pycache__ and stats no file:
    every build, even one that is skipped, starts here.)"""
    found = []
    for folder, folders, names in os.walk(package):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        found += [os.path.join(folder, name) for name in sorted(names) if name.endswith((".py", ".mo"))]
    return found


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
    """sha256 over the parts, the library versions and the language of messages (an artifact may carry a
    problem's text); every part must be keyable (see canonical)."""
    text = json.dumps([canonical(part) for part in parts], ensure_ascii=False, allow_nan=True)
    digest = _key_start(versions(), messages.language()).copy()
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _key_start(versions: tuple[tuple[str, str], ...], language: str) -> Any:
    """The hash of what every key covers (the versions, the language of messages), to go on from."""
    return hashlib.sha256(json.dumps([versions, language]).encode("utf-8") + b"\n")


class Unkeyable(TypeError):
    """A value that a cache key cannot stand for: a bug in buletin, caught by its tests, never a silent reuse."""


_PLAIN = (str, int, float, bool, type(None))


def canonical(value: Any) -> Any:
    """A JSON value that stands for `value` exactly: mappings in key order (keys of any type), dataclasses by
    their fields, dates by their ISO text. Anything else is Unkeyable, rather than keyed by a name or repr that
    could stand for two different values. (Thousands of keys a build: the common cases come first.)"""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [canonical(item) for item in value]
    if kind is dict:
        if all(type(key) is str for key in value):
            return {"{}": [[key, canonical(value[key])] for key in sorted(value)]}
        items = [[canonical(key), canonical(item)] for key, item in value.items()]
        return {"{}": sorted(items, key=lambda pair: json.dumps(pair[0], sort_keys=True))}
    return _canonical_other(value)


def _canonical_other(value: Any) -> Any:
    import dataclasses
    import datetime as dt

    if isinstance(value, _PLAIN):  # subclasses: an enum of str, a bool
        return value if type(value) is bool else {type(value).__qualname__: str(value)}
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, dict):
        return canonical(dict(value))
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


KEEP_BUILDS = 3  # entries used by none of the last three builds are removed
KEEP_RECORD_DAYS = 30  # records too, once a month old: another output folder's (serve's, build's) are kept
_RECORDS = "records"
_OWN_FOLDERS = (_RECORDS, "work", "shared", PREVIEW_FOLDER)  # the cache folder's folders besides the store


class BuildState:
    """The store of artifacts and records of one cache folder (None: nothing is kept, everything is made)."""

    def __init__(self, root: Path | None, read_only: bool = False):
        self.root = root
        self.read_only = read_only  # `check` reads the state but changes nothing
        self.started = time.time()
        self._store: Store | None = None
        self._records: set[str] = set()  # the records this build read or wrote: finish() keeps them

    @property
    def store(self) -> Store | None:
        """The entries (opened on first use: a build that is skipped never opens them)."""
        if self._store is None and self.root is not None:
            if not self.read_only:
                with suppress(OSError):  # a folder that cannot be written: the store then fails to open, once
                    tag(self.root)
            from buletin.build.store import Store

            self._store = Store(self.root, self.read_only)
        return self._store

    def recall(self, kind: str, key: str, current: Mapping[str, str] | None = None) -> Any | None:
        """The artifact kept under `key`, when everything it read still has the hash it had (`current` gives
        the hashes of this build: datasets by name); None when it must be made."""
        store = self.store
        data = store.get(f"{kind}/{key}") if store is not None else None
        if data is None:
            return None
        try:
            entry = pickles.loads(data)
        except pickles.UNREADABLE:
            return None
        if not (isinstance(entry, tuple) and len(entry) == 2):
            return None
        value, reads = entry
        if reads and (current is None or any(current.get(name) != digest for name, digest in reads.items())):
            return None
        return value

    def prefetch(self, kind: str, keys: list[str]) -> None:
        """Read these artifacts' entries at once, ahead of recall() for each."""
        if self.store is not None:
            self.store.prefetch(f"{kind}/{key}" for key in keys)

    def keep(self, kind: str, key: str, value: Any, reads: Mapping[str, str] | None = None) -> None:
        """Keep an artifact with the hashes of what it read (a failure to write only costs time)."""
        store = None if self.read_only else self.store
        if store is not None:
            store.put(f"{kind}/{key}", pickle.dumps((value, dict(reads or {})), protocol=pickle.HIGHEST_PROTOCOL))

    def touch(self, entries: list[tuple[str, str]]) -> None:
        """Mark entries as used by this build (an artifact made from them was), so pruning keeps them."""
        store = None if self.read_only else self.store
        if store is not None:
            store.use(f"{kind}/{key}" for kind, key in entries)

    def record(self, name: str) -> Any | None:
        """A small record of the state's own (None when missing or unreadable)."""
        if self.root is None:
            return None
        self._records.add(name)
        try:
            with open(self.root / _RECORDS / name, "rb") as handle:
                return pickles.load(handle)
        except (OSError, *pickles.UNREADABLE):
            return None

    def has_record(self, name: str) -> bool:
        """Whether there is such a record, without reading it."""
        return self.root is not None and (self.root / _RECORDS / name).is_file()

    def write_record(self, name: str, value: Any) -> None:
        if self.root is None or self.read_only:
            return
        self._records.add(name)
        try:
            folder = self.root / _RECORDS
            folder.mkdir(parents=True, exist_ok=True)
            tag(self.root)
            temporary = folder / f"{name}.{os.getpid()}.tmp"
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, folder / name)
        except OSError:
            pass

    def finish(self) -> int:
        """After a successful build: remove the entries that none of the last KEEP_BUILDS builds used."""
        if self.root is None or self.read_only:
            return 0
        starts = [*(self.record("builds") or [])[-(KEEP_BUILDS - 1):], self.started]
        self.write_record("builds", starts)
        store = self.store
        if store is None:
            return 0
        removed = store.prune(min(starts)) if len(starts) >= KEEP_BUILDS else 0
        store.close()
        if len(starts) >= KEEP_BUILDS:  # `build` after a `serve` session finds its own records still there
            self._prune_records(min(min(starts), time.time() - KEEP_RECORD_DAYS * 86400))
        _remove_old_layout(self.root)
        return removed

    def _prune_records(self, before: float) -> None:
        """Remove the records that this build did not use and none written since `before`: the parsed YAML of an
        earlier version of buletin, the pages of an output folder no longer built, a write that was cut off."""
        assert self.root is not None
        with suppress(OSError), os.scandir(self.root / _RECORDS) as entries:
            for entry in entries:
                with suppress(OSError):
                    if entry.name not in self._records and entry.is_file(follow_symlinks=False) and \
                            entry.stat(follow_symlinks=False).st_mtime < before:
                        os.unlink(entry.path)


def _remove_old_layout(root: Path) -> None:
    """Remove the folders in which earlier versions of buletin kept each entry as a file of its own (named by
    their kind: `svg`, `body`): in a folder buletin tagged as its cache only, never through a link."""
    if root.is_symlink() or not (root / TAG_FILE).is_file():
        return
    with os.scandir(root) as entries:
        old = [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)
               and entry.name not in _OWN_FOLDERS and re.fullmatch(r"[a-z][a-z-]*", entry.name)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)


NO_STATE = BuildState(None)


def output_name(out: Path) -> str:
    """A record name for one output folder (its last build, its pages)."""
    return hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:32]  # as the file system names it (LC_ALL=C)


def template_code(state: BuildState | None) -> Any:
    """A Jinja bytecode cache whose compiled templates are artifacts of `state`, keyed by name and source
    (None without a state folder)."""
    if state is None or state.root is None:
        return None
    import jinja2

    build_state = state  # the methods below have their own `self`

    class TemplateCode(jinja2.BytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            """Jinja's key, for a file name the file system gave in any encoding (a folder `ü` under LC_ALL=C)."""
            text = name if filename is None else f"{name}|{filename}"
            return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            code = build_state.recall("template", make_key("template", bucket.key, bucket.checksum))
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            build_state.keep("template", make_key("template", bucket.key, bucket.checksum),
                             bucket.bytecode_to_string())

    return TemplateCode()


def tag(root: Path) -> None:
    """Mark a folder as buletin's cache (CACHEDIR.TAG), making it when needed."""
    marker = root / TAG_FILE
    if not marker.is_file():
        root.mkdir(parents=True, exist_ok=True)
        marker.write_bytes(TAG)


def linked_cache(folder: Path) -> str:
    """What to do about a site cache folder that is a link (its contents are deleted and replaced at will)."""
    return _("{cache} is a link to another folder: remove the link, and buletin makes its cache folder itself "
             "(its contents are deleted and replaced at will)").format(cache=folder)


def check_cache_folder(cache: Path, site_root: Path, out: Path) -> None:
    """Refuse a --cache folder that buletin did not make and that is not empty, or one that holds the site,
    its inputs or its output: the cache's contents are deleted and replaced at will."""
    from buletin.problems import UsageError

    resolved, site, output = cache.resolve(), site_root.resolve(), out.resolve()
    if resolved == site or resolved in site.parents:
        raise UsageError(_("--cache {cache} would hold the site itself: choose a new folder, such as "
                           "{default}/").format(cache=cache, default=DEFAULT_DIR))
    for name in ("content", "data", "templates"):
        if (site / name) == resolved or (site / name) in resolved.parents:
            raise UsageError(_("--cache {cache} is inside the site's {name}/ folder: choose a folder such as "
                               "{default}/").format(cache=cache, name=name, default=DEFAULT_DIR))
    if resolved == output or output in resolved.parents or resolved in output.parents:
        raise UsageError(_("--cache {cache} overlaps the output folder {out}: choose another folder").format(
            cache=cache, out=out))
    if resolved.exists() and not resolved.is_dir():
        raise UsageError(_("--cache {cache} is a file, not a folder: choose a folder").format(cache=cache))
    if resolved.is_dir() and not (resolved / TAG_FILE).is_file() and any(resolved.iterdir()):
        raise UsageError(_("--cache {cache} is not empty and was not made by buletin (it has no {tag}): choose an "
                           "empty or new folder").format(cache=cache, tag=TAG_FILE))
