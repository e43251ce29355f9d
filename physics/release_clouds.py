"""The clouds one release feeds, as releases of the integral model.

A continuous release from a hole is a momentum jet from the hole (flash vapour and
aerosol, at the hole's height and the jet's speed, in the wind's vertical plane); a
flashing jet that rains out a pool feeds a second cloud, the pool's evaporation from its
area on the ground; a release without a jet (a pool alone, or vapour already airborne) is
one cloud from the ground. These functions only say which parameters of a release go into
which cloud; the model of each cloud is ``physics.integral_plume`` (see its references),
and how two clouds are put together is the caller's stated assumption
(``scenarios.zones.SUPERPOSITION``: their concentrations add).

Both the consequence model (the zones and the forecast) and the twin's source estimation
build their clouds here, so that a leak is one cloud whichever of them looks at it.

Every argument broadcasts (one release per element).
"""

import math
from dataclasses import replace

from physics.integral_plume import Release, puff_as_segment, substance_release


def hole_cloud(
    substance,
    rate_kg_s,
    *,
    temperature_K,
    aerosol_fraction=0.0,
    height_m=0.0,
    jet_velocity_m_s=0.0,
    jet_angle_deg=0.0,
    duration_s=math.inf,
) -> Release:
    """The cloud of what leaves a hole: vapour and aerosol at ``temperature_K`` [K] from
    ``height_m`` above the ground [m], as a jet of ``jet_velocity_m_s`` [m/s] at
    ``jet_angle_deg`` above the horizontal [deg] (0: no jet phase), ``rate_kg_s`` [kg/s]
    for ``duration_s`` [s]; ``aerosol_fraction`` the droplet mass fraction [-]."""
    return substance_release(
        substance,
        rate_kg_s,
        temperature_K=temperature_K,
        liquid_fraction=aerosol_fraction,
        height_m=height_m,
        duration_s=duration_s,
        jet_velocity_m_s=jet_velocity_m_s,
        jet_angle_deg=jet_angle_deg,
    )


def pool_cloud(
    substance,
    rate_kg_s,
    *,
    area_m2,
    temperature_K,
    aerosol_fraction=0.0,
    duration_s=math.inf,
) -> Release:
    """The cloud a pool's evaporation feeds: ``rate_kg_s`` [kg/s] from ``area_m2`` [m2] on
    the ground at ``temperature_K`` [K] (the boiling point for a boiling pool), without
    momentum, for ``duration_s`` [s]."""
    return substance_release(
        substance,
        rate_kg_s,
        temperature_K=temperature_K,
        liquid_fraction=aerosol_fraction,
        area_m2=area_m2,
        height_m=0.0,
        duration_s=duration_s,
    )


def puff_cloud(
    substance,
    mass_kg,
    *,
    density_kg_m3,
    wind_speed_m_s,
    temperature_K,
    aerosol_fraction=0.0,
) -> Release:
    """The cloud of ``mass_kg`` [kg] put into the air at once (a rupture's flash vapour and
    aerosol) of density ``density_kg_m3`` [kg/m3] at ``temperature_K`` [K]: its short
    segment (``integral_plume.puff_as_segment``: M / T over D^2 for T = D / u, u the wind
    ``wind_speed_m_s`` [m/s]), slumping along the wind as well as across it (``puff``)."""
    rate, area, duration = (
        float(v) for v in puff_as_segment(mass_kg, density_kg_m3, wind_speed_m_s)
    )
    release = pool_cloud(
        substance,
        rate,
        area_m2=area,
        temperature_K=temperature_K,
        aerosol_fraction=aerosol_fraction,
        duration_s=duration,
    )
    return replace(release, puff=True)
