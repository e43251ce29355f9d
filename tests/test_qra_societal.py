"""F-N curve, GB 36894 societal regions, layout comparison of a park with itself."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra import risk, societal
from scenarios.qra.compare import compare


def test_fn_curve_by_hand():
    """F(N) = sum of the frequencies of the scenarios with N or more deaths (worked by
    hand: scenarios (f, N) = (1e-4, 2), (1e-5, 10), (2e-5, 10), (1e-6, 0.5))."""
    curve = societal.fn_curve([1e-4, 1e-5, 2e-5, 1e-6], [2, 10, 10, 0.5])
    assert_allclose(curve.N, [2, 10])
    assert_allclose(curve.F, [1.3e-4, 3e-5])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(1e-9, 1e-3), st.floats(0.0, 1e4)), min_size=1, max_size=60))
def test_fn_is_non_increasing(rows):
    f, n = zip(*rows, strict=True)
    curve = societal.fn_curve(f, n)
    assert np.all(np.diff(curve.F) <= 0)
    assert np.all(np.diff(curve.N) > 0)


def test_regions():
    """Lines F = 1e-3/N and 1e-5/N (GB 36894-2018 as quoted second-hand)."""
    n = np.array([1.0, 10.0, 100.0])
    assert societal.region(pd.DataFrame({"N": n, "F": 2e-3 / n})) == "unacceptable"
    assert societal.region(pd.DataFrame({"N": n, "F": 1e-4 / n})) == "ALARP"
    assert societal.region(pd.DataFrame({"N": n, "F": 1e-6 / n})) == "acceptable"


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def test_compare_park_with_itself_gives_zero_change(park):
    events = [e for e in cat.catalogue(park) if e.id == "NB-101/leak"]
    climate = pd.DataFrame(
        {
            "period": ["day", "night"],
            "weather": ["D5", "F1.5"],
            "wind_from_deg": [0.0, 90.0],
            "probability": [0.5, 0.5],
        }
    )
    grid = risk.Grid.for_park(park, margin_m=100.0, cell_m=25.0)
    result = compare(
        park, park, events=events, climate=climate, grid=grid, workers=0, progress=False
    )
    assert result.before.individual_risk.max() > 0
    assert np.all(result.difference == 0.0)
    assert result.changed.empty
    assert_allclose(result.before.fn.F, result.after.fn.F)


def test_after_layout_moves_the_dormitories_out(park):
    """geodata/demo/demo_park_after.gpkg: the two dormitories stand in Jiangbin new town,
    outside the park's boundary; the tanks are those of the demo."""
    from geodata.demo.build_after import OUT

    after = twin.load_park(OUT)
    town = after.targets.geometry["T-RES"]
    boundary = after.boundary.geometry.iloc[0]
    for dorm in ("B-DORM-1", "B-DORM-2"):
        geom = after.buildings.geometry[dorm]
        assert town.contains(geom) and not boundary.intersects(geom)
        assert boundary.contains(park.buildings.geometry[dorm])
    assert after.tanks.index.equals(park.tanks.index)
    assert_allclose(after.tanks.geometry.x, park.tanks.geometry.centroid.x, atol=1e-6)
