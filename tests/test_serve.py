"""The preview server: serves the build, rebuilds on save, tells open pages to reload, shows errors."""
from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from buletin.pipeline import BuildOptions
from buletin.serve import serve

from .conftest import ARTICLE_MD, EDITION_MD, SITE_YAML


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_serve_rebuilds_on_save_and_reloads_the_page(make_site, tmp_path):
    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    with _serving(options) as (base, said):
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
        made = re.search(r"(\d+) of (\d+) pages made again", said[-1])  # not every page "rebuilt"
        assert made and int(made[1]) == 1 and int(made[2]) > 10, said

        (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("title: Sorotan", "titel: Sorotan"))
        json.loads(_get(f"{base}__buletin/poll?v={answer['version']}"))
        page = _get(base + "2020-11/sorotan/")
        assert "the last build failed" in page and "unknown front-matter key `titel`" in page
        assert 'class="buletin-failed"' in page and " style=" not in page
        assert "Kalimat baru." in page  # the previous good version is still served


def test_serve_waits_for_another_build_of_the_site_and_then_rebuilds(make_site, tmp_path):
    """A save while another build or publish of the site holds its lock: serve says so once, keeps the page as
    it was, without a failure, and builds the preview again when the lock is free."""
    import subprocess
    import sys

    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    hold = ("import sys, pathlib; from buletin.outputs.writer import site_lock\n"
            "with site_lock(pathlib.Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()")
    with _serving(options) as (base, said):
        version = int(re.search(r'data-version="(\d+)"', _get(base + "2020-11/sorotan/")).group(1))
        # another process, as a build for deployment started meanwhile (a lock is the process's own)
        holder = subprocess.Popen([sys.executable, "-c", hold, str(site)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"
            (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD.replace("Paragraf penutup.", "Kalimat baru."))
            for _ in range(100):
                if any("another build" in line for line in said):
                    break
                time.sleep(0.05)
            time.sleep(1)  # a few more looks while it is held
            page = _get(base + "2020-11/sorotan/")
            assert "Paragraf penutup." in page and "the last build failed" not in page
        finally:
            holder.communicate("", timeout=30)  # the holder ends, and its lock with it
        assert sum("another build" in line for line in said) == 1, said
        answer = json.loads(_get(f"{base}__buletin/poll?v={version}"))
        assert answer["version"] > version and "Kalimat baru." in _get(base + "2020-11/sorotan/")


def test_serve_follows_a_data_folder_linked_from_inside_the_site(make_site, tmp_path):
    site = make_site()
    (site / "bersama").mkdir()
    (site / "data/ikm.csv").rename(site / "bersama/ikm.csv")
    (site / "data/sub").symlink_to("../bersama")
    package = site / "data/datapackage.yaml"
    package.write_text(package.read_text().replace("path: ikm.csv", "path: sub/ikm.csv"))
    options = BuildOptions(site, tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    with _serving(options) as (base, _said):
        page = _get(base + "2020-11/sorotan/")
        assert "13.012" in page, page  # the units of November, 4321 + 3690 + 5001
        version = int(re.search(r'data-version="(\d+)"', page).group(1))
        ikm = site / "bersama/ikm.csv"
        ikm.write_text(ikm.read_text().replace("2020-11,7401,4321", "2020-11,7401,4322"))  # through its real folder
        json.loads(_get(f"{base}__buletin/poll?v={version}"))
        assert "13.013" in _get(base + "2020-11/sorotan/")


def test_a_folder_without_its_slash_is_redirected(make_site, tmp_path):
    """`/2020-11` answered as `/2020-11/` would break every relative link on the page."""
    import http.client

    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    with _serving(options) as (base, _said):
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", base).group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/2020-11?x=1")
        response = connection.getresponse()
        assert response.status == 301 and response.getheader("Location") == "/2020-11/?x=1"


@contextlib.contextmanager
def _serving(options: BuildOptions, quiet: bool = False) -> Iterator[tuple[str, list[str]]]:
    """serve() in a thread: its address and what it said; stopped on leaving."""
    said: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(options, "127.0.0.1", 0),
                              kwargs={"say": said.append, "stop": stop, "quiet": quiet})
    thread.start()
    try:
        for _ in range(600):
            if any("http://" in line for line in said):
                break
            time.sleep(0.05)
        yield re.search(r"http://127\.0\.0\.1:\d+/", " ".join(said)).group(0), said
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _missing(url: str) -> tuple[int, str, dict[str, str]]:
    """GET an address expected to be missing: its status, body and headers."""
    try:
        urllib.request.urlopen(url, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)
    raise AssertionError(f"{url} was found")


def test_serve_shows_a_new_draft_edition_marked_and_a_missing_page_gets_the_sites_404(make_site, run_cli, tmp_path):
    site = make_site()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    options = BuildOptions(site, tmp_path / "out", drafts=True, cache_dir=tmp_path / "cache", jobs=1)
    with _serving(options) as (base, said):
        assert "drafts shown" in " ".join(said)
        draft = _get(base + "2020-12/")
        assert '<p class="banner" role="note">Draf</p>' in draft and "Edisi Desember 2020" in draft

        for missing in ("2020-11/tidak-ada/", "a/b/c", "assets/", "tidak-ada.css"):
            status, page, headers = _missing(base + missing)
            assert status == 404 and "Halaman tidak ditemukan" in page, missing
            assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "Index of" not in page  # a folder without index.html is not listed
        # Resolved from the server's root at any depth; every edition, newest first, the draft marked.
        assert '<head><base href="/">' in page.replace("\n", "")
        editions = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>( <span class="meta">· Draf</span>)?', page)
        assert editions == [("2020-12/", "Edisi Desember 2020", ' <span class="meta">· Draf</span>'),
                            ("2020-11/", "Edisi November 2020", "")]
        assert '<script src="/__buletin/reload.js"' in page and "<script>" not in page and " style=" not in page
        addresses = re.findall(r'(?:href|src)="([^"]*)"', page)
        assert addresses and not [a for a in addresses if "//" in a]  # nothing from another host


def test_serve_no_drafts_and_a_base_url_keep_the_404_page_on_this_server(make_site, run_cli, tmp_path):
    site = make_site({"site.yaml": SITE_YAML + "base_url: https://contoh.go.id/buletin\n"})
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    options = BuildOptions(site, tmp_path / "out", drafts=False, cache_dir=tmp_path / "cache", jobs=1)
    with _serving(options) as (base, said):
        assert "without drafts" in " ".join(said)
        status, page, _ = _missing(base + "2020-12/")
        assert status == 404 and "Desember" not in page
        assert "contoh.go.id" not in page and 'href="/2020-11/"' in page and 'href="/arsip/"' in page
        assert re.search(r'<link rel="stylesheet" href="/assets/style\.[0-9a-f]+\.css">', page)


def test_serve_before_any_good_build_answers_404_with_the_build_errors(make_site, tmp_path):
    site = make_site({"site.yaml": "title: [\n"})
    options = BuildOptions(site, tmp_path / "out", drafts=True, cache_dir=tmp_path / "cache", jobs=1)
    with _serving(options) as (base, _):
        status, page, _ = _missing(base)
        assert status == 404 and "the last build failed" in page and "site.yaml" in page


def test_serve_includes_drafts_unless_told_not_to():
    from buletin.arguments import parser as _parser

    assert _parser().parse_args(["serve"]).drafts is True
    assert _parser().parse_args(["serve", "--drafts"]).drafts is True
    assert _parser().parse_args(["serve", "--no-drafts"]).drafts is False
    assert _parser().parse_args(["build"]).drafts is False


@contextlib.contextmanager
def _serve_command(*options: str) -> Iterator[tuple[str, str]]:
    """`build.py serve` as a user runs it, on a free port: its address and the folder it shows; Ctrl-C on
    leaving."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    build_py = Path(__file__).resolve().parent.parent / "build.py"
    # Ctrl-C as in a terminal: a test run started in the background (`cmd &` without job control) ignores SIGINT,
    # and its children would inherit that and never stop
    process = subprocess.Popen([sys.executable, str(build_py), "serve", "--port", "0", "--lang", "en", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        said = ""
        while "Ctrl-C" not in said:
            line = process.stdout.readline()
            assert line, said
            said += line
        found = re.search(r"showing (.+) at (http://127\.0\.0\.1:\d+/)", said)
        yield found.group(2), found.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_serve_builds_its_preview_outside_output_so_drafts_never_reach_it(make_site, run_cli, tmp_path):
    """output/ is what gets copied to the web: the preview, with its drafts, is built in the cache folder (or a
    temporary one with --no-cache, removed when serve stops), and output/ is left as `build` made it."""
    from pathlib import Path

    site = make_site()
    assert run_cli("build", "--site", site).code == 0
    published = (site / "output/index.html").read_bytes()
    assert run_cli("new", "edition", "2020-12", "--site", site).code == 0
    with _serve_command("--site", str(site), "--jobs", "1") as (base, folder):
        assert Path(folder) == site / ".buletin-cache" / "preview"
        assert "Edisi Desember 2020" in _get(base + "2020-12/")
    assert not (site / "output/2020-12").exists() and (site / "output/index.html").read_bytes() == published
    with _serve_command("--site", str(site), "--jobs", "1", "--no-cache") as (base, folder):
        assert "Edisi Desember 2020" in _get(base + "2020-12/") and Path(folder).is_dir()
        assert site not in Path(folder).parents
    assert not Path(folder).exists() and not (site / "output/2020-12").exists()


def test_a_port_in_use_is_said_in_the_messages_language(make_site, run_cli):
    """The operating system's own words ("Address already in use") are English on an Indonesian site."""
    import socket

    site = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--site", site, "--port", str(port), "--lang", "id")
    assert result.code == 2 and "port itu sedang dipakai" in result.err and "Address already" not in result.err, \
        result.err


def test_an_error_serve_showed_comes_back_on_the_next_save_and_in_check(make_site, run_cli, tmp_path):
    """serve composes in one long-lived process: a chart error of its last build, repeated on the next save of
    another file, was taken for no error, and the empty body was kept in the cache, so that `check` and
    `build` then passed and published an article without its text."""
    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    article = site / "content/2020-11/sorotan.md"
    with _serving(options) as (base, said):
        version = int(re.search(r'data-version="(\d+)"', _get(base + "2020-11/sorotan/")).group(1))
        article.write_text(ARTICLE_MD.replace("y: unit_usaha", "y: unit"))
        version = json.loads(_get(f"{base}__buletin/poll?v={version}"))["version"]
        assert any("no column `unit`" in line for line in said), said
        (site / "content/2020-11/index.md").write_text(EDITION_MD + "\nKalimat baru.\n")
        json.loads(_get(f"{base}__buletin/poll?v={version}"))
        assert "1 error" in said[-1] and "no column `unit`" in said[-2], said
    checked = run_cli("check", "--site", site)
    assert checked.code == 1 and "no column `unit`" in checked.err, checked.err


def test_serve_says_the_warnings_that_build_says(make_site, tmp_path):
    """Staff who work in the preview never saw a warning (a macro shown as written, a date far from its edition)."""
    site = make_site()
    (site / "content/2020-11/sorotan.md").write_text(ARTICLE_MD + '\nNaik { value("ikm", "unit_usaha") } unit.\n')
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    with _serving(options) as (_base, said):
        pass
    warned = [line for line in said if ": warning: " in line]
    assert warned and warned[0].startswith("content/2020-11/sorotan.md:") and "is shown as written" in warned[0], said


def test_serve_refuses_an_out_folder_build_refuses_and_serves_nothing(make_site, run_cli, tmp_path):
    """`serve --out /` printed the refusal, then served the whole disk anyway (/etc/passwd)."""
    site = make_site()
    result = run_cli("serve", "--site", site, "--out", site, "--port", "0")
    assert result.code == 2 and "would replace the site itself" in result.err
    assert "http://" not in result.out + result.err and "Traceback" not in result.err


def test_an_empty_host_is_refused_not_every_address(make_site, run_cli):
    """`--host "$HOST"` with HOST unset bound 0.0.0.0: the preview, drafts and all, open to the network."""
    result = run_cli("serve", "--site", make_site(), "--host", "", "--port", "0")
    assert result.code == 2 and "an empty address would show the site to the whole network" in result.err


def test_the_preview_answers_odd_requests_without_a_traceback_and_only_to_its_own_names(make_site, tmp_path,
                                                                                         capfd):
    """`/%00`, a name too long for a file, a poll for version `abc`: each was a traceback in the terminal and a
    dropped connection (so was a poll the browser abandons). A page of another name (DNS rebinding) got the site;
    HEAD gave the file's length, not the page's as served."""
    import http.client

    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    with _serving(options) as (base, _said):
        port = int(re.search(r":(\d+)/", base).group(1))

        def status(path: str, method: str = "GET", host: str | None = None) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(method, path, headers={"Host": host} if host else {})
            response = connection.getresponse()
            return response.status, response.read() if method == "GET" else response.getheader("Content-Length")

        assert status("/%00")[0] == 404 and status("/" + "a" * 300)[0] == 404
        assert status("/__buletin/poll?v=abc")[0] == 400
        assert status("/manifest.json", host="attacker.example")[0] == 421
        assert status("/manifest.json", host=f"localhost:{port}")[0] == 200
        assert status("/", "HEAD")[1] == str(len(status("/")[1]))  # the page as served, reload script and all
    assert "Traceback" not in capfd.readouterr().err



def test_serve_quiet_says_its_address_and_no_build_summaries(make_site, tmp_path):
    """--quiet means errors only: each rebuild's "N of M pages made again" was printed all the same."""
    site = make_site()
    options = BuildOptions(site, tmp_path / "out", cache_dir=site / ".buletin-cache", jobs=1)
    with _serving(options, quiet=True) as (base, said):
        assert _get(base + "index.html")
    assert [line for line in said if "http://" in line] and not [line for line in said if "made again" in line]
