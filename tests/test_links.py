"""Links and images written relative to the Markdown file work from its page; broken ones are errors."""
from __future__ import annotations

import pytest

from .conftest import ARTICLE_MD, EDITION_MD, SITE_YAML

SECOND = """\
---
title: Artikel kedua
date: 2020-11-10
---

Lihat [sorotan](sorotan.md#bagian) dan [edisi](index.md). ![Peta](peta.png)
"""


def test_md_links_become_page_links_and_images_are_copied(make_site, run_cli, tmp_path):
    site = make_site({"content/2020-11/kedua.md": SECOND, "content/2020-11/peta.png": b"\x89PNG fake"})
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 0, result.err
    page = (out / "2020-11/kedua/index.html").read_text()
    assert 'href="../../2020-11/sorotan/#bagian"' in page and 'href="../../2020-11/"' in page
    assert (out / "2020-11/kedua/peta.png").read_bytes() == b"\x89PNG fake"


def test_broken_links_and_missing_images_name_the_line(make_site, run_cli, line_of, tmp_path):
    text = SECOND.replace("sorotan.md", "sorotn.md")
    article = ARTICLE_MD.replace("Paragraf penutup.", "Baca [ini](../2020-11/kedua/).")
    site = make_site({"content/2020-11/kedua.md": text, "content/2020-11/sorotan.md": article})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    line = line_of(text, "sorotn.md")
    assert f"content/2020-11/kedua.md:{line}: error: the link to `sorotn.md` leads nowhere: no page is made from " \
        "that file" in result.err
    assert f"content/2020-11/kedua.md:{line}: error: the image `peta.png` is not there" in result.err
    # the page-relative link written from the file's point of view is caught after rendering
    fixed = run_cli("build", "--site", make_site({"content/2020-11/kedua.md": SECOND.replace(" ![Peta](peta.png)", ""),
                                                  "content/2020-11/sorotan.md": article}, name="two"),
                    "--out", tmp_path / "out2")
    assert fixed.code == 1
    assert f"content/2020-11/sorotan.md:{line_of(article, '../2020-11/kedua/')}: error: the link `../2020-11/kedua/`" \
        in fixed.err



def test_a_missing_link_with_an_ampersand_is_named_as_written_at_its_line(make_site, run_cli, line_of):
    """The message quoted the page's HTML (`peta.html?k=1&amp;n=1`), which the body does not hold, so it had no line."""
    article = ARTICLE_MD.replace("Paragraf penutup.", "Lihat [peta](peta.html?k=1&n=1).")
    result = run_cli("check", "--site", make_site({"content/2020-11/sorotan.md": article}))
    assert result.code == 1
    assert f"content/2020-11/sorotan.md:{line_of(article, 'peta.html')}: error: the link `peta.html?k=1&n=1` leads " \
        "to no page or file of the site" in result.err



def test_a_link_to_nowhere_names_the_file_it_most_likely_meant(make_site, run_cli):
    """A wrong image named the file in other capitals; a wrong link named nothing (`teh-daun-kelor.md` for
    `teh-daun-kelor-muna.md`, `Index.md` for `index.md`)."""
    article = ARTICLE_MD.replace("Paragraf penutup.", "Lihat [ini](../2020-11/sorotn.md) dan [edisi](Index.md).")
    result = run_cli("check", "--site", make_site({"content/2020-11/sorotan.md": article}))
    assert result.code == 1
    assert "the link to `../2020-11/sorotn.md` leads nowhere" in result.err
    assert "(did you mean `../2020-11/sorotan.md`?)" in result.err and "(did you mean `index.md`?)" in result.err

def test_a_link_a_macro_makes_is_reported_at_its_line(make_site, run_cli, line_of):
    """The message had no line: the address on the page (`7401.md`) is not what the body holds."""
    page = "---\ntitle: Profil {{ row.nama }}\neach: {data: wilayah, key: kode}\n---\n\nSatu.\n\n" \
           "Lihat [profil]({{ row.kode }}.md).\n"
    result = run_cli("check", "--site", make_site({"content/pages/profil.md": page}))
    assert result.code == 1
    assert f"content/pages/profil.md:{line_of(page, 'Lihat')}: error: the link to `7401.md` leads nowhere" \
        in result.err

