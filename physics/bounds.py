"""Physical plausibility bounds of the weather people give: outside them a value is a typing
or unit mistake (or weather no model here was made for), and is refused at the boundary.

Each bound names where it comes from:

- ``WIND_SPEED``: the mean wind at 10 m, from calm up to, but not including, hurricane force:
  Beaufort force 12 begins at 64 kn (32.9 m/s) of 10-minute mean wind at 10 m (the Beaufort
  wind force scale as used by the WMO; the same 64 kn in every published table). The
  dispersion correlations used here (Pasquill-Gifford and Briggs sigmas, Britter-McQuaid)
  were fitted to field trials in light and moderate winds, never in a hurricane.
- ``AIR_TEMPERATURE``: between the lowest and the highest air temperature ever measured on
  Earth: -89.2 degC (Vostok, Antarctica, 21 July 1983) and 56.7 degC (Greenland Ranch, Death
  Valley, 10 July 1913), as recognised by the WMO World Weather and Climate Extremes
  Archive.
"""

import math
from dataclasses import dataclass

KNOT_M_S = 1852.0 / 3600.0  # the international knot: one nautical mile (1852 m) per hour


@dataclass(frozen=True)
class Bound:
    """A closed range of an SI quantity, shown to people in ``unit`` (``value + offset``)."""

    quantity: str
    low: float
    high: float
    unit: str
    source: str
    offset: float = 0.0

    def check(self, value: float) -> float:
        """Return ``value`` [SI] if it lies inside the bound; else raise ValueError saying
        what was expected and why."""
        if not (math.isfinite(value) and self.low <= value <= self.high):
            lo, hi, got = (round(v + self.offset, 1) for v in (self.low, self.high, value))
            raise ValueError(
                f"expected {self.quantity} of {lo:g} to {hi:g} {self.unit} ({self.source}), "
                f"got {got:g} {self.unit}"
            )
        return value


WIND_SPEED = Bound(
    "a wind speed at 10 m",
    0.0,
    64.0 * KNOT_M_S,
    "m/s",
    "from 64 kn it is hurricane force, Beaufort 12, beyond the field trials of the "
    "dispersion models",
)
AIR_TEMPERATURE = Bound(
    "an air temperature",
    273.15 - 89.2,
    273.15 + 56.7,
    "degC",
    "the lowest and highest ever measured on Earth, WMO extremes archive",
    offset=-273.15,
)
