"""Field-trial data for ``bench/validate_dispersion.py``: readers and derived values.

Everything measured sits in ``bench/data`` with its source on each row. This module only
reads those files and derives what the trials' own records imply (release rate, duration,
the 10 m wind); it is kept free of models so that ``tests/test_bench_trials.py`` can pin
each derivation down.

When running this file as part of ``bench/run.py`` it does nothing: it only holds functions
for ``bench/validate_dispersion.py``.
"""

import csv
import math
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

VON_KARMAN = 0.4  # Businger et al. (1971) / Dyer (1974) profiles use 0.4

# A value the Prairie Grass arc file marks as missing (-9.0 at run 2, 100 m, 4 degrees).
PG_MISSING = 0.0


def read_csv(name: str) -> list[dict]:
    """Rows of ``bench/data/<name>`` as dictionaries of strings."""
    with open(DATA / name, newline="") as fh:
        return list(csv.DictReader(fh))


def u_similarity(u_star, obukhov_length_m, z0_m, z_m=10.0):
    """Wind speed at ``z_m`` from u*, L and z0 by Monin-Obukhov similarity. [m/s]

    u = u*/k [ln(z/z0) - psi(z/L) + psi(z0/L)], with Paulson's (1970) integrated
    Businger-Dyer form for L < 0 and psi = -5 z/L for L > 0 (Dyer 1974).
    """

    def psi(zeta):
        if zeta >= 0:
            return -5.0 * zeta
        x = (1.0 - 16.0 * zeta) ** 0.25
        return (
            2 * math.log((1 + x) / 2) + math.log((1 + x * x) / 2) - 2 * math.atan(x) + math.pi / 2
        )

    lnz = math.log(z_m / z0_m)
    return u_star / VON_KARMAN * (lnz - psi(z_m / obukhov_length_m) + psi(z0_m / obukhov_length_m))


def lng_release(row: dict) -> dict:
    """One LNG spill from a row of ``lng_conditions.csv``, in SI with derived values.

    rate = mass flux x pool area (the FDS input's; it equals the reported spill mass over
    the spill duration, the FDS Validation Guide's pool diameter being derived from them);
    the duration is the spill duration the test reports give (FDS Validation Guide,
    Table tab:LNG_Dispersion); the FDS inputs' trapezoidal ramps agree except Coyote 6,
    whose ramp lasts 62 s against the reported 82 s. The 10 m wind is the measured one
    where the row names a measured profile (Maplin Sands: ``firemodels/exp``
    ``MaplinSands*_profile.csv``), else the FDS profile's value where the file gives one,
    else u*, L and z0 by similarity.
    """
    radius = float(row["source_radius_m"])
    ramp = float(row["ramp_s"])
    z0 = float(row["z0_m"])
    if row["u10_m_s"]:
        measured = row["u10_from"].startswith("measured")
        u10, u10_note = float(row["u10_m_s"]), "measured, 10 m" if measured else "FDS profile, 10 m"
    else:
        u10 = u_similarity(float(row["u_star_m_s"]), float(row["obukhov_length_m"]), z0)
        u10_note = "u*, L, z0; Paulson"
    obukhov = float(row["obukhov_length_m"]) if row["obukhov_length_m"] else None
    return {
        "trial": row["trial"],
        "rate": float(row["mass_flux_kg_m2_s"]) * math.pi * radius**2,
        "radius": radius,
        "duration": float(row["spill_duration_s"]),
        "ramp_duration": float(row["full_rate_end_s"]) - float(row["full_rate_start_s"]) + ramp,
        "spill_mass": float(row["spill_mass_kg"]),
        "u10": u10,
        "u10_note": u10_note,
        "obukhov_length": obukhov,
        "report_obukhov_length": float(row["report_obukhov_length_m"]),
        "z0": z0,
        "air_t": float(row["air_temperature_C"]) + 273.15,
        "pressure": float(row["pressure_Pa"]),
        "rh": float(row["relative_humidity_pct"]),
        "stability": row["stability"],
    }


def pgarcs_arc_maxima(text: str) -> list[dict]:
    """Arc maxima of the Prairie Grass arc file (the ``PGARCS`` layout).

    Each block is a title line ``run, arc, 'date', 'time', distance`` and a line whose
    first field is the number of samplers and whose 8th, 9th and 10th are the SO2 release
    rate [g/s], the source height and the sampler height [m]; then one line per sampler,
    ``azimuth, post, distance, concentration`` [mg/m3]. The arc maximum is the largest
    reading on the arc; readings <= 0 (the file writes -9 for a missing sampler) are skipped.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    out, i = [], 0
    while i < len(lines):
        title = [s.strip() for s in lines[i].split(",")]
        head = [s.strip() for s in lines[i + 1].split(",")]
        n = int(head[0])
        readings = [float(ln.split()[3]) for ln in lines[i + 2 : i + 2 + n]]
        kept = [c for c in readings if c > PG_MISSING]
        out.append(
            {
                "run": int(title[0]),
                "x_m": float(title[4]),
                "c_max_mg_m3": max(kept) if kept else math.nan,
                "q_g_s": float(head[7]),
                "source_height_m": float(head[8]),
                "sampler_height_m": float(head[9]),
            }
        )
        i += 2 + n
    return out
