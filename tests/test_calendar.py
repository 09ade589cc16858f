"""The release calendar (CONTRACT §10): `next_release` in an edition's front matter, its check, the calendar's
entries, its page template and its iCalendar file (parsed back with the `icalendar` library)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from buletin.i18n import Locale
from buletin.inputs.content import load_content
from buletin.model import SiteModel
from buletin.outputs.calendar import (
    Entry,
    calendar_entries,
    calendar_ics,
    calendar_ics_path,
    calendar_page_path,
    check_next_release,
    escape_text,
    event_uid,
    fold,
    scheduled_editions,
)
from buletin.problems import Problems

from .conftest import EDITION_MD, SITE_YAML, line_of

icalendar = pytest.importorskip("icalendar", reason="the `icalendar` library (test extra) parses the .ics file")

EDITION = "content/2020-11/index.md"
TODAY = dt.date(2021, 1, 1)  # conftest's FIXED_EPOCH where the tiny site is (Asia/Makassar)

NOVEMBER = """\
---
summary: Edisi uji November 2020.
next_release: 2021-01-05
---

Ringkasan edisi November 2020.
"""

OCTOBER = """\
---
summary: Edisi uji Oktober 2020.
published: 2020-11-05
next_release: 2020-12-07
---

Ringkasan edisi Oktober 2020.
"""


def scheduled(published: str, *extra: str) -> str:
    """An edition dated after the build's today: left out of the site until that day."""
    lines = "".join(f"{line}\n" for line in extra)
    return f"---\nsummary: Edisi terjadwal.\npublished: {published}\n{lines}---\n\nBelum terbit.\n"


def calendar_site(make_site, **files: str | None) -> Path:
    """The tiny site with an October edition (published) and November (released on its article's day, 9
    November, announcing 5 January 2021)."""
    return make_site({EDITION: NOVEMBER, "content/2020-10/index.md": OCTOBER, **files})


