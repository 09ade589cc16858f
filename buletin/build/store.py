"""The build state's store: one SQLite file of entries (a name, the bytes kept under it, when a build last used
it), shared by the build and its worker processes.

One file rather than a file per entry: a cold build of 1,000 articles keeps about 1,600 entries, and on some
disks creating that many files and their folders costs more than a second; a later build reads its entries
without opening a file for each. SQLite's write-ahead log lets the workers write while the build reads.

A process writes what it keeps in batches, one transaction each: when work changes hands (`flush_pending`,
called by the worker pool before it hands out tasks and after each chunk of them), when a batch grows large,
and when the build ends. A transaction per entry made the build's processes queue for the write lock: a cold
build's workers slept more than a second in SQLite's waits.

Nothing here is ever the only copy of anything: a store that cannot be opened, written or read only means the
build makes its artifacts again.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

STORE_FILE = "store.sqlite"
_BUSY_SECONDS = 60  # how long a process waits while another writes (the workers of one build take turns)
_INHERITED: list[sqlite3.Connection] = []  # connections a forked process got from its parent
_BATCH_BYTES = 8 << 20  # a process's unwritten entries are written once they hold this much
_PENDING: set[Store] = set()  # this process's stores with entries, or uses of entries, not yet written
_PER_QUERY = 500  # names in one query (older SQLite allows 999 parameters)
_LAYOUT = 2  # the store's PRAGMA user_version; a file of another layout is emptied and laid out afresh
_TABLES = (
    "CREATE TABLE entries (name TEXT PRIMARY KEY, data BLOB NOT NULL)",
    # when each entry was last used, apart from its bytes: marking the thousand entries a build uses rewrites a
    # few pages of this table, not a thousand large rows
    "CREATE TABLE uses (name TEXT PRIMARY KEY, used REAL NOT NULL)",
)


class Store:
    """The entries of one cache folder; a connection is opened on first use, one per process."""

    def __init__(self, root: Path, read_only: bool = False):
        self.path = root / STORE_FILE
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._used: set[str] = set()  # entries this process used and has not yet marked (see flush)
        self._fetched: dict[str, bytes] = {}  # entries read ahead by prefetch, until get() takes them
        self._unwritten: dict[str, bytes] = {}  # entries kept by this process, written by flush
        self._unwritten_bytes = 0

    def __getstate__(self) -> dict[str, object]:
        return {"path": self.path, "read_only": self.read_only}  # a connection never leaves its process

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"].parent, state["read_only"])  # type: ignore[misc]

    def get(self, name: str) -> bytes | None:
        """The bytes kept under `name` (None when there are none, or the store cannot be read); the entry
        counts as used by this build."""
        if name in self._unwritten:
            return self._unwritten[name]
        data = self._fetched.pop(name, None)
        if data is None:
            db = self._connection()
            if db is None:
                return None
            try:
                row = db.execute("SELECT data FROM entries WHERE name = ?", (name,)).fetchone()
            except sqlite3.Error:
                return None
            if row is None:
                return None
            data = row[0]
        self._used.add(name)
        _PENDING.add(self)  # its use is written down with the next flush, so that pruning keeps it
        return bytes(data)

    def prefetch(self, names: Iterable[str]) -> None:
        """Read these entries ahead, a few hundred a query, for get() to take: a thousand queries of one entry
        each cost a one-article build more than the rest of its composing."""
        wanted = [name for name in names if name not in self._unwritten and name not in self._fetched]
        db = self._connection() if wanted else None
        if db is None:
            return
        try:
            for start in range(0, len(wanted), _PER_QUERY):
                chunk = wanted[start:start + _PER_QUERY]
                self._fetched.update(db.execute(
                    f"SELECT name, data FROM entries WHERE name IN ({','.join('?' * len(chunk))})", chunk))
        except sqlite3.Error:
            pass  # get() asks for each again

    def put(self, name: str, data: bytes) -> None:
        """Keep `data` under `name`: at once for this process, for the others from the next flush."""
        if self.read_only:
            return
        self._unwritten_bytes += len(data) - len(self._unwritten.get(name, b""))
        self._unwritten[name] = data
        _PENDING.add(self)
        if self._unwritten_bytes >= _BATCH_BYTES:
            self.flush()

    def use(self, names: Iterable[str]) -> None:
        """Count these entries as used by this build (what an artifact taken from the store was made from)."""
        self._used.update(names)
        _PENDING.add(self)

    def flush(self) -> None:
        """Write the entries this process kept, and which ones it used, in one transaction."""
        _PENDING.discard(self)
        unwritten, self._unwritten, self._unwritten_bytes = self._unwritten, {}, 0
        if not (self._used or unwritten) or self.read_only:
            return
        db = self._connection()
        if db is None:
            return
        now = time.time()
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO entries (name, data) VALUES (?, ?)", unwritten.items())
                db.executemany("INSERT OR REPLACE INTO uses (name, used) VALUES (?, ?)",
                               ((name, now) for name in unwritten))
                self._mark(db, now)
        except sqlite3.Error:
            pass

    def prune(self, cutoff: float) -> int:
        """Remove the entries no build used since `cutoff`; how many were removed."""
        self.flush()
        db = self._connection()
        if db is None or self.read_only:
            return 0
        try:
            with db:  # freed pages are reused by later entries: the file stays as large as the largest state
                db.execute("BEGIN IMMEDIATE")
                removed = db.execute("DELETE FROM entries WHERE name IN (SELECT name FROM uses WHERE used < ?)",
                                     (cutoff,)).rowcount
                db.execute("DELETE FROM uses WHERE used < ?", (cutoff,))
            return removed
        except sqlite3.Error:
            return 0

    def names(self) -> list[str]:
        """Every entry's name (for tests and reports)."""
        self.flush()
        db = self._connection()
        if db is None:
            return []
        return [row[0] for row in db.execute("SELECT name FROM entries ORDER BY name")]

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            if self._pid == os.getpid():
                self._db.close()
            else:
                _INHERITED.append(self._db)
        self._db, self._pid = None, 0

    def _mark(self, db: sqlite3.Connection, now: float) -> None:
        if self._used:
            db.executemany("UPDATE uses SET used = ? WHERE name = ?", ((now, name) for name in sorted(self._used)))
            self._used.clear()

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # first use in this process (a connection is never shared across a fork)
            if self._db is not None:
                _INHERITED.append(self._db)  # another process's: neither used nor closed here
                self._used = set()
            self._pid, self._db = os.getpid(), self._connect()
        return self._db

    def _connect(self) -> sqlite3.Connection | None:
        try:
            return self._open()
        except sqlite3.OperationalError:  # locked for longer than the wait, or a folder that cannot be written
            return None
        except sqlite3.DatabaseError:  # not a database (damaged): made again, unless only reading
            if self.read_only or not self._remove_damaged():
                return None
            try:
                return self._open()
            except sqlite3.Error:
                return None
        except OSError:
            return None

    def _open(self) -> sqlite3.Connection | None:
        if self.read_only:
            if not self.path.is_file():
                return None
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=_BUSY_SECONDS,
                                 isolation_level=None, check_same_thread=False)
            if _layout(db) == _LAYOUT:
                return _small_cache(db)
            db.close()
            return None
        db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            # A cache needs no flush to the disk: waiting for one stalls the build's own writing on slow disks,
            # and a power cut costs at most a damaged store, which the next build replaces.
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA journal_size_limit = 16777216")  # the log is cut back to 16 MB after use
            if _layout(db) != _LAYOUT:
                _lay_out(db)
        except BaseException:
            db.close()
            raise
        return _small_cache(db)

    def _remove_damaged(self) -> bool:
        """Remove a store file that is not a database (damaged, or not ours): the cache folder is buletin's."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                continue
            except OSError:
                return False
        return True


def flush_pending() -> None:
    """Write what every store of this process kept or used since its last flush (work is about to change
    hands)."""
    for store in list(_PENDING):
        store.flush()


def _small_cache(db: sqlite3.Connection) -> sqlite3.Connection:
    """256 KiB of page cache, not SQLite's 2 MB: a build reads each entry once, in every one of its processes."""
    db.execute("PRAGMA cache_size = -256")
    return db


def _layout(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _lay_out(db: sqlite3.Connection) -> None:
    """Make the tables (in a new file, or one of another layout, whose entries are dropped)."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        if _layout(db) == _LAYOUT:  # another process of the build did it first
            return
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            db.execute(f'DROP TABLE "{table}"')
        for statement in _TABLES:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {_LAYOUT}")
