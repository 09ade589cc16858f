"""A map's areas (docs/reference.md §6.5): a GeoJSON resource's polygons as a map draws them, with its data.

The areas are projected once per map resource (equirectangular, longitude scaled by the cosine of the middle
latitude) and simplified to what the drawing can show (Douglas-Peucker at half a pixel of the final image;
islands smaller than a pixel dropped), so that a map stays small whatever the detail of its file. No
geographic library: the drawing is a matplotlib PatchCollection.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from buletin.inputs.geojson import Geometry
from buletin.inputs.query import Series

Point = tuple[float, float]
Ring = tuple[Point, ...]

# The map's box in pixels of the published image (a chart's width, about 460 px: legible on a phone).
MAP_WIDTH_PX, MAP_MAX_HEIGHT_PX = 440.0, 440.0
TOLERANCE_PX = 0.5  # detail finer than this is not drawn
MIN_RING_PX = 1.0  # a ring smaller than this in both directions is dropped (but never an area's largest)


@dataclass(frozen=True)
class MapAreas:
    """A map resource's areas as drawn: projected, simplified, in a fixed order."""

    digest: str  # the GeoJSON file's sha256 and key: what a drawing of these areas depends on
    codes: tuple[str, ...]
    names: tuple[str, ...]
    shapes: tuple[tuple[Ring, ...], ...]  # per area, its rings: exteriors counter-clockwise, holes clockwise
    anchors: tuple[tuple[float, float, float, float], ...]  # per area: label point (x, y), its box's width, height
    bounds: tuple[float, float, float, float]  # x0, y0, x1, y1 of every area, projected

    def index(self, code: str) -> int | None:
        try:
            return self.codes.index(code)
        except ValueError:
            return None


@dataclass(frozen=True)
class MapSeries(Series):
    """A map's aggregated data, carrying the areas it is drawn on (chart_data -> build_figure)."""

    areas: MapAreas | None = None

    def plain(self) -> Series:
        return Series(**{f.name: getattr(self, f.name) for f in fields(Series)})


_PROJECTED: dict[str, MapAreas] = {}


def map_areas(geometry: Geometry) -> MapAreas:
    """The areas of a map resource, projected and simplified (once per file in a process)."""
    digest = f"{geometry.sha256}:{geometry.key}"
    if digest not in _PROJECTED:
        if len(_PROJECTED) > 16:
            _PROJECTED.clear()
        _PROJECTED[digest] = _project(geometry, digest)
    return _PROJECTED[digest]


def _project(geometry: Geometry, digest: str) -> MapAreas:
    lats = [p[1] for area in geometry.areas for polygon in area.polygons for p in polygon[0]]
    lons = [p[0] for area in geometry.areas for polygon in area.polygons for p in polygon[0]]
    scale = math.cos(math.radians((min(lats) + max(lats)) / 2))
    x0, x1, y0, y1 = min(lons) * scale, max(lons) * scale, min(lats), max(lats)
    width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    px_per_unit = min(MAP_WIDTH_PX / width, MAP_MAX_HEIGHT_PX / height)
    tolerance, smallest = TOLERANCE_PX / px_per_unit, MIN_RING_PX / px_per_unit
    shapes, anchors = [], []
    looks = _Looks.for_points(sum(len(ring) for area in geometry.areas for polygon in area.polygons
                                  for ring in polygon))
    for area in geometry.areas:
        rings: list[Ring] = []
        for polygon in area.polygons:
            for number, ring in enumerate(polygon):
                rings.append(_oriented([(lon * scale, lat) for lon, lat in ring], number == 0))
        largest = max(range(len(rings)), key=lambda i: _area(rings[i]))  # holes have negative areas
        kept = []
        for number, ring in enumerate(rings):
            w, h = _size(ring)
            if number != largest and w < smallest and h < smallest:
                continue
            try:
                simple = _simplified(ring, tolerance, looks)
            except MapTooIntricate:
                raise MapTooIntricate(len(ring), area.code) from None
            kept.append(simple if len(simple) >= 4 else ring)
        shapes.append(tuple(kept))
        cx, cy = _centroid(rings[largest])
        w, h = _size(rings[largest])
        anchors.append((cx, cy, w, h))
    return MapAreas(digest, tuple(a.code for a in geometry.areas), tuple(a.name for a in geometry.areas),
                    tuple(shapes), tuple(anchors), (x0, y0, x1, y1))