def model_of(site: Path, out: Path, monkeypatch, base_url: str | None = None, drafts: bool = False) -> SiteModel:
    """The site model a real build assembles (the pipeline does not make the calendar yet)."""
    from buletin import pipeline

    made: list[SiteModel] = []
    assemble = pipeline.assemble

    def keep(*args, **kwargs):
        made.append(assemble(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pipeline, "assemble", keep)
    pipeline.run(pipeline.BuildOptions(site, out, drafts=drafts, base_url=base_url, jobs=1))
    monkeypatch.setattr(pipeline, "assemble", assemble)
    return made[-1]


def events_of(ics: bytes) -> list:
    calendar = icalendar.Calendar.from_ical(ics)
    return [component for component in calendar.walk() if component.name == "VEVENT"]


# ---------------------------------------------------------------- next_release: a validated date


def test_next_release_is_read_as_a_date(make_site):
    site = calendar_site(make_site)
    problems = Problems()
    content = load_content(site, "monthly", problems)
    assert not problems and not problems.warnings
    assert [e.info.next_release for e in content.editions] == [dt.date(2020, 12, 7), dt.date(2021, 1, 5)]


@pytest.mark.parametrize(("written", "message"), [
    ("2021-02-30", "`2021-02-30` is not a real date (2021-02 has 28 days)"),
    ("2021-13-01", "`2021-13-01` is not a real date: the month is 01 to 12"),
    ("segera", "`next_release` must be a date written YYYY-MM-DD, e.g. 2020-11-09, not `segera`"),
    ("5 Januari 2021", "`next_release` must be a date written YYYY-MM-DD, e.g. 2020-11-09, not `5 Januari 2021`"),
    ("[2021-01-05]", "`next_release` must be a date written YYYY-MM-DD, e.g. 2020-11-09, not a list or mapping"),
])
def test_a_next_release_that_is_no_date_is_an_error_at_its_line(make_site, written, message):
    source = NOVEMBER.replace("next_release: 2021-01-05", f"next_release: {written}")
    site = make_site({EDITION: source})
    problems = Problems()
    load_content(site, "monthly", problems)
    assert [str(p) for p in problems] == [f"{EDITION}:{line_of(source, 'next_release')}: error: {message}"]


def test_check_reports_a_date_that_does_not_exist(make_site, run_cli):
    site = make_site({EDITION: NOVEMBER.replace("2021-01-05", "2021-02-29")})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert f"{EDITION}:3: error: `2021-02-29` is not a real date (2021-02 has 28 days)" in result.err


# ---------------------------------------------------------------- the check: a next_release already past


def warnings_of(site: Path, today: dt.date, drafts: bool = False) -> list[str]:
    problems = Problems()
    content = load_content(site, "monthly", problems)
    assert not problems, [str(p) for p in problems]
    check_next_release(content, today, problems, drafts)
    assert not problems  # warnings only
    return [str(p) for p in problems.warnings]


def test_a_next_release_in_the_past_is_a_warning_at_its_line(make_site):
    site = calendar_site(make_site, **{EDITION: NOVEMBER.replace("2021-01-05", "2020-12-20")})
    assert warnings_of(site, TODAY) == [
        f"{EDITION}:3: warning: `next_release` 2020-12-20 is in the past (today is 2021-01-01), yet the site "
        "announces it as the next release: set the new date, or publish the next edition"]


def test_a_next_release_today_or_later_is_no_warning(make_site):
    site = calendar_site(make_site)
    assert warnings_of(site, TODAY) == []
    assert warnings_of(site, dt.date(2021, 1, 5)) == []  # the day itself is not past
    assert len(warnings_of(site, dt.date(2021, 1, 6))) == 1


def test_only_the_latest_shown_edition_counts(make_site):
    # October's next_release (2020-12-07) is past, and was kept: it is history, not an announcement.
    site = calendar_site(make_site)
    assert warnings_of(site, TODAY) == []
    # Without November's next_release, nothing is announced: nothing to warn about.
    assert warnings_of(calendar_site(make_site, **{EDITION: EDITION_MD}), TODAY) == []
    # A draft is not shown, so November stays the latest; with --drafts the draft is the latest.
    draft = "---\nstatus: draft\nnext_release: 2020-12-01\n---\n\nDraf.\n"
    site = calendar_site(make_site, **{"content/2020-12/index.md": draft})
    assert warnings_of(site, TODAY) == []
    assert warnings_of(site, TODAY, drafts=True) == [
        "content/2020-12/index.md:3: warning: `next_release` 2020-12-01 is in the past (today is 2021-01-01), "
        "yet the site announces it as the next release: set the new date, or publish the next edition"]


def test_a_next_release_not_after_the_editions_own_release_is_a_warning(make_site):
    """Any shown edition, not only the latest: its calendar entry would announce a day already gone by."""
    october = OCTOBER.replace("next_release: 2020-12-07", "next_release: 2020-11-01")
    site = calendar_site(make_site, **{"content/2020-10/index.md": october})
    assert warnings_of(site, TODAY) == [
        "content/2020-10/index.md:4: warning: `next_release` 2020-11-01 is not after this edition's own release, "
        "2020-11-05: set the day the next edition comes out"]


def test_a_scheduled_next_edition_on_another_day_is_a_warning(make_site):
    site = calendar_site(make_site, **{"content/2020-12/index.md": scheduled("2021-01-05")})
    assert warnings_of(site, TODAY) == []  # the same day: fine
    site = calendar_site(make_site, **{"content/2020-12/index.md": scheduled("2021-01-08")})
    assert warnings_of(site, TODAY) == [
        f"{EDITION}:3: warning: `next_release` 2021-01-05 is not the day content/2020-12/index.md is scheduled "
        "for (`published: 2021-01-08`): change one of the two"]


# ---------------------------------------------------------------- the entries


def test_calendar_entries_list_past_and_announced_releases(make_site, tmp_path, monkeypatch):
    model = model_of(calendar_site(make_site), tmp_path / "out", monkeypatch)
    assert calendar_entries(model) == [
        Entry(dt.date(2020, 11, 5), "2020-10", "Oktober 2020", "Edisi Oktober 2020", "past", "2020-10/index.html",
              "Edisi uji Oktober 2020."),
        Entry(dt.date(2020, 11, 9), "2020-11", "November 2020", "Edisi November 2020", "past",
              "2020-11/index.html", "Edisi uji November 2020."),  # no `published`: its newest article's day
        Entry(dt.date(2021, 1, 5), "2020-12", "Desember 2020", "Edisi Desember 2020", "announced"),
    ]
    assert model.editions[0].edition.info.next_release == dt.date(2021, 1, 5)  # what the latest announces


def test_scheduled_editions_are_announced_with_their_day_and_title(make_site, tmp_path, monkeypatch):
    site = calendar_site(make_site, **{
        "content/2020-12/index.md": scheduled("2021-01-05", "title: Edisi Akhir Tahun"),
        "content/2021-01/index.md": scheduled("2021-02-04"),
        "content/2021-02/index.md": "---\nstatus: draft\npublished: 2021-03-04\n---\n\nDraf.\n",
    })
    model = model_of(site, tmp_path / "out", monkeypatch)
    assert [str(view.edition.period) for view in model.editions] == ["2020-11", "2020-10"]
    problems = Problems()
    later = scheduled_editions(load_content(site, "monthly", problems), TODAY)
    assert [str(edition.period) for edition in later] == ["2020-12", "2021-01"]  # not the draft
    assert calendar_entries(model, later)[2:] == [
        Entry(dt.date(2021, 1, 5), "2020-12", "Desember 2020", "Edisi Akhir Tahun", "announced"),
        Entry(dt.date(2021, 2, 4), "2021-01", "Januari 2021", "Edisi Januari 2021", "announced"),
    ]
    assert scheduled_editions(load_content(site, "monthly", problems), TODAY, drafts=True) == []


def test_an_edition_without_a_release_day_is_left_out(make_site, tmp_path, monkeypatch):
    site = make_site({"content/2020-10/index.md": "---\nsummary: Tanpa tanggal.\n---\n\nTanpa artikel.\n"})
    model = model_of(site, tmp_path / "out", monkeypatch)
    assert [entry.period for entry in calendar_entries(model)] == ["2020-11"]


def test_an_empty_site_has_an_empty_calendar(make_site, tmp_path, monkeypatch):
    site = make_site({EDITION: "---\nstatus: draft\nnext_release: 2021-01-05\n---\n\nDraf.\n"})
    model = model_of(site, tmp_path / "out", monkeypatch)
    assert calendar_entries(model) == [] and not model.editions
    assert len(events_of(calendar_ics(model))) == 0


# ---------------------------------------------------------------- the words and the addresses


def test_words_and_addresses_in_both_languages():
    indonesian, english = Locale("id"), Locale("en")
    assert f"{indonesian.text('next_release')}: {indonesian.date(dt.date(2021, 1, 5))}" == \
        "Rilis berikutnya: Selasa, 5 Januari 2021"
    assert f"{english.text('next_release')}: {english.date(dt.date(2021, 1, 5))}" == \
        "Next release: Tuesday, 5 January 2021"
    assert (indonesian.text("calendar"), english.text("calendar")) == ("Jadwal rilis", "Release calendar")
    assert (calendar_page_path(indonesian), calendar_ics_path(indonesian)) == ("jadwal/index.html", "jadwal.ics")
    assert (calendar_page_path(english), calendar_ics_path(english)) == ("schedule/index.html", "schedule.ics")


# ---------------------------------------------------------------- the page's template


def render_calendar(model: SiteModel, site: Path) -> str:
    """calendar.html rendered as the theme renders every page (base.html, its context)."""
    from buletin.outputs.render import PageJob, Renderer, RenderSetting
    from buletin.outputs.theme import make_environment

    env = make_environment(site, model.locale)
    renderer = Renderer(env, model, RenderSetting(site, None, {"style.css": "s.css", "favicon.svg": "f.svg"}, ()))
    return renderer.render(PageJob("calendar.html", calendar_page_path(model.locale), "calendar")).decode()


def test_the_calendar_page_lists_releases_newest_first(make_site, tmp_path, monkeypatch):
    site = calendar_site(make_site)
    model = model_of(site, tmp_path / "out", monkeypatch, base_url="https://contoh.go.id/buletin/")
    html = render_calendar(model, site)
    assert "<h1>Jadwal rilis</h1>" in html
    assert "<title>Jadwal rilis · Buletin Uji</title>" in html
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html)
    assert rows == [
        '<time datetime="2021-01-05">Selasa, 5 Januari 2021</time></th><td>Edisi Desember 2020</td>'
        "<td>Dijadwalkan</td>",
        '<time datetime="2020-11-09">Senin, 9 November 2020</time></th><td><a href="../2020-11/">Edisi November '
        "2020</a></td><td>Sudah rilis</td>",
        '<time datetime="2020-11-05">Kamis, 5 November 2020</time></th><td><a href="../2020-10/">Edisi Oktober '
        "2020</a></td><td>Sudah rilis</td>",
    ]
    assert '<th scope="col">Tanggal rilis</th><th scope="col">Edisi</th><th scope="col">Status</th>' in html
    assert '<a href="../jadwal.ics" download>' in html
    assert "<code>https://contoh.go.id/buletin/jadwal.ics</code>" in html


