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

Source estimation (`estimate_source`) is the inverse use of the passive Gaussian plume of
`physics.dispersion` (Briggs sigmas, sigma_y scaled to the averaging time): the
concentration is linear in the release rate, so for each candidate source (each tank of
that chemical and points along its pipelines near the detectors) the rate is the weighted
least-squares fit of the detector means; detectors that reached the top of their range
are censored (the true mean is at least what they show). The candidate with the smallest
chi-square is the estimate; with equal prior odds, exp(-chi2/2) normalised over the
candidates is the probability of each (the likelihood across candidates), and the rate's
standard deviation is that of the weighted fit, inflated by sqrt(chi2/dof) when the fit is
worse than the assumed errors. Assumed detector error: ``relative_error`` of the reading
(model error dominates: plume meander, near-field) plus ``floor_fraction`` of the span.
A leak is flagged by the gas detectors when the best candidate's probability reaches
``min_probability``. These settings are parktwin's choices, not values from a standard.

References
----------
Least squares with a linear model and the chi-square likelihood: Press et al. (2007),
Numerical Recipes, 3rd ed., ch. 15.1-15.4. Gaussian plume: see `physics.dispersion`.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from geodata.schema import GAS_KINDS
from physics.dispersion import plume_concentration
from twin import tank_geometry
from twin.state import DENSITY_GRID_K, ParkModel, gas_kg_m3

# Assumed height of a leak above grade (a nozzle or flange near the ground); the demo
# recording's generator releases at the same height. [m]
DEFAULT_RELEASE_HEIGHT_M = 1.0
# Below this mean wind speed the Gaussian plume does not hold (calm); no estimate. [m/s]
MIN_WIND_SPEED_M_S = 0.5


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
    """Fit of one candidate source: rate [kg/s], its sd [kg/s], chi-square, probability."""

    asset: str
    x: float
    y: float
    rate_kg_s: float
    rate_sd_kg_s: float
    chi2: float
    probability: float


@dataclass(frozen=True)
class SourceEstimate:
    """The most likely source and all candidates, best first."""

    asset: str
    rate_kg_s: float
    rate_sd_kg_s: float
    probability: float
    candidates: tuple[CandidateFit, ...]


def _fit(a, c, sigma, censored) -> tuple[float, float, float]:
    """Rate, sd and chi2 for unit-rate predictions ``a`` of observations ``c``.

    chi2(q) = sum_free w (c - q a)^2 + sum_censored w max(c - q a, 0)^2 is a convex,
    piecewise quadratic function of q >= 0 whose pieces change where a censored detector's
    prediction reaches its reading (q = c/a); the minimum is found exactly, piece by piece.
    """
    w = 1.0 / sigma**2
    cens = censored & (a > 0)
    breaks = np.unique(np.concatenate(([0.0], c[cens] / a[cens])))
    edges = np.append(breaks, np.inf)

    def chi2(q):
        r = c - q * a
        r = np.where(censored, np.maximum(r, 0.0), r)
        return float(np.sum(w * r * r))

    best = (math.inf, 0.0, 0.0)
    for lo, hi in itertools.pairwise(edges):
        # On (lo, hi) a censored detector counts while its prediction is below its reading.
        active = ~censored | (censored & ((a <= 0) | (c / np.where(a > 0, a, 1.0) >= hi)))
        saa = float(np.sum(w[active] * a[active] ** 2))
        sac = float(np.sum(w[active] * a[active] * c[active]))
        q = sac / saa if saa > 0 else lo
        q = min(max(q, lo), hi if math.isfinite(hi) else max(q, lo))
        value = chi2(q)
        if value < best[0]:
            best = (value, q, saa)
    value, q, saa = best
    dof = max(int(c.size) - 1, 1)
    sd = math.sqrt(max(1.0, value / dof) / saa) if saa > 0 else math.inf
    return q, sd, value


