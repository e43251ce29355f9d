"""Leak detection (inventory loss, gas detector pattern) and source estimation.

Two independent signs of a leak, checked on every tick of the twin (`LeakDetector.tick`):

1. **Mass balance.** Per tank, the liquid mass from the level and the liquid density at
   the measured temperature (tick means), minus the cumulated metered net inflow of its
   lines, is fitted by least squares against time over ``balance_window_s``
   (`inventory_loss_rate`). A transfer moves mass and the meters see it; a leak moves mass
   the meters do not see. The unexplained loss rate must exceed both ``sigma_factor``
   standard errors of the fitted slope and a floor of ``min_rate_kg_s`` plus
   ``transfer_uncertainty`` times the metered transfer rate (meters are not perfect), on
   ``confirm_ticks`` consecutive ticks. The standard error comes from the fit's residuals,
   so the threshold follows the actual noise of the level, temperature and flow signals;
   4 standard errors would be a one-sided false-flag chance of 3e-5 per fit with a known
   Gaussian noise, and the consecutive ticks cover the extra chance that a short window's
   estimated error is too small.
2. **Gas detectors.** For each gas, when any detector's mean over the last tick reaches
   its first alarm level, the source is estimated from all detectors of that gas, their
   readings averaged from the tick the gas appeared (at most ``gas_window_s`` back); the
   plume's averaging time is that span.

Readings beyond a transmitter's measuring band (failure signals, `twin.transmitter`) are
left out of both: means, maxima and fits use only readings inside the band.

Source estimation (`estimate_source`) inverts the park's one dispersion model, the
integral plume of `physics.integral_plume` (dense, slumping and passive phases, Briggs
sigmas with sigma_y scaled to the averaging time), for each candidate source (each tank of
that chemical and points along its pipelines near the detectors). Each candidate's leak
is, by default, the gas as vapour at the air's temperature from a point
``release_height_m`` above grade; given ``sources``, it is the clouds the forecast draws
of that candidate's leak at each rate (the jet from its hole, and the evaporation of the
pool it rains out, ``physics.release_clouds``), which whoever runs the twin makes with the
park's source model (``scenarios.source_geometry.forecast_releases``; the twin may not
import it). `LeakDetector` is handed that model as ``source_geometry`` (by the feed loop
that runs `replay`, `live` and the console) and fits in two stages: the point source for
every candidate (one cached march for all), then the clouds of every asset that fit does
not rule out (probability at least ``geometry_probability``), and of whichever asset leads
after, until the best candidate is one fitted with its clouds or one without a source
model (`LeakDetector._refit`, at most ``geometry_assets``); the other candidates keep the
point source, and the estimate's method names the geometry of the best. A source term per
rate costs ~0.05-0.1 s (the boiling pool's march, ``physics.pool``), so an asset's clouds
are made for the weather and the window rounded coarser than the march (`geometry_key`)
and kept by whoever hands them in. On the demo drill the two-stage fit gives the same
asset, rate, interval and bound at every update as giving every candidate its clouds, and
a probability within 0.02 of it, at a fifth of the source terms (bench/twin_replay.py,
``--all-clouds``); refitting the point source's leader alone named a tank 9 m from the
leak for three minutes on a drill made with the forecast's clouds (bench/VALIDATION.md).
Without ``source_geometry`` (`twin.Twin` alone) the point source is used throughout. The
model is not linear in the release rate (a dense cloud slumps and spreads), so it is
marched once for a log grid of rates (`RATE_NODES_KG_S`, all in one vectorised call,
reused while the weather is the same) and the chi-square of the detector means is scanned
over the rate, with the concentration interpolated between the grid's rates, for every
candidate at once. A reading at the top of a detector's range is a lower bound of that
reading: while at most half of a detector's readings in the window are at the top, its
mean is estimated from them as a censored sample (`twin.censored`) and fitted as any
other; beyond that the mean as shown is only a lower bound of its true mean (the fit
counts it only where the model falls short of it). Either way the estimate then says it is
a lower bound: at least the rate at which the plume from the best candidate reaches every
saturated detector's mean as shown, at that detector's distance, in whatever direction --
so that an error in the measured wind direction, to which detectors on the plume's flanks
are most sensitive, cannot lift the bound. The measured mean wind direction is not taken
as exact: the likelihood is integrated over it, normal about the measured mean with the
mean's standard error (the readings' standard deviation by Yamartino's estimator over the
square root of their number, as if they were independent; a vane's misalignment is not in
it), so that a detector on the plume's flank, whose model value moves most with the
direction, counts as far as the direction is known (`estimate_source`,
``wind_from_sd_deg``). The candidate with the smallest chi-square is the estimate; with
equal prior odds, exp(-chi2 / (2 s)) normalised over the candidates is the probability of
each (the likelihood across candidates), s = max(1, chi2_min / dof): when even the best
fit is worse than the assumed errors allow, the errors are taken as larger by sqrt(s) for
every candidate alike (Press et al. 2007, 15.1: chi-square rescaled to one per degree of
freedom), so a misfit does not sharpen the odds; the rate's 68 % interval is where chi-
square stays within s of its minimum (for a linear model: the weighted fit's standard
deviation, inflated the same way), and its sd is half that interval. Assumed detector
error: ``relative_error`` of the reading (model error dominates: plume meander, near-
field) plus ``floor_fraction`` of the span. A leak is flagged by the gas detectors when
the best candidate's probability reaches ``min_probability``. These settings are
parktwin's choices, not values from a standard.

References
----------
Least squares, the chi-square likelihood and confidence limits from chi-square contours:
Press et al. (2007), Numerical Recipes, 3rd ed., ch. 15.1-15.6. Readings censored at the
top of the range: Cohen (1959), see `twin.censored`. The forward model: see
`physics.integral_plume`.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict, deque
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import logsumexp

from geodata.schema import GAS_KINDS
from physics import integral_plume, substances
from physics.atmosphere import PARK_LAND_USE, roughness_for
from physics.bounds import AIR_TEMPERATURE
from twin import tank_geometry, weather
from twin.censored import censored_mean
from twin.state import DENSITY_GRID_K, ParkModel, gas_kg_m3

# Assumed height of a leak above grade (a nozzle or flange near the ground); the demo
# recording's generator releases at the same height. [m]
DEFAULT_RELEASE_HEIGHT_M = 1.0
# Outside these mean wind speeds the plume model does not hold (calm, storm); no estimate.
# [m/s]
MIN_WIND_SPEED_M_S, MAX_WIND_SPEED_M_S = integral_plume.WIND_RANGE_M_S


class LossRate(NamedTuple):
    """Unexplained loss rate [kg/s] (positive = mass leaving unseen) and its standard
    error [kg/s] from the residuals of the fit; arrays when several tanks are fitted."""

    rate_kg_s: float | np.ndarray
    se_kg_s: float | np.ndarray


def inventory_loss_rate(t, mass_kg, net_inflow_kg) -> LossRate:
    """Least-squares slope of (mass - cumulated metered net inflow) against time.

    Parameters
    ----------
    t : array_like
        Times, shape (k,), k >= 3. [s]
    mass_kg : array_like
        Liquid mass at ``t``, shape (k,) or (k, m) for m tanks at once. [kg]
    net_inflow_kg : array_like
        Metered net inflow cumulated from any origin up to ``t``, shaped as ``mass_kg``.
        [kg]

    Returns
    -------
    LossRate
        Minus the slope, and the slope's standard error (Numerical Recipes eq. 15.2.9
        with the variance estimated from the residuals), per tank.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(mass_kg, dtype=float) - np.asarray(net_inflow_kg, dtype=float)
    if t.ndim != 1 or t.size < 3 or y.shape[:1] != t.shape:
        raise ValueError("need at least 3 times with one mass and one inflow each")
    if np.any(~np.isfinite(t)) or np.any(~np.isfinite(y)):
        raise ValueError("times, masses and inflows must be finite")
    tc = t - t.mean()
    sxx = float(tc @ tc)
    if sxx <= 0:
        raise ValueError("times must not all be equal")
    yc = y - y.mean(axis=0)
    slope = tc @ yc / sxx
    resid = yc - np.multiply.outer(tc, slope)
    variance = np.sum(resid * resid, axis=0) / (t.size - 2)
    return LossRate((-slope)[()], np.sqrt(variance / sxx)[()])


