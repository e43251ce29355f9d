"""The integral plume model (physics.integral_plume) and the cloud's mixing thermodynamics
(physics.cloud_mixing): conservation, continuity, the passive limit and closed forms."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.integrate import quad

from physics import atmosphere, cloud_mixing, pool_source, substances
from physics.dispersion import plume_from_sigmas
from physics.integral_plume import Ambient, Release, integral_plume, substance_release
from physics.sigmas import briggs_sigmas
from tests.fuzz_counts import examples

releases = st.fixed_dictionaries(
    {
        "rate": st.floats(0.05, 200.0),
        "molar_mass": st.floats(0.016, 0.16),
        "temperature": st.floats(110.0, 320.0),
        "liquid": st.floats(0.0, 0.6),
        "area": st.one_of(st.just(0.0), st.floats(1.0, 2000.0)),
        "duration": st.one_of(st.just(math.inf), st.floats(20.0, 3600.0)),
        "stability": st.sampled_from("ABCDEF"),
        # from the RMP worst case (1.5 m/s F) up; see the continuity test for below
        "wind": st.floats(1.5, 12.0),
        "z0": st.floats(1e-3, 1.0),
        "air_temperature": st.floats(253.0, 313.0),
        "humidity": st.floats(0.0, 1.0),
        # the class's own 1/L, or a measured L (either sign) in its place
        "obukhov_length": st.one_of(
            st.just(math.nan), st.floats(-500.0, -2.0), st.floats(2.0, 500.0)
        ),
        "terrain": st.sampled_from(["rural", "urban"]),
        "averaging_time": st.sampled_from([60.0, 600.0, 3600.0]),
        # the mechanical height from u*, a given one, or none
        "mixing_height": st.one_of(st.just(math.nan), st.floats(20.0, 3000.0), st.just(math.inf)),
    }
)


def _plume(r, **kw):
    release = Release(
        rate_kg_s=r["rate"],
        molar_mass_kg_mol=r["molar_mass"],
        temperature_K=r["temperature"],
        liquid_fraction=r["liquid"],
        vapour_cp_J_kgK=1200.0,
        latent_heat_J_kg=4e5,
        boiling_point_K=min(r["temperature"], 300.0),
        area_m2=r["area"],
        duration_s=r["duration"],
    )
    ambient = Ambient(
        r["wind"],
        r["stability"],
        r["z0"],
        r["air_temperature"],
        r["humidity"],
        averaging_time_s=r["averaging_time"],
        terrain=r["terrain"],
        obukhov_length_m=r["obukhov_length"],
        mixing_height_m=r.get("mixing_height", math.nan),
    )
    return integral_plume(release, ambient, **kw)


def _crosswind_integral(plume, x):
    """Numerical integral of C over y and z >= 0 at distance x (trapezoids) [kg/m2], up to
    the mixed layer's top where the cloud reaches it."""
    _, b, sy, sz, h = (v[:, :1] for v in plume.profile([x]))
    top = float(plume.top(h, sz, 9.0)[0, 0])
    b, sy = float(b[0, 0]), float(sy[0, 0])
    y = np.linspace(-(b + 9 * sy) - 1e-3, b + 9 * sy + 1e-3, 1201)
    z = np.linspace(0.0, top, 401)
    field = plume.concentration(np.full((z.size, y.size), x), y[None, :], z[:, None])
    return np.trapezoid(np.trapezoid(field, y, axis=1), z)


@settings(max_examples=examples(10, share=10), deadline=None)
@given(releases)
def test_flux_through_every_plane_is_the_release_rate(r):
    """Steady state: u * integral(C dy dz) = Q within 2 % at every distance past the
    source (issue property; the model's own speed u(x)). A drawn duration is set aside:
    a finite release's centreline carries the along-wind factor, not this balance."""
    plume = _plume(dict(r, duration=math.inf))
    start = math.sqrt(r["area"] / math.pi) + 1.0
    for x in np.geomspace(start, 9000.0, 6):
        flux = float(plume.speed([x])[0, 0]) * _crosswind_integral(plume, x)
        assert flux == pytest.approx(r["rate"], rel=0.02), x


# found by the fuzz run: a 20 s release from a 2 m2 pool, whose pure layer speeds up as it
# deepens; with sigma_x held at DEGADIS's value at 130 m all the way to the source,
# Palazzi's finite-duration factor rose with u T and the centreline with it (by 2e-6)
FASTER_FINITE_CLOUD = {
    "rate": 140.0,
    "molar_mass": 0.04397699957279773,
    "temperature": 110.0,
    "liquid": 0.0,
    "area": 2.0,
    "duration": 20.0,
    "stability": "A",
    "wind": 2.0,
    "z0": 0.5,
    "air_temperature": 253.0,
    "humidity": 0.0,
    "obukhov_length": 2.0,
    "terrain": "rural",
    "averaging_time": 60.0,
}


@settings(max_examples=examples(40), deadline=None)
@given(releases)
@example(FASTER_FINITE_CLOUD)
def test_concentration_and_width_continuous_through_the_phases(r):
    """No step larger than 5 % between neighbouring points from the source's edge to 10 km,
    through the dense, slumping and passive phases. (Below 1.5 m/s in class F a cloud that
    warms past the density of air loses its Richardson damping within tens of metres, u*
    being a few cm/s: continuous, but steeper than 5 % per 0.2 % of distance. So does air
    more stable than class F over the same ground, a measured L below F's: outside the RMP
    worst case, its steps are not held to 5 % here; a found case is the strict xfail below.
    The centreline never rising downwind holds for every draw.)"""
    inv_l = 0.0 if math.isnan(r["obukhov_length"]) else 1.0 / r["obukhov_length"]
    beyond_f = inv_l > float(atmosphere.inverse_obukhov_length("F", r["z0"]))
    plume = _plume(r)
    x = np.geomspace(math.sqrt(r["area"] / math.pi) + 1.0, 10_000.0, 4000)
    c, b, sy, _, _ = (v[0] for v in plume.profile(x))
    for name, v in (("centreline", c), ("width", 2 * b + math.sqrt(2 * math.pi) * sy)):
        step = np.abs(np.diff(np.log(v)))
        assert beyond_f or step.max() < math.log(1.05), name
    # past the first station beyond the pool's edge at x = R (the grid's steps are 6 % of
    # the distance from the upwind edge, x + R): over a pool the ground concentration grows
    # along the fetch (DEGADIS's source layer), and the station before the edge is over it
    past = x >= 1.13 * math.sqrt(r["area"] / math.pi)
    assert np.all(np.diff(c[past]) <= 1e-12 * c[past][:-1]), "the centreline never rises downwind"


