"""Parsing quantities written by people into SI (physics.units)."""

import pytest

from physics.units import parse_non_negative, parse_positive, parse_quantity, parse_wind


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
        ("5 kg", "is not a length: expected a unit of m, and .kg. measures a mass"),
    ],
)
def test_bad_quantities(text, message):
    with pytest.raises(ValueError, match=message):
        parse_quantity(text, "m")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_quantity, "1e999 s", "'1e999 s' is not a finite number"),
        (parse_quantity, "1e307 km", "too large to hold in m"),
        (parse_positive, "-5 min", "expected a quantity greater than 0 s"),
        (parse_positive, "0 s", "expected a quantity greater than 0 s"),
        (parse_non_negative, "-1 s", "expected a quantity of 0 s or more"),
    ],
)
def test_non_finite_and_out_of_range_quantities(parse, text, message):
    dimension = "m" if text.endswith("km") else "s"
    with pytest.raises(ValueError, match=message):
        parse(text, dimension)


def test_wind_above_hurricane_force_is_refused():
    # Beaufort force 12 (hurricane) begins at 64 kn of 10-minute mean wind at 10 m.
    assert parse_wind("63 kn from N")[0] == pytest.approx(63 * 0.514444)
    with pytest.raises(ValueError, match="hurricane force, Beaufort 12"):
        parse_wind("100 m/s from N")
