"""The build state (issue 11): incremental builds equal fresh ones after any sequence of edits, parallel runs
equal serial ones under every start method, the store stays bounded, and a value that cannot be keyed is an
error, never a silent reuse. Also the golden list of the sample site's files."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from buletin.build.state import Unkeyable, make_key
from buletin.build.store import Store
from buletin.build.workers import START_METHOD_VARIABLE
from buletin.cli import main as cli_main
from buletin.compose import composer, drawing
from buletin.outputs import render
from buletin.pipeline import BuildOptions, run

from .conftest import BASE_FILES, _write, tree_snapshot

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- golden output of the sample site


def test_the_sample_site_is_the_golden_list(sample_build):
    """Every output file of the sample site has the bytes tests/golden/sample-site.txt lists (update the list
    with `python tools/golden.py` and review its diff)."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import golden
    finally:
        sys.path.remove(str(ROOT / "tools"))
    expected = golden.GOLDEN.read_text(encoding="utf-8").splitlines()
    made_with = expected[0].removeprefix("# libraries: ")
    if made_with != golden.libraries():
        pytest.skip(f"the golden list was made with {made_with}; installed: {golden.libraries()}; "
                    "run `python tools/golden.py` to update it")
    result, out = sample_build
    assert result.code == 0, result.err
    found = golden.listing(out)
    missing = sorted(set(expected[1:]) - set(found))
    extra = sorted(set(found) - set(expected[1:]))
    assert not missing and not extra, ("the sample site's output differs from tests/golden/sample-site.txt "
                                       "(run `python tools/golden.py` if that is intended):\n- "
                                       + "\n- ".join(missing[:20]) + "\n+ " + "\n+ ".join(extra[:20]))


# ---------------------------------------------------------------- incremental == fresh, for any edits

ARTICLE = "content/2020-11/sorotan.md"
SECOND = "content/2020-11/kedua.md"
EDITION = "content/2020-11/index.md"
IKM = "data/ikm.csv"


