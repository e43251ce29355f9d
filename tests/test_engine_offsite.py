"""People outside the park in the engine: every target of the park's ``targets`` layer as
receptor points carrying its population, sheltering indoors once warned, breathing indoor
air through its buildings' infiltration (``physics.infiltration``), with a dose and a probit;
counted apart from the park's own people.

Internal-consistency and closed-form checks of the coupling (the infiltration model itself
is tested against its sources in test_infiltration.py).
"""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import solve_ivp

from physics import infiltration
from scenarios import engine as engine_mod
from scenarios.engine import Engine
from scenarios.scenario_file import ScenarioError
from tests.engine_cases import park, scenario

# The District hospital lies about 1.15 km west of chlorine tank CL-101, on a bearing of
# about 262 deg: a wind from 82 deg carries the cloud over it.
OVER_THE_HOSPITAL = dict(
    scenario={"duration": "30 min"},
    weather={"wind_from": "82 deg", "wind_speed": "2 m/s", "stability": "F"},
    release=[{"asset": "CL-101", "hole": "50 mm", "height": "0.5 m"}],
)


@pytest.fixture(scope="module")
def over_the_hospital():
    e = Engine(scenario(**OVER_THE_HOSPITAL), park())
    return e, e.run()


def test_the_cloud_over_the_hospital_is_counted_apart_from_the_park(over_the_hospital):
    _, r = over_the_hospital
    fig = r.key_figures()
    targets = park().targets
    assert fig["persons"] == 60  # the park's own people (the test's headcounts)
    assert fig["offsite_persons"] == int(targets["population_night"].sum())
    hos = r.offsite.loc["T-HOS"]
    assert hos["persons"] == targets.loc["T-HOS", "population_night"]
    assert hos["outdoor_peak_kg_m3"] >= r.levels["AEGL-3"]
    assert 0.0 < hos["indoor_peak_kg_m3"] < hos["outdoor_peak_kg_m3"]
    # upwind, east of the park: nothing
    assert r.offsite.loc["T-VIL", "outdoor_peak_kg_m3"] == 0.0
    assert fig["offsite_expected_fatalities"] == pytest.approx(
        r.offsite["expected_fatalities"].sum()
    )
    for level in r.levels:
        assert fig[f"offsite_above_{level}"] == r.offsite[f"above_{level}"].sum()
    assert "offsite_above_AEGL-3" in r.timeline.columns
    decided = fig["decision_s"]
    assert_allclose(r.offsite["warned_s"], decided + 60.0)  # the park's warning delay
    assert r.events["what"].str.contains("warning reaches T-HOS").sum() == 1


def test_offsite_indoor_air_follows_the_infiltration_model():
    """At a hospital receptor, the engine's indoor air equals dCi/dt = lambda (Co - Ci)
    integrated with Co held over each step (solve_ivp), lambda from the LBL model of a
    two-storey non-residential building (EN 15242 average leakage), class 3 shelter, 20 degC
    inside."""
    e = Engine(scenario(**OVER_THE_HOSPITAL), park())
    j = int(np.flatnonzero(e.off_target == e.off_ids.index("T-HOS"))[0])
    lam = float(
        infiltration.air_change_rate(
            infiltration.leakage_per_floor_area("multi_family_non_residential"),
            3.0,
            293.15 - 283.15,
            2.0,
            storeys=2,
            shelter_class=3,
        )
    )
    dt, outdoor, indoor = 10.0, [], []
    for step in range(1, 121):
        e.env.run(until=step * dt + 1e-6)
        outdoor.append(e._off_c[j])
        indoor.append(e.off_in[j])
    assert e._air_changes(e.off_air)[e.off_target[j]] == pytest.approx(lam)
    times = dt * np.arange(1, 121)

    def rhs(t, ci):
        k = min(int(np.ceil(t / dt - 1e-9)) - 1, len(outdoor) - 1)
        return lam * (outdoor[max(k, 0)] - ci)

    ode = solve_ivp(
        rhs, (0.0, times[-1]), [0.0], t_eval=times, max_step=1.0, rtol=1e-10, atol=1e-16
    )
    assert max(outdoor) > 0
    assert_allclose(indoor, ode.y[0], rtol=1e-5, atol=1e-6 * max(indoor))


def test_people_outdoors_until_warned_take_more_harm(over_the_hospital):
    _, indoors = over_the_hospital
    sc = scenario(**OVER_THE_HOSPITAL, offsite={"outdoors": 1.0, "warning_delay": "20 min"})
    outdoors = Engine(sc, park()).run()
    a, b = indoors.offsite.loc["T-HOS"], outdoors.offsite.loc["T-HOS"]
    assert b["expected_fatalities"] > a["expected_fatalities"]
    assert b["above_AEGL-3"] >= a["above_AEGL-3"]
    assert b["warned_s"] == indoors.key_figures()["decision_s"] + 1200.0


def test_compare_counts_offsite_people_for_each_action():
    table = engine_mod.compare(scenario(**OVER_THE_HOSPITAL), ("shelter", "evacuate"), park())
    assert {"offsite_persons", "offsite_above_AEGL-3", "offsite_expected_fatalities"} <= set(
        table.columns
    )
    # the park's action does not change what the people outside do (they shelter)
    assert table["offsite_above_AEGL-3"].nunique() == 1


def test_a_target_without_population_is_refused():
    targets = park().targets.copy()
    targets.loc["T-HOS", "population_night"] = np.nan
    broken = dataclasses.replace(park(), layers={**park().layers, "targets": targets})
    with pytest.raises(ScenarioError, match=r"targets\.T-HOS: population_night"):
        Engine(scenario(), broken)


def test_report_and_replay_map_show_the_people_outside(over_the_hospital, tmp_path):
    from viz.animation import scenario_map
    from viz.report import scenario_report

    _, r = over_the_hospital
    page = scenario_report(r, park(), [], tmp_path / "report.html").read_text()
    assert "People outside the park (6,050 in 4 targets)" in page
    assert "District hospital" in page
    replay = scenario_map(park(), r, tmp_path / "map.html", basemap=None).read_text()
    assert "District hospital (outside the park)" in replay
    assert "outside the park above AEGL-3" in replay