# found by the fuzz run (seventeenth session; the same before that session's changes): a
# measured L of 2 m (ten times as stable as class F over 0.25 m) at 1.5 m/s; the cloud
# reaches the air's density at 1.07 km, loses its Richardson damping there and its
# centreline steps 5.02 % between two of the 4,000 points
@pytest.mark.xfail(strict=True, reason="air more stable than class F at 1.5 m/s: a 5.02 % step")
def test_a_cloud_in_air_far_more_stable_than_class_f_is_continuous():
    r = {
        "rate": 177.0,
        "molar_mass": 0.016,
        "temperature": 178.0,
        "liquid": 0.25,
        "area": 0.0,
        "duration": math.inf,
        "stability": "B",
        "wind": 1.5,
        "z0": 0.25,
        "air_temperature": 256.0,
        "humidity": 0.0,
        "obukhov_length": 2.0,
        "terrain": "rural",
        "averaging_time": 60.0,
    }
    c = _plume(r).profile(np.geomspace(1.0, 10_000.0, 4000))[0][0]
    assert np.abs(np.diff(np.log(c))).max() < math.log(1.05)


def _passive_plume(stability, z0):
    air = cloud_mixing.moist_air(293.15, 0.0)
    release = Release(1e-4, float(air.molar_mass), 293.15, vapour_cp_J_kgK=float(air.cp))
    return integral_plume(release, Ambient(4.0, stability, z0, 293.15, 0.0))


@pytest.mark.parametrize("stability", list("ABCDEF"))
def test_passive_release_is_the_gaussian_plume(stability):
    """Air released at air temperature from a point: the Gaussian plume with ground
    reflection (Boubel et al. 1994, Eq. 19-2) with Briggs rural sigma_y (Table 19-7) and
    the model's sigma_z, at its own wind speed; sigma_z never grows faster than Briggs's,
    and in class A (where the surface-layer growth is the faster beyond the first metres)
    it grows along Briggs's curve from 100 m on. (The source's own size, about 1 cm here,
    shifts the sigmas by about that much; in A sigma_z lags Briggs's by the 1.4 m the
    surface layer's slower growth cost it near the source.) Under the mixed layer's top
    (AERMOD's mechanical height, ``physics.mixing_layer``) the plume is the sum of its
    images in the ground and the lid: in A-C the lid folds it back beyond 1-3 km, in D-F
    it lies beyond its reach."""
    plume = _passive_plume(stability, 0.05)
    x = np.array([100.0, 300.0, 1000.0, 3000.0, 9000.0])
    sy, briggs_sz = briggs_sigmas(x, stability)
    sz = plume.profile(x)[3][0]
    assert np.all(sz <= briggs_sz * 1.02)
    if stability == "A":
        assert_allclose(np.diff(sz), np.diff(briggs_sz), rtol=0.02)
        assert np.all(sz >= briggs_sz - 1.5)
    u = plume.speed(x)[0]
    lid = float(plume.mixing_height()[0])
    inv_l = atmosphere.inverse_obukhov_length(stability, 0.05)
    ustar = float(atmosphere.friction_velocity(4.0, 0.05, inv_l))
    assert lid == pytest.approx(2300.0 * ustar**1.5)
    for k in (0.0, 0.5, 1.0):
        z = np.minimum(k * sz, lid)
        # the lid's images summed one by one (Turner 1970; EPA ISC3's vertical term): the
        # ground's and the lid's reflections of every image, out to 60 pairs
        expected = sum(
            plume_from_sigmas(1e-4, u, 0.0, k * sy, z + 2 * n * lid, sy, sz) for n in range(61)
        ) + sum(
            plume_from_sigmas(1e-4, u, 0.0, k * sy, 2 * n * lid - z, sy, sz) for n in range(1, 61)
        )
        got = plume.concentration(x, k * sy, z)
        assert_allclose(got, expected, rtol=0.02)
        if stability in "DEF":  # the lid is beyond the cloud's reach: the plume alone
            assert_allclose(got, plume_from_sigmas(1e-4, u, 0.0, k * sy, z, sy, sz), rtol=0.02)


@pytest.mark.parametrize("stability", ["B", "D", "F"])
def test_airborne_mass_of_a_steady_plume_is_its_flux_over_its_speed(stability):
    """Steady state: every metre of plume holds Q / u(x) of the release (the flux through
    a plane is Q = u integral(C dy dz), module docstring), so the mass between the source
    and the last station is Q integral(dx / u) (closed form, the model's own speed u(x));
    a band of levels holds part of it and two bands add up."""
    plume = _passive_plume(stability, 0.05)
    x, u = plume.x[0].clip(0.0), plume.u[0]
    expected = 1e-4 * np.trapezoid(1.0 / u, x)
    assert plume.mass_between(0.0, np.inf) == pytest.approx(expected, rel=0.02)
    c = float(plume.centreline([1000.0])[0, 0])
    low, high = plume.mass_between(0.0, c), plume.mass_between(c, np.inf)
    assert 0.0 < low < expected and 0.0 < high < expected
    assert low + high == pytest.approx(plume.mass_between(0.0, np.inf), rel=1e-9)


