"""The caches are never stale: after any edit, a cached build equals a build without the cache."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buletin.build import state as cache_module
from buletin.inputs import paths
from buletin.pipeline import BuildOptions, run

from .conftest import ARTICLE_MD, IKM_CSV, SITE_YAML, tree_snapshot

EXTRA_PACKAGE = """
- name: catatan
  path: catatan.csv
  schema:
    fields:
    - {name: no, type: integer}
    - {name: teks, type: string}
"""


@pytest.fixture
def site(make_site):
    root = make_site({"data/catatan.csv": "no,teks\n1,satu\n"})
    with (root / "data/datapackage.yaml").open("a") as handle:
        handle.write(EXTRA_PACKAGE)
    return root


def _build(site: Path, out: Path, cached: bool = True):
    return run(BuildOptions(site, out, cache_dir=site / ".buletin-cache" if cached else None, jobs=1))


def _assert_same_as_uncached(site: Path, tmp_path: Path) -> None:
    _build(site, tmp_path / "cached")
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "cached") == tree_snapshot(tmp_path / "fresh")


def test_second_build_draws_nothing_and_matches(site, tmp_path):
    assert _build(site, tmp_path / "a").drawn == 1  # the chart (a sharing card only with a base_url)
    assert _build(site, tmp_path / "a").drawn == 0
    _assert_same_as_uncached(site, tmp_path)


@pytest.mark.parametrize("edit", [
    pytest.param(lambda s: (s / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7401,4321", "2020-11,7401,5321")),
                 id="data"),
    pytest.param(lambda s: (s / "data/wilayah.csv").write_text(
        (s / "data/wilayah.csv").read_text().replace("Kota Kendari", "Kota Kendari Baru")), id="foreign-key-labels"),
    pytest.param(lambda s: (s / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("sort: desc", "sort: asc")),
                 id="chart-spec"),
    pytest.param(lambda s: (s / "site.yaml").write_text(SITE_YAML.replace("language: id", "language: en")),
                 id="config"),
    pytest.param(lambda s: (s / "templates").mkdir() or (s / "templates/footer_extra.html").write_text("<p>x</p>"),
                 id="template"),
    pytest.param(lambda s: (s / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n"),
                 id="article-body"),
    pytest.param(lambda s: (s / "content/2020-11/sorotan.md").write_text(
        ARTICLE_MD.replace("title: Sorotan IKM November", "title: Judul Baru")), id="article-title"),
    pytest.param(lambda s: (s / "content/2020-11/kedua.md").write_text(
        ARTICLE_MD.replace("title: Sorotan IKM November", "title: Artikel Kedua")), id="article-added"),
])
def test_every_dependency_edge_invalidates(site, tmp_path, edit):
    _build(site, tmp_path / "warm")
    edit(site)
    _assert_same_as_uncached(site, tmp_path)


def test_data_edit_redraws_only_the_charts_that_use_it(site, tmp_path):
    _build(site, tmp_path / "out")
    (site / "data/catatan.csv").write_text("no,teks\n1,dua\n")
    assert _build(site, tmp_path / "out").drawn == 0
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7401,4321", "2020-11,7401,5321"))
    assert _build(site, tmp_path / "out").drawn == 1  # its one chart


def test_a_new_library_version_misses(site, tmp_path, monkeypatch):
    _build(site, tmp_path / "out")
    real = cache_module.versions()
    monkeypatch.setattr(cache_module, "versions", lambda: (*real, ("matplotlib-next", "99")))
    assert _build(site, tmp_path / "out").drawn == 1


def test_a_fully_cached_build_imports_neither_pandas_nor_matplotlib(site, tmp_path):
    out = tmp_path / "out"
    _build(site, out)
    probe = ("import sys; from buletin.cli import main; "
             f"code = main(['build', '--site', {str(site)!r}, '--out', {str(out)!r}, '--quiet']); "
             "print(code, 'pandas' in sys.modules, 'matplotlib' in sys.modules, 'openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "False", "False"]


def test_a_chart_redrawn_in_a_pool_leaves_matplotlib_out_of_the_build_process(site, tmp_path, monkeypatch):
    """Under forkserver even one chart is drawn by a worker that has matplotlib loaded already: the build's own
    process, which holds the site, does not load it as well (about 30 MB)."""
    monkeypatch.setenv("BULETIN_START_METHOD", "forkserver")
    out = tmp_path / "out"
    _build(site, out)
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7401,4321", "2020-11,7401,5321"))
    probe = ("import sys\nfrom pathlib import Path\nfrom buletin.pipeline import BuildOptions, run\n"
             "if __name__ == '__main__':\n"
             f"    result = run(BuildOptions(Path({str(site)!r}), Path({str(out)!r}), "
             f"cache_dir=Path({str(site / '.buletin-cache')!r}), jobs=2))\n"
             "    print(result.drawn, 'matplotlib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "False"], done.stdout + done.stderr


def test_prose_edits_read_no_data_however_long_ago_the_values_were_made(site, tmp_path):
    """Pruning keeps what a kept body was made from: many builds later, a prose edit still needs no table."""
    out = tmp_path / "out"
    _build(site, out)
    (site / "content/2020-11/kedua.md").write_text(ARTICLE_MD.replace("Sorotan IKM November", "Kedua"))
    for n in range(4):  # more builds than pruning keeps, none of which composes sorotan.md
        (site / "content/2020-11/kedua.md").write_text(ARTICLE_MD.replace("Sorotan IKM November", f"Kedua {n}"))
        _build(site, out)
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Paragraf penutup.", "Penutup lain."))
    probe = ("import sys; from buletin.cli import main; "
             f"code = main(['build', '--site', {str(site)!r}, '--out', {str(out)!r}, '--quiet']); "
             "print(code, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"], done.stderr


def test_deleting_the_cache_is_safe(site, tmp_path):
    import shutil

    _build(site, tmp_path / "one")
    shutil.rmtree(site / ".buletin-cache")
    _build(site, tmp_path / "two")
    assert tree_snapshot(tmp_path / "one") == tree_snapshot(tmp_path / "two")


def test_a_no_op_build_is_skipped_and_any_change_rebuilds(site, run_cli, tmp_path):
    out = tmp_path / "out"
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert "nothing changed" in run_cli("build", "--site", site, "--out", out).out
    probe = ("import sys; from buletin.cli import main; "
             f"code = main(['build', '--site', {str(site)!r}, '--out', {str(out)!r}]); "
             "print(code, 'sqlite3' in sys.modules)")  # the skip opens no store: it is start-up time
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "nothing changed" in done.stdout and done.stdout.split()[-2:] == ["0", "False"]
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Paragraf penutup.", "Penutup baru."))
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert "Penutup baru." in (out / "2020-11/sorotan/index.html").read_text()
    (out / "index.html").write_text("edited by hand")  # the output no longer matches: rebuild it
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert "edited by hand" not in (out / "index.html").read_text()
    assert "built" in run_cli("build", "--site", site, "--out", out, "--drafts").out  # other options


def test_a_build_with_warnings_is_skipped_and_says_them_again(site, run_cli, tmp_path):
    """A build that had a warning ran again every time, to say it again: a real site that keeps a plausibility
    warning never had a no-op build. The skip says the warnings of the build it repeats, in its language."""
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nJumlahnya { value('ikm', 'unit_usaha') }.\n")
    out = tmp_path / "out"

    def warnings(result) -> list[str]:  # the text on stderr, the annotation on stdout
        lines = (result.err + result.out).splitlines()
        return [line for line in lines if line.startswith("::warning") or ": warning: " in line]

    first = run_cli("build", "--site", site, "--out", out, "--lang", "en", "--format", "github")
    assert first.code == 0 and "built" in first.out and len(warnings(first)) == 2, first.err
    again = run_cli("build", "--site", site, "--out", out, "--lang", "en", "--format", "github")
    assert "nothing changed" in again.out and warnings(again) == warnings(first), again.out + again.err
    in_indonesian = run_cli("build", "--site", site, "--out", out, "--lang", "id")
    assert "dibangun" in in_indonesian.out and "ditampilkan apa adanya" in in_indonesian.err, in_indonesian.err


def test_a_link_leading_outside_or_to_nothing_is_seen_by_the_skip(site, run_cli, tmp_path):
    """Such links are left out of the input files (a build refuses or warns of them), so adding one was skipped as
    "nothing changed", and a dangling one's warning was said again after it was removed."""
    out = tmp_path / "out"
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    (tmp_path / "luar.md").write_text("---\ntitle: Luar\ndate: 2020-11-09\n---\nIsi.\n")
    (site / "content/2020-11/luar.md").symlink_to(tmp_path / "luar.md")
    refused = run_cli("build", "--site", site, "--out", out, "--lang", "en")
    assert refused.code == 1 and "content/2020-11/luar.md: error: this is a link to a file outside" in refused.err
    (site / "content/2020-11/luar.md").unlink()
    (site / "data/hilang.csv").symlink_to(tmp_path / "tidak-ada.csv")
    warned = run_cli("build", "--site", site, "--out", out, "--lang", "en")
    assert "built" in warned.out and "data/hilang.csv: warning:" in warned.err, warned.err
    (site / "data/hilang.csv").unlink()
    quiet = run_cli("build", "--site", site, "--out", out, "--lang", "en")
    assert "built" in quiet.out and "hilang" not in quiet.err, quiet.err


