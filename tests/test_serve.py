"""The preview server: serves the build, rebuilds on save, tells open pages to reload, shows errors."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.request

from buletin.pipeline import BuildOptions
from buletin.serve import serve

from .conftest import ARTICLE_MD


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_serve_rebuilds_on_save_and_reloads_the_page(make_site, tmp_path):
    site = make_site()
    said: list[str] = []
    stop = threading.Event()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    thread = threading.Thread(target=serve, args=(options, "127.0.0.1", 0), kwargs={"say": said.append, "stop": stop})
    thread.start()
    try:
        for _ in range(200):
            if any("serving" in line for line in said):
                break
            time.sleep(0.05)
        base = re.search(r"http://127\.0\.0\.1:\d+/", " ".join(said)).group(0)
        page = _get(base + "2020-11/sorotan/")
        assert "Paragraf penutup." in page and '<script src="/__buletin/reload.js"' in page
        assert "<script>" not in page and " style=" not in page  # nothing inline: the security policy holds
        assert "/__buletin/poll" in _get(base + "__buletin/reload.js")
        version = int(re.search(r'data-version="(\d+)"', page).group(1))
        with urllib.request.urlopen(base + "2020-11/sorotan/", timeout=30) as response:
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]

        (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Paragraf penutup.", "Kalimat baru."))
        answer = json.loads(_get(f"{base}__buletin/poll?v={version}"))
        assert answer["version"] > version
        assert "Kalimat baru." in _get(base + "2020-11/sorotan/")

        (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("title: Sorotan", "titel: Sorotan"))
        json.loads(_get(f"{base}__buletin/poll?v={answer['version']}"))
        page = _get(base + "2020-11/sorotan/")
        assert "the last build failed" in page and "unknown front-matter key `titel`" in page
        assert 'class="buletin-failed"' in page and " style=" not in page
        assert "Kalimat baru." in page  # the previous good version is still served
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_folder_without_its_slash_is_redirected(make_site, tmp_path):
    """`/2020-11` answered as `/2020-11/` would break every relative link on the page."""
    import http.client

    site = make_site()
    said: list[str] = []
    stop = threading.Event()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    thread = threading.Thread(target=serve, args=(options, "127.0.0.1", 0), kwargs={"say": said.append, "stop": stop})
    thread.start()
    try:
        for _ in range(200):
            if any("serving" in line for line in said):
                break
            time.sleep(0.05)
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", " ".join(said)).group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/2020-11?x=1")
        response = connection.getresponse()
        assert response.status == 301 and response.getheader("Location") == "/2020-11/?x=1"
    finally:
        stop.set()
        thread.join(timeout=10)