def test_the_calendar_page_of_an_english_site_without_releases(make_site, tmp_path, monkeypatch):
    site = make_site({"site.yaml": SITE_YAML.replace("language: id", "language: en"),
                      EDITION: "---\nstatus: draft\n---\n\nDraft.\n"})
    html = render_calendar(model_of(site, tmp_path / "out", monkeypatch), site)
    assert "<h1>Release calendar</h1>" in html and "No release is scheduled yet." in html
    assert "<table" not in html and '<a href="../schedule.ics" download>' in html
    assert "<code>" not in html  # no base_url: no address to subscribe to


# ---------------------------------------------------------------- the iCalendar file


def test_the_ics_has_one_all_day_event_per_release(make_site, tmp_path, monkeypatch):
    model = model_of(calendar_site(make_site), tmp_path / "out", monkeypatch, base_url="https://contoh.go.id/b/")
    ics = calendar_ics(model)
    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["PRODID"]) == "-//buletin//NONSGML buletin//ID"
    events = events_of(ics)
    assert [(e["DTSTART"].dt, e["DTEND"].dt) for e in events] == [
        (dt.date(2020, 11, 5), dt.date(2020, 11, 6)), (dt.date(2020, 11, 9), dt.date(2020, 11, 10)),
        (dt.date(2021, 1, 5), dt.date(2021, 1, 6))]
    assert all(not isinstance(e["DTSTART"].dt, dt.datetime) for e in events)  # all-day: dates, not times
    assert [str(e["UID"]) for e in events] == ["buletin-buletin-uji-2020-10@contoh.go.id",
                                               "buletin-buletin-uji-2020-11@contoh.go.id",
                                               "buletin-buletin-uji-2020-12@contoh.go.id"]
    assert [str(e["SUMMARY"]) for e in events] == ["Rilis Buletin Uji, edisi Oktober 2020",
                                                   "Rilis Buletin Uji, edisi November 2020",
                                                   "Rilis Buletin Uji, edisi Desember 2020"]
    assert [str(e["URL"]) for e in events] == ["https://contoh.go.id/b/2020-10/", "https://contoh.go.id/b/2020-11/",
                                               "https://contoh.go.id/b/jadwal/"]  # announced: the calendar page
    assert str(events[1]["DESCRIPTION"]) == "Edisi uji November 2020."
    # DTSTAMP: the build time, SOURCE_DATE_EPOCH (conftest: 2021-01-01T00:00:00Z)
    assert {e["DTSTAMP"].dt for e in events} == {dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)}
    assert b"DTSTAMP:20210101T000000Z\r\n" in ics


