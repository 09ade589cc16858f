from buletin.urls import absolute, address_of, file_name, page_path, relative, root_of, slugify


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


def test_slugs_transliterate_letters_unicode_does_not_decompose():
    assert slugify("Kota Kendari") == "kota-kendari" and slugify("Résumé ūnicode") == "resume-unicode"
    assert slugify("Straße") == "strasse" and slugify("Ærø Łódź Þing") == "aero-lodz-thing"


def test_a_file_name_and_its_address_round_trip():
    for name in ("foto kegiatan.png", "50%.png", "a:b.png", "peta-ñ (1).png", "a&b.pdf", "a#b?.png"):
        address = address_of(name)
        assert " " not in address and "#" not in address and "?" not in address and not address.startswith("a:")
        assert file_name(address) == name
    assert file_name("foto%20kegiatan.png#x") == file_name("foto kegiatan.png?v=2") == "foto kegiatan.png"
    assert file_name("a&amp;b.pdf") == "a&b.pdf"  # as written in HTML
