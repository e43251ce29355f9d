"""A rupture's puff beside SLAB's instantaneous release (slabx, IDSPL 4, puff mode) and,
for a vapour puff, DEGADIS's transient run (degadisx, SRC1 from an initial mass).

The demo park's two toxic ruptures as their source terms put them into the air at once
(flash vapour and aerosol, half of each by mass): CL-101's 19,627 kg of chlorine and
NH-101's 158,909 kg of ammonia; and CL-101's mass as vapour alone, which DEGADIS (a
vapour model) can take as well. D 5 m/s and F 2 m/s, z0 0.1 m, 20 degC, 600 s averages.
Ours and SLAB start from the same cube of the pure release (our mixing table's density;
SLAB's slab of the same footprint holding the whole mass); DEGADIS from a cylinder of
twice the cube's side in radius (see ``DEGADIS_RADIUS_SIDES``). Printed per distance: the
ground-level centreline peak as a volume fraction (DEGADIS's: the largest over its
snapshots), where ours lies against the peers, and the crosswind half-width of the cloud
(the crosswind integral over the centreline value, halved: ours b + sqrt(pi/2) sigma_y,
SLAB's b / erf(b / (sqrt 2 beta_c)), DEGADIS's b + sqrt(pi)/2 S_y in the snapshot of its
peak), ours with the segment's along-wind slumping
(``Release.puff``, as zones, the QRA and the engine run it) and without it (the steady
plume of M / T, as before 2026-12-01).

A report, not a test, of about a minute: ``.venv/bin/python bench/puff_peers.py`` from
the repository root, the peers from ``bench/peers/.venv``.
"""

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.special import erf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.validate_dispersion import (  # noqa: E402
    AIR_T,
    RH,
    T_AVG,
    WEATHERS,
    Z0,
    degadis_case,
    evaporating_substance,
    peer_release,
    peer_values,
    run_peer,
)
from physics import integral_plume, release_clouds  # noqa: E402
from physics.integral_plume import Ambient  # noqa: E402

X = np.array([100, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000], dtype=float)
# (substance, mass [kg], label, aerosol mass fraction): the demo's two-phase ruptures
# (flash vapour and aerosol, half each), and CL-101's mass as vapour alone, the one puff
# DEGADIS (vapour only) can take too
CASES = (
    ("chlorine", 19_627.0, "CL-101", 0.5),
    ("ammonia", 158_909.0, "NH-101", 0.5),
    ("chlorine", 19_627.0, "CL-101 as vapour", 0.0),
)
# DEGADIS's puff starts as a cylinder of twice the cube's side in radius: its van Ulden
# momentum balance (SRC1) finds no frontal velocity for a cloud as tall as it is wide
# (the cube's footprint radius: "H/D" near 1, as degadisx says of Thorney Island)
DEGADIS_RADIUS_SIDES = 2.0


def ours(name, mass, u, stability, aerosol):
    """(peak volume fraction, half-width [m]) with and without the along-wind slumping,
    and the cube's side [m]."""
    from physics import substances

    sub = substances.lookup(name)
    ambient = Ambient(u, stability, Z0, AIR_T, RH / 100.0, averaging_time_s=T_AVG)
    probe = integral_plume.integral_plume(
        integral_plume.substance_release(sub, 1.0, liquid_fraction=aerosol), ambient, x_max_m=10.0
    )
    rho = float(probe.table.density[0, -1])  # the pure two-phase release
    puff = release_clouds.puff_cloud(
        sub,
        mass,
        density_kg_m3=rho,
        wind_speed_m_s=u,
        temperature_K=sub.boiling_point_K,
        aerosol_fraction=aerosol,
    )
    out = {}
    for label, release in (("ours", puff), ("ours, no slump", replace(puff, puff=False))):
        plume = integral_plume.integral_plume(release, ambient)
        c = plume.centreline(X)
        _, b, sy, _, _ = plume.profile(X)
        out[label] = (plume.mole_fraction(X, c)[0], (b + math.sqrt(math.pi / 2) * sy)[0])
    return out, float(np.sqrt(puff.area_m2))


