"""Why our evaporating-pool cloud differs from DEGADIS's and SLAB's, distance by distance.

The pools of ``bench/validate_dispersion.py`` (10 kg/s of chlorine or propane from a
100 m2 pool, z0 0.1 m, D 5 m/s and F 2 m/s), with each model's cloud taken apart. In every
steady integral model the ground-level centreline concentration is the release rate over
the product of a crosswind width W and a vertical volume flux per metre of width V:

    c = Q / (W V)                                                           [kg/m3]

- ours (``physics.integral_plume``): W = 2 b + sqrt(2 pi) sigma_y, V = u sqrt(pi/2)
  sigma_z (flat core, Gaussian edges, half-Gaussian in z, carried at the wind u at half
  its depth);
- DEGADIS 2.1 (Spicer & Havens 1989, PSS/SSG): profile cc exp(-((|y| - b)/S_y)^2)
  exp(-(z/S_z)^(1 + alpha)) in the power-law wind u_10 (z/10 m)^alpha, so
  W = 2 b + sqrt(pi) S_y and V = u_10 (S_z/10)^alpha S_z / (1 + alpha), alpha DEGADIS's
  ALPH fit (``physics.pool_source.power_law_exponent``, which agrees with degadisx's to
  1e-5). The script checks Q = cc W V on DEGADIS's own output at each of its stations.

The ratio of ground concentrations then splits exactly into a width factor and a depth
factor, ours / DEGADIS = (W_D / W) (V_D / V), and the entrainment between two distances
is the growth of the volume flux per metre of width, w_e = d(W V)/dx / W [m/s], which
DEGADIS sets to k u* (1 + alpha) / Phi(Ri*) (SSG/PSS). SLAB (Ermak 1990) is printed
beside: its centreline volume fraction, its width W_S = 2 b / erf(b / (sqrt(2) beta_c))
(its crosswind profile over its centreline value, EQ 13 with the meander of EQ 52b),
its sigma_z and cloud speed, and the source half-width it used (larger than the pool's where its
source-region gravity flow widened the source, EQ 4d); DEGADIS's profile starts at its
source blanket's downwind edge where a blanket forms (SRC1).

Run from the repository root: ``.venv/bin/python bench/pool_budget.py`` (the peers in
``bench/peers/.venv``). A report, not a test; about half a minute.
"""

import math
import sys
from pathlib import Path

import numpy as np
from scipy.special import erf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.validate_dispersion import (  # noqa: E402
    AIR_T,
    POOL_AREA,
    POOL_RATE,
    POOL_SUBSTANCES,
    RH,
    T_AVG,
    WEATHERS,
    Z0,
    degadis_case,
    evaporating_substance,
    peer_release,
    run_slab_and_degadis,
    slab_case,
)
from physics import atmosphere, pool_source  # noqa: E402
from physics.integral_plume import Ambient, integral_plume, substance_release  # noqa: E402

X = np.array([10, 20, 30, 50, 70, 100, 150, 200, 300, 500, 1000, 2000], dtype=float)
REFERENCE_HEIGHT_M = 10.0
SQRT_2PI = math.sqrt(2.0 * math.pi)


def ours(sub, u10, stability, pool="layer"):
    """Our cloud at X: (mole fraction, c [kg/m3], W [m], V [m2/s], u [m/s], Ri*); with
    ``pool="blanket"`` the source is DEGADIS's blanket (``physics.pool_blanket``)."""
    release = substance_release(sub, POOL_RATE, area_m2=POOL_AREA)
    ambient = Ambient(
        u10,
        stability,
        z0_m=Z0,
        temperature_K=AIR_T,
        relative_humidity=RH / 100.0,
        averaging_time_s=T_AVG,
    )
    plume = integral_plume(release, ambient, x_max_m=float(X.max()) * 1.01, pool=pool)
    c = plume.centreline(X, z=0.0)
    _, b, sy, sz, _ = plume.profile(X)
    width = (2.0 * b + SQRT_2PI * sy)[0]
    u = np.interp(X, plume.x[0], plume.u[0])
    ri = np.interp(X, plume.x[0], plume.richardson[0])
    depth_flux = u * math.sqrt(math.pi / 2.0) * sz[0]
    return plume.mole_fraction(X, c)[0], c[0], width, depth_flux, u, ri


