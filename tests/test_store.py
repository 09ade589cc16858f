"""The build state's store (one SQLite file): shared by worker processes, never the only copy of anything, and
a damaged or old-style cache folder only costs a rebuild."""
from __future__ import annotations

import multiprocessing
import pickle
import time
from pathlib import Path

from buletin.build.state import BuildState
from buletin.build.store import STORE_FILE, Store
from buletin.pipeline import BuildOptions, run

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
    BuildState(tmp_path).keep("body", "k", "v")
    reader = BuildState(tmp_path, read_only=True)
    assert reader.recall("body", "k") == "v"
    reader.keep("body", "other", "w")
    assert Store(tmp_path).names() == ["body/k"]
    assert BuildState(tmp_path / "none", read_only=True).recall("body", "k") is None
    assert not (tmp_path / "none").exists()


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
