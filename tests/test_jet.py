"""The momentum-jet phase (physics.jet) and its hand-off into the integral plume
(physics.integral_plume): a closed form, conservation, continuity, the no-momentum limit."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from physics import atmosphere, cloud_mixing, jet, substances
from physics.integral_plume import Ambient, Release, integral_plume, substance_release
from tests.fuzz_counts import examples


def _table(molar_mass, temperature=293.15):
    """Mixing table of a dry gas released at ``temperature`` into dry air at 20 degC."""
    air = cloud_mixing.moist_air(np.array([293.15]), np.array([0.0]))
    table = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=molar_mass,
        temperature_K=temperature,
        liquid_fraction=0.0,
        vapour_cp_J_kgK=float(air.cp[0]),
        latent_heat_J_kg=0.0,
        boiling_point_K=1.0,
    )
    return air, table


def _still(z, radius):
    return np.zeros_like(radius)


def test_free_jet_of_air_entrains_as_ricou_and_spalding():
    """A round jet of air into still air, far above the ground: the equations give
    m / m0 = 1 + 4 alpha x / d0 with 4 alpha = 0.32, Ricou & Spalding (1961), whose
    measured law is m / m0 = 0.32 (x / d0) sqrt(rho_a / rho_0) (here rho_0 = rho_a)."""
    air, table = _table(float(cloud_mixing.moist_air(293.15, 0.0).molar_mass))
    rho = float(air.density[0])
    q, v0 = 0.5, 100.0
    d0 = 2.0 * math.sqrt(q / (rho * v0 * math.pi))
    path = jet.jet_path([q], [v0], [0.0], [1000.0], table, air.density, _still)
    mu = jet.MASS_RATIO
    upto = path.x[0] < 1e4 * d0
    assert_allclose(path.x[0][upto], (mu[upto] - 1.0) * d0 / 0.32, rtol=1e-3)
    # the momentum flux is conserved: V m = v0 q, and the jet stays level
    assert_allclose(path.speed[0][upto] * q * mu[upto], v0 * q, rtol=1e-9)
    assert np.all(path.z[0][upto] == pytest.approx(1000.0))


def test_free_jet_of_a_heavy_gas_tends_to_the_density_corrected_law():
    """Far from the hole, whatever its density, dm/ds -> 0.32 sqrt(rho_a / rho_0) m0 / d0
    along the path (Ricou & Spalding 1961): a gas of twice the molar mass of air at air
    temperature, in still air, its buoyancy bending it down."""
    air, table = _table(2.0 * float(cloud_mixing.moist_air(293.15, 0.0).molar_mass))
    rho_a = float(air.density[0])
    rho_0 = float(table.density[0, -1])
    q, v0 = 0.2, 300.0
    d0 = 2.0 * math.sqrt(q / (rho_0 * v0 * math.pi))
    path = jet.jet_path([q], [v0], [0.0], [1000.0], table, air.density, _still)
    mu = jet.MASS_RATIO
    k = np.searchsorted(mu, [200.0, 400.0])
    slope = np.diff(mu[k]) / np.diff(path.s[0][k])
    assert float(slope[0]) == pytest.approx(0.32 * math.sqrt(rho_a / rho_0) / d0, rel=0.02)


def test_grounded_jet_of_air_widens_as_its_sides_entrain():
    """A jet of air along the ground into still air: no density difference, so no slumping
    and no damping. Its sides entrain at Ricou & Spalding's rate, rho_a alpha V per unit
    depth, and the air entering them adds width (as in SLAB, Ermak 1990 EQ 7): the width
    grows linearly, W = W0 + 2 alpha x = W0 + 0.16 x, whatever the speed; the momentum
    flux m V is conserved and W H = m / (rho V) holds."""
    air, table = _table(float(cloud_mixing.moist_air(293.15, 0.0).molar_mass))
    rho = float(air.density[0])
    q, v0 = 0.5, 100.0
    path = jet.jet_path([q], [v0], [0.0], [0.0], table, air.density, _still)
    mu = jet.MASS_RATIO
    b0 = math.sqrt(q / (rho * v0 * math.pi))
    width = 2.0 * path.core[0] + math.sqrt(2.0 * math.pi) * path.sigma_y[0]
    depth = math.sqrt(math.pi / 2.0) * path.sigma_z[0]
    upto = path.x[0] < 1e3
    slope = 2.0 * 0.32 / 4.0
    assert_allclose(width[upto], math.sqrt(2.0 * math.pi) * b0 + slope * path.x[0][upto], rtol=1e-3)
    assert np.all(path.core[0] == 0.0) and np.all(path.z[0] == 0.0)
    assert_allclose(path.speed[0][upto] * q * mu[upto], v0 * q, rtol=1e-9)
    area = q * mu[upto] / (rho * path.speed[0][upto])
    assert_allclose(width[upto] * depth[upto], area, rtol=1e-9)


jets = st.fixed_dictionaries(
    {
        "rate": st.floats(0.2, 50.0),
        "velocity": st.floats(30.0, 400.0),
        "angle": st.sampled_from([0.0, 90.0]),
        "height": st.floats(0.5, 30.0),
        "molar_mass": st.floats(0.016, 0.08),
        "temperature": st.floats(200.0, 300.0),
        "liquid": st.floats(0.0, 0.5),
        "stability": st.sampled_from("ABCDEF"),
        "wind": st.floats(1.5, 10.0),
    }
)


def _jet_plume(r, velocity=None, ambient=None):
    """The integral plume of the jet ``r``, in ``ambient`` or the jets' default weather
    (its wind and class over z0 = 0.1 m, 20 degC, 50 %)."""
    release = Release(
        rate_kg_s=r["rate"],
        molar_mass_kg_mol=r["molar_mass"],
        temperature_K=r["temperature"],
        liquid_fraction=r["liquid"],
        vapour_cp_J_kgK=1200.0,
        latent_heat_J_kg=4e5,
        boiling_point_K=min(r["temperature"], 300.0),
        height_m=r["height"],
        jet_velocity_m_s=r["velocity"] if velocity is None else velocity,
        jet_angle_deg=r["angle"],
    )
    if ambient is None:
        ambient = Ambient(r["wind"], r["stability"], 0.1, 293.15, 0.5)
    return integral_plume(release, ambient)


def _flux(plume, x):
    """u * integral(C dy dz) at x over the reflected profile (trapezoids), up to the mixed
    layer's top where the cloud reaches it [kg/s]."""
    _, b, sy, sz, h = (v[:, :1] for v in plume.profile([x]))
    top = float(plume.top(h, sz, 8.0)[0, 0])
    b, sy = float(b[0, 0]), float(sy[0, 0])
    y = np.linspace(-(b + 8 * sy) - 1e-3, b + 8 * sy + 1e-3, 401)
    z = np.linspace(0.0, top, 401)
    field = plume.concentration(np.full((z.size, y.size), x), y[None, :], z[:, None])
    return float(plume.speed([x])[0, 0]) * np.trapezoid(np.trapezoid(field, y, axis=1), z)


