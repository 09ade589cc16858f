"""What a body's raw HTML (with `allow_raw_html`) would make a browser fetch by itself, read as a browser reads
HTML, CSS and addresses, so that no spelling slips past the rule that pages load nothing from other hosts:
spaces around `=`, `&#104;ttps:`, `\\/host`, CSS escapes, `image-set()`, a refresh, a srcset's every
candidate."""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Attributes whose address is fetched (or, for a form's, sent to) without the reader following a link.
_FETCHED_BY = {"src", "data", "poster", "background", "action", "formaction", "codebase", "archive", "manifest",
               "ping", "lowsrc", "dynsrc", "longdesc", "attributionsrc"}
ANIMATED = {"set", "animate"}  # SVG's <set attributeName="href" to="https://..."> changes an address
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # a scheme, or another host
_MARKERS = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>")  # browsers end some of these sooner than html.parser
_HREF_FETCHED_IN = {"link", "base", "image", "use", "feimage", "script", "textpath", "mpath", "tref"}
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_CSS_FETCH = re.compile(r"""(?:url|image-set|image|cross-fade|src)\(\s*["']?([^"')\s,]+)|@import\s+["']([^"']+)""",
                        re.I)
_CSS_SETS = re.compile(r"(?:image-set|cross-fade)\(([^)]*)\)", re.I)  # each candidate, not only the first
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['"]?([^'";\s]+)""", re.I)


def raw_fetches(html: str) -> list[str]:
    """The addresses the HTML fetches by itself, as written."""
    reader = _Reader()
    reader.feed(_MARKERS.sub(" ", html))  # what a comment or CDATA holds is read as HTML too: a browser may
    reader.close()  # end it before html.parser would (`<!-->`), so it is judged as if shown
    return reader.addresses


def is_remote(address: str) -> bool:
    """Whether a browser fetches `address` from elsewhere than the site: it names a scheme or another host."""
    return _REMOTE.match(address) is not None


def browser_form(address: str) -> str:
    """An address as a browser takes it: tabs and line breaks dropped, spaces and controls trimmed, `\\` read
    as `/` (so `\\/host` is `//host`, another site)."""
    return re.sub(r"[\t\n\r]", "", address).strip("\x00- ").replace("\\", "/")


def css_addresses(css: str) -> list[str]:
    """The addresses a style sheet fetches: url(), image-set(), @import, after its escapes (`u\\72l(`)."""
    plain = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    found = [match.group(1) or match.group(2) for match in _CSS_FETCH.finditer(plain)]
    return found + [quoted for group in _CSS_SETS.finditer(plain) for quoted in _QUOTED.findall(group.group(1))]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # `&#104;ttps:` is read as `https:`, as a browser reads it
        self.addresses: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in _FETCHED_BY or (name in ("href", "xlink:href") and tag in _HREF_FETCHED_IN):
                self.addresses.append(value)
            elif name == "srcdoc":  # a page of its own, written in the attribute
                self.addresses += raw_fetches(value)
            elif tag in ANIMATED and name in ("to", "from", "values", "by"):
                self.addresses += [part for part in value.split(";") if part.strip()]
            elif name in ("srcset", "imagesrcset"):
                self.addresses += [part.split()[0] for part in value.split(",") if part.split()]
            elif name == "style":
                self.addresses += css_addresses(value)
            elif name == "content" and tag == "meta" and ("http-equiv", "refresh") in [
                    (key, (text or "").lower()) for key, text in attrs]:
                self.addresses += _REFRESH.findall(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.addresses += css_addresses(data)
