"""Maps, figures, reports and exports of the park and of what a run found. viz reads
results and the park; it never runs the engine.

- ``park_map`` (interactive HTML, deck.gl bundle inlined, works offline) and ``park_figure``
  (PNG with scale bar, north arrow, legend) of the park, its zones and sensors' alarms;
- ``scenario_map``: an engine run replayed (people moving, the cloud over time, alarms, a
  time slider); ``timeline_figure``; ``cloud_zones``;
- reports (``viz.report``: ``zones_report``, ``scenario_report``) and exports
  (``viz.export``: ``write_zones``, ``write_forecast``, ``write_scenario``);
- risk figures of the QRA (``viz.risk_figures``).

Zones come in as a GeoDataFrame with the columns of ``ZONE_COLUMNS``: hazard, level,
threshold (text), distance_m, area_m2, people and Polygon/MultiPolygon geometry, in any
defined CRS (EPSG:4326 preferred); an optional ``colour`` column sets their fill.
"""

from viz.animation import cloud_zones, scenario_map
from viz.deckmap import ZONE_COLUMNS, park_map
from viz.figures import park_figure
from viz.timeline import timeline_figure

__all__ = [
    "ZONE_COLUMNS",
    "cloud_zones",
    "park_figure",
    "park_map",
    "scenario_map",
    "timeline_figure",
]
