"""QRA inputs: the loss-event catalogue and its overrides, event trees, weather classes."""

import math

import pandas as pd
import pytest
from numpy.testing import assert_allclose

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra import ignition
from scenarios.qra import weather as wx


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def test_generic_events_per_tank_and_pipeline_metre(park):
    """Pressure vessel: instantaneous, 10-minute and 10 mm leak; pipeline DN 75-150
    rupture 3e-7 /m/yr (Purple Book as quoted second-hand): the positions of
    a line add up to its length times the per-metre frequency."""
    events = {e.id: e for e in cat.catalogue(park)}
    assert {"CL-101/instantaneous", "CL-101/continuous_10min", "CL-101/leak"} <= set(events)
    assert events["CL-101/instantaneous"].frequency_per_year == 5e-7
    assert events["ME-101/leak"].frequency_per_year == 1e-4
    rupture = events["P-NH3-01/rupture"]
    length = park.pipelines.geometry["P-NH3-01"].length
    assert_allclose(rupture.frequency_per_year, 3e-7 * length)
    assert len(rupture.positions) == math.ceil(length / cat.DEFAULT_SPACING_M)
    assert_allclose(events["P-NH3-01/leak"].hole_m, 0.1 * 0.08)


def test_overrides_per_asset_and_per_type(park, tmp_path):
    user = pd.DataFrame(
        [
            dict(
                applies_to="CL-101",
                event="leak",
                hole_mm=25,
                frequency_per_year=2e-5,
                per_metre="no",
                detection_s=60,
                isolation_s=120,
                confirmed="no",
                source="site",
            ),
            dict(
                applies_to="atmospheric_tank",
                event="instantaneous",
                frequency_per_year=0.0,
                per_metre="no",
                confirmed="no",
                source="double containment",
            ),
        ]
    )
    path = user.to_csv(tmp_path / "mine.csv", index=False) or tmp_path / "mine.csv"
    events = {e.id: e for e in cat.catalogue(park, overrides=path)}
    own = events["CL-101/leak"]
    assert (own.frequency_per_year, own.hole_m, own.stop_s) == (2e-5, 0.025, 180.0)
    assert events["CL-102/leak"].frequency_per_year == 1e-5  # other vessels keep the type row
    assert "ME-101/instantaneous" not in events
    assert "NH-101/instantaneous" in events


def test_bad_frequency_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "applies_to,event,hole_mm,hole_fraction,frequency_per_year,per_metre,detection_s,"
        "isolation_s,confirmed,source\npressure_vessel,leak,10,,lots,no,,,no,x\n"
    )
    with pytest.raises(ValueError, match="line 2: frequency_per_year"):
        cat.read_table(path)


def test_direct_ignition_bins_and_outcomes_sum_to_one():
    """Purple Book CPR 18E Table 4.5 (direct ignition, stationary installations) as given
    by two agreeing public transcriptions (Petrolord/petrolord-engines engines/hse/qra.js,
    commit a6c8e666, and an earlier secondary listing): medium/high reactivity gas
    0.2 / 0.5 / 0.7 for < 10, 10-100, > 100 kg/s; K1 liquid 0.065."""
    table = ignition.read_table()
    for size, p in ((5.0, 0.2), (50.0, 0.5), (500.0, 0.7)):
        assert ignition.direct_ignition(table, "gas_high", False, size)[0] == p
    out = ignition.outcomes(
        table, flammable=True, toxic=True, klass="liquid", instantaneous=False, size=3.0
    )
    assert out == {"fire": 0.065, "cloud": pytest.approx(0.935)}
    assert ignition.outcomes(
        table, flammable=False, toxic=True, klass="gas_low", instantaneous=True, size=1.0
    ) == {"toxic": 1.0}
    with pytest.raises(ValueError, match="release size"):
        ignition.direct_ignition(table, "liquid", False, -1.0)


def test_demo_climatology_is_a_complete_rose():
    table = wx.read_climatology()
    assert set(table.weather) == set(wx.PURPLE_BOOK_CLASSES)
    assert table.wind_from_deg.nunique() == 16
    assert_allclose(table.probability.sum(), 1.0)


def test_climatology_from_met(tmp_path):
    """Four records at the demo park (119.885 E, 28.391 N): 04:00 UTC is local noon (day),
    16:00 UTC local midnight (night); each record is a quarter of the year."""
    met = pd.DataFrame(
        {
            "time": [
                "2026-06-01T04:00Z",
                "2026-06-01T04:10Z",
                "2026-06-01T16:00Z",
                "2026-06-01T16:10Z",
            ],
            "wind_speed_m_s": [2.5, 4.8, 1.2, 3.5],
            "wind_from_deg": [10.0, 350.0, 95.0, 180.0],
            "stability": ["C", "D", "F", "E"],
        }
    )
    met.to_csv(tmp_path / "met.csv", index=False)
    table = wx.climatology_from_met(tmp_path / "met.csv", 119.885, 28.391)
    got = {(r.period, r.weather, r.wind_from_deg): r.probability for r in table.itertuples()}
    assert got == {
        ("day", "B3", 0.0): 0.25,
        ("day", "D5", 0.0): 0.25,
        ("night", "F1.5", 90.0): 0.25,
        ("night", "E5", 180.0): 0.25,
    }


def test_bad_weather_class():
    with pytest.raises(ValueError, match="weather class"):
        wx.parse_class("X3")