@dataclass(frozen=True)
class CandidateFit:
    """Fit of one candidate source: rate [kg/s], its sd [kg/s], the 68 % interval of the rate
    (low, high) [kg/s] (high is inf when the readings do not bound it), chi-square,
    probability."""

    asset: str
    x: float
    y: float
    rate_kg_s: float
    rate_sd_kg_s: float
    chi2: float
    probability: float
    rate_range_kg_s: tuple[float, float] = (math.nan, math.nan)


@dataclass(frozen=True)
class SourceEstimate:
    """The most likely source and all candidates, best first; ``method`` the forward model
    and its assumptions.

    ``lower_bound`` is True when a detector reached the top of its range (or the fit the
    largest rate considered): the readings then only say the rate is at least
    ``floor_kg_s``, the smallest rate at which the plume from the best candidate reaches
    every saturated detector's mean as shown at its distance in some direction (inf if it
    never does within the rates considered); ``rate_kg_s`` stays the best fit of all the
    readings.
    """

    asset: str
    rate_kg_s: float
    rate_sd_kg_s: float
    probability: float
    candidates: tuple[CandidateFit, ...]
    lower_bound: bool = False
    method: str = ""
    floor_kg_s: float = math.nan

    def rate_text(self) -> str:
        """The rate as a person reads it: "0.152 +/- 0.031 kg/s", or "at least 0.147 kg/s
        (best fit 0.31 +/- 0.2 kg/s)" for a lower bound."""
        return _rate_text(self.rate_kg_s, self.rate_sd_kg_s, self.lower_bound, self.floor_kg_s)


def _rate_text(rate: float, sd: float, lower_bound: bool, floor: float) -> str:
    spread = "not bounded" if not math.isfinite(sd) else f"{sd:.2g}"
    fit = f"{rate:.3g} +/- {spread} kg/s"
    if not lower_bound:
        return fit
    least = min(floor, rate) if math.isfinite(floor) else rate
    return f"at least {least:.3g} kg/s (best fit {fit})"


# Release rates the forward model is marched for, 3 per decade [kg/s]. Between two of them
# the concentration at a receptor is interpolated linearly in log C against log Q (exact for
# a passive cloud, whose concentration is proportional to the rate) on `_SUBSTEPS` steps,
# and the minimum of chi-square is refined by a parabola in log Q.
RATE_NODES_KG_S = np.geomspace(1e-5, 1e4, 28)
_SUBSTEPS = 12
# Wind speed and air temperature are rounded before the march so that ticks in the same
# weather reuse one march (`_rate_plumes`): 0.05 m/s at 4 m/s changes a concentration by
# ~1 %, far inside the assumed detector error (`LeakSettings.relative_error`). [m/s], [K]
WIND_STEP_M_S = 0.1
TEMPERATURE_STEP_K = 0.5
# The source geometry (`LeakDetector`'s ``source_geometry``: a source term per rate, ~0.1 s
# each) is made for the weather and the detectors' window rounded coarser than the march
# (`geometry_key`), so that a leak's clouds are made a few times per episode, not per tick.
# [m/s], [K]
GEOMETRY_WIND_STEP_M_S = 0.5
GEOMETRY_TEMPERATURE_STEP_K = 1.0
# Gauss-Hermite nodes over which the fit integrates the wind direction's uncertainty. [-]
DIRECTION_NODES = 7
_REACH_STEPS_M = (100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0, 20_000.0, 50_000.0)
# Directions (over the half circle downwind, 0.5 deg apart) in which the floor looks for the
# most the plume puts at a saturated detector's distance.
_FAN_DIRECTIONS = 361


@functools.lru_cache(maxsize=8)
def _rate_plumes(
    cas, wind_speed, stability, air_temperature_k, averaging_time_s, height_m, x_max_m, z0_m
) -> integral_plume.Plume:
    """The integral plume of ``cas`` for every rate of `RATE_NODES_KG_S` at once."""
    release = integral_plume.substance_release(
        substances.lookup(cas),
        RATE_NODES_KG_S,
        temperature_K=air_temperature_k,
        height_m=height_m,
    )
    ambient = integral_plume.Ambient(
        wind_speed,
        stability,
        z0_m,
        air_temperature_k,
        averaging_time_s=averaging_time_s,
    )
    return integral_plume.integral_plume(release, ambient, x_max_m=x_max_m)


