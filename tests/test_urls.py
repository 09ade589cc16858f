from buletin.urls import absolute, page_path, relative, root_of


def test_relative_links_between_pages():
    assert relative("2020-11/a/index.html", "arsip/index.html") == "../../arsip/"
    assert relative("index.html", "2020-11/index.html") == "2020-11/"
    assert relative("2020-11/index.html", "index.html") == "../"
    assert relative("index.html", "index.html") == "./"
    assert relative("2020-11/a/index.html", "2020-11/a/gambar-1.svg") == "gambar-1.svg"


def test_page_paths_and_roots():
    assert page_path("2020-11", "slug") == "2020-11/slug/index.html"
    assert page_path() == "index.html"
    assert root_of("2020-11/slug/index.html") == "../../"
    assert absolute("https://x.org/b/", "2020-11/index.html") == "https://x.org/b/2020-11/"
    assert absolute(None, "index.html") is None
