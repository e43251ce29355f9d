"""Choosing and composing the source term of a tank or pipeline (scenarios.release)."""

import math

import numpy as np
import pytest

from physics import substances
from scenarios.release import cloud_density, source_term
from twin import load_park, tank_inventory_kg


@pytest.fixture(scope="module")
def park():
    return load_park("demo")


def test_pressurised_ammonia_flashes(park):
    term = source_term(park, "NH-101", hole_diameter_m=0.05)
    assert "flashing" in term.model
    nh3 = substances.lookup("ammonia")
    # flash fraction = Cp (T - Tb) / h_fg at Tb (Crowl & Louvar eq. 4-90), closed form
    expected = (
        float(nh3.liquid_heat_capacity(293.15))
        * (293.15 - nh3.boiling_point_K)
        / float(nh3.heat_of_vaporisation(nh3.boiling_point_K))
    )
    assert term.outflow.flash_fraction == pytest.approx(expected, rel=1e-6)
    assert term.cloud_temperature_K == pytest.approx(nh3.boiling_point_K)
    assert term.pool is not None and term.pool.boiling
    assert 0 < term.aerosol_fraction < 1
    # vapour at -33 degC is lighter than air, but with its droplets the cloud is denser
    assert cloud_density(term) > 1.2


def test_atmospheric_liquid_drains_into_its_dike(park):
    term = source_term(park, "BZ-101", hole_diameter_m=0.05)
    assert "dike" in term.model and not term.pool.boiling
    assert term.pool.area_m2.max() <= park.tanks.loc["BZ-101", "dike_area_m2"] + 1e-6
    # mass balance of the pool: inflow = evaporated + remaining (within 0.1 %)
    p = term.pool
    assert p.inflow_kg[-1] == pytest.approx(p.evaporated_kg[-1] + p.mass_kg[-1], rel=1e-3)


def test_rupture_is_instantaneous(park):
    term = source_term(park, "LP-101", rupture=True)
    inventory = float(tank_inventory_kg(park.tanks.loc[["LP-101"]]).iloc[0])
    assert term.inventory_kg == pytest.approx(inventory)
    assert term.instantaneous_kg == pytest.approx(inventory * (1 - term.outflow.rainout_fraction))


def test_gas_line_feeds_the_hole_until_isolation(park):
    term = source_term(park, "P-H2S-01", hole_diameter_m=0.05, isolation_s=300.0)
    flow = park.pipelines.loc["P-H2S-01", "flow_kg_s"]
    assert term.airborne_kg_s[term.times_s < 290].min() >= flow * 0.999
    assert term.airborne_kg_s[term.times_s > 900].max() < flow


def test_rate_averaging():
    """The 60 s average of a rate that is 1 kg/s for 30 s then 0 is 0.5 kg/s."""
    from scenarios.release import SourceTerm

    park = load_park("demo")
    term = source_term(park, "BZ-101", hole_diameter_m=0.05)
    t = np.array([0.0, 30.0, 30.001, 600.0])
    fake = SourceTerm(
        **{**term.__dict__, "times_s": t, "airborne_kg_s": np.array([1.0, 1.0, 0.0, 0.0])}
    )
    assert fake.max_average_rate(60.0) == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize(
    ("asset", "kwargs", "message"),
    [
        ("T-999", dict(hole_diameter_m=0.05), "unknown asset 'T-999'"),
        ("CL-101", dict(hole_diameter_m=3.0), "larger than the tank"),
        ("P-CL2-01", dict(hole_diameter_m=0.08), "larger than the pipeline"),
        ("BZ-101", dict(hole_diameter_m=-0.05), "positive size"),
        ("BZ-101", dict(hole_diameter_m=0.05, hole_height_m=12.0), "above the liquid level"),
    ],
)
def test_bad_input(park, asset, kwargs, message):
    with pytest.raises(ValueError, match=message):
        source_term(park, asset, **kwargs)


def test_diffusivity_in_air():
    """Chapman-Enskog diffusivities are near the measured 0.09-0.10 cm2/s of benzene in air at
    25 degC (Poling et al. 2001 Table 11-2 lists measured values of this size); this checks
    units and magnitude, a factor error fails."""
    d = float(substances.diffusivity_in_air("71-43-2", 298.15)) * 1e4
    assert 0.08 < d < 0.11
    assert math.isfinite(float(substances.schmidt_number_in_air("75-21-8", 293.15)))