# Marches of a candidate's clouds (`estimate_source`'s ``sources``), kept by the identity of
# their ``Release`` and the air, as `_rate_plumes` keeps the point source's: a caller that
# hands the same clouds again (a cache of them, `LeakDetector`'s ``source_geometry``; the
# points of one pipeline share theirs) gets the same march. Each entry holds its release,
# so an identity cannot be reused while its entry lives.
_CLOUD_MARCHES: OrderedDict = OrderedDict()
_CLOUD_MARCHES_KEPT = 64  # about 1.2 MB each (51 rates); a drill replay marches 31


def _cloud_plume(release, ambient_key, x_max_m) -> integral_plume.Plume:
    """The integral plume of ``release`` in the air of ``ambient_key`` (wind speed [m/s],
    stability, air temperature [K], averaging time [s], roughness [m]), marched once per
    such air."""
    key = (id(release), ambient_key, x_max_m)
    hit = _CLOUD_MARCHES.get(key)
    if hit is not None and hit[0] is release:
        _CLOUD_MARCHES.move_to_end(key)
        return hit[1]
    u, stability, air_k, averaging_time_s, z0_m = ambient_key
    ambient = integral_plume.Ambient(u, stability, z0_m, air_k, averaging_time_s=averaging_time_s)
    plume = integral_plume.integral_plume(release, ambient, x_max_m=x_max_m)
    _CLOUD_MARCHES[key] = (release, plume)
    while len(_CLOUD_MARCHES) > _CLOUD_MARCHES_KEPT:
        _CLOUD_MARCHES.popitem(last=False)
    return plume


def _misfit_scale(chi2, readings: int):
    """s = max(1, chi2 / dof), dof = readings - 1 (at least 1): how much larger than assumed
    the errors must be for a fit of this chi-square (module docstring)."""
    return np.maximum(1.0, chi2 / max(readings - 1, 1))


def _profile_fit(conc, c, sigma, censored, log_w):
    """Fit the rate of each candidate from its forward concentrations ``conc`` (K rates of
    `RATE_NODES_KG_S`, J wind directions, M candidates, D detectors) [kg/m3].

    chi2_j(Q) = sum_free w (c - C_j(Q))^2 + sum_censored w max(c - C_j(Q), 0)^2 with
    w = 1/sigma^2 in direction j; the directions (log weights ``log_w``, (J,)) are
    integrated out, chi2(Q) = -2 log sum_j exp(log_w_j - chi2_j(Q) / 2) (one direction with
    weight 1: chi2 itself). chi2 is scanned over Q = 0 and a fine log grid, its minimum
    refined by a parabola in log Q; the 68 % interval is where chi2 stays within s of its
    minimum, s = max(1, chi2/dof) (the profile likelihood; for a linear model it is the
    weighted fit's sd, inflated when the fit is worse than the assumed errors; Press et al.
    2007, ch. 15.6).

    ``sigma`` is (D,) or (M, D). Returns rate, low, high, chi2, each (M,).
    """
    log_q = np.log(RATE_NODES_KG_S)
    seen = conc.max(axis=0) > 0.0  # (J, M, D): upwind of a candidate nothing arrives
    lc = np.log(np.where(seen, np.maximum(conc, 1e-300), 1.0))
    f = (np.arange(_SUBSTEPS) / _SUBSTEPS)[None, :, None, None, None]
    fine = (lc[:-1, None] + f * (lc[1:] - lc[:-1])[:, None]).reshape(-1, *lc.shape[1:])
    fine = np.concatenate([fine, lc[-1:]])
    steps = log_q[:-1, None] + f[0, :, 0, 0, 0] * np.diff(log_q)[:, None]
    fine_log_q = np.append(steps.ravel(), log_q[-1])
    pred = np.concatenate([np.zeros((1, *lc.shape[1:])), np.exp(fine) * seen])
    q = np.concatenate([[0.0], np.exp(fine_log_q)])

    w = np.broadcast_to(1.0 / sigma**2, lc.shape[2:])  # (M, D)

    def chi2_of(p, weight):
        """p (..., J, M, D) -> (..., M), the directions integrated out."""
        r = c - p
        r = np.where(censored, np.maximum(r, 0.0), r)
        per = np.sum(weight * r * r, axis=-1)
        return -2.0 * logsumexp(log_w[:, None] - 0.5 * per, axis=-2)

    chi = chi2_of(pred, w)  # (N, M)
    m = chi.shape[1]
    best = np.argmin(chi, axis=0)
    cols = np.arange(m)
    rate = q[best]
    value = chi[best, cols]
    # parabola through the neighbours, in log Q, where the minimum is inside the log grid
    inner = (best >= 2) & (best <= q.size - 2)
    if inner.any():
        i = best[inner]
        y0, y1, y2 = chi[i - 1, cols[inner]], chi[i, cols[inner]], chi[i + 1, cols[inner]]
        h = fine_log_q[1] - fine_log_q[0]
        curvature = y0 - 2 * y1 + y2
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(curvature > 0, 0.5 * h * (y0 - y2) / curvature, 0.0)
        u = np.log(q[i]) + np.clip(shift, -h, h)
        k = np.clip(np.searchsorted(log_q, u) - 1, 0, log_q.size - 2)
        t = ((u - log_q[k]) / (log_q[k + 1] - log_q[k]))[:, None, None]
        mc = cols[inner]
        # (n, J, D) for the n candidates refined; chi2_of wants the directions first
        p = np.exp(lc[k, :, mc] + t * (lc[k + 1, :, mc] - lc[k, :, mc]))
        refined = chi2_of(p.swapaxes(0, 1) * seen[:, mc], w[mc])
        better = refined < value[inner]
        rate[inner] = np.where(better, np.exp(u), rate[inner])
        value[inner] = np.where(better, refined, value[inner])
    threshold = value + _misfit_scale(value, c.size)
    low = np.empty(m)
    high = np.empty(m)
    for j in range(m):
        inside = chi[:, j] <= threshold[j]
        i = best[j]
        lo = i
        while lo > 0 and inside[lo - 1]:
            lo -= 1
        hi = i
        while hi < q.size - 1 and inside[hi + 1]:
            hi += 1
        low[j] = _crossing(q, chi[:, j], threshold[j], lo, lo - 1)
        top = hi == q.size - 1
        high[j] = math.inf if top else _crossing(q, chi[:, j], threshold[j], hi, hi + 1)
    return rate, np.minimum(low, rate), np.maximum(high, rate), value