def test_the_ics_is_well_formed_octet_by_octet(make_site, tmp_path, monkeypatch):
    title = "Buletin Ūji Ŝulawesi " * 6  # long, with characters of two octets: folded, never inside one
    site = calendar_site(make_site, **{"site.yaml": SITE_YAML.replace("Buletin Uji", title.strip())})
    ics = calendar_ics(model_of(site, tmp_path / "out", monkeypatch))
    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"") and b"\r" not in ics.replace(b"\r\n", b"")
    lines = ics.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded
    for line in lines:
        line.decode("utf-8")  # no character cut in two
    summaries = [str(e["SUMMARY"]) for e in events_of(ics)]
    assert summaries[-1] == f"Rilis {title.strip()}, edisi Desember 2020"


def test_text_with_commas_semicolons_and_line_breaks_survives_a_round_trip(make_site, tmp_path, monkeypatch):
    title = 'Buletin "Uji", Edisi; Khusus \\ A:B'
    november = NOVEMBER.replace("summary: Edisi uji November 2020.",
                                "summary: |\n  Baris satu, dengan koma; titik koma \\ garis miring.\n  Baris dua.")
    site = calendar_site(make_site, **{"site.yaml": SITE_YAML.replace("title: Buletin Uji", f"title: '{title}'"),
                                       EDITION: november})
    ics = calendar_ics(model_of(site, tmp_path / "out", monkeypatch))
    events = events_of(ics)
    assert str(events[1]["SUMMARY"]) == f"Rilis {title}, edisi November 2020"
    assert str(events[1]["DESCRIPTION"]) == "Baris satu, dengan koma; titik koma \\ garis miring.\nBaris dua."
    # an X- property is TEXT too (RFC 5545 3.8.8.2), escaped alike (the library leaves it as written)
    assert 'X-WR-CALNAME:Buletin "Uji"\\, Edisi\\; Khusus \\\\ A:B · Jadwal rilis\r\n'.encode() in ics


