"""A map resource: a GeoJSON FeatureCollection of Polygon/MultiPolygon areas in longitude/latitude, each named
by its `key` property; every problem at the line of the feature at fault."""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buletin.inputs.paths import NotUtf8, decode_utf8
from buletin.messages import N_, _, _n, number
from buletin.problems import Problems, nearest

MAX_BYTES = 50 * 1024 * 1024  # a bulletin's map; a national file of every village belongs simplified first
MAX_AREAS = 5000
MAX_REPORTED = 10  # problems of one kind in one file; then "N more"
NAME_PROPERTIES = ("nama", "name", "NAMA", "NAME", "Nama", "Name")
_WHITESPACE = " \t\n\r"
COLLECTION = '{"type": "FeatureCollection", "features": [...]}'  # how a map file starts and ends
FEATURE = '{"type": "Feature", "properties": {...}, "geometry": {...}}'  # one area of it
# The kinds of problem of one area, counted apart (MAX_REPORTED of each), translated when summarised.
DUPLICATE, NOT_AN_AREA, NO_CODE = N_("code repeated"), N_("not an area"), N_("no code")
NO_POLYGON, COORDINATES, OUT_OF_RANGE = N_("not a polygon"), N_("coordinates"), N_("coordinates out of range")

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) positions
Polygon = tuple[Ring, ...]  # an exterior ring, then its holes


@dataclass(frozen=True)
class Area:
    """One feature: its code (the `key` property, as text), its name, its polygons, and its line."""

    code: str
    name: str
    polygons: tuple[Polygon, ...]
    line: int


@dataclass(frozen=True)
class Geometry:
    """A validated map resource."""

    resource: str
    key: str
    sha256: str  # of the file's bytes: what a drawing of it depends on
    areas: tuple[Area, ...]

    def area(self, code: str) -> Area | None:
        return next((a for a in self.areas if a.code == code), None)

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.areas]


class _Reader:
    """Checks one file, reporting at most MAX_REPORTED problems of each kind."""

    def __init__(self, rel: str, text: str, problems: Problems):
        self.rel, self.text, self.problems = rel, text, problems
        self.counts: dict[str, int] = {}

    def line_at(self, offset: int) -> int:
        return self.text.count("\n", 0, max(0, offset)) + 1

    def fail(self, kind: str, line: int | None, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] <= MAX_REPORTED:
            self.problems.add(self.rel, line, message)

    def summarise(self) -> None:
        for kind, count in self.counts.items():
            if count > MAX_REPORTED:
                more = count - MAX_REPORTED
                self.problems.add(self.rel, None, _n(
                    "{count} more area with the same kind of error ({kind}): correct it the same way",
                    "{count} more areas with the same kind of error ({kind}): correct them the same way",
                    more).format(count=number(more), kind=_(kind)))


def _whole_number(digits: str) -> int | float:
    """A JSON integer; one past Python's 4,300 digits is the float it rounds to (inf), which the checks of a
    coordinate then refuse at its line, instead of a ValueError about sys.set_int_max_str_digits."""
    return int(digits) if len(digits.lstrip("-")) <= 4000 else float(digits)