def test_neutral_passive_growth_over_water_is_the_closed_form():
    """Neutral, z0 = 0.2 mm (the sea): d sigma_z/dx = c u* / u(z) with c = sqrt(pi/2)
    k / 0.74 and u(z) = u*/k ln((z + z0)/z0) at z = sqrt(pi/2) sigma_z / 2, so that
    x(s) = [(a s + z0) ln((a s + z0)/z0) / a - s] / (k c) + const, a = sqrt(pi/8): the
    distance between two stations follows from their sigma_z (closed form of the
    similarity closure: the mean height sqrt(2/pi) sigma_z grows at k u* / phi_h(0),
    Businger et al. 1971 phi_h(0) = 0.74)."""
    z0, k = 2e-4, atmosphere.VON_KARMAN
    plume = _passive_plume("D", z0)
    x = np.array([100.0, 200.0, 400.0, 700.0])
    s = plume.profile(x)[3][0]
    a = math.sqrt(math.pi / 8.0)
    c = math.sqrt(math.pi / 2.0) * k / 0.74
    xs = ((a * s + z0) * np.log((a * s + z0) / z0) / a - s) / (k * c)
    assert_allclose(np.diff(xs), np.diff(x), rtol=0.02)


@pytest.mark.parametrize("inv_l", [1 / 20.0, 1.0, -0.1, -1 / 8.56, -1.0])
@pytest.mark.parametrize("sigma_z", [1e-3, 0.05, 1.0, 3.0, 20.0, 100.0, 1000.0])
def test_vertical_spread_rate_is_the_mean_height_of_k_diffusion(sigma_z, inv_l):
    """d sigma_z/dt = sqrt(pi/2) <dK/dz> over the half-Gaussian, K = k u* z / phi_h(z/L)
    (Businger et al. 1971): the mean height sqrt(2/pi) sigma_z of K-diffusion grows at
    <dK/dz> (van Ulden 1978), by adaptive quadrature of a numerical derivative of K,
    from sigma_z far below |L| to 1,000 |L|: the table within 1e-4; on floats and on
    arrays the same."""

    def k_of(z):
        zeta = z * inv_l
        phi = 0.74 + 4.7 * zeta if zeta >= 0 else 0.74 / math.sqrt(1.0 - 9.0 * zeta)
        return z * 0.35 / phi

    def density(z):
        return 2.0 / (math.sqrt(2.0 * math.pi) * sigma_z) * math.exp(-0.5 * (z / sigma_z) ** 2)

    h = 1e-6 * sigma_z
    breaks = [sigma_z * f for f in (1e-4, 1e-3, 1e-2, 0.1, 1.0)]
    mean = quad(
        lambda z: (k_of(z + h) - k_of(max(z - h, 0.0))) / (z + h - max(z - h, 0.0)) * density(z),
        0.0,
        12.0 * sigma_z,
        limit=400,
        points=breaks,
    )[0]
    expected = math.sqrt(math.pi / 2.0) * mean
    got = float(atmosphere.vertical_spread_rate(sigma_z, 1.0, inv_l))
    assert got == pytest.approx(expected, rel=1e-4)
    assert atmosphere.vertical_spread_rate_of_one(1.0, inv_l)(sigma_z) == pytest.approx(got)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.floats(1e-3, 1e3),
    st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
    st.floats(0.01, 2.0),
)
def test_vertical_spread_rate_falls_as_the_air_grows_more_stable(sigma_z, inv_ls, ustar):
    """The more stable the air (larger 1/L), the slower a cloud deepens, through neutral
    and on both sides of it: dK/dz = k u* p0 / phi_h^2 falls with z/L when stable and
    k u* (1 - 1.5 a_u z/L) / (p0 sqrt(1 - a_u z/L)) rises with -z/L when unstable
    (Businger et al. 1971), and so does their mean; the table keeps it, on arrays and on
    floats."""
    low, high = sorted(inv_ls)
    a = float(atmosphere.vertical_spread_rate(sigma_z, ustar, low))
    b = float(atmosphere.vertical_spread_rate(sigma_z, ustar, high))
    assert a >= b * (1.0 - 1e-12)
    assert atmosphere.vertical_spread_rate_of_one(ustar, high)(sigma_z) == pytest.approx(b)


def test_vertical_spread_rate_of_an_unknown_is_not_computed():
    """A NaN sigma_z or 1/L gives NaN, never a number from the table's edge."""
    got = atmosphere.vertical_spread_rate(
        np.array([np.nan, 1.0, 2.0]), 0.3, np.array([0.1, np.nan, 0.1])
    )
    assert np.isnan(got[0]) and np.isnan(got[1]) and np.isfinite(got[2])
    assert math.isnan(atmosphere.vertical_spread_rate_of_one(0.3, 0.1)(math.nan))
    assert math.isnan(atmosphere.vertical_spread_rate_of_one(0.3, -0.1)(math.nan))


def test_vertical_spread_rate_neutral_is_exact():
    """Neutral: K = k u* z / 0.74, dK/dz constant, so d sigma_z/dt = sqrt(pi/2) k u* / 0.74
    on arrays and on floats, whatever sigma_z."""
    expected = math.sqrt(math.pi / 2.0) * 0.35 * 0.4 / 0.74
    got = atmosphere.vertical_spread_rate(np.array([0.0, 0.3, 30.0]), 0.4, 0.0)
    assert_allclose(got, expected, rtol=1e-12)
    assert atmosphere.vertical_spread_rate_of_one(0.4, 0.0)(5.0) == pytest.approx(expected)


@settings(max_examples=examples(30), deadline=None)
@given(releases, st.lists(st.floats(1e-7, 1e-1), min_size=3, max_size=3))
def test_levels_nest(r, ppm_like):
    """A higher level never reaches farther (AEGL-1 >= AEGL-2 >= AEGL-3)."""
    plume = _plume(r)
    levels = np.sort(ppm_like)
    concentration = plume.level_concentration(np.array([levels]))[0]
    reach = [float(plume.reach(c)[0]) for c in concentration]
    assert reach[0] >= reach[1] >= reach[2]