def _edit(kind: str, n: int):
    """An edit of one kind; `n` varies it, so two edits of a kind differ. Edits apply in any order."""
    def apply(root: Path) -> None:
        def change(rel: str, pattern: str, new: str) -> None:
            path = root / rel
            if path.is_file():
                path.write_text(re.sub(pattern, new, path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        if kind == "prose":
            change(ARTICLE, r"Paragraf penutup[^.]*\.", f"Paragraf penutup {n}.")
        elif kind == "title":
            change(ARTICLE, r"title: Sorotan IKM November.*", f"title: Sorotan IKM November {n}")
        elif kind == "tags":
            change(ARTICLE, r"tags: \[.*\]", f"tags: [uji, topik-{n % 3}]")
        elif kind == "cell":
            change(IKM, r"2020-11,7401,\d+", f"2020-11,7401,{4321 + n}")
        elif kind == "label":
            change("data/wilayah.csv", r"7402,Muna.*", f"7402,Muna {n}")
        elif kind == "chart":
            change(ARTICLE, r"sort: \w+", "sort: asc" if n % 2 else "sort: desc")
        elif kind == "config":
            change("site.yaml", r"notice: .*", f"notice: Data ilustratif {n}")
        elif kind == "summary":
            change(EDITION, r"summary: .*", f"summary: Edisi uji {n}.")
        elif kind == "template":  # a hook that also shows the editions ahead (model.upcoming)
            (root / "templates").mkdir(exist_ok=True)
            (root / "templates/footer_extra.html").write_text(
                f"<p>Kontak {n}</p>{{% for e in model.upcoming %}}<p>{{{{ e.period }}}}: {{{{ e.published }}}}</p>"
                "{% endfor %}\n", encoding="utf-8")
        elif kind == "scheduled":  # an edition ahead of today, its release date moved
            (root / "content/2021-02").mkdir(exist_ok=True)
            (root / "content/2021-02/index.md").write_text(
                f"---\npublished: 2021-02-{n % 9 + 1:02d}\nsummary: Februari.\n---\n\nTeks.\n", encoding="utf-8")
        elif kind == "picture":  # a picture shown by the article, its name hidden (a dot) or not
            name = ".peta.svg" if n % 2 else "peta.svg"
            (root / f"content/2020-11/{name}").write_text(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect fill="#{n}{n}{n}"/></svg>',
                encoding="utf-8")
            text = re.sub(r"\n\n!\[Peta\]\(\S+\)", "", (root / ARTICLE).read_text(encoding="utf-8"))
            (root / ARTICLE).write_text(text.rstrip("\n") + f"\n\n![Peta]({name})\n", encoding="utf-8")
        elif kind == "add":
            (root / SECOND).write_text(f"---\ntitle: Kedua {n}\ndate: 2020-11-10\ntags: [uji]\n---\n\n"
                                       "Nilai {{ value('ikm', 'nilai', periode=edition.period, digits=1) }}.\n",
                                       encoding="utf-8")
        elif kind == "second-chart":  # a chart that is not the lead (the home page does not show it)
            (root / SECOND).write_text(f"---\ntitle: Kedua {n}\ndate: 2020-11-20\n---\n\n```chart\ntitle: Nilai "
                                       "Oktober\ntype: bar\ndata: ikm\nfilter: {periode: '2020-10'}\nx: kode_wilayah\n"
                                       "y: nilai\n```\n", encoding="utf-8")
        elif kind == "note":  # a data/catatan.yaml note under a chart (and its PDF's)
            note = root / "data/catatan.yaml"
            if n % 3:
                note.write_text("- data: ikm\n  row: {periode: 2020-11, kode_wilayah: 7402}\n  column: unit_usaha\n"
                                f"  note: Catatan {n}.\n", encoding="utf-8")
            else:
                note.unlink(missing_ok=True)
        elif kind == "pdf":
            config = root / "site.yaml"
            text = config.read_text(encoding="utf-8")
            config.write_text(text.replace("pdf: true\n", "") if "pdf: true" in text else text + "pdf: true\n",
                              encoding="utf-8")
        elif kind == "october":
            change(IKM, r"2020-10,7402,3700,\d+", f"2020-10,7402,3700,{480 + n}")
        elif kind == "remove":
            (root / SECOND).unlink(missing_ok=True)
        elif kind == "draft":
            change(ARTICLE, r"date: 2020-11-09(\ndraft: \w+)?", f"date: 2020-11-09\ndraft: {str(n % 2 == 1).lower()}")
    return apply


EDITS = ["prose", "title", "tags", "cell", "label", "chart", "config", "summary", "template", "add", "remove",
         "draft", "second-chart", "october", "note", "pdf", "scheduled", "picture"]


def _build(site: Path, out: Path, cached: bool) -> None:
    """A fresh build, or one as a user runs it: through the command, whose no-op check may skip it."""
    if not cached:
        run(BuildOptions(site, out, cache_dir=None, jobs=1))
        return
    code = cli_main(["build", "--site", str(site), "--out", str(out), "--cache", str(site.parent / "state"),
                     "--jobs", "1", "--quiet"])
    assert code == 0


@settings(max_examples=6, deadline=None)
@example([("template", 1), ("scheduled", 2), ("scheduled", 5)])  # shapes a bug hunt found, always tried
@example([("picture", 1), ("picture", 3), ("prose", 1)])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9)), min_size=1, max_size=4))
def test_an_incremental_build_equals_a_fresh_one_after_any_edits(tmp_path_factory, edits):
    folder = tmp_path_factory.mktemp("edits")
    site = folder / "site"
    _write(site, dict(BASE_FILES))
    os.environ["SOURCE_DATE_EPOCH"] = "1609459200"
    _build(site, folder / "kept", cached=True)
    for step, (kind, n) in enumerate(edits):
        _edit(kind, n)(site)
        _build(site, folder / "kept", cached=True)
        fresh = folder / f"fresh-{step}"
        _build(site, fresh, cached=False)
        assert tree_snapshot(folder / "kept") == tree_snapshot(fresh), f"after {edits[: step + 1]}"


# ---------------------------------------------------------------- parallel == serial, fork-free


def _wide_site(root: Path) -> Path:
    """A site of many articles, each with a chart of its own, in two years of editions."""
    files = dict(BASE_FILES)
    files["content/2019-12/index.md"] = "---\nsummary: Desember.\n---\n\nEdisi lama.\n"
    for i in range(12):
        files[f"content/2020-11/artikel-{i:02d}.md"] = (
            f"---\ntitle: Artikel {i}\ndate: 2020-11-{1 + i:02d}\ntags: [t{i % 3}]\n---\n\n"
            f"Unit usaha {{{{ value('ikm', 'unit_usaha', periode=edition.period) }}}}.\n\n"
            f"```chart\ntitle: Grafik {i}\ntype: {'barh' if i % 2 else 'bar'}\ndata: ikm\nx: kode_wilayah\n"
            f"y: {'nilai' if i % 3 else 'unit_usaha'}\nfilter: {{periode: '2020-11'}}\nsort: desc\n```\n")
    _write(root, files)
    return root


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_parallel_builds_equal_serial_ones(tmp_path, monkeypatch, method):
    """Compose, drawing, rendering and search in the worker pool give the bytes of a build without one."""
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    site = _wide_site(tmp_path / "site")
    run(BuildOptions(site, tmp_path / "serial", jobs=1))
    for module, name in ((composer, "MIN_FOR_POOL"), (drawing, "MIN_FOR_POOL"), (render, "MIN_FOR_POOL")):
        monkeypatch.setattr(module, name, 2)  # every stage in the pool, even for this small site
    monkeypatch.setattr("buletin.pipeline.MIN_FOR_POOL", 2)
    monkeypatch.setenv(START_METHOD_VARIABLE, method)
    run(BuildOptions(site, tmp_path / "parallel", jobs=2))
    assert tree_snapshot(tmp_path / "serial") == tree_snapshot(tmp_path / "parallel")


