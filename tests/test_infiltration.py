"""Tests for physics.infiltration: the LBL (Sherman-Grimsrud) basic model of the ASHRAE
Handbook of Fundamentals and the EN 15242 leakage by building use.

Oracles: the Handbook's wind coefficients in I-P units, (cfm/in2)^2/mph^2, as transcribed
in Kreider, Curtiss & Rabl, Heating and Cooling of Buildings (CRC Press, companion tables,
"from ASHRAE, 1989") — an independent transcription of the same table, turned into SI by
unit conversion alone; the EnergyPlus Input Output Reference's own example object
(ZoneInfiltration:EffectiveLeakageArea: 500 cm2, C_s 0.000145, C_w 0.000174) evaluated in its
units, L/s = cm2 / 1000 * 1000 ... through its documented equation; EN 15242:2007 Annex B
Table B.1 (flow at 4 Pa per floor area) through the orifice equation (closed form); a
published worked example of the leakage area from a pressurisation test (the documentation
of the open-source SIMPLE simulator, germolinal/simple model/src/infiltration.rs, commit
7ffc1e06, which attributes it to Sherman & Grimsrud 1980; one transcription, not checked
against the paper).

Not found: a worked example of the basic model's flow with its stack and wind coefficients
(the Handbook's ch. 16 / ch. 26 examples, EnergyPlus tests, course notes) in any public
transcription the project could reach (see physics/data/README.md); none is assumed.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from physics import infiltration

# Kreider, Curtiss & Rabl (CRC), wind coefficient table "from ASHRAE, 1989", I-P column:
# shelter classes 1-5 (rows) by one, two, three storeys (columns). [(cfm/in2)^2 / mph^2]
WIND_IP = (
    (0.0119, 0.0157, 0.0184),
    (0.0092, 0.0121, 0.0143),
    (0.0065, 0.0086, 0.0101),
    (0.0039, 0.0051, 0.0060),
    (0.0012, 0.0016, 0.0018),
)
CFM_PER_IN2_M_S = (0.3048**3 / 60.0) / 0.0254**2  # 1 cfm/in2 in m/s (exact definitions)
MPH_M_S = 0.44704  # exact


@pytest.mark.parametrize("shelter", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("storeys", [1, 2, 3])
def test_wind_coefficients_agree_with_the_ip_transcription(shelter, storeys):
    """The SI table (EnergyPlus transcription x 100) equals the I-P table of the other
    transcription converted: C_w[SI] = C_w[IP] (cfm/in2 per m/s)^2 / (mph per m/s)^2, within
    the rounding of the I-P table's last digit."""
    ip = WIND_IP[shelter - 1][storeys - 1]
    si = ip * CFM_PER_IN2_M_S**2 / MPH_M_S**2
    assert float(infiltration.wind_coefficient(storeys, shelter)) == pytest.approx(si, rel=0.03)


def test_wind_driven_flow_is_the_ip_formula_converted():
    """No temperature difference: Q = A_L U sqrt(C_w). 100 in2 of leakage, 10 mph, two storeys,
    shelter class 3, computed in I-P units from the I-P table gives the same flow."""
    area_in2, u_mph = 100.0, 10.0
    q_cfm = area_in2 * math.sqrt(WIND_IP[2][1] * u_mph**2)
    q = infiltration.infiltration_flow(area_in2 * 0.0254**2, 0.0, u_mph * MPH_M_S, 2, 3)
    assert float(q) == pytest.approx(q_cfm * 0.3048**3 / 60.0, rel=0.01)


def test_energyplus_example_object_through_its_equation():
    """EnergyPlus's example: A_L 500 cm2, C_s 0.000145 (L/s)^2/(cm^4 K) (one storey),
    C_w 0.000174 (one storey, shelter class 3); its equation gives
    Q [m3/s] = A_L / 1000 * sqrt(C_s dT + C_w U^2). At dT = 20 K and U = 4 m/s the model in SI
    must give the same flow."""
    expected = 500.0 / 1000.0 * math.sqrt(0.000145 * 20.0 + 0.000174 * 4.0**2)
    q = infiltration.infiltration_flow(500e-4, 20.0, 4.0, storeys=1, shelter_class=3)
    assert float(q) == pytest.approx(expected, rel=1e-9)


