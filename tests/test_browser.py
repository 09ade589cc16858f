"""Proof in a real browser (issue 4): the sample site served on 127.0.0.1 under a sub-path, driven by Playwright
with Debian's Chromium, and checked with axe-core for WCAG 2.1 A and AA.

The site is built without base_url, so every link must be relative and work under /sub/.
Skipped only where /usr/bin/chromium is missing; .ci/run installs it, so in CI these always run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.browser_support import (
    ARCHIVE,
    ARTICLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITION,
    FIXED_EPOCH,
    HOME,
    REGION,
    REPO,
    SEARCH,
    SUB_PATH,
    Built,
    Server,
    build_sample,
    fail,
    file_of,
    html_pages,
    page_url,
    require_chromium,
    serve,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
PHONE_OPTIONS = {"viewport": PHONE, "screen": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"width": 1280, "height": 800}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SEARCH_WORD = "Rusdin"  # only in the body of the November 2020 briefing (the head of the IKM division)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Built:
    return build_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def server(site) -> Iterator[Server]:
    srv = serve(site.root)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        pw.stop()


@dataclass
class Watch:
    """Everything wrong that a page did while it was open: console errors, script errors, failed requests,
    HTTP errors, requests to another host or outside the site's sub-path."""

    origin: str
    problems: list[str] = field(default_factory=list)
    inflight: set = field(default_factory=set)

    def attach(self, page) -> None:
        page.on("request", lambda request: self.inflight.add(request))
        page.on("requestfinished", lambda request: self.inflight.discard(request))
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"script error: {err}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("websocket", lambda ws: self.problems.append(f"websocket opened: {ws.url}"))

    def _console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            self.problems.append(f"console error: {msg.text}{where}")

    def _failed(self, request) -> None:
        self.inflight.discard(request)
        if not request.url.startswith(self.origin):
            return  # already reported as off-host by the route handler
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another host (blocked): {url}")
            route.abort()
            return
        if parts.scheme in ("http", "https") and not parts.path.startswith(SUB_PATH):
            self.problems.append(f"request outside the site's folder {SUB_PATH} (a root-relative link?): {url}")
        route.continue_()


def new_context(browser, watch: Watch, **options):
    context = browser.new_context(**options)
    context.route("**/*", watch.route)
    return context


SETTLE_JS = """
async () => {
  // Load every image now, lazy ones too, and wait for them (at most 10 s).
  const images = [...document.images];
  for (const img of images) img.loading = 'eager';
  const pending = images.filter((img) => !img.complete);
  await Promise.race([
    Promise.all(pending.map((img) => new Promise((done) => {
      img.addEventListener('load', done, {once: true});
      img.addEventListener('error', done, {once: true});
    }))),
    new Promise((done) => setTimeout(done, 10000)),
  ]);
  await document.fonts.ready;
  return document.querySelector('script:not([type="application/ld+json"])') !== null;
}
"""


def visit(page, watch: Watch, url: str, settle: bool = True) -> None:
    """Go to `url` and wait for it to load; with settle, also for every image (lazy ones too) and, on a page with
    scripts, for the network to go idle, so that late requests are seen."""
    response = page.goto(url, wait_until="load", timeout=30_000)
    if response is None or response.status != 200:
        watch.problems.append(f"navigation to {url} gave {response.status if response else 'no response'}")
    if not settle:
        return
    if page.evaluate(SETTLE_JS):
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except Exception:
            watch.problems.append("network never went idle within 10 s")
    # Let what the browser fetches after load (the favicon) finish, so that the next visit cannot abort it.
    for _ in range(100):
        page.wait_for_timeout(50)
        if not watch.inflight:
            break
    else:
        watch.problems.append("requests still pending after 5 s: " + ", ".join(r.url for r in watch.inflight))


def open_page(context, watch: Watch, url: str, settle: bool = True):
    """A new page of `context`, watched, at `url` (see visit)."""
    page = context.new_page()
    watch.attach(page)
    visit(page, watch, url, settle)
    return page


def require_page(site: Built, rel_url: str, what: str) -> None:
    path = file_of(site.out, rel_url)
    if not path.is_file():
        fail(f"no {what} page at {path.relative_to(site.out).as_posix()} in the output")


# ---------------------------------------------------------------- every page loads cleanly