def _crossing(q, chi, threshold, inside, outside) -> float:
    """Rate where chi2 crosses ``threshold`` between fine-grid points ``inside`` and
    ``outside`` (linear in chi2); the end of the grid when there is no outside point."""
    if outside < 0:
        return float(q[0])
    a, b = chi[inside], chi[outside]
    frac = (threshold - a) / (b - a) if b != a else 0.0
    return float(q[inside] + np.clip(frac, 0.0, 1.0) * (q[outside] - q[inside]))


def candidate_asset(name: str) -> str:
    """The asset of a candidate source: a tank's id, or the pipeline of a point along it
    ("P-1@250m" -> "P-1")."""
    return name.rpartition("@")[0] or name


def geometry_key(wind_speed_m_s, air_temperature_k, window_s) -> tuple[float, float, float]:
    """(wind speed [m/s], air temperature [K], duration [s]) a source geometry is made for:
    the wind to `GEOMETRY_WIND_STEP_M_S`, the air to `GEOMETRY_TEMPERATURE_STEP_K`, the
    detectors' window to the nearest power of two minutes (in log; 4 min for 3 to 5 min)."""
    u = max(
        round(wind_speed_m_s / GEOMETRY_WIND_STEP_M_S) * GEOMETRY_WIND_STEP_M_S,
        GEOMETRY_WIND_STEP_M_S,
    )
    air_k = round(air_temperature_k / GEOMETRY_TEMPERATURE_STEP_K) * GEOMETRY_TEMPERATURE_STEP_K
    minutes = 2.0 ** round(math.log2(max(window_s, 60.0) / 60.0))
    return float(u), float(air_k), 60.0 * minutes


def _reach(distance_m: float) -> float:
    """A march length covering ``distance_m`` from a few fixed ones (so marches repeat)."""
    for step in _REACH_STEPS_M:
        if distance_m <= step:
            return step
    return integral_plume.MAX_DISTANCE_M