def test_a_pool_kept_across_builds_keeps_no_shared_model_behind(tmp_path, monkeypatch):
    """serve keeps one pool for its session: each build that renders in it shares the model through a file,
    which goes when the pages are rendered, not when the session ends."""
    from buletin.build.workers import Workers
    from buletin.pipeline import PRELOAD

    site = _wide_site(tmp_path / "site")
    monkeypatch.setattr(render, "MIN_FOR_POOL", 2)
    config = site / "site.yaml"
    with Workers(2, PRELOAD) as workers:
        for title in ("Satu", "Dua"):  # every page rendered again
            config.write_text(re.sub(r"(?m)^title: .*$", f"title: Buletin {title}", config.read_text(), count=1))
            run(BuildOptions(site, tmp_path / "out", cache_dir=tmp_path / "cache", jobs=2), workers)
            assert list((tmp_path / "cache/shared").iterdir()) == [] and workers._shared == []


def test_workers_run_this_buletin_even_with_another_one_on_the_path(tmp_path):
    """Python 3.11's fork server ignores the parent's sys.path: the workers of a checkout's build.py must not
    import another buletin that the interpreter would find first."""
    import subprocess
    import sys

    site = _wide_site(tmp_path / "site")
    other = tmp_path / "other"
    (other / "buletin").mkdir(parents=True)
    marker = tmp_path / "the-other-buletin-was-imported"
    (other / "buletin" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(other), START_METHOD_VARIABLE: "forkserver"}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--site", str(site), "--out",
                             str(tmp_path / "out"), "--no-cache", "--jobs", "2", "--quiet"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert len(list((tmp_path / "out/2020-11").rglob("gambar-*.svg"))) == 13  # drawn in the workers


# ---------------------------------------------------------------- a bounded store


def _entries(state: Path) -> int:
    return len(Store(state, read_only=True).names())


def test_the_store_does_not_grow_over_repeated_edits(make_site, tmp_path):
    site = make_site()
    state = tmp_path / "state"
    counts = []
    for n in range(8):
        _edit("prose", n)(site)
        _edit("cell", n)(site)
        run(BuildOptions(site, tmp_path / "out", cache_dir=state, jobs=1))
        counts.append(_entries(state))
    assert counts[0] > 0 and counts[-1] <= counts[3], counts  # what no recent build used is removed


def test_records_no_recent_build_used_are_removed(make_site, tmp_path):
    """The parsed YAML of an earlier version of buletin (its name carries the code's hash) and the pages of an
    output folder no longer built stayed in records/ for ever."""
    site = make_site()
    state = tmp_path / "state"
    run(BuildOptions(site, tmp_path / "out", cache_dir=state, jobs=1))
    records = state / "records"
    used = sorted(path.name for path in records.iterdir())
    for name in ("yaml-0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef.pages"):
        (records / name).write_bytes(b"old")
        os.utime(records / name, (1_000_000_000, 1_000_000_000))
    (records / "fedcba9876543210fedcba9876543210.pages").write_bytes(b"serve's")  # another folder's, this week
    for n in range(3):
        _edit("prose", n)(site)
        run(BuildOptions(site, tmp_path / "out", cache_dir=state, jobs=1))
    assert sorted(path.name for path in records.iterdir()) == sorted(
        [*used, "fedcba9876543210fedcba9876543210.pages"]), used


# ---------------------------------------------------------------- keys


def test_a_value_that_cannot_be_keyed_is_an_error():
    class Opaque:
        pass

    with pytest.raises(Unkeyable):
        make_key("body", Opaque())
    assert make_key("x", {1: "a", "1": "b"}) != make_key("x", {"1": "a", 1: "b"})  # keys of any type, distinct
    assert make_key("x", dt.date(2020, 11, 1)) != make_key("x", "2020-11-01")  # a date is not its text


def test_a_body_quoting_its_front_matter_is_composed_again_when_the_front_matter_changes(tmp_path):
    """A body is kept by the digest of its file's text, front matter included: a macro quoting `page` follows
    an edit of the front matter alone, as a fresh build does."""
    site = tmp_path / "site"
    _write(site, dict(BASE_FILES))
    article = site / ARTICLE
    text = article.read_text(encoding="utf-8")
    assert "\nlocation: Kendari\n" in text
    article.write_text(text.rstrip("\n") + "\n\nDitulis di {{ page.location }}.\n", encoding="utf-8")
    _build(site, tmp_path / "kept", cached=True)
    page = tmp_path / "kept/2020-11/sorotan/index.html"
    assert "Ditulis di Kendari." in page.read_text(encoding="utf-8")
    article.write_text(article.read_text(encoding="utf-8").replace("location: Kendari", "location: Baubau"),
                       encoding="utf-8")
    _build(site, tmp_path / "kept", cached=True)
    assert "Ditulis di Baubau." in page.read_text(encoding="utf-8")
    _build(site, tmp_path / "fresh", cached=False)
    assert tree_snapshot(tmp_path / "kept") == tree_snapshot(tmp_path / "fresh")
