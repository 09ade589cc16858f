"""The preview server: build, serve output/ on this machine, rebuild on every save, reload the open page.

A missing address gets the site's own 404 page (with its list of editions), not the server's plain one.
"""
from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from markupsafe import escape

from buletin.build.workers import Workers
from buletin.inputs.config import load_config, normalise_base_url
from buletin.inputs.paths import Stamp, input_files, stamp
from buletin.messages import _, _n, decimal, language, number
from buletin.outputs.headers import SECURITY_HEADERS
from buletin.outputs.writer import check_output_folder
from buletin.pipeline import PRELOAD, BuildOptions, run
from buletin.problems import OutputError, Problems, SiteBusy, SiteError, in_report_order

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
# The 404 page when the output has none yet (the first build failed): the failed build's errors go over it.
NOT_BUILT = ('<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>404</title></head>'
             "<body><h1>404</h1><p>{text}</p></body></html>")
OVERLAY_STYLE = b""".buletin-failed{position:fixed;inset:0 0 auto 0;z-index:99;max-height:60vh;overflow:auto;
background:#fff0f0;border-bottom:3px solid #b42318;padding:1rem;font:14px/1.5 monospace}
"""


def _not_built() -> bytes:
    text = _("buletin: the site has not been built yet: fix the errors shown above and save.")
    return NOT_BUILT.format(lang=language(), text=html.escape(text)).encode("utf-8")


