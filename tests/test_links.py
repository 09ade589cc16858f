"""Links and images written relative to the Markdown file work from its page; broken ones are errors."""
from __future__ import annotations

import pytest

from .conftest import ARTICLE_MD

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
    ('<p><a href="lain.md">lain</a></p>', True),
    ("<p><A HREF='laporan.pdf'>unduh</A></p>", True),
    ('<img alt="" src="foto.png">', True),
    ('<video poster="x.jpg"></video>', True),
])
def test_the_quick_test_lets_through_every_body_with_something_to_resolve(html, work):
    from buletin.compose.links import _REFERS

    assert bool(_REFERS.search(html)) == work
