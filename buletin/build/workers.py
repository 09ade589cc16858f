"""Work spread over forked worker processes, which inherit the parent's state instead of receiving it."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

_TASKS: list[Callable[[], Any]] = []  # inherited by the forked workers; only results travel back


def fork_map(tasks: list[Callable[[], Any]], jobs: int | None, min_for_pool: int) -> Iterator[Any]:
    """Each task's result in order, as they come; in forked processes when there are at least `min_for_pool`.

    Below that, starting processes costs more than it saves, and where fork is missing (Windows) it runs here.
    """
    workers = min(jobs or cores(), len(tasks))
    if workers < 2 or len(tasks) < min_for_pool or os.name != "posix":
        for task in tasks:
            yield task()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _TASKS[:] = tasks
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            yield from pool.map(_run, range(len(tasks)), chunksize=max(1, len(tasks) // (workers * 8)))
    finally:
        _TASKS.clear()


def cores() -> int:
    """The cores this process may use (a container or `taskset` may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """A worker's first act: end when the build that started it ends, even by `kill -9`, so that no idle
    worker is left holding memory (or, before, the site's lock)."""
    import threading

    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="buletin-watch-parent").start()


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _run(index: int) -> Any:
    return _TASKS[index]()