def estimate_source(
    receptor_x,
    receptor_y,
    receptor_z,
    observed_kg_m3,
    sigma_kg_m3,
    censored,
    candidates,
    *,
    cas,
    wind_speed,
    wind_from_deg,
    stability,
    air_temperature_k=293.15,
    release_height=DEFAULT_RELEASE_HEIGHT_M,
    averaging_time_s=600.0,
    at_least_kg_m3=None,
    wind_from_sd_deg=0.0,
    sources=None,
    roughness_m=None,
) -> SourceEstimate:
    """Which candidate leaks, and at what rate, from time-averaged detector readings.

    The forward model is the integral plume (`physics.integral_plume`) of the gas ``cas``
    released as vapour at the air's temperature from a point ``release_height`` above
    grade, or, for a candidate given its ``sources``, of the clouds the forecast draws of
    its leak (jet and rainout pool), in the park's roughness, marched once for every rate
    of `RATE_NODES_KG_S`.

    Parameters
    ----------
    receptor_x, receptor_y, receptor_z : array_like
        Detector positions in park coordinates and heights above ground. [m]
    observed_kg_m3 : array_like
        Time-averaged concentration at each detector, >= 0. [kg/m3]
    sigma_kg_m3 : array_like
        Standard error assumed for each observation, > 0. [kg/m3]
    censored : array_like of bool
        True where the observation is only a lower bound of the true mean (the fit then
        counts it only where the model falls short of it).
    candidates : iterable of (str, float, float)
        Candidate sources as (asset id, x, y). [-, m, m]
    cas : str
        CAS number of the gas.
    wind_speed : float
        Mean wind speed at 10 m, 0.5-30. [m/s]
    wind_from_deg : float
        Mean direction the wind blows from. [deg]
    stability : str
        Pasquill class A..F.
    air_temperature_k : float
        Air temperature. [K]
    release_height : float
        Height of the release above ground. [m]
    averaging_time_s : float
        Averaging time of the observations. [s]
    at_least_kg_m3 : array_like, optional
        For each detector that reached the top of its range, the mean of its readings as
        shown (a lower bound of the true mean whatever the readings' distribution), NaN
        for the others; by default the censored observations. The rate is then reported
        as a lower bound: at least the smallest rate at which the plume from the best
        candidate reaches every such mean at that detector's distance in some direction
        (whatever the wind's direction, so an error in the measured direction cannot lift
        the bound).
    wind_from_sd_deg : float, default 0
        Standard error of ``wind_from_deg`` as the plume's mean direction, >= 0. The fit
        integrates the likelihood over the direction, normal about ``wind_from_deg`` with
        this sd (Gauss-Hermite nodes, `DIRECTION_NODES`), instead of taking the measured
        direction as exact: detectors on the plume's flanks, whose model value moves most
        with the direction, then weigh as little as their readings say. [deg]
    sources : sequence, optional
        Per candidate, None (the vapour point source above) or the clouds its leak makes
        at each rate of `RATE_NODES_KG_S` as the forecast draws them: (rows, release),
        ``release`` an `physics.integral_plume.Release` whose row k is a cloud of the leak
        at rate ``RATE_NODES_KG_S[rows[k]]`` (the concentrations of a rate's clouds add;
        ``scenarios.source_geometry.forecast_releases`` makes them). Each is marched with
        the integral plume in the same air.
    roughness_m : float, optional
        Surface roughness length z0; default a chemical park's
        (``physics.atmosphere.PARK_LAND_USE``, 1 m; the twin passes its park's,
        ``twin.park.roughness_m``). [m]

    Returns
    -------
    SourceEstimate
        The best candidate, its rate, sd and 68 % interval, and every candidate's fit and
        probability (exp(-chi2 / (2 s)) normalised over the candidates, s = max(1,
        chi2_min / dof): the module docstring).
    """
    x = np.asarray(receptor_x, dtype=float)
    y = np.asarray(receptor_y, dtype=float)
    z = np.asarray(receptor_z, dtype=float)
    c = np.asarray(observed_kg_m3, dtype=float)
    sigma = np.asarray(sigma_kg_m3, dtype=float)
    cens = np.asarray(censored, dtype=bool)
    if not (x.shape == y.shape == z.shape == c.shape == sigma.shape == cens.shape):
        raise ValueError("detector positions, observations, errors and flags must match")
    if c.size == 0 or np.any(~np.isfinite(c)) or np.any(c < 0):
        raise ValueError("observations must be finite, >= 0 and at least one")
    if np.any(~np.isfinite(sigma)) or np.any(sigma <= 0):
        raise ValueError("observation errors must be finite and > 0")
    if at_least_kg_m3 is None:
        least = np.where(cens, c, np.nan)
    else:
        least = np.asarray(at_least_kg_m3, dtype=float)
    if least.shape != c.shape or np.any(least < 0):
        raise ValueError("the shown means of saturated detectors must match and be >= 0")
    sat = np.isfinite(least)
    if not (math.isfinite(wind_from_sd_deg) and wind_from_sd_deg >= 0):
        raise ValueError("the wind direction's standard error must be finite and >= 0")
    cands = list(candidates)
    if not cands:
        raise ValueError("no candidate sources")
    sx = np.array([cand[1] for cand in cands], dtype=float)
    sy = np.array([cand[2] for cand in cands], dtype=float)
    u = max(round(wind_speed / WIND_STEP_M_S) * WIND_STEP_M_S, integral_plume.WIND_RANGE_M_S[0])
    air_k = round(air_temperature_k / TEMPERATURE_STEP_K) * TEMPERATURE_STEP_K
    z0 = float(roughness_for(PARK_LAND_USE) if roughness_m is None else roughness_m)
    ex, ey = x[None, :] - sx[:, None], y[None, :] - sy[:, None]

    def frame(deg):
        theta = math.radians(deg)
        dx, dy = -math.sin(theta), -math.cos(theta)  # downwind unit vector
        return ex * dx + ey * dy, ey * dx - ex * dy  # along the wind, across it

    if wind_from_sd_deg > 0:
        nodes, weights = hermegauss(DIRECTION_NODES)
        offsets, log_w = wind_from_sd_deg * nodes, np.log(weights / weights.sum())
    else:
        offsets, log_w = np.zeros(1), np.zeros(1)
    frames = [frame(wind_from_deg + d) for d in offsets]
    along = np.stack([a for a, _ in frames])  # (J, M, D)
    across = np.stack([b for _, b in frames])
    distance = np.hypot(ex, ey)
    x_max = _reach(max(float(along.max(initial=1.0)), float(distance[:, sat].max(initial=0.0))))
    if sources is None:
        sources = [None] * len(cands)
    if len(sources) != len(cands):
        raise ValueError("one source geometry (or None) per candidate")
    plume = None
    if any(src is None for src in sources):
        plume = _rate_plumes(
            cas,
            u,
            stability,
            air_k,
            float(averaging_time_s),
            float(release_height),
            x_max,
            z0,
        )
    air = (u, stability, air_k, float(averaging_time_s), z0)
    marched = [
        None if src is None else (np.asarray(src[0], dtype=int), _cloud_plume(src[1], air, x_max))
        for src in sources
    ]

    def forward(m, xs, ys, zs):
        """Concentration of candidate m's leak at every rate node, (K, N) [kg/m3]."""
        if marched[m] is None:
            return plume.at(xs, ys, zs)
        rows, cloud = marched[m]
        out = np.zeros((RATE_NODES_KG_S.size, np.size(xs)))
        np.add.at(out, rows, cloud.at(xs, ys, zs))
        return out

    conc = np.stack(
        [
            forward(m, along[:, m].ravel(), across[:, m].ravel(), np.tile(z, offsets.size)).reshape(
                RATE_NODES_KG_S.size, offsets.size, c.size
            )
            for m in range(len(cands))
        ],
        axis=2,
    )
    rate, low, high, chi = _profile_fit(conc, c, sigma, cens, log_w)
    weight = np.exp(-(chi - chi.min()) / (2.0 * _misfit_scale(chi.min(), c.size)))
    prob = weight / weight.sum()
    order = np.argsort(chi, kind="stable")
    ranked = tuple(
        CandidateFit(
            cands[i][0],
            float(sx[i]),
            float(sy[i]),
            float(rate[i]),
            float((high[i] - low[i]) / 2.0),
            float(chi[i]),
            float(prob[i]),
            (float(low[i]), float(high[i])),
        )
        for i in order
    )
    best = ranked[0]
    at_top = best.rate_kg_s >= RATE_NODES_KG_S[-1]
    floor = math.nan
    if sat.any():
        # The most the plume puts at each saturated detector's distance in any direction
        # (the axis for a Gaussian profile, the edge of a flat core otherwise): rising with
        # the rate, inverted in log-log.
        r = distance[int(order[0]), sat]
        fan = np.radians(np.linspace(-90.0, 90.0, _FAN_DIRECTIONS))
        most = (
            forward(
                int(order[0]),
                np.outer(r, np.cos(fan)).ravel(),
                np.outer(r, np.sin(fan)).ravel(),
                np.repeat(z[sat], fan.size),
            )
            .reshape(RATE_NODES_KG_S.size, r.size, fan.size)
            .max(axis=2)
        )
        need = np.log(np.maximum(least[sat], 1e-300))
        reach = [
            float(np.exp(np.interp(n, np.log(np.maximum(col, 1e-300)), np.log(RATE_NODES_KG_S))))
            if col[-1] >= np.exp(n)
            else math.inf
            for n, col in zip(need, most.T, strict=True)
        ]
        floor = max(reach)
    geometry = (
        f"the gas as vapour at {air_k - 273.15:.1f} degC from a point {release_height:g} m "
        "above grade"
        if sources[int(order[0])] is None
        else "the clouds the forecast draws of a leak of the candidate (its jet and its "
        "rainout pool's evaporation, or where no hole gives the rate the gas as vapour at "
        "the air's temperature from the ground)"
    )
    method = (
        f"integral plume (physics.integral_plume) of {geometry}, "
        f"{u:.1f} m/s, class {stability}, averaged over {averaging_time_s / 60:.0f} min; "
        f"rates {RATE_NODES_KG_S[0]:g}-{RATE_NODES_KG_S[-1]:g} kg/s"
    )
    return SourceEstimate(
        best.asset,
        best.rate_kg_s,
        best.rate_sd_kg_s,
        best.probability,
        ranked,
        lower_bound=bool(sat.any() or at_top),
        method=method,
        floor_kg_s=floor if sat.any() else (best.rate_kg_s if at_top else math.nan),
    )


