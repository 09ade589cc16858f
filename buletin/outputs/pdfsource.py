"""The data of an edition's PDF: one JSON document (words, cover, revision, main points, headline figures,
each body as blocks) and the bytes of its charts and pictures, as `PdfSource`.

Every text shown is data here; the Typst template (theme/pdf/edition.typ) only lays it out, so no text of a
site is ever read as Typst markup. Making a source is cheap and pure: the same view and date give the same
source.
"""
from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buletin.compose.charts import x_text  # formatting only; matplotlib is imported when drawing
from buletin.compose.composer import Headline
from buletin.i18n import Locale
from buletin.model import ArticleView, EditionView, FigureRef, SiteModel
from buletin.outputs import pdfhtml
from buletin.urls import absolute

TEMPLATE = Path(__file__).parent.parent / "theme" / "pdf" / "edition.typ"
_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')


@dataclass(frozen=True)
class PdfSource:
    """Everything one edition's PDF is made from: the template, the document as JSON, and the charts' and
    pictures' data (`t...` keys an SVG's text, `b...` keys a picture's bytes). Picklable, so a worker process
    can compile it, and keyable (build.state.make_key)."""

    template: str
    doc: str
    assets: tuple[tuple[str, str | bytes], ...]  # key -> an SVG's text (`t...`, a sys.inputs) or a picture's bytes
    pictures: tuple[str, ...] = ()  # keys of the pictures of bodies (not charts): shown as text if unreadable
    timestamp: int = 0  # the document's date (UNIX seconds), for anything Typst would otherwise take the clock for


def pdf_source(model: SiteModel, view: EditionView, built_at: dt.datetime) -> PdfSource:
    """The data of one edition's PDF. Its date is the edition's release date (so the file changes only when
    the edition does), else the day of `built_at`."""
    locale = model.locale
    words = locale.strings
    assets = Assets()
    date = document_date(model, view, built_at)
    doc: dict[str, Any] = {
        "lang": locale.language,
        "title": view.title,
        "author": model.config.publisher or model.config.title,
        "date": [date.year, date.month, date.day],
        "words": {key: words[key] for key in ("page_of", "main_points", "figures", "in_this_edition")},
        "footer": f"{model.config.title} · {view.title}",
        "cover": _cover(model, view, words),
        "revision": _revision(model, view, words),
        "summary": view.summary,
        "highlights": [pdfhtml.inlines(text, _page(model, view.path, (), assets)) for text in view.highlights],
        "cards": [_card(card, words) for card in view.headlines],
        "body": body_blocks(model, view.path, view.body.html, view.figures, assets),
        "articles": [_article(model, article, assets) for article in view.articles],
    }
    timestamp = int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc).timestamp())
    return PdfSource(TEMPLATE.read_text(encoding="utf-8"), json_text(doc), assets.items(), assets.pictures(),
                     timestamp)


def document_date(model: SiteModel, view: EditionView, built_at: dt.datetime) -> dt.date:
    """The PDF's date: the edition's release date, else the build's day where the site is."""
    if view.released:
        return view.released
    from zoneinfo import ZoneInfo

    return built_at.astimezone(ZoneInfo(model.config.timezone)).date() if built_at.tzinfo else built_at.date()


def _cover(model: SiteModel, view: EditionView, words: dict[str, str]) -> dict[str, Any]:
    config, locale = model.config, model.locale
    first = view.period_text
    if view.released:
        first += f" · {words['released']} {locale.date(view.released)}"
    meta = [first]
    if config.publisher:
        meta.append(f"{words['publisher']}: {config.publisher}")
    statuses = _statuses(view)
    if statuses:
        meta.append(f"{words['status']}: {', '.join(statuses)}")
    if view.edition.status == "published":
        meta.append(words["frozen"])
    banners = []
    if view.edition.status == "draft":
        banners.append(words["draft"])
    if config.notice:
        banners.append(f"{words['note']}: {config.notice}")
    return {"site": config.title, "title": view.title, "meta": meta, "banners": banners,
            "url": absolute(config.base_url, view.path)}


