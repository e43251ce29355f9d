"""Tests for bench/trials.py: the readers and derived values of the field-trial data.

Oracles: the Prairie Grass arc-file layout and its first block (run 1, 50 m arc) as stored in
GuBij/dataAssimLangevin Data/inputFiles/PGARCS.txt, a transcription of Barad (1958); the
Burro 8 FDS input (firemodels/fds Validation/LNG_Dispersion/FDS_Input_Files/Burro8.fds:
MASS_FLUX 0.167 kg/(m2 s), RADIUS 14.93 m, ramp 0-6-107-113 s), whose release rate SLAB's
user manual gives as 116.93 kg/s (as quoted in slabx 1.0.7 validation/field_trials.py); and
the neutral log law u = u*/k ln(z/z0), to which Monin-Obukhov similarity reduces as L -> oo.
"""

import math

import pytest
from numpy.testing import assert_allclose

from bench import trials

# Two blocks in the layout of the Prairie Grass arc file: run 1's 50 m arc cut to its first
# three samplers and run 2's 100 m arc cut to three, one of them the file's -9 (missing).
PGARCS_EXCERPT = """\
  1,  1,'07/03/56','1100-1110',    50.0
 3,  1, 3,   1,     1.000,    0.0,    0.0,  81.50000,  0.46,  1.50,     1.000
       276         8        50     0.110
       278        10        50     1.490
       280        12        50     6.130
  2,  2,'07/03/56','1500-1510',   100.0
 3,  1, 3,   1,     1.000,    0.0,    0.0,  83.90000,  0.46,  1.50,     1.000
       270         2       100     0.030
       272         4       100    -9.000
       274         6       100     2.100
"""


def test_pgarcs_arc_maxima_reads_each_block():
    rows = trials.pgarcs_arc_maxima(PGARCS_EXCERPT)
    assert [(r["run"], r["x_m"]) for r in rows] == [(1, 50.0), (2, 100.0)]
    assert rows[0]["c_max_mg_m3"] == 6.130  # largest of 0.110, 1.490, 6.130
    assert rows[1]["c_max_mg_m3"] == 2.100  # -9 (missing) skipped
    assert rows[0]["q_g_s"] == 81.5 and rows[1]["q_g_s"] == 83.9
    assert rows[0]["source_height_m"] == 0.46 and rows[0]["sampler_height_m"] == 1.5


def test_pgarcs_all_missing_arc_is_nan_not_zero():
    text = (
        "  3,  1,'07/03/56','1100-1110',    50.0\n"
        " 1, 1, 1, 1, 1.0, 0.0, 0.0, 80.0, 0.46, 1.5, 1.0\n"
        "  270  2  50  -9.000\n"
    )
    (row,) = trials.pgarcs_arc_maxima(text)
    assert math.isnan(row["c_max_mg_m3"])


def test_stored_prairie_grass_maxima_match_the_second_transcription():
    # DisperSim3D's prairie-grass-07-B.dsbench: 89.9 g/s; 97.8, 23.3, 5.1, 0.8, 0.1 mg/m3
    rows = [r for r in trials.read_csv("prairie_grass_arc_maxima.csv") if r["run"] == "7"]
    got = {float(r["x_m"]): float(r["so2_arc_max_mg_m3"]) for r in rows}
    assert_allclose(
        [got[x] for x in (50, 100, 200, 400, 800)], [97.8, 23.3, 5.1, 0.8, 0.1], atol=0.05
    )
    assert {r["so2_rate_g_s"] for r in rows} == {"89.9"}


def test_burro8_release_rate_and_duration():
    row = next(r for r in trials.read_csv("lng_conditions.csv") if r["trial"] == "Burro8")
    rel = trials.lng_release(row)
    # 0.167 * pi * 14.93^2 = 116.94 kg/s (SLAB's manual: 116.93 kg/s)
    assert_allclose(rel["rate"], 116.93, rtol=2e-4)
    # the reported spill duration; the FDS ramp (full rate 6-107 s plus one 6 s ramp) agrees
    assert rel["duration"] == pytest.approx(107.0) == rel["ramp_duration"]
    assert rel["u10"] == pytest.approx(2.4998)  # the FDS profile's 10 m value


def test_lng_rates_are_the_reported_spill_mass_over_the_spill_duration():
    """The FDS inputs' flux x pool area against the test reports' mass / duration (FDS
    Validation Guide, Table tab:LNG_Dispersion): two transcriptions of each release rate."""
    for row in trials.read_csv("lng_conditions.csv"):
        rel = trials.lng_release(row)
        # within 2.5 %: Maplin Sands 34 differs most (2.2 %), its radius rounded to 6.41 m
        assert_allclose(rel["rate"], rel["spill_mass"] / rel["duration"], rtol=0.025)


def test_u_similarity_reduces_to_the_log_law_when_neutral():
    u_star, z0 = 0.3, 0.01
    assert_allclose(
        trials.u_similarity(u_star, 1e12, z0), u_star / 0.4 * math.log(10.0 / z0), rtol=1e-9
    )


def test_u_similarity_stable_wind_exceeds_unstable():
    # at the same u*, a stable profile (psi < 0) is steeper than an unstable one
    assert trials.u_similarity(0.3, 50.0, 0.01) > trials.u_similarity(0.3, -50.0, 0.01)


def test_maplin_sands_roughness_reproduces_the_measured_wind():
    """Maplin Sands: the 10 m wind is the measured one (firemodels/exp profiles: 5.5, 8.6,
    9.8 m/s) and z0 the FDS Validation Guide's 0.00002 m, which it says was chosen to match
    the measured profiles. Two independent records of one wind: u*, L and that z0 give the
    measured 10 m wind within 6 %, where the test reports' 0.0003 m falls 16-19 % short."""
    rows = [r for r in trials.read_csv("lng_conditions.csv") if r["trial"].startswith("Maplin")]
    assert len(rows) == 3
    for row in rows:
        rel = trials.lng_release(row)
        assert rel["u10_note"] == "measured, 10 m"
        assert rel["z0"] == 0.00002
        u_star, obukhov = float(row["u_star_m_s"]), float(row["obukhov_length_m"])
        assert_allclose(trials.u_similarity(u_star, obukhov, rel["z0"]), rel["u10"], rtol=0.06)
        assert trials.u_similarity(u_star, obukhov, 0.0003) < 0.85 * rel["u10"]
    assert trials.lng_release(rows[1])["obukhov_length"] == -75.5
