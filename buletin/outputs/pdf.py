"""An edition as a PDF (docs/reference.md §10.8), typeset by Typst from the site model: where it goes, what its key is,
and compiling it.

The edition's cover block (site, title, period, publisher, release date, status, notice, revision), its summary,
main points, headline figures, body and every article in order, each chart as vector graphics (its SVG) and
each table with its number and caption, on numbered pages. Text stays text: a reader can select and copy it.

Three stages: `pdfhtml` turns each body's HTML into blocks, `pdfsource` makes the edition's data (one JSON
document and the charts' and pictures' bytes: cheap and pure), and `render_pdf` here compiles it with the
template (theme/pdf/edition.typ), which lays the data out; no text of a site is ever written into Typst
markup, so none of it can run as code. The build state keeps the PDF under `pdf_key_parts` (found from the
view without converting anything): the same source gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from buletin.build import progress
from buletin.build.state import BuildState, make_key
from buletin.build.workers import Workers, scratch_folder
from buletin.inputs.config import SiteConfig
from buletin.messages import _, number
from buletin.model import EditionView, FigureRef, SiteModel
from buletin.outputs.pagecache import figure_digest
from buletin.outputs.pdffonts import font_folder, warn_missing_glyphs
from buletin.outputs.pdfsource import TEMPLATE, PdfSource, document_date, json_text, pdf_source
from buletin.problems import Problems
from buletin.urls import file_name, short_slug, slugify

MIN_FOR_POOL = 4  # PDFs to make before the worker pool is used (fewer are typeset here)

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>'"]+))""", re.I)  # pictures a body shows


class PdfError(Exception):
    """Typst could not typeset an edition (or warned: a missing font is only a warning to Typst)."""


def pdf_name(config: SiteConfig, period: str) -> str:
    """SITESLUG-PERIOD.pdf: buletin-ikm-sulawesi-tenggara-2020-11.pdf (a long title cut between words: a file
    name may not pass 255 bytes)."""
    return f"{short_slug(slugify(config.title)) or 'buletin'}-{period}.pdf"


def pdf_path(config: SiteConfig, view: EditionView) -> str:
    """Where an edition's PDF goes in the output: beside its page, PERIOD/SITESLUG-PERIOD.pdf."""
    return posixpath.join(posixpath.dirname(view.path), pdf_name(config, str(view.edition.period)))


def edition_pdf(model: SiteModel, view: EditionView, built_at: dt.datetime) -> bytes:
    """The PDF of one edition (pure: the same model, view and time give the same bytes)."""
    return render_pdf(pdf_source(model, view, built_at))


def edition_pdfs(model: SiteModel, state: BuildState, workers: Workers, problems: Problems) -> dict[str, bytes]:
    """With `pdf: true`, every edition's PDF by output path: from the build state where its key did not change,
    else typeset (in the pool when there are several). An edition whose PDF cannot be made is a problem at its
    file."""
    if not model.config.pdf:
        return {}
    found: dict[str, bytes] = {}
    pending: list[tuple[EditionView, str]] = []
    for view in model.editions:
        warn_missing_glyphs(model, view, problems)
        key = make_key(*pdf_key_parts(model, view, model.built_at))
        kept = state.recall("pdf", key)
        if isinstance(kept, bytes):
            found[pdf_path(model.config, view)] = kept
        else:
            pending.append((view, key))
    progress.say(_("typesetting {count} PDFs").format(count=number(len(pending))), len(pending))
    sources = [pdf_source(model, view, model.built_at) for view, _ in pending]
    for (view, key), data in zip(pending, workers.map(render_pdf_or_error, sources, minimum=MIN_FOR_POOL),
                                 strict=True):
        if isinstance(data, str):
            problems.add(view.edition.source, None, _(
                "the edition's PDF could not be made: {reason}; to build the site without PDFs meanwhile, set "
                "`pdf: false` in site.yaml, and pass this message on to whoever looks after buletin").format(
                reason=data))
            continue
        state.keep("pdf", key, data)
        found[pdf_path(model.config, view)] = data
    return found


def pdf_key_parts(model: SiteModel, view: EditionView, built_at: dt.datetime) -> tuple[Any, ...]:
    """What an edition's PDF is made from, for build.state.make_key, found without converting its bodies:
    the template, the site's title, publisher, notice, address and language, and the edition as the PDF
    shows it (cover, summary, main points, headline figures, revision, each body's HTML, every figure's spec,
    data and SVG, every picture's bytes). buletin's own code (its words too), Typst's version and
    matplotlib's (the fonts) are in every key already."""
    config = model.config
    date = document_date(model, view, built_at)
    titles = [(name, getattr(model.catalog.spec(name), "title", None)) for name in (view.revision.changed
                                                                                   if view.revision else [])]
    bodies = [_body_digest(view.path, view.body.html, view.figures)]
    bodies += [_body_digest(a.path, a.body.html, a.figures, repr(a.article.info)) for a in view.articles]
    folder = posixpath.dirname(view.path) + "/"
    pictures = {path for path in model.files if path.startswith(folder)}
    for page, html in [(view.path, view.body.html), *((a.path, a.body.html) for a in view.articles)]:
        for match in (found for tag in _IMG.findall(html) if (found := _SRC.search(tag))):
            src = file_name(next(group for group in match.groups() if group is not None))
            pictures.add(posixpath.normpath(posixpath.join(posixpath.dirname(page), src)))
    files = [(path, hashlib.sha256(model.files[path]).hexdigest()) for path in sorted(pictures)
             if path in model.files]
    shown = repr((model.locale.language, config.title, config.publisher, config.notice, config.base_url,
                  view.path, view.title, view.period_text, view.summary, view.highlights, view.headlines,
                  view.released, view.edition.status, view.revision, titles, date, bodies, files))
    return "pdf", _sha(TEMPLATE.read_text(encoding="utf-8")), _sha(shown)


