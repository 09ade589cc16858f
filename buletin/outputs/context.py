"""What each kind of page shows besides its body: structured data for search engines, share links, lists."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from buletin.model import ArticleView, EditionView, SiteModel
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


def share_links(model: SiteModel, article: ArticleView) -> list[tuple[str, str]]:
    """Plain share links (no third-party scripts); they need the page's absolute URL."""
    from urllib.parse import quote

    url = absolute(model.config.base_url, article.path)
    if not url:
        return []
    title = quote(article.article.title)
    target = quote(url, safe="")
    return [("WhatsApp", f"https://wa.me/?text={title}%20{target}"),
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={target}"),
            ("X", f"https://x.com/intent/post?text={title}&url={target}"),
            (model.locale.text("email"), f"mailto:?subject={title}&body={target}")]


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

