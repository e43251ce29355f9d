"""The park as the twin sees it: layers with every chemical resolved, and tank inventories."""

import numpy as np
import pandas as pd

import geodata
from physics import substances
from physics.atmosphere import PARK_LAND_USE, roughness_for


def load_park(source) -> geodata.Park:
    """Load and validate a park (``"demo"``, a GeoPackage or a GeoJSON folder), checking
    that the property library knows every chemical and holds the constants the models need;
    adds a ``cas`` column to tanks, pipelines and sensors."""
    return geodata.load_park(source, resolve_chemical=lambda name: substances.lookup(name).cas)


def roughness_m(park) -> float:
    """The park's surface roughness length z0 [m]: its boundary's ``roughness_m``, else a
    chemical park's (``physics.atmosphere.PARK_LAND_USE``, 1 m). The default of every
    dispersion run of the park (zones, scenarios, forecasts, the QRA, the twin's source
    estimates); a scenario's or the command line's roughness overrides it."""
    column = park.boundary.get("roughness_m")
    if column is not None:
        given = column.dropna()
        if len(given):
            return float(given.iloc[0])
    return float(roughness_for(PARK_LAND_USE))


def tank_inventory_kg(tanks: pd.DataFrame, fill_column: str = "fill_fraction") -> pd.Series:
    """Liquid inventory of each tank [kg]: capacity x volume fill x saturated liquid density
    at the tank's temperature (``physics.substances``). The vapour above the liquid is left
    out (under 1 % of the mass for the pressurised liquefied gases of the demo park)."""
    density = [
        float(substances.lookup(cas).liquid_density(t))
        for cas, t in zip(tanks["cas"], tanks["temperature_k"], strict=True)
    ]
    return pd.Series(
        tanks["capacity_m3"].to_numpy(float)
        * tanks[fill_column].to_numpy(float)
        * np.asarray(density),
        index=tanks.index,
        name="inventory_kg",
    )
