"""The release calendar (docs/reference.md §10.10): past and announced releases, as a page and as an iCalendar file.

A past release is a visible edition on the day the site shows as its release (`EditionView.released`: its
`published` date, else its newest article's). An announced one is the latest edition's `next_release`, given
to the period after it, and any edition scheduled for a later day (a `published` date after today, so not
shown yet). Each release keeps one UID for its period, from announcement to release and across builds, so a
calendar subscribed to `jadwal.ics` moves the event when the date changes instead of adding another.

The .ics file is written here (RFC 5545: CRLF line ends, lines folded at 75 octets, TEXT values escaped);
it is small and its few properties need no library.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from buletin.i18n import Locale
from buletin.inputs.config import SiteConfig
from buletin.inputs.content import Content, Edition, is_visible
from buletin.messages import _
from buletin.model import SiteModel
from buletin.problems import Problems
from buletin.urls import absolute, page_path, slugify

Status = Literal["past", "announced"]

def calendar_page_path(locale: Locale) -> str:
    """jadwal/index.html (schedule/index.html in English)."""
    return page_path(locale.text("calendar_dir"))


def calendar_ics_path(locale: Locale) -> str:
    """jadwal.ics (schedule.ics in English)."""
    return f"{locale.text('calendar_dir')}.ics"


# ---------------------------------------------------------------- the releases


@dataclass(frozen=True)
class Entry:
    """One release on the calendar."""

    date: dt.date
    period: str  # "2020-12": the edition released (or to be released) that day
    period_text: str  # "Desember 2020"
    title: str  # the edition's title, or the default one ("Edisi Desember 2020") for an announced period
    status: Status  # "past": released and on the site; "announced": to come
    path: str | None = None  # the edition's page (an output path, for link()) when the site has it
    summary: str = ""  # the edition's summary, when there is one


def calendar_entries(model: SiteModel, scheduled: Iterable[Edition] = ()) -> list[Entry]:
    """Every release, oldest first: each visible edition on its release day (an edition with neither a
    `published` date nor a dated article has no day and is left out), the latest edition's `next_release`
    for the period after it, and `scheduled` (editions not shown yet, see `scheduled_editions`)."""
    locale = model.locale
    found: dict[str, Entry] = {}
    for view in model.editions:
        if view.released is not None:
            period = str(view.edition.period)
            found[period] = Entry(view.released, period, view.period_text, view.title, "past", view.path,
                                  view.summary)
    for edition in scheduled:
        period = str(edition.period)
        if edition.published is not None and period not in found:
            found[period] = Entry(edition.published, period, locale.period(edition.period),
                                  edition.title or locale.edition_title(edition.period), "announced")
    if model.editions:
        latest = model.editions[0].edition  # newest first
        following = latest.period.shifted(1)
        if latest.info.next_release is not None and str(following) not in found:
            found[str(following)] = Entry(latest.info.next_release, str(following), locale.period(following),
                                          locale.edition_title(following), "announced")
    return sorted(found.values(), key=lambda entry: (entry.date, entry.period))


def scheduled_editions(content: Content, today: dt.date, drafts: bool = False) -> list[Edition]:
    """Editions with a `published` date after today (not drafts): left out of the site until that day, but
    announced on the calendar (their date and title, no link). None with --drafts, which shows them all."""
    return [edition for edition in content.editions
            if not is_visible(edition, today, drafts) and edition.status != "draft"
            and edition.published is not None and edition.published > today]


def calendar_context(model: SiteModel, scheduled: Iterable[Edition] = ()) -> dict[str, Any]:
    """What templates/calendar.html shows besides what every page shows (a page's context: keyable)."""
    ics = calendar_ics_path(model.locale)
    url = absolute(model.config.base_url, ics)
    return {"title": model.locale.text("calendar"), "entries": calendar_entries(model, scheduled),
            "ics_path": ics, "ics_url": url}


# ---------------------------------------------------------------- the check


def check_next_release(content: Content, today: dt.date, problems: Problems, drafts: bool = False) -> None:
    """Warn (not an error: `check --strict` fails on it) when an edition announces a `next_release` not after its
    own release, when the latest edition the site shows announces one already past, or one that differs from the
    `published` date of the next edition, when that one is scheduled and not shown yet. `drafts` as the build
    shows editions (--drafts)."""
    shown = [edition for edition in content.editions if is_visible(edition, today, drafts)]
    for edition in shown:
        after, released = edition.info.next_release, edition.published
        if after is not None and released is not None and after <= released:
            problems.warn(edition.source, edition.line_of("next_release"), _(
                "`next_release` {date} is not after this edition's own release, {published}: set the day the next "
                "edition comes out").format(date=after.isoformat(), published=released.isoformat()))
    if not shown:
        return
    latest = shown[-1]  # oldest first
    date = latest.info.next_release
    if date is None:
        return
    line = latest.line_of("next_release")
    if date < today:
        problems.warn(latest.source, line, _("`next_release` {date} is in the past (today is {today}), yet the "
                                             "site announces it as the next release: set the new date, or publish "
                                             "the next edition").format(date=date.isoformat(),
                                                                        today=today.isoformat()))
    following = latest.period.shifted(1)
    for edition in content.editions:
        if (edition.period == following and not is_visible(edition, today, drafts) and edition.status != "draft"
                and edition.published is not None and edition.published != date):
            problems.warn(latest.source, line, _("`next_release` {date} is not the day {source} is scheduled for "
                                                 "(`published: {published}`): change one of the two").format(
                                                     date=date.isoformat(), source=edition.source,
                                                     published=edition.published.isoformat()))


# ---------------------------------------------------------------- iCalendar (RFC 5545)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in a TEXT value (tab and line breaks are)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): `\\`, `;` and `,` escaped, a line break written `\\n`."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded so that no line is longer than 75 octets (RFC 5545 3.1), never inside a
    character's UTF-8 bytes; each following line starts with a space."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        length = len(char.encode("utf-8"))
        if size + length > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space takes one octet
        current.append(char)
        size += length
    parts.append("".join(current))
    return "\r\n ".join(parts)


def event_uid(config: SiteConfig, period: str) -> str:
    """`buletin-SITESLUG-PERIOD@HOST`: the same for a period in every build, announced and then released.
    HOST is the base_url's; without one the UID has no `@HOST`. It changes only with the title or the host."""
    site = slugify(config.title) or hashlib.sha256(config.title.encode("utf-8")).hexdigest()[:12]
    host = (urlsplit(config.base_url).hostname or "") if config.base_url else ""
    return f"buletin-{site}-{period}" + (f"@{host}" if host else "")


def _uri(value: str) -> str:
    return _CONTROL.sub("", value).replace("\r", "").replace("\n", "")


def calendar_ics(model: SiteModel, entries: Sequence[Entry] | None = None) -> bytes:
    """The calendar as an iCalendar file: one all-day event per release (`entries`, by default
    calendar_entries(model)), DTSTAMP the build time (SOURCE_DATE_EPOCH), text in the site's language."""
    config, locale = model.config, model.locale
    entries = calendar_entries(model) if entries is None else entries
    stamp = model.built_at.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    page_url = absolute(config.base_url, calendar_page_path(locale))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//buletin//NONSGML buletin//{locale.language.upper()}",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + escape_text(f"{config.title} · {locale.text('calendar')}")]
    for entry in entries:
        summary = locale.text("release_of").format(site=config.title, period=entry.period_text)
        url = absolute(config.base_url, entry.path) if entry.path else page_url
        lines += ["BEGIN:VEVENT", f"UID:{escape_text(event_uid(config, entry.period))}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{entry.date:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{entry.date + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{escape_text(summary)}"]
        if entry.summary:
            lines.append(f"DESCRIPTION:{escape_text(entry.summary)}")
        if url:
            lines.append(f"URL:{_uri(url)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
