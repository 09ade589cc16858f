"""What each page shows, as digests, so a page whose inputs did not change is not rendered again.

A page's key covers the site (templates, config, assets, the data's declarations, every page's title, dates, tags
and summary: what menus, lists and neighbours show, and the editions scheduled ahead) and the page's own: for an
edition, article or page, its body and figures (the rest of its context is made from the site's metadata), and
for an edition also its headline figures, main points and sharing image, the last of which its articles show; for the
home page, the latest edition's figures, main points and lead chart; for another page, its context (the data
page's: the downloads), where a view stands for its metadata. So an edited body renders only its own page
again, and a changed number only the pages that show it. No theme template shows another page's body, figures,
headline figures or main points but the home page; a site template that may reach for them, or for the model's
`files` (outputs/templatereach.py reads its syntax tree), turns the cache off, as the keys do not follow it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buletin.build import lastbuild
from buletin.build.state import BuildState, Unkeyable, output_name
from buletin.inputs.content import Document
from buletin.inputs.paths import listed_stamp, refusal
from buletin.model import ArticleView, EditionView, FigureRef, PageView, RowIndex, SiteModel, views
from buletin.outputs.manifest import Digests
from buletin.outputs.templatereach import reaches_off_key

View = ArticleView | EditionView | PageView
# What a view's own page shows (and, for the latest edition, the home page), not lists and neighbours: the page's
# own key covers these (PageKeys.own, PageKeys.home)
_OWN = ("edition", "article", "page", "body", "figures", "articles", "related", "headlines", "highlights", "card_path",
        "lead")


class Deferred:
    """Markup made only when a template prints it (`__html__`); `parts` is what it is made from."""

    def __init__(self, make: Callable[[], str], *parts: Any):
        self.make = make
        self.parts = parts

    def __html__(self) -> str:
        return self.make()

    def __str__(self) -> str:
        return self.make()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def figure_digest(ref: FigureRef) -> str:
    """A figure as printed: its files' names carry the hash of their bytes."""
    figure = ref.figure
    return _sha(repr((ref.label, ref.svg_path, ref.csv_path, ref.folder, figure.spec, figure.series, figure.alt,
                      figure.digits, figure.column_digits, figure.number, figure.source, figure.x_title,
                      figure.notes)))


def meta_digest(view: View) -> str:
    """A view's metadata: everything lists and neighbours may show of it, not its body."""
    document = view.document
    own = {f.name: getattr(document, f.name) for f in dataclasses.fields(document)
           if f.name not in ("body", "articles", "key_lines")}
    shown = {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.name not in _OWN}
    related = [a.path for a in getattr(view, "related", [])]
    # an edition's articles as its folder holds them, drafts and future ones too (`latest.edition.articles`)
    held = [(a.source, a.slug, a.info, a.meta) for a in getattr(document, "articles", [])]
    return _sha(repr((type(view).__name__, sorted(own.items()), sorted(shown.items(), key=lambda kv: kv[0]),
                      related, held)))


def upcoming_digest(model: SiteModel) -> str:
    """The editions scheduled after today, as the release calendar (or a site template) may show them."""
    def own(doc: Document) -> tuple:
        return doc.source, sorted(doc.meta.items()), doc.body

    return _sha(repr([(own(e), e.period, e.info, [(own(a), a.slug, a.info) for a in e.articles])
                      for e in model.upcoming]))


class PageKeys:
    """The digests of one build's model: `site` for what every page may show, `context()` for one page's own."""

    def __init__(self, model: SiteModel, extra: Any):
        self.meta = {id(view): meta_digest(view) for view in views(model)}
        # the pages show only the year of the build time (an edition's citation): keyed by the second, outside a
        # git checkout no page was ever reused (a site's template that names built_at is not
        # trusted: templatereach)
        self.site = _sha(repr((model.config, model.locale.language, model.built_at.year, model.catalog.package,
                               [(i.path, i.title, [r.path for r in i.rows]) for i in model.row_indexes],
                               [self.meta[id(v)] for v in views(model)], upcoming_digest(model), extra)))

    def own(self, view: View, edition: EditionView | None = None) -> str:
        """What an edition's, article's or page's own page shows beyond the site's metadata: its body and figures;
        an edition's page also its headline figures, main points and sharing image, an article's page its
        edition's sharing image (`edition`). (Everything else in its context is made from the model's metadata,
        which the site digest covers, its own too: the page's key names its place in the model.)"""
        if isinstance(view, EditionView):
            shown: tuple | None = (view.headlines, view.highlights, view.card_path)
        else:
            shown = (edition.card_path,) if edition is not None else None
        return _sha(repr((_sha(view.body.html), [figure_digest(ref) for ref in view.figures], shown)))

    @staticmethod
    def home(model: SiteModel) -> str:
        """What the home page shows of the latest edition beyond its metadata: its headline figures, main points
        and lead chart (its first figure, else its first article's)."""
        if not model.editions:
            return ""
        latest = model.editions[0]
        lead = figure_digest(latest.lead) if latest.lead else None
        return _sha(repr((latest.headlines, latest.highlights, lead)))

    def context(self, value: Any) -> Any:
        """A JSON-able stand-in for a template context: views by their metadata, long text by its hash."""
        if id(value) in self.meta and isinstance(value, (ArticleView, EditionView, PageView)):
            return self.meta[id(value)]
        if isinstance(value, Deferred):
            return self.context(list(value.parts))
        if isinstance(value, str):
            return value if len(value) < 200 else _sha(value)
        if isinstance(value, dict):  # the renderer itself is the same for every page
            return {str(k): self.context(v) for k, v in value.items() if k != "render"}
        if isinstance(value, (list, tuple)):
            return [self.context(v) for v in value]
        if isinstance(value, FigureRef):
            return figure_digest(value)
        if isinstance(value, RowIndex):  # a list of the pages made from rows: each stands for its metadata
            return [self.context(value.page), value.path, value.title, [self.context(v) for v in value.rows]]
        if value is None or isinstance(value, (int, float, bool)):
            return value
        if dataclasses.is_dataclass(value):
            return _sha(repr(value))
        raise Unkeyable(f"a page's key cannot stand for a {type(value).__qualname__}")


