"""Threat zones on the park map (scenarios.zones): contour accuracy against the analytic
centreline distance, wind direction, levels nested, people counted, and the CLI."""

import math
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from physics.meteorology import SIGMA_THETA_DEG
from scenarios.release import SourceTerm, source_term
from scenarios.zones import (
    Cloud,
    Weather,
    jet_leads,
    mixing_height_text,
    source_point,
    threat_zones,
)
from twin import load_park


@pytest.fixture(scope="module")
def park():
    return load_park("demo")


def reach_along_wind(geom, source, wind_from_deg):
    """Farthest extent of a polygon along the downwind axis from the source [m]."""
    theta = math.radians(wind_from_deg)
    d = np.array([-math.sin(theta), -math.cos(theta)])
    xy = np.vstack([np.asarray(p.exterior.coords) for p in getattr(geom, "geoms", [geom])])
    return float(((xy - np.array(source)) @ d).max())


def steady_term(park, rate_kg_s):
    """A steady ammonia vapour source at ambient temperature from a point on the ground
    (no jet): lighter than air, passive."""
    base = source_term(park, "NH-101", hole_diameter_m=0.05)
    t = np.linspace(0.0, 3600.0, 721)
    return SourceTerm(
        **{
            **base.__dict__,
            "times_s": t,
            "airborne_kg_s": np.full_like(t, rate_kg_s),
            "cloud_temperature_K": 293.15,
            "aerosol_fraction": 0.0,
            "jet_velocity_m_s": None,
        }
    )


@pytest.mark.parametrize("stability", ["B", "D", "F"])
def test_passive_contour_within_2_percent_of_the_centreline_distance(park, stability):
    """The contoured footprint reaches as far as the model's centreline does (the grid and
    contouring lose < 2 %); levels in ppm are taken to kg/m3 at the cloud's temperature
    (here the air's: p M / (R T) with T = 293.15 K, not 25 degC)."""
    weather = Weather(3.0, 60.0, stability)
    term = steady_term(park, 2.0)
    result = threat_zones(park, term, weather, hazards=("toxic",))
    src = park.tanks.geometry["NH-101"]
    cloud = Cloud(term, weather)
    assert not cloud.dense
    for _, z in result.zones.iterrows():
        level = dict(zip(["AEGL-1", "AEGL-2", "AEGL-3"], [30, 160, 1100], strict=True))[z.level]
        c = level * 1e-6 * 101325 * 0.017031 / (8.314462618 * 293.15)
        assert float(cloud.level_kg_m3(level)[0]) == pytest.approx(c, rel=0.01)
        expected = cloud.reach(c)
        if expected >= 10_000:
            assert z.beyond_10km
            continue
        contour = reach_along_wind(z.geometry, (src.x, src.y), 60.0)
        assert contour == pytest.approx(expected, rel=0.02)


def test_levels_of_a_cold_cloud_are_converted_at_its_own_temperature(park):
    """Flashing ammonia: where the cloud holds 1100 ppm its mixing table gives its
    temperature T, and the level in kg/m3 is y p M / (R T) at that T (one basis, converted
    once: the workbook-era conversion at 25 degC divided by the cold cloud's density is
    gone)."""
    term = source_term(park, "NH-101", hole_diameter_m=0.05)
    assert term.aerosol_fraction > 0
    cloud = Cloud(term, Weather(3.0, 45.0, "D", air_temperature_K=293.15))
    table = cloud.plume.table
    c = float(cloud.level_kg_m3(1100.0)[0])
    t = float(np.interp(1100e-6, table.mole_fraction[0], table.temperature[0]))
    assert c == pytest.approx(1100e-6 * 101325 * 0.017031 / (8.314462618 * t), rel=0.01)


def test_dense_contour_within_2_percent(park):
    weather = Weather(2.0, 90.0, "D")
    term = source_term(park, "LP-101", hole_diameter_m=0.05)
    cloud = Cloud(term, weather)
    assert cloud.dense
    result = threat_zones(park, term, weather, hazards=("flammable",))
    src = park.tanks.geometry["LP-101"]
    for _, z in result.zones.iterrows():
        assert reach_along_wind(z.geometry, (src.x, src.y), 90.0) == pytest.approx(
            z.distance_m, rel=0.02
        )


