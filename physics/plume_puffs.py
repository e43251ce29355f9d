"""Puffs that carry the integral plume's own cross-section, so that a train of them in a
steady wind is the integral model's steady plume (``physics.integral_plume``), and a
wind shift turns it.

A continuous release is cut into one puff per time step dt, of the mass released over
that step. The puff of age tau (since the middle of its step) covers, along its path, the
segment the model's cloud occupies between the ages tau - dt/2 and tau + dt/2: from
s(tau - dt/2) to s(tau + dt/2), s(tau) the distance the model's cloud covers in tau at its
own speed u(x) (ds/dt = u(s): the wind at the cloud's height or half its depth, plus a
jet's excess; ``Plume.speed``). At a receptor whose distance along the puff's path is
s_r (the puff's travel plus the receptor's offset along the wind of the moment) and y
across it, the puff adds

    C = (m / dt) A(s_r) c(s_r) F(y; b(s_r), sigma_y(s_r)) G(z; h(s_r), sigma_z(s_r))

with c(x) the model's centre concentration per kg/s of its rate, F and G its lateral and
vertical profiles (``physics.integral_plume`` module docstring), and A the segment's
window: A = Phi((s_front - s_r) / sigma_x) - Phi((s_back - s_r) / sigma_x), sigma_x the
model's along-wind sigma at each edge (DEGADIS 2.1 ATMDEF coefficients, as the
model's finite-duration factor uses); a puff whose back is at the source has no back edge
(the source is continuous up to it). Consecutive puffs' segments meet exactly (one's front
is the next one's back), so in a steady wind the windows add up to 1 along the train and
the sum is the model's plume at every point, scaled by the rate of each step; where the
release starts or stops the train's ends are smoothed over sigma_x, as the model's
finite-duration factor does (Palazzi et al. 1982). The mass each puff stands for stays
its own (the field of one puff integrates to m u(s_puff) / u(s), within the variation of
the cloud's speed over one segment).

Puffs move along their path at the model's cloud speed: a puff at travel s moves to
s(tau(s) + dt) over dt (tau the travel time, integral of ds / u), in the direction of the
wind of the moment.

An instantaneous release (a rupture's puff entered as a short steady release of M / T
lasting T, ``integral_plume.puff_as_segment``) is one puff of mass M with a step of T:
its window is the segment's of ``physics.puff_passage``, longer than u T by what the
segment has slumped along the wind (``Plume.slump_at``, half at each end), and it carries
the steady plume's centre concentration (``plume_table(..., steady=True)``), which the
window's peak, erf(L / (2 sqrt 2 sigma_x)) for a segment of length L, turns into the
model's finite-duration factor. The puff is one cloud: its cross-section all along its
window is that of its middle (the box model's uniform cloud, van Ulden 1974), so that it
holds M wherever it is.

Stated simplifications: the cross-section at a distance is the steady plume's of one rate
(the caller's; scaled linearly to the rate of each step); after a change of the wind the
segments' ends are recomputed in the new wind (their windows no longer meet exactly
while the puffs released before it are in the air).

References
----------
Spicer, T.O., Havens, J.A. (1989). User's guide for the DEGADIS 2.1 dense gas dispersion
    model. EPA-450/4-89-019 (along-wind sigma_x).
Palazzi, E., De Faveri, M., Fumarola, G., Ferraiolo, G. (1982). Diffusion from a steady
    source of short duration. Atmospheric Environment 16, 2785-2790.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import ndtr

from physics import integral_plume, mixing_layer

TABLE_POINTS = 400
FIRST_M = 0.01
REACH_SIGMAS = 4.0  # beyond this many sigmas of a segment's window or edge: nothing
# receptor-puff pairs looked at in one go (arrays of this many floats stay in a core's cache)
PAIR_BLOCK = 1 << 16


class PlumeTable(NamedTuple):
    """The steady plume of one release tabulated along its axis, per kg/s of its rate.

    s [m] distances (log-spaced from FIRST_M); c [kg/m3 per kg/s] centre concentration;
    b, sigma_y, sigma_z, height [m]; u [m/s] cloud speed; sigma_x [m] along-wind sigma;
    tau [s] travel time from the source; slump [m] how much longer a puff's segment has
    grown along the wind than u T (``steady`` tables; None otherwise); lid [m] the mixed
    layer's top (``Plume.mixing_height``; inf: none).
    """

    s: np.ndarray
    c: np.ndarray
    b: np.ndarray
    sigma_y: np.ndarray
    sigma_z: np.ndarray
    height: np.ndarray
    u: np.ndarray
    sigma_x: np.ndarray
    tau: np.ndarray
    slump: np.ndarray | None = None
    lid: float = math.inf


def plume_table(
    plume, rate_kg_s: float, x_max_m: float, row: int = 0, steady: bool = False
) -> PlumeTable:
    """Tabulate row ``row`` of a ``physics.integral_plume.Plume`` of rate ``rate_kg_s``
    [kg/s] from FIRST_M to ``x_max_m`` [m] (at most the plume's own range). ``steady``:
    the steady plume's centre concentration, without the finite-duration factor
    (``Plume.steady_profile``), for the segment of a short release, whose window A with a
    step of its duration replaces that factor (``physics.puff_passage``); else the
    profile's own (``Plume.profile``)."""
    if not rate_kg_s > 0:
        raise ValueError(f"plume rate must be > 0 kg/s, got {rate_kg_s!r}")
    x_end = min(float(x_max_m), float(plume.x[row, -1]))
    s = np.geomspace(FIRST_M, x_end, TABLE_POINTS)
    one = integral_plume._row(plume, row)
    profile = one.steady_profile(s)[:5] if steady else one.profile(s)
    c, b, sy, sz, h = (v[0] for v in profile)
    u = one.speed(s[None, :])[0]
    sx = one.sigma_x(s[None, :])[0]
    # travel time: from the source at the first station's speed, then trapezoids in 1/u
    inv = 1.0 / u
    steps = np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(s))
    tau = s[0] * inv[0] + np.concatenate([[0.0], steps])
    slump = one.slump_at(s[None, :])[0] if steady else None
    lid = float(one.mixing_height()[0])
    return PlumeTable(s, c / rate_kg_s, b, sy, sz, h, u, sx, tau, slump, lid)


