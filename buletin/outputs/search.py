"""The search index: Pagefind over the built pages, in shards so an edit re-indexes only its own part.

Pagefind cannot update an index, and indexing 1,000 pages takes most of a second and about 190 MB. So the
pages are split into shards (one per year of editions, or one per edition in a busy year, and one for the
other pages), each indexed apart and cached by its pages' bytes. The search page loads the first shard's
bundle and merges the others (Pagefind's `mergeIndex`, which shares the first shard's WebAssembly).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

from buletin.build import progress
from buletin.build.store import Cache, make_key
from buletin.build.workers import cores, die_with_parent
from buletin.outputs.writer import sha256

BUNDLE = "pagefind"
SHARDS_FILE = f"{BUNDLE}/shards.json"  # the merged shards' folders, read by the search page's script
SHARD_PAGES = 120  # a year of editions with more pages to index than this gets one shard per edition
OTHER_PAGES = "pages"
MIN_FOR_PROCESSES = 4  # shards in a site; with fewer, starting processes costs more than it saves
_MARKER = b"data-pagefind-body"
# Only the first shard's script and WebAssembly are loaded; the theme's own script replaces Pagefind's UI.
_RUNTIME = ("pagefind.js", "pagefind-worker.js", "wasm.")
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


class SearchUnavailable(Exception):
    """Pagefind is missing or failed; the site builds without a search index."""


def plan_shards(paths: list[str], years: dict[str, int]) -> dict[str, list[str]]:
    """Shard name -> the page paths it indexes; `years` maps each edition's folder to its year.

    The first shard is the primary bundle. Pages outside editions come first, then years newest first.
    """
    other: list[str] = []
    by_year: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(paths):
        folder = path.split("/", 1)[0]
        if folder in years:
            by_year[years[folder]][folder].append(path)
        else:
            other.append(path)
    shards: dict[str, list[str]] = {OTHER_PAGES: other} if other else {}
    for year in sorted(by_year, reverse=True):
        editions = by_year[year]
        if sum(len(p) for p in editions.values()) <= SHARD_PAGES:
            shards[str(year)] = [p for folder in sorted(editions) for p in editions[folder]]
        else:
            shards.update((folder, editions[folder]) for folder in sorted(editions, reverse=True))
    return shards


def indexed_pages(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The HTML pages Pagefind indexes: those with `data-pagefind-body` where any has it (its own rule)."""
    html = {path: data for path, data in pages.items() if path.endswith(".html")}
    if any(_MARKER in data for data in html.values()):
        html = {path: data for path, data in html.items() if _MARKER in data}
    return html


class ShardIndexer:
    """Indexes each shard in the background as soon as all of its pages are given (while others render).

    `expected` names the pages to index; `files()` checks that against the pages finally built and
    indexes afresh (from the cache where it can) when they differ, so the result never depends on timing.
    """

    def __init__(self, expected: list[str], years: dict[str, int], language: str, cache: Cache,
                 jobs: int | None = None):
        self.plan = plan_shards(expected, years)
        self.years, self.language, self.cache, self.jobs = years, language, cache, jobs
        self.shard_of = {path: name for name, paths in self.plan.items() for path in paths}
        self.waiting = {name: set(paths) for name, paths in self.plan.items()}
        self.pages: dict[str, bytes] = {}
        self.pool: Executor | None = None  # started at the first shard not in the cache
        self.futures: dict[str, Future[dict[str, bytes]]] = {}

    def add(self, path: str, data: bytes) -> None:
        """A page is rendered: start its shard when it was the shard's last."""
        name = self.shard_of.get(path)
        if name is None:
            return
        self.pages[path] = data
        self.waiting[name].discard(path)
        if not self.waiting[name] and name not in self.futures:
            self._start(name, {p: self.pages[p] for p in self.plan[name]})

    def _start(self, name: str, pages: dict[str, bytes]) -> None:
        """Take the shard from the cache, or index it in a worker process."""
        key = make_key("search-shard", self.language, sorted((p, sha256(d)) for p, d in pages.items()))
        found = self.cache.load("search", key)
        if found is not None:
            self.futures[name] = Future()
            self.futures[name].set_result(found)
            return
        if self.pool is None:
            workers = self.jobs or cores()
            self.pool = _pool(workers) if len(self.plan) > MIN_FOR_PROCESSES else ThreadPoolExecutor(workers)
        self.futures[name] = self.pool.submit(_index_and_keep, pages, self.language, self.cache, key)

    def files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        """The bundle's files by output path, for these pages (all of the site's)."""
        try:
            html = indexed_pages(pages)
            if set(html) != set(self.shard_of) or any(self.pages[p] != html[p] for p in self.pages):
                return _redo(html, self.years, self.language, self.cache, self.jobs)
            if not self.plan:
                return {}
            missing = [name for name in self.plan if name not in self.futures]
            if missing or any(not f.done() for f in self.futures.values()):
                progress.say(f"indexing {len(html)} pages for search", len(html))
            for name in missing:
                self._start(name, {p: html[p] for p in self.plan[name]})
            return _bundle({name: future.result() for name, future in self.futures.items()}, list(self.plan))
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the shards under way (a Pagefind run is short); start no more."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int) -> Executor:
    """Worker processes, each with an interpreter of its own: from a thread, the few hundred file calls
    of a shard would each wait for the rendering thread to let go of the interpreter."""
    if os.name != "posix":
        return ThreadPoolExecutor(workers)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))


def _index_and_keep(pages: dict[str, bytes], language: str, cache: Cache, key: str) -> dict[str, bytes]:
    files = _index(pages, language)
    cache.store("search", key, files)
    return files


def _redo(html: dict[str, bytes], years: dict[str, int], language: str, cache: Cache,
          jobs: int | None) -> dict[str, bytes]:
    indexer = ShardIndexer(list(html), years, language, cache, jobs)
    for path, data in html.items():
        indexer.add(path, data)
    return indexer.files(html)


def _bundle(found: dict[str, dict[str, bytes] | None], order: list[str]) -> dict[str, bytes]:
    """The primary shard at pagefind/, the others at pagefind/NAME/ without a runtime of their own."""
    primary, *merged = order
    files = {f"{BUNDLE}/{name}": data for name, data in (found[primary] or {}).items()}
    for shard in merged:
        files.update((f"{BUNDLE}/{shard}/{name}", data) for name, data in (found[shard] or {}).items()
                     if not name.startswith(_RUNTIME))
    files[SHARDS_FILE] = (json.dumps([f"{shard}/" for shard in merged]) + "\n").encode("utf-8")
    return files


def _scratch() -> str | None:
    """A folder in memory where there is one (Linux): Pagefind's copies never touch the disk."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _command() -> list[str]:
    """The Pagefind binary itself when its package is installed (no Python start-up), else its wrapper."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]


def _index(pages: dict[str, bytes], language: str) -> dict[str, bytes]:
    """Run Pagefind over these pages in a folder of their own; its bundle's files by path in the bundle."""
    with tempfile.TemporaryDirectory(prefix="buletin-search-", dir=_scratch()) as folder:
        root = Path(folder)
        for path, data in pages.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            done = subprocess.run([*_command(), "--site", str(root), "--force-language", language, "--quiet"],
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SearchUnavailable(str(exc)) from None
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:]
            raise SearchUnavailable(last[0] if last else "pagefind failed")
        bundle = root / BUNDLE
        return {p.relative_to(bundle).as_posix(): p.read_bytes()
                for p in sorted(bundle.rglob("*")) if p.is_file() and not p.name.startswith(_UNUSED)}
