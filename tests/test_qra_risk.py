"""QRA individual risk: a hand calculation at a point, circular contours under a uniform
wind rose, GB 36894 checks on a constructed case."""

import math
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.special import ndtr
from shapely.geometry import box

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra import risk
from scenarios.qra.footprints import release_duration, source_for, wind_dependent
from scenarios.qra.run import run_qra
from scenarios.zones import Cloud, Weather


@pytest.fixture(scope="module")
def park():
    return twin.load_park("demo")


def _climate(weather, angles):
    p = 1.0 / len(angles)
    return pd.DataFrame(
        {"period": "day", "weather": weather, "wind_from_deg": angles, "probability": p}
    )


def _event(park, ident):
    return next(e for e in cat.catalogue(park) if e.id == ident)


def test_one_event_one_weather_class_matches_hand_calculation(park):
    """Chlorine 10 mm leak, D 5 m/s from the west, one sector: the risk 200 m downwind is
    f x P(death), with P from the Purple Book's (CPR 18E Table 5.2) chlorine probit
    Pr = -6.35 + 0.5 ln(C^2.75 t), C in mg/m3, t in min (physics/data/probits.csv, the
    default source), worked by hand from the plume concentration there and the 30 min
    exposure cap of AQ/T 3046 (quoted second-hand). Tolerance 2 %: the footprint raster is
    interpolated."""
    event = _event(park, "CL-101/leak")
    grid = risk.Grid.for_park(park, margin_m=200.0, cell_m=10.0)
    result = run_qra(
        park,
        events=[event],
        climate=_climate("D5", [270.0]),
        grid=grid,
        workers=0,
        progress=False,
    )
    term = source_for(park, event, 5.0, 293.15)
    assert release_duration(term, None) == 1800.0
    c = float(Cloud(term, Weather(5.0, 270.0, "D")).field(np.array([200.0]), np.array([0.0]))[0])
    probit = -6.35 + 0.5 * math.log((c * 1e6) ** 2.75 * 30.0)
    expected = 1e-5 * float(ndtr(probit - 5.0))
    ((x, y, _),) = event.positions
    j, i = result.grid.cell_of(x, y)  # the grid the risk is on (grown to its footprints)
    assert 1e-9 < expected < 1e-5  # a point inside the footprint, not saturated
    assert_allclose(result.individual_risk[j, i + 20], expected, rtol=0.02)
    assert result.individual_risk[j, i - 20] == 0.0  # upwind


def test_uniform_rose_gives_circular_contour(park):
    """A point source under a uniform 72-sector rose: the contour through the risk 150 m
    east (inside the footprint) lies 150 m from the source all round (within 5 %)."""
    event = _event(park, "CL-101/leak")
    grid = risk.Grid.for_park(park, margin_m=600.0, cell_m=10.0)
    angles = list(np.arange(72) * 5.0)
    result = run_qra(
        park,
        events=[event],
        climate=_climate("D5", angles),
        grid=grid,
        workers=0,
        progress=False,
    )
    ((x, y, _),) = event.positions
    g = result.grid  # the grid the risk is on (grown to its footprints)
    j, i = g.cell_of(x, y)
    level = result.individual_risk[j, i + 15]
    assert level > 0
    contour = risk.contours(g, result.individual_risk, park.crs, levels=[level])
    geom = contour.geometry.iloc[0]
    cx, cy = g.centre(j, i)
    ring = np.asarray(max(geom.geoms, key=lambda g: g.area).exterior.coords)
    r = np.hypot(ring[:, 0] - cx, ring[:, 1] - cy)
    assert_allclose(r.mean(), 150.0, rtol=0.05)
    assert r.std() / r.mean() < 0.05