def _hand_off(plume):
    """Distance where the jet's round section ends: the first station whose profile has a
    flat core or is wider than tall (touchdown, or the hand-off of a jet in the air), or
    where the height stops changing."""
    moving = np.abs(np.diff(plume.height[0])) > 0
    round_ = plume.sigma_y[0] == plume.sigma_z[0]
    jet_stations = round_[:-1] & (moving | round_[1:])
    return float(plume.x[0][np.argmin(jet_stations)]) if jet_stations.any() else 0.0


@settings(max_examples=examples(6, share=10), deadline=None)
@given(jets)
def test_mass_flux_is_conserved_through_the_jet_and_the_hand_off(r):
    """u * integral(C dy dz) = Q within 2 % along the jet, at its hand-off and beyond
    (issue property; the model's own speed: the jet's along its axis, then the cloud's)."""
    plume = _jet_plume(r)
    x_hand = _hand_off(plume)
    # through the jet in the air, on the ground (touchdown to hand-off) and beyond
    xs = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
    if x_hand > 0.5:
        xs += [0.5 * x_hand, 0.999 * x_hand, 1.001 * x_hand]
    for x in xs:
        assert _flux(plume, x) == pytest.approx(r["rate"], rel=0.02), x


# A dense vertical jet from 28 m that rises to 60 m, stalls there and sinks back to the
# ground: one step of its march used to cross the apex (the jet's entrainment vanishes there)
# and came out over 700 m downwind falling at over 30 m/s, its cloud then dropping 55 m between
# two neighbouring stations (a 7 % step in concentration, 8 % in width).
APEX = {
    "rate": 31.0,
    "velocity": 133.87,
    "angle": 90.0,
    "height": 28.0,
    "molar_mass": 0.06688,
    "temperature": 237.69,
    "liquid": 0.1708,
    "stability": "C",
    "wind": 1.9,
}

