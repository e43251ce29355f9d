"""The park's local metric CRS: the UTM zone of the data's centroid (WGS 84 / UTM)."""

from pyproj import CRS

WGS84 = CRS.from_epsg(4326)


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM CRS of the zone holding (lon, lat) [degrees].

    Zones are 6 degrees wide from 180 W; EPSG 326zz north of the equator, 327zz south.
    """
    if not (-180.0 <= lon <= 180.0 and -80.0 <= lat <= 84.0):
        raise ValueError(f"({lon}, {lat}) is outside the UTM domain")
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