def _area(ring: list[Point] | Ring) -> float:
    """Signed area (shoelace): positive for counter-clockwise rings."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def _oriented(ring: list[Point], counter_clockwise: bool) -> Ring:
    """The ring closed and turned so that the non-zero fill rule draws holes as holes."""
    if ring[0] != ring[-1]:
        ring = [*ring, ring[0]]
    if (_area(ring) > 0) != counter_clockwise:
        ring = ring[::-1]
    return tuple(ring)


def _size(ring: Ring) -> tuple[float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return max(xs) - min(xs), max(ys) - min(ys)


def _centroid(ring: Ring) -> Point:
    area = _area(ring)
    if abs(area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    cx = sum((ring[i][0] + ring[i + 1][0]) * (ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1])
             for i in range(len(ring) - 1))
    cy = sum((ring[i][1] + ring[i + 1][1]) * (ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1])
             for i in range(len(ring) - 1))
    return cx / (6 * area), cy / (6 * area)


def _simplified(ring: Ring, tolerance: float, looks: _Looks) -> Ring:
    """Douglas-Peucker on a closed ring: split at the vertex farthest from the first, simplify both halves."""
    points = list(ring[:-1])
    if len(points) <= 3:
        return ring
    first = points[0]
    far = max(range(len(points)), key=lambda i: (points[i][0] - first[0]) ** 2 + (points[i][1] - first[1]) ** 2)
    halves = (_douglas_peucker(points[: far + 1], tolerance, looks),
              _douglas_peucker([*points[far:], first], tolerance, looks))
    kept = [*halves[0][:-1], *halves[1]]
    return tuple(kept)


_VECTOR_FROM = 64  # points between two ends from which numpy is quicker than a loop
# Points Douglas-Peucker may look at for one map, per point and in all: a boundary takes about log2(n) looks per
# point; a zig-zag whose every tooth is a little smaller than the last takes n / 2 (100,000 points: 5 billion
# looks, 40 s). 250 million take about 2 s.
_LOOKS_PER_POINT, _LOOKS_AT_LEAST = 64, 250_000_000


class MapTooIntricate(Exception):
    """A ring that simplifying would take far longer than any real boundary."""

    def __init__(self, points: int, code: str = ""):
        super().__init__(code)
        self.points, self.code = points, code


@dataclass
class _Looks:
    """What is left of a map's budget of points to look at while simplifying."""

    left: int

    @staticmethod
    def for_points(count: int) -> _Looks:
        return _Looks(_LOOKS_PER_POINT * count + _LOOKS_AT_LEAST)


def _douglas_peucker(points: list[Point], tolerance: float, looks: _Looks | None = None) -> list[Point]:
    """The points of an open line that keep it within `tolerance` (iterative: rings may have 100,000 points);
    MapTooIntricate once `looks` runs out."""
    if len(points) < 3:
        return points
    looks = looks or _Looks.for_points(len(points))
    import numpy as np

    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        start, end = stack.pop()
        looks.left -= end - start
        if looks.left < 0:
            raise MapTooIntricate(len(points))
        if end - start > _VECTOR_FROM:  # a long stretch in one array operation: a comb-shaped ring of 40,000
            worst, index = _farthest(xs, ys, start, end)  # points is quadratic, too slow point by point
        else:
            worst, index = _farthest_of(points, start, end)
        if worst > limit:
            keep[index] = True
            stack.append((start, index))
            stack.append((index, end))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _farthest_of(points: list[Point], start: int, end: int) -> tuple[float, int]:
    """The squared distance and index of the point between `start` and `end` farthest from the segment."""
    (ax, ay), (bx, by) = points[start], points[end]
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    worst, index = -1.0, -1
    for i in range(start + 1, end):
        px, py = points[i]
        if length == 0:
            distance = (px - ax) ** 2 + (py - ay) ** 2
        else:
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
            distance = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
        if distance > worst:
            worst, index = distance, i
    return worst, index


def _farthest(xs: Any, ys: Any, start: int, end: int) -> tuple[float, int]:
    """_farthest_of, in numpy: the same operations in the same order, so the same points are kept."""
    import numpy as np

    ax, ay, bx, by = xs[start], ys[start], xs[end], ys[end]
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    px, py = xs[start + 1:end], ys[start + 1:end]
    if length == 0:
        distance = (px - ax) ** 2 + (py - ay) ** 2
    else:
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length, 0.0, 1.0)
        distance = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
    found = int(np.argmax(distance))
    return float(distance[found]), start + 1 + found


def map_series(series: Series, geometry: Geometry, areas: MapAreas) -> MapSeries:
    """The series with the areas it is drawn on; areas' names label codes that have no other label."""
    labels = series.labels
    if labels is None:
        names = {a.code: a.name for a in geometry.areas}
        if any(names.get(x, x) != x for x in series.x_values):
            labels = [names.get(x, x) for x in series.x_values]
    base = {f.name: getattr(series, f.name) for f in fields(Series)}
    base["labels"] = labels
    return MapSeries(**base, areas=areas)
