"""Worker processes: one pool per build (per session in `serve`), created before any thread is started.

Tasks are plain module-level functions with picklable arguments, so the pool works with every start method:
`forkserver` where there is one (a clean server process forks the workers: nothing is forked while threads
run), `spawn` elsewhere (macOS, Windows). A context that many tasks share (the site model, say) is sent once,
as a file that each worker reads the first time it meets it. Workers end with their parent.
"""
from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from buletin import messages
from buletin.build.store import flush_pending

T = TypeVar("T")
R = TypeVar("R")
START_METHOD_VARIABLE = "BULETIN_START_METHOD"  # forkserver | spawn | fork: for tests and for debugging


def cores() -> int:
    """The cores this process may use (a container or `taskset` may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_method() -> str:
    """forkserver where the platform has it, else spawn; BULETIN_START_METHOD overrides."""
    import multiprocessing

    chosen = os.environ.get(START_METHOD_VARIABLE)
    available = multiprocessing.get_all_start_methods()
    if chosen in available:
        return chosen
    return "forkserver" if "forkserver" in available else "spawn"


def _start_forkserver() -> None:
    """Start the fork server with this buletin first on its path. Python 3.11's server ignores the parent's
    sys.path: run from a checkout (`python build.py`) beside another installed buletin, it would import the
    installed one, and its workers would run that version's code."""
    import site
    from multiprocessing import forkserver

    root = Path(__file__).resolve().parents[2]  # the folder that holds the package buletin/
    installed = {Path(folder).resolve() for folder in [*site.getsitepackages(), site.getusersitepackages()]}
    saved = os.environ.get("PYTHONPATH")
    if root not in installed:  # an installed package is found anyway; ahead of the standard library it might shadow
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), saved]))
    try:
        forkserver.ensure_running()
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


class Workers:
    """A pool of `size` processes, started on first use and shut down by close()."""

    def __init__(self, jobs: int | None = None, preload: tuple[str, ...] = ()):
        self.size = max(1, min(jobs or cores(), 2 * cores()))  # more processes than that only cost memory
        self.preload = preload  # modules the forkserver imports once, for every worker it forks
        self._pool: Executor | None = None
        self._shared: list[Path] = []

    def pool(self) -> Executor:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context(start_method())
            if context.get_start_method() == "forkserver":
                self._start_server(context)
            self._pool = ProcessPoolExecutor(self.size, mp_context=context, initializer=start_worker,
                                             initargs=(os.getpid(), messages.language()))
        return self._pool

    def map(self, function: Callable[..., R], items: list[T], *arguments: Any, minimum: int = 2) -> Iterator[R]:
        """function(item, *arguments) for each item, in order; here when there are fewer than `minimum` items
        or one process, in the pool otherwise (in chunks, a few per worker)."""
        if self.size < 2 or len(items) < max(1, minimum):
            for item in items:
                yield function(item, *arguments)
            return
        chunks = _chunks(items, self.size * 16)
        flush_pending()  # what this process kept, the workers may look for
        futures = [self.pool().submit(_run_chunk, function, chunk, arguments) for chunk in chunks]
        for future in futures:
            yield from future.result()

    def _start_server(self, context: Any) -> None:
        context.set_forkserver_preload(["buletin.build.nointerrupt", *self.preload])
        _start_forkserver()

    def warm(self) -> None:
        """Start importing the libraries now, without waiting, so that the workers are ready by the time the first
        tasks come: a cold build's first stages run meanwhile. Under forkserver only the server starts (a worker
        started now would wait for the server's imports, and the build with it)."""
        if self.size < 2 or self._pool is not None:
            return
        if start_method() == "forkserver":
            import multiprocessing

            self._start_server(multiprocessing.get_context("forkserver"))
            return
        pool = self.pool()
        for _ in range(self.size):
            pool.submit(_import, self.preload)

    def share(self, value: Any, folder: Path | None = None) -> SharedFile:
        """A large value many tasks need, pickled once to a file that each worker loads once."""
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="buletin-shared-", suffix=".pickle", dir=folder)
        with os.fdopen(handle, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared.append(Path(name))
        return SharedFile(name, os.stat(name).st_mtime_ns)

    def unshare(self, shared: SharedFile) -> None:
        """Remove a shared value's file once its tasks are done (a serve session makes one a rebuild)."""
        Path(shared).unlink(missing_ok=True)
        self._shared = [path for path in self._shared if path != Path(shared)]

    @property
    def cheap(self) -> bool:
        """Whether a new worker costs milliseconds: a forkserver forks it with the preloaded libraries in place,
        where spawn would import them all again."""
        return start_method() != "spawn"

    def renew(self) -> None:
        """End the processes (where they are cheap), so that the next task starts fresh ones without what
        earlier tasks left in them."""
        if self._pool is not None and self.cheap:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Wait for the tasks under way, end the processes, remove the shared files."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for path in self._shared:
            path.unlink(missing_ok=True)
        self._shared.clear()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class SharedFile(str):
    """The path of a value shared with the workers (a str, so it pickles as one), with its version."""

    version: int

    def __new__(cls, path: str, version: int) -> SharedFile:
        made = super().__new__(cls, path)
        made.version = version
        return made

    def __reduce__(self):
        return SharedFile, (str(self), self.version)

    def load(self) -> Any:
        return _load_shared(str(self), self.version)


@lru_cache(maxsize=4)
def _load_shared(path: str, version: int) -> Any:
    with open(path, "rb") as file:
        return pickle.load(file)


def _chunks(items: list[T], count: int) -> list[list[T]]:
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _import(modules: tuple[str, ...]) -> None:
    """Import what the tasks need (already there when the forkserver preloaded it)."""
    import importlib

    for name in modules:
        importlib.import_module(name)


def _run_chunk(function: Callable[..., R], chunk: list[Any], arguments: tuple) -> list[R]:
    try:
        return [function(item, *arguments) for item in chunk]
    finally:
        flush_pending()  # what the tasks kept, written in one transaction before their results are handed back


def start_worker(build: int, language: str) -> None:
    """A worker's first acts: leave Ctrl-C to the build (see nointerrupt), speak the build's language (a
    forkserver, started once per process, may have been started for a build in another), and end when the build
    ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    messages.use(language)
    die_with_parent(build)


def die_with_parent(build: int) -> None:
    """A worker's first act: end when the build that started it ends, even by `kill -9`, so that no idle
    worker is left holding memory. (Under forkserver the worker's parent is the server, not the build: the
    build's process is watched by its id.)"""
    import threading

    if os.name != "posix":  # pragma: no cover - Windows ends spawned workers whose pipes break
        return
    if not _alive(build):
        os._exit(0)
    threading.Thread(target=_watch, args=(build,), daemon=True, name="buletin-watch-build").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(build: int) -> None:
    import time

    while _alive(build):
        time.sleep(0.5)
    os._exit(0)


def scratch_folder() -> str | None:
    """A folder in memory where there is one (Linux), for the copies handed to Pagefind and Typst: they never
    touch the disk."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