def test_wind_from_north_sends_the_cloud_south(park):
    result = threat_zones(
        park,
        source_term(park, "CL-101", hole_diameter_m=0.025),
        Weather(3.0, 0.0, "D"),
        hazards=("toxic",),
    )
    src = park.tanks.geometry["CL-101"]
    centroid = result.zones.geometry.iloc[-1].centroid
    assert centroid.y < src.y - 100 and abs(centroid.x - src.x) < 0.05 * (src.y - centroid.y)


def test_levels_are_nested(park):
    result = threat_zones(
        park, source_term(park, "NH-101", hole_diameter_m=0.05), Weather(3.0, 45.0, "D")
    )
    toxic = result.zones[result.zones.hazard == "toxic"].geometry.tolist()
    assert toxic[0].area > toxic[1].area > toxic[2].area
    assert toxic[0].buffer(1.0).contains(toxic[2])
    thermal = result.zones[result.zones.hazard.str.startswith("thermal")]
    assert list(thermal.distance_m) == sorted(thermal.distance_m)


def test_people_in_the_dormitories_are_counted(park):
    """Wind from the south carries an ammonia cloud from NH-101 over the dormitories, 1.3 km
    north, at night: their occupants are inside the AEGL-2 zone."""
    result = threat_zones(
        park,
        source_term(park, "NH-101", hole_diameter_m=0.05),
        Weather(1.5, 180.0, "F"),
        hazards=("toxic",),
        population="night",
    )
    aegl2 = result.zones[result.zones.level == "AEGL-2"].iloc[0]
    inside = result.affected[
        (result.affected.level == "AEGL-2") & (result.affected.kind == "building")
    ]
    assert "B-DORM-1" in set(inside.id)
    dorm = park.buildings.loc["B-DORM-1"]
    assert aegl2.geometry.intersects(dorm.geometry)
    assert aegl2.people >= dorm.occupants_night


def test_envelope_sweeps_two_sigma_theta(park):
    weather = Weather(3.0, 45.0, "D")
    result = threat_zones(
        park, source_term(park, "NH-101", hole_diameter_m=0.05), weather, hazards=("toxic",)
    )
    env = result.envelope.iloc[0]
    assert env.sweep_deg == pytest.approx(2 * SIGMA_THETA_DEG["D"])
    lowest = result.zones.geometry.iloc[0]
    assert env.geometry.buffer(1.0).contains(lowest)
    assert env.geometry.area > 1.5 * lowest.area


def test_no_toxic_endpoint_is_an_error(park):
    term = source_term(park, "ME-101", hole_diameter_m=0.05)
    with pytest.raises(ValueError, match="has no toxic endpoint"):
        threat_zones(park, term, Weather(3.0, 45.0, "D"), hazards=("toxic",))


def test_a_measured_obukhov_length_reaches_the_cloud(park):
    """Weather(obukhov_length_m=L): the class's own L (Golder, as physics.atmosphere fits
    it) gives the class's cloud to the last digit; a strongly unstable L over smooth ground
    (z0 3 cm, where the surface-layer growth is used) dilutes the F cloud (more vertical
    mixing, so a shorter reach), and the report says what was given."""
    from physics.atmosphere import inverse_obukhov_length

    term = source_term(park, "NH-101", hole_diameter_m=0.05)
    z0 = 0.03
    own = 1.0 / float(inverse_obukhov_length(np.array(["F"]), np.array([z0]))[0])
    base = Cloud(term, Weather(2.0, 90.0, "F", roughness_m=z0))
    same = Cloud(term, Weather(2.0, 90.0, "F", roughness_m=z0, obukhov_length_m=own))
    unstable = Cloud(term, Weather(2.0, 90.0, "F", roughness_m=z0, obukhov_length_m=-10.0))
    level = float(base.level_kg_m3(160.0)[0])
    assert same.reach(level) == base.reach(level)
    assert unstable.reach(level) < 0.8 * base.reach(level)
    with pytest.raises(ValueError, match="Obukhov length must be a finite length other than 0"):
        Weather(2.0, 90.0, "F", obukhov_length_m=0.0)