def _body_digest(path: str, html: str, figures: tuple[FigureRef, ...], *more: str) -> str:
    return _sha(repr((path, _sha(html), [figure_digest(ref) for ref in figures], more)))  # as the pages show them


# ---------------------------------------------------------------- compiling


def render_pdf(source: PdfSource) -> bytes:
    """Compile a source with Typst; PdfError on an error or a warning. A picture of a body that Typst cannot
    read (a broken file, an SVG that links to other files) is shown by its text alternative instead."""
    try:
        return _compile(source)
    except PdfError as error:
        if not source.pictures:
            raise
        failed = error
    readable = {key for key in source.pictures if _readable(dict(source.assets)[key], key)}
    if readable == set(source.pictures):
        raise failed  # the pictures were not the trouble
    doc = json.loads(source.doc)
    _drop_pictures(doc, set(source.pictures) - readable)
    return _compile(PdfSource(source.template, json_text(doc), tuple((k, v) for k, v in source.assets
                                                                   if k not in source.pictures or k in readable),
                              tuple(sorted(readable)), source.timestamp))


def render_pdf_or_error(source: PdfSource) -> bytes | str:
    """render_pdf for a worker pool: the PDF, or the message of its PdfError (so one edition's problem names
    that edition instead of stopping the pool)."""
    try:
        return render_pdf(source)
    except PdfError as exc:
        return str(exc)


def _compile(source: PdfSource) -> bytes:
    import typst

    texts = {key: text for key, text in source.assets if isinstance(text, str)}
    try:
        with _picture_root(source.assets) as root:
            pdf, warnings = typst.compile_with_warnings(source.template.encode("utf-8"), format="pdf", root=root,
                                                        font_paths=_fonts(), ignore_system_fonts=True,
                                                        sys_inputs={"doc": source.doc, **texts},
                                                        timestamp=source.timestamp)
    except typst.TypstError as exc:
        raise PdfError(_message(exc)) from None
    if warnings:
        raise PdfError("; ".join(_message(w) for w in warnings))
    if not isinstance(pdf, bytes):  # one file for a PDF (a list only for pages as images)
        raise PdfError(_("Typst returned no PDF"))
    return pdf


def _message(problem: Any) -> str:
    """Typst's message, its hints and where in the template it arose (a problem of the template is a bug)."""
    text = getattr(problem, "message", None) or str(problem)
    hints = getattr(problem, "hints", None) or []
    where = re.search(r"\.typ:(\d+):(\d+)", getattr(problem, "diagnostic", "") or "")
    place = f" (edition.typ:{where.group(1)})" if where else ""
    return " ".join([f"Typst: {text}{place}", *(_("(hint: {hint})").format(hint=hint) for hint in hints)])


@contextmanager
def _picture_root(assets: tuple[tuple[str, str | bytes], ...]) -> Iterator[str]:
    """Typst's project root for one document: a folder holding the pictures' bytes, one file per `b` key, which
    the template reads as they are (passed as text in sys.inputs, one character per byte, a 20-megapixel photo
    took Typst 1.7 GB to turn back into bytes). An SVG's own references resolve against it too: no other file of
    the machine reaches a PDF."""
    with tempfile.TemporaryDirectory(prefix="buletin-pdf-", dir=scratch_folder()) as root:
        for key, data in assets:
            if isinstance(data, bytes):
                Path(root, key).write_bytes(data)
        yield root


def _readable(data: str | bytes, key: str) -> bool:
    """Can Typst show this picture (an SVG's text, or a picture's bytes) by itself?"""
    import typst

    probe = ('#let key = sys.inputs.at("k")\n#let data = if key.starts-with("b") { read("/" + key, encoding: none) } '
             'else { bytes(sys.inputs.at("p")) }\n#image(data, width: 1cm)')
    try:
        with _picture_root(((key, data),)) as root:
            _, warnings = typst.compile_with_warnings(probe.encode(), format="pdf", root=root, font_paths=_fonts(),
                                                      ignore_system_fonts=True,
                                                      sys_inputs={"k": key, "p": data if isinstance(data, str) else ""})
    except typst.TypstError:
        return False
    return not warnings


def _drop_pictures(node: Any, keys: set[str]) -> None:
    """Replace the pictures named by `keys` with their text alternatives, anywhere in the document."""
    if isinstance(node, list):
        for item in node:
            _drop_pictures(item, keys)
    elif isinstance(node, dict):
        if node.get("k") == "img" and node.get("a") in keys:
            node["a"] = None
        for value in node.values():
            if isinstance(value, (list, dict)):
                _drop_pictures(value, keys)


@lru_cache(maxsize=1)
def _fonts() -> Any:
    """DejaVu and the other fonts matplotlib ships (the charts' fonts), and no other: the same everywhere."""
    import typst

    folder = font_folder()
    if folder is None:
        raise PdfError(_("matplotlib's fonts were not found: install buletin again (`python -m pip install -r "
                         "requirements.txt`)"))
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(folder)])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


__all__ = ["PdfError", "PdfSource", "edition_pdf", "edition_pdfs", "pdf_key_parts", "pdf_name", "pdf_path",
           "pdf_source", "render_pdf", "render_pdf_or_error"]