def degadis_shape(res: dict, alpha: float, u10: float):
    """DEGADIS's (c [kg/m3], W [m], V [m2/s]) at X, and cc W V / Q at its own stations
    (module docstring). W and V are interpolated in log between its stations (23-40 m
    apart) and c follows from Q / (W V); NaN outside its profile."""
    dist, cc, b, sy, sz = (np.asarray(res[k], dtype=float) for k in ("dist", "cc", "b", "sy", "sz"))
    width = 2.0 * b + math.sqrt(math.pi) * sy
    depth_flux = u10 * (sz / REFERENCE_HEIGHT_M) ** alpha * sz / (1.0 + alpha)
    check = cc * width * depth_flux / POOL_RATE
    w, v = (
        np.exp(np.interp(X, dist, np.log(a), left=np.nan, right=np.nan))
        for a in (width, depth_flux)
    )
    return POOL_RATE / (w * v), w, v, check


def entrainment(width, depth_flux):
    """w_e between consecutive distances: d(W V)/dx over the mean W [m/s]."""
    flux = width * depth_flux
    we = np.full(X.size, np.nan)
    we[1:] = np.diff(flux) / np.diff(X) / (0.5 * (width[1:] + width[:-1]))
    return we


def case(name: str, u10: float, stability: str) -> tuple[dict, dict, dict]:
    sub, props = evaporating_substance(name)
    cid = f"{name} pool, {stability} {u10:g} m/s"
    radius = math.sqrt(POOL_AREA / math.pi)
    rel = peer_release(POOL_RATE, radius, u10)
    slab = slab_case(cid, props, POOL_RATE, POOL_AREA, u10, stability, X)
    degadis = degadis_case(rel, sub) | {
        "id": cid,
        "stability": stability,
        "x_m": X.tolist(),
        "averaging_time_s": T_AVG,
    }
    return {"sub": sub, "u10": u10, "stability": stability, "id": cid}, slab, degadis


def blanket_case(meta: dict) -> None:
    """Ours with DEGADIS's blanket as the source (``integral_plume(pool="blanket")``): the
    blanket's radius (the source's half-length), the ground mole fraction at its downwind
    edge, and the centreline at X."""
    release = substance_release(meta["sub"], POOL_RATE, area_m2=POOL_AREA)
    ambient = Ambient(
        meta["u10"],
        meta["stability"],
        z0_m=Z0,
        temperature_K=AIR_T,
        relative_humidity=RH / 100.0,
        averaging_time_s=T_AVG,
    )
    plume = integral_plume(release, ambient, x_max_m=float(X.max()) * 1.01, pool="blanket")
    radius = -float(plume.x[0, 0])
    edge = float(plume.mole_fraction([radius], plume.centreline([radius]))[0, 0])
    y = plume.mole_fraction(X, plume.centreline(X))[0]
    formed = radius > 1.01 * math.sqrt(POOL_AREA / math.pi)
    what = f"blanket to {radius:.1f} m" if formed else "no blanket"
    print(f"  ours, pool='blanket': {what}, mole fraction {edge:.3f} at its downwind edge")
    print("    x " + " ".join(f"{x:8.0f}" for x in X))
    print("    y " + " ".join(f"{v:8.3g}" for v in y))


