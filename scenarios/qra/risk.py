"""Individual (location-specific) risk: the grid, footprints turned onto it, contours, and
the GB 36894-2018 check of every building and outside target.

The grid covers the park's boundary plus a margin (2 km by default) in square cells
(10 m by default), and grows (``Canvas``) to hold every footprint, up to
``MAX_GRID_CELLS``; past that the contours say which edges cut them. A footprint is
turned to a wind sector once and then added at each position of its event (sources snap
to the centre of their cell: at most half a cell's diagonal of shift). Contours are
polygons of the region at or above each level.
"""

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.ndimage import map_coordinates
from shapely import contains_xy

import geodata
from geodata.grids import contour_polygons

DATA = Path(__file__).parent / "data"
CONTOUR_LEVELS = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
DEFAULT_MARGIN_M, DEFAULT_CELL_M = 2000.0, 10.0
# Map cells ``turned`` resamples at a time: 4,096 keep each working array at 32 kB, under
# glibc's 128 kB threshold for serving an allocation with fresh pages mapped from the system
# (page faults on every use). Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers,
# which pins that threshold there; whole-box arrays doubled the processor time of a QRA.
BLOCK_CELLS = 4096


@dataclass(frozen=True)
class Grid:
    """Square cells: column i, row j has its centre at (xmin + (i + 1/2) cell, ymin + ...)."""

    xmin: float
    ymin: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def around(cls, bounds, margin_m=DEFAULT_MARGIN_M, cell_m=DEFAULT_CELL_M) -> "Grid":
        if not (math.isfinite(cell_m) and cell_m > 0 and math.isfinite(margin_m) and margin_m >= 0):
            raise ValueError(f"grid cell must be > 0 m and margin >= 0 m, got {cell_m}, {margin_m}")
        x0, y0, x1, y1 = bounds
        nx = math.ceil((x1 - x0 + 2 * margin_m) / cell_m)
        ny = math.ceil((y1 - y0 + 2 * margin_m) / cell_m)
        return cls(x0 - margin_m, y0 - margin_m, cell_m, nx, ny)

    @classmethod
    def for_park(cls, park: geodata.Park, margin_m=DEFAULT_MARGIN_M, cell_m=DEFAULT_CELL_M):
        return cls.around(park.boundary.total_bounds, margin_m, cell_m)

    @property
    def x(self) -> np.ndarray:
        return self.xmin + (np.arange(self.nx) + 0.5) * self.cell

    @property
    def y(self) -> np.ndarray:
        return self.ymin + (np.arange(self.ny) + 0.5) * self.cell

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        return math.floor((y - self.ymin) / self.cell), math.floor((x - self.xmin) / self.cell)

    def centre(self, j: int, i: int) -> tuple[float, float]:
        return self.xmin + (i + 0.5) * self.cell, self.ymin + (j + 0.5) * self.cell


def wind_axes(wind_from_deg: float):
    """(downwind unit vector, left unit vector) on the map (x east, y north)."""
    theta = math.radians(wind_from_deg)
    d = (-math.sin(theta), -math.cos(theta))
    return d, (-d[1], d[0])


def to_wind_frame(dx, dy, wind_from_deg):
    """Map offsets from the source -> (downwind, left) coordinates [m]."""
    d, c = wind_axes(wind_from_deg)
    return dx * d[0] + dy * d[1], dx * c[0] + dy * c[1]


