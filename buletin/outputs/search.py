"""The search index: Pagefind over the built pages, in shards so an edit re-indexes only its own part.

Pagefind cannot update an index, and indexing 1,000 pages takes most of a second and about 190 MB. So the
pages are split into shards (one per year of editions, or one per edition in a busy year, and one for the
other pages), each indexed apart and cached by its pages' bytes. The search page loads the first shard's
bundle and merges the others (Pagefind's `mergeIndex`, which shares the first shard's WebAssembly).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from buletin.build import progress
from buletin.build.state import BuildState, make_key
from buletin.build.workers import cores
from buletin.build.workers import scratch_folder as _scratch
from buletin.messages import _, number
from buletin.outputs.manifest import Digests

BUNDLE = "pagefind"
SHARDS_FILE = f"{BUNDLE}/shards.json"  # the merged shards' folders, read by the search page's script
SHARD_PAGES = 120  # a year of editions with more pages to index than this gets one shard per edition
OTHER_PAGES = "pages"
_MARKER = b"data-pagefind-body"
# Only the first shard's script and WebAssembly are loaded; the theme's own script replaces Pagefind's UI.
_RUNTIME = ("pagefind.js", "pagefind-worker.js", "wasm.")
_PAGEFIND_SECONDS = 600  # one shard's limit: a Pagefind that hangs fails the search index, not the build
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


class SearchUnavailable(Exception):
    """Pagefind failed on a shard; the site builds without that shard's pages in its index."""


class PagefindMissing(SearchUnavailable):
    """Pagefind cannot be run at all; the site builds without a search index."""


# What Pagefind says, and exits with 1, when none of the pages it was given has words to index (say, the one
# edition of a year, with an empty body and no summary): a shard with nothing to find, not a failure.
_NOTHING_TO_INDEX = "not able to build an index"


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
    """Indexes each shard as soon as all of its pages are given, while the others render.

    Each shard not in the build state is indexed by a Pagefind process of its own, started at once and
    collected at the end: no thread and no worker pool is needed for that. While pages are still rendered
    one Pagefind runs at a time, none while the worker pool renders them (`hold`), so that the two do not add
    up in memory; at the end, `jobs` at a time.
    `expected` names the pages to index; `files()` checks that against the pages finally built and
    indexes afresh (from the build state where it can) when they differ, so the result never depends on
    timing.
    """

    def __init__(self, expected: list[str], years: dict[str, int], language: str, state: BuildState,
                 jobs: int | None = None, digests: Digests | None = None):
        self.plan = plan_shards(expected, years)
        self.digests = digests or Digests()
        self.years, self.language, self.state, self.jobs = years, language, state, jobs or cores()
        self.shard_of = {path: name for name, paths in self.plan.items() for path in paths}
        self.waiting = {name: set(paths) for name, paths in self.plan.items()}
        self.pages: dict[str, bytes] = {}
        self.done: dict[str, dict[str, bytes]] = {}
        self.running: dict[str, _Run] = {}
        self.queued: list[tuple[str, dict[str, bytes]]] = []
        self.held = False  # True: no Pagefind starts before files() (see hold)
        self.failed: dict[str, str] = {}  # shard -> why Pagefind failed on it

    def add(self, path: str, data: bytes) -> None:
        """A page is rendered: start its shard when it was the shard's last."""
        name = self.shard_of.get(path)
        if name is None:
            return
        self.pages[path] = data
        self.waiting[name].discard(path)
        if not self.waiting[name] and name not in self.done and name not in self.running and not self.held:
            self._start(name, {p: self.pages[p] for p in self.plan[name]}, at_once=1)

    def started(self, path: str) -> bool:
        """Whether the shard of `path` has some of its pages already (a page rendered again): its other pages are
        best given first, so that its Pagefind runs while the rest are read."""
        name = self.shard_of.get(path)
        return name is not None and len(self.waiting[name]) < len(self.plan[name])

    def hold(self) -> None:
        """Start no Pagefind until files(): the pages are rendered by the worker pool, and a Pagefind (20 MB
        or more) beside the workers would take the build past its memory budget."""
        self.held = True

    def _start(self, name: str, pages: dict[str, bytes], at_once: int | None = None) -> None:
        """Take the shard from the build state, or start a Pagefind process for it (queued while `at_once`
        processes, by default `jobs`, are running)."""
        key = make_key("search", self.language, sorted((p, self.digests.of(p, d)) for p, d in pages.items()))
        found = self.state.recall("search", key)
        if found is not None:
            self.done[name] = found
            return
        if len(self.running) >= (at_once or self.jobs):
            self.queued.append((name, pages))
            return
        self.running[name] = _Run(key, pages, self.language)

    def files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        """The bundle's files by output path, for these pages (all of the site's)."""
        try:
            html = indexed_pages(pages)
            if set(html) != set(self.shard_of) or any(self.pages[p] != html[p] for p in self.pages):
                self.close()
                again = ShardIndexer(list(html), self.years, self.language, self.state, self.jobs, self.digests)
                for path, data in html.items():
                    again.add(path, data)
                files = again.files(html)
                self.plan, self.failed = again.plan, again.failed
                return files
            if not self.plan:
                return {}
            queued = {name for name, _pages in self.queued}
            missing = [name for name in self.plan
                       if name not in self.done and name not in self.running and name not in queued]
            if missing or self.running or self.queued:
                progress.say(_("indexing {count} pages for search").format(count=number(len(html))), len(html))
            for name in missing:
                self._start(name, {p: html[p] for p in self.plan[name]})
            while self.running or self.queued:
                while self.queued and len(self.running) < self.jobs:
                    self._start(*self.queued.pop(0))
                if not self.running:
                    continue
                name = _first_finished(self.running)  # the next one starts as soon as any slot is free
                run = self.running.pop(name)
                try:
                    self.done[name] = run.result()
                except PagefindMissing:
                    self.running[name] = run  # close() removes its folder
                    raise
                except SearchUnavailable as exc:
                    run.stop()  # removes its folder
                    self.failed[name] = str(exc)
                    continue
                self.state.keep("search", run.key, self.done[name])
            return _bundle(self.done, [name for name in self.plan if self.done.get(name)])
        finally:
            self.close()

    def failures(self) -> list[str]:
        """A warning for the shards Pagefind failed on, naming their pages (none when all were indexed)."""
        if not self.failed:
            return []
        parts = [(_("{count} pages outside the editions ({reason})") if name == OTHER_PAGES
                  else _("{count} pages of {part} ({reason})")).format(
                      count=number(len(self.plan[name])), part=name, reason=reason)
                 for name, reason in self.failed.items()]
        return [_("search will not find {parts}: Pagefind failed on them; build again, and if the warning comes "
                  "back, report it with this message").format(parts="; ".join(parts))]

    def close(self) -> None:
        """Stop the Pagefind processes under way (a failed build needs none of them)."""
        for run in self.running.values():
            run.stop()
        self.running.clear()
        self.queued.clear()


