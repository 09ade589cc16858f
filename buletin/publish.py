"""`publish PERIOD`: freeze an edition, once the whole site checks without an error."""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from buletin.inputs import clock, releases
from buletin.inputs.catalog import load_catalog
from buletin.inputs.config import config_and_period
from buletin.inputs.content import Edition, load_content
from buletin.inputs.plausibility import Finding, within
from buletin.inputs.slips import Placeholder, edition_placeholders
from buletin.messages import _, _n, number
from buletin.outputs import writer
from buletin.periods import Period, period_days
from buletin.pipeline import BuildOptions, run
from buletin.problems import OutputError, Problem, Problems, SiteError


@dataclass(frozen=True)
class Published:
    period: str
    date: dt.date
    files: list[str]
    overridden: list[Problem] = field(default_factory=list)  # with --force: what would have refused it


def publish(site_root: Path, period_text: str, force: bool = False, date: dt.date | None = None) -> Published:
    """Freeze an edition: check the whole site, snapshot every dataset, mark the edition published.

    Raises SiteError when the site has errors or the edition cannot be published.
    """
    config, period = config_and_period(site_root, period_text)
    problems = Problems()
    source = f"content/{period}/index.md"
    content = load_content(site_root, config.frequency, problems)
    edition = next((e for e in content.editions if e.period == period), None)
    if edition is None and not problems:
        problems.add(source, None, _("there is no edition {period}: create {source} first (`python build.py new "
                                     "edition {period}`)").format(period=period, source=source))
    if edition is not None and edition.status == "published" and not force:
        problems.add(source, edition.line_of("status"), _published(str(period), edition.published))
    folder_problem = releases.release_folder_problem(site_root, str(period))
    if folder_problem:
        problems.add(releases.release_dir(str(period)), None, folder_problem)
    if date is not None and date < period_days(period)[0]:  # a release before the period it reports on
        problems.add(source, None, _("--date {date} is before {period} begins: an edition is released after its "
                                     "period, write its release day").format(date=date.isoformat(), period=period))
    if problems:
        raise SiteError(problems)
    assert edition is not None  # a missing edition is a problem above
    today = clock.today(ZoneInfo(config.timezone))
    day = date or (edition.published if edition.published else today)
    with writer.site_lock(site_root, "publish"):
        # Refuses an edition or data with errors, as the site will be on the release day (drafts left out: a link
        # to a draft would fail the next build; a draft edition is checked as itself, --force publishing it; an
        # edition or article dated up to that day is checked); a snapshot being replaced is not checked against
        # its lock, nor its edition, which may have been set back to `live` to publish it again, for being so.
        run(BuildOptions(site_root, drafts=edition.status == "draft", write=False, republishing=str(period),
                         as_of=max(day, edition.published or day)))  # a later planned date: still checked
        catalog = load_catalog(site_root, problems, language=config.language)
        refusals = Problems()  # every reason at once: the office mends everything in one go
        _refuse_drafts(edition, period, source, refusals)
        _refuse_doubts(catalog.findings, period, source, refusals)
        _refuse_placeholders(edition_placeholders(site_root, edition), period, refusals)
        if refusals and not force:
            raise SiteError(refusals)
        # --force publishes all the same, and says what it froze so: the values in doubt were frozen silently
        overridden = [*refusals.warnings, *(problem._replace(severity="warning") for problem in refusals.items)]
        path = site_root / source
        marked = _marked(path, source, day)  # before anything is written: a front matter it cannot edit stops it
        files = _written(site_root, str(period), lambda: releases.snapshot(site_root, catalog, str(period), day),
                         path, marked)
    return Published(str(period), day, files, overridden)