def test_dry_mixing_is_the_enthalpy_balance():
    """Without droplets, adiabatic mixing of two ideal gases has the closed form
    T = (w cp_v T_r + (1 - w) cp_a T_a) / (w cp_v + (1 - w) cp_a) (first law, constant
    heat capacities), and the density is p M_mix / (R T)."""
    air = cloud_mixing.moist_air(np.array([293.15]), np.array([0.0]))
    table = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=0.0709,
        temperature_K=250.0,
        liquid_fraction=0.0,
        vapour_cp_J_kgK=480.0,
        latent_heat_J_kg=2.88e5,
        boiling_point_K=150.0,  # far below: the vapour never condenses here
    )
    w = table.omega
    cp_a = float(air.cp[0])
    t = (w * 480.0 * 250.0 + (1 - w) * cp_a * 293.15) / (w * 480.0 + (1 - w) * cp_a)
    assert_allclose(table.temperature[0], t, rtol=1e-9)
    molar = 1.0 / (w / 0.0709 + (1 - w) / float(air.molar_mass[0]))
    assert_allclose(table.density[0], 101325.0 * molar / (cloud_mixing.R_GAS * t), rtol=1e-9)
    assert np.all(table.liquid == 0.0)


def test_flashing_ammonia_cools_below_its_boiling_point_while_droplets_evaporate():
    """Ammonia at its boiling point with 20 % droplets mixing into air: while droplets remain
    the vapour is saturated (p_v = p_sat(T), Clausius-Clapeyron), the cloud is colder than
    the boiling point and, diluted, denser than air although ammonia vapour is lighter
    (the behaviour SLAB and the UDM describe)."""
    nh3 = substances.lookup("ammonia")
    air = cloud_mixing.moist_air(np.array([293.15]), np.array([0.5]))
    tb = nh3.boiling_point_K
    lat = float(nh3.heat_of_vaporisation(tb))
    table = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=nh3.molar_mass_kg_mol,
        temperature_K=tb,
        liquid_fraction=0.2,
        vapour_cp_J_kgK=2100.0,
        latent_heat_J_kg=lat,
        boiling_point_K=tb,
    )
    wet = (table.liquid[0] > 0) & (table.omega < 1.0)
    assert wet.any()
    t = table.temperature[0][wet]
    p_sat = 101325.0 * np.exp(lat * nh3.molar_mass_kg_mol / cloud_mixing.R_GAS * (1 / tb - 1 / t))
    assert_allclose(table.mole_fraction[0][wet] * 101325.0, p_sat, rtol=1e-3)
    assert t.min() < tb - 5.0
    assert table.density[0][wet].max() > 1.1 * float(air.density[0])
    assert table.liquid[0][0] == 0.0 and table.temperature[0][0] == pytest.approx(293.15)
    rainy = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=nh3.molar_mass_kg_mol,
        temperature_K=tb,
        liquid_fraction=0.6,
        vapour_cp_J_kgK=2100.0,
        latent_heat_J_kg=lat,
        boiling_point_K=tb,
    )
    # evaporating 60 % droplets would cool below absolute zero on paper: droplets remain
    assert rainy.temperature.min() > 150.0 and np.all(rainy.density > 0)


def test_dense_chlorine_pool_is_denser_and_nearer_the_ground_than_a_passive_one():
    """A heavy, cold chlorine pool cloud slumps: it is wider and shallower near the source
    than the same rate of a gas with the density of air, and its Richardson number falls to
    passive downwind."""
    cl2 = substances.lookup("chlorine")
    heavy = integral_plume(substance_release(cl2, 10.0, area_m2=100.0), Ambient(2.0, "F"))
    air = cloud_mixing.moist_air(293.15, 0.7)
    light = integral_plume(
        Release(10.0, float(air.molar_mass), 293.15, vapour_cp_J_kgK=1006.0, area_m2=100.0),
        Ambient(2.0, "F"),
    )
    x = [50.0]
    _, b_h, _, sz_h, _ = heavy.profile(x)
    _, b_l, _, sz_l, _ = light.profile(x)
    assert b_h[0, 0] > 2 * b_l[0, 0] and sz_h[0, 0] < sz_l[0, 0]
    assert heavy.richardson[0, 0] < heavy.richardson[0].max()
    assert heavy.richardson[0, -1] < 0.1 * heavy.richardson[0].max()


def test_turbulence_eats_the_core_of_a_flat_cloud_without_moving_its_edge():
    """A wide area source of air-density gas (no slumping): lateral turbulence grows the
    Gaussian edges into the flat core while B_eff = b + sqrt(pi)/2 sigma_y stays half the
    source's width, pi R / 4 (DEGADIS 2.1 PSS, after Colenbrander 1980), until the core is
    gone; downwind of the source (R = 113 m), over which the width is held."""
    air = cloud_mixing.moist_air(293.15, 0.0)
    side = 200.0
    plume = integral_plume(
        Release(5.0, float(air.molar_mass), 293.15, vapour_cp_J_kgK=float(air.cp), area_m2=side**2),
        Ambient(5.0, "D", 0.05, 293.15, 0.0),
    )
    x = np.array([150.0, 300.0, 600.0])
    _, b, sy, _, _ = (v[0] for v in plume.profile(x))
    assert np.all(b > 0) and np.all(np.diff(b) < 0) and np.all(np.diff(sy) > 0)
    radius = side / math.sqrt(math.pi)
    assert_allclose(b + 0.5 * math.sqrt(math.pi) * sy, math.pi * radius / 4.0, rtol=0.01)