def test_text_escaping_and_folding_by_the_rules():
    assert escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert escape_text("tab\tstays, bell\x07 goes") == "tab\tstays\\, bell goes"
    for line in ["X:" + "a" * 73, "X:" + "a" * 74, "X:" + "é" * 200, "X:" + "😀" * 50, "X:" + "a" * 500]:
        folded = fold(line).encode("utf-8")
        assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
        assert folded.replace(b"\r\n ", b"").decode("utf-8") == line
    assert fold("X:" + "a" * 73) == "X:" + "a" * 73  # 75 octets: not folded


def test_uids_are_stable_across_builds_and_follow_a_release_from_announced_to_past(make_site, tmp_path,
                                                                                  monkeypatch):
    site = calendar_site(make_site)
    first = calendar_ics(model_of(site, tmp_path / "one", monkeypatch))
    second = calendar_ics(model_of(site, tmp_path / "two", monkeypatch))
    assert first == second  # the same inputs and SOURCE_DATE_EPOCH: the same bytes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1609545600")  # a day later: another DTSTAMP, the same UIDs
    later = calendar_ics(model_of(site, tmp_path / "three", monkeypatch))
    assert later != first
    assert [str(e["UID"]) for e in events_of(later)] == [str(e["UID"]) for e in events_of(first)]
    # December is released: its event keeps the UID it had while announced, on its new day.
    december = "---\nsummary: Edisi uji Desember 2020.\npublished: 2021-01-02\n---\n\nDesember.\n"
    released = calendar_site(make_site, **{"content/2020-12/index.md": december})
    events = {str(e["UID"]): e for e in events_of(calendar_ics(model_of(released, tmp_path / "four", monkeypatch)))}
    uid = "buletin-buletin-uji-2020-12"
    assert uid in {str(e["UID"]) for e in events_of(first)}
    assert events[uid]["DTSTART"].dt == dt.date(2021, 1, 2)


