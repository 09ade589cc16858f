"""What each kind of page shows besides its body: structured data for search engines, share links, the table
of contents, lists."""
from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from buletin.model import ArticleView, EditionView, FigureRef, SiteModel
from buletin.urls import absolute, slugify


def news_article(model: SiteModel, article: ArticleView, edition: EditionView) -> dict[str, Any]:
    """schema.org NewsArticle for search engines."""
    config, meta = model.config, article.article
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": meta.title,
        "inLanguage": config.language, "isPartOf": {"@type": "PublicationIssue", "name": edition.title},
        "author": [{"@type": "Person", "name": name} for name in meta.authors],
        "publisher": {"@type": "Organization", "name": config.publisher or config.title},
    }
    if meta.date:
        data["datePublished"] = meta.date.isoformat()
    if meta.info.summary:
        data["description"] = meta.info.summary
    url = absolute(config.base_url, article.path)
    if url:
        data["url"] = url
    return data


def datasets_jsonld(model: SiteModel, downloads: list) -> dict[str, Any]:
    """schema.org Dataset for each download, for dataset search engines."""
    config = model.config
    items = []
    for d in downloads:
        url = absolute(config.base_url, d.csv_path) or d.csv_path.removeprefix("data/")
        licences = list(d.spec.licenses or model.catalog.package.licenses)
        item = {"@type": "Dataset", "name": d.spec.title, "description": d.spec.description or d.spec.title,
                "creator": {"@type": "Organization", "name": config.publisher or config.title},
                "distribution": [{"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": url}]}
        if licences:
            item["license"] = licences[0]
        items.append(item)
    return {"@context": "https://schema.org", "@graph": items}


def dateline(html: str, article: ArticleView) -> str:
    """Put the dateline in capitals before the first sentence: "KENDARI –"."""
    location = article.article.info.location
    if not location or "<p>" not in html:
        return html
    return html.replace("<p>", f'<p><span class="dateline">{_escape(location.upper())} –</span> ', 1)


def _escape(text: str) -> str:
    return str(Markup.escape(text))


def share_links(model: SiteModel, path: str, title: str) -> list[tuple[str, str, str]]:
    """Plain share links for the page at `path`, WhatsApp first: (name, accessible name, URL). No script, and
    nothing is loaded from another host until a reader follows one. None without base_url: a share needs the
    page's absolute address."""
    url = absolute(model.config.base_url, path)
    if not url:
        return []
    text, site = model.locale.text, model.config.title
    subject = title if title == site else f"{title} · {site}"
    address, words = quote(url, safe=""), quote(subject, safe="")
    found = [(name, text("share_on").format(name=name), link) for name, link in (
        ("WhatsApp", f"https://wa.me/?text={quote(f'{subject} {url}', safe='')}"),
        ("Telegram", f"https://t.me/share/url?url={address}&text={words}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={address}"),
        ("X", f"https://x.com/intent/post?url={address}&text={words}"),
    )]
    return [*found, (text("email"), text("share_email"), f"mailto:?subject={words}&body={address}")]


def figure_anchor(ref: FigureRef) -> str:
    """A figure's id on its page: gambar-1, tabel-2."""
    return ref.label.lower().replace(" ", "-")


# A heading's text stops at the next heading: an unclosed <h2> repeated would otherwise make the search quadratic.
_CONTENTS = re.compile(r'<h([23])\b[^<>]*?\sid="([^"]+)"[^<>]*>((?:(?!<h[1-6]\b).)*?)</h\1>|BULETINFIGURE(\d+)X', re.S)
_TAG = re.compile(r"<[^>]+>")


def contents(html: str, figures: tuple[FigureRef, ...]) -> list[tuple[str, str, str]]:
    """A body's headings (h2, h3) and figures in order, as (kind, id, text): what its table of contents lists.
    A heading without an id is left out (the toc extension gives each one)."""
    found = []
    for match in _CONTENTS.finditer(html):
        if match.group(4) is not None:
            index = int(match.group(4))
            if index < len(figures):
                ref = figures[index]
                title = ref.figure.spec.title
                found.append(("figure", figure_anchor(ref), f"{ref.label}. {title}" if title else ref.label))
            continue
        words = " ".join(unescape(_TAG.sub("", match.group(3))).split())
        if words:
            found.append((f"h{match.group(1)}", unescape(match.group(2)), words))
    return found


def by_tag(model: SiteModel) -> list[tuple[str, str, list[ArticleView]]]:
    """(slug, name as first written, articles newest first) for every tag, in alphabetical order."""
    names: dict[str, str] = {}
    tags: dict[str, dict[str, ArticleView]] = {}  # by path: an article listed once under a tag
    for view in model.articles:
        for tag in view.article.tags:
            slug = slugify(tag)
            names.setdefault(slug, tag)
            tags.setdefault(slug, {}).setdefault(view.path, view)
    return [(slug, names[slug], list(tags[slug].values())) for slug in sorted(tags) if slug]


def by_year(editions: tuple[EditionView, ...]) -> list[tuple[int, list[EditionView]]]:
    years: dict[int, list[EditionView]] = {}
    for view in editions:
        years.setdefault(view.edition.period.year, []).append(view)
    return sorted(years.items(), reverse=True)

