"""Every relative link of every body reaches a file of the site: checked against the files a build made, or,
for `check`, against every address the build would write (known without rendering a page)."""
from __future__ import annotations

import posixpath
from pathlib import Path

from buletin.compose import links
from buletin.inputs.catalog import Catalog
from buletin.messages import _
from buletin.model import SiteModel, views
from buletin.outputs import pdf, writer
from buletin.outputs.calendar import calendar_ics_path
from buletin.outputs.downloads import data_files
from buletin.outputs.headers import HEADERS_FILE
from buletin.outputs.manifest import MANIFEST
from buletin.outputs.render import page_jobs
from buletin.problems import Problems


def check_links(model: SiteModel, paths: set[str], problems: Problems) -> None:
    """Report every link of a body that leads to none of `paths`, at its line, and every page whose folder is
    also a file."""
    check_addresses(model, paths, problems)
    for view in views(model):
        links.check_internal(view.body.html, view.document, view.path, paths, problems)


def check_addresses(model: SiteModel, paths: set[str], problems: Problems) -> None:
    """Report a file whose address is also a page's folder (an article `foto.svg.md` beside a picture `foto.svg`
    of its edition), at the page's source: one of the two could not be written."""
    folders: set[str] = set()
    for path in paths:
        folder = posixpath.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    sources = {view.path: view.document.source for view in views(model)}
    for folder in sorted(paths & folders):
        inside = [p for p in paths if p.startswith(f"{folder}/")]
        page = min((p for p in inside if p in sources), default=min(inside))  # a page, whose source can be named
        problems.add(sources.get(page, page), None, _(
            "this page's address `{page}` needs a folder `{folder}/`, but the site also publishes a file `{folder}` "
            "(a picture, a chart or a download of that name): rename this file or that one").format(
                page=page, folder=folder))


def planned_paths(model: SiteModel, site_root: Path, assets: dict[str, bytes], frozen: dict[str, Catalog]) -> set[str]:
    """Every path a build of `model` would write (`frozen`: each published period's catalog)."""
    paths = {job.path for job in page_jobs(model)} | set(model.files) | set(writer.fingerprint(assets)[1])
    paths |= set(data_files(site_root, model.catalog)[1])
    for period, catalog in shown_snapshots(model, frozen).items():
        paths |= set(data_files(site_root, catalog, prefix=f"{period}/data/")[1])
    paths |= {"feed.xml", "robots.txt", HEADERS_FILE, MANIFEST, calendar_ics_path(model.locale)}
    if model.config.base_url:  # a sitemap needs full addresses
        paths.add("sitemap.xml")
    if model.config.pdf:
        paths |= {pdf.pdf_path(model.config, view) for view in model.editions}
    return paths


def shown_snapshots(model: SiteModel, frozen: dict[str, Catalog]) -> dict[str, Catalog]:
    """The published editions' snapshots whose edition the site shows (one released later is not online yet, nor
    are its data)."""
    shown = {str(view.edition.period) for view in model.editions}
    return {period: catalog for period, catalog in frozen.items() if period in shown}
