"""The build state's store (one SQLite file): shared by worker processes, never the only copy of anything, and
a damaged or old-style cache folder only costs a rebuild."""
from __future__ import annotations

import multiprocessing
import pickle
import time
from pathlib import Path

import pytest

from buletin.build import store as store_module
from buletin.build.state import BuildState
from buletin.build.store import STORE_FILE, Store, flush_pending
from buletin.build.workers import Workers
from buletin.pipeline import BuildOptions, run
from buletin.problems import SiteError

from .conftest import tree_snapshot


def _put_in_child(store: Store, name: str) -> None:
    store.put(name, name.encode())
    store.close()


def test_entries_written_by_another_process_are_read_back(tmp_path):
    store = Store(tmp_path)
    store.put("body/a", b"kept here")
    process = multiprocessing.get_context("spawn").Process(target=_put_in_child, args=(store, "svg/b"))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert store.get("svg/b") == b"svg/b" and store.get("body/a") == b"kept here"
    assert store.names() == ["body/a", "svg/b"]


def test_a_pickled_store_leaves_its_connection_behind(tmp_path):
    store = Store(tmp_path)
    store.put("x/1", b"1")
    store.flush()
    copy = pickle.loads(pickle.dumps(store))
    assert copy._db is None and copy.get("x/1") == b"1"


def test_pruning_keeps_what_this_build_used(tmp_path):
    store = Store(tmp_path)
    store.put("old/1", b"1")
    store.put("used/2", b"2")
    store.close()
    time.sleep(0.01)
    cutoff = time.time()  # when this build started: both entries were last used before it
    store = Store(tmp_path)
    assert store.get("used/2") == b"2"
    assert store.prune(cutoff) == 1  # "used/2" was used by this build: only "old/1" goes
    assert store.names() == ["used/2"]


def test_a_read_only_state_changes_nothing(tmp_path):
    writer = BuildState(tmp_path)
    writer.keep("body", "k", "v")
    flush_pending()  # as the build does when work changes hands
    reader = BuildState(tmp_path, read_only=True)
    assert reader.recall("body", "k") == "v"
    reader.keep("body", "other", "w")
    assert Store(tmp_path).names() == ["body/k"]
    assert BuildState(tmp_path / "none", read_only=True).recall("body", "k") is None
    assert not (tmp_path / "none").exists()