def test_leakage_area_of_the_published_pressurisation_example():
    """SIMPLE's documentation (example attributed to Sherman & Grimsrud 1980): a blower-door
    fit Q = 0.0555 dp^0.6032 gives 0.128 m3/s at 4 Pa, and with air at 1.2 kg/m3 an effective
    leakage area of 0.0496 m2 (printed to three figures)."""
    assert float(infiltration.leakage_area_from_flow(0.128)) == pytest.approx(0.0496, abs=5e-5)
    q4 = 0.0555 * 4.0**0.6032
    assert q4 == pytest.approx(0.128, abs=5e-4)


def test_stack_coefficients_scale_with_storeys_and_stop_at_three():
    assert_allclose(infiltration.stack_coefficient([1, 2, 3, 8]), [0.0145, 0.029, 0.0435, 0.0435])


def test_en15242_leakage_through_the_orifice_equation():
    """EN 15242 Table B.1, single family average: 1.8 m3/h per m2 of floor at 4 Pa;
    A_L = Q / sqrt(2 * 4 / 1.2)."""
    expected = (1.8 / 3600.0) / math.sqrt(2.0 * 4.0 / 1.2)
    assert infiltration.leakage_per_floor_area("single_family") == pytest.approx(expected)
    assert infiltration.leakage_per_floor_area("industrial", "high") == pytest.approx(
        (6.0 / 3600.0) / math.sqrt(2.0 * 4.0 / 1.2)
    )


def test_air_change_rate_is_flow_over_volume():
    q = infiltration.infiltration_flow(2e-4 * 300.0, 8.0, 3.0, 2, 3)
    ach = infiltration.air_change_rate(2e-4, 2.5, 8.0, 3.0, 2, 3)
    assert float(ach) == pytest.approx(float(q) / (300.0 * 2.5))


def test_scalar_and_array_inputs():
    q = infiltration.infiltration_flow([0.01, 0.02], [10.0, 10.0], 3.0, [1, 2], [3, 4])
    assert q.shape == (2,)
    assert q[0] == pytest.approx(float(infiltration.infiltration_flow(0.01, 10.0, 3.0, 1, 3)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"leakage_area_m2": -0.01}, "leakage area"),
        ({"wind_speed_m_s": -1.0}, "wind speed"),
        ({"storeys": 0}, "storeys"),
        ({"shelter_class": 6}, "shelter class"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    args = dict(leakage_area_m2=0.01, temperature_difference_K=5.0, wind_speed_m_s=2.0)
    with pytest.raises(ValueError, match=match):
        infiltration.infiltration_flow(**{**args, **kwargs})


def test_unknown_leakage_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match="industrial"):
        infiltration.leakage_per_floor_area("castle")


@settings(max_examples=60, deadline=None)
@given(
    area=st.floats(1e-4, 1.0),
    dt=st.floats(0.0, 40.0),
    u=st.floats(0.0, 20.0),
    extra=st.floats(0.1, 10.0),
    storeys=st.integers(1, 3),
    shelter=st.integers(1, 4),
)
def test_flow_grows_with_wind_temperature_difference_and_leakage(
    area, dt, u, extra, storeys, shelter
):
    """Monotonic: more wind, a larger temperature difference (either sign), more leakage
    give more flow; more shelter gives less; the flow is linear in the leakage area."""
    f = infiltration.infiltration_flow
    q = float(f(area, dt, u, storeys, shelter))
    assert float(f(area, dt, u + extra, storeys, shelter)) >= q
    assert float(f(area, dt + extra, u, storeys, shelter)) >= q
    assert float(f(area, -(dt + extra), u, storeys, shelter)) >= q
    assert float(f(area, dt, u, storeys, shelter + 1)) <= q
    assert float(f(2 * area, dt, u, storeys, shelter)) == pytest.approx(2 * q)
    assert np.isfinite(q) and q >= 0
