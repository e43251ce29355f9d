"""Dense-gas dispersion: the Britter & McQuaid (1988) workbook correlations.

A ground-level release of a gas denser than air slumps, spreads sideways under gravity and
mixes less than a passive plume. The HSE workbook (Britter & McQuaid 1988) fits field-trial
data (Burro, Thorney Island, ...) with curves of the dimensionless distance
``beta = log10(x / L)`` against a buoyancy parameter ``alpha`` for a handful of centreline
concentration ratios ``C/C0``. This module:

- decides whether a release is dense enough for the workbook (a source Richardson number,
  :func:`richardson_number`, :func:`choose_model`);
- gives the centreline concentration ratio against downwind distance
  (:func:`centreline_ratio`) and the distance to a ratio (:func:`distance_to_ratio`), for
  continuous (plume) and instantaneous (puff) releases, with the workbook's correction for
  a release colder (or warmer) than the air (:func:`isothermal_equivalent_ratio`);
- gives the cloud size where a cited source gives it (:func:`plume_half_width`,
  :func:`puff_radius`);
- hands over to a passive (Gaussian) far field beyond the last workbook curve
  (:func:`dense_range_end`, ``passive_ratio=`` in the two main functions).

Concentrations are ratios ``C/C0`` of volume fractions, ``C0`` being the volume fraction of
the released material at the source (1 for a pure vapour); multiply by ``C0`` to get a
volume fraction. Wind speeds are at 10 m, as in the workbook.
"""

from collections.abc import Callable

import numpy as np
from scipy.constants import g as _G  # standard acceleration of gravity, 9.80665 m/s2

RELEASE_TYPES = ("continuous", "instantaneous")

# Piecewise-linear fits beta = slope * alpha + intercept to the workbook's curves, one row per
# concentration ratio C/C0, each segment valid for alpha <= its upper bound (and above the
# previous bound). Source, read in public copies (the CCPS book itself was not
# readable here): A. E. Farrell, GasDispersion.jl, src/utils/britter_mcquaid_correls.jl
# (commit 983a6727; header "Britter-McQuaid plume/puff correlations", references AIChE/CCPS
# (1999) Guidelines for Consequence Analysis of Chemical Releases, the digitised curves on
# p. 118 per Farrell's documentation docs/src/plume.md). The same numbers appear,
# independently typed, in Farrell's post "VCE Example - Butane Vapour Cloud" (continuous
# table) and in a public Python module after Assael & Kakosimos (2010), Fires, Explosions
# and Toxic Gas Dispersions, "Figure C5.17/C5.20 Britter and McQuaid diagram" (search-index
# file 2233348705; both tables). One disagreement: the last segment of C/C0 = 0.005
# (continuous) has slope -0.48 in GasDispersion.jl (and in its earlier copy labelled
# "as digitised in TSCREEN", EPA-454/B-94-023) but 0.49 in magnitude in the other two
# sources and in GasDispersion.jl's first node table (beta = 2.07 at alpha = 1). We use -0.49
# (three sources of four); the difference is 0.01 in beta at alpha = 1 (2 % in distance).
_CONTINUOUS_FITS = (
    (0.1, ((-0.55, 0.0, 1.75), (-0.14, 0.24, 1.88), (1.0, -0.50, 1.78))),
    (0.05, ((-0.68, 0.0, 1.92), (-0.29, 0.36, 2.16), (-0.18, 0.0, 2.06), (1.0, -0.56, 1.96))),
    (0.02, ((-0.69, 0.0, 2.08), (-0.31, 0.45, 2.39), (-0.16, 0.0, 2.25), (1.0, -0.54, 2.16))),
    (0.01, ((-0.70, 0.0, 2.25), (-0.29, 0.49, 2.59), (-0.20, 0.0, 2.45), (1.0, -0.52, 2.35))),
    (0.005, ((-0.67, 0.0, 2.40), (-0.28, 0.59, 2.80), (-0.15, 0.0, 2.63), (1.0, -0.49, 2.56))),
    (0.002, ((-0.69, 0.0, 2.60), (-0.25, 0.39, 2.87), (-0.13, 0.0, 2.77), (1.0, -0.50, 2.71))),
)
# Instantaneous release, same sources (GasDispersion.jl _bm_pf_c_*, and the module after
# Assael & Kakosimos, identical to the last digit). The published table also has 0.001.
_INSTANTANEOUS_FITS = (
    (0.1, ((-0.44, 0.0, 0.70), (0.43, 0.26, 0.81), (1.0, 0.0, 0.93))),
    (0.05, ((-0.56, 0.0, 0.85), (0.31, 0.26, 1.00), (1.0, -0.12, 1.12))),
    (0.02, ((-0.66, 0.0, 0.95), (0.32, 0.36, 1.19), (1.0, -0.26, 1.38))),
    (0.01, ((-0.71, 0.0, 1.15), (0.37, 0.34, 1.39), (1.0, -0.38, 1.66))),
    (0.005, ((-0.52, 0.0, 1.48), (0.24, 0.26, 1.62), (1.0, -0.30, 1.75))),
    (0.002, ((0.27, 0.0, 1.83), (1.0, -0.32, 1.92))),
    (0.001, ((-0.10, 0.0, 2.075), (1.0, -0.27, 2.05))),
)
_FITS = {"continuous": _CONTINUOUS_FITS, "instantaneous": _INSTANTANEOUS_FITS}

