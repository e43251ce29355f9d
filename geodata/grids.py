"""Receptor grids and contouring a field on a grid into polygons."""

import itertools

import contourpy
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon


def regular_grid(xmin: float, xmax: float, ymin: float, ymax: float, nx: int, ny: int):
    """Receptor coordinates of a regular grid: (x 1-D, y 1-D, X 2-D, Y 2-D) in metres."""
    x = np.linspace(xmin, xmax, nx)
    y = np.linspace(ymin, ymax, ny)
    xx, yy = np.meshgrid(x, y)
    return x, y, xx, yy


def contour_polygons(x, y, field, level: float) -> MultiPolygon:
    """The region where ``field`` >= ``level`` as (multi)polygons with holes.

    Parameters
    ----------
    x, y : 1-D arrays
        Grid coordinates (``field`` has shape (len(y), len(x))). [m]
    field : 2-D array
        Values on the grid; NaN counts as below every level.
    level : float
        Contour level, in the field's unit.

    Filled contours by marching squares with linear interpolation between nodes
    (contourpy, the engine behind matplotlib's contourf), closed at the grid's edge.
    """
    z = np.nan_to_num(np.asarray(field, dtype=float), nan=-np.inf)
    z = np.where(np.isfinite(z), z, np.finfo(float).min)
    if not np.any(z >= level):
        return MultiPolygon()
    gen = contourpy.contour_generator(
        x, y, z, fill_type=contourpy.FillType.OuterOffset, name="serial"
    )
    upper = max(float(z.max()), level) * 2.0 + 1.0
    points, offsets = gen.filled(level, upper)
    polygons = []
    for pts, offs in zip(points, offsets, strict=True):
        rings = [pts[a:b] for a, b in itertools.pairwise(offs)]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            polygons.append(Polygon(rings[0], rings[1:]))
    merged = shapely.make_valid(MultiPolygon(polygons)) if polygons else MultiPolygon()
    parts = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon) and g.area > 0]
    return MultiPolygon(parts)


def sample_area(geom, n: int) -> np.ndarray:
    """About ``n`` points spread evenly over an area: the nodes of a square grid inside a
    polygon, spaced sqrt(area / n) and offset half a cell from its bounds (at least its
    representative point); a point gives itself. Returns (k, 2) coordinates [m]."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if geom.geom_type == "Point" or geom.area <= 0:
        p = geom.representative_point()
        return np.array([[p.x, p.y]])
    xmin, ymin, xmax, ymax = geom.bounds
    step = float(np.sqrt(geom.area / n))
    x = np.arange(xmin + step / 2, xmax, step)
    y = np.arange(ymin + step / 2, ymax, step)
    xx, yy = np.meshgrid(x, y)
    inside = shapely.contains_xy(geom, xx.ravel(), yy.ravel())
    pts = np.column_stack([xx.ravel()[inside], yy.ravel()[inside]])
    if len(pts) == 0:
        p = geom.representative_point()
        return np.array([[p.x, p.y]])
    return pts