# vertical jets of a gas denser than air from a height, which rise, stall and come back down
dense_vertical = st.fixed_dictionaries(
    {
        "rate": st.floats(1.0, 50.0),
        "velocity": st.floats(30.0, 300.0),
        "angle": st.just(90.0),
        "height": st.floats(10.0, 30.0),
        "molar_mass": st.floats(0.04, 0.08),
        "temperature": st.floats(200.0, 300.0),
        "liquid": st.floats(0.0, 0.5),
        "stability": st.sampled_from("ABCDEF"),
        "wind": st.floats(1.5, 4.0),
    }
)


@settings(max_examples=examples(6, share=10), deadline=None)
@given(dense_vertical)
@example(APEX)
def test_a_dense_vertical_jet_from_a_height_conserves_its_flux_and_is_continuous(r):
    """The issue's properties on vertical jets of a dense gas from 10-30 m: u * integral(C
    dy dz) = Q within 2 % from 1 m to 3 km (through the rise, the apex, the fall and the
    ground), and no step over 5 % between neighbouring points of 4,000 (as below)."""
    plume = _jet_plume(r)
    for x in (1.0, 10.0, 30.0, 100.0, 200.0, 400.0, 700.0, 1000.0, 3000.0):
        assert _flux(plume, x) == pytest.approx(r["rate"], rel=0.02), x
    _assert_continuous(plume)


@settings(max_examples=examples(15), deadline=None)
@given(jets)
@example(APEX)
@example(  # a cold dense vertical jet that stalls at its apex and falls back to the ground
    {
        "rate": 1.0,
        "velocity": 30.0,
        "angle": 90.0,
        "height": 1.0,
        "molar_mass": 0.0625,
        "temperature": 200.0,
        "liquid": 0.0,
        "stability": "D",
        "wind": 2.0,
    }
)
def test_concentration_and_section_are_continuous_through_the_jet_and_the_hand_off(r):
    """No step larger than 5 % between neighbouring points from 0.5 m to 10 km in the
    mixture's concentration on the axis, the section's width and depth, and no jump in the
    axis height beyond 5 % of the section's depth."""
    _assert_continuous(_jet_plume(r))


@pytest.mark.parametrize("rate, temperature", [(15.0, 201.0), (8.0, 200.0)])
def test_a_low_two_phase_vertical_jet_in_light_wind_is_continuous(rate, temperature):
    """The cases the continuity property above found failing: 30 m/s straight up from 1 m,
    half droplets, class A 1.5 m/s. The jet falls back and touches down 6 m downwind,
    where its cross-flow entrainment stops (34 -> 0.2 kg/(m s)); one unresolved step of
    the march across that threw it to 673 m with a core 1.5 km wide, which the path
    interpolated linearly (a 19 % step near its end). The march now also halves a step
    whose entrainment changes more than twofold (``physics.jet.MAX_ENTRAINMENT_CHANGE``)
    and checks the hand-off at every sub-step."""
    r = {
        "rate": rate,
        "velocity": 30.0,
        "angle": 90.0,
        "height": 1.0,
        "molar_mass": 0.0625,
        "temperature": temperature,
        "liquid": 0.5,
        "stability": "A",
        "wind": 1.5,
    }
    _assert_continuous(_jet_plume(r))


