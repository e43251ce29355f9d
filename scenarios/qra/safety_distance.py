"""External safety distance per GB/T 37243-2019 (method as quoted second-hand;
verify against the standard's text).

The standard's choice of method per unit: explosives by the consequence method; units with
toxic or flammable gases that are major hazards (GB 18218, S >= 1) by QRA, checked against
the GB 36894 individual risk criteria; the rest by the distances of the design codes
(which this module does not hold). For a QRA unit the distance for each criterion is the
farthest reach of that unit's own individual risk contour from its boundary.
"""

import numpy as np
import pandas as pd
import shapely

import geodata
from geodata.grids import contour_polygons
from scenarios import major_hazards
from scenarios.qra.risk import criteria_table

METHOD_QRA = "QRA (individual risk against GB 36894)"
METHOD_CODES = "distances of the design codes (not computed here)"
METHOD_SOURCE = "GB/T 37243-2019 as quoted second-hand (verify)"


def _gas_unit(park: geodata.Park, enterprise: str) -> bool:
    """Does the enterprise hold a gas (toxic or flammable) or a liquefied gas? Liquefied
    gases are stored pressurised in the park's layers."""
    tanks = park.tanks[park.tanks.enterprise == enterprise]
    return bool((tanks.storage == "pressurised").any())


def _reach(contour, boundary) -> float:
    """Farthest distance of a contour's outline from a unit's boundary [m] (0 inside)."""
    if contour.is_empty:
        return 0.0
    coords = np.concatenate([np.asarray(p.exterior.coords) for p in contour.geoms])
    return float(shapely.distance(boundary, shapely.points(coords)).max())


def safety_distances(park: geodata.Park, result) -> pd.DataFrame:
    """Per enterprise: its GB 18218 S, the method, and the distance [m] from its
    boundary to its own risk contour at each criterion (new / in-service)."""
    units = {u.enterprise: u for u in major_hazards.identify(park)}
    levels = sorted(set(criteria_table().new_per_year) | set(criteria_table().in_service_per_year))
    rows = []
    for eid, ent in park.enterprises.iterrows():
        unit = units.get(eid)
        s = unit.s if unit else 0.0
        qra = s >= 1.0 and _gas_unit(park, eid)
        row = dict(
            enterprise=eid,
            name=ent["name"],
            S=round(s, 3),
            method=METHOD_QRA if qra else METHOD_CODES,
        )
        own = result.by_enterprise.get(eid)
        for level in levels:
            distance = np.nan
            if qra and own is not None:
                g, values = own
                geom = contour_polygons(g.x, g.y, values, level)
                distance = _reach(geom, ent.geometry)
            row[f"distance_m_at_{level:g}"] = distance
        rows.append(row)
    return pd.DataFrame(rows)
