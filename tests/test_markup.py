from buletin.markup import Markup


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
    assert "<table>" in html and 'style="text-align:right"' in html
    assert 'class="footnote"' in html
    assert 'class="penting"' in html
