"""Results of the engine: tables and files, key figures, thermal dose from a fireball,
weather series files, comparing protective actions."""

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from physics import fire, harm
from scenarios import scenario_file
from scenarios.engine import Engine, compare
from tests.engine_cases import park, scenario


def test_tables_and_files(tmp_path):
    r = Engine(scenario(response={"action": "evacuate"}), park()).run()
    k = r.key_figures()
    assert k["persons"] == 60 == len(r.persons)
    assert k["above_AEGL-2"] == int(r.persons["above_AEGL-2"].sum())
    assert k["expected_fatalities"] == pytest.approx(r.persons["p_death"].sum())
    assert k["arrived"] + k["sheltered"] <= 60
    assert r.buildings["persons"].sum() == 60
    assert list(r.zones.index) == ["AEGL-1", "AEGL-2", "AEGL-3"]
    assert (r.timeline["time_s"].diff().dropna() == 10.0).all()
    written = r.write(tmp_path, formats=("csv", "parquet"))
    assert {p.name for p in written} >= {"timeline.csv", "persons.parquet", "trajectories.csv"}
    back = pd.read_parquet(tmp_path / "persons.parquet")
    assert_allclose(back["dose_kg_s_m3"], r.persons["dose_kg_s_m3"])
    traj = pd.read_csv(tmp_path / "trajectories.csv")
    assert traj["person"].nunique() == 60
    assert (traj.groupby("person")["t_s"].diff().dropna() >= 0).all()


def test_fireball_dose_of_people_standing_at_an_assembly_point():
    """Everyone has reached an assembly point when LP-101 fails as a BLEVE at 30 min: each
    person receives q(r)^(4/3) t_fireball with q the fireball's flux at their distance
    (CCPS 1994 fireball correlations in physics.fire, Eisenberg 1975 dose), none indoors."""
    sc = scenario(
        scenario={"duration": "35 min"},
        release=[{"asset": "LP-101", "rupture": True, "fire": "fireball", "ignition": "30 min"}],
        detection={"reported": "0 s"},
        response={"action": "evacuate", "decision_delay": "0 s", "warning_delay": "0 s"},
        population={"headcounts": {"B-E02-WS": 5, "B-E08-OF": 5}},
    )
    e = Engine(sc, park())
    r = e.run()
    assert (r.persons["status"] == "arrived").all()
    f = e.fires[0]
    term = e.leaks[0].term
    mass = term.inventory_kg
    d = float(fire.fireball_diameter(mass))
    t = float(fire.fireball_duration(mass))
    sep = float(
        fire.fireball_emissive_power(
            mass,
            term.substance.heat_of_combustion_J_kg,
            d,
            t,
            float(fire.fireball_radiant_fraction(term.storage_pressure_Pa)),
        )
    )
    xy = np.array([traj[-1, 1:] for traj in r.trajectories])
    dist = np.hypot(*(xy - np.asarray(f.xy)).T)
    q = fire.fireball_flux(dist, d, 0.75 * d, sep)
    assert f.end_s - f.start_s == pytest.approx(t)
    assert_allclose(r.persons["thermal_dose"], q ** (4.0 / 3.0) * t, rtol=1e-9)
    assert (r.persons["p_death_thermal"] > 0).all()


def test_weather_series_file_drives_the_wind(tmp_path):
    series = tmp_path / "met.csv"
    series.write_text("time_s,wind_speed_m_s,wind_from_deg,stability\n0,2,270,D\n120,4,90,C\n")
    sc = scenario(weather={"series": str(series)})
    e = Engine(sc, park())
    e.env.run(until=60.0)
    assert (e.weather.wind_from_deg, e.weather.wind_speed_m_s) == (270.0, 2.0)
    e.env.run(until=130.0)
    assert (e.weather.wind_from_deg, e.weather.wind_speed_m_s, e.weather.stability) == (
        90.0,
        4.0,
        "C",
    )


def test_compare_runs_each_protective_action():
    sc = scenario(response={"zone_radius": "400 m"})
    table = compare(sc, ("shelter", "evacuate", "by_zone"), park())
    assert list(table.index) == ["shelter", "evacuate", "by_zone"]
    assert table.loc["shelter", "sheltered"] == 60
    assert table.loc["shelter", "arrived"] == 0
    assert table.loc["evacuate", "arrived"] > 0
    # B-E01-WS and B-E07-CR (30 persons) lie within 400 m of NH-101
    assert table.loc["by_zone", "sheltered"] == 30
    assert not math.isnan(table.loc["evacuate", "last_arrival_s"])


