"""A picture's intrinsic size, written on its <img>, so a page reserves the picture's space before it loads
(the text does not jump as it arrives: no layout shift)."""
from __future__ import annotations

import io
import re
from collections.abc import Callable

from buletin.compose.rawhtml import ANIMATED, browser_form, css_addresses, is_remote
from buletin.messages import _

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_ATTRIBUTE = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""")
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
_IMG_TAG = re.compile(r"<img\b[^<>]*>")
_SRC = re.compile(r'\bsrc="([^"]+)"')
_SIZED = re.compile(r"\b(?:width|height)\s*=", re.I)


MAX_PIXELS = 60_000_000  # a 50-megapixel camera's photo passes; a "pixel bomb" (65,000 x 65,000) does not


def too_many_pixels(size: tuple[int, int] | None, name: str) -> str | None:
    """What to do about a picture too large to show or to put in a PDF; None when it is fine."""
    if size is None or size[0] * size[1] <= MAX_PIXELS:
        return None
    return _("the picture `{name}` is {width} x {height} pixels, far more than a page can show (and more memory "
             "than a build should take): save it smaller, e.g. 2,000 pixels wide").format(
                 name=name, width=size[0], height=size[1])


# What an SVG may hold that runs, or fetches from elsewhere, when a reader opens it (its own address is the
# site's: a script in it could act as the site); the pages' own policy does not reach a file opened by itself.
# It is read as XML (namespaces, character references and CSS escapes decoded), as a browser reads it.
_ACTIVE_ELEMENTS = {"script", "foreignobject", "handler", "listener", "iframe", "embed", "object", "meta"}
_XHTML = "{http://www.w3.org/1999/xhtml}"
_ACTIVE_HTML = {"base", "link", "form", "frame", "frameset", "portal"}  # (a <style> of CSS, as d3 exports, is fine)
MAX_SVGZ = 50 * 1024 * 1024  # bytes an .svgz may unpack to
_ENTITY = re.compile(rb"""<!ENTITY\s+(%\s+)?[^\s>]+\s+(?:SYSTEM|PUBLIC)?\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def active_svg(data: bytes, name: str) -> str | None:
    """What to do about an SVG picture that holds a script or loads from another site; None when it is fine."""
    if not name.lower().endswith((".svg", ".svgz")):
        return None
    found = _active_part(data, name)
    if found is None:
        return None
    if found == _NOT_XML:
        return _("the SVG picture `{name}` is not well-formed XML, and a browser still runs a script it holds before "
                 "the fault: save it again as an SVG (in Inkscape: File > Save As > Optimized SVG)").format(name=name)
    return _("the SVG picture `{name}` holds `{found}`: a script, or something loaded from another site, which "
             "would run when a reader opens the picture; save it again without them (in Inkscape: File > Save As > "
             "Optimized SVG)").format(name=name, found=found[:80])


_NOT_XML = "not XML"


def _active_part(data: bytes, name: str) -> str | None:
    import gzip
    from xml.etree.ElementTree import ParseError, fromstring

    if name.lower().endswith(".svgz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
                data = packed.read(MAX_SVGZ + 1)
        except (OSError, EOFError):
            return "svgz"
        if len(data) > MAX_SVGZ:
            return "svgz"
    if re.search(rb"<\?xml-stylesheet", data, re.I):
        return "<?xml-stylesheet"
    for declared in _ENTITY.finditer(data):  # Illustrator declares plain ones; any other could spell a script
        if declared.group(1) or re.search(rb"[<&%]", declared.group(2)):
            return "<!ENTITY"
    if data[:2] == b"\x1f\x8b":  # compressed, under a name that says it is not: shown broken at best
        return _NOT_XML
    try:
        root = fromstring(data)
    except (ParseError, ValueError, LookupError):  # LookupError, ValueError: an encoding Python cannot read here
        return _NOT_XML  # a browser runs what comes before the fault (a script first, a broken tag after)
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _ACTIVE_ELEMENTS or (str(element.tag).startswith(_XHTML) and tag in _ACTIVE_HTML):
            return f"<{tag}"  # HTML in the picture acts too: <meta http-equiv="refresh"> sends its reader away
        for key, value in element.attrib.items():
            found = _active_attribute(tag, key.rsplit("}", 1)[-1].lower(), value)
            if found:
                return found
        if tag == "style" and element.text and any(_fetched(a) for a in css_addresses(element.text)):
            return "<style>"
    return None


def _active_attribute(tag: str, key: str, value: str) -> str | None:
    address = browser_form(value)
    if key.startswith("on"):
        return key
    if "javascript:" in re.sub(r"\s", "", value).lower():
        return f'{key}="javascript:'
    if key in ("href", "src") and tag != "a" and _fetched(address):  # a link is followed, not fetched
        return f'{key}="{address}'
    if tag in ANIMATED and key in ("to", "from", "values", "by") and any(_fetched(part) for part in value.split(";")):
        return f'{key}="{value}'
    if key == "style" and any(_fetched(a) for a in css_addresses(value)):
        return f'style="{value}'
    return None


def _fetched(address: str) -> bool:
    """An address an SVG would fetch from elsewhere (a picture it holds as `data:` is its own)."""
    address = browser_form(address)
    return is_remote(address) and not address.lower().startswith("data:")


def intrinsic_size(data: bytes, name: str) -> tuple[int, int] | None:
    """Width and height in CSS pixels, or None when the file does not say (or is not a picture we read)."""
    if name.lower().endswith(".svg"):
        return _svg_size(data)
    import warnings

    from PIL import Image  # matplotlib's own dependency: reads only the header here

    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # a "pixel bomb" too: its size is all we read
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Exception:  # any picture Pillow cannot read just goes without a size
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    return (width, height) if width > 0 and height > 0 else None


def _svg_size(data: bytes) -> tuple[int, int] | None:
    """From the root's width and height in px (or unitless), else from its viewBox."""
    root = _SVG_ROOT.search(data[:65536])
    if root is None:
        return None
    found = {key.decode(): value.decode("utf-8", "replace") for key, value in _ATTRIBUTE.findall(root.group(0))}
    width, height = _pixels(found.get("width")), _pixels(found.get("height"))
    if width and height:
        return round(width), round(height)
    box = found.get("viewBox", "").replace(",", " ").split()
    try:
        box_width, box_height = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None
    if box_width <= 0 or box_height <= 0:
        return None
    if width:  # one length given: the other follows the viewBox's proportions
        return round(width), round(width * box_height / box_width)
    return round(box_width), round(box_height)


def _pixels(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


def with_sizes(html: str, size_of: Callable[[str], tuple[int, int] | None]) -> str:
    """Each <img> without a width or height gets its picture's size (`size_of(src)`: (w, h) or None)."""
    if "<img" not in html:
        return html

    def sized(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if _SIZED.search(tag) or src is None:
            return tag
        size = size_of(src.group(1))
        if size is None:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end].rstrip()} width="{size[0]}" height="{size[1]}"{tag[end:]}'

    return _IMG_TAG.sub(sized, html)
