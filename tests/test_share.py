"""What pages carry beside their text: plain share links (issue 12 part 4) and the table of contents (part 5).

Share links are ordinary links with the page's absolute address, so they exist only with a base_url; nothing
is loaded from another host until a reader follows one. The table of contents lists a page's headings and
figures, each a link to an id of the page.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

from buletin.i18n import Locale
from buletin.outputs.context import share_links

from .conftest import ARTICLE_MD, BASE_FILES, FIXED_EPOCH, SITE_YAML, _run, write_files

BASE_URL = "https://contoh.go.id/buletin/"
TITLE = "Kopi & kelor: naik 5%? #IKM + UMKM/Muna"  # every character a URL gives a meaning to
ROW_PAGE = """\
---
title: "Profil {{ row.nama }}"
each: {data: wilayah, key: kode, title: Profil wilayah}
---

Unit usaha di {{ row.nama }}.
"""
EDITION_BODY = """\
---
summary: Edisi uji November 2020.
---

Ringkasan edisi November 2020.

## Jumlah *unit* usaha

```chart
title: Unit usaha per wilayah, November 2020
type: bar
data: ikm
filter: {periode: "2020-11"}
x: kode_wilayah
y: unit_usaha
```

### Menurut wilayah

Teks.
"""
SITE_FILES = {
    **BASE_FILES,
    "site.yaml": SITE_YAML + "pdf: true\n",
    "content/2020-11/index.md": EDITION_BODY,
    "content/2020-11/sorotan.md": ARTICLE_MD.replace("title: Sorotan IKM November", f"title: {TITLE!r}"),
    "content/pages/wilayah.md": ROW_PAGE,
}
PAGES = {"edition": "2020-11/index.html", "article": "2020-11/sorotan/index.html",
         "row": "wilayah/7401/index.html"}
SAFE = re.compile(r"^[A-Za-z0-9%._~-]*$")  # a query value as it must be written: reserved characters encoded


def build(root: Path, *more: str) -> Path:
    site, out = root / "site", root / "out"
    write_files(site, SITE_FILES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        result = _run("build", "--site", site, "--out", out, "--quiet", *more)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def with_base(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("share-base"), "--base-url", BASE_URL)


@pytest.fixture(scope="module")
def without_base(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("share-none"))


class Furniture(HTMLParser):
    """The share group (its label, links and copy field), the table of contents, every id and every load."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.texts: dict[str, str] = {}  # id -> text of the element
        self.share: dict | None = None
        self.toc: dict | None = None
        self.loads: list[str] = []  # what the page makes a browser fetch
        self._open: list[tuple[str, str | None, dict | None]] = []  # tag, id, the link being read
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
            self.texts[a["id"]] = ""
        if tag == "nav" and "share" in (a.get("class") or "").split():
            self.share = {"labelledby": a.get("aria-labelledby"), "links": [], "inputs": []}
        if tag == "nav" and "toc" in (a.get("class") or "").split():
            self.toc = {"label": a.get("aria-label"), "links": []}
        if tag == "a" and self._within("nav"):
            self._link = {**a, "text": ""}
            target = self.toc if self._in_class("toc") else self.share
            if target is not None:
                target["links"].append(self._link)
        if tag == "input" and self.share is not None and self._in_class("share"):
            self.share["inputs"].append(a)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and (a.get("src") or a.get("data")):
            self.loads.append(a.get("src") or a.get("data"))
        if tag == "link" and set((a.get("rel") or "").split()) & {"stylesheet", "icon", "preload", "modulepreload"}:
            self.loads.append(a["href"])
        if tag not in ("img", "input", "link", "meta", "br", "hr", "source", "wbr"):
            self._open.append((tag, a.get("id"), a.get("class")))

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data
        for _, element_id, _ in self._open:
            if element_id:
                self.texts[element_id] += data

    def _within(self, tag: str) -> bool:
        return any(t == tag for t, _, _ in self._open)

    def _in_class(self, name: str) -> bool:
        return any(name in (c or "").split() for _, _, c in self._open)


def furniture(out: Path, rel: str) -> Furniture:
    parser = Furniture()
    parser.feed((out / rel).read_text(encoding="utf-8"))
    return parser


def query(url: str) -> dict[str, str]:
    """A share address's parameters, each checked to be percent-encoded, then decoded (a + stays a +)."""
    found = {}
    for pair in urlsplit(url).query.split("&"):
        name, _, value = pair.partition("=")
        assert SAFE.match(value), f"{name}={value!r} in {url} is not percent-encoded"
        found[name] = unquote(value)
    return found


# ---------------------------------------------------------------- share links