def travel_time(table: PlumeTable, s) -> np.ndarray:
    """Time the cloud takes to cover distance ``s`` [m] from the source [s] (beyond the
    table at its last speed)."""
    s = np.asarray(s, dtype=float)
    t = np.interp(s, table.s, table.tau, left=0.0)
    beyond = s > table.s[-1]
    t = np.where(beyond, table.tau[-1] + (s - table.s[-1]) / table.u[-1], t)
    return np.where(s < table.s[0], np.maximum(s, 0.0) / table.u[0], t)


def distance_at(table: PlumeTable, tau) -> np.ndarray:
    """Distance [m] the cloud covers in ``tau`` [s] (the inverse of ``travel_time``; 0
    for tau <= 0)."""
    tau = np.asarray(tau, dtype=float)
    s = np.interp(tau, table.tau, table.s)
    s = np.where(tau > table.tau[-1], table.s[-1] + (tau - table.tau[-1]) * table.u[-1], s)
    return np.where(tau < table.tau[0], np.maximum(tau, 0.0) * table.u[0], s)


def travel_after(table: PlumeTable, s, dt: float) -> np.ndarray:
    """Where a puff at travel ``s`` [m] is after ``dt`` [s] more at the cloud's speed."""
    return distance_at(table, travel_time(table, s) + dt)


def segments(table: PlumeTable, s, dt: float):
    """Each puff's segment along its path: (back, front) [m] for puffs at travel ``s`` of a
    step ``dt`` [s], a puff's widened by what it has slumped (``table.slump``, half at
    each end); back is -inf for a puff whose segment reaches back to the source."""
    tau = travel_time(table, s)
    front = distance_at(table, tau + 0.5 * dt)
    back = np.where(tau - 0.5 * dt > 1e-9 * dt, distance_at(table, tau - 0.5 * dt), -np.inf)
    if table.slump is not None:  # a puff's segment, longer by what it has slumped
        half = 0.5 * np.interp(s, table.s, table.slump)
        front, back = front + half, back - half
    return back, front


