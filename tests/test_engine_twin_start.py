"""A scenario started from the twin: the drill recording replayed through twin.Twin sets the
tanks' state at the start and the wind over the run."""

import pytest

import twin
from scenarios.engine import Engine
from scenarios.scenario_file import ScenarioError
from tests.engine_cases import park, scenario
from twin.feeds.recorded import RecordedFeed

DRILL = dict(
    scenario={"start": "2024-05-24T02:10:00Z", "duration": "5 min"},
    twin={"recording": "demo"},
    release=[{"asset": "NB-101", "hole": "5.2 mm", "height": "0.5 m"}],
)


def test_tanks_and_wind_come_from_the_twin_at_the_start():
    e = Engine(scenario(**DRILL), park())
    tw = twin.Twin(park())
    start = e.sc.run.start.timestamp()
    tw.run(r for r in RecordedFeed(twin.INCIDENT_DRILL) if r[0] <= start)
    snap = tw.snapshot(start)
    # NB-101 has lost liquid since the recording began: its fill is the twin's, not the layer's
    assert snap.tanks["NB-101"].measured
    assert e.park.tanks.loc["NB-101", "fill_fraction"] == pytest.approx(
        snap.tanks["NB-101"].fill_fraction
    )
    assert (
        e.park.tanks.loc["NB-101", "fill_fraction"] != park().tanks.loc["NB-101", "fill_fraction"]
    )
    assert e.weather.wind_from_deg == pytest.approx(snap.weather.wind_from_deg)
    assert e.weather.wind_speed_m_s == pytest.approx(snap.weather.wind_speed_m_s)
    assert e.air_temperature_K == pytest.approx(snap.weather.air_temperature_k)
    assert [c.at_s for c in e.changes] == [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]


def test_a_recording_that_ends_before_the_start_is_refused():
    sc = scenario(**{**DRILL, "scenario": {"start": "2030-01-01T00:00:00Z"}})
    with pytest.raises(ScenarioError, match=r"twin\.recording: the recording .* ends before"):
        Engine(sc, park())


def test_the_twin_replayed_for_its_state_estimates_no_source():
    """``scenarios.twin_start`` takes only the tanks and the weather from the twin, so it
    runs it without source estimates from the gas detectors (3.6 s -> 0.6 s for the
    flagship's start); the mass balance still runs and finds the drill's leak."""
    from twin.leak import LeakSettings

    tw = twin.Twin(park(), leak_settings=LeakSettings(estimate_sources=False))
    tw.run(RecordedFeed(twin.INCIDENT_DRILL))
    assert not tw.leaks.estimates
    assert {(e.asset, e.method) for e in tw.leaks.events} == {("NB-101", "mass balance")}
