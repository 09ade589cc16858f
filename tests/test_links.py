"""Links and images written relative to the Markdown file work from its page; broken ones are errors."""
from __future__ import annotations

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
    assert f"content/2020-11/kedua.md:{line}: error: link to `sorotn.md`: no page is made from that file" in result.err
    assert f"content/2020-11/kedua.md:{line}: error: image `peta.png` not found" in result.err
    # the page-relative link written from the file's point of view is caught after rendering
    fixed = run_cli("build", "--site", make_site({"content/2020-11/kedua.md": SECOND.replace(" ![Peta](peta.png)", ""),
                                                  "content/2020-11/sorotan.md": article}, name="two"),
                    "--out", tmp_path / "out2")
    assert fixed.code == 1
    assert f"content/2020-11/sorotan.md:{line_of(article, '../2020-11/kedua/')}: error: link `../2020-11/kedua/`" \
        in fixed.err
