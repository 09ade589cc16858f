"""The preview server: build, serve output/ on this machine, rebuild on every save, reload the open page."""
from __future__ import annotations

import html
import json
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from buletin.build.workers import Workers
from buletin.outputs.headers import SECURITY_HEADERS
from buletin.pipeline import PRELOAD, BuildOptions, run
from buletin.problems import OutputError, SiteError, in_report_order

WATCHED = ("site.yaml", "content", "data", "templates")
POLL_PATH = "/__buletin/poll"
SCRIPT_PATH = "/__buletin/reload.js"
STYLE_PATH = "/__buletin/serve.css"
# Served as files, not inline, so that the preview keeps the pages' security policy (no inline code at all).
RELOAD_SCRIPT = b"""(function () {
  var v = Number(document.currentScript.dataset.version);
  function poll() {
    fetch("%s?v=" + v).then(function (r) { return r.json(); })
      .then(function (d) { if (d.version !== v) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""" % POLL_PATH.encode()
OVERLAY_STYLE = b""".buletin-failed{position:fixed;inset:0 0 auto 0;z-index:99;max-height:60vh;overflow:auto;
background:#fff0f0;border-bottom:3px solid #b42318;padding:1rem;font:14px/1.5 monospace}
"""


class State:
    """The latest build: a version number the open pages wait on, and its problems."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.changed = threading.Condition()

    def update(self, problems: list[str]) -> None:
        with self.changed:
            self.version += 1
            self.problems = problems
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder; HTML pages get the reload script and, after a failed build, its errors."""

    state: State

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == POLL_PATH:
            seen = int(parse_qs(url.query).get("v", ["0"])[0] or 0)
            self._send(json.dumps({"version": self.state.wait(seen)}).encode(), "application/json")
            return
        if url.path in (SCRIPT_PATH, STYLE_PATH):
            kind = "text/javascript" if url.path == SCRIPT_PATH else "text/css"
            self._send(RELOAD_SCRIPT if url.path == SCRIPT_PATH else OVERLAY_STYLE, f"{kind}; charset=utf-8")
            return
        target = Path(self.translate_path(url.path))
        if target.is_dir() and not url.path.endswith("/"):  # the page's relative links need the slash
            self.send_response(301)
            self.send_header("Location", url.path + "/" + (f"?{url.query}" if url.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            self._send(self._inject(target.read_bytes()), "text/html; charset=utf-8")
            return
        super().do_GET()

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS:  # the preview keeps the policy the published site is given
            self.send_header(name, value)
        super().end_headers()

    def _inject(self, page: bytes) -> bytes:
        extra = f'<script src="{SCRIPT_PATH}" data-version="{self.state.version}"></script>'
        if self.state.problems:
            items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in self.state.problems)
            extra = (f'<link rel="stylesheet" href="{STYLE_PATH}"><div role="alert" class="buletin-failed">'
                     f"<strong>buletin: the last build failed; this is the previous version.</strong>"
                     f"<ul>{items}</ul></div>") + extra
        return page.replace(b"</body>", extra.encode("utf-8") + b"</body>", 1)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # the terminal is for build messages
        pass


def _snapshot(site_root: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every input file; a change in any means rebuild."""
    found = {}
    for name in WATCHED:
        path = site_root / name
        paths = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for item in paths:
            stat = item.stat()
            found[item.as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def _build(options: BuildOptions, state: State, say, workers: Workers) -> None:
    started = time.perf_counter()
    try:
        result = run(options, workers)
    except SiteError as exc:
        problems = [str(p) for p in in_report_order(exc.problems)]
        for line in problems:
            say(line)
        say(f"buletin: {len(problems)} error(s); the page shows them; fix and save to rebuild")
        state.update(problems)
        return
    except OutputError as exc:
        say(f"buletin: error: {exc}")
        state.update([str(exc)])
        return
    say(f"buletin: rebuilt {result.pages} pages ({result.written} file{'' if result.written == 1 else 's'} changed) in "
        f"{time.perf_counter() - started:.2f} s")
    state.update([])


def serve(options: BuildOptions, host: str, port: int, say=print, stop: threading.Event | None = None) -> int:
    """Build, then serve until interrupted, rebuilding whenever an input changes.

    One pool of worker processes serves the whole session; it is made before the server's threads start.
    """
    state = State()
    assert options.out is not None
    handler = type("BoundHandler", (Handler,), {"state": state})
    # Bind first: a port in use is reported before any build work is done.
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(options.out.absolute())))
    workers = Workers(options.jobs, PRELOAD)
    _build(options, state, say, workers)
    options.out.mkdir(parents=True, exist_ok=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"buletin: serving {options.out} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    stop = stop or threading.Event()
    seen = _snapshot(options.site_root)
    try:
        while not stop.wait(0.3):
            now = _snapshot(options.site_root)
            if now != seen:
                seen = now
                _build(options, state, say, workers)
    except KeyboardInterrupt:
        say("buletin: stopped")
    finally:
        server.shutdown()
        server.server_close()
        workers.close()
    return 0