# Found by a random exploration over every input of the model (bench/VALIDATION.md, "The
# property tests over every input of the model"): a cold, dense gas sent straight up at
# 30 m/s from 1 m in class A 1.5 m/s over rough ground rises to 17 m and falls back steeply.
# Its path's section is normal to the path (area m / (rho V)); the ground phase's is normal
# to the wind (m / (rho u_x)). Where it hands over, still falling at about 66 degrees, V / u_x
# is 2.5: between two neighbouring stations 6 % apart its depth grows 3.2x and the axis
# concentration falls 30 %. The property's 4,000 points, interpolated between stations,
# show a 5.1 % step in depth; the ground-level value is 0.076-0.099 kg/m3 from 7.5 to 10 m,
# at most 6 % apart 0.1 m apart.
@pytest.mark.xfail(
    strict=True, reason="a steeply falling jet's section changes plane at its hand-off"
)
def test_a_cold_dense_jet_falling_steeply_hands_over_without_a_step():
    r = {
        "rate": 95.0,
        "velocity": 30.0,
        "angle": 90.0,
        "height": 1.0,
        "molar_mass": 0.125,
        "temperature": 110.0,
        "liquid": 0.0,
        "stability": "A",
        "wind": 1.5,
    }
    plume = _jet_plume(r, ambient=Ambient(1.5, "A", 1.0, 253.0, 0.0, averaging_time_s=60.0))
    # the station-to-station growth of the depth and fall of the axis value, where the
    # stations are 6 % apart (a passive cloud's depth grows by under 10 % per station)
    sz, c = plume.sigma_z[0], plume.c[0]
    near = (plume.x[0] > 1.0) & (plume.x[0] < 100.0)
    assert np.max(sz[1:][near[1:]] / sz[:-1][near[1:]]) < 1.25
    assert np.min(c[1:][near[1:]] / c[:-1][near[1:]]) > 0.8


# found by the fuzz run (seventeenth session; the same on that session's starting commit):
# 43 kg/s of a light gas (0.016 kg/mol at 289 K) sent out horizontally at 30 m/s from 0.5 m
# in class F 1.5 m/s rises to 288 m through the surface layer carried up (no boundary layer
# above it, bench/VALIDATION.md), and its axis value steps 5.1 % at the hand-off at 235 m
@pytest.mark.xfail(strict=True, reason="a light jet risen 288 m in class F: a 5.1 % step")
def test_a_light_jet_rising_hundreds_of_metres_in_stable_air_hands_over_without_a_step():
    r = {
        "rate": 43.0,
        "velocity": 30.0,
        "angle": 0.0,
        "height": 0.5,
        "molar_mass": 0.016,
        "temperature": 289.0,
        "liquid": 0.0,
        "stability": "F",
        "wind": 1.5,
    }
    _assert_continuous(_jet_plume(r))


def _assert_continuous(plume):
    """No step over 5 % between neighbouring points of 4,000 from 0.5 m to 10 km (axis,
    width, depth), no jump in the axis height beyond 5 % of the depth, and the mixture only
    dilutes."""
    x = np.geomspace(0.5, 10_000.0, 4000)
    c, b, sy, sz, h = (v[0] for v in plume.profile(x))
    for name, v in (("axis", c), ("width", 2 * b + math.sqrt(2 * math.pi) * sy), ("depth", sz)):
        assert np.abs(np.diff(np.log(v))).max() < math.log(1.05), name
    assert np.all(np.abs(np.diff(h)) < 0.05 * sz[1:]), "height"
    assert np.all(np.diff(c) <= 1e-9 * c[:-1]), "the mixture only dilutes"