def test_every_page_loads_without_errors_or_foreign_requests(browser, server, site):
    pages = html_pages(site.out)
    assert pages, "the output has no HTML page"
    report: dict[str, list[str]] = {}
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    try:
        page = context.new_page()
        watch.attach(page)
        for rel in pages:
            watch.problems = []
            visit(page, watch, server.base + page_url(rel))
            if watch.problems:
                report[rel] = list(dict.fromkeys(watch.problems))
    finally:
        context.close()
    if report:
        fail(
            f"{len(report)} of {len(pages)} pages had problems in Chromium:\n"
            + "\n".join(f"  {rel}:\n" + "\n".join(f"    - {p}" for p in probs) for rel, probs in report.items())
        )


CSP_VIOLATIONS_JS = """
() => new Promise((done) => setTimeout(() => done(window.__violations || []), 300))
"""
RECORD_VIOLATIONS_JS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile})`));
"""


def test_every_page_type_keeps_the_security_policy(browser, server, site):
    """The policy of buletin/headers.py is sent with every page (as _headers and the server snippets do), and
    no page type breaks it: no inline script or style, nothing from another host."""
    import urllib.request

    with urllib.request.urlopen(server.base + "2020-11/", timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
    assert policy and "unsafe-inline" not in policy
    kinds = {"home": "", "edition": "2020-11/", "article": "2020-11/pembinaan-ikm-di-masa-pandemi/",
             "page": "tentang/", "row page": "wilayah/7471/", "row list": "wilayah/", "archive": "arsip/",
             "data": "data/", "tags": "topik/", "search": "cari/?q=kelor", "404": "404.html"}
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS_JS)
    found = {}
    try:
        page = context.new_page()
        watch.attach(page)
        for kind, rel in kinds.items():
            watch.problems = []
            page.goto(server.base + rel, wait_until="load", timeout=30_000)
            page.wait_for_timeout(200 if kind != "search" else 1500)
            violations = page.evaluate(CSP_VIOLATIONS_JS) + [p for p in watch.problems if "Security Policy" in p]
            if violations:
                found[kind] = violations
    finally:
        context.close()
    assert not found, f"pages broke the security policy: {found}"


# ---------------------------------------------------------------- phones: nothing scrolls sideways

OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const limit = root.clientWidth + 0.5;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== root && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== 'visible') return true;
    }
    return false;
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) parts.unshift(name(a));
    return parts.join(' > ');
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > limit && !clipped(el)) wide.push(el);
  }
  const outer = wide.filter((el) => !wide.includes(el.parentElement));
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    offenders: outer.slice(0, 6).map((el) => {
      const r = el.getBoundingClientRect();
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
      return `${path(el)} (right edge ${Math.round(r.right)} px, width ${Math.round(r.width)} px) "${text}"`;
    }),
  };
}
"""


def test_no_page_scrolls_sideways_at_360px(browser, server, site):
    pages = html_pages(site.out)
    report: dict[str, str] = {}
    watch = Watch(server.origin)
    context = new_context(browser, watch, **PHONE_OPTIONS)
    try:
        page = context.new_page()
        for rel in pages:
            visit(page, watch, server.base + page_url(rel), settle=False)
            result = page.evaluate(OVERFLOW_JS)
            if result["scrollWidth"] > PHONE["width"] or result["clientWidth"] > PHONE["width"]:
                lines = [
                    f"scrollWidth {result['scrollWidth']} px, clientWidth {result['clientWidth']} px; widest:",
                    *(f"      {o}" for o in result["offenders"]),
                ]
                report[rel] = "\n".join(lines)
    finally:
        context.close()
    if report:
        fail(
            f"{len(report)} of {len(pages)} pages scroll sideways at 360x640:\n"
            + "\n".join(f"  {rel}: {text}" for rel, text in report.items())
        )


# ---------------------------------------------------------------- keyboard: the skip link reaches main

FOCUS_JS = """
() => {
  const el = document.activeElement;
  const main = document.querySelector('main');
  if (!el || el === document.body) return {tag: 'body'};
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    href: el.getAttribute('href'),
    text: (el.textContent || '').trim().slice(0, 60),
    inMain: !!(main && main.contains(el)),
    visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0
             && r.top < window.innerHeight && r.left < window.innerWidth,
  };
}
"""

TARGET_JS = """
(id) => {
  const t = document.getElementById(id);
  const main = document.querySelector('main');
  if (!t) return {exists: false};
  return {exists: true, related: !!main && (t === main || main.contains(t) || t.contains(main)),
          top: t.getBoundingClientRect().top, mains: document.querySelectorAll('main').length};
}
"""


@pytest.mark.parametrize("rel_url", [HOME, EDITION, ARTICLE, ARCHIVE], ids=["home", "edition", "article", "archive"])
def test_keyboard_skip_link_reaches_main(request, server, site, rel_url):
    require_page(site, rel_url, "such")
    browser = request.getfixturevalue("browser")  # after the page check: a missing page fails, never skips
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    try:
        page = open_page(context, watch, server.base + rel_url, settle=False)
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)  # let a skip link that slides in on focus arrive
        first = page.evaluate(FOCUS_JS)
        href = first.get("href") or ""
        if first["tag"] != "a" or not href.startswith("#") or len(href) < 2:
            fail(f"the first Tab should focus a skip link (<a href='#main-id'>) but focused {first}")
        if not first["visible"]:
            fail(f"the skip link is focused but not visible on screen: {first}")
        target = page.evaluate(TARGET_JS, href[1:])
        if not target["exists"]:
            fail(f"the skip link points to {href}, which is no element's id")
        if not target["related"]:
            fail(f"the skip link points to {href}, which is neither <main> nor in it")
        if target["mains"] != 1:
            fail(f"the page has {target['mains']} <main> elements, not 1")
        page.keyboard.press("Enter")
        page.wait_for_timeout(200)
        if page.evaluate("location.hash") != href:
            fail(f"activating the skip link did not go to {href}")
        after = page.evaluate(FOCUS_JS)
        if not after.get("inMain"):
            # Focus moved to a non-focusable target: the next Tab must start from there, inside main.
            page.keyboard.press("Tab")
            after = page.evaluate(FOCUS_JS)
            if not after.get("inMain"):
                fail(f"after activating the skip link, the next Tab focused {after}, which is not inside <main>")
        if watch.problems:
            fail("the page had problems:\n" + "\n".join(watch.problems))
    finally:
        context.close()


# ---------------------------------------------------------------- search finds the briefing

SEARCH_BOX = "input[type=search]:visible, [role=searchbox]:visible, input[type=text]:visible"
BRIEFING_SLUG = "pembinaan-ikm-di-masa-pandemi"
RESULTS_JS = f"""
() => [...document.querySelectorAll('a[href*="{BRIEFING_SLUG}"]')]
        .filter((a) => a.getClientRects().length > 0).map((a) => a.href)
"""


def _briefing_links(page) -> list[str]:
    try:
        return page.evaluate(RESULTS_JS)
    except Exception:  # the page is navigating (a search form was submitted): ask again on the next poll
        return []


def _wait_for_results(page, before: int, seconds: float) -> list[str]:
    for _ in range(int(seconds * 4)):
        links = _briefing_links(page)
        if len(links) > before:
            return links
        page.wait_for_timeout(250)
    return []


def test_search_finds_the_november_briefing_by_a_word_of_its_body(request, server, site):
    if not (site.out / "cari" / "index.html").is_file():
        fail("no search page at cari/index.html")
    browser = request.getfixturevalue("browser")  # after the page check: a missing page fails, never skips
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    try:
        page = open_page(context, watch, server.base + SEARCH, settle=False)
        try:
            page.locator(SEARCH_BOX).first.wait_for(state="visible", timeout=15_000)
        except Exception:
            fail("the search page shows no search box (input type=search or text) within 15 s")
        # The search page's own box (in main), not a site-wide one in the header.
        in_main = page.locator("main").locator(SEARCH_BOX)
        box = in_main.first if in_main.count() else page.locator(SEARCH_BOX).first
        before = len(_briefing_links(page))
        box.click()
        box.press_sequentially(SEARCH_WORD, delay=50)
        hrefs = _wait_for_results(page, before, 10)
        if not hrefs:  # a search that runs on submit rather than as one types
            box.press("Enter")
            hrefs = _wait_for_results(page, before, 10)
        if not hrefs:
            main = page.locator("main")
            text = (main.first if main.count() else page.locator("body")).inner_text()[:800]
            fail(
                f"typing {SEARCH_WORD!r} in the search box (and pressing Enter) listed no link to the briefing "
                f"(2020-11/{BRIEFING_SLUG}/) within 20 s; the page shows:\n{text}\nproblems: {watch.problems}"
            )
        expected = server.base + f"2020-11/{BRIEFING_SLUG}/"
        if not any(h in (expected, expected + "index.html") for h in hrefs):
            fail(f"the search result links to {hrefs}, not to {expected} (does search work under a sub-path?)")
        if watch.problems:
            fail("searching caused:\n" + "\n".join(watch.problems))
    finally:
        context.close()


# ---------------------------------------------------------------- accessibility: axe-core, WCAG 2.1 A and AA

AXE_PAGES = {
    "home": HOME,
    "edition": EDITION,
    "article": ARTICLE,
    "region": REGION,
    "search": SEARCH,
    "archive": ARCHIVE,
}


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']}) — seen at {', '.join(v['_at'])}")
        for node in v["nodes"][:12]:
            summary = " ".join((node.get("failureSummary") or "").split())[:300]
            lines.append(f"      target {node['target']}: {summary}")
        if len(v["nodes"]) > 12:
            lines.append(f"      ... and {len(v['nodes']) - 12} more nodes")
    return "\n".join(lines)


@pytest.mark.parametrize("rel_url", list(AXE_PAGES.values()), ids=list(AXE_PAGES))
def test_axe_finds_no_wcag21_aa_violations(request, server, site, rel_url):
    name = next(k for k, v in AXE_PAGES.items() if v == rel_url)
    require_page(site, rel_url, name)
    browser = request.getfixturevalue("browser")  # after the page check: a missing page fails, never skips
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    found: dict[str, dict] = {}
    engine = "axe-core"
    for label, view in (("1280px", {"viewport": DESKTOP}), ("360px", PHONE_OPTIONS)):
        watch = Watch(server.origin)
        context = new_context(browser, watch, bypass_csp=True, **view)
        try:
            page = open_page(context, watch, server.base + rel_url)
            results = axe.run(page, options=options)
        finally:
            context.close()
        engine = f"axe-core {results.response.get('testEngine', {}).get('version', '')}".strip()
        for v in results.response["violations"]:
            entry = found.setdefault(v["id"], {**v, "nodes": [], "_at": [], "_targets": set()})
            entry["_at"].append(label)
            for node in v["nodes"]:
                key = repr(node["target"])
                if key not in entry["_targets"]:
                    entry["_targets"].add(key)
                    entry["nodes"].append(node)
    if found:
        fail(
            f"{engine} found {len(found)} WCAG 2.1 A/AA violation(s) on {name} ({rel_url or './'}):\n"
            + _format_violations(list(found.values()))
        )


# ---------------------------------------------------------------- hostile text in the search index

HOSTILE_TITLE = 'Kelor</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def test_hostile_text_found_by_search_stays_text(browser, tmp_path_factory):
    """A title and a body holding markup come back from the search index as text, under the security policy."""
    import json

    from .conftest import BASE_FILES, _write

    root = tmp_path_factory.mktemp("hostile")
    site, out = root / "site", root / "www" / SUB_PATH.strip("/")
    _write(site, {**BASE_FILES, "content/2020-11/sorotan.md":
                  f"---\ntitle: {json.dumps(HOSTILE_TITLE)}\ndate: 2020-11-09\n---\n\nKelor di Muna. "
                  "&lt;img src=x onerror=window.__xss=3&gt; `<script>window.__xss=4</script>`\n"})
    built = subprocess.run([sys.executable, str(REPO / "build.py"), "--site", str(site), "--out", str(out), "-q"],
                           capture_output=True, text=True, timeout=300,
                           env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert built.returncode == 0, built.stderr
    server = serve(root / "www")
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    try:
        page = context.new_page()
        watch.attach(page)
        page.goto(server.base + "cari/?q=kelor", wait_until="load", timeout=30_000)
        page.wait_for_selector("ol.results li", timeout=15_000)
        titles = page.locator("ol.results li a").all_inner_texts()
        assert HOSTILE_TITLE in titles, titles
        assert page.evaluate("() => window.__xss") is None
        assert page.evaluate("() => document.querySelectorAll('ol.results img, ol.results script').length") == 0
        assert not [p for p in watch.problems if "Security Policy" in p], watch.problems
    finally:
        context.close()
        server.close()


# ---------------------------------------------------------------- wide screens: the table of contents beside the text

TOC_JS = """
() => {
  const toc = document.querySelector('nav.toc');
  const text = document.querySelector('.page-text');
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                        bottom: r.bottom, width: r.width}; };
  return {
    toc: toc && toc.getClientRects().length ? box(toc) : null,
    label: toc && toc.getAttribute('aria-label'),
    text: text ? box(text) : null,
    article: box(text.parentElement),
    links: toc ? toc.querySelectorAll('a').length : 0,
    scrollWidth: document.documentElement.scrollWidth,
    height: window.innerHeight,
  };
}
"""


@pytest.mark.parametrize("rel_url", [EDITION, ARTICLE], ids=["edition", "article"])
def test_wide_screens_show_the_contents_beside_the_text_in_view_as_it_scrolls(request, server, site, rel_url):
    require_page(site, rel_url, "such")
    browser = request.getfixturevalue("browser")
    watch = Watch(server.origin)
    context = new_context(browser, watch, viewport=DESKTOP)
    try:
        page = open_page(context, watch, server.base + rel_url, settle=False)
        top = page.evaluate(TOC_JS)
        assert top["toc"] is not None and top["label"] == "Daftar isi" and top["links"] >= 2, top
        assert top["toc"]["left"] >= top["text"]["right"], f"the contents are not beside the text: {top}"
        assert top["toc"]["top"] < top["height"] / 2, f"the contents do not start near the text's top: {top}"
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight * 0.6)")
        page.wait_for_timeout(100)
        scrolled = page.evaluate(TOC_JS)
        assert scrolled["text"]["top"] < 0, "the page did not scroll"
        assert 0 <= scrolled["toc"]["top"] < scrolled["height"], f"the contents scrolled out of view: {scrolled}"
        assert scrolled["toc"]["bottom"] <= scrolled["height"] + 1, f"the contents are cut off below: {scrolled}"
        # A link of the contents leads to its heading or figure (the second: far enough from the page's end).
        link = page.locator("nav.toc a").nth(1)
        target = link.get_attribute("href")
        link.click()
        page.wait_for_timeout(200)
        assert page.evaluate("location.hash") == target
        assert -2 < page.evaluate(f"document.getElementById({target[1:]!r}).getBoundingClientRect().top") < 200
        assert not watch.problems, watch.problems
    finally:
        context.close()


@pytest.mark.parametrize("rel_url", [EDITION, ARTICLE], ids=["edition", "article"])
def test_phones_see_no_contents_and_the_text_keeps_the_whole_width(request, server, site, rel_url):
    require_page(site, rel_url, "such")
    browser = request.getfixturevalue("browser")
    watch = Watch(server.origin)
    context = new_context(browser, watch, **PHONE_OPTIONS)
    try:
        page = open_page(context, watch, server.base + rel_url, settle=False)
        found = page.evaluate(TOC_JS)
        assert found["toc"] is None, f"the contents show on a phone: {found}"
        assert found["text"]["width"] == found["article"]["width"] == PHONE["width"] - 32, found
        assert found["scrollWidth"] <= PHONE["width"], found
    finally:
        context.close()


# ---------------------------------------------------------------- share links (built with base_url)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory) -> Iterator[Server]:
    from tests.browser_support import BASE_URL

    srv = serve(build_sample(tmp_path_factory, BASE_URL).root)
    yield srv
    srv.close()


@pytest.mark.parametrize("rel_url", [EDITION, ARTICLE, REGION], ids=["edition", "article", "region"])
def test_share_links_load_nothing_and_fit_a_phone(browser, shared_server, rel_url):
    """Share links are links, not requests: a page with them loads nothing from another host. On a phone each is
    a touch target of 44 px or more, and nothing scrolls sideways."""
    watch = Watch(shared_server.origin)
    context = new_context(browser, watch, **PHONE_OPTIONS)
    try:
        page = open_page(context, watch, shared_server.base + rel_url)
        nav = page.get_by_role("navigation", name="Bagikan")
        assert nav.count() == 1
        for name in ("Bagikan ke WhatsApp", "Bagikan ke Telegram", "Bagikan ke Facebook", "Bagikan ke X",
                     "Bagikan lewat surel"):
            link = nav.get_by_role("link", name=name, exact=True)
            box = link.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44, (name, box)
        copy = nav.get_by_label("Salin tautan")
        assert copy.input_value().startswith("https://example.org/buletin/") and copy.get_attribute("readonly") == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not watch.problems, watch.problems
    finally:
        context.close()