def turned(raster, x, y, wind_from_deg: float, cell: float):
    """A wind-frame raster (on 1-D ``x``, ``y``) turned to ``wind_from_deg`` and resampled
    on map cells around the source: (row offset, column offset, array)."""
    d, c = wind_axes(wind_from_deg)
    corners = [(a, b) for a in (x[0], x[-1]) for b in (y[0], y[-1])]
    px = [a * d[0] + b * c[0] for a, b in corners]
    py = [a * d[1] + b * c[1] for a, b in corners]
    i0, i1 = math.floor(min(px) / cell) - 1, math.ceil(max(px) / cell) + 1
    j0, j1 = math.floor(min(py) / cell) - 1, math.ceil(max(py) / cell) + 1
    ox = np.arange(i0, i1 + 1) * cell
    oy = np.arange(j0, j1 + 1) * cell
    sx, sy = x[1] - x[0], y[1] - y[0]
    # Interpolated only where the raster reaches: a cell a whole raster step or more beyond
    # its edge reads the fill value 0 (most of a turned strip's bounding box). The strip
    # crosses each map row in one run of columns, found from the two pairs of edges (with
    # a cell to spare); only those cells are worked on, with the same arithmetic as the
    # whole box, so the result is the same to the last bit.
    lo, hi = np.full(len(oy), -np.inf), np.full(len(oy), np.inf)
    for slope, start, low, high in (
        (d[0] / sx, (oy * d[1] - x[0]) / sx, -1.0, len(x)),
        (c[0] / sy, (oy * c[1] - y[0]) / sy, -1.0, len(y)),
    ):
        if slope == 0.0:
            shut = (start <= low) | (start >= high)
            lo[shut], hi[shut] = np.inf, -np.inf
            continue
        a, b = (low - start) / slope, (high - start) / slope
        lo, hi = np.maximum(lo, np.minimum(a, b)), np.minimum(hi, np.maximum(a, b))
    with np.errstate(invalid="ignore"):
        first = np.clip(np.floor(lo / cell) - 1 - i0, 0, len(ox))
        last = np.clip(np.ceil(hi / cell) + 1 - i0, -1, len(ox) - 1)
    counts = np.maximum(last - first + 1, 0).astype(np.intp)
    first = first.astype(np.intp)
    out = np.zeros((len(oy), len(ox)))
    # in blocks of rows of about BLOCK_CELLS cells: the working arrays stay small (under
    # the C library's threshold for mapping fresh pages from the system for each of them)
    ends = np.cumsum(counts)
    cuts = np.searchsorted(ends, np.arange(BLOCK_CELLS, ends[-1], BLOCK_CELLS), side="right")
    for a, b in itertools.pairwise([0, *np.unique(cuts).tolist(), len(oy)]):
        n = counts[a:b]
        if not n.sum():
            continue
        row = np.repeat(np.arange(a, b), n)
        col = np.arange(len(row)) - np.repeat(np.cumsum(n) - n - first[a:b], n)
        xw, yw = to_wind_frame(ox[col], oy[row], wind_from_deg)
        rows = (yw - y[0]) / sy
        cols = (xw - x[0]) / sx
        inside = (rows > -1) & (rows < len(y)) & (cols > -1) & (cols < len(x))
        out[row[inside], col[inside]] = map_coordinates(
            raster, [rows[inside], cols[inside]], order=1, cval=0.0, prefilter=False
        )
    return j0, i0, out


def radial(r, values, cell: float):
    """A function of distance on map cells around the source: (row off, col off, array)."""
    n = math.ceil(r[-1] / cell) + 1
    o = np.arange(-n, n + 1) * cell
    oxx, oyy = np.meshgrid(o, o)
    return -n, -n, np.interp(np.hypot(oxx, oyy), r, values, right=0.0)