@pytest.mark.parametrize("stability", ["D", "F"])
def test_a_jet_with_negligible_momentum_is_the_model_without_a_jet(stability):
    """A release no denser than the air, no faster than the wind or whose own entrainment
    at the hole does not exceed the atmosphere's, has no jet phase: the same plume as
    without a jet."""
    ch4 = substances.lookup("methane")
    ambient = Ambient(3.0, stability, 0.1)
    x = np.array([1.0, 10.0, 100.0, 1000.0, 9000.0])
    warm = {"temperature_K": 293.15, "height_m": 2.0}
    plain = integral_plume(substance_release(ch4, 2.0, **warm), ambient)
    inv_l = atmosphere.inverse_obukhov_length(stability, 0.1)
    at_hole = atmosphere.wind_speed(2.0, atmosphere.friction_velocity(3.0, 0.1, inv_l), 0.1, inv_l)
    for v in (0.9 * at_hole, 1.25 * at_hole):
        slow = integral_plume(substance_release(ch4, 2.0, jet_velocity_m_s=v, **warm), ambient)
        assert_allclose(slow.centreline(x), plain.centreline(x), rtol=1e-12)
        assert_allclose(slow.centreline(x, z=2.0), plain.centreline(x, z=2.0), rtol=1e-12)


@pytest.mark.parametrize("stability", ["D", "F"])
@pytest.mark.parametrize("rate", [0.1, 2.0, 20.0])
def test_a_dense_release_at_rest_above_the_ground_is_brought_down(stability, rate):
    """Chlorine vapour at its boiling point let out at 2 m with no speed of its own, or
    slower than the wind, is dense by the workbook's criterion (Britter & McQuaid 1988,
    (g0' q0 / D)^(1/3) / u >= 0.15): it is brought down to the ground at its source, the
    same cloud as the release on the ground. Held at 2 m, as it was, it slumped into a sheet
    there: 10 kg/s in F over 1 m read 0.001 of the ground release at 100 m. Methane at the
    air's temperature, lighter than air, stays at its height."""
    cl2 = substances.lookup("chlorine")
    ambient = Ambient(3.0 if stability == "D" else 1.5, stability, 0.1)
    x = np.array([10.0, 100.0, 300.0, 1000.0, 3000.0])
    ground = integral_plume(substance_release(cl2, rate), ambient)
    for v in (0.0, 0.5):
        up = integral_plume(substance_release(cl2, rate, height_m=2.0, jet_velocity_m_s=v), ambient)
        assert np.all(up.height == 0.0)
        assert_allclose(up.centreline(x), ground.centreline(x), rtol=1e-9)
    ch4 = substances.lookup("methane")
    light = integral_plume(
        substance_release(ch4, rate, temperature_K=293.15, height_m=2.0), ambient
    )
    assert np.all(light.height == 2.0)


def test_a_dense_two_phase_jet_comes_down_and_a_light_vertical_one_rises():
    """Ammonia leaving as a two-phase horizontal jet at 1 m (half its airborne mass as
    droplets) cools and is denser than air while its droplets evaporate: it falls to the
    ground within the jet phase. Methane going straight up rises above its hole."""
    nh3 = substances.lookup("ammonia")
    down = integral_plume(
        substance_release(nh3, 7.4, liquid_fraction=0.5, height_m=1.0, jet_velocity_m_s=390.0),
        Ambient(2.0, "F", 0.1, 293.15, 0.5),
    )
    assert down.height[0, -1] == 0.0 and down.height[0, 0] == pytest.approx(1.0)
    assert down.centreline([50.0])[0, 0] > 1e-3  # on the ground at 50 m (kg/m3)
    ch4 = substances.lookup("methane")
    up = integral_plume(
        substance_release(
            ch4, 1.0, temperature_K=293.15, height_m=5.0, jet_velocity_m_s=300.0, jet_angle_deg=90
        ),
        Ambient(3.0, "D", 0.1),
    )
    assert up.height[0, -1] > 5.5