def _constructed_park():
    crs = "EPSG:32650"
    buildings = gpd.GeoDataFrame(
        {
            "name": ["dorm", "canteen", "works"],
            "use": ["dormitory", "canteen", "workshop"],
            "enterprise": [None, None, "E01"],
            "occupants_day": [10, 10, 10],
            "occupants_night": [10, 10, 10],
        },
        geometry=[box(0, 0, 20, 20), box(100, 0, 120, 20), box(200, 0, 220, 20)],
        index=["B1", "B2", "B3"],
        crs=crs,
    )
    targets = gpd.GeoDataFrame(
        {
            "name": ["school", "town"],
            "kind": ["school", "residential"],
            "population_day": [1, 1],
            "population_night": [1, 1],
        },
        geometry=[box(300, 0, 340, 40), box(600, 0, 640, 40)],
        index=["T1", "T2"],
        crs=crs,
    )
    return SimpleNamespace(buildings=buildings, targets=targets)


def test_criteria_check_on_constructed_case():
    """GB 36894-2018 criteria as quoted second-hand: highly sensitive and class-1
    general targets 3e-7 (new) / 3e-6 (in service); class-2 general 3e-6 / 1e-5."""
    grid = risk.Grid(-50.0, -50.0, 10.0, 80, 15)
    ir = np.full((grid.ny, grid.nx), 5e-6)  # everywhere 5e-6 /yr ...
    ir[:, grid.x > 500] = 1e-7  # ... except the town
    table = risk.compliance(_constructed_park(), grid, ir).set_index("id")
    assert table.loc["B1", "status"] == "above in-service criterion"  # dormitory, 3e-6
    assert table.loc["B2", "status"] == "above new-installation criterion"  # canteen, 1e-5
    assert table.loc["B3", "status"] == "on site"
    assert table.loc["T1", "status"] == "above in-service criterion"  # school
    assert table.loc["T2", "status"] == "meets criteria"
    assert_allclose(table.loc["T2", "individual_risk"], 1e-7)
    assert table.loc["T1", "criterion_new"] == 3e-7


def test_add_patch_clips_at_the_edges():
    target = np.zeros((4, 5))
    risk.add_patch(target, -1, 3, np.ones((3, 3)), 2.0)
    expected = np.zeros((4, 5))
    expected[0:2, 3:5] = 2.0
    assert_allclose(target, expected)


@pytest.mark.parametrize("block", [1, 5, 4096])
def test_add_patch_in_blocks_of_rows_is_the_whole_sum(block, monkeypatch):
    """Added a block of rows at a time, a clipped patch gives the one-step sum exactly."""
    monkeypatch.setattr(risk, "BLOCK_CELLS", block)
    rng = np.random.default_rng(1)
    target, patch = rng.random((9, 7)), rng.random((6, 5))
    expected = target.copy()
    expected[0:4, 4:7] += 0.3 * patch[2:6, 0:3]
    risk.add_patch(target, -2, 4, patch, 0.3)
    assert np.array_equal(target, expected)


@pytest.mark.parametrize("block", [risk.BLOCK_CELLS, 37])
@pytest.mark.parametrize("wind_from_deg", [0.0, 22.5, 90.0, 135.0, 200.0, 270.0, 333.3])
def test_turned_resamples_only_where_the_raster_is_and_changes_nothing(
    wind_from_deg, block, monkeypatch
):
    """``turned`` interpolates only the map cells the turned raster reaches, a block of
    rows at a time: the result is, to the last bit, the bilinear resampling of its whole
    bounding box, whatever the block size."""
    from scipy.ndimage import map_coordinates

    monkeypatch.setattr(risk, "BLOCK_CELLS", block)
    x, y = np.arange(-12.0, 400.0, 4.0), np.arange(-60.0, 64.0, 4.0)
    raster = np.exp(-np.add.outer(y**2 / 900.0, np.abs(x) / 150.0))
    j0, i0, patch = risk.turned(raster, x, y, wind_from_deg, 10.0)
    oy = np.arange(j0, j0 + patch.shape[0]) * 10.0
    ox = np.arange(i0, i0 + patch.shape[1]) * 10.0
    xw, yw = risk.to_wind_frame(*np.meshgrid(ox, oy), wind_from_deg)
    coords = np.array([(yw - y[0]) / (y[1] - y[0]), (xw - x[0]) / (x[1] - x[0])])
    whole = map_coordinates(raster, coords, order=1, cval=0.0, prefilter=False)
    assert whole.max() > 0.9 and whole[0, 0] == 0.0 == whole[-1, -1]
    assert np.array_equal(patch, whole)