def test_many_releases_in_one_call_match_one_at_a_time():
    """Vectorised: a batch gives each release's own answer (to 1e-3: the batch's shared
    station grid runs 10 km past its largest pool's edge, so its stations differ slightly,
    and a pool's gravity flow starts at the first station past its edge: 4e-4 for the F
    pool here)."""
    cl2 = substances.lookup("chlorine")
    rates = np.array([1.0, 10.0, 50.0])
    batch = integral_plume(
        substance_release(cl2, rates, area_m2=[0.0, 100.0, 400.0]),
        Ambient([5.0, 2.0, 3.0], ["D", "F", "E"], [0.1, 0.3, 1.0]),
    )
    for i, (rate, area, u, s, z0) in enumerate(
        zip(rates, (0.0, 100.0, 400.0), (5.0, 2.0, 3.0), "DFE", (0.1, 0.3, 1.0), strict=True)
    ):
        one = integral_plume(substance_release(cl2, rate, area_m2=area), Ambient(u, s, z0))
        x = [30.0, 300.0, 3000.0]
        assert_allclose(batch.centreline(x)[i], one.centreline(x)[0], rtol=1e-3)


def test_every_release_at_shared_or_own_points_is_its_concentration():
    """``at`` (every release at once, as the twin's source estimation uses it) gives what
    ``concentration`` gives for each release alone, at shared points and at each one's own."""
    cl2 = substances.lookup("chlorine")
    batch = integral_plume(
        substance_release(cl2, np.array([0.1, 2.0, 30.0]), height_m=1.0), Ambient(3.0, "D")
    )
    x, y, z = np.array([-5.0, 10.0, 60.0, 400.0]), np.array([0.0, 3.0, -20.0, 50.0]), 0.5
    shared = batch.at(x, y, z)
    own = batch.at(x[None, :] * [[1.0], [2.0], [3.0]], y, z)
    for i in range(3):
        assert_allclose(shared[i], batch.concentration(x, y, z, release=i), rtol=1e-12)
        assert_allclose(own[i], batch.concentration(x * (i + 1), y, z, release=i), rtol=1e-12)
    assert shared[:, 0].max() == 0.0  # upwind of the source


def test_finite_release_keeps_the_along_wind_spreading_factor():
    """A 60 s release: the steady centreline times erf(u T / (2 sqrt(2) sigma_x))
    (Palazzi et al. 1982), sigma_x = 0.04 x^1.14 in class D (DEGADIS 2.1)."""
    from scipy.special import erf

    cl2 = substances.lookup("chlorine")
    steady = integral_plume(substance_release(cl2, 10.0), Ambient(3.0, "D"))
    short = integral_plume(substance_release(cl2, 10.0, duration_s=60.0), Ambient(3.0, "D"))
    x = np.array([20.0, 1000.0, 5000.0])
    ratio = short.centreline(x)[0] / steady.centreline(x)[0]
    sigma_x = 0.04 * x**1.14
    u = steady.speed(x)[0]
    assert_allclose(ratio, erf(u * 60.0 / (2 * math.sqrt(2) * sigma_x)), rtol=0.01)
    assert ratio[-1] < 0.5


def test_along_wind_spread_grows_from_the_source():
    """sigma_x = a x^p (DEGADIS 2.1 ATMDEF) from the source on, where DEGADIS starts it at
    sigxmd (130 m in class A): no along-wind spread the cloud has not had time for. The
    fuzz run's case (a 20 s release whose pure layer speeds up past its 2 m2 pool, held to
    its largest spread until then) keeps its whole peak within 5 m and never rises."""
    plume = _plume(FASTER_FINITE_CLOUD)
    x = np.array([1.0, 10.0, 130.0, 1000.0])
    assert_allclose(plume.sigma_x(x)[0], 0.02 * x**1.22, rtol=1e-12)
    near = plume.x[0] < 5.0
    assert np.all(plume.finite[0][near] == 1.0)
    past = plume.x[0] > 1.13 * math.sqrt(2.0 / math.pi)
    c = plume.centreline(plume.x[0][past])[0]
    assert np.all(np.diff(c) <= 0.0)


# Found by the fuzz run: a measured L of -2 m over z0 = 1 m. The profile's former form,
# u*/k (ln((z + z0) / z0) - psi_m(z / L)) (DEGADIS 2.1's, without Paulson's psi_m(z0 / L)),
# gave u* = 1.88 m/s under a 2 m/s wind at 10 m and 0.08 m/s at 2 z0, the model's lowest
# level; over the pool the cloud's speed then alternated between 0.08 and 2 m/s from one
# station to the next and its concentration fell 21x at the pool's edge.
def test_an_obukhov_length_near_the_roughness_keeps_the_pools_march_continuous():
    r = dict(FASTER_FINITE_CLOUD, rate=12.0, molar_mass=0.03125, liquid=0.5, area=133.0)
    r.update(duration=math.inf, obukhov_length=-2.0, z0=1.0)
    plume = _plume(r)
    x = np.geomspace(math.sqrt(133.0 / math.pi) + 1.0, 10_000.0, 4000)
    c = plume.profile(x)[0][0]
    assert np.abs(np.diff(np.log(c))).max() < math.log(1.05)
    # and station by station (6 % apart): it fell by 95 % and the speed changed 25x
    on = plume.x[0][1:] > 0.0
    assert np.min((plume.c[0][1:] / plume.c[0][:-1])[on]) > 0.5
    assert np.max(np.abs(np.diff(np.log(plume.u[0])))[on]) < math.log(2.0)


@pytest.mark.parametrize(
    ("release", "ambient", "message"),
    [
        (dict(height_m=150.0), {}, "release height must be 0-100 m"),
        ({}, dict(z0_m="rough"), "surface roughness must be a length"),
        ({}, dict(z0_m=5.0), "surface roughness z0 must be"),
        ({}, dict(stability="G"), "unknown stability class"),
        ({}, dict(wind_speed_m_s=0.1), "wind speed at 10 m must be"),
        # a zero rate in a batch ended in an IndexError (found this session, older than it)
        (dict(rate_kg_s=[0.0, 1.0]), {}, "release rate must be above 0 kg/s"),
        ({}, dict(mixing_height_m=-10.0), "mixing height must be a length above 0 m"),
    ],
)
def test_inputs_outside_the_scope_are_refused_in_one_line(release, ambient, message):
    base = dict(rate_kg_s=1.0, molar_mass_kg_mol=0.0709, temperature_K=239.0)
    weather = dict(wind_speed_m_s=3.0, stability="D") | ambient
    with pytest.raises(ValueError, match=message):
        integral_plume(Release(**(base | release)), Ambient(**weather))


