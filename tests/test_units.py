"""Parsing quantities written by people into SI (physics.units)."""

import pytest

from physics.units import parse_quantity


@pytest.mark.parametrize(
    ("text", "dimension", "expected"),
    [
        ("50 mm", "m", 0.05),
        ("5 t", "kg", 5000.0),
        ("3 m/s", "m/s", 3.0),
        ("36 km/h", "m/s", 10.0),
        ("20 degC", "K", 293.15),
        ("60 min", "s", 3600.0),
        ("0.8 MPa(g)", "Pa", 901325.0),  # gauge + one standard atmosphere
        ("1 atm", "Pa", 101325.0),
        ("12.5 kW/m2", "W/m2", 12500.0),
        ("2.5e-1 kg/s", "kg/s", 0.25),
    ],
)
def test_parse(text, dimension, expected):
    assert parse_quantity(text, dimension) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("50", "has no unit"),
        ("fifty mm", "expected a number"),
        ("5 furlongs", "unknown unit"),
        ("5 kg", "is not a m quantity"),
    ],
)
def test_bad_quantities(text, message):
    with pytest.raises(ValueError, match=message):
        parse_quantity(text, "m")