def _hidden_dataset(site: Path) -> None:
    (site / "data/catatan.csv").rename(site / "data/.catatan.csv")
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("path: catatan.csv", "path: .catatan.csv"))


def _linked_data_folder(site: Path) -> None:
    (site / "bersama").mkdir()
    (site / "data/catatan.csv").rename(site / "bersama/catatan.csv")
    (site / "data/sub").symlink_to("../bersama")
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("path: catatan.csv", "path: sub/catatan.csv"))


def _hidden_picture(site: Path) -> None:
    (site / "content/2020-11/.peta.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect fill="red"/></svg>')
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\n![Peta](.peta.svg)\n")


@pytest.mark.parametrize("setup, edit", [
    pytest.param(_hidden_dataset, lambda s: (s / "data/.catatan.csv").write_text("no,teks\n1,dua\n"),
                 id="hidden-dataset"),
    pytest.param(_linked_data_folder, lambda s: (s / "bersama/catatan.csv").write_text("no,teks\n1,dua\n"),
                 id="linked-folder"),
    pytest.param(_hidden_picture, lambda s: (s / "content/2020-11/.peta.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="blue"/></svg>'), id="hidden-picture"),
    pytest.param(lambda s: None, lambda s: (s.parent / "out/tambahan.txt").write_text("by hand"),
                 id="file-added-to-the-output"),
    pytest.param(lambda s: None, lambda s: (s.parent / "out/2020-11/tambahan.txt").write_text("by hand"),
                 id="file-added-to-an-output-folder"),
])
def test_the_skip_sees_every_file_the_build_reads(site, run_cli, tmp_path, setup, edit):
    setup(site)
    out = tmp_path / "out"
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert "nothing changed" in run_cli("build", "--site", site, "--out", out).out
    edit(site)
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert run_cli("build", "--site", site, "--out", tmp_path / "fresh", "--no-cache").code == 0
    assert tree_snapshot(out) == tree_snapshot(tmp_path / "fresh")


@pytest.mark.parametrize("edited", ["content/2020-11/sorotan.md", "data/catatan.csv", "out/index.html"])
def test_an_edit_that_puts_the_old_mtime_back_is_seen(site, run_cli, tmp_path, monkeypatch, edited):
    """`cp -p`, `rsync -t` or an unpacked archive write a file of the same size under its old mtime: its ctime
    (and inode) moved, so the skip and the last output's pages do not trust the hash noted for it, as git does
    not. With RACY 0 the first build notes every hash at once, as it would two seconds after the writing."""
    monkeypatch.setattr(paths, "RACY", 0)
    out = tmp_path / "out"
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert "nothing changed" in run_cli("build", "--site", site, "--out", out).out
    path = tmp_path / edited if edited.startswith("out/") else site / edited
    before, text = path.stat(), path.read_text()
    changed = text.replace("Paragraf", "Paragrap") if "sorotan" in edited else \
        text.replace("satu", "sati") if "catatan" in edited else text.replace("<html", "<HTML", 1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "built" in run_cli("build", "--site", site, "--out", out).out
    assert run_cli("build", "--site", site, "--out", tmp_path / "fresh", "--no-cache").code == 0
    assert tree_snapshot(out) == tree_snapshot(tmp_path / "fresh")


def test_a_file_changed_again_within_the_same_mtime_is_hashed_again(tmp_path):
    """File systems keep mtimes in ticks (milliseconds, or seconds): a file written twice within one tick, at the
    same size, looks unchanged by its size and mtime; a hash noted that close to its mtime is not trusted."""
    (tmp_path / "content").mkdir()
    article = tmp_path / "content/a.md"
    article.write_text("satu")
    before = paths.input_hashes(tmp_path)["content/a.md"]
    written = article.stat()
    article.write_text("dua!")  # the same size, and then the same mtime
    os.utime(article, ns=(written.st_atime_ns, written.st_mtime_ns))
    assert paths.input_hashes(tmp_path)["content/a.md"] != before


@pytest.mark.parametrize("between", ["no-cache", "another-cache", "put-back"])
def test_a_page_another_build_wrote_is_not_taken_for_the_one_this_cache_knows(site, run_cli, tmp_path, between):
    """The page cache knows the keys its own last build rendered; the output may have been written since by a
    build with another cache or none, or put back from a copy: its pages are not taken for what that key made."""
    import shutil

    out, article = tmp_path / "out", site / "content/2020-11/sorotan.md"
    cached = ("build", "--site", site, "--out", out, "--cache", tmp_path / "cache")
    assert run_cli(*cached).code == 0
    if between == "put-back":
        shutil.copytree(out, tmp_path / "copy", copy_function=shutil.copy2)  # with the files' times
    article.write_text(ARTICLE_MD.replace("Paragraf penutup.", "Paragraf yang lain."))
    other = {"no-cache": ("--no-cache",), "another-cache": ("--cache", tmp_path / "other"), "put-back": ()}[between]
    assert run_cli("build", "--site", site, "--out", out, *(other or cached[5:])).code == 0
    if between == "put-back":
        shutil.rmtree(out)
        shutil.copytree(tmp_path / "copy", out, copy_function=shutil.copy2)
    else:
        article.write_text(ARTICLE_MD)  # back to the text this cache's last build rendered
    assert run_cli(*cached).code == 0
    assert run_cli("build", "--site", site, "--out", tmp_path / "fresh", "--no-cache").code == 0
    assert tree_snapshot(out) == tree_snapshot(tmp_path / "fresh")


def test_a_file_hashed_too_soon_is_remembered_once_it_has_settled(tmp_path, monkeypatch):
    """A build that follows an edit hashes the edited files within moments of their writing: not remembered
    then, but at the build's end once they are old enough, so that the next skipped build need not read them."""
    import hashlib

    (tmp_path / "content").mkdir()
    article = tmp_path / "content/a.md"
    article.write_text("satu")
    path = str(article.absolute())
    paths.input_hashes(tmp_path)
    paths.settle()  # still too new
    assert path not in paths._HASHED
    later = time.time_ns() + 5_000_000_000
    monkeypatch.setattr(time, "time_ns", lambda: later)  # five seconds after the writing
    paths.settle()
    assert paths._HASHED[path] == (paths.stamp(article.stat()), hashlib.sha256(b"satu").hexdigest())


def _rendered_pages(site: Path, out: Path, monkeypatch) -> list[str]:
    """The pages a cached build renders through the templates (the others come from the cache)."""
    from buletin.outputs import render

    rendered: list[str] = []
    real = render.Renderer.render
    monkeypatch.setattr(render.Renderer, "render", lambda self, job: rendered.append(job.path) or real(self, job))
    _build(site, out)
    monkeypatch.setattr(render.Renderer, "render", real)
    return sorted(rendered)


def test_a_body_edit_renders_only_its_own_page(site, tmp_path, monkeypatch):
    _build(site, tmp_path / "out")
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == []
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == ["2020-11/sorotan/index.html"]
    assert "Kalimat baru." in (tmp_path / "out/2020-11/sorotan/index.html").read_text()
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Sorotan IKM November", "Judul Baru"))
    assert len(_rendered_pages(site, tmp_path / "out", monkeypatch)) > 5  # a title shows on many pages


def test_a_body_edit_renders_its_page_and_its_editions_pdf_link_whatever_the_build_time(site, tmp_path, monkeypatch):
    """Outside a git checkout the build time is the clock's, to the second, and it was in every page's key; the
    edition PDF's size, shown on the edition page alone, was in every page's key too."""
    import datetime as dt

    from buletin.inputs import clock

    (site / "site.yaml").write_text(SITE_YAML + "pdf: true\n")
    seconds = iter(range(0, 3600, 7))
    monkeypatch.setattr(clock, "build_time", lambda root: dt.datetime(2020, 12, 1, 8, 0, next(seconds) % 60,
                                                                      tzinfo=dt.timezone.utc))
    _build(site, tmp_path / "out")
    pdf = next((tmp_path / "out/2020-11").glob("*.pdf")).stat().st_size
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru yang membuat PDF-nya lebih besar.\n")
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == ["2020-11/index.html", "2020-11/sorotan/index.html"]
    assert next((tmp_path / "out/2020-11").glob("*.pdf")).stat().st_size != pdf  # the edition page shows the size
    later = dt.datetime(2020, 12, 1, 9, 30, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(clock, "build_time", lambda root: later)  # the pages kept are those of a fresh build
    _build(site, tmp_path / "out")
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")


def test_a_site_template_that_shows_another_pages_body_turns_the_page_cache_off(site, tmp_path, monkeypatch):
    (site / "templates").mkdir()
    (site / "templates/home.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ model.articles[0].body.html | safe }}{% endblock %}')
    _build(site, tmp_path / "out")
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert "index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    assert "Kalimat baru." in (tmp_path / "out/index.html").read_text()


def test_a_site_template_in_a_folder_named_assets_below_templates_is_keyed_and_scanned(site, tmp_path, monkeypatch):
    """Only templates/assets/ holds assets; a template under templates/partials/assets/ was left out of every
    page's key (its edit changed no page) and out of the scan for another page's body (its pages went stale)."""
    (site / "templates/partials/assets").mkdir(parents=True)
    note = site / "templates/partials/assets/note.html"
    note.write_text("<p>catatan v1</p>")
    (site / "templates/partials/assets/newest.html").write_text(
        "{% for a in model.articles[:1] %}<p>{{ a.body.html | striptags | truncate(200) }}</p>{% endfor %}")
    (site / "templates/footer_extra.html").write_text(
        '{% include "partials/assets/note.html" %}{% include "partials/assets/newest.html" %}')
    _build(site, tmp_path / "out")
    note.write_text("<p>catatan v2</p>")
    assert "index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    assert "catatan v2" in (tmp_path / "out/index.html").read_text()
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Jumlah unit", "JUMLAH UNIT USAHA"))
    _build(site, tmp_path / "out")
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")
    assert "JUMLAH UNIT USAHA" in (tmp_path / "out/tentang/index.html").read_text()


@pytest.mark.parametrize("files", [
    {"templates/assets/newest.html": "<p>{{ model.articles[0].body.html | striptags | truncate(200) }}</p>",
     "templates/footer_extra.html": '{% include "assets/newest.html" %}'},
    {"templates/footer_extra.html": '{% set k = "bo" ~ "dy" %}<p>{{ model.articles[0][k].html | striptags }}</p>'},
    {"templates/footer_extra.html": '<p>{{ "}}" if false else model.articles[0].body.html | striptags }}</p>'},
    {"templates/footer_extra.html": '<p>{{ model.articles[:1] | map(attribute=["bo", "dy"] | join) | first }}</p>'},
], ids=["under-assets", "key-computed", "braces-in-a-string", "attribute-computed"])
def test_a_site_template_that_reaches_another_pages_body_however_written_turns_the_page_cache_off(
        site, tmp_path, monkeypatch, files):
    """The scan was a text match: a template under templates/assets/ (which the loader still loads) was not read,
    a computed key or attribute spelt no `body`, and a `}}` in a string ended what was read of the code; every
    other page kept the old text of the article."""
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    _build(site, tmp_path / "out")
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Jumlah unit", "JUMLAH UNIT USAHA"))
    assert "tentang/index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    assert "JUMLAH UNIT USAHA" in (tmp_path / "out/tentang/index.html").read_text()
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")


def test_a_picture_among_the_site_assets_whose_bytes_hold_braces_leaves_the_page_cache_on(site, tmp_path,
                                                                                            monkeypatch):
    """A picture or a font under templates/assets/ is read with the templates (an include may name any file
    there), but Jinja cannot load one that is not UTF-8: bytes that happen to hold `{{` made every page render
    again on every build."""
    (site / "templates/assets").mkdir(parents=True)
    (site / "templates/assets/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n{{ \xff\xfe }}{% \x00")
    _build(site, tmp_path / "out")
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == ["2020-11/sorotan/index.html"]


def test_a_site_template_that_shows_the_editions_ahead_follows_their_dates(site, tmp_path, monkeypatch):
    (site / "templates").mkdir()
    (site / "templates/footer_extra.html").write_text(
        "{% for e in model.upcoming %}<p>Berikutnya: {{ e.period }} pada {{ e.published }}</p>{% endfor %}")
    (site / "content/2021-01").mkdir()
    scheduled = "---\npublished: 2021-02-05\nsummary: Januari.\n---\nTeks Januari.\n"
    (site / "content/2021-01/index.md").write_text(scheduled)
    _build(site, tmp_path / "out")
    assert "pada 2021-02-05" in (tmp_path / "out/index.html").read_text()
    (site / "content/2021-01/index.md").write_text(scheduled.replace("2021-02-05", "2021-02-08"))
    assert "index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")
    assert "pada 2021-02-08" in (tmp_path / "out/index.html").read_text()


def test_a_site_template_that_reads_the_datas_notes_turns_the_page_cache_off(site, tmp_path, monkeypatch):
    """`model.catalog` beyond its package and declarations (its notes, hashes, tables) is in no page's key."""
    (site / "templates").mkdir()
    (site / "templates/footer_extra.html").write_text("<p>Catatan data: {{ model.catalog.notes | length }}</p>")
    _build(site, tmp_path / "out")
    (site / "data/catatan.yaml").write_text(
        "- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7401}\n  column: nilai\n  note: Pabrik baru.\n")
    assert "2020-11/sorotan/index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")
    assert "Catatan data: 1" in (tmp_path / "out/2020-11/sorotan/index.html").read_text()


def test_a_site_template_that_lists_an_editions_drafts_follows_their_titles(site, tmp_path, monkeypatch):
    (site / "templates").mkdir()
    (site / "templates/footer_extra.html").write_text(
        "{% if latest %}{% for a in latest.edition.articles if a.draft %}<p>Segera: {{ a.title }}</p>{% endfor %}"
        "{% endif %}")
    draft = "---\ntitle: Draf pertama\ndate: 2020-11-20\ndraft: true\n---\n\nTeks.\n"
    (site / "content/2020-11/draf.md").write_text(draft)
    _build(site, tmp_path / "out")
    (site / "content/2020-11/draf.md").write_text(draft.replace("Draf pertama", "Draf kedua"))
    assert "index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(tmp_path / "fresh")
    assert "Segera: Draf kedua" in (tmp_path / "out/index.html").read_text()


def test_the_page_keys_name_every_field_of_the_model():
    """A field added to the site model, which any template may print, must be added to the keys too (or a site
    template that names it turns the page cache off)."""
    import dataclasses
    import inspect

    from buletin.model import SiteModel
    from buletin.outputs import pagecache
    from buletin.outputs.templatereach import OFF_KEY

    source = inspect.getsource(pagecache)
    by_views = {"editions", "pages"}  # views(model) lists every edition, article and page
    assert "views(model)" in source
    fields = [f.name for f in dataclasses.fields(SiteModel) if f.name not in by_views]
    unkeyed = [name for name in fields if f"model.{name}" not in source and name not in OFF_KEY]
    assert unkeyed == []


SECOND_MD = """\
---
title: Nilai Oktober
date: 2020-11-20
---

```chart
title: Nilai per wilayah, Oktober
type: bar
data: ikm
filter: {periode: "2020-10"}
x: kode_wilayah
y: nilai
```
"""


def test_a_data_edit_renders_only_the_pages_that_show_a_changed_figure(site, tmp_path, monkeypatch):
    (site / "content/2020-11/kedua.md").write_text(SECOND_MD)
    _build(site, tmp_path / "out")
    # a longer number: the download's size changes, which only the data page shows
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7402,3700,480,", "2020-10,7402,3700,4812.5,"))
    rendered = _rendered_pages(site, tmp_path / "out", monkeypatch)
    assert rendered == ["2020-11/kedua/index.html", "data/index.html"]  # its chart changed; the others' did not
    fresh = tmp_path / "fresh"
    run(BuildOptions(site, fresh))
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(fresh)
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7401,4321,", "2020-11,7401,4322,"))
    assert "index.html" in _rendered_pages(site, tmp_path / "out", monkeypatch)  # the home page's lead chart


def test_a_changed_headline_figure_renders_its_edition_its_articles_and_the_home_page_only(site, tmp_path,
                                                                                            monkeypatch):
    """An edition's headline figures and main points show on its own page and the home page; its sharing image
    on its articles' pages too. A change to them rendered every page of the site again."""
    (site / "content/2020-10").mkdir()
    (site / "content/2020-10/index.md").write_text("---\nsummary: Edisi Oktober.\n---\n\nRingkasan.\n")
    (site / "content/2020-11/index.md").write_text(
        "---\nsummary: Edisi uji.\nhighlights:\n  - 'Nilai {{ value(\"ikm\", \"nilai\", periode=edition.period) }}.'\n"
        "figures:\n  - {data: ikm, y: nilai, label: nilai, unit: juta rupiah}\n---\n\nRingkasan.\n")
    _build(site, tmp_path / "out")
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-11,7402,3690,500.25,", "2020-11,7402,3690,600.25,"))
    rendered = _rendered_pages(site, tmp_path / "out", monkeypatch)
    assert {"index.html", "2020-11/index.html"} <= set(rendered), rendered
    assert not [path for path in rendered if path.startswith(("2020-10/", "arsip/", "topik/", "cari/"))], rendered
    assert all(path.startswith("2020-11/") for path in set(rendered) - {"index.html", "data/index.html"}), rendered
    page = (tmp_path / "out/2020-11/index.html").read_text()
    assert '<p class="card-value">1.335</p>' in page and "<li>Nilai 1.335.</li>" in page  # 400,25 + 600,25 + 334
    fresh = tmp_path / "fresh"
    run(BuildOptions(site, fresh))
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(fresh)



def test_a_changed_headline_figure_leaves_the_editions_articles_alone(site, tmp_path, monkeypatch):
    """An article's page shows its edition's sharing image, not its headline figures or main points: a change
    to them rendered every article of the edition again. Here an October value changes only the card's change."""
    (site / "content/2020-11/index.md").write_text(
        "---\nsummary: Edisi uji.\nfigures:\n  - {data: ikm, y: nilai, label: nilai, unit: juta rupiah}\n---\n\n"
        "Ringkasan.\n")
    _build(site, tmp_path / "out")
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7402,3700,480,", "2020-10,7402,3700,481,"))
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == ["2020-11/index.html", "index.html"]
    fresh = tmp_path / "fresh"
    run(BuildOptions(site, fresh))
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(fresh)


def test_a_row_pages_new_figure_leaves_the_list_of_rows_alone(site, tmp_path, monkeypatch):
    """The list of the pages made from rows shows their titles and addresses: it was keyed by every row page's
    body too, so each data edit rendered it again."""
    (site / "content/pages/wilayah.md").write_text(
        "---\ntitle: Profil {{ row.nama }}\neach: {data: wilayah, key: kode, title: Profil wilayah}\n---\n\n"
        "Unit usaha: {{ value('ikm', 'unit_usaha', periode='2020-10', kode_wilayah=row.kode) }}.\n")
    _build(site, tmp_path / "out")
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("2020-10,7402,3700,", "2020-10,7402,3701,"))
    assert _rendered_pages(site, tmp_path / "out", monkeypatch) == ["wilayah/7402/index.html"]
    fresh = tmp_path / "fresh"
    run(BuildOptions(site, fresh))
    assert tree_snapshot(tmp_path / "out") == tree_snapshot(fresh)

@pytest.mark.parametrize(("template", "cached"), [
    ("{% extends 'base.html' %}{% block main %}{{ latest.figures | length }}{% endblock %}", False),
    ("{% extends 'base.html' %}{% block main %}{{ model.editions[-1].highlights | length }}{% endblock %}", False),
    ("{% extends 'base.html' %}{% from '_macros.html' import headline_cards with context %}{% block main %}"
     "{% for view in model.editions %}{{ headline_cards(view) }}{% endfor %}{% endblock %}", False),
    ("{% extends 'base.html' %}{% block main %}<p>All figures are provisional.</p>{% endblock %}", True),
])
def test_a_site_template_that_shows_other_pages_figures_turns_the_page_cache_off(site, tmp_path, monkeypatch,
                                                                                 template, cached):
    (site / "templates").mkdir()
    (site / "templates/home.html").write_text(template)
    _build(site, tmp_path / "out")
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert ("index.html" not in _rendered_pages(site, tmp_path / "out", monkeypatch)) == cached


def test_each_page_is_hashed_once_a_build_and_a_reused_page_not_at_all(site, tmp_path, monkeypatch, run_cli):
    """The writer, the search index's keys and the manifest share each file's digest (manifest.Digests)."""
    from collections import Counter

    from buletin.outputs import manifest

    hashed: Counter[bytes] = Counter()
    real = manifest.sha256
    monkeypatch.setattr(manifest, "sha256", lambda data: hashed.update([data]) or real(data))
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    pages = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    assert len(pages) > 5 and all(hashed[data] == 1 for data in pages.values()), hashed
    hashed.clear()
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert run_cli("build", "--site", site, "--out", out).code == 0  # it knows the files it wrote (skip.remember)
    edited = "2020-11/sorotan/index.html"
    assert hashed[(out / edited).read_bytes()] == 1
    assert [p for p, data in pages.items() if p != edited and hashed[data]] == []


def test_a_prose_edit_reuses_figures_and_values_without_reading_the_data(site, tmp_path):
    out = tmp_path / "out"
    _build(site, out)
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Nilainya", "Nilai produksinya"))
    probe = ("import sys; from buletin.cli import main; "
             f"code = main(['build', '--site', {str(site)!r}, '--out', {str(out)!r}, '--quiet']); "
             "print(code, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]
    assert "Nilai produksinya 1.234,5 juta rupiah" in (out / "2020-11/sorotan/index.html").read_text()
    _assert_same_as_uncached(site, tmp_path)


def test_library_versions_match_importlib_metadata():
    from importlib.metadata import PackageNotFoundError, version

    found = dict(cache_module.versions())
    for name in cache_module._LIBRARIES:
        try:
            expected = version(name)
        except PackageNotFoundError:
            expected = "-"
        assert found[name] == expected, name


def test_the_worker_pool_starts_at_once_when_data_or_many_articles_changed(site, tmp_path, monkeypatch, run_cli):
    """Its libraries load while the inputs are read, not after (a whole second of one idle core on two): on the
    first build, and when data, settings, templates or many articles changed; not for an edited article."""
    from buletin.build.workers import Workers

    warmed: list[bool] = []
    monkeypatch.setattr(Workers, "warm", lambda self: warmed.append(True))
    monkeypatch.setattr("buletin.pipeline.MIN_FOR_POOL", 2)  # "many articles": two, in this tiny site
    out = tmp_path / "out"

    monkeypatch.setattr(paths, "RACY", 0)  # each hash noted at once, as for files saved seconds before a build

    def build() -> bool:
        warmed.clear()
        assert run_cli("build", "--site", site, "--out", out).code == 0
        return bool(warmed)

    assert build()  # the first
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert not build()
    (site / "data/.~lock.ikm.csv#").write_text("staf,laptop;\n")  # the spreadsheet is open in an editor
    assert not build()
    (site / "data/ikm.csv").write_text(IKM_CSV.replace("4300", "4301"))
    assert build()
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + "\nKalimat lain.\n")
    (site / "content/pages/tentang.md").write_text((site / "content/pages/tentang.md").read_text() + "\nLagi.\n")
    assert build()


def test_a_removed_input_counts_as_changed_once(site, tmp_path, monkeypatch, run_cli):
    """The no-op record keeps the hashes of the files there are: a file removed is a change for the build after,
    not for every build after that (each would start the worker pool for nothing)."""
    seen: list[tuple[str, ...] | None] = []
    monkeypatch.setattr("buletin.pipeline._much_changed", lambda changed: seen.append(changed) or False)
    out, extra, article = tmp_path / "out", site / "content/pages/lain.md", site / "content/2020-11/sorotan.md"

    monkeypatch.setattr(paths, "RACY", 0)  # each hash noted at once, as for files saved seconds before a build

    def build() -> tuple[str, ...] | None:
        seen.clear()
        assert run_cli("build", "--site", site, "--out", out).code == 0
        return seen[0] if seen else None  # (not asked on a first build)

    extra.write_text("---\ntitle: Lain\n---\nTeks.\n")
    build()
    extra.unlink()
    assert build() == ("content/pages/lain.md",)
    article.write_text(ARTICLE_MD + "\nKalimat baru.\n")
    assert build() == ("content/2020-11/sorotan.md",)


def test_a_documents_slips_are_said_again_by_builds_that_remember_them(site, run_cli, tmp_path):
    """A document's slips are remembered with its parsed text: a build after another file's edit still warns of an
    unchanged body's slip, at its line, and one after the slip is mended no longer does."""
    article = site / "content/2020-11/sorotan.md"
    article.write_text(ARTICLE_MD + "\nJumlahnya { value('ikm', 'unit_usaha') }.\n")
    line = (ARTICLE_MD + "\n").count("\n") + 1
    out, index = tmp_path / "out", site / "content/2020-11/index.md"

    def slips(result) -> list[str]:
        return [text for text in result.err.splitlines() if "is shown as written" in text]

    first = run_cli("build", "--site", site, "--out", out)
    assert first.code == 0 and [text.split(": warning")[0] for text in slips(first)] == \
        [f"content/2020-11/sorotan.md:{line}"], first.err
    index.write_text(index.read_text() + "\nSatu kalimat lagi.\n")
    again = run_cli("build", "--site", site, "--out", out)
    assert "built" in again.out and slips(again) == slips(first), again.err
    article.write_text(ARTICLE_MD)
    mended = run_cli("build", "--site", site, "--out", out)
    assert mended.code == 0 and "built" in mended.out and slips(mended) == [], mended.err


def test_what_is_remembered_with_the_parsed_texts_is_said_in_the_language_of_each_build(site, run_cli, tmp_path):
    """A front matter's checks and a body's slips are remembered with the parsed texts; a second check in another
    language, in the same process, said them in the first one's language."""
    article = site / "content/2020-11/sorotan.md"
    article.write_text(ARTICLE_MD.replace("tags: [uji]", "tags: [uji]\njudull: x") + "\nIni { value('ikm', 'x') }.\n")
    english = run_cli("check", "--site", site, "--lang", "en")
    indonesian = run_cli("check", "--site", site, "--lang", "id")
    warned = [[line.split(": ", 2)[2] for line in result.err.splitlines() if "sorotan.md" in line]
              for result in (english, indonesian)]
    assert len(warned[0]) == len(warned[1]) == 2 and not set(warned[0]) & set(warned[1]), warned
    assert "tidak dikenal" in indonesian.err and "ditampilkan apa adanya" in indonesian.err, indonesian.err