def test_obukhov_length_follows_the_golder_relation():
    """L = a z0^b (DEGADIS 2.1 ATMDEF after Golder 1972): F over z0 = 0.1 m is
    25.98 * 0.1^0.171 = 17.52 m; D is neutral."""
    assert 1.0 / atmosphere.inverse_obukhov_length("F", 0.1) == pytest.approx(17.52, rel=1e-3)
    assert atmosphere.inverse_obukhov_length("D", 0.5) == 0.0
    u10 = 5.0
    ustar = atmosphere.friction_velocity(u10, 0.1, 0.0)
    assert atmosphere.wind_speed(10.0, ustar, 0.1, 0.0) == pytest.approx(u10)
    assert ustar == pytest.approx(0.35 * 5.0 / math.log(101.0))


def test_a_measured_obukhov_length_replaces_the_class_relation():
    """Ambient takes a measured L where there is one (issue: class or Monin-Obukhov
    length): L equal to the class's Golder value gives the class's plume; a more unstable
    L over the sea (u* larger, K = k u* z / phi_h larger) dilutes a passive release faster
    past the source; in one call NaN (the class) and L mix; L = 0 is refused in one line."""
    air = cloud_mixing.moist_air(288.15, 0.0)
    passive = Release(1.0, float(air.molar_mass), 288.15, vapour_cp_J_kgK=float(air.cp))
    x = np.array([50.0, 200.0, 800.0])
    z0 = 2e-5
    golder = 1.0 / float(atmosphere.inverse_obukhov_length("C", z0))
    by_class = integral_plume(passive, Ambient(5.5, "C", z0)).centreline(x)[0]
    same = integral_plume(passive, Ambient(5.5, "C", z0, obukhov_length_m=golder))
    assert_allclose(same.centreline(x)[0], by_class, rtol=1e-9)
    neutral = integral_plume(passive, Ambient(5.5, "D", z0)).centreline(x)[0]
    unstable = integral_plume(passive, Ambient(5.5, "D", z0, obukhov_length_m=-14.4))
    assert np.all(unstable.centreline(x)[0][1:] < neutral[1:])
    both = integral_plume(
        Release([1.0, 1.0], float(air.molar_mass), 288.15, vapour_cp_J_kgK=float(air.cp)),
        Ambient(5.5, "D", z0, obukhov_length_m=[math.nan, -14.4]),
    ).centreline(x)
    # one march for the batch: its stations are shared, so within interpolation
    assert_allclose(both[0], neutral, rtol=1e-3)
    assert_allclose(both[1], unstable.centreline(x)[0], rtol=1e-3)
    with pytest.raises(ValueError, match="Obukhov length must be a length other than 0 m"):
        integral_plume(passive, Ambient(5.5, "D", z0, obukhov_length_m=0.0))


@pytest.mark.parametrize(("stability", "terrain"), [("A", "urban"), ("D", "rural"), ("F", "rural")])
def test_one_release_on_floats_is_the_march_on_arrays(stability, terrain):
    """A single release is marched on Python floats, a batch on arrays: the same release
    alone and twice in one call give the same plume (to rounding)."""
    cl2 = substances.lookup("chlorine")
    ambient = Ambient(3.0, stability, 0.3, terrain=terrain)
    for kw in (dict(area_m2=100.0), dict(height_m=2.0), dict(liquid_fraction=0.3)):
        one = integral_plume(substance_release(cl2, 5.0, **kw), ambient)
        two = integral_plume(substance_release(cl2, np.full(2, 5.0), **kw), ambient)
        for name in ("c", "b", "sigma_y", "sigma_z", "u", "temperature"):
            assert_allclose(getattr(two, name)[1], getattr(one, name)[0], rtol=1e-9, err_msg=name)


def test_air_taken_up_over_a_pool_is_the_degadis_source_balance():
    """Over the source the layer's mass flux per metre of width grows as
    dY/dx = rho_a w_e + E, w_e = delta k u* (1 + alpha) / Phi, and its ground-level
    concentration is delta times its mean (DEGADIS 2.1 SZF, Spicer & Havens 1989). For a
    vapour of the air's density (Phi = 0.88 throughout) and a layer of fixed width W,
    Y = (rho_a w_e + E) x: the ground-level mass fraction is delta E / (E + rho_a w_e) at
    every point over the pool, E = Q / A (closed form). The layer's edges diffuse
    sideways over the pool (its width W(x) grows a little), so the air taken up is
    rho_a w_e integral(W dx) / delta and the mass fraction at x is
    (Q x / L) / (Q x / (L delta) + rho_a w_e integral_0^x W dx / delta), L = 2 R."""
    air = cloud_mixing.moist_air(293.15, 0.0)
    area, rate = 400.0, 2.0
    plume = integral_plume(
        Release(rate, float(air.molar_mass), 293.15, vapour_cp_J_kgK=float(air.cp), area_m2=area),
        Ambient(3.0, "D", 0.05, 293.15, 0.0),
    )
    inv_l = atmosphere.inverse_obukhov_length(np.array(["D"]), np.array([0.05]))
    ustar = atmosphere.friction_velocity(np.array([3.0]), np.array([0.05]), inv_l)
    w_e = float(
        pool_source.DELTA_LAYER
        * pool_source.VON_KARMAN
        * pool_source.degadis_friction_velocity(ustar)[0]
        * (1.0 + pool_source.power_law_exponent(0.05, inv_l)[0])
        / 0.88
    )
    delta, rho_a = pool_source.DELTA_LAYER, float(air.density)
    radius = math.sqrt(area / math.pi)
    length = 2.0 * radius
    xi = plume.x[0] + radius  # from the pool's upwind edge
    width = (2.0 * plume.b + math.sqrt(2.0 * math.pi) * plume.sigma_y)[0]
    over = (xi > 0.25 * length) & (xi < length)
    assert over.sum() > 5
    taken = np.concatenate(([0.0], np.cumsum(0.5 * (width[1:] + width[:-1]) * np.diff(xi))))
    taken += width[0] * xi[0]
    vapour = rate * xi / length
    expected = vapour / (vapour / delta + rho_a * w_e * taken / delta)
    omega = plume.c[0] / plume.density[0]
    assert_allclose(omega[over], expected[over], rtol=0.01)


