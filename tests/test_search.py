"""The search index comes in shards; an edit re-indexes only the shard of the page it changed."""
from __future__ import annotations

import json
from pathlib import Path

from buletin.outputs import search
from buletin.pipeline import BuildOptions, run

from .conftest import EDITION_MD, tree_snapshot

OLD_ARTICLE = """\
---
title: Catatan Desember 2019
date: 2019-12-05
---

Kerajinan tenun kembali ramai menjelang akhir tahun.
"""


def test_plan_puts_other_pages_first_then_years_newest_first():
    years = {"2019-12": 2019, "2020-10": 2020, "2020-11": 2020}
    paths = ["2020-11/index.html", "2020-11/a/index.html", "2019-12/index.html", "tentang/index.html",
             "2020-10/index.html"]
    assert search.plan_shards(paths, years) == {
        "pages": ["tentang/index.html"],
        "2020": ["2020-10/index.html", "2020-11/a/index.html", "2020-11/index.html"],
        "2019": ["2019-12/index.html"],
    }


def test_plan_splits_a_busy_year_by_edition(monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    years = {"2020-10": 2020, "2020-11": 2020, "2019-12": 2019}
    paths = ["2020-10/index.html", "2020-11/index.html", "2020-11/a/index.html", "2019-12/index.html"]
    plan = search.plan_shards(paths, years)
    assert list(plan) == ["2020-11", "2020-10", "2019"]
    assert plan["2020-11"] == ["2020-11/a/index.html", "2020-11/index.html"]


def _two_years(make_site) -> Path:
    return make_site({"content/2019-12/index.md": EDITION_MD.replace("November", "Desember"),
                      "content/2019-12/catatan.md": OLD_ARTICLE})


def test_bundle_has_one_runtime_and_lists_the_merged_shards(make_site, tmp_path):
    site = _two_years(make_site)
    run(BuildOptions(site, tmp_path / "out", jobs=1))
    bundle = tmp_path / "out" / "pagefind"
    shards = json.loads((bundle / "shards.json").read_text())
    assert shards == ["2020/", "2019/"]  # the primary bundle holds the pages outside editions
    assert (bundle / "pagefind.js").is_file() and any(bundle.glob("wasm.id.pagefind"))
    for shard in shards:
        assert (bundle / shard / "pagefind-entry.json").is_file()
        assert any((bundle / shard).glob("*.pf_meta")) and any((bundle / shard / "fragment").iterdir())
        assert not (bundle / shard / "pagefind.js").exists() and not any((bundle / shard).glob("wasm.*"))
    assert len(list((bundle / "2019" / "fragment").iterdir())) == 2  # December's edition and its article


def test_editing_one_article_reindexes_only_its_shard(make_site, tmp_path, monkeypatch):
    site = _two_years(make_site)
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    run(options)
    before = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
              for p in (tmp_path / "out" / "pagefind").rglob("*") if p.is_file()}
    indexed: list[list[str]] = []
    real_run = search._Run

    def watched(key, pages, language):
        indexed.append(sorted(pages))
        return real_run(key, pages, language)

    monkeypatch.setattr(search, "_Run", watched)
    article = site / "content/2019-12/catatan.md"
    article.write_text(OLD_ARTICLE.replace("tenun", "tenun dan anyaman"))
    run(options)
    assert indexed == [["2019-12/catatan/index.html", "2019-12/index.html"]]
    after = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
             for p in (tmp_path / "out" / "pagefind").rglob("*") if p.is_file()}
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed and all(path.startswith("pagefind/2019/") for path in changed), changed


def test_a_theme_that_marks_other_pages_is_indexed_by_what_it_marks(make_site, tmp_path):
    site = _two_years(make_site)
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(  # the article's text, but not marked for search
        '{% extends "base.html" %}{% block main %}<div class="prose">{{ body }}</div>{% endblock %}')
    run(BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1))
    bundle = tmp_path / "out" / "pagefind"
    assert len(list((bundle / "2019" / "fragment").iterdir())) == 1  # December's edition; not its article
    assert len(list((bundle / "2020" / "fragment").iterdir())) == 1


