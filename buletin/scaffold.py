"""`new edition PERIOD` and `new article PERIOD "Title"`: a Markdown file with its front matter, never overwriting.

The comments written into the front matter are in the site's language: they are read by whoever fills it in.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from buletin.i18n import NEW_FILE_WORDS, Locale
from buletin.inputs.config import config_and_period
from buletin.inputs.content import ARTICLE_RESERVED
from buletin.messages import _
from buletin.periods import Period, period_days
from buletin.problems import Problems, SiteError
from buletin.urls import is_windows_device, short_slug, slugify

# `published:` is there but empty: the release date is written there, or `publish` fills in this very line.
EDITION = """\
---
status: draft                 # {c_status}
summary: {summary}
published:                    # {c_published}
next_release:                 # {c_next_release}
highlights:                   # {c_highlights}
  - {point}
figures: []                   # {c_figures}
---

{intro} {period_text}.

## 1. {section}
"""

ARTICLE = """\
---
title: {title}
date: {date}              # {c_date}
authors: []
editor:
location:
summary:
tags: []
draft: true                   # {c_draft}
---

{body}

{{# {hint}: {{{{ value("DATASET", "{column}", {period_column}=edition.period) }}}} #}}
"""

def create(site_root: Path, kind: str, period_text: str, title: str | None, today: dt.date) -> Path:
    """Write the new file and return its path; SiteError when it exists or the period is malformed."""
    config, period = config_and_period(site_root, period_text)
    problems = Problems()
    folder = site_root / "content" / str(period)
    words = {key: text.format(period=period) for key, text in NEW_FILE_WORDS[config.language].items()}
    if kind == "edition":
        text = EDITION.format(period_text=Locale(config.language).period(period), **words)
        path = folder / "index.md"
    else:
        slug = short_slug(slugify(title or ""))
        if not slug or slug in ARTICLE_RESERVED or is_windows_device(slug):
            problems.add("content", None, _untitled(title or "", slug))
            raise SiteError(problems)
        if not (folder / "index.md").is_file():
            problems.add(f"content/{period}", None, _("there is no edition {period} yet: run `python build.py new "
                                                      "edition {period}` first").format(period=period))
            raise SiteError(problems)
        quoted = json.dumps(title or "", ensure_ascii=False)  # a YAML double-quoted string: \\ and \" escaped
        text = ARTICLE.format(title=quoted, date=article_date(period, today).isoformat(), **words)
        path = folder / f"{slug}.md"
    if path.exists():
        problems.add(path.relative_to(site_root).as_posix(), None,
                     _("the edition {period} already exists, and nothing was overwritten: edit its index.md, or "
                       "name another period").format(period=period) if kind == "edition" else
                     _("this file already exists, and nothing was overwritten: choose another title, or edit the "
                       "file"))
        raise SiteError(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
        handle.write(text)
    return path


def article_date(period: Period, today: dt.date) -> dt.date:
    """Today when it falls inside the period, else the period's last day: an article belongs to its edition."""
    first, last = period_days(period)
    return today if first <= today <= last else last


def _untitled(title: str, slug: str) -> str:
    if slug:
        return _("the title `{title}` gives the file name `{slug}`, which is reserved: choose another title").format(
            title=title, slug=slug)
    return _("the title `{title}` gives no usable file name: give it letters or digits").format(title=title)
