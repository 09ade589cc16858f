"""The files beside the pages: the Atom feed, the release calendar as iCalendar, the sitemap, robots.txt and the
host's headers."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import escape as _escape_html
from zoneinfo import ZoneInfo

from buletin.compose.markup import plain_text
from buletin.model import ArticleView, SiteModel
from buletin.outputs.calendar import calendar_entries, calendar_ics, calendar_ics_path
from buletin.outputs.headers import HEADERS_FILE, headers_file
from buletin.urls import absolute, slugify

FEED_PATH = "feed.xml"
FEED_ENTRIES = 50


# Characters XML 1.0 does not allow at all, even escaped: a title with one (a vertical tab typed as \v in
# quotes) would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for XML element content (xml.sax.saxutils costs a heavy import for three replacements)."""
    return _escape_html(_NOT_XML.sub("", text), quote=False)


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value."""
    return f'"{_escape_html(_NOT_XML.sub("", text), quote=True)}"'


def _moment(day: dt.date | None, model: SiteModel) -> str:
    """A date at local midnight in the site's time zone, as RFC 3339."""
    if day is None:
        return model.built_at.isoformat(timespec="seconds")
    zone = ZoneInfo(model.config.timezone)
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).isoformat(timespec="seconds")


def _link(model: SiteModel, path: str) -> str:
    """Absolute where base_url is set; else relative to the feed, which sits at the site root."""
    url = absolute(model.config.base_url, path)
    if url:
        return url
    link = path[: -len("index.html")] if path.endswith("index.html") else path
    return link or "./"


def atom_feed(model: SiteModel, excerpt: Callable[[ArticleView], str]) -> bytes:
    """The newest FEED_ENTRIES articles, with id, title, updated date, link, authors and summary.

    Feed readers fetch the feed again and again, often on phones: the archive is on the site, not in it.
    """
    config = model.config
    articles = model.articles[:FEED_ENTRIES]
    updated = _moment(articles[0].article.date, model) if articles else _moment(None, model)
    site_id = config.base_url or f"tag:buletin,2000:{slugify(config.title) or 'site'}"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
             f"<title>{escape(config.title)}</title>", f"<id>{escape(site_id)}</id>",
             f"<updated>{updated}</updated>",
             f'<link rel="alternate" type="text/html" href={quoteattr(_link(model, "index.html"))}/>']
    if config.base_url:
        lines.append(f'<link rel="self" type="application/atom+xml" href={quoteattr(config.base_url + FEED_PATH)}/>')
    if config.description:
        lines.append(f"<subtitle>{escape(config.description)}</subtitle>")
    if config.publisher:
        lines.append(f"<author><name>{escape(config.publisher)}</name></author>")
    if config.license:
        lines.append(f"<rights>{escape(config.license)}</rights>")
    for view in articles:
        article = view.article
        link = _link(model, view.path)
        entry_id = absolute(config.base_url, view.path) or f"tag:buletin,{article.date or '2000-01-01'}:{view.path}"
        lines += ["<entry>", f"<title>{escape(article.title)}</title>", f"<id>{escape(entry_id)}</id>",
                  f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
                  f"<published>{_moment(article.date, model)}</published>",
                  f"<updated>{_moment(article.date, model)}</updated>"]
        lines += [f"<author><name>{escape(name)}</name></author>" for name in article.authors]
        lines += [f"<category term={quoteattr(tag)}/>" for tag in article.tags]
        summary = view.summary or excerpt(view)
        if summary:
            lines.append(f"<summary>{escape(summary)}</summary>")
        lines.append("</entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap(model: SiteModel, page_paths: list[str]) -> bytes | None:
    """sitemap.xml over every HTML page but 404; only when base_url is set."""
    if not model.config.base_url:
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(page_paths):
        if path.endswith(".html") and path != "404.html":
            lines.append(f"<url><loc>{escape(absolute(model.config.base_url, path) or '')}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(model: SiteModel) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if model.config.base_url:
        text += f"Sitemap: {model.config.base_url}sitemap.xml\n"
    return text.encode("utf-8")


def site_files(model: SiteModel, page_paths: list[str]) -> dict[str, bytes]:
    """The feed, the calendar, robots.txt, the headers and, with a base_url, the sitemap, by path."""
    files = {calendar_ics_path(model.locale): calendar_ics(model, calendar_entries(model, model.upcoming)),
             FEED_PATH: atom_feed(model, lambda article: plain_text(article.body.html, 280)),
             "robots.txt": robots(model), HEADERS_FILE: headers_file()}
    site_map = sitemap(model, page_paths)
    if site_map:
        files["sitemap.xml"] = site_map
    return files