def main() -> None:
    print(__doc__.splitlines()[0])
    cases, degadis_cases, mine = [], [], {}
    for name, mass, asset, aerosol in CASES:
        sub, props = evaporating_substance(name)
        for u, stability in WEATHERS:
            cid = f"{asset} {name} puff {mass:,.0f} kg, {stability} {u:g} m/s"
            mine[cid], side = ours(name, mass, u, stability, aerosol)
            cases.append(
                {
                    "id": cid,
                    "substance": props,
                    "rate_kg_s": 0.0,
                    "area_m2": side * side,
                    "duration_s": None,
                    "instantaneous": {"mass_kg": mass, "liquid_fraction": aerosol},
                    "u_ref_m_s": u,
                    "z_ref_m": 10.0,
                    "air_temperature_K": AIR_T,
                    "relative_humidity_pct": RH,
                    "z0_m": Z0,
                    "stability": stability,
                    "averaging_time_s": T_AVG,
                    "receptor_height_m": 0.0,
                    "x_m": X.tolist(),
                }
            )
            if aerosol == 0.0:
                rel = peer_release(0.0, DEGADIS_RADIUS_SIDES * side, u)
                degadis_cases.append(
                    degadis_case(rel, sub)
                    | {
                        "id": cid,
                        "stability": stability,
                        "averaging_time_s": T_AVG,
                        "instantaneous": {"mass_kg": mass},
                        "x_m": X.tolist(),
                    }
                )
    slab, why = run_peer("run_slab.py", cases)
    if why:
        print(f"  SLAB skipped: {why}")
    print("  (DEGADIS's transient runs take about half a minute each)", flush=True)
    degadis, why = run_peer("run_degadis.py", degadis_cases)
    if why:
        print(f"  DEGADIS skipped: {why}")
    for case in cases:
        cid = case["id"]
        print(f"\n  {cid}")
        print(
            "      x m   peak: ours  no slump      SLAB   DEGADIS   ours against the peers"
            "      half-width m: ours  no slump    SLAB  DEGADIS"
        )
        s_c = peer_values(slab, cid)
        d_c = peer_values(degadis, cid) if degadis and cid in degadis else None
        s_b, s_beta = peer_values(slab, cid, "b"), peer_values(slab, cid, "beta_c")
        s_w = None
        if s_b is not None:
            s_w = s_b / erf(s_b / (math.sqrt(2.0) * np.maximum(s_beta, 1e-9)))
        d_w = peer_values(degadis, cid, "half_width_m") if d_c is not None else None
        (c1, w1), (c0, w0) = mine[cid]["ours"], mine[cid]["ours, no slump"]
        for k, x in enumerate(X):
            sc = s_c[k] if s_c is not None else math.nan
            dc = d_c[k] if d_c is not None else math.nan
            sw = s_w[k] if s_w is not None else math.nan
            dw = d_w[k] if d_w is not None else math.nan
            print(
                f"  {x:7.0f}  {c1[k]:10.3g} {c0[k]:9.3g} {sc:9.3g} {dc:9.3g}   "
                f"{_against(c1[k], sc, dc):<24}  {w1[k]:17,.0f} {w0[k]:9,.0f} {sw:7,.0f} {dw:8,.0f}"
            )


def _against(ours_value, slab, degadis):
    """Where ours lies: inside the peers' spread, or above / below it by a factor; against
    SLAB alone where DEGADIS did not run."""
    peers = [v for v in (slab, degadis) if np.isfinite(v) and v > 0]
    if not peers:
        return "no peer"
    lo, hi = min(peers), max(peers)
    if len(peers) == 1:
        return f"{ours_value / lo:.2f} x SLAB"
    if lo <= ours_value <= hi:
        return "inside the spread"
    if ours_value > hi:
        return f"above by x{ours_value / hi:.2f}"
    return f"below by x{lo / ours_value:.2f}"


if __name__ == "__main__":
    main()