@dataclass(frozen=True)
class LeakSettings:
    """Settings of `LeakDetector` (see the module docstring); times in s."""

    balance_window_s: float = 1200.0
    sigma_factor: float = 4.0
    confirm_ticks: int = 3
    min_rate_kg_s: float = 0.02
    transfer_uncertainty: float = 0.01
    gas_window_s: float = 600.0
    min_probability: float = 0.8
    relative_error: float = 0.3
    floor_fraction: float = 0.01
    release_height_m: float = DEFAULT_RELEASE_HEIGHT_M
    pipeline_step_m: float = 25.0
    pipeline_radius_m: float = 300.0
    geometry_assets: int = 3
    geometry_probability: float = 0.01
    # False: no source is estimated from the gas detectors (the mass balance still runs), for
    # a twin replayed only for its state (``scenarios.twin_start``).
    estimate_sources: bool = True


@dataclass(frozen=True)
class LeakEvent:
    """A leak flagged at time ``t`` [s]: where, how found, the rate [kg/s] and its sd,
    the probability of this asset among the candidates (1 for mass balance), why, and
    whether the rate is only a lower bound (at least ``floor_kg_s``, `SourceEstimate`)."""

    t: float
    asset: str
    cas: str
    method: str  # "mass balance" or "gas detectors"
    rate_kg_s: float
    rate_sd_kg_s: float
    probability: float
    detail: str
    lower_bound: bool = False
    floor_kg_s: float = math.nan

    def rate_text(self) -> str:
        """The rate as a person reads it (see `SourceEstimate.rate_text`)."""
        return _rate_text(self.rate_kg_s, self.rate_sd_kg_s, self.lower_bound, self.floor_kg_s)

    def refined(self, estimate: SourceEstimate) -> LeakEvent:
        """This leak with a later gas-detector estimate's asset, rate, uncertainty,
        probability and lower bound; its time, chemical, method and detail are kept."""
        return replace(
            self,
            asset=estimate.asset,
            rate_kg_s=estimate.rate_kg_s,
            rate_sd_kg_s=estimate.rate_sd_kg_s,
            probability=estimate.probability,
            lower_bound=estimate.lower_bound,
            floor_kg_s=estimate.floor_kg_s,
        )


