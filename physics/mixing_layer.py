"""The mixed layer's top: how high a cloud near the ground can spread, and the vertical
profile of a cloud held between the ground and that lid.

Above the surface layer the turbulence that deepens a cloud ends at the top of the mixed
layer; a cloud whose Gaussian depth reaches it is folded back, and far enough downwind it
is uniform from the ground to the lid. Without a lid the Briggs (1973) sigma_z of class D
over a park (urban curves) reaches 700 m at 10 km and that of class A several kilometres,
and the ground concentration falls without end.

The height, where nobody gives it: the mechanical mixing height of AERMOD,
z_im = 2300 u*^(3/2) [m, u* in m/s] (Venkatram 1980), which AERMET computes for every hour
(U.S. EPA, AERMET routine SBLHT, "2300*(friction velocity)^(3/2)"; Cimorelli et al. 2004,
AERMOD model formulation, EPA-454/R-03-004, whose worked stable case has u* = 0.124 m/s
and z_im = 100 m: the test's oracle). AERMOD takes it as the stable boundary layer's
height, and in convective hours the larger of it and the convective height, which grows
with the day's heating and the morning sounding: a Pasquill class does not give those, so
in unstable air the mechanical height stands as what AERMOD's max(z_ic, z_im) is never
below: a lower bound, on the side of higher ground concentrations far downwind (in class
A over z0 = 0.1 m at 2 m/s it is about 200 m where a sunny afternoon's layer is 1-2 km).
A measured or forecast mixing height replaces it (``integral_plume.Ambient.
mixing_height_m``; ``zones --mixing-height``).

A cloud centred above the lid is not held below it: the lid is taken at the larger of the
mixing height and the cloud's axis height (AERMOD's h_a = max(h_p, z_i) for a stable
plume).

The profile between the ground and the lid: the reflected Gaussian of the module
``integral_plume``, G(z) = [g(z - h) + g(z + h)] / 2, g(s) = exp(-s^2 / (2 sigma_z^2)),
with its images in both planes (the method of images for two reflecting planes, as EPA's
ISC3 writes its vertical term with the mixing height; Turner 1970, Workbook of
Atmospheric Dispersion Estimates)::

    G(z) = 1/2 sum_n [g(z - h + 2 n z_i) + g(z + h + 2 n z_i)],   0 <= z <= z_i

and 0 above. By Poisson's summation the same sum is::

    G(z) = sqrt(pi/2) sigma_z / z_i [1 + 2 sum_k exp(-(pi k sigma_z / z_i)^2 / 2)
                                          cos(pi k z / z_i) cos(pi k h / z_i)]

which tends to the uniform sqrt(pi/2) sigma_z / z_i. The images are summed for
sigma_z < z_i (n = -3..3: the first term left out is below 1e-8 of the profile), the
cosines beyond (k = 1..3, below 1e-19). Either way the integral of G from the ground to
the lid is sqrt(pi/2) sigma_z, the unbounded profile's: the lid moves no mass, and the
crosswind-integrated flux of the plume stays the release rate.
"""

import math

import numpy as np

#: AERMET's constant of the mechanical mixing height z_im = C u*^(3/2) (SBLHT). [m (s/m)^1.5]
MECHANICAL_CONSTANT = 2300.0
#: Farther from the lid than this many sigma_z, cloud and point see the reflected Gaussian
#: alone: the nearest image adds at most exp(-2 x 4^2) = 1e-14 of it.
NEAR_SIGMAS = 4.0
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
_IMAGES = (1, 2, 3)
_MODES = (1, 2, 3)


def mechanical_mixing_height(friction_velocity_m_s):
    """z_im = 2300 u*^(3/2) [m] (Venkatram 1980, as AERMET's SBLHT computes it).

    Parameters
    ----------
    friction_velocity_m_s : array_like
        u* [m/s], >= 0; NaN stays NaN.

    Returns
    -------
    numpy.ndarray
        The mechanical mixing height [m].
    """
    ustar = np.asarray(friction_velocity_m_s, dtype=float)
    return MECHANICAL_CONSTANT * np.maximum(ustar, 0.0) ** 1.5


def check_mixing_height(height_m):
    """Return a given mixing height [m] as a float, or raise ValueError when it is not a
    length above 0 (inf: no lid)."""
    try:
        value = float(height_m)
    except (TypeError, ValueError):
        raise ValueError(f"mixing height must be a length in m, got {height_m!r}") from None
    if not value > 0.0:
        shown = f"{value:g} m" if math.isfinite(value) else repr(height_m)
        raise ValueError(f"mixing height must be a length above 0 m (inf: no lid), got {shown}")
    return value


def profile_peak(h, sigma_z, lid):
    """An upper bound of G(z) over every height (the module docstring's profile): 1 without
    a lid, and under one the ground value of a cloud on the ground under the same lid,
    sum_n g(2 n z_i). Each of G's two image rows is a wrapped Gaussian of period 2 z_i,
    largest at its own centre, where it is half that sum. [-]"""
    top = np.maximum(np.asarray(lid, dtype=float), np.asarray(h, dtype=float))
    return vertical_profile(0.0, 0.0, sigma_z, top)


def vertical_profile(z, h, sigma_z, lid):
    """G(z) of the module docstring: the vertical profile of a cloud of standard deviation
    ``sigma_z`` centred at ``h`` over the ground, under a lid at max(``lid``, h) (inf: no
    lid, the reflected Gaussian alone), relative to its centre value C_c; 0 above the lid.
    All arguments broadcast [m]."""
    z, h, sz, lid = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (z, h, sigma_z, lid)))
    top = np.maximum(lid, h)
    inv = -0.5 / (sz * sz)
    out = np.array(0.5 * (np.exp(inv * (z - h) ** 2) + np.exp(inv * (z + h) ** 2)))
    # the lid's images matter where it lies within NEAR_SIGMAS of the cloud or of the point
    near = np.isfinite(top) & (top - np.maximum(z, h) < NEAR_SIGMAS * sz)
    # each point by the form that converges there: the images below sigma_z = lid, the
    # cosines from there on
    for form, chosen in ((_images, near & (sz < top)), (_cosines, near & ~(sz < top))):
        if np.any(chosen):
            out[chosen] = form(*(a[chosen] for a in (z, h, sz, top, inv, out)))
    return np.where(z <= top, out, 0.0)


def _images(z, h, sz, top, inv, reflected):
    """The image sum, n = -3..3, on the reflected Gaussian ``reflected`` (n = 0)."""
    images = reflected.copy()
    for n in _IMAGES:
        for shift in (2.0 * n * top, -2.0 * n * top):
            images += 0.5 * (
                np.exp(inv * (z - h + shift) ** 2) + np.exp(inv * (z + h + shift) ** 2)
            )
    return images


def _cosines(z, h, sz, top, inv, reflected):
    """The cosine series, k = 1..3 (``inv`` and ``reflected`` unused: the images' inputs)."""
    ratio = sz / top
    modes = np.ones_like(z)
    for k in _MODES:
        a = math.pi * k
        modes += 2.0 * np.exp(-0.5 * (a * ratio) ** 2) * np.cos(a * z / top) * np.cos(a * h / top)
    return _SQRT_PI_2 * ratio * modes