def template_sources(site_templates: Path, theme_templates: Path) -> tuple[list[tuple[str, str]], bool]:
    """Every template's digest (for the keys), and whether the page cache can be trusted with the site's own: every
    file the site's template loader can load is read, those under `assets/` too (an include may name one)."""
    sources, trusted = [], True
    for label, folder in (("site", site_templates), ("theme", theme_templates)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or (folder == site_templates and refusal(site_templates.parent, path) is not None):
                continue
            data = path.read_bytes()
            sources.append((f"{label}:{path.relative_to(folder).as_posix()}", hashlib.sha256(data).hexdigest()))
            if folder == site_templates and trusted and (b"{{" in data or b"{%" in data):
                trusted = not reaches_off_key(_template_text(data))
    return sources, trusted


def _template_text(data: bytes) -> str:
    """A file's text as Jinja would load it; none for a picture or a font of assets/, which Jinja cannot load,
    though its bytes may hold `{{` (decoding 2 MB of them with replacement characters took 30 ms)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


class LastOutput:
    """The pages the last build wrote into the output folder, to reuse those whose key did not change.

    The output is the cache: a page is taken from it when the last build with this cache rendered it under the
    same key and the file still has the bytes that build wrote (their digest is kept with the key: the output
    may have been written since by a build with another cache or none, or put back from a copy). So nothing is
    stored twice, and a file edited by hand is rendered again. The keys are kept beside the no-op record, per
    output folder.
    """

    def __init__(self, out: Path, state: BuildState, digests: Digests | None = None):
        self.out = out
        self.state = state
        self.digests = digests or Digests()
        self.record = f"{output_name(out)}.pages"
        kept = state.record(self.record)
        self.keys: dict[str, list[str]] = kept if isinstance(kept, dict) else {}  # path -> [key, digest]
        self.hashes = _manifest_files(out) if self.keys else {}
        self.stats = lastbuild.read(state, out).files  # each file's size and times after the last build
        self.used: dict[str, str] = {}
        self.reused = 0  # pages given by page()
        self._folder = os.fspath(out)
        self._checked: set[str] = set()  # pages page() found untouched this build, with their manifest's bytes

    def untouched(self, path: str) -> bool:
        """Whether the file still has the size and times it had when the last build wrote it (skip.py's _tree)."""
        try:
            stat = os.lstat(f"{self._folder}/{path}")
        except OSError:
            return False
        return self.stats.get(path) == listed_stamp(stat)

    def same(self, path: str, digest: str) -> bool:
        """Whether the file holds the bytes of `digest`, known without reading it: untouched since the last build
        wrote it with those bytes (page() found so this build, or the file's size and times say so now)."""
        return self.hashes.get(path) == digest and (path in self._checked or self.untouched(path))

    def claim(self, path: str, key: str) -> bool:
        """Record `key` as the page's key in this build, and say whether the last build wrote the page under it
        (page() then reads it, checking its bytes)."""
        self.used[path] = key
        kept = self.keys.get(path)
        return isinstance(kept, list) and len(kept) == 2 and kept[0] == key

    def page(self, path: str, key: str) -> bytes | None:
        """The page as the last build wrote it, when its key is `key` and the file still has those bytes."""
        if not self.claim(path, key):
            return None
        kept = self.keys[path]
        try:
            with open(f"{self._folder}/{path}", "rb", buffering=0) as file:  # unbuffered: read whole, at once
                data = file.readall()
        except OSError:
            return None
        untouched = self.untouched(path) and self.hashes.get(path) == kept[1]  # after reading: a write since shows
        if untouched or self.digests.of(path, data) == kept[1]:
            if untouched:
                self._checked.add(path)
            self.digests.note(path, data, kept[1])
            self.reused += 1
            return data
        return None

    def save(self) -> None:
        """After the output is written: the key of each page and the digest of the bytes written under it."""
        self.state.write_record(self.record, {path: [key, digest] for path, key in self.used.items()
                                              if (digest := self.digests.known(path)) is not None})


def _manifest_files(out: Path) -> dict[str, str]:
    import json

    try:
        found = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}
