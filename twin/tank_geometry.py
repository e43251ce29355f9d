"""Liquid volume in a tank from its level, and the level from a volume, for the three shapes.

Shapes (``geodata.schema.TANK_SHAPES``), with flat ends for the cylinders (the demo park's
capacities match flat-ended volumes, e.g. pi 1.3^2 9.5 = 50.4 m3 for a 50 m3 chlorine bullet):

- ``vertical_cylinder``: V = pi R^2 h;
- ``horizontal_cylinder``: the circular segment of depth h times the length,
  V = L (R^2 acos((R - h)/R) - (R - h) sqrt(2 R h - h^2));
- ``sphere``: the spherical cap of height h, V = pi h^2 (3 R - h) / 3.

Every function is vectorised over level (or volume) and the tank's dimensions, which
broadcast together; the shape is one string per call. Levels outside 0..height are clipped
(a transmitter reading a little beyond the vessel is not a volume beyond the vessel).

References
----------
Circular segment area and spherical cap volume: standard mensuration, e.g. Zwillinger (ed.),
CRC Standard Mathematical Tables and Formulae, 31st ed. (2003), sections 4.5 (circular
segment) and 4.14 (spherical cap); the tests check them against numerical integration of
the cross-section, an independent computation.
"""

from __future__ import annotations

import numpy as np

SHAPES = ("vertical_cylinder", "horizontal_cylinder", "sphere")
# Bisection halves the bracket each step; 60 steps take any bracket below 1e-15 of its size.
_BISECTION_STEPS = 60


def _check_shape(shape: str) -> None:
    if shape not in SHAPES:
        raise ValueError(f"unknown tank shape {shape!r}; expected one of {', '.join(SHAPES)}")


def _positive(value, name: str) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"{name} must be finite and > 0")
    return a


def tank_height(shape: str, diameter_m, length_m=None):
    """Height of the liquid space [m]: the shell height of a vertical cylinder, else the
    diameter."""
    _check_shape(shape)
    if shape == "vertical_cylinder":
        return _positive(length_m, "length_m")[()]
    return _positive(diameter_m, "diameter_m")[()]


def full_volume(shape: str, diameter_m, length_m=None):
    """Geometric volume of the full tank [m3] (flat-ended cylinders)."""
    return liquid_volume(tank_height(shape, diameter_m, length_m), shape, diameter_m, length_m)


def liquid_volume(level_m, shape: str, diameter_m, length_m=None):
    """Liquid volume [m3] at ``level_m`` [m] above the tank bottom.

    Parameters
    ----------
    level_m : array_like
        Liquid level above the lowest point of the tank; clipped to 0..height. [m]
    shape : str
        One of `SHAPES`. [-]
    diameter_m : array_like
        Inner diameter, > 0. [m]
    length_m : array_like, optional
        Shell height (vertical) or length (horizontal), > 0; unused for a sphere. [m]

    Returns
    -------
    numpy.ndarray or float
        Liquid volume. [m3]
    """
    _check_shape(shape)
    d = _positive(diameter_m, "diameter_m")
    h = np.asarray(level_m, dtype=float)
    if np.any(np.isnan(h)):
        raise ValueError("level_m must not be NaN")
    length = None if shape == "sphere" else _positive(length_m, "length_m")
    return _volume(h, shape, d, length)


def _volume(h, shape: str, d, length):
    """:func:`liquid_volume` of checked arrays (the level not NaN, the sizes > 0)."""
    r = d / 2.0
    if shape == "vertical_cylinder":
        return (np.pi * r**2 * np.clip(h, 0.0, length))[()]
    h = np.clip(h, 0.0, d)
    if shape == "sphere":
        return (np.pi * h**2 * (3.0 * r - h) / 3.0)[()]
    c = r - h
    segment = r**2 * np.arccos(np.clip(c / r, -1.0, 1.0)) - c * np.sqrt(
        np.clip(2.0 * r * h - h**2, 0.0, None)
    )
    return (length * segment)[()]


def surface_area(level_m, shape: str, diameter_m, length_m=None):
    """Area of the liquid surface [m2] at ``level_m`` [m]: dV/dh of `liquid_volume`."""
    _check_shape(shape)
    d = _positive(diameter_m, "diameter_m")
    h = np.clip(np.asarray(level_m, dtype=float), 0.0, None)
    if shape == "vertical_cylinder":
        return (np.pi * d**2 / 4.0 * np.ones_like(h))[()]
    h = np.clip(h, 0.0, d)
    if shape == "sphere":
        return (np.pi * h * (d - h))[()]
    length = _positive(length_m, "length_m")
    return (length * 2.0 * np.sqrt(h * (d - h)))[()]


def level_from_volume(volume_m3, shape: str, diameter_m, length_m=None):
    """Level [m] at which the tank holds ``volume_m3`` [m3]; the inverse of `liquid_volume`.

    Volumes outside 0..full are clipped. Exact for a vertical cylinder; bisection on the
    monotonic volume curve (to 1e-15 of the height) for the other shapes.
    """
    _check_shape(shape)
    height = np.asarray(tank_height(shape, diameter_m, length_m), dtype=float)
    v = np.asarray(volume_m3, dtype=float)
    if np.any(np.isnan(v)):
        raise ValueError("volume_m3 must not be NaN")
    full = liquid_volume(height, shape, diameter_m, length_m)
    v = np.clip(v, 0.0, full)
    if shape == "vertical_cylinder":
        d = np.asarray(diameter_m, dtype=float)
        return (v / (np.pi * d**2 / 4.0))[()]
    shape_out = np.broadcast_shapes(v.shape, height.shape, np.shape(diameter_m))
    lo = np.zeros(shape_out)
    hi = np.broadcast_to(height, shape_out).copy()
    d = _positive(diameter_m, "diameter_m")
    length = None if shape == "sphere" else _positive(length_m, "length_m")
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        below = _volume(mid, shape, d, length) < v
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (0.5 * (lo + hi))[()]