CONCENTRATION_RATIOS = {name: tuple(row[0] for row in fits) for name, fits in _FITS.items()}
"""The ratios C/C0 tabulated by the workbook, from the nearest curve to the farthest."""

ALPHA_MAX = 1.0
"""Upper end of the fitted alpha range; larger alpha is evaluated at 1 (see correlation_beta)."""

RICHARDSON_CRITICAL = {"continuous": 0.15**3, "instantaneous": 0.2**2}
"""Source Richardson number above which the workbook applies (see richardson_number).

Continuous: (g0' q0 / D)^(1/3) / u >= 0.15, the workbook criterion as reproduced in Farrell,
"VCE Example - Butane Vapour Cloud" (citing Britter & McQuaid 1988). Instantaneous:
(g0' V0^(1/3))^(1/2) / u >= 0.2, as given in the project brief; not confirmed in a source read
here (verify against the workbook or CCPS 1999 section 2.3 before relying on it).
"""

# Workbook near-field forms, C/C0 against x/L close to the source. Continuous:
# 306 (x/D)^-2 / (1 + 306 (x/D)^-2) for x/D < 30 (Farrell, "VCE Example - Butane Vapour
# Cloud"; GasDispersion.jl britter_mcquaid_plume.jl). Instantaneous: 3.24 / (3.24 + (x/V0^(1/3))^2),
# floored at the first curve's 0.1 up to that curve (GasDispersion.jl britter_mcquaid_puff.jl).
_NEAR_CONTINUOUS = 306.0
_NEAR_CONTINUOUS_END = 30.0
_NEAR_INSTANTANEOUS = 3.24

# Puff box model: centre moves at 0.4 u10, radius^2 = R0^2 + 1.2 sqrt(g0' V0) t
# (GasDispersion.jl britter_mcquaid_puff.jl; the module after Assael & Kakosimos uses the same
# 0.4 and 1.2).
_PUFF_ADVECTION = 0.4
_PUFF_SPREAD = 1.2

# Relative slack so that a point on the last curve, up to rounding, still counts as inside.
_ROUNDING = 1e-12

# Bracket, in metres, for the far-field root searches; a passive centreline from a ground-level
# source falls monotonically over it.
_SEARCH_MIN_M = 1e-3
_SEARCH_MAX_M = 1e8


def _check_release(release: str) -> None:
    if release not in RELEASE_TYPES:
        raise ValueError(f"unknown release type {release!r}; valid: {', '.join(RELEASE_TYPES)}")