def test_a_source_term_is_shared_between_wind_speeds_only_where_the_wind_leaves_it(park):
    """The wind enters a source term only through a pool evaporating below its boiling
    point: a chlorine rupture (boiling pool) is the same at 1.5 and 9 m/s and is computed
    once; a benzene leak (pool in its dike, mass transfer) changes with the wind."""
    cache = {}
    for ident, moves in (("CL-101/instantaneous", False), ("BZ-101/leak", True)):
        event = _event(park, ident)
        calm, windy = (source_for(park, event, u, 293.15, cache) for u in (1.5, 9.0))
        assert wind_dependent(calm) is moves
        assert (calm is windy) is not moves
        for u, term in ((1.5, calm), (9.0, windy)):
            alone = source_for(park, event, u, 293.15)
            assert np.array_equal(alone.airborne_kg_s, term.airborne_kg_s)
        assert np.array_equal(calm.airborne_kg_s, windy.airborne_kg_s) is not moves


def test_bad_grid():
    with pytest.raises(ValueError, match="grid cell"):
        risk.Grid.around((0, 0, 10, 10), cell_m=0.0)


def test_a_moved_or_new_building_is_judged_against_the_criterion_for_new_ones():
    """GB 36894-2018 as quoted second-hand: a new dormitory (class-1 general) must stay
    below 3e-7 /yr, an existing one below 3e-6 /yr; at 1e-6 /yr the existing one passes
    the in-service line and the new one fails."""
    grid = risk.Grid(-50.0, -50.0, 10.0, 80, 15)
    ir = np.full((grid.ny, grid.nx), 1e-6)
    park = _constructed_park()
    old = risk.compliance(park, grid, ir).set_index("id")
    new = risk.compliance(park, grid, ir, new={"B1"}).set_index("id")
    assert old.loc["B1", "status"] == "above new-installation criterion"
    assert (
        old.loc["B1", "status"] not in risk.NOT_MET and old.loc["B1", "judged_as"] == "in service"
    )
    assert new.loc["B1", "status"] == risk.STATUS_ABOVE_NEW_BUILD in risk.NOT_MET
    assert new.loc["B1", "judged_as"] == "new"
    assert new.loc["T2", "status"] == old.loc["T2", "status"]  # not in ``new``: unchanged


def test_clipped_edges_name_the_edges_a_contour_reaches():
    ir = np.zeros((5, 6))
    ir[2, 2] = 1e-6  # inside: closed
    assert risk.clipped_edges(ir, 1e-7) == []
    ir[4, 3] = 1e-7  # top row: north
    ir[1, 0] = 1e-7  # first column: west
    assert risk.clipped_edges(ir, 1e-7) == ["north", "west"]
    assert risk.clipped_edges(ir, 1e-6) == []
    grid = risk.Grid(0.0, 0.0, 10.0, 6, 5)
    c = risk.contours(grid, ir, "EPSG:32650", levels=(1e-6, 1e-7)).set_index("level")
    assert not c.loc[1e-6, "clipped"] and c.loc[1e-7, "clipped"]
    assert c.loc[1e-7, "clipped_edges"] == "north, west"


def test_the_canvas_grows_to_hold_a_footprint_and_says_when_it_cannot():
    """A patch outside the base grid widens the canvas (same cells, the values where they
    belong); past the cell budget it is cut at the edge and ``cut`` is set."""
    base = risk.Grid(0.0, 0.0, 10.0, 4, 3)
    canvas = risk.Canvas(base, max_cells=100)
    canvas.add(1, 1, np.ones((1, 1)), 2.0)
    canvas.add(-2, 5, np.ones((2, 2)), 1.0)  # two rows below, past the east edge
    g = canvas.grid
    assert (g.xmin, g.ymin, g.nx, g.ny) == (0.0, -20.0, 7, 5)
    assert not canvas.cut
    assert_allclose(canvas.values.sum(), 2.0 + 4.0)
    j, i = g.cell_of(15.0, 15.0)
    assert canvas.values[j, i] == 2.0
    on_base = canvas.on(base)
    assert on_base.shape == (3, 4) and on_base.sum() == 2.0
    canvas.add(50, 50, np.ones((3, 3)), 1.0)  # would need 53 x 53 cells
    assert canvas.cut and canvas.values.shape == (5, 7)
    union = risk.union_grid([base, g], pad=1)
    assert (union.xmin, union.ymin, union.nx, union.ny) == (-10.0, -30.0, 9, 7)


