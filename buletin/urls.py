"""Output paths, the relative links between them, and slugs."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote, unquote

# What a path segment may keep as it is (RFC 3986): a space, `%`, `#`, `?`, `"`, `<`, `&` or a letter beyond ASCII is
# written %XX. `:` is written so too: before the first `/` it would read as a scheme.
_KEPT_IN_PATH = "/!$'()*+,;=@"


def page_path(*parts: str) -> str:
    """The output file of a page at the folder `parts`: ("2020-11", "slug") -> 2020-11/slug/index.html."""
    folder = "/".join(p.strip("/") for p in parts if p)
    return f"{folder}/index.html" if folder else "index.html"


def root_of(path: str) -> str:
    """The relative prefix from an output file back to the site root: "" or "../../"."""
    depth = path.count("/")
    return "../" * depth


def relative(from_path: str, to_path: str) -> str:
    """A relative link from one output file to another file or folder (folders end with /).

    Down from the page's own folder where the target is inside it, else up to the root and down again.
    """
    folder = from_path.rsplit("/", 1)[0] + "/" if "/" in from_path else ""
    target = to_path[: -len("index.html")] if to_path.endswith("index.html") else to_path
    if target.startswith(folder):
        return target[len(folder):] or "./"
    return "../" * folder.count("/") + target


def file_name(address: str) -> str:
    """The file a relative address written in HTML names: `foto%20kegiatan.png#x` -> `foto kegiatan.png`
    (VS Code completes a name with a space so)."""
    return unquote(html.unescape(address).split("#")[0].split("?")[0])


def address_of(name: str) -> str:
    """A file name as the address a page writes for it: `foto kegiatan.png` -> `foto%20kegiatan.png`."""
    return quote(name, safe=_KEPT_IN_PATH)


def absolute(base_url: str | None, path: str) -> str | None:
    """An absolute URL for an output path, when the site has a base_url."""
    if not base_url:
        return None
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return base_url + path


# Letters that Unicode does not decompose into a plain letter and a mark: dropped, `Straße` would be `strae`.
_OWN_LETTERS = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
                              "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th",
                              "ı": "i"})


@lru_cache(maxsize=4096)  # a build asks for every tag's slug a dozen times
def slugify(text: str) -> str:
    """kota-kendari from "Kota Kendari", resume from "Résumé", strasse from "Straße": how tags and new files are
    named."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.translate(_OWN_LETTERS)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def short_slug(slug: str, limit: int = 80) -> str:
    """A name of at most `limit` characters, cut between words (a long title stays the title)."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit + 1].rsplit("-", 1)[0]
    return cut if cut else slug[:limit]


MAX_SLUG = 200  # characters of a page's folder made from a text (a tag, a row's key); a file system allows 255
# Names Windows keeps for devices, with any extension: no folder or file so named can be made or copied there
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul",
                             *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))})


def is_windows_device(name: str) -> bool:
    """Whether a folder or file so named cannot be made on Windows (`aux`, `con.html`, `COM1`)."""
    return name.split(".", 1)[0].strip().lower() in WINDOWS_DEVICES


def slug_problem(text: str) -> str | None:
    """Why a tag or a row's key cannot name a page's folder: it has no letter or digit a web address holds, is a
    name Windows keeps, or is too long (None when it can)."""
    from buletin.messages import _

    slug = slugify(text)
    if not slug:
        return _("`{text}` has no letter or digit a web address can hold (a-z, 0-9, or letters with accents): write "
                 "it with some").format(text=text)
    if is_windows_device(slug):
        return _("`{text}` would make a folder named `{slug}`, a name Windows keeps for a device, so the site could "
                 "not be built or copied there: add a word").format(text=text, slug=slug)
    if len(slug) > MAX_SLUG:
        return _("`{text}` would make a web address of {count} characters, more than {limit}").format(
            text=text[:60] + "…", count=len(slug), limit=MAX_SLUG)
    return None