def add_patch(target: np.ndarray, j: int, i: int, patch: np.ndarray, weight: float) -> None:
    """target[j:, i:] += weight * patch, clipped to the target's edges (a block of rows at a
    time: the product's working array stays small, see ``BLOCK_CELLS``)."""
    ny, nx = target.shape
    pj0, pi0 = max(0, -j), max(0, -i)
    tj0, ti0 = max(0, j), max(0, i)
    tj1, ti1 = min(ny, j + patch.shape[0]), min(nx, i + patch.shape[1])
    if tj1 <= tj0 or ti1 <= ti0:
        return
    step = max(1, BLOCK_CELLS // (ti1 - ti0))
    for tj in range(tj0, tj1, step):
        pj = pj0 + tj - tj0
        end = min(tj + step, tj1)
        target[tj:end, ti0:ti1] += weight * patch[pj : pj + end - tj, pi0 : pi0 + ti1 - ti0]


MAX_GRID_CELLS = 16_000_000  # a grown risk grid holds at most this many cells (128 MB)


class Canvas:
    """A risk grid that grows to hold whatever is added to it: patches are placed by the
    cells of ``grid`` (offsets may fall outside it) and the canvas widens to take them,
    up to ``max_cells`` cells (default ``MAX_GRID_CELLS``); past that a patch is cut at
    the canvas's edge and ``cut`` is set (the contours then say where the grid cuts
    them). ``dtype`` float32 halves the memory where seven digits are plenty. An
    ``empty`` canvas starts with no cells (not the whole of ``grid``) and holds only what
    its patches cover: one event's footprints, one enterprise's risk."""

    def __init__(
        self, grid: Grid, max_cells: int | None = None, dtype=np.float64, empty: bool = False
    ):
        self.base = grid
        self.max_cells = MAX_GRID_CELLS if max_cells is None else max_cells
        self.j0 = self.i0 = 0
        self.values = np.zeros((0, 0) if empty else (grid.ny, grid.nx), dtype=dtype)
        self.cut = False

    def add(self, j: int, i: int, patch: np.ndarray, weight: float = 1.0) -> None:
        ny, nx = self.values.shape
        held = (self.j0, self.i0, self.j0 + ny, self.i0 + nx) if self.values.size else None
        want = _union(held, (j, i, j + patch.shape[0], i + patch.shape[1]))
        if want != held:
            # the budget counts the base grid as held (an empty canvas cuts where a whole one
            # would): past it, the canvas takes the base grid and cuts the patch at its edge
            base = (0, 0, self.base.ny, self.base.nx)
            bounds = _union(want, base)
            if (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) <= self.max_cells:
                self._grow(*want)
            else:
                self.cut = True
                if _union(held, base) != held:
                    self._grow(*_union(held, base))
        add_patch(self.values, j - self.j0, i - self.i0, patch, weight)

    def _grow(self, j0, i0, j1, i1) -> None:
        ny, nx = self.values.shape
        grown = np.zeros((j1 - j0, i1 - i0), dtype=self.values.dtype)
        if self.values.size:
            grown[self.j0 - j0 : self.j0 - j0 + ny, self.i0 - i0 : self.i0 - i0 + nx] = self.values
        self.values, self.j0, self.i0 = grown, j0, i0

    @property
    def grid(self) -> Grid:
        b = self.base
        ny, nx = self.values.shape
        return Grid(b.xmin + self.i0 * b.cell, b.ymin + self.j0 * b.cell, b.cell, nx, ny)

    def on(self, grid: Grid) -> np.ndarray:
        """The values on ``grid`` (same cells, any extent; zero where the canvas has none)."""
        out = np.zeros((grid.ny, grid.nx))
        j = round((self.grid.ymin - grid.ymin) / grid.cell)
        i = round((self.grid.xmin - grid.xmin) / grid.cell)
        add_patch(out, j, i, self.values, 1.0)
        return out


def _union(a, b):
    """The smallest (row0, col0, row1, col1) box holding boxes ``a`` and ``b`` (None: no box)."""
    if a is None or b is None:
        return b if a is None else a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def union_grid(grids, pad: int = 1) -> Grid:
    """The smallest grid of the same cells covering ``grids`` (which share one cell
    lattice), widened by ``pad`` empty cells on each side so that a contour ends inside it
    unless a grid was cut."""
    cell = grids[0].cell
    xmin = min(g.xmin for g in grids) - pad * cell
    ymin = min(g.ymin for g in grids) - pad * cell
    nx = round((max(g.xmin + g.nx * cell for g in grids) + pad * cell - xmin) / cell)
    ny = round((max(g.ymin + g.ny * cell for g in grids) + pad * cell - ymin) / cell)
    return Grid(xmin, ymin, cell, nx, ny)


def crop(grid_values: np.ndarray):
    """(row, column, array) of the smallest box holding every non-zero cell, or None."""
    rows = np.nonzero(grid_values.any(axis=1))[0]
    if not len(rows):
        return None
    cols = np.nonzero(grid_values.any(axis=0))[0]
    j0, j1, i0, i1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return int(j0), int(i0), grid_values[j0:j1, i0:i1].copy()


def clipped_edges(ir: np.ndarray, level: float) -> list[str]:
    """The edges of the grid (north, east, south, west) on which the region at or above
    ``level`` reaches: there the grid cuts the contour, and its area is a lower bound."""
    edges = {"north": ir[-1, :], "east": ir[:, -1], "south": ir[0, :], "west": ir[:, 0]}
    return [name for name, cells in edges.items() if (cells >= level).any()]


def contours(grid: Grid, ir: np.ndarray, crs, levels=CONTOUR_LEVELS) -> gpd.GeoDataFrame:
    """Risk contours as polygons: columns level (per year), area_m2, clipped (the grid's
    edge cuts the contour), clipped_edges (which edges, comma-separated), geometry."""
    rows = []
    for level in levels:
        geom = contour_polygons(grid.x, grid.y, ir, level)
        edges = clipped_edges(ir, level)
        rows.append(
            dict(
                level=level,
                area_m2=round(geom.area, 1),
                clipped=bool(edges),
                clipped_edges=", ".join(edges),
                geometry=geom,
            )
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def risk_at(grid: Grid, ir: np.ndarray, geometry) -> float:
    """Largest individual risk over a polygon's cells (its nearest cell if it holds none)."""
    x0, y0, x1, y1 = geometry.bounds
    j0, i0 = grid.cell_of(x0, y0)
    j1, i1 = grid.cell_of(x1, y1)
    j0, i0 = max(j0, 0), max(i0, 0)
    j1, i1 = min(j1, grid.ny - 1), min(i1, grid.nx - 1)
    if j1 >= j0 and i1 >= i0:
        xs, ys = np.meshgrid(grid.x[i0 : i1 + 1], grid.y[j0 : j1 + 1])
        inside = contains_xy(geometry, xs, ys)
        if inside.any():
            return float(ir[j0 : j1 + 1, i0 : i1 + 1][inside].max())
    p = geometry.representative_point()
    j, i = grid.cell_of(p.x, p.y)
    if 0 <= j < grid.ny and 0 <= i < grid.nx:
        return float(ir[j, i])
    return 0.0


def criteria_table(path=DATA / "criteria.csv") -> pd.DataFrame:
    return pd.read_csv(path).set_index("protection_class")


def protection_classes(path=DATA / "protection_classes.csv") -> dict[str, str]:
    table = pd.read_csv(path)
    return dict(zip(table.use, table.protection_class, strict=True))


STATUS_ABOVE_IN_SERVICE = "above in-service criterion"
STATUS_ABOVE_NEW_BUILD = "above the criterion for new buildings"
NOT_MET = (STATUS_ABOVE_IN_SERVICE, STATUS_ABOVE_NEW_BUILD)  # the statuses that fail


def compliance(
    park: geodata.Park, grid: Grid, ir: np.ndarray, classes=None, new=frozenset()
) -> pd.DataFrame:
    """Every building and outside target with its individual risk, GB 36894 protection
    class, criteria (new / in-service) and status.

    Buildings of an enterprise are part of an installation's site, not protection targets
    (status ``on site``); a use without a class in ``data/protection_classes.csv`` is
    ``unclassified``. A building or target whose id is in ``new`` (built or moved in a
    layout being planned) is judged against the stricter criterion for new ones
    (``judged_as`` "new"); the others against the in-service one ("in service").
    """
    classes = protection_classes() if classes is None else classes
    crit = criteria_table()
    rows = []
    layers = (("building", park.buildings, "use"), ("target", park.targets, "kind"))
    for kind, frame, use_col in layers:
        for ident, row in frame.iterrows():
            risk = risk_at(grid, ir, row.geometry)
            on_site = (
                kind == "building"
                and isinstance(row.get("enterprise"), str)
                and bool(row.get("enterprise"))
            )
            klass = None if on_site else classes.get(row[use_col])
            new_c = crit.loc[klass, "new_per_year"] if klass else np.nan
            old = crit.loc[klass, "in_service_per_year"] if klass else np.nan
            is_new = ident in new
            if on_site:
                status = "on site"
            elif klass is None:
                status = "unclassified"
            elif is_new:
                status = STATUS_ABOVE_NEW_BUILD if risk > new_c else "meets criteria"
            elif risk > old:
                status = STATUS_ABOVE_IN_SERVICE
            elif risk > new_c:
                status = "above new-installation criterion"
            else:
                status = "meets criteria"
            rows.append(
                dict(
                    id=ident,
                    kind=kind,
                    name=row["name"],
                    use=row[use_col],
                    individual_risk=risk,
                    protection_class=klass or "",
                    criterion_new=new_c,
                    criterion_in_service=old,
                    judged_as="new" if is_new else "in service",
                    status=status,
                )
            )
    return pd.DataFrame(rows)