def test_toxic_deaths_without_a_probit_are_not_computed(monkeypatch):
    """With no usable probit for the chemical, people who reached its most severe toxic level
    (AEGL-3) have no probability of death: the expected fatalities are NaN with the reason,
    and the comparison table shows the reason, never 0."""
    # a 100 mm hole, so that people downwind reach AEGL-3
    sc = scenario(
        response={"action": "evacuate"},
        release=[{"asset": "NH-101", "hole": "100 mm", "height": "0.5 m"}],
    )
    computed = Engine(sc, park()).run()
    assert computed.key_figures()["above_AEGL-3"] > 0
    assert computed.not_computed == {}
    monkeypatch.setattr(harm, "toxic_probit_row", lambda cas, model=None: None)
    r = Engine(sc, park()).run()
    k = r.key_figures()
    assert math.isnan(k["expected_fatalities"])
    reason = r.shown_figures()["expected_fatalities"]
    assert reason.startswith("not computed: no usable toxic probit for ammonia")
    assert f"{k['above_AEGL-3']} people reached AEGL-3" in reason
    assert r.persons.loc[~r.persons["above_AEGL-3"], "p_death"].notna().all()
    assert r.zones["expected_fatalities"].isna().any()
    table = compare(sc, ("evacuate",), park())
    assert table.loc["evacuate", "expected_fatalities"] == reason


def test_toxic_deaths_without_a_probit_below_the_top_level_say_they_are_taken_as_nil():
    """Acrylonitrile (AN-101) has no usable probit (one public transcription only). A small
    leak keeps everyone below its most severe level (IDLH): the expected fatalities are a
    number, and the figure shown says its toxic part is taken as nil and why, in the park
    and outside it; a chemical with a probit carries no such caveat."""
    from viz.report import scenario_key_figures

    sc = scenario(release=[{"asset": "AN-101", "hole": "10 mm", "height": "0.5 m"}])
    r = Engine(sc, park()).run()
    k = r.key_figures()
    assert k["above_IDLH"] == 0
    assert r.not_computed == {}
    assert math.isfinite(k["expected_fatalities"])
    caveat = r.caveats["expected_fatalities"]
    assert caveat.startswith("toxic deaths taken as nil: no usable toxic probit for acrylonitrile")
    assert caveat.endswith("nobody reached IDLH")
    shown = dict(scenario_key_figures(r))
    assert shown["expected fatalities"].endswith(f"({caveat})")
    if "offsite_expected_fatalities" in k:
        assert "nobody outside the park reached IDLH" in r.caveats["offsite_expected_fatalities"]
        assert (
            r.caveats["offsite_expected_fatalities"]
            in shown["expected fatalities outside the park"]
        )
    assert Engine(scenario(), park()).run().caveats == {}


def test_a_small_probability_of_death_is_kept_not_rounded_to_zero():
    """Before: p_death = 1 - (1 - p_toxic)(1 - p_thermal) rounded every toxic probability
    below ~1e-16 to 0, so ammonia_night under Lees' probit reported 0 expected fatalities
    while 12 people above AEGL-3 had p_toxic up to 3e-18. Without a fire p_death is
    p_toxic exactly, and the key figure is their sum."""
    r = Engine(scenario(), park()).run()
    p = r.persons
    pt = p["p_death_toxic"].to_numpy()
    assert (pt > 0).any() and pt.max() < 1e-16  # the case that used to vanish
    assert (p["p_death_thermal"] == 0).all()
    assert_allclose(p["p_death"], pt, rtol=1e-12, atol=0)
    assert r.key_figures()["expected_fatalities"] == pytest.approx(pt.sum(), rel=1e-12)
    assert r.key_figures()["expected_fatalities"] > 0


def test_probit_source_of_a_scenario_file():
    """The scenario's [scenario] probit picks the source; an unknown name is one line."""
    lees = Engine(scenario(scenario={"probit": "lees"}), park()).run()
    assert lees.not_computed == {}
    with pytest.raises(scenario_file.ScenarioError, match="unknown probit source 'tno'"):
        scenario(scenario={"probit": "tno"})