class State:
    """The latest build: a version number the open pages wait on, its problems, and the site's base_url."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.base_url: str | None = None
        self.changed = threading.Condition()

    def update(self, problems: list[str], base_url: str | None = None) -> None:
        """A build ended; a failed one (with problems) leaves the output, and so its base_url, as it was."""
        with self.changed:
            self.version += 1
            self.problems = problems
            if not problems:
                self.base_url = base_url
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder; HTML pages get the reload script and, after a failed build, its errors."""

    state: State
    directory: str
    hosts: frozenset[str] = frozenset()  # the names a request may give in its Host (none: any, on every address)

    def do_GET(self) -> None:
        if self.hosts and _host_name(self.headers.get("Host", "")) not in self.hosts:
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST)  # another site's page, through DNS rebinding
            return
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):  # the browser went away: a reloaded tab's poll
            pass
        except (ValueError, OSError):  # an address no file can have: `%00`, a name too long
            self.send_error(HTTPStatus.NOT_FOUND)

    do_HEAD = do_GET

    def _get(self) -> None:
        url = urlparse(self.path)
        if url.path == POLL_PATH:
            seen = parse_qs(url.query).get("v", ["0"])[0] or "0"
            if not seen.isdigit():
                self.send_error(HTTPStatus.BAD_REQUEST)
                return
            self._send(json.dumps({"version": self.state.wait(int(seen))}).encode(), "application/json")
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
        super().do_HEAD() if self.command == "HEAD" else super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != HTTPStatus.NOT_FOUND:
            super().send_error(code, message, explain)
            return
        page = Path(self.directory) / "404.html"
        body = _at_root(page.read_bytes(), self.state.base_url) if page.is_file() else _not_built()
        self._send(self._inject(body), "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without index.html is a missing page, as on a web host: no listing of the output."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS:  # the preview keeps the policy the published site is given
            self.send_header(name, value)
        super().end_headers()

    def _inject(self, page: bytes) -> bytes:
        extra = f'<script src="{SCRIPT_PATH}" data-version="{self.state.version}"></script>'
        if self.state.problems:
            items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in self.state.problems)
            title = html.escape(_("buletin: the last build failed; this is the previous version: fix the errors "
                                  "below and save"))
            extra = (f'<link rel="stylesheet" href="{STYLE_PATH}"><div role="alert" class="buletin-failed">'
                     f"<strong>{title}</strong>"
                     f"<ul>{items}</ul></div>") + extra
        return page.replace(b"</body>", extra.encode("utf-8") + b"</body>", 1)

    def _send(self, body: bytes, kind: str, status: int = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # the terminal is for build messages
        pass


def _host_name(host: str) -> str:
    """A Host header's name, without its port: `localhost:8000` -> localhost, `[::1]:8000` -> ::1."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(host: str) -> frozenset[str]:
    """The names a preview on `host` answers to: this computer's, and the address it was given; any, on every
    address (0.0.0.0, shown to the network on purpose), where the machine's names cannot all be known."""
    if host in ("0.0.0.0", "::"):
        return frozenset()
    return frozenset({"localhost", "127.0.0.1", "::1", _host_name(host)})


def _at_root(page: bytes, base_url: str | None) -> bytes:
    """The built 404 page as the preview serves it at any depth: its relative addresses resolved from the
    server's root, and those made from base_url kept on this server rather than the live host."""
    if base_url:
        page = page.replace(str(escape(base_url)).encode("utf-8"), b"/")
    return re.sub(rb"<head(\s[^>]*)?>", lambda m: m.group(0) + b'<base href="/">', page, count=1, flags=re.I)


def _base_url(options: BuildOptions) -> str | None:
    """The base_url the build used: --base-url, else site.yaml's."""
    if options.base_url:
        return normalise_base_url(options.base_url)
    config = load_config(options.site_root, Problems())
    return config.base_url if config else None


def _snapshot(site_root: Path) -> dict[str, Stamp]:
    """The stamp (size, times, inode) of every input file, as the build finds them (hidden ones and linked
    folders too); a change in any means rebuild."""
    found = {}
    for name, path in input_files(site_root, hidden=True):
        try:
            stat = os.stat(path)
        except OSError:  # removed since it was listed: the next look sees it gone
            continue
        found[name] = stamp(stat)
    return found


def _build(options: BuildOptions, state: State, say, workers: Workers, waiting: bool = False,
           quiet: bool = False) -> bool:
    """Build and show the outcome; False when another build or publish of the site holds its lock (said once
    while `waiting` is False): the caller tries again."""
    started = time.perf_counter()
    try:
        result = run(options, workers)
    except SiteBusy:
        if not waiting:
            say(_("buletin: another build or publish of this site is running; the preview is built again when it "
                  "ends"))
        return False
    except SiteError as exc:
        problems = [str(p) for p in in_report_order(exc.problems)]
        for line in [*problems, *(str(w) for w in in_report_order(exc.problems.warnings))]:
            say(line)
        say(_n("buletin: {count} error; the page shows it; fix it and save to rebuild",
               "buletin: {count} errors; the page shows them; fix them and save to rebuild",
               len(problems)).format(count=number(len(problems))))
        state.update(problems)
        return True
    except OutputError as exc:
        say(_("buletin: error: {message}").format(message=exc))
        state.update([str(exc)])
        return True
    for line in [*(str(w) for w in in_report_order(result.problems.warnings)), *(
            _("buletin: warning: {message}").format(message=warning) for warning in result.warnings)]:
        say(line)  # as `build` says them: the preview is where staff work
    if not quiet:  # --quiet: errors and warnings only
        say(_n("buletin: {rendered} of {pages} pages made again ({count} file changed) in {seconds} s",
               "buletin: {rendered} of {pages} pages made again ({count} files changed) in {seconds} s",
               result.written).format(rendered=number(result.rendered), pages=number(result.pages),
                                      count=number(result.written), seconds=decimal(time.perf_counter() - started, 2)))
    state.update([], _base_url(options))
    return True


def serve(options: BuildOptions, host: str, port: int, say=print, stop: threading.Event | None = None,
          quiet: bool = False) -> int:
    """Build, then serve until interrupted, rebuilding whenever an input changes.

    One pool of worker processes serves the whole session; it is made before the server's threads start.
    """
    state = State()
    assert options.out is not None
    check_output_folder(options.out, options.site_root)  # refused: nothing is served (it was, the refusal said)
    handler = type("BoundHandler", (Handler,), {"state": state, "hosts": allowed_hosts(host)})
    # Bind first: a port in use is reported before any build work is done.
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(options.out.absolute())))
    workers = Workers(options.jobs, PRELOAD)
    seen = _snapshot(options.site_root)
    try:
        built = _build(options, state, say, workers, quiet=quiet)
    except KeyboardInterrupt:  # before the server runs: nothing to shut down but its socket and the workers
        server.server_close()
        workers.close()
        say(_("buletin: stopped"))
        return 0
    options.out.mkdir(parents=True, exist_ok=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    drafts = _("drafts shown, marked as drafts") if options.drafts else _("without drafts")
    say(_("buletin: showing {out} at http://{host}:{port}/ ({drafts}; Ctrl-C to stop)").format(
        out=options.out, host=host, port=server.server_address[1], drafts=drafts))
    stop = stop or threading.Event()
    try:
        while not stop.wait(0.3):
            now = _snapshot(options.site_root)
            if now != seen or not built:  # refused by another build's lock: again, until it is done
                seen = now
                built = _build(options, state, say, workers, waiting=not built, quiet=quiet)
    except KeyboardInterrupt:
        say(_("buletin: stopped"))
    finally:
        server.shutdown()
        server.server_close()
        workers.close()
    return 0