def _positive(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return arr


def _scalar_positive(name: str, value) -> float:
    arr = _positive(name, value)
    if arr.ndim:
        raise ValueError(f"{name} must be a scalar (one release per call), got shape {arr.shape}")
    return float(arr)


def reduced_gravity(release_density, air_density):
    """Reduced gravity of the released gas, g0' = g (rho_r - rho_a) / rho_a.

    Parameters
    ----------
    release_density : array_like
        Density of the released gas at its release temperature. [kg/m3]
    air_density : array_like
        Density of the ambient air. [kg/m3]

    Returns
    -------
    numpy.ndarray
        g0', positive for a gas denser than air. [m/s2]

    References
    ----------
    Britter, R.E. and McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE
    Contract Research Report 17/1988 (definition of g0').
    """
    rho_r = _positive("release_density", release_density)
    rho_a = _positive("air_density", air_density)
    return _G * (rho_r - rho_a) / rho_a


def length_scale(source_volume, wind_speed_10m, release="continuous"):
    """Source length scale of the workbook: D = sqrt(q0 / u) or V0^(1/3).

    Parameters
    ----------
    source_volume : array_like
        q0, volume rate of release for ``"continuous"`` [m3/s]; V0, volume released for
        ``"instantaneous"`` [m3]; both at the release temperature.
    wind_speed_10m : array_like
        Wind speed at 10 m. [m/s]
    release : str
        One of :data:`RELEASE_TYPES`.

    Returns
    -------
    numpy.ndarray
        L. [m]

    References
    ----------
    Britter & McQuaid (1988), as used in CCPS (1999) section 2.3.
    """
    _check_release(release)
    vol = _positive("source_volume", source_volume)
    u = _positive("wind_speed_10m", wind_speed_10m)
    if release == "continuous":
        return np.sqrt(vol / u)
    return np.cbrt(vol) * np.ones_like(u)


def richardson_number(reduced_gravity_m_s2, source_volume, wind_speed_10m, release="continuous"):
    """Source Richardson number Ri = g0' L / u^2 that decides dense against passive.

    The workbook's applicability tests are powers of this number: with D = sqrt(q0/u),
    (g0' q0 / D)^(1/3) / u = Ri^(1/3) for a continuous release, and with L = V0^(1/3),
    (g0' V0^(1/3))^(1/2) / u = Ri^(1/2) for an instantaneous one. The thresholds are
    :data:`RICHARDSON_CRITICAL` (0.15^3 and 0.2^2).

    Parameters
    ----------
    reduced_gravity_m_s2 : array_like
        g0' from :func:`reduced_gravity`; zero or negative for a gas not denser than air. [m/s2]
    source_volume : array_like
        q0 [m3/s] (continuous) or V0 [m3] (instantaneous).
    wind_speed_10m : array_like
        Wind speed at 10 m. [m/s]
    release : str
        One of :data:`RELEASE_TYPES`.

    Returns
    -------
    numpy.ndarray
        Ri. [-]

    References
    ----------
    Britter & McQuaid (1988); continuous criterion as reproduced by A. E. Farrell, "VCE
    Example - Butane Vapour Cloud" (aefarrell.github.io).
    """
    g0 = np.asarray(reduced_gravity_m_s2, dtype=float)
    if not np.all(np.isfinite(g0)):
        raise ValueError(f"reduced_gravity_m_s2 must be finite, got {reduced_gravity_m_s2!r}")
    u = _positive("wind_speed_10m", wind_speed_10m)
    return g0 * length_scale(source_volume, u, release) / u**2


def choose_model(reduced_gravity_m_s2, source_volume, wind_speed_10m, release="continuous"):
    """Pick ``"dense"`` (this module) or ``"passive"`` (a Gaussian model) for a release.

    ``"dense"`` where :func:`richardson_number` >= :data:`RICHARDSON_CRITICAL` for the
    release type, ``"passive"`` otherwise (including gases not denser than air). A dense
    release still becomes passive beyond :func:`dense_range_end`.

    Parameters
    ----------
    reduced_gravity_m_s2, source_volume, wind_speed_10m, release
        As for :func:`richardson_number`.

    Returns
    -------
    numpy.ndarray of str
        ``"dense"`` or ``"passive"`` per element.

    References
    ----------
    Britter & McQuaid (1988) applicability criteria (see :data:`RICHARDSON_CRITICAL`).
    """
    ri = richardson_number(reduced_gravity_m_s2, source_volume, wind_speed_10m, release)
    return np.where(ri >= RICHARDSON_CRITICAL[release], "dense", "passive")


def correlation_alpha(reduced_gravity_m_s2, source_volume, wind_speed_10m, release="continuous"):
    """Workbook abscissa alpha.

    Continuous: alpha = 0.2 log10(g0'^2 q0 / u^5). Instantaneous:
    alpha = 0.5 log10(g0' V0^(1/3) / u^2).

    Parameters
    ----------
    reduced_gravity_m_s2 : array_like
        g0' > 0. [m/s2]
    source_volume : array_like
        q0 [m3/s] (continuous) or V0 [m3] (instantaneous).
    wind_speed_10m : array_like
        Wind speed at 10 m. [m/s]
    release : str
        One of :data:`RELEASE_TYPES`.

    Returns
    -------
    numpy.ndarray
        alpha. [-]

    References
    ----------
    Britter & McQuaid (1988); CCPS (1999) section 2.3; forms as used in GasDispersion.jl
    (britter_mcquaid_plume.jl, britter_mcquaid_puff.jl).
    """
    _check_release(release)
    g0 = _dense_gravity(reduced_gravity_m_s2)
    vol = _positive("source_volume", source_volume)
    u = _positive("wind_speed_10m", wind_speed_10m)
    if release == "continuous":
        return 0.2 * np.log10(g0**2 * vol / u**5)
    return 0.5 * np.log10(g0 * np.cbrt(vol) / u**2)


def _dense_gravity(reduced_gravity_m_s2) -> np.ndarray:
    g0 = np.asarray(reduced_gravity_m_s2, dtype=float)
    if not np.all(np.isfinite(g0)) or np.any(g0 <= 0):
        raise ValueError(
            f"reduced gravity must be > 0 (a gas denser than air) for the dense-gas model, "
            f"got {reduced_gravity_m_s2!r}; use the passive model"
        )
    return g0


def correlation_beta(alpha, release="continuous"):
    """Workbook ordinate beta = log10(x / L) of each tabulated curve at ``alpha``.

    Parameters
    ----------
    alpha : array_like
        From :func:`correlation_alpha`. Values above :data:`ALPHA_MAX` are evaluated at
        ALPHA_MAX: the fits stop there, and every curve's beta is non-increasing in alpha
        on its last segment, so this never shortens a distance.
    release : str
        One of :data:`RELEASE_TYPES`.

    Returns
    -------
    numpy.ndarray
        beta, shape ``alpha.shape + (n,)``, column k for ``CONCENTRATION_RATIOS[release][k]``.

    References
    ----------
    Britter & McQuaid (1988) figures; piecewise-linear fits of CCPS (1999) section 2.3 as
    read in GasDispersion.jl (see the comment above the tables in this module).
    """
    _check_release(release)
    a = np.minimum(np.asarray(alpha, dtype=float), ALPHA_MAX)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    columns = []
    for _ratio, segments in _FITS[release]:
        conditions = [a <= upper for upper, _, _ in segments]
        values = [slope * a + intercept for _, slope, intercept in segments]
        columns.append(np.select(conditions, values))
    return np.stack(columns, axis=-1)


def isothermal_equivalent_ratio(ratio, release_temperature_k, air_temperature_k):
    """Concentration to look up on the isothermal curves for a non-isothermal release.

    C' = C / (C + (1 - C) T_a / T_r), the workbook's correction for a release at T_r in air
    at T_a (a cold release gives C' < C, hence a longer distance).

    Parameters
    ----------
    ratio : array_like
        Actual concentration ratio C/C0, in (0, 1]. [-]
    release_temperature_k : float
        Temperature of the released gas. [K]
    air_temperature_k : float
        Ambient air temperature. [K]

    Returns
    -------
    numpy.ndarray
        C'. [-]

    References
    ----------
    Britter & McQuaid (1988), as quoted in A. E. Farrell, "VCE Example - Butane Vapour
    Cloud" and in GasDispersion.jl (britter_mcquaid_plume.jl).
    """
    c = _ratio(ratio)
    k = _temperature_factor(release_temperature_k, air_temperature_k)
    return c / (c + (1.0 - c) * k)


def _from_isothermal(ratio_iso: np.ndarray, k: float) -> np.ndarray:
    # inverse of isothermal_equivalent_ratio: C = C' k / (1 - C' + C' k)
    return ratio_iso * k / (1.0 - ratio_iso + ratio_iso * k)


def _temperature_factor(release_temperature_k, air_temperature_k) -> float:
    if release_temperature_k is None and air_temperature_k is None:
        return 1.0
    if release_temperature_k is None or air_temperature_k is None:
        raise ValueError("give both release_temperature_k and air_temperature_k, or neither")
    t_r = _scalar_positive("release_temperature_k", release_temperature_k)
    t_a = _scalar_positive("air_temperature_k", air_temperature_k)
    return t_a / t_r


def _ratio(ratio) -> np.ndarray:
    c = np.asarray(ratio, dtype=float)
    if not np.all(np.isfinite(c)) or np.any((c <= 0) | (c > 1)):
        raise ValueError(f"concentration ratio C/C0 must be in (0, 1], got {ratio!r}")
    return c


def _distance(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"downwind distance must be finite and >= 0, got {x!r}")
    return arr


def _release_scalars(reduced_gravity_m_s2, source_volume, wind_speed_10m, release):
    _check_release(release)
    g0 = _dense_gravity(reduced_gravity_m_s2)
    if g0.ndim:
        raise ValueError(
            f"reduced_gravity_m_s2 must be a scalar (one release per call), got {g0.shape}"
        )
    g0 = float(g0)
    vol = _scalar_positive("source_volume", source_volume)
    u = _scalar_positive("wind_speed_10m", wind_speed_10m)
    return g0, vol, u


def _nodes(g0: float, vol: float, u: float, release: str):
    """Interpolation nodes (log10 x/L, log10 C'/C0), increasing in x, and L."""
    alpha = correlation_alpha(g0, vol, u, release)
    beta = correlation_beta(alpha, release)
    levels = np.log10(CONCENTRATION_RATIOS[release])
    length = float(length_scale(vol, u, release))
    if release == "continuous":
        # join the near-field form at x/D = 30 to the first curve; when that curve lies inside
        # x/D = 30 (alpha > 0.61) the near field runs up to the curve instead.
        x_first = 10.0 ** beta[0]
        if _NEAR_CONTINUOUS_END < x_first:
            near = _NEAR_CONTINUOUS / (_NEAR_CONTINUOUS + _NEAR_CONTINUOUS_END**2)
            logx = np.concatenate(([np.log10(_NEAR_CONTINUOUS_END)], beta))
            logc = np.concatenate(([np.log10(near)], levels))
            return logx, logc, length
    return beta, levels, length


def _near_field(xp: np.ndarray, release: str) -> np.ndarray:
    if release == "continuous":
        return _NEAR_CONTINUOUS / (_NEAR_CONTINUOUS + xp**2)
    near = _NEAR_INSTANTANEOUS / (_NEAR_INSTANTANEOUS + xp**2)
    return np.maximum(near, CONCENTRATION_RATIOS["instantaneous"][0])


def _near_field_distance(ratio: np.ndarray, release: str) -> np.ndarray:
    scale = _NEAR_CONTINUOUS if release == "continuous" else _NEAR_INSTANTANEOUS
    return np.sqrt(scale * (1.0 - ratio) / ratio)


def _isothermal_centreline(xp: np.ndarray, logx: np.ndarray, logc: np.ndarray, release: str):
    with np.errstate(divide="ignore"):
        table = 10.0 ** np.interp(np.log10(xp), logx, logc)
    out = np.where(xp < 10.0 ** logx[0], _near_field(xp, release), table)
    return np.where(xp > 10.0 ** logx[-1] * (1.0 + _ROUNDING), np.nan, out)


def dense_range_end(
    reduced_gravity_m_s2,
    source_volume,
    wind_speed_10m,
    release="continuous",
    release_temperature_k=None,
    air_temperature_k=None,
):
    """Where the workbook curves end, and the concentration there: the hand-off point.

    Beyond ``x_end`` (the farthest tabulated curve, C'/C0 = 0.002 continuous, 0.001
    instantaneous) the cloud is taken as passive. To continue, the caller takes a passive
    (Gaussian) centreline ``c_p(x)`` for the same source and places it at a virtual source
    ``x_v`` upwind such that ``c_p(x_v) = ratio_end``, then uses ``c_p(x - x_end + x_v)``
    for x > x_end; :func:`centreline_ratio` and :func:`distance_to_ratio` do exactly this
    when given ``passive_ratio``. The virtual-source placement is our construction for
    continuity at the hand-off, not part of the workbook.

    Parameters
    ----------
    reduced_gravity_m_s2 : float
        g0' > 0. [m/s2]
    source_volume : float
        q0 [m3/s] (continuous) or V0 [m3] (instantaneous), at the release temperature.
    wind_speed_10m : float
        Wind speed at 10 m. [m/s]
    release : str
        One of :data:`RELEASE_TYPES`.
    release_temperature_k, air_temperature_k : float, optional
        Release and ambient temperatures [K] for the non-isothermal correction; both or
        neither (isothermal).

    Returns
    -------
    x_end : float
        Downwind distance of the last workbook curve. [m]
    ratio_end : float
        Actual centreline C/C0 there (after the temperature correction). [-]

    References
    ----------
    Britter & McQuaid (1988); CCPS (1999) section 2.3.
    """
    g0, vol, u = _release_scalars(reduced_gravity_m_s2, source_volume, wind_speed_10m, release)
    k = _temperature_factor(release_temperature_k, air_temperature_k)
    logx, logc, length = _nodes(g0, vol, u, release)
    x_end = length * 10.0 ** logx[-1]
    ratio_end = float(_from_isothermal(np.asarray(10.0 ** logc[-1]), k))
    return float(x_end), ratio_end


def _invert_decreasing(func: Callable, target: np.ndarray) -> np.ndarray:
    """x with func(x) = target for a decreasing vectorised func, by bisection in log x."""
    lo = np.full(target.shape, np.log(_SEARCH_MIN_M))
    hi = np.full(target.shape, np.log(_SEARCH_MAX_M))
    inside = (func(np.exp(lo)) >= target) & (func(np.exp(hi)) <= target)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        above = func(np.exp(mid)) >= target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.where(inside, np.exp(0.5 * (lo + hi)), np.nan)


def _virtual_source(passive_ratio: Callable, ratio_end: float) -> float:
    x_v = float(_invert_decreasing(passive_ratio, np.asarray(ratio_end)))
    if not np.isfinite(x_v):
        raise ValueError(
            f"passive_ratio never equals the hand-off ratio {ratio_end:.3g} between "
            f"{_SEARCH_MIN_M} m and {_SEARCH_MAX_M} m; it must be a decreasing ground-level "
            "centreline C/C0 of the same source"
        )
    return x_v


def centreline_ratio(
    x,
    reduced_gravity_m_s2,
    source_volume,
    wind_speed_10m,
    release="continuous",
    release_temperature_k=None,
    air_temperature_k=None,
    passive_ratio=None,
):
    """Centreline (cloud-mean) concentration ratio C/C0 at downwind distances ``x``.

    Near the source the workbook's near-field form, then log-log interpolation between the
    tabulated curves at this release's alpha (C/C0 as a power of x between neighbouring
    curves, the curves being log-spaced), then the non-isothermal correction. For an
    instantaneous release this is the concentration of the puff as it passes ``x``.
    Beyond :func:`dense_range_end` the result is NaN unless ``passive_ratio`` is given,
    in which case it is the passive far field from a virtual source (continuous at the
    hand-off by construction).

    The sources do not say how to join the near field to the curves when the first curve
    (C/C0 = 0.1) lies inside x/D = 30 (continuous, alpha > 0.61): there the near-field form
    runs up to that curve and the ratio steps down to 0.1 on it. Log-log interpolation
    reproduces the CCPS LNG example (368 m against the book's 367 m); linear interpolation
    in C/C0 would give 371 m.

    Parameters
    ----------
    x : array_like
        Downwind distances from the source, >= 0, any shape. [m]
    reduced_gravity_m_s2 : float
        g0' > 0 of the release. [m/s2]
    source_volume : float
        q0 [m3/s] (continuous) or V0 [m3] (instantaneous), at the release temperature.
    wind_speed_10m : float
        Wind speed at 10 m. [m/s]
    release : str
        One of :data:`RELEASE_TYPES`.
    release_temperature_k, air_temperature_k : float, optional
        For the non-isothermal correction; both or neither. [K]
    passive_ratio : callable, optional
        ``f(x) -> C/C0``, vectorised: the ground-level centreline of a passive (Gaussian)
        model for the same source and weather, decreasing with x (e.g. built from
        physics.dispersion), on the same C/C0 basis as this function.

    Returns
    -------
    numpy.ndarray
        C/C0, same shape as ``x``. [-]

    References
    ----------
    Britter, R.E. and McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE
    Contract Research Report 17/1988. CCPS (1999). Guidelines for Consequence Analysis of
    Chemical Releases, section 2.3. Near-field forms and interpolation set-up as in A. E.
    Farrell (2023), "Taking a second look at the Britter-McQuaid model", and GasDispersion.jl.
    """
    g0, vol, u = _release_scalars(reduced_gravity_m_s2, source_volume, wind_speed_10m, release)
    k = _temperature_factor(release_temperature_k, air_temperature_k)
    xs = _distance(x)
    logx, logc, length = _nodes(g0, vol, u, release)
    iso = _isothermal_centreline(xs / length, logx, logc, release)
    out = _from_isothermal(iso, k)
    if passive_ratio is None:
        return out
    x_end, ratio_end = dense_range_end(
        g0, vol, u, release, release_temperature_k, air_temperature_k
    )
    x_v = _virtual_source(passive_ratio, ratio_end)
    far = xs > x_end
    if np.any(far):
        out = np.where(far, passive_ratio(np.where(far, xs, x_end) - x_end + x_v), out)
    return out


def distance_to_ratio(
    ratio,
    reduced_gravity_m_s2,
    source_volume,
    wind_speed_10m,
    release="continuous",
    release_temperature_k=None,
    air_temperature_k=None,
    passive_ratio=None,
):
    """Farthest downwind distance at which the centreline C/C0 is at least ``ratio``.

    The inverse of :func:`centreline_ratio` (exact on the same interpolation). Ratios below
    the hand-off ratio of :func:`dense_range_end` give NaN unless ``passive_ratio`` is
    given, in which case they are found on the passive far field.

    Parameters
    ----------
    ratio : array_like
        Concentration ratios C/C0 in (0, 1] (e.g. LFL or a toxic endpoint as a volume
        fraction, divided by C0), any shape. [-]
    reduced_gravity_m_s2, source_volume, wind_speed_10m, release, release_temperature_k,
    air_temperature_k, passive_ratio
        As for :func:`centreline_ratio`.

    Returns
    -------
    numpy.ndarray
        Distance, same shape as ``ratio``. [m]

    References
    ----------
    Britter & McQuaid (1988); CCPS (1999) section 2.3 (procedure: correct the ratio for
    temperature, interpolate beta between the bracketing curves, x = L 10^beta).
    """
    g0, vol, u = _release_scalars(reduced_gravity_m_s2, source_volume, wind_speed_10m, release)
    k = _temperature_factor(release_temperature_k, air_temperature_k)
    c = _ratio(ratio)
    iso = c / (c + (1.0 - c) * k)
    logx, logc, length = _nodes(g0, vol, u, release)
    table = 10.0 ** np.interp(np.log10(iso), logc[::-1], logx[::-1])
    near = np.minimum(_near_field_distance(iso, release), 10.0 ** logx[0])
    xp = np.where(iso > 10.0 ** logc[0], near, table)
    out = np.where(iso < 10.0 ** logc[-1] * (1.0 - _ROUNDING), np.nan, xp * length)
    if passive_ratio is None:
        return out
    x_end, ratio_end = dense_range_end(
        g0, vol, u, release, release_temperature_k, air_temperature_k
    )
    x_v = _virtual_source(passive_ratio, ratio_end)
    far = c < ratio_end
    if np.any(far):
        x_far = _invert_decreasing(passive_ratio, np.where(far, c, ratio_end)) - x_v + x_end
        out = np.where(far, x_far, out)
    return out


def plume_half_width(x, reduced_gravity_m_s2, volume_rate, wind_speed_10m):
    """Half-width of a continuous dense plume, L_H = D + 8 l_b + 2.5 (l_b x^2)^(1/3).

    With l_b = g0' q0 / u^3 and D = sqrt(q0 / u). The workbook's figure draws L_H from the
    centreline (a half-width; so does the TNO Yellow Book eq. 4.104 per Farrell), though its
    text only calls it the lateral extent. Farrell notes the width may be overestimated.

    Parameters
    ----------
    x : array_like
        Downwind distances, >= 0. [m]
    reduced_gravity_m_s2 : float
        g0' > 0. [m/s2]
    volume_rate : float
        q0 at the release temperature. [m3/s]
    wind_speed_10m : float
        Wind speed at 10 m. [m/s]

    Returns
    -------
    numpy.ndarray
        L_H, same shape as ``x``. [m]

    References
    ----------
    Britter & McQuaid (1988) plume dimensions, as reproduced in A. E. Farrell (2023),
    "Taking a second look at the Britter-McQuaid model" (L_H0 = D + 8 l_b,
    L_H = L_H0 + 2.5 (l_b x^2)^(1/3)).
    """
    g0, q0, u = _release_scalars(reduced_gravity_m_s2, volume_rate, wind_speed_10m, "continuous")
    xs = _distance(x)
    l_b = g0 * q0 / u**3
    return np.sqrt(q0 / u) + 8.0 * l_b + 2.5 * np.cbrt(l_b * xs**2)


def puff_radius(x, reduced_gravity_m_s2, volume, wind_speed_10m, initial_radius_m):
    """Radius of a dense puff when its centre is at ``x``: R^2 = R0^2 + 1.2 sqrt(g0' V0) t.

    The centre travels at 0.4 u10, so t = x / (0.4 u10). The initial radius R0 depends on
    how the cloud forms and is the caller's: the two sources read differ (a sphere of
    volume V0 in GasDispersion.jl, a cylinder of height R0 in the module after Assael &
    Kakosimos).

    Parameters
    ----------
    x : array_like
        Downwind distance of the cloud centre, >= 0. [m]
    reduced_gravity_m_s2 : float
        g0' > 0. [m/s2]
    volume : float
        V0 at the release temperature. [m3]
    wind_speed_10m : float
        Wind speed at 10 m. [m/s]
    initial_radius_m : float
        R0, radius of the cloud as released. [m]

    Returns
    -------
    numpy.ndarray
        R, same shape as ``x``. [m]

    References
    ----------
    Britter & McQuaid (1988) instantaneous-release box model, as implemented in
    GasDispersion.jl (britter_mcquaid_puff.jl) and in the Python module after Assael, M.J.
    and Kakosimos, K.E. (2010), Fires, Explosions, and Toxic Gas Dispersions, CRC Press.
    """
    g0, v0, u = _release_scalars(reduced_gravity_m_s2, volume, wind_speed_10m, "instantaneous")
    r0 = _scalar_positive("initial_radius_m", initial_radius_m)
    t = _distance(x) / (_PUFF_ADVECTION * u)
    return np.sqrt(r0**2 + _PUFF_SPREAD * np.sqrt(g0 * v0) * t)