def test_a_process_writes_what_it_keeps_when_it_flushes(tmp_path):
    """Entries are written in batches (a transaction each put made the build's processes queue for the lock):
    the keeper reads them at once, another process from the flush on, and flush_pending writes every store."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = Store(tmp_path / "a"), Store(tmp_path / "b")
    first.put("body/0", b"zero")
    first.flush()
    reader = Store(tmp_path / "a", read_only=True)
    first.put("body/1", b"one")
    first.put("body/1", b"one again")
    second.put("svg/2", b"two")
    assert first.get("body/1") == b"one again"
    assert reader.get("body/1") is None
    flush_pending()
    assert reader.get("body/1") == b"one again"
    assert Store(tmp_path / "b", read_only=True).get("svg/2") == b"two"
    assert first._unwritten == {} and second._unwritten == {}


def test_an_entry_only_read_is_marked_used_by_the_next_flush(tmp_path):
    """A worker that finds a body's figures in the store and makes nothing new still writes down that it used
    them (after its chunk), so that pruning keeps what this build used."""
    store = Store(tmp_path)
    store.put("figure/a", b"1")
    store.put("figure/b", b"2")
    store.close()
    time.sleep(0.01)
    cutoff = time.time()  # this build starts: both entries were last used before it
    reader = Store(tmp_path)
    assert reader.get("figure/a") == b"1"
    flush_pending()  # as a worker does after each chunk
    assert Store(tmp_path).prune(cutoff) == 1
    assert Store(tmp_path).names() == ["figure/a"]


def test_entries_read_ahead_are_what_get_reads_and_count_as_used_only_once_taken(tmp_path, monkeypatch):
    """prefetch() reads many entries in few queries; get() takes them from there, an entry this process kept
    still wins, a missing one is None, and only the entries taken count as used by the build."""
    store = Store(tmp_path)
    for index in range(1200):
        store.put(f"body/{index}", str(index).encode())
    store.close()
    time.sleep(0.01)
    cutoff = time.time()
    reader = Store(tmp_path)
    reader.put("body/7", b"kept again")
    monkeypatch.setattr(store_module, "_PER_QUERY", 500)
    reader.prefetch([f"body/{index}" for index in range(1200)] + ["body/none"])
    monkeypatch.setattr(reader, "_connection", lambda: None)  # from here nothing more is read from the file
    assert [reader.get(f"body/{index}") for index in (0, 7, 499, 500, 1199)] == \
        [b"0", b"kept again", b"499", b"500", b"1199"]
    assert reader.get("body/none") is None and reader.get("body/0") is None  # each taken once
    monkeypatch.undo()
    reader.close()
    assert Store(tmp_path).prune(cutoff) == 1195  # the four taken and the one kept again stay
    assert Store(tmp_path).names() == ["body/0", "body/1199", "body/499", "body/500", "body/7"]


def test_a_large_batch_is_written_without_waiting_for_the_flush(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 100)
    store = Store(tmp_path)
    store.put("body/first", b"")
    store.flush()  # the file is made
    reader = Store(tmp_path, read_only=True)
    store.put("body/small", b"x" * 60)
    assert reader.get("body/small") is None
    store.put("body/large", b"y" * 60)  # 120 bytes unwritten: both written now
    assert reader.get("body/small") == b"x" * 60 and reader.get("body/large") == b"y" * 60


def test_a_worker_writes_its_entries_before_handing_back_its_results(make_site, tmp_path, monkeypatch):
    """A worker's entries (the quoted values and figures a body was composed from) are in the store for the
    next build, also under spawn, where nothing ends the worker before the build reads them."""
    monkeypatch.setattr("buletin.pipeline.MIN_FOR_POOL", 1)  # the tiny site's bodies composed in the pool
    site = make_site()
    cache = tmp_path / "cache"
    with Workers(2) as workers:
        run(BuildOptions(site, tmp_path / "out", cache_dir=cache), workers)
        kinds = {name.split("/")[0] for name in Store(cache, read_only=True).names()}
    assert {"body", "figure", "value"} <= kinds


def test_a_failed_build_keeps_what_it_made(make_site, tmp_path):
    """The build after a fix starts from what the failed one composed (serve rebuilds on every save)."""
    site = make_site({"content/2020-11/rusak.md": "---\ntitle: Rusak\ndate: 2020-11-02\nauthors: [Tim]\n---\n"
                                                  "Nilai {{ value('tidak_ada', 'x') }}.\n"})
    cache = tmp_path / "cache"
    with pytest.raises(SiteError):
        _build(site, tmp_path / "out", cache)
    assert any(name.startswith("body/") for name in Store(cache, read_only=True).names())


def _build(site: Path, out: Path, cache: Path | None):
    return run(BuildOptions(site, out, cache_dir=cache, jobs=1))


def test_a_damaged_store_is_made_again(make_site, tmp_path):
    site = make_site()
    cache = tmp_path / "cache"
    _build(site, tmp_path / "first", cache)
    (cache / STORE_FILE).write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (cache / f"{STORE_FILE}{suffix}").unlink(missing_ok=True)
    result = _build(site, tmp_path / "again", cache)
    assert result.drawn == 1  # the chart was drawn again: nothing could be recalled
    assert tree_snapshot(tmp_path / "again") == tree_snapshot(tmp_path / "first")
    assert Store(cache).names()  # and kept again, in a new store
    assert _build(site, tmp_path / "third", cache).drawn == 0


def test_a_cache_folder_of_the_old_layout_is_tidied(make_site, tmp_path):
    """Earlier versions kept each entry as a file of its own, under a folder per kind: a build removes them."""
    site = make_site()
    cache = tmp_path / "cache"
    _build(site, tmp_path / "out", cache)
    (cache / "body" / "ab").mkdir(parents=True)
    (cache / "body" / "ab" / "cdef").write_bytes(b"old entry")
    (site / "content/2020-11/sorotan.md").open("a").write("\nKalimat baru.\n")
    _build(site, tmp_path / "out", cache)
    assert not (cache / "body").exists()
    assert (cache / "records").is_dir() and (cache / STORE_FILE).is_file()


def test_tidying_the_old_layout_never_follows_a_link(make_site, tmp_path):
    site = make_site()
    cache, elsewhere = tmp_path / "cache", tmp_path / "lain"
    _build(site, tmp_path / "out", cache)
    (elsewhere / "tesis").mkdir(parents=True)
    (elsewhere / "tesis" / "bab1.tex").write_text("milik orang lain")
    (cache / "svg").symlink_to(elsewhere / "tesis")
    (site / "content/2020-11/sorotan.md").open("a").write("\nKalimat baru.\n")
    _build(site, tmp_path / "out", cache)
    assert (elsewhere / "tesis" / "bab1.tex").read_text() == "milik orang lain"


def test_a_store_of_another_layout_is_laid_out_afresh(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / STORE_FILE)
    old.execute("CREATE TABLE entries (name TEXT PRIMARY KEY, used REAL, data BLOB)")
    old.execute("INSERT INTO entries VALUES ('body/x', 0, x'00')")
    old.commit()
    old.close()
    assert Store(tmp_path, read_only=True).get("body/x") is None  # `check` neither reads nor changes it
    store = Store(tmp_path)
    assert store.get("body/x") is None and store.names() == []
    store.put("body/x", b"new")
    store.flush()
    assert Store(tmp_path, read_only=True).get("body/x") == b"new"


def test_every_entry_a_build_keeps_is_read_back(make_site, run_cli, tmp_path, monkeypatch):
    """The build state reads its pickles as buletin's own data only: nothing it keeps itself may be refused (a
    refused entry is made again, silently slower)."""
    from buletin.build import pickles

    refused: list[str] = []
    find = pickles._Unpickler.find_class

    def watched(self, module, name):
        try:
            return find(self, module, name)
        except pickles.RefusedPickle:
            refused.append(f"{module}.{name}")
            raise

    monkeypatch.setattr(pickles._Unpickler, "find_class", watched)
    site = make_site({"site.yaml": (make_site() / "site.yaml").read_text() + "pdf: true\n"})
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    (site / "content/2020-11/sorotan.md").open("a").write("\nKalimat baru.\n")
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert run_cli("check", "--site", site).code == 0
    assert refused == []
