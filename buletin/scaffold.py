"""`new edition PERIOD` and `new article PERIOD "Title"`: a Markdown file with its front matter, never overwriting."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from buletin.inputs.config import config_and_period
from buletin.inputs.content import ARTICLE_RESERVED
from buletin.problems import Problems, SiteError
from buletin.urls import slugify

EDITION = """\
---
status: draft                 # remove this line when the edition is ready
summary: {summary}
# published: {today}          # the release date; `publish {period}` sets it
highlights:                   # 3-6 main points; macros such as value() work here
  - {point}
figures: []                   # headline cards, e.g. - {{data: ikm, y: unit_usaha, label: unit usaha}}
---

{intro} {period}.

## 1. {section}
"""

ARTICLE = """\
---
title: {title}
date: {today}
authors: []
editor:
location:
summary:
tags: []
draft: true                   # remove this line when the article is ready
---

{body}

{{# {hint}: {{{{ value("DATASET", "COLUMN", PERIOD_COLUMN=edition.period) }}}} #}}
"""

WORDS = {
    "id": {"summary": "Ringkasan edisi dalam satu kalimat.", "point": "Poin pertama.", "intro": "Pengantar edisi",
           "section": "Bagian pertama", "body": "Tulis artikel di sini.",
           "hint": "Kutip angka dari data agar selalu sama dengan datanya, misalnya"},
    "en": {"summary": "The edition in one sentence.", "point": "First point.", "intro": "Introduction to",
           "section": "First section", "body": "Write the article here.",
           "hint": "Quote figures from the data so they always match it, e.g."},
}


def create(site_root: Path, kind: str, period_text: str, title: str | None, today: dt.date) -> Path:
    """Write the new file and return its path; SiteError when it exists or the period is malformed."""
    config, period = config_and_period(site_root, period_text)
    problems = Problems()
    folder = site_root / "content" / str(period)
    words = WORDS[config.language]
    if kind == "edition":
        path, text = folder / "index.md", EDITION.format(period=period, today=today.isoformat(), **words)
    else:
        slug = slugify(title or "")
        if not slug or slug in ARTICLE_RESERVED:
            problems.add("content", None, f"the title `{title}` makes no usable file name"
                         f"{' (`' + slug + '` is reserved)' if slug else ''}: give it letters or digits")
            raise SiteError(problems)
        if not (folder / "index.md").is_file():
            problems.add(f"content/{period}", None, f"no edition {period} yet: run `new edition {period}` first")
            raise SiteError(problems)
        quoted = '"' + (title or "").replace('"', "'") + '"'
        path, text = folder / f"{slug}.md", ARTICLE.format(title=quoted, today=today.isoformat(), **words)
    if path.exists():
        problems.add(path.relative_to(site_root).as_posix(), None, "already exists; nothing was overwritten")
        raise SiteError(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
        handle.write(text)
    return path