def estimate_source(
    receptor_x,
    receptor_y,
    receptor_z,
    observed_kg_m3,
    sigma_kg_m3,
    censored,
    candidates,
    *,
    wind_speed,
    wind_from_deg,
    stability,
    release_height=DEFAULT_RELEASE_HEIGHT_M,
    averaging_time_s=600.0,
) -> SourceEstimate:
    """Which candidate leaks, and at what rate, from time-averaged detector readings.

    Parameters
    ----------
    receptor_x, receptor_y, receptor_z : array_like
        Detector positions in park coordinates and heights above ground. [m]
    observed_kg_m3 : array_like
        Time-averaged concentration at each detector, >= 0. [kg/m3]
    sigma_kg_m3 : array_like
        Standard error assumed for each observation, > 0. [kg/m3]
    censored : array_like of bool
        True where the detector was at the top of its range: the true mean is at least
        the observation.
    candidates : iterable of (str, float, float)
        Candidate sources as (asset id, x, y). [-, m, m]
    wind_speed : float
        Mean wind speed, > 0. [m/s]
    wind_from_deg : float
        Mean direction the wind blows from. [deg]
    stability : str
        Pasquill class A..F.
    release_height : float
        Height of the release above ground. [m]
    averaging_time_s : float
        Averaging time of the observations. [s]

    Returns
    -------
    SourceEstimate
        The best candidate, its rate and sd, and every candidate's fit and probability.
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
    cands = list(candidates)
    if not cands:
        raise ValueError("no candidate sources")
    fits = []
    for asset, sx, sy in cands:
        a = plume_concentration(
            x,
            y,
            z,
            rate=1.0,
            wind_speed=wind_speed,
            wind_from_deg=wind_from_deg,
            stability=stability,
            source_x=sx,
            source_y=sy,
            release_height=release_height,
            averaging_time_s=averaging_time_s,
        )
        q, sd, chi2 = _fit(np.asarray(a, dtype=float), c, sigma, cens)
        fits.append((asset, float(sx), float(sy), q, sd, chi2))
    chi = np.array([f[5] for f in fits])
    weight = np.exp(-(chi - chi.min()) / 2.0)
    prob = weight / weight.sum()
    order = np.argsort(chi, kind="stable")
    ranked = tuple(
        CandidateFit(
            fits[i][0], fits[i][1], fits[i][2], fits[i][3], fits[i][4], fits[i][5], float(prob[i])
        )
        for i in order
    )
    best = ranked[0]
    return SourceEstimate(best.asset, best.rate_kg_s, best.rate_sd_kg_s, best.probability, ranked)


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


@dataclass(frozen=True)
class LeakEvent:
    """A leak flagged at time ``t`` [s]: where, how found, the rate [kg/s] and its sd,
    the probability of this asset among the candidates (1 for mass balance), and why."""

    t: float
    asset: str
    cas: str
    method: str  # "mass balance" or "gas detectors"
    rate_kg_s: float
    rate_sd_kg_s: float
    probability: float
    detail: str


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

    def __init__(self, model: ParkModel, settings: LeakSettings | None = None):
        self.model = model
        self.settings = settings or LeakSettings()
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
        for cas in sorted(self._gas_detectors):
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
            mean, _, n = ch.stats_since(t_prev)
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
                    and ch.stats_since(t - s.gas_window_s)[0] >= ch.alarm_high
                )
                for ch in detectors
            )
            if quiet:
                del self._gas_since[cas]
                return []
        since = max(since, t - s.gas_window_s)
        weather = self.model.weather_now(t, since=since)
        if not weather.wind_speed_m_s >= MIN_WIND_SPEED_M_S or not weather.stability:
            return []
        air_t = weather.air_temperature_k
        if math.isnan(air_t):
            air_t = 293.15
        stats = [ch.stats_since(since) for ch in detectors]
        dets = [ch for ch, st in zip(detectors, stats, strict=True) if st[2]]
        stats = [st for st in stats if st[2]]
        per_unit = {ch.unit: float(gas_kg_m3(1.0, ch.unit, cas, air_t)) for ch in dets}
        obs = np.array([st[0] * per_unit[ch.unit] for ch, st in zip(dets, stats, strict=True)])
        floor = np.array([s.floor_fraction * ch.span * per_unit[ch.unit] for ch in dets])
        estimate = estimate_source(
            [ch.x for ch in dets],
            [ch.y for ch in dets],
            [ch.z for ch in dets],
            obs,
            s.relative_error * obs + floor,
            [st[1] >= ch.range_high for ch, st in zip(dets, stats, strict=True)],
            self._candidates_for(cas),
            wind_speed=weather.wind_speed_m_s,
            wind_from_deg=weather.wind_from_deg,
            stability=weather.stability,
            release_height=s.release_height_m,
            averaging_time_s=max(t - since, 1.0),
        )
        self.estimates[cas] = (t, estimate)
        key = (estimate.asset, "gas detectors")
        if estimate.probability < s.min_probability or key in self._flagged:
            return []
        self._flagged.add(key)
        names = ", ".join(ch.tag for ch in present) or "none now"
        return [
            LeakEvent(
                t,
                estimate.asset,
                cas,
                "gas detectors",
                estimate.rate_kg_s,
                estimate.rate_sd_kg_s,
                estimate.probability,
                f"detectors at or above the first alarm level: {names}; plume fit to "
                f"{len(dets)} detectors averaged over {(t - since) / 60:.0f} min, wind "
                f"{weather.wind_speed_m_s:.2g} m/s from {weather.wind_from_deg:.0f} deg, "
                f"class {weather.stability}",
            )
        ]

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


def _mean_si(ch, since: float, default: float = math.nan) -> float:
    m = ch.mean_since(since)
    return default if math.isnan(m) else ch.si(m)
