import json
import os
import time

import pytest

from buletin.outputs.manifest import manifest, sha256
from buletin.outputs.writer import check_output_folder, fingerprint
from buletin.problems import OutputError

from .conftest import write_site


def test_write_site_swaps_and_keeps_unchanged_mtimes(tmp_path):
    out = tmp_path / "output"
    write_site(out, {"a.html": b"A", "b/c.html": b"C"})
    old = (out / "a.html").stat().st_mtime_ns
    os.utime(out / "a.html", ns=(old - 10**9, old - 10**9))
    changed = write_site(out, {"a.html": b"A", "b/c.html": b"C2"})
    assert changed == 1
    assert (out / "a.html").stat().st_mtime_ns == old - 10**9
    assert (out / "b/c.html").read_bytes() == b"C2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging folders left


def _state(out):
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_later_build_updates_in_place_and_removes_what_the_site_no_longer_has(tmp_path):
    out = tmp_path / "output"
    write_site(out, {"a.html": b"A", "b/c.html": b"C", "old/x/y.html": b"Y", "manifest.json": b"{}"})
    before = _state(out)
    changed = write_site(out, {"a.html": b"A", "b/c.html": b"C2", "new/d.html": b"D", "manifest.json": b"{1}"})
    after = _state(out)
    assert changed == 3
    assert after["a.html"] == before["a.html"]  # untouched: same bytes, same mtime
    assert after["b/c.html"][0] == b"C2" and after["new/d.html"][0] == b"D"
    assert set(after) == {"a.html", "b/c.html", "new/d.html", "manifest.json"}
    assert not (out / "old").exists()  # emptied folders go too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_failed_update_leaves_the_output_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "output"
    write_site(out, {"a.html": b"A", "b/c.html": b"C", "manifest.json": b"{}"})
    before = _state(out)
    real = type(out).write_bytes
    calls = []

    def failing(self, data):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(type(out), "write_bytes", failing)
    with pytest.raises(OutputError, match="disk full; the output folder was left as it was"):
        write_site(out, {"a.html": b"A2", "new/n.html": b"N", "manifest.json": b"{2}"})
    assert _state(out) == before
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a.html", "b", "b/c.html",
                                                                            "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # nothing left beside it either


def _large_tree(count: int) -> dict[str, bytes]:
    return {f"{i % 37:02d}/{i:04d}/index.html": f"page {i}".encode() for i in range(count)}


def test_a_large_new_tree_is_written_whole_by_several_threads(tmp_path, monkeypatch):
    import threading

    from buletin.outputs import writer

    files = _large_tree(writer.THREADED_FROM * 2)
    threads = set()
    real = type(tmp_path).write_bytes

    def noting(self, data):
        threads.add(threading.current_thread().name)
        time.sleep(0.001)  # a loaded machine could otherwise let the first thread finish its share before the
        return real(self, data)  # second is asked for, and the pool reuse it (seen once in a full run)

    monkeypatch.setattr(type(tmp_path), "write_bytes", noting)
    out = tmp_path / "output"
    assert write_site(out, files) == len(files)
    assert _state_bytes(out) == files
    assert len(threads) == writer.WRITERS
    threads.clear()
    write_site(out, {**files, "manifest.json": b"{}"})  # now `out` is a build's: the next one updates it
    threads.clear()
    changed = {path: data + b" (revised)" if i % 2 else data for i, (path, data) in enumerate(files.items())}
    changed["manifest.json"] = b"{1}"
    assert write_site(out, changed) == len(files) // 2 + 1  # only what changed, also in threads
    assert not any(name.startswith(".") for name in os.listdir(tmp_path / "output"))
    assert _state_bytes(out) == changed
    assert len(threads) == writer.WRITERS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_large_new_tree_that_fails_to_write_leaves_nothing(tmp_path, monkeypatch):
    from buletin.outputs import writer

    files = _large_tree(writer.THREADED_FROM * 2)
    real = type(tmp_path).write_bytes

    def failing(self, data):
        if self.parent.name == "0150":
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(type(tmp_path), "write_bytes", failing)
    with pytest.raises(OutputError, match="disk full"):
        write_site(tmp_path / "output", files)
    assert list(tmp_path.iterdir()) == []