def test_jets_in_one_call_match_one_at_a_time():
    """Vectorised: a batch of jets and a point source gives each release's own answer (to
    1e-4: a batch iterates its jets' paths until all of them have converged)."""
    nh3 = substances.lookup("ammonia")
    rates, speeds, heights = np.array([7.4, 1.0, 3.0]), [390.0, 0.0, 150.0], [1.0, 0.0, 10.0]
    ambient = Ambient([2.0, 5.0, 3.0], ["F", "D", "E"], 0.1)
    batch = integral_plume(
        substance_release(
            nh3, rates, liquid_fraction=0.3, height_m=heights, jet_velocity_m_s=speeds
        ),
        ambient,
    )
    x = [5.0, 50.0, 500.0, 5000.0]
    for i, (u, s) in enumerate(zip((2.0, 5.0, 3.0), "FDE", strict=True)):
        one = integral_plume(
            substance_release(
                nh3,
                rates[i],
                liquid_fraction=0.3,
                height_m=heights[i],
                jet_velocity_m_s=speeds[i],
            ),
            Ambient(u, s, 0.1),
        )
        assert_allclose(batch.centreline(x)[i], one.centreline(x)[0], rtol=1e-4)


@pytest.mark.parametrize("stability", ["D", "F"])
def test_one_jet_on_floats_is_the_march_on_arrays(stability):
    """A single jet is marched on Python floats, a batch on arrays: the same jet alone and
    twice in one call give the same path and the same plume (to rounding). A two-phase
    ammonia jet, horizontal and denser than air, that comes down; methane going up."""
    nh3, ch4 = substances.lookup("ammonia"), substances.lookup("methane")
    jets = (
        (nh3, dict(liquid_fraction=0.5, height_m=1.0, jet_velocity_m_s=390.0)),
        (ch4, dict(temperature_K=293.15, height_m=5.0, jet_velocity_m_s=300.0, jet_angle_deg=90)),
    )
    air = cloud_mixing.moist_air(np.array([293.15]), np.array([0.5]))
    inv_l = atmosphere.inverse_obukhov_length(stability, 0.1)
    ustar = float(atmosphere.friction_velocity(2.0, 0.1, inv_l))
    on_floats = atmosphere.wind_speed_of_one(ustar, 0.1, inv_l)
    for substance, kw in jets:
        one = integral_plume(substance_release(substance, 7.4, **kw), Ambient(2.0, stability, 0.1))
        two = integral_plume(
            substance_release(substance, np.full(2, 7.4), **kw), Ambient(2.0, stability, 0.1)
        )
        assert one.height[0, 0] != one.height[0, -1]  # the jet phase moved the cloud
        for name in ("c", "height", "sigma_z", "u", "temperature"):
            assert_allclose(getattr(two, name)[1], getattr(one, name)[0], rtol=1e-9, err_msg=name)
        # the whole path (past any hand-off), with the same wind on floats and on arrays
        table = one.table
        pair = cloud_mixing.MixingTable(*(a if a.ndim == 1 else a.repeat(2, 0) for a in table))
        args = [7.4], [kw["jet_velocity_m_s"]], [math.radians(kw.get("jet_angle_deg", 0))]
        alone = jet.jet_path(
            *args,
            [kw["height_m"]],
            table,
            air.density,
            lambda z, r: on_floats(max(z, 0.2)),
        )
        both = jet.jet_path(
            *(a * 2 for a in args),
            [kw["height_m"]] * 2,
            pair,
            air.density.repeat(2),
            lambda z, r: atmosphere.wind_speed(np.maximum(z, 0.2), ustar, 0.1, inv_l),
        )
        for name, a, b in zip(jet.JetPath._fields, alone, both, strict=True):
            assert_allclose(b[1], a[0], rtol=1e-9, err_msg=name)


def test_a_jet_from_a_pool_is_refused_in_one_line():
    with pytest.raises(ValueError, match="a jet leaves a hole"):
        integral_plume(
            Release(1.0, 0.0709, 239.0, area_m2=10.0, jet_velocity_m_s=50.0), Ambient(3.0, "D")
        )