@pytest.mark.parametrize(
    ("stability", "z0"), [("A", 0.1), ("D", 0.1), ("D", 1e-3), ("F", 0.1), ("E", 2e-4)]
)
def test_power_law_exponent_is_the_weighted_least_squares_fit(stability, z0):
    """DEGADIS 2.1 ALPH: alpha zeroes the derivative of the weighted squared error between
    the power law and the Monin-Obukhov profile, so the error is larger on either side."""
    inv_l = atmosphere.inverse_obukhov_length(np.array([stability]), np.array([z0]))
    alpha = float(pool_source.power_law_exponent(z0, inv_l)[0])
    assert 0.05 < alpha < 0.5
    low = max(z0, 0.01)
    z = low * (10.0 / low) ** np.linspace(0.0, 1.0, 2001)
    u = atmosphere.wind_speed(z, 1.0, z0, inv_l)
    u_r = float(atmosphere.wind_speed(10.0, 1.0, z0, inv_l)[0])

    def error(a):
        return np.trapezoid((u - u_r * (z / 10.0) ** a) ** 2 / (1.0 + z), z)

    assert error(alpha) < min(error(alpha - 0.01), error(alpha + 0.01))
    assert abs(pool_source.fit_residual(alpha, z0, inv_l)[0]) < 1e-6


def _paulson_psi(zeta):
    """Paulson (1970) psi_m with Businger et al.'s (1971) phi_m = (1 - 15 zeta)^-1/4 (unstable)
    and 1 + 4.7 zeta (stable), written out here."""
    if zeta >= 0.0:
        return -4.7 * zeta
    x = (1.0 - 15.0 * zeta) ** 0.25
    return 2 * math.log((1 + x) / 2) + math.log((1 + x * x) / 2) - 2 * math.atan(x) + math.pi / 2


@pytest.mark.parametrize("z0", [1e-3, 0.1, 1.0])
@pytest.mark.parametrize("inv_l", [-0.5, -0.1, 0.0, 0.035, 0.2])
def test_wind_profile_is_paulsons_from_the_roughness(z0, inv_l):
    """u(z) = u*/k (ln(z'/z0) - psi_m(z'/L) + psi_m(z0/L)), z' = z + z0 (Paulson 1970 from z0,
    DEGADIS's displaced height: u = 0 at the ground). In neutral and stable air it is
    DEGADIS 2.1's ln(z'/z0) - psi_m(z/L) exactly; in unstable air DEGADIS's drops
    psi_m(z0/L): with L = -2 m over 1 m that gave u* = 1.88 m/s under 2 m/s at 10 m."""
    ustar = float(atmosphere.friction_velocity(2.0, z0, inv_l)[()])
    for z in (0.0, 2.0 * z0, 1.0, 10.0):
        zd = z + z0
        ln_part = math.log(zd / z0)
        closed = ln_part - _paulson_psi(zd * inv_l) + _paulson_psi(z0 * inv_l)
        u = float(atmosphere.wind_speed(z, ustar, z0, inv_l)[()])
        assert u == pytest.approx(ustar / 0.35 * closed, rel=1e-12, abs=1e-15)
        assert atmosphere.wind_speed_of_one(ustar, z0, inv_l)(z) == pytest.approx(u, rel=1e-12)
        if inv_l >= 0.0:
            degadis = ln_part - _paulson_psi(z * inv_l)
            assert u == pytest.approx(ustar / 0.35 * degadis, rel=1e-12, abs=1e-15)
    assert float(atmosphere.wind_speed(10.0, ustar, z0, inv_l)[()]) == pytest.approx(2.0)
    if inv_l == -0.5 and z0 == 1.0:
        assert ustar == pytest.approx(
            0.35 * 2.0 / (math.log(11.0) - _paulson_psi(-5.5) + _paulson_psi(-0.5))
        )
        assert 0.6 < ustar < 0.7  # DEGADIS's form: 1.88 m/s


@pytest.mark.parametrize("z0", [1e-3, 0.1, 1.0])
def test_degadis_friction_velocity_is_its_neutral_closed_form(z0):
    """DEGADIS 2.1's u* in neutral air is k u_r / ln((z_r + z0) / z0) with k = 0.35 (DEG1
    DATA VKC, Businger et al. 1971's value; Spicer & Havens 1989 USTAR, as read in degadisx
    0.1.4 ``core/atmosphere.py`` and ``core/constants.py``), u_r the wind at z_r = 10 m: the
    u* that DEGADIS's take-up over a pool, its entrainment and its ground heat see here
    (with k = 0.41 it came out 17 % higher)."""
    inv_l = atmosphere.inverse_obukhov_length(np.array(["D"]), np.array([z0]))
    assert inv_l[0] == 0.0
    ustar = atmosphere.friction_velocity(np.array([5.0]), np.array([z0]), inv_l)
    closed = 0.35 * 5.0 / math.log((10.0 + z0) / z0)
    assert_allclose(pool_source.degadis_friction_velocity(ustar), [closed], rtol=1e-4)