def _written(site_root: Path, period: str, snapshot: Callable[[], list[str]], path: Path, marked: str) -> list[str]:
    """The snapshot taken and the edition marked published, or neither: when the edition cannot be marked (a
    file that may not be written), the new snapshot is removed and the one published before, if any, put back."""
    folder = site_root / releases.release_dir(period)
    kept = folder.with_name(f".{folder.name}.previous")  # a snapshot published before, until this one is done
    shutil.rmtree(kept, ignore_errors=True)
    try:
        if folder.exists():
            folder.rename(kept)
        files = snapshot()
        releases.write_text_atomically(path, marked)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if kept.exists():
            kept.rename(folder)
        raise OutputError(_("cannot write {path} ({reason}): edition {period} was not published; make the site's "
                            "files writable, then publish again").format(
            path=exc.filename or path, reason=exc.strerror or exc, period=period)) from None
    shutil.rmtree(kept, ignore_errors=True)
    return files


def _marked(path: Path, source: str, day: dt.date) -> str:
    """The edition's index.md with `status: published` and `published: DAY` set, or SiteError at the file."""
    try:
        return releases.mark_published(path.read_text(encoding="utf-8"), day)
    except ValueError as exc:
        problems = Problems()
        problems.add(source, None, str(exc))
        raise SiteError(problems) from None


def _refuse_drafts(edition: Edition, period: Period, source: str, problems: Problems) -> None:
    """An edition is not frozen while it, or an article in it, is still a draft: it would go public without
    them (or, a draft itself, on the day it is published) unless --force."""
    if edition.status == "draft":
        problems.add(source, edition.line_of("status"), _(
            "edition {period} is still a draft (`status: draft`): remove that line when the edition is ready, then "
            "publish it; to publish it as it is, add --force").format(period=period))
    for article in edition.articles:
        if article.draft:
            problems.add(article.source, article.line_of("draft"), _(
                "this article is still a draft (`draft: true`), so edition {period} would be published without it: "
                "remove that line if it is ready, or move the file out of content/{period}/ if it is not; to "
                "publish without it, add --force").format(period=period))


def _refuse_doubts(findings: list[Finding], period: Period, source: str, problems: Problems) -> None:
    """An edition is not frozen with values in doubt for its period (plausibility warnings) unless --force."""
    # a warning of a dataset without a period column (a list of regions, say) counts for every edition
    doubts = [finding.problem for finding in findings if not finding.period or within(finding.period, period)]
    if not doubts:
        return
    for problem in doubts:
        problems.warn(problem.path, problem.line, problem.message, problem.location)
    # Panduan: Edisi tidak dibekukan selama angka periodenya masih berperingatan. Perbaiki angkanya, atau beri
    # catatan di data/catatan.yaml bila memang benar (bab 6); `--force` membekukannya apa adanya.
    problems.add(source, None, _n(
        "edition {period} has {count} value in doubt (its warning is listed here): correct it, or vouch for it "
        "with a note "
        "in data/catatan.yaml; to publish it as it is, add --force",
        "edition {period} has {count} values in doubt (their warnings are listed here): correct them, or vouch "
        "for each with a "
        "note in data/catatan.yaml; to publish them as they are, add --force", len(doubts)).format(
            period=period, count=number(len(doubts))))


def _refuse_placeholders(found: list[Placeholder], period: Period, problems: Problems) -> None:
    """An edition is not frozen while it (or the site's settings) still shows the example text of `new`."""
    if not found:
        return
    for placeholder in found:
        problems.add(placeholder.source, placeholder.line, placeholder.message())
    problems.add(f"content/{period}/index.md", None, _(
        "edition {period} was not published: it still shows the example texts listed here; write your own, or, to "
        "publish it as it is, add --force").format(period=period))


def _published(period: str, day: dt.date | None) -> str:
    if day is None:
        return _("edition {period} is already published, and a published edition never changes; to replace its "
                 "frozen copy of the data, add --force").format(period=period)
    return _("edition {period} was already published on {date}, and a published edition never changes; to replace "
             "its frozen copy of the data, add --force").format(period=period, date=day.isoformat())