def _state_bytes(out):
    return {path: data for path, (data, _mtime) in _state(out).items()}


def test_a_file_that_becomes_a_folder(tmp_path):
    out = tmp_path / "output"
    write_site(out, {"a": b"A", "manifest.json": b"{}"})
    write_site(out, {"a/index.html": b"A", "manifest.json": b"{}"})
    assert (out / "a/index.html").read_bytes() == b"A"
    write_site(out, {"a": b"A", "manifest.json": b"{}"})
    assert (out / "a").read_bytes() == b"A"


def test_refuses_folders_it_did_not_make(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="not made by buletin"):
        check_output_folder(tmp_path / "notes", site)
    (tmp_path / "notes" / "manifest.json").write_text('{"name": "My web app", "start_url": "/"}')  # a PWA's
    with pytest.raises(OutputError, match="not made by buletin"):
        check_output_folder(tmp_path / "notes", site)
    with pytest.raises(OutputError, match="site itself"):
        check_output_folder(site, site)
    (site / "content").mkdir()
    with pytest.raises(OutputError, match="inside the site's content"):
        check_output_folder(site / "content", site)
    with pytest.raises(OutputError, match="the site's cache folder"):  # not yet made: the build ran, then failed
        check_output_folder(site / ".buletin-cache", site)
    check_output_folder(site / ".buletin-cache" / "preview", site)  # where serve builds


def test_fingerprints_and_manifest():
    names, files = fingerprint({"style.css": b"body{}"})
    assert names["style.css"] == f"assets/style.{sha256(b'body{}')[:8]}.css"
    document = json.loads(manifest("1.0", "2020-01-01T00:00:00+00:00", None, {"site.yaml": "x"}, files))
    assert document["files"] == {names["style.css"]: sha256(b"body{}")}
    assert set(document) == {"version", "generator", "built_at", "commit", "inputs", "files"}


def test_digests_are_of_the_very_bytes_given():
    from buletin.outputs.manifest import Digests, sha256

    digests, page = Digests(), b"<p>satu</p>"
    digests.note("a.html", page, "kept-from-the-manifest")
    assert digests.of("a.html", page) == "kept-from-the-manifest"  # the bytes the last build wrote
    other = b"<p>dua</p>"
    assert digests.of("a.html", other) == sha256(other)  # other bytes at that path: hashed anew


def test_every_page_carries_the_security_policy_for_hosts_without_headers(make_site, run_cli, tmp_path):
    """GitHub Pages sends no _headers: the policy is in each page too (but frame-ancestors, which a <meta> cannot
    set), unless the site keeps raw HTML, whose inline scripts and styles are its own choice."""
    from buletin.outputs.headers import CONTENT_SECURITY_POLICY

    site, out = make_site(), tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    pages = sorted(out.rglob("*.html"))
    wanted = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'self'", "")
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert f'<meta http-equiv="Content-Security-Policy" content="{wanted}">' in head, page
    assert len(pages) > 10 and "frame-ancestors" not in wanted
    raw = make_site({"site.yaml": (site / "site.yaml").read_text() + "allow_raw_html: true\n"}, name="mentah")
    assert run_cli("build", "--site", raw, "--out", tmp_path / "o2").code == 0
    assert "http-equiv" not in (tmp_path / "o2" / "index.html").read_text(encoding="utf-8")


def test_an_empty_output_folder_is_filled_and_kept_with_its_mode_and_any_link_to_it(make_site, run_cli, tmp_path):
    """A web server's root prepared for the site (its group, setgid) was swapped for a new folder, losing them;
    a link to it was replaced by a folder, so the web root stayed empty."""
    import os
    import stat

    site = make_site()
    root = tmp_path / "webroot"
    root.mkdir()
    root.chmod(0o2775)
    before = root.stat()
    assert run_cli("build", "--site", site, "--out", root, "--quiet").code == 0
    after = root.stat()
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, stat.S_IMODE(before.st_mode))
    assert (root / "index.html").is_file()
    target, link = tmp_path / "www", tmp_path / "situs"
    target.mkdir()
    os.symlink(target, link)
    assert run_cli("build", "--site", site, "--out", link, "--quiet").code == 0
    assert link.is_symlink() and (target / "index.html").is_file()