class LeakDetector:
    """Mass balance of every tank and source estimation per gas, run once per tick.

    ``losses`` holds the latest unexplained loss rate of each tank (time, `LossRate`),
    ``estimates`` the latest source estimate of each gas by CAS (time, `SourceEstimate`),
    ``events`` every `LeakEvent` in the order flagged (one per asset and method).

    The mass balance needs the full ``balance_window_s`` of ticks and the loss above the
    threshold on ``confirm_ticks`` consecutive ticks (a single noisy fit does not flag).
    Gas is present when a detector's mean over the last tick reaches its first alarm
    level; the readings are then averaged from the tick gas appeared (at most
    ``gas_window_s`` back), and a leak is flagged when the best candidate's probability
    reaches ``min_probability``.
    """

    def __init__(
        self, model: ParkModel, settings: LeakSettings | None = None, source_geometry=None
    ):
        self.model = model
        self.settings = settings or LeakSettings()
        self.source_geometry = source_geometry
        self.events: list[LeakEvent] = []
        self.estimates: dict[str, tuple[float, SourceEstimate]] = {}
        self.losses: dict[str, tuple[float, LossRate]] = {}
        self._tanks = [tank for tank in model.tanks.values() if tank.level is not None]
        self._density = np.array([tank.density_table for tank in self._tanks])
        self._grid_k = DENSITY_GRID_K
        self._series: deque = deque()
        self._net_in = np.zeros(len(self._tanks))
        self._over = np.zeros(len(self._tanks), dtype=int)
        self._flagged: set[tuple[str, str]] = set()
        self._candidates: dict[str, list] = {}
        self._gas_since: dict[str, float] = {}
        self._gas_detectors: dict[str, list] = {}
        for ch in model.channels.values():
            if ch.cas and ch.kind in GAS_KINDS:
                self._gas_detectors.setdefault(ch.cas, []).append(ch)

    def tick(self, t: float, t_prev: float, suspect_tags=frozenset()) -> list[LeakEvent]:
        """Run both checks for the interval [t_prev, t) [s]; return new leak events.
        Tanks whose level tag is in ``suspect_tags`` (classed instrument fault) are
        left out of the mass balance."""
        new = self._balance(t, t_prev, suspect_tags)
        for cas in sorted(self._gas_detectors) if self.settings.estimate_sources else ():
            new.extend(self._gas(cas, t, t_prev))
        self.events.extend(new)
        return new

    def _balance(self, t: float, t_prev: float, suspect_tags) -> list[LeakEvent]:
        tanks = self._tanks
        if not tanks:
            return []
        level = np.array([_mean_si(tank.level, t_prev) for tank in tanks])
        temperature = np.array(
            [
                tank.temperature_k
                if tank.temperature is None
                else _mean_si(tank.temperature, t_prev, tank.temperature_k)
                for tank in tanks
            ]
        )
        flow_in = np.array([sum(_mean_si(m, t_prev, 0.0) for m in tank.inflows) for tank in tanks])
        flow_out = np.array(
            [sum(_mean_si(m, t_prev, 0.0) for m in tank.outflows) for tank in tanks]
        )
        volume = np.full(len(tanks), np.nan)
        for shape in tank_geometry.SHAPES:
            idx = [i for i, tank in enumerate(tanks) if tank.shape == shape]
            if not idx:
                continue
            ok = [i for i in idx if not math.isnan(level[i])]
            if ok:
                volume[ok] = tank_geometry.liquid_volume(
                    level[ok],
                    shape,
                    [tanks[i].diameter_m for i in ok],
                    None if shape == "sphere" else [tanks[i].length_m for i in ok],
                )
        mass = volume * self._interp_density(temperature)
        series = self._series
        if series:
            self._net_in = self._net_in + (flow_in - flow_out) * (t - series[-1][0])
        series.append((t, mass, self._net_in, flow_in + flow_out))
        s = self.settings
        while series and series[0][0] < t - s.balance_window_s:
            series.popleft()
        # Fit only a full window: the oldest tick at most one tick interval short of it.
        if len(series) < 3 or t - series[0][0] < s.balance_window_s - (t - series[-2][0]):
            return []
        times = np.array([row[0] for row in series])
        masses = np.array([row[1] for row in series])
        inflow = np.array([row[2] for row in series])
        transfer = np.array([row[3] for row in series]).mean(axis=0)
        ok = np.all(np.isfinite(masses), axis=0)
        if not ok.any():
            return []
        loss = inventory_loss_rate(times, masses[:, ok], inflow[:, ok])
        rate = np.full(len(tanks), np.nan)
        se = np.full(len(tanks), np.nan)
        rate[ok], se[ok] = loss.rate_kg_s, loss.se_kg_s
        floor = s.min_rate_kg_s + s.transfer_uncertainty * transfer
        threshold = np.maximum(s.sigma_factor * se, floor)
        over = ok & (rate > threshold)
        self._over = np.where(over, self._over + 1, 0)
        new = []
        for i, tank in enumerate(tanks):
            if not ok[i]:
                continue
            self.losses[tank.id] = (t, LossRate(float(rate[i]), float(se[i])))
            key = (tank.id, "mass balance")
            if (
                self._over[i] < s.confirm_ticks
                or key in self._flagged
                or tank.level.tag in suspect_tags
            ):
                continue
            self._flagged.add(key)
            new.append(
                LeakEvent(
                    t,
                    tank.id,
                    tank.cas,
                    "mass balance",
                    float(rate[i]),
                    float(se[i]),
                    1.0,
                    f"{tank.id} loses {rate[i]:.3g} +/- {se[i]:.2g} kg/s not explained by "
                    f"metered transfers over {s.balance_window_s / 60:.0f} min "
                    f"(threshold {threshold[i]:.3g} kg/s, {s.confirm_ticks} ticks running)",
                )
            )
        return new

    def _interp_density(self, temperature_k: np.ndarray) -> np.ndarray:
        grid = self._grid_k
        x = np.clip((temperature_k - grid[0]) / (grid[1] - grid[0]), 0, grid.size - 1.000001)
        i = np.floor(x).astype(int)
        f = x - i
        rows = np.arange(len(self._tanks))
        return self._density[rows, i] * (1 - f) + self._density[rows, i + 1] * f

    def _gas(self, cas: str, t: float, t_prev: float) -> list[LeakEvent]:
        s = self.settings
        detectors = [ch for ch in self._gas_detectors[cas] if not math.isnan(ch.value)]
        present = []
        for ch in detectors:
            mean, _, n = _band_stats(ch, t_prev)
            if n and ch.alarm_high is not None and mean >= ch.alarm_high:
                present.append(ch)
        if present and cas not in self._gas_since:
            self._gas_since[cas] = t_prev
        since = self._gas_since.get(cas)
        if since is None:
            return []
        if not present and t - since > s.gas_window_s:
            # Gas absent from every detector for a whole window: the episode is over.
            quiet = all(
                not (
                    ch.alarm_high is not None
                    and _band_stats(ch, t - s.gas_window_s)[0] >= ch.alarm_high
                )
                for ch in detectors
            )
            if quiet:
                del self._gas_since[cas]
                return []
        since = max(since, t - s.gas_window_s)
        weather = self.model.weather_now(t, since=since)
        air_t = weather.air_temperature_k
        if math.isnan(air_t):
            air_t = 293.15
        # no estimate outside the plume model's scope: calm or a gale, no direction, an air
        # temperature no one has measured on Earth
        if (
            not MIN_WIND_SPEED_M_S <= weather.wind_speed_m_s <= MAX_WIND_SPEED_M_S
            or not weather.stability
            or math.isnan(weather.wind_from_deg)
            or not AIR_TEMPERATURE.low <= air_t <= AIR_TEMPERATURE.high
        ):
            return []
        stats = [_band_stats(ch, since) for ch in detectors]
        dets = [ch for ch, st in zip(detectors, stats, strict=True) if st[2]]
        stats = [st for st in stats if st[2]]
        if not dets:
            return []
        per_unit = {ch.unit: float(gas_kg_m3(1.0, ch.unit, cas, air_t)) for ch in dets}
        saturated = [st[1] >= ch.range_high for ch, st in zip(dets, stats, strict=True)]
        # A reading at the top of the range is a lower bound of that reading: the mean as
        # shown bounds the detector's mean from below, and the readings below the top
        # estimate it while at most half are at the top (`twin.censored`).
        means = np.array([st[0] for st in stats])
        estimated = np.array(
            [
                censored_mean(_band_values(ch, since), ch.range_high) if top else math.nan
                for ch, top in zip(dets, saturated, strict=True)
            ]
        )
        scale = np.array([per_unit[ch.unit] for ch in dets])
        bound_only = np.array(saturated) & np.isnan(estimated)
        obs = np.where(np.isnan(estimated), means, estimated) * scale
        floor = np.array([s.floor_fraction * ch.span for ch in dets]) * scale
        candidates = self._candidates_for(cas)
        fit = functools.partial(
            estimate_source,
            [ch.x for ch in dets],
            [ch.y for ch in dets],
            [ch.z for ch in dets],
            obs,
            s.relative_error * obs + floor,
            bound_only,
            candidates,
            cas=cas,
            wind_speed=weather.wind_speed_m_s,
            wind_from_deg=weather.wind_from_deg,
            stability=weather.stability,
            air_temperature_k=air_t,
            release_height=s.release_height_m,
            averaging_time_s=max(t - since, 1.0),
            at_least_kg_m3=np.where(saturated, means * scale, np.nan),
            wind_from_sd_deg=self._direction_se(since),
            roughness_m=self.model.roughness_m,
        )
        estimate = fit()
        if self.source_geometry is not None:
            estimate = self._refit(
                fit, candidates, estimate, weather.wind_speed_m_s, air_t, max(t - since, 1.0)
            )
        self.estimates[cas] = (t, estimate)
        key = (estimate.asset, "gas detectors")
        if estimate.probability < s.min_probability or key in self._flagged:
            return []
        self._flagged.add(key)
        names = ", ".join(ch.tag for ch in present) or "none now"
        bound = ""
        if estimate.lower_bound:
            tops = [ch.tag for ch, top in zip(dets, saturated, strict=True) if top]
            bound = (
                f"; a lower bound: {', '.join(tops)} at the top of the range, the true rate "
                "may be higher"
                if tops
                else "; a lower bound: at the largest rate the model considers"
            )
            fitted = [ch.tag for ch, e in zip(dets, estimated, strict=True) if not math.isnan(e)]
            if fitted:
                bound += (
                    f"; the best fit takes the mean of {', '.join(fitted)} from its readings "
                    "below the top (a censored sample)"
                )
        return [
            LeakEvent(
                t,
                estimate.asset,
                cas,
                "gas detectors",
                estimate.rate_kg_s,
                estimate.rate_sd_kg_s,
                estimate.probability,
                f"detectors at or above the first alarm level: {names}; {estimate.method}, "
                f"fit to {len(dets)} detectors averaged over {(t - since) / 60:.0f} min, wind "
                f"from {weather.wind_from_deg:.0f} deg{bound}; the probability is among "
                f"{len(estimate.candidates)} candidates and takes each reading to lie within "
                f"{s.relative_error:.0%} of the model (+ {s.floor_fraction:.0%} of its span): "
                "the model's own scatter against field trials is larger (bench/VALIDATION.md)",
                estimate.lower_bound,
                estimate.floor_kg_s,
            )
        ]

    def _refit(self, fit, candidates, estimate: SourceEstimate, wind_speed, air_k, window_s):
        """The estimate ``fit(sources=...)`` with the clouds the forecast draws (the
        ``source_geometry``) for the asset that leads the point source's fit ``estimate``,
        and again with the clouds of the asset that leads then, until the best candidate
        is one whose clouds were fitted or has none (no source model), at most
        ``LeakSettings.geometry_assets`` assets. The other candidates keep the point
        source. The weather and the window are rounded (`geometry_key`) so that the clouds
        repeat from tick to tick."""
        key = geometry_key(wind_speed, air_k, window_s)
        most = self.settings.geometry_assets
        clouds: dict[str, tuple | None] = {}
        # Every asset the point source cannot rule out gets its clouds at once, in the order
        # of that fit: the point source is the wrong model of a jet and its pool, so its
        # ranking of close candidates is not to be trusted (a drill made with the forecast's
        # clouds had the point source lead with NB-102, 9 m from the leaking NB-101, for
        # three minutes; refitting the leader alone kept NB-102).
        for cand in estimate.candidates:
            asset = candidate_asset(cand.asset)
            if len(clouds) < most and asset not in clouds:
                if cand.probability >= self.settings.geometry_probability or not clouds:
                    clouds[asset] = self.source_geometry(asset, RATE_NODES_KG_S, *key)
        while True:
            sources = [clouds.get(candidate_asset(cand[0])) for cand in candidates]
            if all(src is None for src in sources):
                return estimate
            estimate = fit(sources=sources)
            asset = candidate_asset(estimate.asset)
            if asset in clouds or len(clouds) >= most:
                return estimate
            clouds[asset] = self.source_geometry(asset, RATE_NODES_KG_S, *key)

    def _direction_se(self, since: float) -> float:
        """Standard error of the mean wind direction since ``since`` [s]: the readings'
        standard deviation (Yamartino 1984) over the square root of their number [deg];
        0 without two readings."""
        ch = self.model.weather_tags.get("wind_direction")
        if ch is None:
            return 0.0
        raw = ch.window(since)[1]
        raw = raw[np.isfinite(raw)]
        if raw.size < 2:
            return 0.0
        return weather.wind_direction_sd(raw) / math.sqrt(raw.size)

    def _candidates_for(self, cas: str) -> list[tuple[str, float, float]]:
        """Tanks holding ``cas`` and points along its pipelines near its detectors."""
        if cas in self._candidates:
            return self._candidates[cas]
        s = self.settings
        tanks = [(tid, t.x, t.y) for tid, t in self.model.tanks.items() if t.cas == cas]
        out = list(tanks)
        dets = np.array([(ch.x, ch.y) for ch in self._gas_detectors[cas]], dtype=float)
        lines = getattr(self.model.park, "pipelines", None)
        if lines is not None:
            for pid, row in lines.iterrows():
                if row["cas"] != cas:
                    continue
                geom = row.geometry
                for d in np.arange(0.0, geom.length + 1e-9, s.pipeline_step_m):
                    p = geom.interpolate(d)
                    near = np.hypot(dets[:, 0] - p.x, dets[:, 1] - p.y).min(initial=np.inf)
                    # A point on top of a tank is that tank's own nozzle: the tank stands for it.
                    on_tank = any(
                        math.hypot(tx - p.x, ty - p.y) < s.pipeline_step_m / 2
                        for _, tx, ty in tanks
                    )
                    if near <= s.pipeline_radius_m and not on_tank:
                        out.append((f"{pid}@{d:.0f}m", p.x, p.y))
        self._candidates[cas] = out
        return out


def _band_stats(ch, since: float) -> tuple[float, float, int]:
    """(mean, maximum, count) of the raw readings of ``ch`` at or after ``since`` [s] that
    lie inside its measuring band (beyond it a reading is a failure signal,
    `twin.transmitter`); NaN, NaN, 0 if none."""
    total = 0.0
    top = -math.inf
    n = 0
    low, high = ch.band_low, ch.band_high
    for r in reversed(ch.history):
        if r[0] < since:
            break
        v = r[2]
        if low <= v <= high:
            total += v
            if v > top:
                top = v
            n += 1
    return (total / n, top, n) if n else (math.nan, math.nan, 0)


def _band_values(ch, since: float) -> np.ndarray:
    """The raw readings of ``ch`` at or after ``since`` [s] inside its measuring band."""
    low, high = ch.band_low, ch.band_high
    return np.array([r[2] for r in ch.history if r[0] >= since and low <= r[2] <= high])


def _mean_si(ch, since: float, default: float = math.nan) -> float:
    m = _band_stats(ch, since)[0]
    return default if math.isnan(m) else ch.si(m)