class _Run:
    """One shard indexed by a Pagefind process of its own, in a folder of its own (in memory on Linux)."""

    def __init__(self, key: str, pages: dict[str, bytes], language: str):
        self.key = key
        self.folder = tempfile.TemporaryDirectory(prefix="buletin-search-", dir=_scratch())
        self.site = Path(self.folder.name) / "site"
        for path, data in pages.items():
            target = self.site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.log = Path(self.folder.name) / "pagefind.log"  # a file, not a pipe: nothing blocks while unread
        try:
            with self.log.open("wb") as log:
                self.process: subprocess.Popen | None = subprocess.Popen(
                    [*_command(), "--site", str(self.site), "--force-language", language, "--quiet"],
                    stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            self.process, self.failure = None, str(exc)  # no Pagefind to run
        self.started = time.monotonic()

    def finished(self) -> bool:
        return self.process is None or self.process.poll() is not None or \
            time.monotonic() - self.started > _PAGEFIND_SECONDS

    def result(self) -> dict[str, bytes]:
        if self.process is None:
            raise PagefindMissing(self.failure)
        try:
            self.process.wait(timeout=max(0.0, _PAGEFIND_SECONDS - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            self.stop()
            raise SearchUnavailable(_("pagefind took more than 10 minutes")) from None
        if self.process.returncode != 0:
            said = self.log.read_text(encoding="utf-8", errors="replace")
            if _NOTHING_TO_INDEX in said:
                self.folder.cleanup()
                return {}
            last = said.strip().splitlines()[-1:]
            raise SearchUnavailable(last[0] if last else _("pagefind failed"))
        bundle = self.site / BUNDLE
        files = {p.relative_to(bundle).as_posix(): p.read_bytes()
                 for p in sorted(bundle.rglob("*")) if p.is_file() and not p.name.startswith(_UNUSED)}
        self.folder.cleanup()
        return files

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.folder.cleanup()


def _first_finished(running: dict[str, _Run]) -> str:
    """The name of a run that has finished, waiting for one (checked every few milliseconds: portable, and a
    shard takes a tenth of a second or more). A run alone is waited for by its result()."""
    if len(running) == 1:
        return next(iter(running))
    while True:
        for name, run in running.items():
            if run.finished():
                return name
        time.sleep(0.005)


def _bundle(found: dict[str, dict[str, bytes]], order: list[str]) -> dict[str, bytes]:
    """The primary shard at pagefind/, the others at pagefind/NAME/ without a runtime of their own (no files
    when no shard has any)."""
    if not order:
        return {}
    primary, *merged = order
    files = {f"{BUNDLE}/{name}": data for name, data in (found[primary] or {}).items()}
    for shard in merged:
        files.update((f"{BUNDLE}/{shard}/{name}", data) for name, data in (found[shard] or {}).items()
                     if not name.startswith(_RUNTIME))
    files[SHARDS_FILE] = (json.dumps([f"{shard}/" for shard in merged]) + "\n").encode("utf-8")
    return files


def _command() -> list[str]:
    """The Pagefind binary itself when its package is installed (no Python start-up), else its wrapper."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        import importlib.util

        if importlib.util.find_spec("pagefind") is None:
            raise FileNotFoundError(_("pagefind is not installed")) from None
        return [sys.executable, "-m", "pagefind"]
