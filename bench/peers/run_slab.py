"""Run SLAB (package slabx) on evaporating pools and horizontal two-phase jets.

Case keys: id, substance {name, mw_kg_mol, cp_vapour, cp_liquid, dh_vap, T_boil,
rho_liquid} (SI), rate_kg_s, area_m2, duration_s (null for continuous), u_ref_m_s,
z_ref_m, air_temperature_K, relative_humidity_pct, z0_m, stability (A-F),
averaging_time_s, receptor_height_m, x_m (list). A jet (SLAB's horizontal jet source,
IDSPL 2) adds "jet": {liquid_fraction, height_m}; area_m2 is then the area of the jet
expanded to ambient pressure (SLAB's source area for a jet). An instantaneous release
(SLAB's IDSPL 4, puff mode) adds "instantaneous": {mass_kg, liquid_fraction}; area_m2 is
then its footprint. A vertical jet from a stack (SLAB's IDSPL 3) adds "vertical_jet":
{liquid_fraction, height_m}; area_m2 is its exit area. Result: volume fraction on
the centreline at each x ("c"), NaN beyond the computed range; "mass_fraction", the mass
fraction of released material averaged over the cloud's section (SLAB's m, EQ 1a) at each
x; the cloud's shape there (SLAB's half-width parameter "b", its edge scale widened by
meander over the averaging time "beta_c" (EQ 52b), "sigma_z" [m] and speed "u" [m/s]) and
the source half-width SLAB used ("source_half_width_m": larger than sqrt(area)/2 where its
source-region gravity flow widened the source, EQ 4d); "wall_s" and "cpu_s" the
wall-clock and processor time spent in slabx for the dispersion and the concentration
field, the best of "repeats" runs (optional, default 1).

slabx API used: run_dispersion(source, Atmosphere(...), thermo, water, x_max=...),
then concentration_field(trajectory, atmosphere, z=..., t_avg=...); sources
EvaporatingPool, HorizontalJet, VerticalJet and InstantaneousRelease.
"""

import math
import time

import numpy as np
from _protocol import serve
from slabx.core.plume import run_dispersion
from slabx.core.source import EvaporatingPool, HorizontalJet, InstantaneousRelease
from slabx.core.vertical_jet import VerticalJet
from slabx.post.concentration import concentration_field
from slabx.submodels.atmosphere import Atmosphere
from slabx.thermo.base import LegacyThermo, Substance, water_backend


def run_case(case: dict) -> dict:
    s = case["substance"]
    substance = Substance(
        name=s["name"],
        mw=s["mw_kg_mol"],
        cp_vapour=s["cp_vapour"],
        cp_liquid=s["cp_liquid"],
        dh_vap=s["dh_vap"],
        T_boil=s["T_boil"],
        rho_liquid=s["rho_liquid"],
    )
    atm = Atmosphere(
        u_ref=case["u_ref_m_s"],
        z_ref=case["z_ref_m"],
        T=case["air_temperature_K"],
        rh=case["relative_humidity_pct"],
        z0=case["z0_m"],
        stability=case["stability"],
    )
    duration = case["duration_s"] or math.inf
    if "instantaneous" in case:
        # SLAB's instantaneous source (IDSPL 4): the whole mass at t = 0 in a slab of the
        # given footprint, puff mode from the first step; rate and duration unused
        puff = case["instantaneous"]
        source = InstantaneousRelease(
            substance=substance,
            rate=0.0,
            area=case["area_m2"],
            duration=1.0,
            liquid_fraction=puff["liquid_fraction"],
            mass=puff["mass_kg"],
        )
        duration = math.inf
    elif "jet" in case or "vertical_jet" in case:
        # SLAB's horizontal jet (IDSPL 2), or its vertical jet from a stack (IDSPL 3, dense
        # branch: its rise, EQ 45-47, then the plume from the top of the rise)
        kind, spec = (
            (VerticalJet, case["vertical_jet"])
            if "vertical_jet" in case
            else (HorizontalJet, case["jet"])
        )
        source = kind(
            substance=substance,
            rate=case["rate_kg_s"],
            area=case["area_m2"],
            duration=duration,
            liquid_fraction=spec["liquid_fraction"],
            height=spec["height_m"],
        )
    else:
        source = EvaporatingPool(
            substance=substance, rate=case["rate_kg_s"], area=case["area_m2"], duration=duration
        )
    x = np.asarray(case["x_m"], dtype=float)
    wall = cpu = math.inf
    for _ in range(int(case.get("repeats", 1))):  # the times: the best of the runs
        t0, cpu0 = time.perf_counter(), time.process_time()
        traj, used = run_dispersion(
            source, atm, LegacyThermo(substance), water_backend(), x_max=float(x.max()) * 1.05
        )
        field = concentration_field(
            traj,
            atm,
            z=case["receptor_height_m"],
            t_avg=case["averaging_time_s"],
            t_release=None if math.isinf(duration) else duration,
        )
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - cpu0)
    logc = np.log(np.maximum(field.peak, 1e-30))
    c = np.exp(np.interp(x, field.x, logc, left=np.nan, right=np.nan))
    m = np.exp(np.interp(x, traj.x, np.log(np.maximum(traj.mass_frac, 1e-30))))
    shape = {
        key: [float(v) for v in np.interp(x, traj.x, getattr(traj, name), np.nan, np.nan)]
        for key, name in (("b", "b_shape"), ("sigma_z", "sigma_z"), ("u", "u"))
    }
    shape["beta_c"] = [
        float(v) for v in np.interp(x, field.x, field.beta_c, left=np.nan, right=np.nan)
    ]
    return {
        "c": [float(v) for v in c],
        "mass_fraction": [float(v) for v in m],
        **shape,
        "source_half_width_m": float(used.half_width),
        "wall_s": wall,
        "cpu_s": cpu,
    }


if __name__ == "__main__":
    serve(run_case)