def test_one_pagefind_at_a_time_builds_the_same_bundle_as_several(make_site, tmp_path):
    site = _two_years(make_site)
    run(BuildOptions(site, tmp_path / "one", jobs=1))
    run(BuildOptions(site, tmp_path / "several", jobs=2))
    assert tree_snapshot(tmp_path / "one") == tree_snapshot(tmp_path / "several")


def test_a_failing_pagefind_leaves_the_site_without_search_and_says_why(make_site, tmp_path, monkeypatch):
    import sys

    site = _two_years(make_site)
    fake = "import sys; print('indexer ran out of room', flush=True); sys.exit(3)"
    monkeypatch.setattr(search, "_command", lambda: [sys.executable, "-c", fake])
    result = run(BuildOptions(site, tmp_path / "out", jobs=1))
    assert result.pages > 0 and not (tmp_path / "out" / "pagefind").exists()
    assert len(result.warnings) == 1 and "(indexer ran out of room)" in result.warnings[0]


def test_an_edition_with_no_words_alone_in_its_year_costs_the_search_index_nothing(make_site, tmp_path):
    site = make_site({"content/2019-12/index.md": "---\n---\n"})  # no summary, no body, no article
    for cache in (None, site / ".buletin-cache", site / ".buletin-cache"):  # fresh, then stored, then recalled
        out = tmp_path / f"out-{cache is None}"
        result = run(BuildOptions(site, out, cache_dir=cache, jobs=1))
        assert result.warnings == []
        assert json.loads((out / "pagefind/shards.json").read_text()) == ["2020/"]  # 2019 has nothing to find
        assert (out / "pagefind/pagefind.js").is_file() and not (out / "pagefind/2019").exists()


def test_a_shard_pagefind_fails_on_costs_only_its_pages_and_says_which(make_site, tmp_path, monkeypatch):
    import sys

    site = _two_years(make_site)
    real = search._command()
    fake = (f"import os, subprocess, sys; site = sys.argv[sys.argv.index('--site') + 1]\n"
            f"if os.path.isdir(os.path.join(site, '2019-12')): print('out of room', flush=True); sys.exit(3)\n"
            f"sys.exit(subprocess.run({real!r} + sys.argv[1:]).returncode)")
    monkeypatch.setattr(search, "_command", lambda: [sys.executable, "-c", fake])
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(search, "_scratch", lambda: str(scratch))
    result = run(BuildOptions(site, tmp_path / "out", jobs=1))
    assert list(scratch.iterdir()) == []  # the failed shard's copy of its pages too
    assert json.loads((tmp_path / "out/pagefind/shards.json").read_text()) == ["2020/"]
    assert (tmp_path / "out/pagefind/pagefind.js").is_file() and not (tmp_path / "out/pagefind/2019").exists()
    assert len(result.warnings) == 1
    assert "2 pages of 2019 (out of room)" in result.warnings[0] and "install" not in result.warnings[0]


class _FakeRun:
    def __init__(self, done_after: int):
        self.checks, self.done_after = 0, done_after

    def finished(self) -> bool:
        self.checks += 1
        return self.checks > self.done_after


def test_the_next_shard_starts_when_any_pagefind_finishes_not_only_the_first():
    running = {"2020": _FakeRun(done_after=1000), "2019": _FakeRun(done_after=2)}
    assert search._first_finished(running) == "2019"
    assert running["2020"].checks == 3  # looked at in turn, not waited for


def test_a_pagefind_that_cannot_start_leaves_no_folder_behind(make_site, tmp_path, monkeypatch):
    site = _two_years(make_site)
    monkeypatch.setattr(search, "_command", lambda: [str(tmp_path / "no-such-pagefind")])
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(search, "_scratch", lambda: str(scratch))
    result = run(BuildOptions(site, tmp_path / "out", jobs=1))
    assert len(result.warnings) == 1 and "no-such-pagefind" in result.warnings[0]
    assert list(scratch.iterdir()) == []