def _lookup(table: PlumeTable, s):
    """Index and weight of distances ``s`` on the table's log grid (clamped to its ends)."""
    ratio = np.log(table.s[-1] / table.s[0]) / (table.s.size - 1)
    pos = np.log(np.maximum(s, table.s[0]) / table.s[0]) / ratio
    # pos >= 0, so the index is >= 0 and pos - index >= 0: only the upper ends to clamp
    k = np.minimum(pos.astype(np.int64), table.s.size - 2)
    return k, np.minimum(pos - k, 1.0)


def _at(a, k, w):
    return a[k] + w * (a[k + 1] - a[k])


class _Frame(NamedTuple):
    """Receptors and puffs in a frame at the puffs' mean position (``_frame``): along and
    across the wind [m], as float32, and the slack [m] that covers their rounding."""

    r_along: np.ndarray
    r_across: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    p_across: np.ndarray
    wide: np.ndarray


def _frame(x, y, puff_x, puff_y, travel, ex, ey, first, last, wide) -> _Frame:
    """Along and across the wind, a receptor's coordinate less a puff's is its s_r less the
    puff's travel and its distance across (one product per receptor and per puff, not per
    pair). Taken as float32 with a slack of 1e-6 of the largest coordinate (float32 rounds
    each to 6e-8 of it), the bounds below hold every pair the exact tests keep."""
    ox, oy = puff_x.mean(), puff_y.mean()
    xr, yr = x - ox, y - oy
    px, py = puff_x - ox, puff_y - oy
    r_along, r_across = xr * ex + yr * ey, yr * ex - xr * ey
    p_along, p_across = px * ex + py * ey - travel, py * ex - px * ey
    lo, hi = first + p_along, last + p_along
    size = max(np.abs(r_along).max(), np.abs(r_across).max(), np.abs(p_across).max())
    size = max(size, np.abs(lo).max(), np.abs(hi).max(), float(wide.max()), 1.0)
    slack = 1e-6 * size
    f = np.float32
    return _Frame(
        r_along.astype(f),
        r_across.astype(f),
        (lo - slack).astype(f),
        (hi + slack).astype(f),
        p_across.astype(f),
        (wide + slack).astype(f),
    )


def _near_pairs(frame, x, y, puff_x, puff_y, travel, ex, ey, first, last, wide, rows):
    """The (receptor, puff) pairs of receptors ``rows`` (a slice) that a puff reaches: its
    distance along the puff's path s_r = (x - puff_x, y - puff_y) . (ex, ey) + travel
    strictly between ``first`` and ``last`` and its distance across |a| below ``wide``.
    Returns receptor (within ``rows``) and puff indices in row-major order, s_r and |a|.

    The candidates come from ``frame`` (``_frame``); s_r and a are then computed per pair
    as written above and the exact tests kept, so the result does not depend on the frame."""
    d = frame.r_along[rows, None]
    cand = (d > frame.lo) & (d < frame.hi)
    cand &= np.abs(frame.r_across[rows, None] - frame.p_across) < frame.wide
    flat = np.flatnonzero(cand)
    i, j = np.divmod(flat, cand.shape[1])
    rx = x[i + rows.start] - puff_x[j]
    ry = y[i + rows.start] - puff_y[j]
    s_r = rx * ex + ry * ey
    s_r += travel[j]
    across = np.abs(-rx * ey + ry * ex)
    keep = (s_r > first[j]) & (s_r < last[j]) & (across < wide[j])
    if keep.all():
        return i, j, s_r, across
    return i[keep], j[keep], s_r[keep], across[keep]