def report(meta: dict, slab: dict | None, degadis: dict | None) -> None:
    u10, stability = meta["u10"], meta["stability"]
    inv_l = atmosphere.inverse_obukhov_length(np.array([stability]), np.array([Z0]))
    alpha = float(pool_source.power_law_exponent(Z0, inv_l)[0])
    y, c, w, v, u, ri = ours(meta["sub"], u10, stability)
    we = entrainment(w, v)
    print(f"\n== {meta['id']} (DEGADIS's power-law exponent alpha {alpha:.4f})")
    if degadis is None or "error" in degadis:
        why = "not run" if degadis is None else degadis["error"]
        print(f"  DEGADIS: {why}")
        nan = np.full(X.size, np.nan)
        y_d, c_d, w_d, v_d, we_d = nan, nan, nan, nan, nan
    else:
        y_d = np.asarray(degadis["c"], dtype=float)
        c_d, w_d, v_d, check = degadis_shape(degadis, alpha, u10)
        we_d = entrainment(w_d, v_d)
        spread = f"{check.min():.4f}-{check.max():.4f}"
        radius = math.sqrt(POOL_AREA / math.pi)
        start = degadis["first_m"]
        blanket = (
            f"source blanket to {start:.1f} m (pool radius {radius:.2f} m)"
            if start > 1.01 * radius
            else "no source blanket"
        )
        print(f"  DEGADIS: {blanket}; cc W V / Q = {spread} at its {check.size} stations")
        print(f"  DEGADIS at its first station: mole fraction {degadis['first_yc']:.3f}")
    blanket_case(meta)
    if slab is None or "error" in slab:
        print(f"  SLAB: {'not run' if slab is None else slab['error']}")
        slab_cols = {k: np.full(X.size, np.nan) for k in ("c", "b", "beta_c", "sigma_z", "u")}
    else:
        slab_cols = {
            k: np.asarray(slab[k], dtype=float) for k in ("c", "b", "beta_c", "sigma_z", "u")
        }
        half, pool_half = slab["source_half_width_m"], 0.5 * math.sqrt(POOL_AREA)
        widened = "; widened by its source-region gravity flow" if half > 1.01 * pool_half else ""
        print(f"  SLAB: source half-width {half:.1f} m (the pool's {pool_half:.1f} m{widened})")
    # SLAB's crosswind profile erf((y + b)/(sqrt2 beta_c)) - erf((y - b)/(sqrt2 beta_c))
    # integrates to 4 b and is 2 erf(b/(sqrt2 beta_c)) on the centreline
    w_s = 2.0 * slab_cols["b"] / erf(slab_cols["b"] / (math.sqrt(2.0) * slab_cols["beta_c"]))
    sz = v / (u * math.sqrt(math.pi / 2.0))
    print(
        "      x   mole fraction: ours   SLAB DEGADIS | ours/DEG = W_D/W x V_D/V"
        " |    W ours    DEG   SLAB |  V ours   DEG | w_e ours   DEG | ours u sigma_z Ri*"
        " | SLAB u sigma_z"
    )
    for i, x in enumerate(X):
        print(
            f"  {x:5.0f}  {y[i]:13.3g} {slab_cols['c'][i]:8.3g} {y_d[i]:8.3g}"
            f" | {c[i] / c_d[i]:8.2f} = {w_d[i] / w[i]:4.2f} x {v_d[i] / v[i]:4.2f}"
            f" | {w[i]:7.1f} {w_d[i]:6.1f} {w_s[i]:6.1f} | {v[i]:6.2f} {v_d[i]:5.2f}"
            f" | {we[i]:7.3f} {we_d[i]:6.3f} | {u[i]:6.2f} {sz[i]:7.2f} {ri[i]:5.1f}"
            f" | {slab_cols['u'][i]:6.2f} {slab_cols['sigma_z'][i]:7.2f}"
        )


def main() -> int:
    print(__doc__.split("\n\n")[0])
    metas, slab_cases, degadis_cases = [], [], []
    for name in POOL_SUBSTANCES:
        for u10, stability in WEATHERS:
            meta, s, d = case(name, u10, stability)
            metas.append(meta)
            slab_cases.append(s)
            degadis_cases.append(d)
    slab, degadis = run_slab_and_degadis(slab_cases, degadis_cases)
    for meta in metas:
        report(
            meta,
            None if slab is None else slab[meta["id"]],
            None if degadis is None else degadis[meta["id"]],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
