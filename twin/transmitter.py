"""What a transmitter reports when the process goes beyond its measuring range.

A 4-20 mA transmitter cannot report a value above the top of its range: its output stops
there (NAMUR NE 43 lets a measurement run to 20.5 mA, +3.125 % of the span, and reserves
>= 21 mA for failure; as described by public summaries, the recommendation itself was not
at hand). A reading at or above the top of the range is therefore "over range": the
process is at least that high. It is a true process value, not an instrument fault
(`twin.plausibility` says so), and whoever simulates a sensor (the engine's detectors)
reports it the same way.

A reading beyond the measuring band (above +3.125 % or below -1.25 % of the span, 20.5 and
3.8 mA) is no measurement at all: NE 43 reserves that region for failure signals. The twin
flags such a reading (`twin.monitor`, rule ``out_of_range``) and no estimate rests on it
(`twin.leak`).
"""

import numpy as np

# NAMUR NE 43 measuring band: 3.8 .. 20.5 mA on a 4..20 mA span.
NAMUR_LOW_FRACTION = (3.8 - 4.0) / 16.0
NAMUR_HIGH_FRACTION = (20.5 - 4.0) / 16.0


def transmit(value, range_low, range_high):
    """(reported value, over-range flag) of true process values through a transmitter.

    Parameters
    ----------
    value : array_like
        True value, in the sensor's unit.
    range_low, range_high : array_like
        The sensor's measuring range, in its unit.

    Returns
    -------
    tuple of numpy.ndarray
        The value held inside the range, and True where the true value reached the top.
    """
    v = np.asarray(value, dtype=float)
    high = np.asarray(range_high, dtype=float)
    return np.clip(v, range_low, high), v >= high


def over_range(value, range_high) -> bool:
    """True when a reported value sits at (or above) the top of the range: the process
    is at least that high."""
    return bool(value >= range_high)


def measuring_band(range_low, range_high) -> tuple[float, float]:
    """(low, high) ends of the NAMUR NE 43 measuring band of a range, in its unit: what a
    transmitter can report as a measurement."""
    span = range_high - range_low
    return range_low + NAMUR_LOW_FRACTION * span, range_low + NAMUR_HIGH_FRACTION * span
