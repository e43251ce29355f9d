"""Maps and figures of the park and of what a run found.

- ``park_map(park, out_html, zones=None, ...)``: one self-contained interactive HTML page
  (deck.gl through pydeck, the bundle inlined, works offline; raster basemap tiles online).
- ``park_figure(park, out_png, zones=None, ...)``: the same as a static PNG (matplotlib) with
  a scale bar, north arrow and legend.

Zones come in as a GeoDataFrame with the columns of ``ZONE_COLUMNS``: hazard, level,
threshold (text), distance_m, area_m2, people and Polygon/MultiPolygon geometry, in any
defined CRS (EPSG:4326 preferred); an optional ``colour`` column sets their fill.
viz reads results and the park; it never runs the engine.
"""

from viz.deckmap import ZONE_COLUMNS, park_map
from viz.figures import park_figure

__all__ = ["ZONE_COLUMNS", "park_figure", "park_map"]
