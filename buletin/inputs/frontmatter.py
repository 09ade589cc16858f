"""The front matters' declarations: an edition's, an article's and a page's keys, with an edition's headline
cards and a page's `each:`, as types that schema.validate() checks (every key's line, "did you mean", the
allowed values). docs/panduan and docs/reference.md list the same keys; tests/test_panduan.py holds them to it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from buletin.inputs.schema import option
from buletin.messages import N_, _
from buletin.urls import MAX_SLUG, slug_problem, slugify


def tag_problem(tag: str) -> str | None:
    """Why a tag cannot name its topic's page, with what to do."""
    problem = slug_problem(tag)
    return problem and problem + (_(": shorten it") if len(slugify(tag)) > MAX_SLUG else "")


Status = Literal["draft", "live", "published"]
Aggregate = Literal["sum", "mean", "count", "min", "max"]


@dataclass(frozen=True)
class HeadlineSpec:
    """A headline card in an edition's `figures`: a value of the edition's period and its change."""

    data: str = option(example="`- {data: ikm, y: unit_usaha, label: unit usaha}`")
    y: str = option(example="`y: unit_usaha`")
    label: str = ""
    unit: str = ""
    agg: Aggregate = "sum"
    filter: dict[str, Any] = option({}, as_written=True, example="`filter: {sektor: pangan}`")
    period_field: str = ""
    digits: int = option(0, minimum=0, maximum=10)


@dataclass(frozen=True)
class EditionMeta:
    """The front matter of content/PERIOD/index.md."""

    title: str = ""
    published: dt.date | None = None
    next_release: dt.date | None = None  # the next edition's release date, announced (docs/reference.md §10.10)
    status: Status = "live"
    summary: str = ""
    highlights: list[str] = option([], example="`- Jumlah IKM naik 0,8%.`")
    figures: list[HeadlineSpec] = option([])


@dataclass(frozen=True)
class ArticleMeta:
    """The front matter of an article, content/PERIOD/SLUG.md."""

    title: str = option(example="`title: Judul artikel`")
    date: dt.date = option(example="`date: 2020-11-09`")
    authors: list[str] = option([], one_or_many=True)
    editor: str = ""
    location: str = ""
    summary: str = ""
    tags: list[str] = option([], one_or_many=True, check=tag_problem)  # each names a page, topik/TAG/
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    draft: bool = False
    extra: dict[str, Any] = option({})


@dataclass(frozen=True)
class EachSpec:
    """A page's `each:` — one page per row of a dataset."""

    data: str = option(example="`each: {data: wilayah, key: kode}`")
    key: str = option(example="`each: {data: wilayah, key: kode}`")
    tag: str = ""  # a column naming the articles' tag
    title: str = ""  # of the list of rows


@dataclass(frozen=True)
class PageMeta:
    """The front matter of a page, content/pages/SLUG.md."""

    title: str = option(example="`title: Tentang`")
    summary: str = ""
    each: EachSpec | None = None
    extra: dict[str, Any] = option({})
    # an article's keys: a page that has them was most likely meant to be an article
    misplaced: ClassVar[dict[str, str]] = dict.fromkeys(
        ("date", "authors", "editor", "location", "tags", "image"),
        N_("a page has no `{key}`, an article has: if this is an article, move the file into its edition's folder, "
           "content/PERIOD/ (e.g. content/2020-11/)"))
