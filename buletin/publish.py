"""`publish PERIOD`: freeze an edition, once the whole site checks without an error."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from buletin.inputs import releases
from buletin.inputs.catalog import load_catalog
from buletin.inputs.config import config_and_period
from buletin.inputs.content import load_content
from buletin.outputs import writer
from buletin.pipeline import BuildOptions, _now, run
from buletin.problems import Problems, SiteError


@dataclass(frozen=True)
class Published:
    period: str
    date: dt.date
    files: list[str]


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
        problems.add(source, None, f"no edition {period}: create {source} first (`new edition {period}`)")
    if edition is not None and edition.status == "published" and not force:
        problems.add(source, edition.line_of("status"), f"edition {period} is already published"
                     f"{' on ' + edition.published.isoformat() if edition.published else ''}; "
                     "a published edition never changes (use --force to replace its snapshot)")
    if problems:
        raise SiteError(problems)
    assert edition is not None  # a missing edition is a problem above
    with writer.site_lock(site_root, "publish"):
        # Refuses an edition or data with errors; a snapshot being replaced is not checked against its lock.
        run(BuildOptions(site_root, drafts=True, write=False, republishing=str(period) if force else None))
        _, today = _now(site_root, config)
        day = date or (edition.published if edition.published else today)
        catalog = load_catalog(site_root, problems)
        files = releases.snapshot(site_root, catalog, str(period), day)
        path = site_root / source
        text = path.read_text(encoding="utf-8")
        releases.write_text_atomically(path, releases.mark_published(text, day))
    return Published(str(period), day, files)
