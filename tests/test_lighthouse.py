"""Lighthouse (npm `lighthouse`, run with the machine's Chromium) gives every page type of the sample site 100
in performance, accessibility, best practices and SEO: no layout shift, nothing render-blocking from elsewhere,
every picture with its size.

The sample site is built with a base_url, as it is deployed (share links, canonical addresses), and served with
the security headers of the deployed site.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from .browser_support import (
    ARCHIVE,
    ARTICLE,
    BASE_URL,
    CHROMIUM,
    EDITION,
    HOME,
    REGION,
    REPO,
    SEARCH,
    Built,
    Server,
    build_sample,
    file_of,
    require_chromium,
    serve,
)

pytestmark = pytest.mark.browser

SCRIPT = REPO / "tests" / "tools" / "lighthouse.mjs"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# One page of each type: home, edition, article with a photo and charts, page, list of data rows and one row's
# page (with its map), archive, tags and a tag, data, release calendar, search.
PAGES = (HOME, EDITION, ARTICLE, "tentang/", "wilayah/", REGION, ARCHIVE, "topik/", "data/", "jadwal/", SEARCH)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Built:
    return build_sample(tmp_path_factory, BASE_URL)


@pytest.fixture(scope="module")
def server(site) -> Iterator[Server]:
    srv = serve(site.root)
    yield srv
    srv.close()


def _lighthouse(urls: list[str]) -> dict[str, dict]:
    node = shutil.which("node")
    if not node:
        pytest.skip("no `node` on PATH: Lighthouse runs with Node (Debian: nodejs, npm; .ci/run installs them)")
    if not (REPO / "node_modules" / "lighthouse").is_dir():
        pytest.skip("Lighthouse is not installed: run `npm ci --ignore-scripts` in the project (.ci/run does)")
    require_chromium()
    done = subprocess.run([node, str(SCRIPT), *urls], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "CHROME_PATH": CHROMIUM}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_every_page_type_scores_100_in_all_four_categories(site, server):
    for page in PAGES:
        assert file_of(site.out, page).is_file(), f"the sample site has no page {page!r}"
    urls = [server.base + page for page in PAGES]
    results = _lighthouse(urls)
    retry = [url for url, found in results.items() if found["performance"] != 1 and not found["error"]]
    if retry:  # performance is measured on a shared machine: a page that misses it is measured once more
        results.update(_lighthouse(retry))
    below = {url: {**{c: found[c] for c in CATEGORIES if found[c] != 1}, "failing": found["failing"],
                   "error": found["error"]}
             for url, found in results.items() if any(found[c] != 1 for c in CATEGORIES)}
    assert not below, json.dumps(below, indent=1, ensure_ascii=False)
