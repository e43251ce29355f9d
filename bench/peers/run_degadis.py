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
largest centreline mole fraction over the snapshots at each x, "half_width_m" the cloud's
crosswind half-width in the snapshot that gives it (b + sqrt(pi)/2 S_y).

A cloud already on the ground, started from another model's state, adds "ground_start":
{distance_m, concentration_kg_m3 (its ground-level centreline), half_width_m,
density_table (rows of mole fraction, concentration [kg/m3] and density [kg/m3] of the
cloud's own mixing line)}: DEGBRIDG's equivalent area source at that distance with the
user's density table (NDEN > 0, isothermal), then the steady ground-level run
(:func:`run_ground_start`).

A jet sent straight up from a stack adds "vertical_jet": {diameter_m, height_m} (radius_m
is then unused): DEGADIS's JETPLU (degadisx run_jet) on the jet deck JETPLUIN would write,
then, where the plume lands, DEGBRIDG's area source (degadisx bridge) and the steady
ground-level run. See :func:`run_vertical_jet`.
"""

import tempfile
from pathlib import Path

import numpy as np
from _protocol import serve
from degadisx.core.atmosphere import friction_velocity, stability_defaults
from degadisx.core.constants import WMA, WMW
from degadisx.core.thermo import AmbientConditions, GasProperties, LegacyBackend, Thermo
from degadisx.io.bridge import JetInput, bridge
from degadisx.io.jetdeck import JetDeck, Touchdown
from degadisx.run import run_jet, run_steady, run_transient

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
    peak, half = np.zeros(x.size), np.full(x.size, np.nan)
    for snap in out.snapshots:
        dist, yc = snap.column("dist"), snap.column("yc")
        if dist.size < 2:
            continue
        order = np.argsort(dist)
        here = np.interp(x, dist[order], yc[order], left=0.0, right=0.0)
        # the crosswind integral of cc exp(-((|y| - b) / S_y)^2) over its centreline
        # value, halved: b + sqrt(pi) / 2 S_y
        width = snap.column("b") + 0.5 * np.sqrt(np.pi) * snap.column("sy")
        half = np.where(here > peak, np.interp(x, dist[order], width[order]), half)
        peak = np.maximum(peak, here)
    return {
        "c": [float(v) if v > 0 else float("nan") for v in peak],
        "half_width_m": [float(v) for v in half],
        "snapshots": len(out.snapshots),
    }


# JETPLUIN's entrainment coefficients, shear and cross-flow (DEGADIS 2.1; the same values in
# the DegadisMIO port's JETPLUIN step, diegomat87/DegadisMIO "5c DescripcionEmisioneJet")
JET_ALFA1, JET_ALFA2 = 0.028, 0.37
# Largest step of JETPLU's integration [m]: 2, 5 and 20 m give the same touchdown and
# ground-level values to three digits on the bench's jets; 20 m keeps a 30 km run short
JET_DISTMX = 20.0


def _jet_input(case: dict, height_m: float, diameter_m: float) -> JetInput:
    """The .IN deck DEGBRIDG reads for a steady jet from an orifice of ``diameter_m`` at
    ``height_m``: L from ATMDEF (stability_defaults), the CPP = 0 shorthand (a constant cp,
    as the ground-level deck uses), the level of concern itself as the lowest mole fraction
    followed (continuous release), no density table (adiabatic mixing)."""
    g = case["gas"]
    istab = _CLASSES.index(case["stability"]) + 1
    llc = case["stop_mole_fraction"]
    mw = g["mw_kg_kmol"]
    return JetInput(
        titles=[f"parktwin benchmark case {case['id']}", "jet deck", "", ""],
        u0=case["u_ref_m_s"], z0=case["z_ref_m"], zr=case["z0_m"], indvel=1, istab=istab,
        rml=stability_defaults(case["z0_m"], istab, case["averaging_time_s"]).rml,
        tamb=case["air_temperature_K"], pamb=case["pressure_atm"],
        relhum=case["relative_humidity_pct"], tsurf=case["air_temperature_K"],
        gasnam=g["name"], gasmw=mw, avtime=case["averaging_time_s"],
        temjet=g["temperature_K"], gasulc=10.0 * llc, gasllc=llc, gaszzc=0.0, indht=0,
        cpk=mw * g["cp_J_kgK"] - 3.33e4, cpp=1.0,  # DEGADIS's molar cp 3.33e4 + CPK T^CPP'
        nden=0, den=np.zeros((0, 3)), erate=case["rate_kg_s"], elejet=height_m,
        diajet=diameter_m, tend=0.0, distmx=JET_DISTMX,
    )  # fmt: skip


def _jet_deck(jet_in: JetInput, density_kg_m3: float):
    """(the .INO deck JETPLUIN writes from ``jet_in``, its adiabatic mixing table):
    JETPLUIN's steps, as DegadisMIO's port writes them out: u* from the wind at the
    reference height (friction_velocity), the Pasquill-Gifford constants from ATMDEF
    (stability_defaults), the humidity from the relative humidity, the mixing table of
    SETDEN (ISOFL 0) for the gas of density ``density_kg_m3`` at its temperature."""
    d = jet_in
    atm = stability_defaults(d.zr, d.istab, d.avtime)
    backend = LegacyBackend()
    vp = backend.water_vapour_pressure(d.tamb)
    humid = d.relhum / 100.0 * WMW / WMA * vp / (d.pamb - vp)
    gas = GasProperties(
        name=d.gasnam, mw=d.gasmw, temp=d.temjet, rho=density_kg_m3, cpk=d.cpk, cpp=d.cpp,
        ulc=d.gasulc, llc=d.gasllc, zzc=d.gaszzc,
    )  # fmt: skip
    ambient = AmbientConditions(tamb=d.tamb, pamb=d.pamb, humid=humid, tsurf=d.tsurf, isofl=0)
    thermo = Thermo(gas=gas, ambient=ambient, backend=backend)
    thermo.reference_enthalpies()
    table = thermo.build_adiabatic_table(1.0, 0.0, thermo.hmrte)
    ino = JetDeck(
        titles=d.titles, u0=d.u0, z0=d.z0, zr=d.zr, istab=d.istab, rml=d.rml,
        ustar=friction_velocity(d.u0, d.z0, d.zr, d.rml), tamb=d.tamb, pamb=d.pamb,
        humid=humid, relhum=d.relhum, tsurf=d.tsurf, avtime=d.avtime, deltay=atm.deltay,
        betay=atm.betay, deltaz=atm.deltaz, betaz=atm.betaz, gammaz=atm.gammaz,
        gasmw=d.gasmw, gastem=d.temjet, gasulc=d.gasulc, gasllc=d.gasllc, gaszzc=d.gaszzc,
        gascpk=d.cpk, gascpp=d.cpp, nden=0,
        den=np.column_stack([table.yc, table.cc, table.rho, table.h, table.t]), isofl=0,
        erate=d.erate, elejet=d.elejet, diajet=d.diajet, alfa1=JET_ALFA1, alfa2=JET_ALFA2,
        distmx=d.distmx, tend=d.tend,
    )  # fmt: skip
    return ino, table


def run_vertical_jet(case: dict) -> dict:
    """A jet sent straight up: "c" the ground-level centreline mole fraction at each x.

    Up to where JETPLU's axis reaches the ground, the ground-level value of its plume: its
    Gaussian section with the ground's image, as MODOUT adds the image at the axis
    (2 c exp(-z^2 / (2 S_z^2)) at the ground for the bare axis value c at height z); from
    the ground-level run's first station on, that run's centreline. NaN between the two
    (DEGBRIDG's source, which starts at the touchdown, and the blanket over it) and where
    neither reaches. "touchdown_m" is 0 where the plume stays aloft while above the level
    of concern (JETPLU's own signal); "first_m" the ground-level run's first station."""
    jet_in = _jet_input(case, **case["vertical_jet"])
    ino, table = _jet_deck(jet_in, case["gas"]["density_kg_m3"])
    jet, _ = run_jet(ino)
    rows = jet.rows
    x = np.asarray(case["x_m"], dtype=float)
    dist, z, sz, imaged = rows[:, 0], rows[:, 1], np.maximum(rows[:, 4], 1e-12), rows[:, 2]
    bare = imaged / (1.0 + np.exp(-2.0 * (z / sz) ** 2))
    ground = np.where(z > 0.0, 2.0 * bare * np.exp(-0.5 * (z / sz) ** 2), imaged)
    yc = np.maximum([table.from_concentration(v).yc for v in ground], 1e-300)
    c = np.exp(np.interp(x, dist, np.log(yc), left=np.nan, right=np.nan))
    first = float("nan")
    if jet.touchdown:
        c[x > jet.distance] = np.nan
        td = Touchdown(jet.distance, jet.concentration, jet.halfwidth)
        profile, _ = run_steady(bridge(td, jet_in))
        on_ground = _centreline(profile, x)
        c = np.where(np.isfinite(on_ground), on_ground, c)
        first = float(profile.column("dist")[0])
    return {
        "c": [float(v) for v in c],
        "touchdown_m": float(jet.distance),
        "first_m": first,
        "top_m": float(z.max()),
    }


def run_ground_start(case: dict) -> dict:
    """DEGADIS's ground-level model started from a cloud's state ("ground_start"): "c" the
    ground-level centreline mole fraction at each x (NaN before the run's first station,
    "first_m"), and the run's flat-core half-width "b" and sigma_y, sigma_z at x.

    degadisx 0.1.4 rebuilds the adiabatic mixing table (SETDEN) in its no-blanket source
    (NOBL) even on an isothermal run, and SETDEN itself refuses such a run ("SETDEN is not
    used for isofl=1 runs"): the runner keeps the user's table there instead."""
    start = case["ground_start"]
    jet_in = _jet_input(case, height_m=0.0, diameter_m=0.0)  # DEGBRIDG reads neither
    table = np.asarray(start["density_table"], dtype=float)
    jet_in.nden, jet_in.den = len(table), table
    td = Touchdown(start["distance_m"], start["concentration_kg_m3"], start["half_width_m"])
    original = Thermo.build_adiabatic_table

    def keep_isothermal(thermo, *args, **kw):
        if thermo.ambient.isofl == 1:
            return thermo.table
        return original(thermo, *args, **kw)

    Thermo.build_adiabatic_table = keep_isothermal
    try:
        profile, _ = run_steady(bridge(td, jet_in))
    finally:
        Thermo.build_adiabatic_table = original
    x = np.asarray(case["x_m"], dtype=float)
    dist = profile.column("dist")
    shape = {
        k: [float(v) for v in np.interp(x, dist, profile.column(k), np.nan, np.nan)]
        for k in ("b", "sy", "sz")
    }
    return {"c": [float(v) for v in _centreline(profile, x)], "first_m": float(dist[0]), **shape}


def _centreline(profile, x):
    """The ground-level centreline mole fraction of a steady profile at ``x`` (NaN
    outside it), interpolated in its logarithm."""
    dist = profile.column("dist")
    yc = np.maximum(profile.column("yc"), 1e-30)
    return np.exp(np.interp(x, dist, np.log(yc), left=np.nan, right=np.nan))


def run_case(case: dict) -> dict:
    if "instantaneous" in case:
        return run_instantaneous(case)
    if "vertical_jet" in case:
        return run_vertical_jet(case)
    if "ground_start" in case:
        return run_ground_start(case)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "CASE.INP"
        path.write_text(deck(case))
        profile, _ = run_steady(path)
    x = np.asarray(case["x_m"], dtype=float)
    c = _centreline(profile, x)
    dist, yc = profile.column("dist"), np.maximum(profile.column("yc"), 1e-30)
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