@pytest.mark.parametrize(("rate", "s"), [(1.0, 1e-3), (1.0, 3e-4), (10.0, 1e-3), (10.0, 3e-4)])
def test_a_buoyant_plume_in_stable_air_rises_as_briggs_says_and_no_higher(rate, s):
    """A light gas (methane at 20 degC) let out slowly upward in a 5 m/s wind, 50 m up, in
    air of constant stability s = g/T dtheta/dz: the bent-over plume stops rising at
    Briggs's (1975) stable buoyant rise, Delta h = 2.6 (F / (u s))^(1/3), F = g Q / rho_0
    (1 - rho_0 / rho_a) / pi, within 10 % (the model's entrainment beta = 0.6 gives
    (6 / beta^2)^(1/3) = 2.55 in place of 2.6 for a plume bent over from the start).
    Without the stratification it would go on rising. Marched without a hand-off, the path
    is taken up to its first point that is not finite (where the march would hand over:
    oscillating about its level far downwind, the plume can stall with no entrainment)."""
    air, table = _table(0.016)
    rho_a, rho_0 = float(air.density[0]), float(table.density[0, -1])
    h, u = 50.0, 5.0
    path = jet.jet_path(
        [rate], [6.0], [math.pi / 2], [h], table, air.density, lambda z, r: u,
        stratification=lambda z: s * (z - h),
    )  # fmt: skip
    flux = 9.80665 * rate / rho_0 * (1.0 - rho_0 / rho_a) / math.pi
    briggs = 2.6 * (flux / (u * s)) ** (1.0 / 3.0)
    z = path.z[0]
    upto = z.size if np.all(np.isfinite(z)) else int(np.argmin(np.isfinite(z)))
    assert z[:upto].max() - h == pytest.approx(briggs, rel=0.1)
    neutral = jet.jet_path([rate], [6.0], [math.pi / 2], [h], table, air.density, lambda z, r: u)
    assert neutral.z[0].max() - h > 5.0 * briggs


def test_stable_buoyancy_is_businger_s_temperature_profile():
    """atmosphere.stable_buoyancy integrates Businger et al.'s (1971) stable
    dtheta/dz = theta* phi_h(z/L) / (k z), phi_h = 0.74 + 4.7 z/L, theta* = u*^2 T / (k g
    L), times g / T; zero in neutral and unstable air; its float form agrees."""
    ustar, z0, inv_l, ref = 0.2, 0.1, 1.0 / 40.0, 2.0
    z = np.linspace(ref, 300.0, 20001)
    slope = ustar**2 * inv_l / atmosphere.VON_KARMAN**2 * (0.74 / z + 4.7 * inv_l)
    integral = np.concatenate(([0.0], np.cumsum(np.diff(z) * (slope[1:] + slope[:-1]) / 2)))
    got = atmosphere.stable_buoyancy(z, ref, ustar, z0, inv_l)
    assert_allclose(got, integral, rtol=1e-5, atol=1e-9)
    one = atmosphere.stable_buoyancy_of_one(ref, ustar, z0, inv_l)
    assert one(150.0) == pytest.approx(
        float(atmosphere.stable_buoyancy(150.0, ref, ustar, z0, inv_l))
    )
    for il in (0.0, -1.0 / 30.0):
        assert np.all(atmosphere.stable_buoyancy(z, ref, ustar, z0, il) == 0.0)
        assert atmosphere.stable_buoyancy_of_one(ref, ustar, z0, il)(150.0) == 0.0


@pytest.mark.parametrize(
    "r",
    [
        {"rate": 5.75, "velocity": 216.0, "height": 21.5, "molar_mass": 0.072265625,
         "temperature": 215.0, "liquid": 0.296875, "wind": 2.4375},
        {"rate": 26.5, "velocity": 151.0, "height": 23.5, "molar_mass": 0.04,
         "temperature": 246.0, "liquid": 0.1875, "wind": 1.5},
    ],
)  # fmt: skip
def test_a_dense_jet_sent_up_in_stable_air_sinks_without_a_step(r):
    """Cases a wider random search found: dense jets sent up 21-24 m in class F. With the
    ambient taken at their axis they came down, touched, and their axis rose again (the
    air they had taken in aloft lighter than the surface inversion's), a 6.8 % step in
    height; with the ambient taken at the cloud's centroid (its section reflected at the
    ground, ``physics.jet._centroid``) they come down and stay, every step under 5 %."""
    _assert_continuous(_jet_plume(r | {"angle": 90.0, "stability": "F"}))


