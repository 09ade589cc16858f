"""Writing the site: the site's lock, its assets with fingerprinted names, and the output written in a work folder
and put in place only when the build succeeded (see Staging), with the checks that keep it from harm."""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

from buletin.build.state import DEFAULT_DIR as CACHE_DIR
from buletin.build.state import PREVIEW_FOLDER, linked_cache
from buletin.messages import _
from buletin.outputs.manifest import MANIFEST, Digests, sha256
from buletin.problems import OutputError, SiteBusy, UsageError

WRITERS = 2  # threads writing the output's files (see Staging._write)
THREADED_FROM = 200  # files: a smaller tree is written by one thread, as threads would cost more than they save


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


def check_output_folder(out: Path, site_root: Path) -> None:
    """Refuse to replace a folder that buletin did not make, or one that holds the site itself."""
    resolved, site = out.resolve(), site_root.resolve()
    if resolved == site or resolved in site.parents:
        raise UsageError(_("--out {out} would replace the site itself: choose a folder such as output/").format(
            out=out))
    for name in ("content", "data", "templates", "site.yaml"):
        if (site / name).resolve() == resolved or (site / name).resolve() in resolved.parents:
            raise UsageError(_("--out {out} is inside the site's {name}: choose a folder such as output/").format(
                out=out, name=name))
    cache = (site / CACHE_DIR).resolve()
    if resolved == cache or (cache in resolved.parents and resolved != cache / PREVIEW_FOLDER):  # serve's own
        raise UsageError(_("--out {out} is the site's cache folder: choose a folder such as output/").format(out=out))
    if out.is_symlink() and not out.exists():
        raise UsageError(_("--out {out} is a link to {target}, which does not exist: make that folder, or choose "
                           "another --out").format(out=out, target=os.readlink(out)))
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out {out} is a file, not a folder: choose a folder such as output/").format(out=out))
    if out.is_dir() and any(out.iterdir()) and not _made_by_buletin(out / MANIFEST):
        raise UsageError(_("{out} is not empty and was not made by buletin (it has no {manifest} of buletin's): "
                           "empty it, or choose another --out folder").format(out=out, manifest=MANIFEST))


def _made_by_buletin(manifest: Path) -> bool:
    """Whether a folder's manifest.json is one a build wrote (a web app's manifest.json is another thing): its
    first lines name buletin as the generator."""
    try:
        with manifest.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r'"generator":\s*"buletin[ "]', head) is not None


LOCK_FILE = "build.lock"


