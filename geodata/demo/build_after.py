"""Build the demo park's "after" layout: ``python -m geodata.demo.build_after`` writes
demo_park_after.gpkg.

The same park as ``build.py`` with the two worker dormitories moved out of the park into
Jiangbin new town (the residential target west of the park), as the parks that publish
their plans do ("workers in dormitories inside the park being moved out by risk").
A road from the west gate serves them. Everything else is built by ``build.py``.
"""

from pathlib import Path

from shapely.geometry import LineString

from geodata.demo import build

OUT = Path(__file__).parent / "demo_park_after.gpkg"
# new centres inside the Jiangbin new town polygon, box(-900, 1300, -450, 1750)
NEW_CENTRES = {"B-DORM-1": (-780.0, 1400.0), "B-DORM-2": (-580.0, 1650.0)}
# the new town's road: from the west gate's end of Huagong Avenue, west then north
NEW_ROAD = dict(
    id="R-XINCHENG",
    name="Xincheng Road",
    lanes=2,
    speed_kmh=40.0,
    oneway=False,
    geometry=LineString([(0.0, 1000.0), (-680.0, 1000.0), (-680.0, 1750.0)]),
)


def moved_buildings():
    """``build.SHARED_BUILDINGS`` with the dormitories at their new centres."""
    rows = []
    for spec in build.SHARED_BUILDINGS:
        if spec[0] in NEW_CENTRES:
            x, y = NEW_CENTRES[spec[0]]
            spec = (*spec[:4], x, y, *spec[6:])
        rows.append(spec)
    return rows


def roads():
    """``build``'s roads and the new town's road."""
    return [*_ROADS(), NEW_ROAD]


_ROADS = build._roads


def build_after(out: Path = OUT) -> Path:
    """Write the after layout and return its path (``build``'s tables are swapped in
    for the call and restored after it)."""
    buildings = build.SHARED_BUILDINGS
    build.SHARED_BUILDINGS, build._roads = moved_buildings(), roads
    try:
        return build.build(out)
    finally:
        build.SHARED_BUILDINGS, build._roads = buildings, _ROADS


if __name__ == "__main__":
    print(f"wrote {build_after()}")