def concentration(
    table: PlumeTable,
    puff_x,
    puff_y,
    travel,
    mass,
    dt: float,
    wind_from_deg: float,
    x,
    y,
    z=0.0,
) -> np.ndarray:
    """Concentration [kg/m3] at receptors (x, y, z) [m] of puffs at (puff_x, puff_y) [m]
    with ``travel`` [m] along their path and ``mass`` [kg] each released over ``dt`` [s],
    in the wind from ``wind_from_deg`` [deg clockwise from north] (module docstring)."""
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    z = np.broadcast_to(np.asarray(z, dtype=float), x.shape)
    out = np.zeros(x.size)
    mass = np.asarray(mass, dtype=float)
    if mass.size == 0 or x.size == 0:
        return out
    theta = np.radians(wind_from_deg)
    ex, ey = -np.sin(theta), -np.cos(theta)
    puff_x, puff_y = np.asarray(puff_x, dtype=float), np.asarray(puff_y, dtype=float)
    travel = np.asarray(travel, dtype=float)
    back, front = segments(table, travel, dt)
    # each edge smoothed by sigma_x where it is: a front and the next puff's back are one
    # edge, so their terms cancel exactly along the train
    sx_front = _at(table.sigma_x, *_lookup(table, front))
    finite = np.isfinite(back)
    back0 = np.where(finite, back, 0.0)
    sx_back = _at(table.sigma_x, *_lookup(table, back0))
    # where a puff can add anything: along, within REACH_SIGMAS of its edges (and > 0);
    # across, within its width at the farthest distance it reaches
    first = np.where(finite, back0 - REACH_SIGMAS * sx_back, 0.0)
    last = front + REACH_SIGMAS * sx_front
    # a puff's segment is one cloud: its cross-section is its middle's all along it (the
    # box model's uniform cloud, van Ulden 1974), a train's the plume's where it is
    blob = table.slump is not None
    k, w = _lookup(table, travel if blob else last)
    wide = _at(table.b, k, w) + REACH_SIGMAS * _at(table.sigma_y, k, w)
    rate = mass / dt
    columns = (table.c, table.b, table.sigma_y, table.sigma_z, table.height)
    steps = [np.diff(a) for a in columns]
    ground = not np.any(z)
    # the lid folds the profile only where it lies within NEAR_SIGMAS of the cloud or of a
    # receptor (``physics.mixing_layer``); elsewhere the reflected Gaussian alone
    highest = np.maximum(table.height, float(z.max(initial=0.0)))
    lidded = bool(np.any(table.lid - highest < mixing_layer.NEAR_SIGMAS * table.sigma_z))
    frame = _frame(x, y, puff_x, puff_y, travel, ex, ey, first, last, wide)
    block = max(1, PAIR_BLOCK // mass.size)
    for start in range(0, x.size, block):
        rows = slice(start, min(start + block, x.size))
        i, j, sr, across = _near_pairs(
            frame, x, y, puff_x, puff_y, travel, ex, ey, first, last, wide, rows
        )
        if i.size == 0:
            continue
        window = ndtr((front[j] - sr) / sx_front[j]) - np.where(
            finite[j], ndtr((back0[j] - sr) / sx_back[j]), 0.0
        )
        k, w = _lookup(table, travel[j] if blob else sr)
        c, b, sy, sz, h = (a.take(k) + w * da.take(k) for a, da in zip(columns, steps, strict=True))
        lateral = np.exp(-0.5 * (np.maximum(across - b, 0.0) / sy) ** 2)
        if ground:  # the source and its image give the same term at z = 0
            zz = 0.0
            vertical = np.exp(-0.5 * (h / sz) ** 2)
        else:
            zz = z[rows][i]
            vertical = 0.5 * (
                np.exp(-0.5 * ((zz - h) / sz) ** 2) + np.exp(-0.5 * ((zz + h) / sz) ** 2)
            )
        if lidded:  # the pairs the lid reaches
            near = np.maximum(table.lid, h) - np.maximum(h, zz) < mixing_layer.NEAR_SIGMAS * sz
            if near.any():
                zn = zz if ground else zz[near]
                vertical[near] = mixing_layer.vertical_profile(zn, h[near], sz[near], table.lid)
        c = rate[j] * window * np.where(sr > 0.0, c, 0.0) * lateral * vertical
        out[rows] = np.bincount(i, weights=c, minlength=rows.stop - rows.start)
    return out


def extent(table: PlumeTable, travel, dt: float):
    """Per puff at ``travel`` [m]: the farthest distance along its path it adds anything
    at [m], and its half-width there [m] (the reach the caller's frames and boxes need)."""
    travel = np.asarray(travel, dtype=float)
    _, front = segments(table, travel, dt)
    last = front + REACH_SIGMAS * _at(table.sigma_x, *_lookup(table, front))
    k, w = _lookup(table, travel if table.slump is not None else last)
    return last, _at(table.b, k, w) + REACH_SIGMAS * _at(table.sigma_y, k, w)