@contextmanager
def site_lock(site_root: Path, what: str = "build", note=None) -> Iterator[None]:
    """One build or publish of a site at a time; a second is told so instead of corrupting the output.

    The lock is the operating system's (POSIX record lock, or Windows byte lock) on a file in the site's
    cache folder: it belongs to this process only (worker processes do not inherit it) and ends with it, so
    a killed build never leaves the site locked. The file names the holder; a holder that is gone without
    clearing it is reported with `note` when its lock is taken over.
    """
    folder = site_root / CACHE_DIR
    if folder.is_symlink():  # its work folder is emptied at will: through a link, that could be any folder
        raise UsageError(linked_cache(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / LOCK_FILE).open("a+", encoding="utf-8")
    except OSError as exc:  # a site folder that may not be written
        raise OutputError(_("cannot write {path} ({reason}), where buletin keeps its lock and cache: make the site's "
                            "folder writable").format(path=exc.filename or folder,
                                                      reason=exc.strerror or exc)) from None
    with handle:
        if not _try_lock(handle):
            handle.seek(0)
            raise SiteBusy(_("another build or publish of this site is running ({holder}): wait for it to finish, "
                             "then run `{command}` again").format(holder=_holder(handle.read()), command=what))
        handle.seek(0)
        left = handle.read().strip()
        if left and note is not None:
            note(_("the last build or publish ({holder}) stopped before it finished; its lock was taken over, and "
                   "its unfinished files are cleared").format(holder=_holder(left)))
        _rewrite(handle, json.dumps({"command": what, "process": os.getpid()}))
        try:
            yield
        finally:
            _rewrite(handle, "")
            _unlock(handle)


def _holder(recorded: str) -> str:
    """Who holds the site's lock, as its lock file names it, in the reader's words."""
    try:
        found = json.loads(recorded)
        command, process = str(found["command"]), int(found["process"])
    except (ValueError, KeyError, TypeError):  # written by another version of buletin, or empty
        return recorded.strip() or "?"
    if command == "serve":
        return _("the preview of `serve` building again after an edit, process {process}").format(process=process)
    return _("`{command}`, process {process}").format(command=command, process=process)


def _rewrite(handle, text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()


def _try_lock(handle) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.lockf(handle, fcntl.LOCK_UN)


def work_folder(site_root: Path, out: Path) -> Path:
    """Where a build writes before renaming into `out`: the cache folder, where a build killed while writing
    leaves nothing in (or beside) the output; beside `out` when the two are on different disks."""
    cache = (site_root / CACHE_DIR).absolute()
    parent = out.absolute().parent
    try:
        same_disk = cache.stat().st_dev == parent.stat().st_dev
    except OSError:
        same_disk = False
    return cache / "work" if same_disk else parent / f".{out.name}.buletin-work"


class Staging:
    """The site's files, written into the work folder while the build goes on (`add_soon`, in a thread while
    the build waits for something else), then put in place by `commit`. Each path is added once.

    A first build's folder is written whole and swapped in; later builds write only the changed files and
    rename each into place (manifest last), then remove the files the site no longer has. Until `commit`
    renames, `out` is as it was, and `discard` (always called, also after a failure) leaves it so; the renames
    are a matter of milliseconds. Unchanged files keep their mtime, so rsync-style deploys upload only what
    changed.
    """

    def __init__(self, out: Path, work: Path | None = None, known: Callable[[str, str], bool] | None = None,
                 digests: Digests | None = None):
        self.out = out.absolute()
        self.work = (work or self.out.parent / f".{self.out.name}.buletin-work").absolute()
        self.known = known or (lambda _path, _digest: False)  # (path, sha256) -> known to be there, unread
        self.digests = digests or Digests()
        self.fresh: bool | None = None  # decided by the first add: no manifest in `out` yet
        self.old: tuple[set[str], set[str]] = (set(), set())
        self.staged: dict[str, Path | None] = {}  # path -> its file in the work folder; None: unchanged in `out`
        self.written = 0
        self._folders: set[Path] = set()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add_soon(self, files: dict[str, bytes]) -> None:
        """Write these files into the work folder (a first build's all, a later build's changed ones), in a
        thread of its own; commit() and discard() wait for it."""
        def run() -> None:
            try:
                self._add(files)
            except BaseException as exc:  # raised again by wait(), in the build's own thread
                self._error = exc

        self.wait()
        self._thread = threading.Thread(target=run, name="buletin-write", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def commit(self, files: dict[str, bytes]) -> int:
        """Add what is not added yet, then put everything in place; the number of files written."""
        with _as_output_error(self.out):
            self.wait()
            self._add({path: data for path, data in files.items() if path not in self.staged})
            old_files, old_dirs = self.old
            if not self.fresh and any(path in old_dirs or any(p in old_files for p in _parents(path))
                                      for path in files):  # a file where a folder was, or the reverse: afresh
                self._begin(fresh=True)
                self._add(files)
            if self.fresh:
                _swap(self.out, self.work)
                return self.written
            staged = sorted(((temporary, path) for path, temporary in self.staged.items() if temporary is not None),
                            key=lambda item: item[1] == MANIFEST)
            _place(self.out, staged, set(files), self.old)
            return len(staged)

    def discard(self) -> None:
        """Remove the work folder (after commit, or instead of it)."""
        with suppress(BaseException):  # the build already fails for its own reason
            self.wait()
        shutil.rmtree(self.work, ignore_errors=True)

    def _begin(self, fresh: bool | None = None) -> None:
        shutil.rmtree(self.work, ignore_errors=True)  # what a killed build left
        self.work.mkdir(parents=True)
        self.fresh = not (self.out / MANIFEST).is_file() if fresh is None else fresh
        self.old = (set(), set()) if self.fresh else _listing(self.out)
        self.staged, self.written, self._folders = {}, 0, set()

    def _add(self, files: dict[str, bytes]) -> None:
        if self.fresh is None:
            self._begin()
        by_folder: dict[Path, list[tuple[Path, str, bytes]]] = {}
        for path, data in sorted(files.items()):
            if self.fresh:
                target = self.work / "new" / path
            elif self.known(path, self.digests.of(path, data)) or _same(self.out / path, data):
                self.staged[path] = None
                continue
            else:  # a folder per writer: the kernel creates one folder's files one at a time
                target = self.work / str(len(self.staged) % WRITERS) / str(len(self.staged))
            by_folder.setdefault(target.parent, []).append((target, path, data))
            self.staged[path] = target
        self._write(by_folder)

    def _write(self, by_folder: dict[Path, list[tuple[Path, str, bytes]]]) -> None:
        """Write the files, a folder at a time, in WRITERS threads: creating thousands of files and folders is
        the kernel's work (the threads wait in it without the GIL), and on a disk where many files were just
        deleted it takes a millisecond each, which two cores halve. A new tree hard-links what `out` already
        has."""
        def write(folders: list[Path]) -> int:
            written = 0
            for folder in folders:
                if folder not in self._folders:
                    folder.mkdir(parents=True, exist_ok=True)
                for target, path, data in by_folder[folder]:
                    if not (self.fresh and _reuse(self.out / path, target, data)):
                        target.write_bytes(data)
                        written += 1
            return written

        folders = list(by_folder)
        if sum(len(items) for items in by_folder.values()) < THREADED_FROM:
            self.written += write(folders)
        else:
            with ThreadPoolExecutor(WRITERS, thread_name_prefix="buletin-write") as pool:
                self.written += sum(pool.map(write, [folders[i::WRITERS] for i in range(WRITERS)]))
        self._folders.update(folders)


@contextmanager
def _as_output_error(out: Path) -> Iterator[None]:
    """A file that cannot be written: the user's message, the output folder as it was."""
    try:
        yield
    except OSError as exc:
        raise OutputError(_("cannot write {path}: {reason}; the output folder was left as it was: check that the "
                            "disk has room and that the folder may be written").format(
                                path=exc.filename or out, reason=exc.strerror or exc)) from None


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
    files: set[str] = set()
    dirs: set[str] = set()
    for name, entry in walk(out):
        (dirs if entry.is_dir(follow_symlinks=False) else files).add(name)
    return files, dirs


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _place(out: Path, staged: list[tuple[Path, str]], paths: set[str], old: tuple[set[str], set[str]]) -> None:
    """Check every target folder may be written, rename the staged files into place, then remove what the
    site (now `paths`) no longer has."""
    old_files, old_dirs = old
    changed = [path for _temporary, path in staged]
    new_dirs = sorted({folder for path in changed for folder in _parents(path) if folder not in old_dirs}, key=len)
    for folder in {out, *(out / f for f in {p.rsplit("/", 1)[0] for p in changed if "/" in p} if f in old_dirs)}:
        if not os.access(folder, os.W_OK):
            raise PermissionError(13, "Permission denied", str(folder))
    for new_dir in new_dirs:
        (out / new_dir).mkdir()
    for temporary, path in staged:
        os.replace(temporary, out / path)
    for path in sorted(old_files - paths, reverse=True):
        (out / path).unlink(missing_ok=True)
        for parent in _parents(path)[::-1]:
            try:
                (out / parent).rmdir()  # only when empty
            except OSError:
                break


def _swap(out: Path, work: Path) -> None:
    """Put the folder written in `work` in place of `out`; an empty `out` is filled instead, and kept."""
    staging, retired = work / "new", work / "old"
    staging.mkdir(parents=True, exist_ok=True)  # a site of no files
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir() and not any(out.iterdir()):
        _fill(out, staging)
        return
    if out.exists():
        out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        if retired.exists() and not out.exists():
            retired.rename(out)
        raise


def _fill(out: Path, staging: Path) -> None:
    """Move the written site into an empty folder, which keeps its owner, its mode and any link to it (a web
    server's root prepared for the site, or a link to one): swapped for a new folder, it lost them. On failure the
    folder is emptied again, as it was."""
    try:
        for entry in sorted(staging.iterdir()):
            shutil.move(entry, out / entry.name)  # across file systems too, where the link leads elsewhere
    except BaseException:
        for entry in out.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        raise


def _reuse(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link an unchanged old file into the new tree; False when it must be written."""
    try:
        if old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new)
        return True
    except OSError:
        return False
