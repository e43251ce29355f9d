"""The Park: every layer in local metres and the road graph."""

from dataclasses import dataclass

import geopandas as gpd
from pyproj import CRS

from geodata.crs import WGS84
from geodata.roads import RoadNetwork


@dataclass
class Park:
    """A loaded, validated park.

    ``layers`` maps a layer name (see ``geodata.schema.LAYERS``) to a GeoDataFrame in the
    park's local UTM CRS, indexed by the layer's id field, with the written fields and
    their SI columns. Optional layers that were absent are empty frames.
    """

    source: str
    crs: CRS
    layers: dict[str, gpd.GeoDataFrame]
    network: RoadNetwork

    def __getattr__(self, name):
        layers = self.__dict__.get("layers", {})
        if name in layers:
            return layers[name]
        raise AttributeError(name)

    def assets(self) -> dict[str, str]:
        """Every asset id (tanks, pipelines, buildings) -> its layer."""
        return {
            i: name for name in ("tanks", "pipelines", "buildings") for i in self.layers[name].index
        }

    def to_wgs84(self, layer: str) -> gpd.GeoDataFrame:
        """A layer in EPSG:4326 (longitude, latitude), for export."""
        return self.layers[layer].to_crs(WGS84)