@pytest.mark.parametrize("stability", ["D", "F"])
def test_ground_heat_warms_a_cold_cloud_towards_the_ground_never_past_it(stability):
    """A cold droplet-free cloud (methane at its boiling point) takes heat from the ground
    (DEGADIS 2.1 SURFAC): never colder than its adiabatic mixing state, never warmer than
    the ground (the air's temperature), and the concentration is still the flux over the
    volume flux (c u W H = Q downwind of the pool)."""
    methane = substances.lookup("methane")
    plume = integral_plume(
        substance_release(methane, 20.0, area_m2=300.0), Ambient(3.0, stability, 2e-4)
    )
    assert np.all(plume.warming >= 1.0 - 1e-12)
    assert np.all(plume.temperature <= 293.15 + 1e-6)
    assert plume.warming.max() > 1.05
    downwind = plume.x[0] > math.sqrt(300.0 / math.pi) + 1.0
    width = 2.0 * plume.b + math.sqrt(2.0 * math.pi) * plume.sigma_y
    flux = (plume.c * plume.u * width * math.sqrt(math.pi / 2.0) * plume.sigma_z)[0, downwind]
    assert_allclose(flux, 20.0, rtol=1e-9)
    # a level in volume fraction is reached where the warmed cloud's mole fraction meets it
    for fraction in (0.3, 0.05):
        x = plume.reach(plume.level_concentration(fraction))
        at = plume.mole_fraction(x, plume.centreline(x))[0, 0]
        assert at == pytest.approx(fraction, rel=0.02)


@pytest.mark.parametrize(("wind", "stability"), [(5.0, "D"), (2.0, "F")])
def test_the_crosswind_gravity_flow_keeps_slabs_momentum_balance_under_its_front(wind, stability):
    """SLAB's EQ 5a (Ermak 1990): each half of a dense cloud, of mass flux R = (Q + m_a)/2,
    carries across the wind the momentum flux R V_g, which grows over each step by the
    pressure force alpha_gv g (rho - rho_a) H^2 dx, alpha_gv = 0.75 and H = sqrt(pi/2)
    sigma_z; it starts past the pool's edge at the front's speed C_E sqrt(g' H) (C_E =
    1.15, van Ulden 1974) and never runs faster than that front: 10 kg/s of chlorine from
    100 m2, from the march's own records (R from c = omega rho: R = Q rho / (2 c)). Both
    hold somewhere along the way: the bound near the pool, the balance downwind."""
    cl2 = substances.lookup("chlorine")
    plume = integral_plume(
        substance_release(cl2, 10.0, area_m2=100.0), Ambient(wind, stability, 0.1, 293.15, 0.5)
    )
    rho_a = float(cloud_mixing.moist_air(293.15, 0.5, 101325.0).density)
    x, v_g, rho, c = plume.x[0], plume.v_g[0], plume.density[0], plume.c[0]
    depth = np.sqrt(np.pi / 2.0) * plume.sigma_z[0]
    half_flux = 10.0 * rho / (2.0 * c)
    momentum = half_flux * v_g
    force = 0.75 * 9.80665 * (rho - rho_a) * depth**2
    front = half_flux * 1.15 * np.sqrt(9.80665 * (rho - rho_a) / rho_a * depth)
    moving = np.flatnonzero(v_g > 0.0)
    k0 = moving[0]
    edge = np.sqrt(100.0 / np.pi)
    assert x[k0 - 1] < edge <= x[k0]  # past the pool's edge
    k = moving[:-1][np.diff(moving) == 1]
    assert k.size > 50
    assert np.all(rho[k] > rho_a)
    pushed = momentum[k] + force[k] * np.diff(x)[k]
    assert_allclose(momentum[k + 1], np.minimum(pushed, front[k + 1]), rtol=1e-9)
    assert np.any(pushed > 1.01 * front[k + 1]) and np.any(pushed < 0.99 * front[k + 1])
    # where it starts: the front's speed at the last station over the pool, which carries
    # the vapour given off upwind of it (x from the pool's centre), then the force past
    # the edge
    carried = 10.0 * (x[k0 - 1] + edge) / (2.0 * edge)
    g_h = 9.80665 * (rho[k0 - 1] - rho_a) / rho_a * depth[k0 - 1]
    start = carried * rho[k0 - 1] / (2.0 * c[k0 - 1]) * 1.15 * np.sqrt(g_h)
    first = min(start + force[k0 - 1] * (x[k0] - edge), front[k0])
    assert momentum[k0] == pytest.approx(first, rel=1e-9)
    # no flow once the cloud is no denser than air
    assert np.all(v_g[rho <= rho_a] == 0.0)


@pytest.mark.parametrize("stability", ["B", "D", "F"])
def test_a_deep_plume_from_a_low_source_moves_as_a_ground_plume(stability):
    """The cloud moves with the wind at its axis height or at half its depth, whichever is
    higher: a passive release 0.46 m up (Prairie Grass's source height) and one on the
    ground have the same ground-level centreline once the plume is many times deeper than
    the source is high (within 3 % at 1-5 km; both reflect at the ground). Taken at the
    axis alone, as it was, the elevated plume kept the wind at 0.46 m, about half the
    wind at 5-10 m, and came out up to twice as high."""
    air = cloud_mixing.moist_air(293.15, 0.5, 101325.0)
    x = np.array([1000.0, 2000.0, 5000.0])

    def plume(height):
        release = Release(
            rate_kg_s=0.1,
            molar_mass_kg_mol=float(air.molar_mass),
            temperature_K=293.15,
            vapour_cp_J_kgK=1000.0,
            latent_heat_J_kg=4e5,
            boiling_point_K=100.0,
            height_m=height,
        )
        return integral_plume(release, Ambient(4.0, stability, 0.03, 293.15, 0.5))

    assert_allclose(plume(0.46).centreline(x), plume(0.0).centreline(x), rtol=0.03)
