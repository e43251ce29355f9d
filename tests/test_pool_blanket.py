"""The vapour blanket over a pool (physics.pool_blanket, DEGADIS 2.1 SRC1): the fetch mean
of Phi against quadrature, van Ulden's gravity current against its closed form, the steady
state's balances, and the integral plume fed by it."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from physics import atmosphere, cloud_mixing, pool_blanket, pool_source, substances
from physics.integral_plume import Ambient, integral_plume, substance_release


def _pool(name, wind, stability, z0=0.1):
    """A 10 kg/s pool of 100 m2 of ``name`` as the bench's (20 degC, 50 % humidity): the
    vapour at its boiling point and DEGADIS's inputs."""
    sub = substances.lookup(name)
    rel = substance_release(sub, 10.0, area_m2=100.0)
    air = cloud_mixing.moist_air(np.array([293.15]), np.array([0.5]), np.array([101325.0]))
    table = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=rel.molar_mass_kg_mol,
        temperature_K=rel.temperature_K,
        liquid_fraction=0.0,
        vapour_cp_J_kgK=rel.vapour_cp_J_kgK,
        latent_heat_J_kg=rel.latent_heat_J_kg,
        boiling_point_K=rel.boiling_point_K,
    )
    inv_l = atmosphere.inverse_obukhov_length(np.array([stability]), np.array([z0]))
    ustar = atmosphere.friction_velocity(np.array([wind]), np.array([z0]), inv_l)
    kw = dict(
        air_density_kg_m3=air.density,
        friction_velocity_m_s=pool_source.degadis_friction_velocity(ustar),
        alpha=pool_source.power_law_exponent(z0, inv_l),
        wind_speed_m_s=wind,
    )
    return table, kw


def test_phi_hat_is_the_harmonic_mean_of_phi_along_the_fetch():
    """DEGADIS 2.1 PHIHAT's closed form (Spicer & Havens 1989): 2F1(1, 1/p; 1 + 1/p; -z)
    = integral_0^1 dt / (1 + z t^p), so Phi_hat is L / integral_0^L dx / Phi(Ri*(x)) with
    Ri*(x) = Ri*(L) (x / L)^(1/(1+alpha)); against quadrature, below and above z = 1."""
    for alpha in (0.1, 0.35):
        air = pool_blanket._Air(*(np.array([v]) for v in (1.2, 0.05, alpha, 2.0)))
        for density in (1.5, 3.0, 6.0):
            for fetch in (5.0, 50.0, 500.0):
                ri_l = float(pool_blanket.layer_richardson(density, fetch, air)[0])
                inv, _ = quad(
                    lambda t, ri_l=ri_l, alpha=alpha: (
                        1.0 / (0.88 + 0.099 * (ri_l * t ** (1.0 / (1.0 + alpha))) ** 1.04)
                    ),
                    0.0,
                    1.0,
                    limit=200,
                )
                got = float(pool_blanket.phi_hat(density, fetch, air)[0])
                assert got == pytest.approx(1.0 / inv, rel=1e-5), (alpha, density, fetch)
    neutral = pool_blanket._Air(*(np.array([v]) for v in (1.2, 0.3, 0.15, 5.0)))
    assert float(pool_blanket.phi_hat(1.1, 30.0, neutral)[0]) == pytest.approx(0.88)


def test_gravity_current_of_a_steady_supply_spreads_as_t_to_three_quarters(monkeypatch):
    """With no air taken in (epsilon 0) and no wind to take the gas up, a cylinder fed with
    Q_v m3/s of one gas spreads at dR/dt = C_E sqrt(g' H), H = Q_v t / (pi R^2): R^2 =
    R_0^2 + (4/3) C_E sqrt(g' Q_v / pi) t^(3/2) (van Ulden 1983's front, integrated)."""
    table, kw = _pool("chlorine", 2.0, "F")
    kw["friction_velocity_m_s"] = np.array([1e-9])  # the take-up ceiling ~ 0
    monkeypatch.setattr(pool_blanket, "EPSILON", 0.0)
    record = []
    pool_blanket.blanket(10.0, 5.0, table, record=record, t_end_s=400.0, **kw)
    t = np.array([r[0][0] for r in record])
    radius = np.array([r[1][0] for r in record])
    rho = float(table.density[0, -1])
    rho_a = float(kw["air_density_kg_m3"][0])
    gp = 9.80665 * (rho - rho_a) / rho_a
    closed = np.sqrt(
        25.0 + 4.0 / 3.0 * pool_blanket.C_E * math.sqrt(gp * 10.0 / rho / math.pi) * t**1.5
    )
    late = t > 50.0
    assert late.sum() > 10
    np.testing.assert_allclose(radius[late], closed[late], rtol=0.03)