def test_the_mixing_height_folds_the_far_cloud_back_and_the_report_names_it(park):
    """In class A the lid (AERMOD's mechanical height, some 700 m over the park's 1 m
    roughness at 2 m/s) folds the cloud back far downwind: the low levels reach farther
    than with no lid and not as far as under a lower given lid; near the source the cloud
    is the same. The report's model line says which height was used and where from."""
    term = source_term(park, "P-CL2-01", rupture=True)
    clouds = [
        Cloud(term, Weather(2.0, 90.0, "A", mixing_height_m=v)) for v in (math.inf, math.nan, 300.0)
    ]
    none, mechanical, _ = clouds
    assert 500.0 < float(mechanical.plume.mixing_height()[0]) < 900.0
    aegl1 = float(none.level_kg_m3(0.5)[0])
    reach = [c.reach(aegl1) for c in clouds]
    assert reach[0] < reach[1] < reach[2]
    near = float(none.level_kg_m3(20.0)[0])
    assert mechanical.reach(near) == pytest.approx(none.reach(near), rel=1e-6)
    assert mixing_height_text(Weather(2.0, 90.0, "A"), 680.4) == (
        "; mixing height 680 m (AERMOD's mechanical height 2300 u*^1.5: a lower bound in "
        "unstable air; give --mixing-height for the day's)"
    )
    measured = Weather(2.0, 90.0, "D", obukhov_length_m=-20.0)
    assert "a lower bound in unstable air" in mixing_height_text(measured, 500.0)
    assert mixing_height_text(Weather(2.0, 90.0, "B", obukhov_length_m=50.0), 90.0).endswith(
        "2300 u*^1.5)"
    )
    given = Weather(2.0, 90.0, "D", mixing_height_m=1200.0)
    assert mixing_height_text(given, 1200.0) == "; mixing height 1,200 m (given)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(wind_speed_m_s=-2.0), "wind speed must be above 0"),
        (dict(mixing_height_m=-5.0), "mixing height must be a length above 0 m"),
        (dict(stability="G"), "does not exist"),
        (dict(obukhov_length_m=0.0), "Obukhov length"),
    ],
)
def test_bad_weather(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Weather(**{"wind_speed_m_s": 3.0, "wind_from_deg": 45.0, "stability": "D", **kwargs})


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli", "zones", *args], capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--asset", "T-999", "--hole", "50 mm", "--wind", "3 m/s from NE", "--stability", "D"],
            "unknown asset 'T-999'",
        ),
        (
            ["--asset", "CL-101", "--hole", "5 m", "--wind", "3 m/s from NE", "--stability", "D"],
            "larger than the tank",
        ),
        (
            [
                "--asset",
                "NH-101",
                "--hole",
                "50 mm",
                "--wind",
                "-3 m/s from NE",
                "--stability",
                "D",
            ],
            "wind speed cannot be negative",
        ),
        (
            ["--asset", "NH-101", "--hole", "50 mm", "--wind", "3 m/s from NE", "--stability", "H"],
            "stability class 'H' does not exist",
        ),
        (
            [
                "--asset",
                "ME-101",
                "--hole",
                "50 mm",
                "--wind",
                "3 m/s from NE",
                "--stability",
                "D",
                "--hazards",
                "toxic",
            ],
            "has no toxic endpoint",
        ),
        (
            ["--asset", "NH-101", "--hole", "50", "--wind", "3 m/s from NE", "--stability", "D"],
            "has no unit",
        ),
    ],
)
def test_cli_bad_input(parktwin, args, message, tmp_path):
    done = parktwin("zones", *args, "--out", str(tmp_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0]


def test_cli_writes_gis_layers(tmp_path):
    done = cli(
        "--asset",
        "NH-101",
        "--hole",
        "50 mm",
        "--wind",
        "3 m/s from NE",
        "--cloud",
        "2",
        "--time",
        "2026-11-24T02:00Z",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert "stability" in done.stdout and "AEGL-3" in done.stdout
    zones = gpd.read_file(tmp_path / "zones.gpkg", layer="zones")
    assert zones.crs.to_epsg() == 4326
    assert zones.geometry.is_valid.all()
    assert {"hazard", "level", "threshold", "distance_m", "area_m2", "people"} <= set(zones.columns)
    geojson = gpd.read_file(tmp_path / "zones.geojson")
    assert geojson.crs.to_epsg() == 4326 and len(geojson) == len(zones)
    source = gpd.read_file(tmp_path / "zones.gpkg", layer="source")
    assert source.geometry.iloc[0].distance(Point(119.9, 28.4)) < 0.05
    assert (tmp_path / "zones.csv").exists() and (tmp_path / "zones.png").stat().st_size > 10_000


def test_source_point_of_a_leak_placed_along_a_pipeline(park):
    # twin.leak names a leak it placed on a line "<pipeline>@<chainage>m"
    line = park.pipelines.geometry["P-H2S-01"]
    assert source_point(park, "P-H2S-01@1625m").equals(line.interpolate(1625.0))
    assert source_point(park, "P-H2S-01").equals(line.interpolate(0.5, normalized=True))
    assert source_point(park, "NH-101").equals(park.tanks.geometry["NH-101"])
    with pytest.raises(ValueError, match="no tank or pipeline 'X-1@5m'"):
        source_point(park, "X-1@5m")


def test_vapour_jet_leads_the_cloud_and_keeps_its_flux(park):
    """NH-101 (pressurised ammonia, 12.4 m sphere) holed at 11.5 m, above its liquid: a
    choked vapour jet from the hole. Its cloud starts as the jet, reaches a different,
    finite AEGL-2 distance than the same release from a point on the ground without a jet
    (before the jet was wired), and carries the release rate through every plane past the
    jet (u integral(C dy dz) = Q within 2 %, the model's flux property)."""
    term = source_term(park, "NH-101", hole_diameter_m=0.05, hole_height_m=11.5, wind_speed_m_s=2.0)
    weather = Weather(2.0, 225.0, "F", 283.15)
    assert jet_leads(term) and term.release_height_m == 11.5
    jet = Cloud(term, weather)
    pool = Cloud(SourceTerm(**{**term.__dict__, "jet_velocity_m_s": None}), weather)
    assert jet.jet and not pool.jet
    level = float(jet.level_kg_m3(160.0)[0])
    with_jet, without = jet.reach(level), pool.reach(level)
    assert 0.0 < with_jet < 10_000.0 and 0.0 < without < 10_000.0
    assert abs(with_jet - without) > 0.05 * without
    plume = jet.plume
    for x in (50.0, 300.0, 2000.0):
        _, b, sy, sz, h = (float(v[0, 0]) for v in plume.profile([x]))
        y = np.linspace(-(b + 9 * sy), b + 9 * sy, 801)
        z = np.linspace(0.0, h + 9 * sz, 401)
        c = plume.concentration(np.full((z.size, y.size), x), y[None, :], z[:, None])
        flux = float(plume.speed([x])[0, 0]) * np.trapezoid(np.trapezoid(c, y, axis=1), z)
        assert flux == pytest.approx(jet.rate, rel=0.02), x


def test_pool_cloud_has_no_jet_and_is_unchanged(park):
    """A liquid pool (methanol, atmospheric tank) and a rupture's puff have no jet phase:
    the cloud is the one from the pool's area at the ground, as before the jet (a flashing
    jet that rains out is two clouds: tests/test_two_clouds.py)."""
    from physics import integral_plume

    weather = Weather(3.0, 270.0, "D")
    term = source_term(park, "ME-101", hole_diameter_m=0.05)
    assert not jet_leads(term)
    assert not jet_leads(source_term(park, "NH-101", rupture=True))
    cloud = Cloud(term, weather)
    rate = term.max_average_rate(60.0)
    direct = integral_plume.integral_plume(
        integral_plume.substance_release(
            term.substance,
            rate,
            temperature_K=term.cloud_temperature_K,
            liquid_fraction=term.aerosol_fraction,
            area_m2=float(term.pool.area_m2.max()),
            duration_s=term.airborne_total_kg / rate,
        ),
        integral_plume.Ambient(
            3.0, "D", weather.roughness_m, weather.air_temperature_K, weather.relative_humidity
        ),
    )
    x = np.geomspace(1.0, 5000.0, 50)
    np.testing.assert_array_equal(cloud.centreline(x), direct.centreline(x)[0])