@pytest.mark.parametrize("kind", list(PAGES))
def test_pages_share_their_address_and_title(with_base, kind):
    rel = PAGES[kind]
    page = furniture(with_base, rel)
    url = BASE_URL + rel.removesuffix("index.html")
    title = {"edition": "Edisi November 2020", "article": TITLE, "row": "Profil Buton"}[kind]
    subject = f"{title} · Buletin Uji"
    share = page.share
    assert share is not None, f"{rel} has no share group"
    assert page.texts[share["labelledby"]].strip() == "Bagikan"
    links = [link for link in share["links"] if not link["href"].endswith(".pdf")]
    assert [link["text"] for link in links] == ["WhatsApp", "Telegram", "Facebook", "X", "Surel"]
    assert [link["aria-label"] for link in links] == ["Bagikan ke WhatsApp", "Bagikan ke Telegram",
                                                      "Bagikan ke Facebook", "Bagikan ke X", "Bagikan lewat surel"]
    assert all(link["rel"] == "noopener" for link in links)
    whatsapp, telegram, facebook, x, email = (link["href"] for link in links)
    assert whatsapp.startswith("https://wa.me/?") and query(whatsapp) == {"text": f"{subject} {url}"}
    assert telegram.startswith("https://t.me/share/url?") and query(telegram) == {"url": url, "text": subject}
    assert facebook.startswith("https://www.facebook.com/sharer/sharer.php?") and query(facebook) == {"u": url}
    assert x.startswith("https://x.com/intent/post?") and query(x) == {"url": url, "text": subject}
    assert email.startswith("mailto:?") and query(email) == {"subject": subject, "body": url}
    [copy] = share["inputs"]
    assert copy["value"] == url and "readonly" in copy and page.texts.get(copy["id"]) is not None
    assert page.loads and not [src for src in page.loads if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", src, re.I)]


def test_the_title_is_encoded_in_every_share_address(with_base):
    html = (with_base / PAGES["article"]).read_text(encoding="utf-8")
    encoded = "Kopi%20%26%20kelor%3A%20naik%205%25%3F%20%23IKM%20%2B%20UMKM%2FMuna%20%C2%B7%20Buletin%20Uji"
    assert html.count(encoded) == 4  # WhatsApp (with the address after it), Telegram, X, e-mail; Facebook: none
    assert "https://wa.me/?text=" + encoded + "%20https%3A%2F%2Fcontoh.go.id%2Fbuletin%2F2020-11%2Fsorotan%2F" in html
    assert '&amp;text=' + encoded in html  # the & between parameters escaped in HTML


def test_the_edition_offers_its_pdf_beside_the_share_links(with_base):
    share = furniture(with_base, PAGES["edition"]).share
    [pdf] = [link for link in share["links"] if link["href"].endswith(".pdf")]
    size = (with_base / "2020-11/buletin-uji-2020-11.pdf").stat().st_size
    assert pdf["href"] == "buletin-uji-2020-11.pdf" and "download" in pdf
    assert pdf["text"] == f"Unduh PDF (PDF, {round(size / 1024)} KB)"


def test_other_pages_have_no_share_links(with_base):
    for rel in ("index.html", "tentang/index.html", "wilayah/index.html", "arsip/index.html", "data/index.html"):
        assert furniture(with_base, rel).share is None, rel


def test_without_base_url_there_are_no_share_links(without_base):
    for path in sorted(without_base.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert 'class="share"' not in html and "wa.me" not in html and "mailto:" not in html, path


def test_an_english_site_says_share_on():
    model = SimpleNamespace(config=SimpleNamespace(base_url="https://example.org/b/", title="Bulletin"),
                            locale=Locale("en"))
    links = share_links(model, "2020-11/a/index.html", "Bulletin")  # the site's own title is not repeated
    assert [(name, label) for name, label, _ in links] == [
        ("WhatsApp", "Share on WhatsApp"), ("Telegram", "Share on Telegram"), ("Facebook", "Share on Facebook"),
        ("X", "Share on X"), ("E-mail", "Share by e-mail")]
    assert links[0][2] == "https://wa.me/?text=Bulletin%20https%3A%2F%2Fexample.org%2Fb%2F2020-11%2Fa%2F"
    model.config.base_url = None
    assert share_links(model, "2020-11/a/index.html", "Bulletin") == []


# ---------------------------------------------------------------- the table of contents


def test_the_edition_lists_its_sections_headings_and_figures(without_base):
    page = furniture(without_base, PAGES["edition"])
    toc = page.toc
    assert toc is not None and toc["label"] == "Daftar isi"
    assert [link["text"] for link in toc["links"]] == [
        "Jumlah unit usaha", "Gambar 1. Unit usaha per wilayah, November 2020", "Menurut wilayah", "Artikel",
        "Data yang digunakan", "Kutip edisi ini"]
    targets = [link["href"].removeprefix("#") for link in toc["links"]]
    assert all(link["href"].startswith("#") for link in toc["links"])
    assert [page.ids.index(target) for target in targets] == sorted(page.ids.index(t) for t in targets)
    assert page.texts["gambar-1"].strip().startswith("Gambar 1. Unit usaha per wilayah")


def test_a_page_with_one_entry_or_none_has_no_table_of_contents(without_base):
    article = furniture(without_base, PAGES["article"])  # one figure, no heading
    assert article.toc is None and [i for i in article.ids if i == "gambar-1"]
    assert furniture(without_base, "tentang/index.html").toc is None


LEAD_EDITION = """\
---
summary: Edisi uji November 2020.
---

Ringkasan.

```chart
title: Dua wilayah terbesar
type: table
data: ikm
filter: {periode: "2020-11"}
x: kode_wilayah
y: unit_usaha
```
"""
NO_FIGURE_ARTICLE = "---\ntitle: Catatan awal\ndate: 2020-11-20\n---\n\nTanpa grafik.\n"


def test_the_home_page_shows_the_lead_chart_its_sharing_card_draws(make_site, run_cli, tmp_path):
    """One rule makes an edition's lead chart, for its sharing card and the home page: its first chart that is not
    a table, in its own body or else its articles'. The home page showed the edition's table (its first figure)
    under "Grafik utama", while the card drew an article's chart."""
    site = make_site({"site.yaml": SITE_YAML + f"base_url: {BASE_URL}\n", "content/2020-11/index.md": LEAD_EDITION,
                      "content/2020-11/awal.md": NO_FIGURE_ARTICLE})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--quiet")
    assert result.code == 0, result.err
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    lead = re.search(r'<section aria-label="Grafik utama">(.*?)</section>', home, re.S)
    assert lead is not None, "the home page shows no lead chart"
    assert "Unit usaha per wilayah" in lead.group(1) and "Dua wilayah terbesar" not in lead.group(1)
    assert len(list((tmp_path / "out/2020-11").glob("kartu-*.png"))) == 1