def test_an_empty_canvas_holds_only_what_its_patches_cover():
    """An ``empty`` canvas (one event's footprints, one enterprise's risk) starts at its
    first patch and grows over the others only; on any grid it reads as a whole one does.
    Past the cell budget it cuts where a whole canvas would: at the base grid's edge."""
    base = risk.Grid(0.0, 0.0, 10.0, 40, 30)
    whole, empty = risk.Canvas(base), risk.Canvas(base, empty=True)
    assert empty.values.size == 0
    for canvas in (whole, empty):
        canvas.add(3, 5, np.full((2, 3), 1.5))
        canvas.add(-2, 6, np.ones((2, 2)), 2.0)  # below the base grid
    assert empty.values.shape == (7, 3) and (empty.j0, empty.i0) == (-2, 5)
    assert np.array_equal(empty.on(whole.grid), whole.values)
    for first in ((-10, -10, np.ones((60, 60))), (2, 2, np.ones((2, 2)))):
        held = {}
        for empty in (False, True):
            canvas = risk.Canvas(base, max_cells=2000, empty=empty)
            canvas.add(*first)
            canvas.add(-5, -5, np.full((70, 70), 0.5))  # the budget cannot hold this
            assert canvas.cut
            held[empty] = canvas.on(base)
        assert np.array_equal(held[True], held[False])


def test_notes_name_the_probit_used_and_the_chemicals_without_one(park):
    """One chlorine and one benzene event: the notes give chlorine's probit and say why
    benzene's toxic risk is not computed; the Lees source changes chlorine's risk and an
    unknown source is refused before any computation."""
    events = [_event(park, "CL-101/leak"), _event(park, "BZ-101/leak")]
    grid = risk.Grid.for_park(park, margin_m=200.0, cell_m=20.0)
    kw = dict(events=events, climate=_climate("D5", [270.0]), grid=grid, workers=0)
    result = run_qra(park, progress=False, **kw)
    notes = "\n".join(result.notes)
    assert "chlorine: toxic probit purple-book, Pr = -6.35 + 0.5 ln(C^2.75 t)" in notes
    assert (
        "benzene: only fire and explosion risk computed, toxic not: no usable toxic probit "
        "for benzene (lees: only one public transcription found)" in notes
    )
    lees = run_qra(park, progress=False, probit="lees", **kw)
    assert "chlorine: toxic probit lees, Pr = -8.29 + 0.92 ln(C^2 t)" in "\n".join(lees.notes)
    assert not np.allclose(lees.individual_risk, result.individual_risk)
    with pytest.raises(ValueError, match="unknown probit source 'tno'"):
        run_qra(park, progress=False, probit="tno", **kw)


def test_a_puff_and_a_pool_plume_add_their_toxic_loads():
    """A rupture's puff and its rainout pool's plume at one point: the probit of the
    equivalent concentration is that of the summed toxic load C^n t of the two (chlorine,
    the first usable probit), and each alone gives less."""
    from physics import harm
    from scenarios.qra.footprints import _dose_equivalent, toxic_exponent

    cas = "7782-50-5"
    n = toxic_exponent(cas, None)
    c_puff, t_puff, c_pool, t_pool = 0.02, 90.0, 0.004, 1800.0
    c, t = _dose_equivalent(c_puff, t_puff, c_pool, t_pool, n)
    assert t == t_pool
    assert c**n * t == pytest.approx(c_puff**n * t_puff + c_pool**n * t_pool, rel=1e-12)
    both = harm.toxic_death_probability(cas, c, t)
    assert both > harm.toxic_death_probability(cas, c_puff, t_puff)
    assert both > harm.toxic_death_probability(cas, c_pool, t_pool)