def _statuses(view: EditionView) -> list[str]:
    """The data statuses (sementara, tetap) of the edition's headline figures and of every figure it shows."""
    found = [card.status for card in view.headlines if card.status]
    refs = [*view.figures, *(ref for article in view.articles for ref in article.figures)]
    found += [status for ref in refs for status in ref.figure.series.statuses]
    return list(dict.fromkeys(found))


def _revision(model: SiteModel, view: EditionView, words: dict[str, str]) -> dict[str, Any] | None:
    revision = view.revision
    if not revision:
        return None
    locale = model.locale
    heading, lead = ("revised", "revised_text") if revision.datasets else ("finalised", "finalised_text")
    title = words[heading] + (f" · {locale.short_date(revision.date)}" if revision.date else "") + "."
    names = []
    for name in revision.datasets or revision.finalised:
        spec = model.catalog.spec(name)
        names.append(spec.title if spec and spec.title else name)
    text = f"{words[lead].format(period=view.period_text)} {'; '.join(names)}. {words['revised_keep']}"
    items = [f"{f.description}: {words['was']} {_number(locale, f.old, f.digits)}, "
             f"{words['now']} {_number(locale, f.new, f.digits)}" for f in revision.figures]
    url = absolute(model.config.base_url, "data/index.html")
    link = {"u": f"{url}#{revision.datasets[0]}", "text": f"{words['current_figures']}: {url}"} \
        if url and revision.datasets else None
    return {"title": title, "text": text, "items": items, "link": link}


def _number(locale: Locale, value: float, digits: int) -> str:
    return "–" if value != value else locale.number(value, digits)


def _card(card: Headline, words: dict[str, str]) -> dict[str, Any]:
    """A headline figure as the edition page shows it: value, label (unit, status), change."""
    label = card.label
    if card.unit and card.unit not in card.label:
        label += f" ({card.unit})"
    if card.status:
        label += f" · {card.status}"
    change = None
    if card.direction != "none":
        arrow = {"up": "▲", "down": "▼", "flat": "●"}.get(card.direction, "")
        if card.direction == "flat":
            change = f"{arrow} {words['unchanged']} {words['from']} {card.compared_with}"
        else:
            change = f"{arrow} {words[card.direction]} {card.change_text} {words['from']} {card.compared_with}"
    return {"value": card.value_text, "label": label, "change": change, "direction": card.direction}


def _article(model: SiteModel, view: ArticleView, assets: Assets) -> dict[str, Any]:
    locale, words = model.locale, model.locale.strings
    article, info = view.article, view.article.info
    meta = []
    if article.date:
        meta.append(locale.date(article.date))
    credits = []
    if article.authors:
        credits.append(f"{words['reporter']}: {', '.join(article.authors)}")
    if info.editor:
        credits.append(f"{words['editor']}: {info.editor}")
    if credits:
        meta.append(" · ".join(credits))
    body = body_blocks(model, view.path, view.body.html, view.figures, assets)
    if info.location:
        _put_dateline(body, f"{info.location.upper()} –")
    photo = None
    if info.image:
        data = model.files.get(posixpath.join(posixpath.dirname(view.path), posixpath.basename(info.image)))
        notes = [" ".join(part for part in (info.image_caption, info.image_credit) if part)]
        photo = _picture(data, info.image_alt, [n for n in notes if n], assets)
    return {"title": article.title, "meta": meta, "photo": photo, "body": body}


def _put_dateline(blocks: list[dict[str, Any]], dateline: str) -> None:
    """The dateline in capitals before the first sentence ("KENDARI –"), as the article page has it."""
    mark = {"k": "strong", "c": [{"k": "t", "s": dateline}]}
    for block in blocks:
        if block["k"] == "p":
            block["c"][:0] = [mark, {"k": "t", "s": " "}]
            return
    blocks.insert(0, {"k": "p", "c": [mark]})


