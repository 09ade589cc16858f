"""The Atom feed: an excerpt of the body stands in for a missing summary."""
from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def test_entry_without_summary_gets_an_excerpt_of_its_body(make_site, run_cli, tmp_path):
    site = make_site()
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    entry = feed.find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary").text
    assert "Jumlah unit usaha pada November 2020 tercatat 13.012 unit." in summary
    assert "Unit usaha per wilayah" not in summary  # figures are left out of the excerpt
    assert feed.find(f"{ATOM}id").text.startswith("tag:buletin,2000:buletin-uji")


def test_an_excerpt_shows_an_ampersand_once_escaped(make_site, run_cli, tmp_path):
    """The excerpt kept Markdown's `&amp;` and the feed escaped it again: readers saw `IKM &amp; UMKM`."""
    from .conftest import ARTICLE_MD

    body = ARTICLE_MD.replace("Jumlah unit usaha pada", "IKM & UMKM tumbuh, 5 < 7. Jumlah unit usaha pada")
    site = make_site({"content/2020-11/sorotan.md": body})
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    summary = ET.parse(tmp_path / "out/feed.xml").getroot().find(f"{ATOM}entry").find(f"{ATOM}summary").text
    assert summary.startswith("IKM & UMKM tumbuh, 5 < 7. Jumlah unit usaha pada November 2020"), summary


def test_the_feed_carries_the_newest_articles_only(make_site, run_cli, tmp_path):
    from buletin.outputs.feeds import FEED_ENTRIES

    article = "---\ntitle: Catatan {n}\ndate: 2020-11-{day:02d}\n---\n\nCatatan harian nomor {n}.\n"
    site = make_site({f"content/2020-11/catatan-{n}.md": article.format(n=n, day=1 + n % 28)
                      for n in range(FEED_ENTRIES + 5)})
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    dates = [entry.find(f"{ATOM}published").text for entry in feed.iter(f"{ATOM}entry")]
    assert len(dates) == FEED_ENTRIES
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2020-11-28")


def test_a_control_character_in_a_title_never_reaches_the_feed(make_site, run_cli, tmp_path):
    """XML 1.0 allows no vertical tab, even escaped: one in a title made the whole feed unreadable. Such a title
    is an error at its line now, and the feed's own escaping still drops what XML cannot hold."""
    from buletin.outputs.feeds import escape, quoteattr

    from .conftest import ARTICLE_MD

    site = make_site({"content/2020-11/sorotan.md": ARTICLE_MD.replace("title: Sorotan IKM November",
                                                                      'title: "Sorotan\\vIKM\\x1bNovember"')})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--base-url", "https://a.example/")
    assert result.code == 1 and "content/2020-11/sorotan.md:2: error: `title` holds an invisible character (U+000B)" \
        in result.err and not (tmp_path / "out").exists()
    assert escape("Sorotan\vIKM\x1bNovember <b>") == "SorotanIKMNovember &lt;b&gt;"
    assert quoteattr('a\x00"b') == '"a&quot;b"'