def test_a_document_is_published_beside_its_page_and_files_the_build_makes_can_be_linked(make_site, run_cli,
                                                                                         line_of, tmp_path):
    article = ARTICLE_MD.replace("Paragraf penutup.", "Lihat [laporan](laporan.pdf) dan [data](../../data/ikm.csv).")
    site = make_site({"content/2020-11/sorotan.md": article, "content/2020-11/laporan.pdf": b"%PDF-1.4 laporan",
                      "content/2020-11/index.md": EDITION_MD + "\nUnduh [versi PDF](buletin-uji-2020-11.pdf).\n",
                      "site.yaml": SITE_YAML + "pdf: true\n"})
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert (out / "2020-11/sorotan/laporan.pdf").read_bytes() == b"%PDF-1.4 laporan"
    assert 'href="../../data/ikm.csv"' in (out / "2020-11/sorotan/index.html").read_text()
    assert (out / "2020-11/buletin-uji-2020-11.pdf").is_file()  # the edition's own PDF, which its text links
    (site / "content/2020-11/laporan.pdf").unlink()  # now neither beside the article nor made by the build
    for command in (("build", "--out", out), ("check",)):
        result = run_cli(*command, "--site", site)
        assert result.code == 1
        assert f"content/2020-11/sorotan.md:{line_of(article, 'laporan.pdf')}: error: the file `laporan.pdf` is not " \
            "there (looked for content/2020-11/laporan.pdf)" in result.err, result.err
        assert "ikm.csv" not in result.err and "buletin-uji-2020-11.pdf" not in result.err


def test_a_link_to_a_part_a_page_lacks_is_a_warning_at_its_line(make_site, run_cli, line_of, tmp_path):
    """`page.md#part`, `#part` and a link home reach their page, but a part it lacks opens it at its top: said at
    the link's own line (not at a line where a longer link starts the same), as written, with the heading meant.
    Nothing is said of a part that is there, of `#top`, of a footnote, nor is a meta tag's name taken for a part."""
    article = ARTICLE_MD.replace("Paragraf penutup.", "## Bagian utama\n\nParagraf penutup.[^1]\n\n[^1]: Catatan.")
    text = SECOND.replace(" ![Peta](peta.png)", "") + (
        "\nBaca [ini](sorotan.md#bagian-utama), [atas](#top) dan [catatan](sorotan.md#fn:1).\n\n"
        "Lihat [cara](#cara) dan [itu](#c).\n\nPulang ke [beranda](../../#nope), [deskripsi](#description)."
        "\n\n[Tanda](#a&b).\n\n## Cara\n")
    site = make_site({"content/2020-11/kedua.md": text, "content/2020-11/sorotan.md": article})
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 0, result.err
    assert (out / "2020-11/kedua/index.html").is_file()
    where = "content/2020-11/kedua.md:{}: warning: the link `{}` leads to".format
    in_page = " no part of this page, so it opens at the page's top: correct what follows `#` (the page's " \
        "headings: #cara)"
    assert sorted(line for line in result.err.splitlines() if ": warning: the link" in line) == sorted([
        where(line_of(text, "sorotan.md#bagian)"), "sorotan.md#bagian") + " a page that has no part `#bagian`, so "
        "it opens at that page's top: correct what follows `#` (did you mean `#bagian-utama`?)",
        where(line_of(text, "[itu](#c)"), "#c") + in_page,
        where(line_of(text, "#description"), "#description") + in_page,
        where(line_of(text, "#a&b"), "#a&b") + in_page,
        where(line_of(text, "#nope"), "../../#nope") + " a page that has no part `#nope`, so it opens at that "
        "page's top: correct what follows `#` (the page has no headings to link to)"])


