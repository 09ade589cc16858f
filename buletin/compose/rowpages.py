"""Pages generated from data rows: `each: {data, key}` renders a page once per row, at SLUG/KEY/."""
from __future__ import annotations

from typing import Any

from buletin.build.state import make_key
from buletin.compose.composer import Composer
from buletin.inputs.content import Page
from buletin.messages import _
from buletin.problems import did_you_mean
from buletin.urls import MAX_SLUG, is_windows_device, slug_problem, slugify


def rows_of(page: Page, composer: Composer) -> list[dict[str, str]] | None:
    """The rows of the page's `each.data` resource as text, checked; None (with a problem) when unusable."""
    each = page.each
    assert each is not None  # asked only of a page with `each:` (model.plan_site)
    problems, catalog = composer.problems, composer.catalog
    name, key = each.data, each.key
    if not name or not key:
        return None  # reported by the front matter's check
    spec = catalog.spec(name)
    if spec is None and catalog.is_broken(name):
        return None  # its own error is reported
    if spec is None:
        problems.add(page.source, page.line_of("each", "data"), "each: " + _(
            "there is no dataset `{name}` in data/datapackage.yaml").format(name=name)
            + did_you_mean(name, catalog.names))
        return None
    for option in ("key", "tag"):
        column = getattr(each, option)
        if column and spec.field(column) is None:
            problems.add(page.source, page.line_of("each", option), "each: " + _(
                "the dataset `{dataset}` has no column `{column}`").format(dataset=name, column=column)
                + did_you_mean(str(column), spec.field_names))
            return None
    rows_key = make_key("rows", catalog.hashes.get(name))
    rows = composer.state.recall("rows", rows_key)
    if rows is None:
        table = catalog.get(name)
        rows = [] if table is None else table.frame.to_dict(orient="records")
        composer.state.keep("rows", rows_key, rows)
    by_address: dict[str, list[str]] = {}  # a page's folder, as Windows and macOS see it (case aside)
    for row in rows:
        by_address.setdefault(slugify(row[key]), []).append(row[key])
    too_long = [values[0] for address, values in by_address.items()
                if len(address) > MAX_SLUG or is_windows_device(address)]
    if too_long:
        problems.add(page.source, page.line_of("each", "key"), "each: " + _(
            "the column `{key}` of `{dataset}` names one page per row, and {problem}: choose a column of short "
            "values, such as a code").format(key=key, dataset=name, problem=slug_problem(too_long[0])))
        return None
    duplicates = sorted({k for address, values in by_address.items() for k in values
                         if not address or values.count(k) > 1})
    if duplicates:
        problems.add(page.source, page.line_of("each", "key"), "each: " + _(
            "the column `{key}` of `{dataset}` names one page per row, so each of its values must be filled in and "
            "appear once (repeated or empty: {values}): choose another column, or correct the data").format(
                key=key, dataset=name, values=", ".join(duplicates[:5])))
        return None
    alike = [" = ".join(f"`{value}`" for value in values) for values in by_address.values() if len(values) > 1]
    if alike:
        problems.add(page.source, page.line_of("each", "key"), "each: " + _(
            "the column `{key}` of `{dataset}` names one page per row, and these values would give one web address "
            "(they differ only in capitals, accents or punctuation): {values}: correct the data, or choose another "
            "column").format(key=key, dataset=name, values="; ".join(alike[:5])))
        return None
    return rows


def row_title(page: Page, composer: Composer, context: dict[str, Any]) -> str:
    """The page's title with `{{ row.FIELD }}` filled in (the row is the context's)."""
    title = composer.macros.render(page.title, page.source, page.line_of("title") or 1, context)
    return title if title is not None else page.title

