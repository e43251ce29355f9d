"""The air of the buildings people shelter in: each building's air change of the moment,
from its leakage, storeys and site through the LBL infiltration model
(``physics.infiltration``), driven by the wind and the indoor-outdoor temperature
difference; a building's own ``air_changes_per_h`` (or the scenario's ``air_changes``)
overrides the model.

Leakage by use (EN 15242 Annex B Table B.1, via ``physics.infiltration``): homes in a
village are single-family houses; flats, offices, control rooms, schools, hospitals and the
like are "multi-family, non-residential"; workshops, warehouses and substations are
industrial. A layer's ``leakage_m3_h_m2`` (flow at 4 Pa per m2 of floor) replaces the table.
"""

from dataclasses import dataclass

import numpy as np

from physics import infiltration

# Our assumption (no source): the indoor volume per floor area, one storey's clear height.
STOREY_HEIGHT_M = 3.0
# Our assumption (no source): storeys of an off-site target whose layer does not give them.
TARGET_STOREYS = 2
LEAKAGE_KIND = {
    "dormitory": "multi_family_non_residential",
    "office": "multi_family_non_residential",
    "control_room": "multi_family_non_residential",
    "canteen": "multi_family_non_residential",
    "laboratory": "multi_family_non_residential",
    "fire_station": "multi_family_non_residential",
    "gatehouse": "multi_family_non_residential",
    "workshop": "industrial",
    "warehouse": "industrial",
    "substation": "industrial",
    "village": "single_family",
    "residential": "multi_family_non_residential",
    "school": "multi_family_non_residential",
    "hospital": "multi_family_non_residential",
    "kindergarten": "multi_family_non_residential",
    "nursing_home": "multi_family_non_residential",
}


@dataclass
class BuildingAir:
    """Air change of a set of buildings as the weather changes.

    ``leakage`` [m2/m2] is each building's effective leakage area per floor area,
    ``storeys`` its storeys, ``fixed_per_s`` [1/s] a given air change (NaN where the
    model applies), ``shelter_class`` the site's shielding (1-5) and ``indoor_K`` the
    indoor air temperature [K].
    """

    leakage: np.ndarray
    storeys: np.ndarray
    fixed_per_s: np.ndarray
    shelter_class: int
    indoor_K: float

    def rate_per_s(self, wind_speed_m_s: float, outdoor_K: float) -> np.ndarray:
        """Each building's air change now. [1/s]"""
        model = infiltration.air_change_rate(
            self.leakage,
            STOREY_HEIGHT_M,
            self.indoor_K - outdoor_K,
            wind_speed_m_s,
            self.storeys,
            self.shelter_class,
        )
        return np.where(np.isfinite(self.fixed_per_s), self.fixed_per_s, model)


def building_air(
    uses,
    storeys,
    air_changes_per_h,
    leakage_m3_h_m2,
    *,
    level: str,
    shelter_class: int,
    indoor_K: float,
    override_per_s: float | None = None,
) -> BuildingAir:
    """``BuildingAir`` of buildings given by their use (or target kind), storeys, own air
    change [1/h] and own leakage [m3/(h m2) at 4 Pa] (NaN where not given); the EN 15242
    ``level`` ("low", "average", "high") fills missing leakage; ``override_per_s`` [1/s]
    fills missing air changes (None: the model)."""
    own = np.asarray(leakage_m3_h_m2, float)
    table = np.array([infiltration.leakage_per_floor_area(LEAKAGE_KIND[u], level) for u in uses])
    leakage = np.where(
        np.isfinite(own), infiltration.leakage_area_from_flow(np.nan_to_num(own) / 3600.0), table
    )
    fixed = np.asarray(air_changes_per_h, float) / 3600.0
    if override_per_s is not None:
        fixed = np.where(np.isfinite(fixed), fixed, override_per_s)
    return BuildingAir(
        leakage.reshape(-1),
        np.asarray(storeys, float).reshape(-1),
        fixed.reshape(-1),
        shelter_class,
        indoor_K,
    )