def test_a_file_name_with_a_space_is_found_however_written_and_its_address_is_encoded(make_site, run_cli, tmp_path):
    """`<foto kegiatan.png>` and `foto%20kegiatan.png` (as VS Code completes it) name the same file; the page
    writes `foto%20kegiatan.png`, and the file keeps its name beside the page."""
    article = ARTICLE_MD.replace("tags: [uji]", "tags: [uji]\nimage: foto kegiatan.png").replace(
        "Paragraf penutup.", "![Foto](<foto kegiatan.png>) ![Lagi](foto%20kegiatan.png)\n\n"
        "Unduh [laporan](laporan%20akhir.pdf#page=2).")
    site = make_site({"content/2020-11/sorotan.md": article, "content/2020-11/foto kegiatan.png": b"\x89PNG fake",
                      "content/2020-11/laporan akhir.pdf": b"%PDF-1.4 laporan"})
    out = tmp_path / "out"
    result = run_cli("build", "--site", site, "--out", out)
    assert result.code == 0, result.err
    page = (out / "2020-11/sorotan/index.html").read_text()
    assert page.count('src="foto%20kegiatan.png"') == 3 and 'foto kegiatan.png"' not in page
    assert 'href="laporan%20akhir.pdf#page=2"' in page
    assert (out / "2020-11/sorotan/foto kegiatan.png").read_bytes() == b"\x89PNG fake"
    assert (out / "2020-11/sorotan/laporan akhir.pdf").read_bytes() == b"%PDF-1.4 laporan"
    encoded = article.replace("image: foto kegiatan.png", "image: foto%20kegiatan.png")  # a file name, not an address
    result = run_cli("build", "--site", make_site({"content/2020-11/sorotan.md": encoded}, base=False), "--out", out)
    assert result.code == 1
    assert f"content/2020-11/sorotan.md:{encoded.split(chr(10)).index('image: foto%20kegiatan.png') + 1}: error: " \
        "`image` takes the photo's file name as it is: write `image: foto kegiatan.png`" in result.err


