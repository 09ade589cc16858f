"""Time one build in a fresh subprocess and measure its memory.

Two memory figures per run:
- `rss_mb`: the peak resident set of the largest single process (os.wait4 on the child; on Linux this covers
  the child's own reaped children, as a maximum, not a sum);
- `tree_mb`: the peak over time of the summed proportional set size (PSS) of the child and all of its
  descendants, sampled every 20 ms from /proc, so a process pool is counted as a whole (in a separate run:
  the sampling slows the build it watches). A vfork()ed child that has not yet started its program shares
  its parent's memory and is left out (the kcmp system call tells), or the parent would count twice.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SAMPLE_INTERVAL = 0.02


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float
    tree_mb: float


class BuildFailed(RuntimeError):
    """A timed command exited with a non-zero status."""


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    """The process and its descendants, less any child that still shares its parent's memory (see _same_memory)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += [child for child in _children(current) if not _same_memory(current, child)]
    return pids


_KCMP = {"x86_64": 312, "aarch64": 272}.get(os.uname().machine)  # the kcmp system call's number
_KCMP_VM = 1


def _same_memory(parent: int, child: int) -> bool:
    """Whether `child` is a vfork()ed child that has not yet run its program: it uses its parent's memory, and
    its smaps would count all of it a second time. (Python starts a subprocess that way; a build starts Pagefind
    and git dozens of times, and a sample that fell in that instant counted the build's 100 MB twice.)"""
    return _KCMP is not None and _libc().syscall(_KCMP, parent, child, _KCMP_VM, 0, 0) == 0


@lru_cache(maxsize=1)
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _pss_kb(pid: int) -> int:
    """PSS of one process (RSS where smaps_rollup is not readable); 0 once it is gone."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.pid)))
            self.done.wait(SAMPLE_INTERVAL)


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            tree: bool = False) -> Sample:
    """Run `command` to completion; wall-clock seconds and peak memory. Raises BuildFailed on failure.

    With `tree`, the whole process tree's PSS is sampled too (tree_mb; else 0). Reading smaps_rollup takes
    each process's memory-map lock, which slows a build that forks workers by 20-25%: time such runs apart.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        sampler = TreeSampler(child.pid)
        if tree:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        if tree:
            sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            out.seek(0)
            err.seek(0)
            text = (out.read() + err.read()).decode("utf-8", "replace").strip()
            raise BuildFailed(f"`{' '.join(map(str, command))}` exited {child.returncode}:\n{text[-3000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, sampler.peak_kb / 1024)


@dataclass
class CaseResult:
    key: str
    label: str
    target: str
    samples: list[Sample] = field(default_factory=list)
    passed: bool | None = None
    failures: list[str] = field(default_factory=list)  # what missed its target: time, memory, charts
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    load: float = 0.0  # the 1-minute load average when the case ended: other work on the machine skews timings
    memory: Sample | None = None  # the untimed run that sampled the process tree's memory

    def seconds(self) -> list[float]:
        return [s.seconds for s in self.samples]

    def median(self) -> float | None:
        return statistics.median(self.seconds()) if self.samples else None

    def peak_mb(self) -> float:
        samples = [*self.samples, *([self.memory] if self.memory else [])]
        return max((max(s.rss_mb, s.tree_mb) for s in samples), default=0.0)
