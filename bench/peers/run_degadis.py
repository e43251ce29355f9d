"""Run DEGADIS 2.1 (package degadisx) on steady ground-level area-source releases.

Case keys: id, gas {name (3 characters), mw_kg_kmol, temperature_K, density_kg_m3,
cp_J_kgK}, rate_kg_s, radius_m, u_ref_m_s, z_ref_m, z0_m, stability (A-F),
averaging_time_s, air_temperature_K, pressure_atm, relative_humidity_pct,
stop_mole_fraction, x_m (list). Result: centreline ground-level mole fraction at each x
("c"), NaN outside the computed profile, which starts at the downwind edge of the source
blanket ("first_m", its mole fraction there "first_yc"); "transition_m" is where the dense
phase gives way. The profile's shape at DEGADIS's own stations "dist" [m] (to just beyond
the last x): centreline concentration "cc" [kg/m3], flat-core half-width "b", lateral "sy"
and vertical "sz" scales [m] of DEGADIS's profile cc exp(-((|y| - b)/sy)^2) exp(-(z/sz)^(1
+ alpha)).

The deck follows the RUN_NAME.INP layout documented in degadisx.io.inp (IO.FOR order):
adiabatic mixing (ISOFL 0), no surface heat or water transfer (IHTFL 0, IWTFL 0), a
constant heat capacity through the CPP = 0 shorthand, and a steady source of constant
rate. degadisx API used: run_steady(deck_path) -> (Profile, SourceResult). An
instantaneous release adds "instantaneous": {mass_kg} (radius_m then the initial
cylinder's): a transient run (run_transient(deck_path, times=...) -> snapshots), "c" the
largest centreline mole fraction over the snapshots at each x.
"""

import tempfile
from pathlib import Path

import numpy as np
from _protocol import serve
from degadisx.run import run_steady, run_transient

_CLASSES = "ABCDEF"
# A steady source held for this long; DEGADIS ends the source at PTIME(NT-2).
_STEADY_S = 1.0e5


def deck(case: dict) -> str:
    g = case["gas"]
    src = (case["rate_kg_s"], case["radius_m"], 1.0, g["temperature_K"], 0.0)
    rows = [
        (0.0, *src),
        (_STEADY_S, *src),
        (_STEADY_S + 1.0, 0.0, 0.0, 1.0, g["temperature_K"], 0.0),
        (_STEADY_S + 2.0, 0.0, 0.0, 1.0, g["temperature_K"], 0.0),
    ]
    lines = [
        f"parktwin benchmark case {case['id']}",
        "steady ground-level area source",
        "",
        "",
        f"{case['u_ref_m_s']} {case['z_ref_m']} {case['z0_m']}",
        f"{_CLASSES.index(case['stability']) + 1}",
        f"0.0 {case['averaging_time_s']}",
        "1 0.0",
        f"{case['air_temperature_K']} {case['pressure_atm']} 0.0 {case['relative_humidity_pct']}",
        f"0 {case['air_temperature_K']}",
        "0 0.0",
        "0 0.0",
        g["name"][:3],
        f"{g['mw_kg_kmol']} {g['temperature_K']} {g['density_kg_m3']}",
        f"{g['cp_J_kgK']} 0.0",
        f"{case['stop_mole_fraction'] * 10} {case['stop_mole_fraction'] * 2} 0.0",
        f"{case['stop_mole_fraction']}",
        "0.0",
        f"{len(rows)}",
        *(" ".join(f"{v:.6g}" for v in row) for row in rows),
        " T",
        " parktwin",
    ]
    return "\n".join(lines) + "\n"


def instantaneous_deck(case: dict) -> str:
    """The deck of an instantaneous release: no source rate, the whole mass ``gmass0``
    in a cylinder of the given radius at t = 0 (DEGADIS's SRC1 then slumps it), a
    transient run (CHECK4 F)."""
    lines = deck(case).splitlines()
    k = lines.index(f"{case['stop_mole_fraction']}")  # YCLOW, then GMASS0, NT, the rows
    t, r = case["gas"]["temperature_K"], case["radius_m"]
    rows = [f"0 0 {r} 1 {t} 0", f"1 0 {r} 1 {t} 0", f"2 0 0 1 {t} 0", f"3 0 0 1 {t} 0"]
    lines = [*lines[: k + 1], f"{case['instantaneous']['mass_kg']}", "4", *rows, " F", " parktwin"]
    return "\n".join(lines) + "\n"


def run_instantaneous(case: dict) -> dict:
    """The puff's largest ground-level centreline mole fraction at each x over its passage:
    the largest over the cloud's snapshots at ``times_s`` (log-spaced by default, 150 from
    5 s to 6000 s), each interpolated along its own distances."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "CASE.INP"
        path.write_text(instantaneous_deck(case))
        times = np.asarray(case.get("times_s") or np.geomspace(5.0, 6000.0, 150), dtype=float)
        out = run_transient(path, times=times)
    x = np.asarray(case["x_m"], dtype=float)
    peak = np.zeros(x.size)
    for snap in out.snapshots:
        dist, yc = snap.column("dist"), snap.column("yc")
        if dist.size < 2:
            continue
        order = np.argsort(dist)
        peak = np.maximum(peak, np.interp(x, dist[order], yc[order], left=0.0, right=0.0))
    return {
        "c": [float(v) if v > 0 else float("nan") for v in peak],
        "snapshots": len(out.snapshots),
    }


def run_case(case: dict) -> dict:
    if "instantaneous" in case:
        return run_instantaneous(case)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "CASE.INP"
        path.write_text(deck(case))
        profile, _ = run_steady(path)
    dist = profile.column("dist")
    yc = np.maximum(profile.column("yc"), 1e-30)
    x = np.asarray(case["x_m"], dtype=float)
    c = np.exp(np.interp(x, dist, np.log(yc), left=np.nan, right=np.nan))
    within = dist <= 1.05 * x.max()
    shape = {
        k: [float(v) for v in profile.column(k)[within]] for k in ("dist", "cc", "b", "sz", "sy")
    }
    return {
        "c": [float(v) for v in c],
        **shape,
        "first_m": float(dist[0]),
        "first_yc": float(yc[0]),
        "transition_m": float(profile.transition),
    }


if __name__ == "__main__":
    serve(run_case)