def read_geojson(site_root: Path, rel: str, resource: str, key: str, problems: Problems) -> Geometry | None:
    """Read and check `rel` (relative to the site root); None when it cannot be used (problems reported)."""
    path = site_root / rel
    if not path.is_file():
        return None
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        problems.add(rel, None, _("the file is {size} MB; a map file may be at most {limit} MB: simplify it "
                                  "first (e.g. mapshaper -simplify 5%)").format(size=number(round(len(data) / 1e6)),
                                                                                limit=number(MAX_BYTES // 2**20)))
        return None
    try:
        text = decode_utf8(data)
    except NotUtf8 as exc:
        problems.add(rel, exc.line, str(exc))
        return None
    if not text.strip():
        problems.add(rel, None, _("the file is empty: a map file is GeoJSON, a FeatureCollection ({example}): "
                                  "export the map again as GeoJSON").format(example=COLLECTION))
        return None
    try:
        raw = json.loads(text, parse_int=_whole_number)
    except RecursionError:
        problems.add(rel, None, _("not GeoJSON: the file is nested too deeply to be a map: export the map again "
                                  "as GeoJSON"))
        return None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        reason = getattr(exc, "msg", str(exc))
        problems.add(rel, line, _("not GeoJSON: the file is not valid JSON ({reason}); a map file is a GeoJSON "
                                  "FeatureCollection: correct it at this line, or export the map again as GeoJSON"
                                  ).format(reason=reason))
        return None
    reader = _Reader(rel, text, problems)
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"),
                                                                                              list):
        problems.add(rel, 1, _("not GeoJSON: a map file must be a FeatureCollection ({example}), not {kind}: "
                               "export the map again as GeoJSON").format(example=COLLECTION, kind=_shown(raw)))
        return None
    features = raw["features"]
    if not features:
        problems.add(rel, 1, _("the map file has no areas (its FeatureCollection has no features): a map needs "
                               "at least one area"))
        return None
    if len(features) > MAX_AREAS:
        problems.add(rel, 1, _("the map file has {count} areas; a map holds at most {limit}: keep only the areas "
                               "the bulletin shows").format(count=number(len(features)), limit=number(MAX_AREAS)))
        return None
    spans = _feature_spans(text)
    if len(spans) != len(features):  # cannot happen for valid JSON; lines are then approximate
        spans = [(0, len(text))] * len(features)
    before = problems.mark()
    areas: list[Area] = []
    first: dict[str, int] = {}
    for index, (feature, (start, end)) in enumerate(zip(features, spans, strict=True)):
        line = reader.line_at(start)
        area = _area(reader, feature, index, key, line, start, end)
        if area is None:
            continue
        if area.code in first:
            reader.fail(DUPLICATE, area.line, _("the code {code} (`{key}`) appears twice (first on line {line}): "
                                                "each area must have its own code").format(
                code=area.code, key=key, line=first[area.code]))
            continue
        first[area.code] = area.line
        areas.append(area)
    reader.summarise()
    if problems.mark() > before:
        return None
    return Geometry(resource, key, hashlib.sha256(data).hexdigest(), tuple(areas))


def _shown(raw: Any) -> str:
    """What a file holds instead of a FeatureCollection: its `type`, or what kind of JSON value it is."""
    if isinstance(raw, list):
        return _("a list (`[...]`)")
    if not isinstance(raw, dict):
        return _("a single value")
    kind = raw.get("type")
    if kind == "FeatureCollection":
        return _("a FeatureCollection without its list of `features`")
    return f"`{kind}`" if isinstance(kind, str) else _("a JSON object without `type`")


def _area(reader: _Reader, feature: Any, index: int, key: str, line: int, start: int, end: int) -> Area | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        reader.fail(NOT_AN_AREA, line, _("area {number} of the map file is not a GeoJSON Feature ({example}): export "
                                         "the map again as GeoJSON").format(number=index + 1, example=FEATURE))
        return None
    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    code = _code(properties.get(key))
    if code is None:
        names = sorted(map(str, properties))
        guess = nearest(key, names) if key not in properties else None
        hint = " " + _("(did you mean `{name}`?)").format(name=guess) if guess else ""
        held = properties.get(key)
        message = _("area {number} of the map file has `{key}`: {held}, where its code belongs, as a text or a "
                    "number (the `key` of the map in data/datapackage.yaml): write its code there") \
            if held is not None and str(held).strip() and key in properties else \
            _("area {number} of the map file has an empty `{key}`, which must hold its code (the `key` of "
              "the map in data/datapackage.yaml); its properties: {names}: fill in its code") \
            if key in properties else \
            _("area {number} of the map file has no property `{key}`, which must hold its code (the `key` of the map "
              "in data/datapackage.yaml){hint}; its properties: {names}: add its code, or correct `key`")
        reader.fail(NO_CODE, line, message.format(number=index + 1, key=key, hint=hint, held=str(held)[:40],
                                                  names=", ".join(names[:8]) or _("none")))
        return None
    line = _key_line(reader, key, code, start, end) or line
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        message = _("the area `{code}` has no geometry; a map's areas are Polygon or MultiPolygon: draw its "
                    "boundary, or remove it") if geometry is None else \
            _("the area `{code}` is a {kind}; a map's areas are Polygon or MultiPolygon: draw its boundary as a "
              "polygon, or remove it") if isinstance(kind, str) else \
            _("the area `{code}` has no geometry type; a map's areas are Polygon or MultiPolygon: export the map "
              "again as GeoJSON")
        reader.fail(NO_POLYGON, line, message.format(code=code, kind=kind))
        return None
    assert isinstance(geometry, dict)
    coordinates = geometry.get("coordinates")
    polygons = _polygons([coordinates] if kind == "Polygon" else coordinates)
    if isinstance(polygons, str):
        reader.fail(COORDINATES, line, _("the area `{code}`: {problem}; export the map again as GeoJSON").format(
            code=code, problem=polygons))
        return None
    outside = next((p for polygon in polygons for ring in polygon for p in ring
                    if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)), None)
    if outside is not None:
        reader.fail(OUT_OF_RANGE, line, _("the area `{code}`: the coordinate [{longitude}, {latitude}] is out of "
                                          "range (longitude -180..180, latitude -90..90): the file must be in "
                                          "longitude/latitude (WGS 84, EPSG:4326), not a projected system such as "
                                          "UTM: export it again as EPSG:4326").format(
            code=code, longitude=_plain(outside[0]), latitude=_plain(outside[1])))
        return None
    return Area(code, _name(properties, key, code), polygons, line)


def _code(value: Any) -> str | None:
    """A key property's value as text: strings as they are, whole numbers without `.0`."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
        return str(int(value))
    if isinstance(value, (str, float)):
        return _visible(str(value)) or None
    return None


def _name(properties: dict, key: str, code: str) -> str:
    """What readers call the area: `nama` or `name`, else the first other text property, else its code."""
    for name in NAME_PROPERTIES:
        if name != key and isinstance(properties.get(name), str) and (shown := _visible(properties[name])):
            return shown
    others = (_visible(v) for k, v in properties.items() if k != key and isinstance(v, str))
    return next((shown for shown in others if shown), code)


def _visible(text: str) -> str:
    """A name on one line, without control characters (a NUL would break the map's SVG as XML)."""
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cc" or c.isspace()).split())


def _key_line(reader: _Reader, key: str, code: str, start: int, end: int) -> int | None:
    """The line of `"key": "code"` inside the feature's text (features written over many lines)."""
    pattern = re.compile(rf'"{re.escape(key)}"\s*:\s*"?{re.escape(code)}(?:"|\.0*\b|\b)')
    match = pattern.search(reader.text, start, end)
    return reader.line_at(match.start()) if match else None


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _polygons(coordinates: Any) -> tuple[Polygon, ...] | str:
    """The polygons of a MultiPolygon's coordinates, or what is wrong with them."""
    shape = _("its coordinates must be a list of polygons, each a list of rings, each a list of [longitude, "
              "latitude]")
    if not isinstance(coordinates, list) or not coordinates:
        return shape
    polygons = []
    for polygon in coordinates:
        if not isinstance(polygon, list) or not polygon:
            return shape
        rings = []
        for ring in polygon:
            if not isinstance(ring, list):
                return shape
            points = []
            for position in ring:
                point = _point(position)
                if point is None:
                    return _("{problem}; found {value}").format(problem=shape, value=_short(position))
                points.append(point)
            if len(points) < 4:
                return _("a ring of its boundary has {count} points; a ring needs at least 4 (three corners and "
                         "the first again)").format(count=number(len(points)))
            rings.append(tuple(points))
        polygons.append(tuple(rings))
    return tuple(polygons)


def _point(position: Any) -> tuple[float, float] | None:
    """[longitude, latitude, ...] as two finite floats; None when it is not that (an integer too large for a
    float included)."""
    if not isinstance(position, list) or len(position) < 2:
        return None
    try:
        point = tuple(float(v) for v in position[:2] if isinstance(v, (int, float)) and not isinstance(v, bool))
    except OverflowError:
        return None
    return (point[0], point[1]) if len(point) == 2 and all(math.isfinite(v) for v in point) else None


def _short(value: Any) -> str:
    text = json.dumps(value)
    return f"`{text if len(text) <= 40 else text[:39] + '…'}`"


def _feature_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each element of the top-level `features` array of a valid JSON text."""
    decoder = json.JSONDecoder(parse_int=_whole_number)
    i = _skip(text, 0)
    if i >= len(text) or text[i] != "{":
        return []
    i = _skip(text, i + 1)
    while i < len(text) and text[i] != "}":
        name, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        i = _skip(text, i + 1)  # the colon
        if name == "features" and text[i] == "[":
            spans = []
            i = _skip(text, i + 1)
            while text[i] != "]":
                _, end = decoder.raw_decode(text, i)
                spans.append((i, end))
                i = _skip(text, end)
                if text[i] == ",":
                    i = _skip(text, i + 1)
            return spans
        _, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return []


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i