def test_the_uid_comes_from_the_title_and_the_host():
    from buletin.inputs.config import SiteConfig

    assert event_uid(SiteConfig(title="Buletin IKM Sulawesi Tenggara", language="id"), "2020-12") == \
        "buletin-buletin-ikm-sulawesi-tenggara-2020-12"
    config = SiteConfig(title="Buletin IKM", language="id", base_url="https://Data.Example.go.id:8443/ikm/")
    assert event_uid(config, "2020-Q4") == "buletin-buletin-ikm-2020-Q4@data.example.go.id"
    assert re.fullmatch(r"buletin-[0-9a-f]{12}-2020", event_uid(SiteConfig(title="统计公报", language="en"), "2020"))


def test_an_english_site_says_it_in_english(make_site, tmp_path, monkeypatch):
    site = calendar_site(make_site, **{"site.yaml": SITE_YAML.replace("language: id", "language: en")})
    events = events_of(calendar_ics(model_of(site, tmp_path / "out", monkeypatch)))
    assert str(events[-1]["SUMMARY"]) == "Release of Buletin Uji, December 2020 edition"


# ---------------------------------------------------------------- end to end, once the pipeline makes them



def test_the_build_writes_the_calendar_page_and_file(make_site, run_cli, tmp_path):
    site = calendar_site(make_site)
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out, "--base-url", "https://contoh.go.id/b/")
    assert result.code == 0, result.err
    page = (out / "jadwal/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2021-01-05">Selasa, 5 Januari 2021</time>' in page
    assert '<a href="../2020-11/">Edisi November 2020</a>' in page and "../jadwal.ics" in page
    events = events_of((out / "jadwal.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in events][-1] == "Rilis Buletin Uji, edisi Desember 2020"
    assert str(events[-1]["UID"]) == "buletin-buletin-uji-2020-12@contoh.go.id"
    assert "jadwal.ics" in (out / "manifest.json").read_text(encoding="utf-8")
    again = tmp_path / "again"
    assert run_cli("build", "--site", site, "--out", again, "--base-url", "https://contoh.go.id/b/").code == 0
    assert (again / "jadwal.ics").read_bytes() == (out / "jadwal.ics").read_bytes()


def test_the_home_page_and_the_latest_edition_announce_the_next_release(make_site, run_cli, tmp_path):
    site = calendar_site(make_site)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    announced = re.compile(r'Rilis berikutnya: (<a [^>]*>)?<time datetime="2021-01-05">Selasa, 5 Januari 2021</time>')
    for page in ("index.html", "2020-11/index.html"):
        assert announced.search((out / page).read_text(encoding="utf-8")), page
    assert "Rilis berikutnya" not in (out / "2020-10/index.html").read_text(encoding="utf-8")  # only the latest
    assert 'href="jadwal/"' in (out / "index.html").read_text(encoding="utf-8")  # the calendar is reachable


def test_an_english_site_writes_schedule(make_site, run_cli, tmp_path):
    site = calendar_site(make_site, **{"site.yaml": SITE_YAML.replace("language: id", "language: en")})
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert (out / "schedule/index.html").is_file() and (out / "schedule.ics").is_file()
    assert not (out / "jadwal.ics").exists()
    assert "Next release: " in (out / "index.html").read_text(encoding="utf-8")
    assert "Tuesday, 5 January 2021" in (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Release calendar</h1>" in (out / "schedule/index.html").read_text(encoding="utf-8")


def test_a_past_next_release_warns_and_fails_only_a_strict_check(make_site, run_cli, tmp_path):
    site = calendar_site(make_site, **{EDITION: NOVEMBER.replace("2021-01-05", "2020-12-20")})
    warning = (f"{EDITION}:3: warning: `next_release` 2020-12-20 is in the past (today is 2021-01-01), yet the site "
               "announces it as the next release: set the new date, or publish the next edition")
    build = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert build.code == 0 and warning in build.err.splitlines(), build.err
    assert (tmp_path / "out/jadwal.ics").is_file()
    check = run_cli("check", "--site", site)
    assert check.code == 0 and warning in check.err.splitlines(), check.err
    strict = run_cli("check", "--strict", "--site", site)
    assert strict.code == 1 and warning in strict.err.splitlines(), strict.err
    assert run_cli("check", "--strict", "--site", calendar_site(make_site)).code == 0
