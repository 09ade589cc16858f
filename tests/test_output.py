import json
import os

import pytest

from buletin.output import OutputError, check_output_folder, fingerprint, manifest, sha256, write_site


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


def test_refuses_folders_it_did_not_make(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="not made by buletin"):
        check_output_folder(tmp_path / "notes", site)
    with pytest.raises(OutputError, match="site itself"):
        check_output_folder(site, site)
    (site / "content").mkdir()
    with pytest.raises(OutputError, match="inside the site's content"):
        check_output_folder(site / "content", site)


def test_fingerprints_and_manifest():
    names, files = fingerprint({"style.css": b"body{}"})
    assert names["style.css"] == f"assets/style.{sha256(b'body{}')[:8]}.css"
    document = json.loads(manifest("1.0", "2020-01-01T00:00:00+00:00", None, {"site.yaml": "x"}, files))
    assert document["files"] == {names["style.css"]: sha256(b"body{}")}
    assert set(document) == {"version", "generator", "built_at", "commit", "inputs", "files"}