class Assets:
    """The charts' and pictures' bytes, each once, under the sys.inputs key the document names."""

    def __init__(self) -> None:
        self._keys: dict[bytes, str] = {}
        self._texts: dict[str, str | bytes] = {}
        self._pictures: set[str] = set()

    def add(self, data: bytes, picture: bool = False) -> str:
        key = self._keys.get(data)
        if key is None:
            kept: str | bytes
            try:
                key, kept = f"t{len(self._keys)}", data.decode("utf-8")
            except UnicodeDecodeError:  # a picture: a file of Typst's root (pdf._picture_root)
                key, kept = f"b{len(self._keys)}", data
            self._keys[data], self._texts[key] = key, kept
        if picture:
            self._pictures.add(key)
        return key

    def items(self) -> tuple[tuple[str, str | bytes], ...]:
        return tuple(self._texts.items())

    def pictures(self) -> tuple[str, ...]:
        return tuple(sorted(self._pictures))


def _picture(data: bytes | None, alt: str, notes: list[str], assets: Assets) -> dict[str, Any]:
    """A picture node: its bytes when Typst reads that kind of file, else only its text alternative."""
    kind = _image_format(data) if data else None
    key = assets.add(data, picture=True) if data and kind else None
    return {"k": "img", "a": key, "f": kind or "", "alt": alt, "notes": notes}


def _image_format(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"<svg" in data[:4096]:
        return "svg"
    return None  # AVIF and others: Typst does not read them


def _figure(ref: FigureRef, model: SiteModel, assets: Assets) -> dict[str, Any]:
    """A chart or a table with its number, title and notes (caption, source, data status, notice)."""
    figure, spec, words, locale = ref.figure, ref.figure.spec, model.locale.strings, model.locale
    notes = []
    if spec.caption:
        notes.append(spec.caption)
    if figure.source:
        notes.append(f"{words['source']}: {figure.source}")
    if figure.series.statuses:
        notes.append(f"{words['status']}: {', '.join(figure.series.statuses)}")
    if model.config.notice:
        notes.append(f"{words['note']}: {model.config.notice}")
    notes.extend(f"{words['note']}: {note}" for note in figure.notes)  # data/catatan.yaml, as on the web
    node: dict[str, Any] = {"k": "fig", "label": ref.label, "title": spec.title or "", "alt": figure.alt,
                            "notes": notes, "svg": None, "w": 0, "table": None}
    size = _SVG_SIZE.search(figure.svg or b"")
    if figure.svg is not None and size:
        node["svg"], node["w"] = assets.add(figure.svg), float(size.group(1))
    else:
        series = figure.series
        digits = list(figure.column_digits) or [figure.digits] * len(series.columns)
        labels = x_text(series, locale)
        rows = [[labels[i], *(_number(locale, value, digits[j] if j < len(digits) else figure.digits)
                              for j, value in enumerate(row))] for i, row in enumerate(series.values)]
        node["table"] = {"head": [figure.x_title or series.x, *series.column_labels], "rows": rows}
    return node


def body_blocks(model: SiteModel, path: str, html: str, figures: tuple[FigureRef, ...], assets: Assets) -> list:
    """The body of the page at `path` as blocks, its figures where their placeholders stand."""
    return pdfhtml.blocks(html, _page(model, path, figures, assets))


def _page(model: SiteModel, path: str, figures: tuple[FigureRef, ...], assets: Assets) -> pdfhtml.Page:
    def figure(index: int) -> dict[str, Any] | None:
        return _figure(figures[index], model, assets) if index < len(figures) else None

    return pdfhtml.Page(path, absolute(model.config.base_url, path), model.files, figure,
                        lambda data, alt, notes: _picture(data, alt, notes, assets))


def json_text(doc: dict[str, Any]) -> str:
    """The document as compact JSON, keys sorted: the same document, the same text."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
