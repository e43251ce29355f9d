"""Simulate from now: the engine from a twin part-way through the drill recording, shelter and
evacuate, and what the console shows of it."""

import math
from pathlib import Path

import numpy as np
import pytest

from scenarios import scenario_file
from scenarios.engine import PROGRESS_STEPS, Engine
from scenarios.release import source_term
from scenarios.simulate_now import RATE_MATCH, from_now, hole_for_rate
from twin import Twin, load_park
from twin.demo import INCIDENT_DRILL
from twin.feeds.recorded import RecordedFeed
from viz.console.simulation import PLACES, figure_rows, people_frames

PLAN = Path(scenario_file.__file__).parent / "demo" / "drill_nb101.toml"


@pytest.fixture(scope="module")
def now():
    """The demo park's twin 10 minutes (of the recording) after the drill's leak is confirmed."""
    park = load_park("demo")
    leaks = []
    tw = Twin(park, on_leak=leaks.append)
    for reading in RecordedFeed(INCIDENT_DRILL):
        if leaks and reading[0] > leaks[0].t + 600:
            break
        tw.update(reading)
    plan = scenario_file.load(PLAN)
    plan = plan.with_changes(run=plan.run.model_copy(update={"duration_s": 600.0}))
    return park, tw, leaks[0], plan


@pytest.fixture(scope="module")
def runs(now):
    park, tw, leak, plan = now
    start = from_now(plan, park, tw.snapshot(), leak, wind=(3.0, 90.0))
    seen = []
    results = {
        a: Engine(start.scenario, park, a, start=start.start).run(seen.append)
        for a in ("shelter", "evacuate")
    }
    return start, results, seen


def test_the_hole_lets_out_the_estimated_rate(now):
    park, _, leak, plan = now
    weather = plan.weather
    # an estimate from a mass balance is the rate out of the tank
    hole = hole_for_rate(park, leak.asset, 0.15, False, weather)
    term = source_term(park, leak.asset, hole_diameter_m=hole, duration_s=600.0)
    assert term.outflow.rate_kg_s[0] == pytest.approx(0.15, rel=RATE_MATCH)
    with pytest.raises(ValueError, match="nothing leaks"):
        hole_for_rate(park, leak.asset, 0.0, True, weather)


def test_the_run_starts_from_the_twin_now(now, runs):
    park, tw, leak, _ = now
    start, _, _ = runs
    sc = start.scenario
    assert sc.run.start.timestamp() == tw.t
    assert (sc.weather.wind_speed_m_s, sc.weather.wind_from_deg) == (3.0, 90.0)
    assert sc.response.decision_delay_s == 0.0 and sc.detection.reported_s == 0.0
    assert sc.population.source == "twin"
    assert sc.releases[0].asset == leak.asset
    # the tanks as the twin measures them now
    fill = tw.snapshot().tanks[leak.asset].fill_fraction
    engine = Engine(sc, park, "shelter", start=start.start)
    assert engine.park.tanks.loc[leak.asset, "fill_fraction"] == pytest.approx(fill)
    assert any("given by the operator" in a for a in start.assumptions)


def test_progress_is_told_and_the_run_is_the_same(now, runs):
    park, _, _, _ = now
    start, results, seen = runs
    assert len(seen) == 2 * (PROGRESS_STEPS - 1)
    assert seen[: PROGRESS_STEPS - 1] == sorted(seen[: PROGRESS_STEPS - 1])
    plain = Engine(start.scenario, park, "shelter", start=start.start).run()
    assert plain.key_figures() == pytest.approx(results["shelter"].key_figures(), nan_ok=True)


def test_shelter_and_evacuate_side_by_side_and_people_on_the_map(now, runs):
    park, _, _, _ = now
    _, results, _ = runs
    rows = {r[0]: r[1:] for r in figure_rows(results)}
    n = len(results["shelter"].persons)
    assert rows["people in the park"] == [f"{n:,}", f"{n:,}"]
    assert rows["sheltering indoors at the end"][0] == f"{n:,}"
    frames = people_frames(results["evacuate"], park.crs)
    assert frames["t_s"] == [0.0, 300.0, 600.0]
    assert len(frames["lon"][0]) == n and len(frames["dose"]) == n
    lon = np.array(frames["lon"])
    assert lon.min() > 119 and lon.max() < 121  # the demo park, in degrees
    places = np.array(frames["place"])
    assert set(np.unique(places)) <= set(range(len(PLACES)))
    # nobody has left at the start; people leave and none come back in
    assert (places[0] <= 1).all() and (np.diff(places, axis=0) >= 0).all()
    arrived = results["evacuate"].persons["arrival_s"].le(600.0).sum()
    assert (places[-1] == 3).sum() == arrived
    assert math.isfinite(results["evacuate"].key_figures()["expected_fatalities"])
