from buletin.compose.markup import Markup


def test_scripts_handlers_and_javascript_urls_are_removed():
    html = Markup().convert('<script>alert(1)</script>\n\n<a href="javascript:x()" onclick="y()">x</a>\n\n'
                            '<img src="a.png" onerror="z()">')
    assert "<script" not in html and "alert" not in html
    assert "javascript:" not in html and "onclick" not in html and "onerror" not in html


def test_raw_html_kept_when_allowed():
    html = Markup(allow_raw_html=True).convert('<div class="x" data-k="1">hi</div>')
    assert 'data-k="1"' in html


def test_extensions_tables_footnotes_attr_list_and_one_h1():
    html = Markup().convert("# Judul\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nTeks[^1]\n\n[^1]: catatan\n\n"
                            "Paragraf\n{: .penting }")
    assert "<h1" not in html and '<h2 id="judul">' in html
    assert "<table>" in html and 'class="align-right"' in html
    assert 'class="footnote"' in html
    assert 'class="penting"' in html


def test_plain_text_excerpt_leaves_out_figures_and_their_placeholders():
    from buletin.compose.markup import plain_text

    words = " ".join(f"kata{i}" for i in range(400))
    html = f"<p>BULETINFIGURE0X</p>\n<p>Awal <em>penting</em>.</p>\n<p>{words}</p>"
    excerpt = plain_text(html, 60)
    assert excerpt.startswith("Awal penting. kata0 kata1") and excerpt.endswith(" …")
    assert len(excerpt) <= 62 and "BULETIN" not in excerpt
    caption = "<figure><figcaption>" + "keterangan " * 100 + "</figcaption></figure>"
    assert plain_text(f"<p>Awal.</p>{caption}<p>{words}</p>", 40).startswith("Awal. kata0")
    assert plain_text(f"<p>Awal.</p>{caption}<p>{words}</p>", 40) == plain_text(f"<p>Awal.</p><p>{words}</p>", 40)


def test_a_bodys_headings_do_not_take_the_ids_the_theme_gives_a_page():
    """`## Isi` would be the skip link's target, `## Gambar 1` the first figure's: they get ids of their own,
    unique in the body."""
    import re

    html = Markup().convert("## Isi\n\na\n\n## Isi\n\nb\n\n## Gambar 1\n\nc\n\n## Table 2\n\nd\n\n## Lain\n")
    ids = re.findall(r'id="([^"]+)"', html)
    assert ids == ["isi_2", "isi_1", "gambar-1_1", "table-2_1", "lain"] and len(set(ids)) == len(ids)


def test_fenced_code_works_without_importing_pygments():
    """Highlighting is never configured, so composing a body must not pay for importing Pygments where it is
    installed (as it is here, for pytest); a fresh interpreter shows what a build imports."""
    import subprocess
    import sys

    script = ("import sys\nfrom buletin.compose.markup import Markup\n"
              "html = Markup().convert('```python\\nx = 1\\n```')\n"
              "print('pygments' in sys.modules, '<pre><code class=\"language-python\">x = 1' in html)\n"
              "import pygments\nprint(pygments.__name__)")
    said = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert said == ["False", "True", "pygments"]  # nor is Pygments made unimportable for anyone after


def test_depth_counts_nesting_not_tags_html_closes_by_itself():
    """`<li>a<li>b` closes the first item at the second: 3,000 items without `</li>` nest nothing, while 1,001
    `<div>` one inside the other are refused (the sanitiser's time grows with the square of the depth)."""
    import pytest

    from buletin.compose.limits import TooMuchWork

    markup = Markup(allow_raw_html=True)
    assert markup.convert("<ul>" + "<li>x" * 3000 + "</ul>\n\n" + "<p>a" * 2000).count("<li>") == 3000
    assert "<td>" in markup.convert("<table>\n" + "<tr><td>a<td>b<td>c\n" * 400 + "</table>")
    assert "x" in Markup().convert("<!-- " + "<div>" * 1100 + " -->\n\nx")  # a comment holds no element
    with pytest.raises(TooMuchWork, match="1,000"):
        markup.convert("<div>" * 1001 + "x")
    svg = '<svg viewBox="0 0 9 9">' + '<rect width="1" height="1"/>' * 1500 + "</svg>"  # in SVG, `/>` closes
    assert markup.convert(svg + "<svg/>" * 1200 + "\n\nx").count("<rect") == 1500


def test_the_plain_text_leaves_out_closed_figures_and_reads_entities():
    from buletin.compose.markup import plain_text

    html = "<p>a &amp; b</p><figure><svg>x</svg></figure><p>c &lt; d</p><figure class=x>e</figure><figure>f"
    assert plain_text(html) == "a & b c < d f"  # a figure without its end tag is text, as a browser shows it


def test_an_svg_exported_from_a_page_with_an_xhtml_style_is_a_picture():
    """d3 charts saved with XMLSerializer carry <style xmlns="...xhtml">: plain CSS, no script."""
    from buletin.compose.images import active_svg

    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><style xmlns="http://www.w3.org/1999/xhtml">text{fill:#000}'
           b'</style><text>1</text></svg>')
    assert active_svg(svg, "grafik.svg") is None
    assert active_svg(svg.replace(b"<text>", b'<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" '
                                             b'content="0;url=https://e.example/"/><text>'), "grafik.svg")