@pytest.mark.parametrize("name", ["chlorine", "propane"])
def test_steady_blanket_balances_what_comes_in_and_what_leaves(name):
    """F 2 m/s: the blanket forms (the pool's 0.1 kg/(m2 s) is above the wind's ceiling)
    and at its steady state the vapour the wind takes up, q*_max pi R^2, is the pool's
    rate and the air leaving with it is the air its front takes in; in D 5 m/s no
    blanket forms (DEGADIS's ceiling over the pool is 0.25-0.27 kg/(m2 s))."""
    table, kw = _pool(name, 2.0, "F")
    bl = pool_blanket.blanket(10.0, math.sqrt(100.0 / math.pi), table, **kw)
    assert bool(bl.formed[0])
    r, wc, rho = bl.radius_m[0], bl.vapour_mass_fraction[0], bl.density_kg_m3[0]
    air = pool_blanket._air(*kw.values())
    ceiling = float(pool_blanket.take_up_ceiling(wc * rho, rho, 2.0 * r, air)[0])
    assert ceiling * math.pi * r * r == pytest.approx(10.0, rel=1e-3)
    assert bl.air_kg_s[0] == pytest.approx(10.0 * (1.0 - wc) / wc, rel=1e-3)
    assert 20.0 < r < 200.0 and 0.0 < wc < 1.0
    table_d, kw_d = _pool(name, 5.0, "D")
    none = pool_blanket.blanket(10.0, math.sqrt(100.0 / math.pi), table_d, **kw_d)
    assert not none.formed[0] and none.radius_m[0] == pytest.approx(math.sqrt(100.0 / math.pi))
    assert 0.2 < none.ceiling_kg_m2_s[0] < 0.3


def test_a_spill_shorter_than_the_blankets_growth_leaves_it_smaller():
    """A spill that ends before the blanket is steady (t_end_s, the release's duration in
    integral_plume) leaves it as it was then: the radius the march had reached at that
    time, smaller than the steady one, and the vapour fraction of that moment."""
    table, kw = _pool("chlorine", 2.0, "F")
    radius = math.sqrt(100.0 / math.pi)
    steady = pool_blanket.blanket(10.0, radius, table, **kw)
    record = []
    short = pool_blanket.blanket(10.0, radius, table, t_end_s=60.0, record=record, **kw)
    assert steady.time_s[0] > 60.0
    assert short.time_s[0] == pytest.approx(60.0)
    assert radius < short.radius_m[0] < steady.radius_m[0]
    before = [r for r in record if r[0][0] <= 60.0][-1]
    assert short.radius_m[0] >= before[1][0]


def test_plume_from_a_blanket_carries_the_release_rate():
    """integral_plume(pool="blanket"): past the blanket u * integral(C dy dz) = Q within 2 %
    (the issue's property), the blanket's radius is the source's half-length, and a pool
    the wind clears (D 5 m/s) is the same with either source over it."""
    cl2 = substances.lookup("chlorine")
    plume = integral_plume(
        substance_release(cl2, 10.0, area_m2=100.0), Ambient(2.0, "F", 0.1), pool="blanket"
    )
    radius = float(plume._shift[0])
    assert radius > 40.0
    for x in (radius + 5.0, 300.0, 3000.0):
        _, b, sy, sz, _ = (float(v[0, 0]) for v in plume.profile([x]))
        y = np.linspace(-(b + 9 * sy), b + 9 * sy, 1201)
        z = np.linspace(0.0, 9 * sz, 401)
        field = plume.concentration(np.full((z.size, y.size), x), y[None, :], z[:, None])
        flux = float(plume.speed([x])[0, 0]) * np.trapezoid(np.trapezoid(field, y, axis=1), z)
        assert flux == pytest.approx(10.0, rel=0.02), x
    with pytest.raises(ValueError, match="pool source"):
        integral_plume(substance_release(cl2, 10.0, area_m2=100.0), Ambient(2.0, "F"), pool="x")


@pytest.mark.parametrize("name", ["chlorine", "propane"])
def test_cloud_from_a_blanket_is_continuous_and_falls_downwind(name):
    """Past the blanket's edge, through the DEGADIS-entrainment phase and the hand-over to
    the vertical closure once the core has eroded: no step larger than 5 % between
    neighbouring points (the issue's property) and a centreline that never rises."""
    plume = integral_plume(
        substance_release(substances.lookup(name), 10.0, area_m2=100.0),
        Ambient(2.0, "F", 0.1),
        pool="blanket",
    )
    x = np.geomspace(-float(plume.x[0, 0]) + 1.0, 10_000.0, 4000)
    c, b, sy, _, _ = (v[0] for v in plume.profile(x))
    for what, v in (("centreline", c), ("width", 2 * b + math.sqrt(2 * math.pi) * sy)):
        assert np.abs(np.diff(np.log(v))).max() < math.log(1.05), what
    assert np.all(np.diff(c) <= 1e-12 * c[:-1])