def test_check_says_what_build_says_of_a_link_to_a_draft(make_site, run_cli, tmp_path):
    """A draft has no page unless --drafts: `check` (what CI runs on a pull request) refuses the link as `build`
    will, and accepts it with --drafts, as `build --drafts` does."""
    article = ARTICLE_MD.replace("Paragraf penutup.", "Lihat [kedua](kedua.md).")
    site = make_site({"content/2020-11/sorotan.md": article,
                      "content/2020-11/kedua.md": SECOND.replace("date: 2020-11-10", "date: 2020-11-10\ndraft: true")
                      .replace(" ![Peta](peta.png)", "")})
    for drafts in ((), ("--drafts",)):
        verdicts = [run_cli("check", "--site", site, *drafts).code,
                    run_cli("build", "--site", site, "--out", tmp_path / "out", "--no-cache", *drafts).code]
        assert verdicts == ([1, 1] if not drafts else [0, 0]), (drafts, verdicts)


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_pictures_in_a_body_get_their_intrinsic_size_so_the_page_does_not_shift(make_site, run_cli, tmp_path):
    pictures = '![Peta](peta.png) ![Bagan](bagan.svg) ![Lebar](lebar.png){: width="90" } ![Tanpa ukuran](polos.svg)'
    body = SECOND.replace("![Peta](peta.png)", pictures)
    site = make_site({"content/2020-11/kedua.md": body, "content/2020-11/peta.png": _png(640, 360),
                      "content/2020-11/bagan.svg": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 120">'
                                                   b"</svg>",
                      "content/2020-11/lebar.png": _png(800, 100),
                      "content/2020-11/polos.svg": b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 0, result.err
    page = (tmp_path / "out/2020-11/kedua/index.html").read_text()
    assert '<img alt="Peta" src="peta.png" width="640" height="360"' in page
    assert '<img alt="Bagan" src="bagan.svg" width="300" height="120"' in page
    assert '<img alt="Lebar" src="lebar.png" width="90"' in page and 'height="100"' not in page  # as written
    assert '<img alt="Tanpa ukuran" src="polos.svg">' in page  # a picture that does not say: left alone


@pytest.mark.parametrize(("html", "work"), [
    ('<p>Teks<sup><a class="footnote-ref" href="#fn:1">1</a></sup>.</p>', False),  # a footnote needs nothing
    ("<p>Tanpa tautan.</p>", False),
    ("<p>data = src = poster =, href=x</p>", False),  # words of the text, not attributes
    ('<p><a href="lain.md">lain</a></p>', True),
    ('<p><a title="t" href="https://example.go.id/">situs</a></p>', True),
    ('<img alt="" src="foto.png">', True),
    ("<IMG SRC='https://pelacak.example/p.gif'>", True),  # raw HTML, written in capitals: still checked
    ('<video poster="x.jpg"></video>', True),
])
def test_the_quick_test_lets_through_every_body_with_something_to_resolve(html, work):
    from buletin.compose.links import needs_resolving

    assert needs_resolving(html) == work


def test_a_body_the_quick_test_spares_is_one_the_whole_pass_leaves_alone(tmp_path, monkeypatch):
    """Random fragments of links, images and footnotes: whenever the quick test says there is nothing to do, the
    whole pass changes nothing, finds no file and reports nothing."""
    import random

    from buletin.compose import links
    from buletin.compose.composer import Body
    from buletin.inputs.content import Document
    from buletin.inputs.yamlfile import KeyLines
    from buletin.problems import Problems

    (tmp_path / "content/2020-11").mkdir(parents=True)
    (tmp_path / "content/2020-11/foto.png").write_bytes(_png(4, 4))
    (tmp_path / "content/2020-11/laporan.pdf").write_bytes(b"%PDF-1.4")
    parts = ['<a href="', "<A HREF='", '<img src="', "<IMG SRC=", '<video poster="', '<a class="x" href="', " href=",
             "#fn:1", "lain.md", "foto.png", "laporan.pdf", "https://example.go.id/", "/mutlak.png", '"', "'", ">",
             "</a>", " ", "teks", "=", "data", "src"]
    doc = Document("content/2020-11/artikel.md", {}, "", 1, KeyLines(""))
    pages = {"content/2020-11/lain.md": "2020-11/lain/index.html"}
    spared = []
    for seed in range(3000):
        chosen = random.Random(seed)
        html = "".join(chosen.choice(parts) for _ in range(chosen.randint(1, 10)))
        if not links.needs_resolving(html):
            spared.append(html)
    monkeypatch.setattr(links, "needs_resolving", lambda _html: True)  # the whole pass, for every one of them
    for html in spared:
        problems = Problems()
        resolved, files = links.resolve(Body(html, ()), doc, "2020-11/artikel/index.html", pages, tmp_path,
                                        problems)
        assert (resolved.html, files, problems.items) == (html, {}, []), html
    assert len(spared) > 500


RAW_FETCHES = [
    '<img src="peta.svg" srcset="peta.svg 1x, https://b.example/x.png 2x" alt="s">',
    '<svg><image href="https://e.example/i.png"/></svg>',
    '<div style="background:url(https://a.example/bg.png)">latar</div>',
    '<link rel="stylesheet" href="https://h.example/s.css">',
    "<style>@import url(https://i.example/s.css);</style>",
    '<table background="https://u.example/bg.png"><tr><td>x</td></tr></table>',
    '<meta http-equiv="refresh" content="0;url=https://q.example">',
    '<base href="https://r.example/">',
    # spellings a browser reads the same way: spaces around =, a character reference, a space or a tab in the
    # value, a backslash for a slash, CSS image-set() and escapes
    '<iframe src = "https://f.example/frame"></iframe>',
    '<video src="&#104;ttps://v.example/v.mp4"></video>',
    '<audio src="\thttps://a2.example/a.mp3"></audio>',
    '<object data = "https://o.example/x.svg"></object>',
    '<svg><image href=" https://p.example/pixel.png"/></svg>',
    '<embed src="\\/m.example/embed">',
    "<div style=\"background-image:image-set('https://s.example/bg.png' 1x)\">x</div>",
    '<div style="background:u\\72l(https://c.example/bg2.png)">y</div>',
    # a comment a browser ends sooner, a page in srcdoc, a refresh without url=, image-set's second candidate,
    # an SVG animation of an address
    '<!--><img src="https://k.example/x.png"><!-- -->',
    '<iframe srcdoc="&lt;img src=&amp;#104;ttps://d.example/p&gt;"></iframe>',
    '<meta http-equiv="refresh" content="5;https://n.example/phish">',
    "<div style=\"background:image-set('peta.svg' 1x, 'https://w.example/2x.png' 2x)\">z</div>",
    '<svg><a><set attributeName="href" to="https://x.example/"/></a></svg>',
]
HOSTS = ["b", "e", "a", "h", "i", "u", "q", "r", "f", "v", "a2", "o", "p", "m", "s", "c", "k", "d", "n", "w", "x"]


def test_raw_html_loads_nothing_from_another_host_by_any_way_html_has(make_site, run_cli, tmp_path, line_of):
    """With allow_raw_html a body keeps its HTML: each way HTML has to make the page fetch an address is held to
    the rule for pictures (the sanitiser removes them all otherwise)."""
    shown = "CSS menulisnya `background: url(https://contoh.example/a.png)`, dan srcset = dua ukuran."  # text only
    article = ARTICLE_MD.replace("Paragraf penutup.", "\n\n".join([*RAW_FETCHES, shown]))
    site = make_site({"site.yaml": SITE_YAML + "allow_raw_html: true\n", "content/2020-11/sorotan.md": article,
                      "content/2020-11/peta.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    for html, host in zip(RAW_FETCHES, HOSTS, strict=True):
        line = line_of(article, html) if "&" not in html else ""  # a decoded address is not the line's text
        assert f"content/2020-11/sorotan.md:{line}" in result.err.split(f"{host}.example")[0].rsplit("\n", 1)[-1], \
            (html, result.err)
    assert result.err.count(": error: ") == len(RAW_FETCHES)


def test_check_finds_a_link_to_the_sitemap_a_site_without_base_url_has_not(make_site, run_cli):
    """build writes sitemap.xml only with full addresses (base_url); check used to plan it always."""
    page = "---\ntitle: Tentang\n---\n\nLihat [peta situs](../sitemap.xml).\n"
    site = make_site({"content/pages/tentang.md": page})
    checked = run_cli("check", "--site", site)
    assert checked.code == 1 and "content/pages/tentang.md:5: error: the link `../sitemap.xml`" in checked.err
    with_url = make_site({"content/pages/tentang.md": page, "site.yaml": (site / "site.yaml").read_text() +
                          "base_url: https://contoh.example/buletin/\n"}, name="dengan")
    assert run_cli("check", "--site", with_url).code == 0


def test_a_missing_picture_names_the_file_in_other_capitals_beside_it_and_only_that(tmp_path):
    """Windows finds `Foto.PNG` for `foto.png`, a web server does not: the message names the file that is there;
    not a file of the same name elsewhere (outside content/), nor the very name asked for."""
    from buletin.compose.links import missing

    (tmp_path / "content/2020-11").mkdir(parents=True)
    (tmp_path / "content/2020-11/Foto-Peta.PNG").write_bytes(b"x")
    (tmp_path / "gambar").mkdir()
    (tmp_path / "gambar/peta.png").write_bytes(b"x")
    assert "there is `Foto-Peta.PNG`" in missing("image", "foto-peta.png", "content/2020-11", tmp_path)
    assert "there is" not in missing("image", "../../gambar/peta.png", "content/2020-11", tmp_path)
    assert "there is" not in missing("image", "lain.png", "content/2020-11", tmp_path)


def test_the_parts_a_page_has_are_found_however_its_html_quotes_their_ids():
    """Raw HTML may write `id='kutip'`, `ID=bare` or `<a name="old">`; `<meta name="description">` is no part."""
    from buletin.outputs.linkcheck import _ids

    ids, headings = _ids(b"<span id='kutip'>x</span><div ID=bare></div><h2 id=\"bagian\">B</h2>"
                         b"<meta name=\"description\" content=\"x\"><a name=\"old\"></a>")
    assert ids == {"kutip", "bare", "bagian", "old"} and headings == ["bagian"]


def test_a_link_that_climbs_above_the_site_root_is_a_warning_at_its_line(make_site, run_cli, line_of, tmp_path):
    """It was let through unchecked: on the web it leads wherever the host has a page, which depends on where the
    bulletin is put. A warning, as it may be meant (the office's own site on the same host)."""
    article = ARTICLE_MD.replace("Paragraf penutup.", "Lihat [profil dinas](../../../profil/) dan [edisi](../../).")
    site = make_site({"content/2020-11/sorotan.md": article})
    for command in (("check",), ("build", "--out", str(tmp_path / "out"))):
        result = run_cli(*command, "--site", site)
        assert result.code == 0, result.err
        assert f"content/2020-11/sorotan.md:{line_of(article, 'profil dinas')}: warning: the link `../../../profil/` " \
            "climbs above the site's root folder" in result.err
        assert "`../../`" not in result.err  # the home page, inside the site