@pytest.mark.parametrize("stability", ["E", "F"])
def test_a_light_gas_jet_in_stable_air_levels_off_and_is_continuous(stability):
    """The case a wider random search found: 32 kg/s of methane at 200 K let out
    horizontally at 30 m/s, 0.5 m up, 2 m/s. Before the stratification its plume rose
    3.4 km by 4.7 km (class E) with a 12 % step at its hand-off; now it levels off (296 m in
    E, 145 m in F) and every step is under 5 %."""
    r = {"rate": 32.0, "velocity": 30.0, "angle": 0.0, "height": 0.5, "molar_mass": 0.016,
         "temperature": 200.0, "liquid": 0.0, "stability": stability, "wind": 2.0}  # fmt: skip
    plume = _jet_plume(r)
    _assert_continuous(plume)
    assert float(plume.height[0].max()) < 400.0


def _finer_jet_grid(monkeypatch, factor):
    """The jet's mass grid and its sub-steps, each ``factor`` times finer."""
    mass = np.geomspace(1.0, jet.MASS_RATIO[-1], (jet.MASS_RATIO.size - 1) * factor + 1)
    sub = jet.SUBSTEPS * factor
    names = ("MASS_RATIO", "SUBSTEPS", "_FINE", "_FINE_LIST", "_CELL", "_FRAC")
    for name, value in zip(names, (mass, sub, *jet.sub_steps(mass, sub)), strict=True):
        monkeypatch.setattr(jet, name, value)


_OSCILLATING = (
    # found after 3,111 draws of dense_vertical; checked at 300 m-2 km
    ({"rate": 4.81640625, "velocity": 200.1875, "angle": 90.0, "height": 27.125,
      "molar_mass": 0.07282395279822307, "temperature": 200.0, "liquid": 0.1875,
      "stability": "F", "wind": 1.75}, [300.0, 500.0, 800.0, 1000.0, 1400.0, 2000.0]),
    # found after 1,695 draws once the first was mended (28 to 51 m at 5.6 km); to 8 km
    ({"rate": 10.21875, "velocity": 157.625, "angle": 90.0, "height": 23.09375,
      "molar_mass": 0.045982832552551055, "temperature": 238.5, "liquid": 0.013671875,
      "stability": "F", "wind": 2.0}, [500.0, 1000.0, 2000.0, 3000.0, 4500.0, 5500.0, 8000.0]),
)  # fmt: skip


@pytest.mark.parametrize(("r", "x"), _OSCILLATING)
def test_a_dense_jet_oscillating_about_its_level_in_stable_air_is_resolved(r, x, monkeypatch):
    """Found by a longer random search: 4.8 kg/s sent up at 200 m/s from 27 m, class F
    1.75 m/s. It rises to 44 m, comes down, its section reaches the ground at 330 m and its
    axis oscillates about 20-30 m (the stable air's buoyancy period). It failed the height
    check twice over: on a 4x finer grid it handed over at its apex and stayed at 44 m (a
    dense cloud left in the air: 1e-54 kg/m3 at the ground at 300 m), while on the default
    grid Heun's step, not resolving the oscillation, amplified it to 40 m and dropped the
    cloud (a 5.4 % height step at 1.8 km). Now a dense cloud in the air goes on falling past
    the hand-off criterion and a sub-step is halved where it takes more than
    MAX_BUOYANCY_PHASE of the air's buoyancy period: continuous, and within 12 % of the 4x
    finer grid's ground concentration. The second
    case, found once the first was mended, rose from 28 to 51 m at 5.6 km and dropped to
    the ground before the buoyancy period was resolved."""
    plume = _jet_plume(r)
    _assert_continuous(plume)
    default = plume.centreline(x)[0]
    _finer_jet_grid(monkeypatch, 4)
    finer = _jet_plume(r).centreline(x)[0]
    assert finer.min() > 3e-5  # on the ground, not left in the air
    assert_allclose(default, finer, rtol=0.12)
