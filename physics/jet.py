"""The momentum jet in a cross-wind: a release leaving its hole faster than the wind, mixing
air in by its own shear, bending with the wind, rising or falling under its buoyancy and
running along the ground once it has come down.

The jet is a top-hat round jet of radius b, speed V along its axis at angle theta to the
horizontal (in the vertical plane of the wind), carrying the mass flux m = rho V pi b^2 of
released material Q and entrained air. Along its path s (Hoult, Fay & Forney 1969, in the
form of the near field of Witlox & Holt 1999 and of SLAB's jet, Ermak 1990):

    dm/ds = E = 2 pi b rho_a [alpha (V - u_a cos theta) + beta u_a |sin theta|]
    d(m u_x)/ds = E u_a                             (entrained air brings the wind's momentum)
    d(m w)/ds = g (rho_a - rho) pi b^2              (buoyancy; a dense jet falls)
    dx/ds = cos theta,  dz/ds = sin theta

with u_x = V cos theta, w = V sin theta, u_a the wind at the jet's height and rho the
density of the mixture at the mass fraction omega = Q / m from adiabatic mixing with moist
air, droplets evaporating (``physics.cloud_mixing``). Drag is neglected.

- alpha = 0.08: the jet-shear entrainment of a free round jet. For a top-hat jet of the
  ambient's density the equations give m / m0 = 1 + 4 alpha x / d0 exactly, and far from
  any source m / m0 -> 4 alpha (x / d0) sqrt(rho_a / rho_0); Ricou & Spalding (1961)
  measured m / m0 = 0.32 (x / d0) sqrt(rho_a / rho_0), hence alpha = 0.32 / 4.
- beta = 0.6: the cross-flow entrainment of a bent-over plume (Briggs 1975): with it a
  bent-over buoyant plume rises as Delta h = (3 / (2 beta^2))^(1/3) F^(1/3) x^(2/3) / u,
  the 2/3 law's 1.6 F^(1/3) x^(2/3) / u.

In stable air the jet's buoyancy is taken against the air at its height, the mean height
of its section reflected at the ground (E|Z| for Z ~ N(z, sigma_z^2); the axis for a jet
well above the ground): the air there is lighter than air brought up adiabatically from
the hole by g (theta(z) - theta(h)) / T, as an acceleration (``stratification``, from
Businger et al.'s stable temperature profile in ``physics.atmosphere.stable_buoyancy``),
and the air the jet takes in there keeps that potential temperature (Morton, Taylor &
Turner 1956). With S(z) that acceleration and the state's integral I = int S dm over the
path's mass, the buoyancy term becomes

    d(m w)/ds = [g (rho_a - rho) - rho_a (S(z) - I / m)] pi b^2,   dI/dm = S(z)

(Boussinesq: the entrained air's share of the mixture's density deficit). A bent-over
buoyant plume in air of constant s = g/T dtheta/dz then stops rising at
(6 / beta^2)^(1/3) (F / (u s))^(1/3) = 2.55 (F / (u s))^(1/3), Briggs's (1975) stable rise
2.6 (F / (u s))^(1/3) (a test); without it a light gas let out in stable air rose
kilometres (32 kg/s of methane at 200 K, class E: 3.4 km up at 4.7 km, found by the
continuity property). Taken at the axis, a dense cloud that came down from 20-50 m and
touched bounced back up 6 m (the air it took in aloft being lighter than the surface
inversion at its axis); at the centroid it stays down. In neutral and unstable air S = 0.

The ground stops a falling jet: from touchdown (below) it runs along the ground as a
grounded jet that slumps like the dense cloud it hands over to (the touchdown phase of
the UDM, Witlox & Holt 1999; SLAB's grounded cloud, Ermak 1990). Its section
is the ground cloud's of ``physics.integral_plume``: a flat core of half-width b_c with
Gaussian edges sigma_y across, a Gaussian sigma_z up (reflected at the ground), equivalent
width W = 2 b_c + sqrt(2 pi) sigma_y and depth H = sqrt(pi/2) sigma_z, W H = m / (rho V).
At touchdown b_c = 0 and sigma_y = sigma_z = b (the round jet's section: no step). On the
ground, per metre of path:

    E = rho_a alpha (V - u_a cos theta) [W / phi + 2 H]
    phi = 1 + 5 H / L_c,  1 / L_c = C_mu g (rho - rho_a) / (rho U_c^2),
    U_c^2 = C_f dU^2,  dU = (rho_a / rho)(V - u_a cos theta)
    db_c/dx = C_E sqrt(g' H) / V,  g' = g (rho - rho_a) / rho_a
    d sigma_y/dx = rho_a alpha (V - u_a cos theta) 2 H / (rho V H sqrt(2 pi))

- E: the jet's own shear entrainment, the same law as in the air (Ricou & Spalding's
  alpha), through the part of its perimeter in contact with the air, the top W and the
  two sides 2 H (the ground takes none): the round jet's 2 pi b becomes W + 2 H = 5.0 b
  at touchdown, the law itself does not change.
  The cloud's own stratification damps what enters through the top as SLAB damps its
  shear-driven vertical entrainment, by phi_h(H / L) of the in-cloud Monin-Obukhov length
  with the friction velocity of its top drag (Ermak 1990 EQ 35c, 35d with the density
  term, 35e; C_f = 0.02 as in SLAB.FOR, C_mu = 0.025, 5 the stable phi_h of EQ 33a). The
  atmosphere's own entrainment (u*, its turbulence) is not in E: it is what the jet hands
  over to (below).
- b_c: gravity spreading of the denser-than-air cloud, C_E = 1.15 (DEGADIS 2.1, Spicer &
  Havens 1989), the ground phase's closure, so that the slumping goes on through the
  hand-off without a step; a cloud no denser than air does not slump.
- sigma_y: the air entering through the sides widens the edges (as in SLAB's EQ 7, side
  entrainment adds width, top entrainment depth); the rest of the volume, the depth.

Touchdown is where the lower edge of a jet not going up reaches the ground (its axis at
z <= b; SLAB's horizontal jet is grounded where its lower edge touches, Ermak 1990); the
axis goes on falling under the jet's buoyancy until it reaches the ground (w = 0, z = 0).
From touchdown on, the wind acting on it is the ground cloud's, at half its depth.

Stated simplifications: no ground friction on the grounded jet (SLAB's EQ 37 U_mg term)
and the slumping by DEGADIS's front speed rather than SLAB's gravity-flow momentum (EQ 5).

The jet hands over (``physics.integral_plume``) where its own entrainment no longer exceeds
what the atmosphere would entrain into a cloud of its section: the caller's ``passive``,
evaluated on the path as it is marched; the march stops there (its path beyond holds the
hand-off's values). Except for a jet in the air whose buoyancy still pulls it down (a
dense jet at or past its apex): the passive phase holds a cloud's height, which would
leave it in the air for ever (a dense jet sent up in class F was handed over at its apex
44 m up, 1e-54 kg/m3 at the ground at 300 m, or brought down, depending on whether a
sub-step happened to land where its entrainment fell below the atmosphere's). Such a jet
goes on falling under its buoyancy, taking in at least what the atmosphere entrains,
E = max(E_jet, passive), until its section reaches the ground or its buoyancy no longer
pulls it down (a plume levelling off in stable air), where it hands over. A release whose
own entrainment at the hole does not exceed the atmosphere's has no jet phase (hand-off at
the first point), dense or not.

Since Q is constant, the mass fraction is 1 / mu with mu = m / Q, and every quantity is a
function of mu: the equations are marched in mu along one logarithmic grid (SUBSTEPS
log-spaced sub-steps per interval) for every jet at once (ds = dm / E; a single jet on
Python floats, numpy's cost per call being most of its time otherwise), with Heun's
predictor-corrector (the explicit trapezoidal rule; e.g. Press et al. 2007, Numerical
Recipes 3rd ed., sec. 17.1), each point from the one before it. A jet going up against
its buoyancy stalls at its apex (w = 0, V ~ u_a): there E -> 0 and ds/dm, d(m w)/dm grow
like 1 / |w|, an integrable singularity (w goes as the square root of log(m / m_apex) on
either side; a fixed-point iteration over the whole path does not converge there). A fixed
step across it evaluates the corrector where E is nearly 0 and throws the jet hundreds of
metres on at a speed it never had, so a sub-step is halved in log m, up to MAX_HALVINGS
times, while the jet's speed changes over it by more than MAX_SPEED_CHANGE or its
entrainment by more than MAX_ENTRAINMENT_CHANGE, or (in stable air, the axis off the
ground) the sub-step takes more than MAX_BUOYANCY_PHASE of the air's buoyancy period,
N dt (a batch halves for all its jets where one still marching needs it).
The second is touchdown: a jet falling back in light wind loses its cross-flow
entrainment there (E can drop a hundredfold), and a step taken across it unresolved once
threw such a jet 670 m on with a core 1.5 km wide. The hand-off is checked at every
sub-step; one found between grid points is taken at the grid point before it.
The last is for a plume oscillating about its level in stable air (period 2 pi / N,
N^2 = dS/dz): Heun's step amplifies an oscillation it takes in a few steps (by
|1 + i z - z^2 / 2| = (1 + z^4 / 4)^(1/2) per step of phase z), which once threw such a
plume from 25 to 40 m and down to the ground at 2 km (and another, from 28 to 51 m at
5.6 km). With it, the ground concentration of the first is within 12 % of a grid 4x finer
at 300 m-2 km (a test), of the second within 10 % out to 8 km.

References
----------
Ricou, F.P., Spalding, D.B. (1961). Measurements of entrainment by axisymmetrical turbulent
    jets. J. Fluid Mech. 11, 21-32.
Hoult, D.P., Fay, J.A., Forney, L.J. (1969). A theory of plume rise compared with field
    observations. J. Air Pollut. Control Assoc. 19, 585-590 (shear plus cross-flow
    entrainment of a plume bent by the wind).
Morton, B.R., Taylor, G.I., Turner, J.S. (1956). Turbulent gravitational convection from
    maintained and instantaneous sources. Proc. R. Soc. A 234, 1-23 (a plume in a
    stratified ambient).
Briggs, G.A. (1975). Plume rise predictions. In: Lectures on Air Pollution and
    Environmental Impact Analyses, AMS, 59-111 (beta = 0.6; the stable buoyant rise
    2.6 (F / (u s))^(1/3)).
Ermak, D.L. (1990). User's manual for SLAB. UCRL-MA-105607, LLNL (horizontal and vertical
    jet sources, cloud thermodynamics with aerosol; EQ 7, 33a, 35c-e of the grounded
    cloud, read with its Python port slabx 1.0.7).
Spicer, T.O., Havens, J.A. (1989). User's guide for the DEGADIS 2.1 dense gas dispersion
    model. EPA-450/4-89-019 (gravity spreading C_E).
Witlox, H.W.M., Holt, A. (1999). A unified model for jet, heavy and passive dispersion
    including droplet rainout and re-evaporation. CCPS International Conference on
    Modeling the Consequences of Accidental Releases, 315-344 (near-field jet phase handing
    over to heavy and passive dispersion).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import erf

from physics.cloud_mixing import MixingTable

G = 9.80665  # m/s2
ALPHA = 0.32 / 4.0  # jet-shear entrainment, Ricou & Spalding (1961)
BETA = 0.6  # cross-flow entrainment, Briggs (1975)
C_E = 1.15  # gravity-spreading coefficient, DEGADIS 2.1 (as physics.integral_plume)
# the damping of the grounded jet's top entrainment, SLAB (Ermak 1990)
_SQRT_CF = math.sqrt(0.02)  # top drag C_f, EQ 35e
_DAMP = 5.0 * 0.025  # stable phi_h coefficient (EQ 33a) x C_mu (EQ 35d)
SQRT_2PI = math.sqrt(2.0 * math.pi)
SQRT_PI_2 = math.sqrt(math.pi / 2.0)
#: m / Q on the path's grid: from the pure release to 1e7 times its mass. [-]
MASS_RATIO = np.geomspace(1.0, 1e7, 141)
#: sub-steps of Heun's predictor-corrector per grid interval
SUBSTEPS = 2


def sub_steps(mass_ratio: np.ndarray, substeps: int):
    """The sub-steps of the grid ``mass_ratio``, log-spaced, ``substeps`` per interval: (the
    points, as a list too, the grid cell each falls in and its fraction of that cell)."""
    fine = np.geomspace(1.0, mass_ratio[-1], (mass_ratio.size - 1) * substeps + 1)
    cell = np.minimum(np.searchsorted(mass_ratio, fine, side="right") - 1, mass_ratio.size - 2)
    frac = (fine - mass_ratio[cell]) / (mass_ratio[cell + 1] - mass_ratio[cell])
    return fine, fine.tolist(), cell, frac


_FINE, _FINE_LIST, _CELL, _FRAC = sub_steps(MASS_RATIO, SUBSTEPS)
#: a sub-step is halved (in log m) while the jet's speed changes over it by more than this
#: fraction of the smaller of its two ends, at most MAX_HALVINGS times over
MAX_SPEED_CHANGE = 0.25
#: ... or its entrainment per metre of path changes by more than this fraction (touchdown,
#: where a falling jet's cross-flow entrainment stops)
MAX_ENTRAINMENT_CHANGE = 1.0
#: ... or, in stable air with the jet's axis off the ground, the sub-step takes more than
#: this phase of the air's buoyancy oscillation, N dt [rad] (Heun's step amplifies an
#: oscillation it does not resolve)
MAX_BUOYANCY_PHASE = 0.3
MAX_HALVINGS = 16
# the jet's entrainment "exceeds" the atmosphere's by more than rounding
_ROUNDING = 1.0 + 1e-9


class JetPath(NamedTuple):
    """A jet's path on the grid of ``MASS_RATIO`` (rows: jets, columns: grid points), held
    at the hand-off's values beyond it.

    s, x (downwind), z (axis height), radius (of the round section of the same area) [m];
    u_x, w (horizontal and vertical velocity), speed V, wind u_a [m/s]; temperature [K] and
    density [kg/m3] of the mixture; entrainment E [kg/(m s)] per metre of path; core b_c,
    sigma_y, sigma_z [m] of the section (0, b, b for the round jet in the air); hand_off
    (rows,) the grid index of the hand-off (the last point without ``passive``).
    """

    s: np.ndarray
    x: np.ndarray
    z: np.ndarray
    radius: np.ndarray
    u_x: np.ndarray
    w: np.ndarray
    speed: np.ndarray
    wind: np.ndarray
    temperature: np.ndarray
    density: np.ndarray
    entrainment: np.ndarray
    core: np.ndarray
    sigma_y: np.ndarray
    sigma_z: np.ndarray
    hand_off: np.ndarray


def grounded_entrainment(speed, wind, density, air_density, width, depth):
    """The grounded jet's own entrainment per metre of path and the part through its two
    sides, (E, E_side) [kg/(m s)] (module docstring: Ricou & Spalding's alpha over the
    perimeter in contact with the air, the top damped by SLAB's phi_h, Ermak 1990 EQ
    35c-e).

    Parameters
    ----------
    speed : array_like
        The jet's speed V along its axis. [m/s]
    wind : array_like
        The wind's component along the axis, u_a cos theta (u_a at the axis, or at half
        the depth once the axis is on the ground). [m/s]
    density, air_density : array_like
        Densities of the mixture and of the air. [kg/m3]
    width, depth : array_like
        Equivalent width W and depth H of its section. [m]
    """
    dv = np.maximum(speed - wind, 0.0)
    u_c = _SQRT_CF * air_density / density * dv
    strat = _DAMP * G * np.maximum(density - air_density, 0.0) / density * depth
    with np.errstate(divide="ignore", invalid="ignore"):
        top = np.where(dv > 0.0, ALPHA * dv * u_c * u_c / (u_c * u_c + strat), 0.0)
    side = air_density * ALPHA * dv * 2.0 * depth
    return air_density * top * width + side, side


def _grounded_one(speed, wind, density, air_density, width, depth):
    """:func:`grounded_entrainment` on floats."""
    dv = max(speed - wind, 0.0)
    u_c = _SQRT_CF * air_density / density * dv
    strat = _DAMP * G * max(density - air_density, 0.0) / density * depth
    top = ALPHA * dv * u_c * u_c / (u_c * u_c + strat) if dv > 0.0 else 0.0
    side = air_density * ALPHA * dv * 2.0 * depth
    return air_density * top * width + side, side


def _resolved(l0, l1):
    """Whether a sub-step between the local values l0 and l1 (``_NAMES``) is resolved: the
    speed changes by at most MAX_SPEED_CHANGE of the smaller and the entrainment by at most
    MAX_ENTRAINMENT_CHANGE (True where either is not a number: the march's hand-off deals
    with those)."""
    v0, v1, e0, e1 = l0[2], l1[2], l0[5], l1[5]
    return ~(np.abs(v1 - v0) > MAX_SPEED_CHANGE * np.minimum(v0, v1)) & ~(
        np.abs(e1 - e0) > MAX_ENTRAINMENT_CHANGE * np.minimum(e0, e1)
    )


def _resolved_one(l0, l1) -> bool:
    """:func:`_resolved` on floats."""
    v0, v1, e0, e1 = l0[2], l1[2], l0[5], l1[5]
    return not (
        abs(v1 - v0) > MAX_SPEED_CHANGE * min(v0, v1)
        or abs(e1 - e0) > MAX_ENTRAINMENT_CHANGE * min(e0, e1)
    )


def _buoyancy_phase(strat, y0, y1, l0, l1):
    """Whether a sub-step takes at most MAX_BUOYANCY_PHASE of the stable air's buoyancy
    period at the jet's height: N dt <= MAX_BUOYANCY_PHASE, dt = ds / V, N^2 the
    stratification's gradient dS/dz there (``stratification``, over +-0.5 m about the
    section's mean height)."""
    zc = _centroid(y1[3], l1[8])
    low = np.maximum(zc - 0.5, 0.0)
    n2 = np.maximum((strat(zc + 0.5) - strat(low)) / (zc + 0.5 - low), 0.0)
    dt = (y1[4] - y0[4]) / np.minimum(l0[2], l1[2])
    return ~(dt * np.sqrt(n2) > MAX_BUOYANCY_PHASE)


def _buoyancy_phase_one(strat, y0, y1, l0, l1) -> bool:
    """:func:`_buoyancy_phase` on floats."""
    zc = _centroid_one(y1[3], l1[8])
    low = max(zc - 0.5, 0.0)
    n2 = max((strat(zc + 0.5) - strat(low)) / (zc + 0.5 - low), 0.0)
    return not (y1[4] - y0[4]) / min(l0[2], l1[2]) * math.sqrt(n2) > MAX_BUOYANCY_PHASE


def _over(a: float, b: float) -> float:
    """a / b on floats as numpy divides (+-inf, or nan for 0 / 0, instead of raising)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


_NAMES = ("u_x", "w", "V", "b", "ua", "e", "core", "sy", "sz")


def _march_one(q, v0, theta, h, rho_a, fine, rho_fine, wind, passive, strat) -> tuple[dict, int]:
    """The march of :func:`jet_path` for one release on Python floats (numpy's cost per
    call being most of its time on arrays of one element): the same equations and
    sub-steps; lists over the grid points up to the hand-off, and its index."""
    pi = math.pi
    sinking = False  # a dense cloud in the air past the hand-off criterion (module docstring)

    def state(mu, r, y, contact, down):
        m = q * mu
        u_x = y[0] / m
        w = 0.0 if down else y[1] / m
        speed = math.hypot(u_x, w)
        area = _over(m, r * speed)
        cos, sin = _over(u_x, speed), _over(w, speed)
        if contact:
            sy = y[6]
            width = 2.0 * y[5] + SQRT_2PI * sy
            depth = area / width
            sz = depth / SQRT_PI_2
            u_a = wind(0.0, sz)
            e, side = _grounded_one(speed, u_a * cos, r, rho_a, width, depth)
            if sinking:
                e = max(e, passive(e, r, u_a, cos, width, depth))
            ds = _over(1.0, e)
            gp = G * max(r - rho_a, 0.0) / rho_a
            s_z = 0.0 if strat is None else strat(_centroid_one(y[3], sz))
            rates = (
                u_a,
                0.0 if down else (G * (rho_a - r) - rho_a * (s_z - y[7] / m)) * area * ds,
                cos * ds,
                sin * ds,
                ds,
                C_E * math.sqrt(gp * depth) / speed * ds,
                side * ds / (r * speed * depth * SQRT_2PI),
                s_z,
            )
            return rates, (u_x, w, speed, math.sqrt(area / pi), u_a, e, y[5], sy, sz)
        radius = math.sqrt(area / pi)
        u_a = wind(y[3], radius)
        e = (
            2.0
            * pi
            * radius
            * rho_a
            * (ALPHA * max(speed - u_a * cos, 0.0) + BETA * u_a * abs(sin))
        )
        if sinking:
            e = max(e, passive(e, r, u_a, cos, SQRT_2PI * radius, SQRT_PI_2 * radius))
        ds = _over(1.0, e)
        s_z = 0.0 if strat is None else strat(_centroid_one(y[3], radius))
        lift = (G * (rho_a - r) - rho_a * (s_z - y[7] / m)) * area * ds
        rates = (u_a, lift, cos * ds, sin * ds, ds, 0.0, 0.0, s_z)
        return rates, (u_x, w, speed, radius, u_a, e, 0.0, radius, radius)

    def radius(mu, r, y, down):
        m = q * mu
        speed = math.hypot(y[0] / m, 0.0 if down else y[1] / m)
        return math.sqrt(_over(m, r * speed * pi))

    def ground(mu, r, y, contact, down):
        """(contact, down) at sub-point i: where the lower edge of a jet not going up first
        reaches the ground its section becomes the grounded one (no core yet); where its
        axis does, it stays there (w = 0, z = 0)."""
        down = down or y[3] <= 0.0
        if down:
            y[1] = y[3] = 0.0
        if not contact and y[1] <= 0.0:
            b = radius(mu, r, y, down)
            if y[3] <= b:
                contact = True
                y[5], y[6] = 0.0, b
        return contact, down

    def step(y, rates, local, contact, down, mu0, r0, mu1, r1, depth=0):
        """Heun's step from (mu0, rho0) to (mu1, rho1), halved (in log mu) where it is not
        resolved (:func:`_resolved`): the state, rates and local values at mu1."""
        dm = q * (mu1 - mu0)
        guess = [a + r * dm for a, r in zip(y, rates, strict=True)]
        ahead, _ = state(mu1, r1, guess, *ground(mu1, r1, guess, contact, down))
        new = [a + 0.5 * (ra + rb) * dm for a, ra, rb in zip(y, rates, ahead, strict=True)]
        if not contact:  # the predictor's guess of the section is not carried
            new[5] = new[6] = 0.0
        c1, d1 = ground(mu1, r1, new, contact, down)
        rates1, local1 = state(mu1, r1, new, c1, d1)
        if depth < MAX_HALVINGS and not (
            _resolved_one(local, local1)
            and (strat is None or d1 or _buoyancy_phase_one(strat, y, new, local, local1))
        ):
            mid = math.sqrt(mu0 * mu1)
            r_mid = r0 + (mid - mu0) / (mu1 - mu0) * (r1 - r0)
            half = step(y, rates, local, contact, down, mu0, r0, mid, r_mid, depth + 1)
            return step(*half, mid, r_mid, mu1, r1, depth + 1)
        return new, rates1, local1, c1, d1

    y = [q * v0 * math.cos(theta), q * v0 * math.sin(theta), 0.0, h, 0.0, 0.0, 0.0, 0.0]
    contact, down = ground(1.0, rho_fine[0], y, False, False)
    out = {k: [] for k in ("x", "z", "s", *_NAMES)}
    rates, local = state(1.0, rho_fine[0], y, contact, down)
    last = len(fine) - 1
    hand = (last // SUBSTEPS) if passive is None else -1
    for i in range(len(fine)):
        on_grid = i % SUBSTEPS == 0
        if passive is not None:
            e = local[5]
            width = 2.0 * local[6] + SQRT_2PI * local[7]
            atm = passive(
                e, rho_fine[i], local[4], _over(local[0], local[2]), width,
                SQRT_PI_2 * local[8],
            )  # fmt: skip
            col = -(-i // SUBSTEPS)  # the grid point at or after sub-point i
            if col > 0 and not math.isfinite(y[2] + y[3] + local[3] + e + atm):
                hand = col - 1  # it stopped entraining: it hands over at the point before
                break
            # a sinking cloud's E is the larger of its own and atm: equal but for rounding
            past = not e > atm * _ROUNDING
            if past and i > 0 and not contact and rates[1] < 0.0:
                if not sinking:  # dense in the air: it goes on falling, at least at atm
                    sinking = True
                    rates, local = state(fine[i], rho_fine[i], y, contact, down)
            elif past:
                if not on_grid:  # between grid points: at the grid point before
                    hand = col - 1
                    break
                hand = col
        if on_grid:
            out["x"].append(y[2])
            out["z"].append(y[3])
            out["s"].append(y[4])
            for k, v in zip(_NAMES, local, strict=True):
                out[k].append(v)
            if hand >= 0 and passive is not None:
                break
        if i == last:
            hand = last // SUBSTEPS
            break
        y, rates, local, contact, down = step(
            y, rates, local, contact, down, fine[i], rho_fine[i], fine[i + 1], rho_fine[i + 1]
        )
    return out, hand


def jet_path(
    rate_kg_s,
    velocity_m_s,
    angle_rad,
    height_m,
    table: MixingTable,
    air_density,
    wind,
    passive=None,
    stratification=None,
) -> JetPath:
    """Integrate the jet of the module docstring for every release at once, to its hand-off.

    Parameters
    ----------
    rate_kg_s : array_like (n,)
        Release rate Q, > 0. [kg/s]
    velocity_m_s : array_like (n,)
        Speed of the release once expanded to ambient pressure, V0 > 0. [m/s]
    angle_rad : array_like (n,)
        Direction above the horizontal, downwind (0 horizontal, pi/2 vertical up). [rad]
    height_m : array_like (n,)
        Height of the hole. [m]
    table : MixingTable
        The releases' adiabatic mixing tables (``physics.cloud_mixing``).
    air_density : array_like (n,)
        Density of the ambient air. [kg/m3]
    wind : callable
        ``wind(z, sigma)`` -> the wind speed acting on a jet whose axis is at height z
        with that radius; z = 0 and its sigma_z for a jet on the ground (from touchdown),
        arrays (n, 1);
        for a single release (n = 1), Python floats, on which its path is marched (the
        same march). [m/s]
    passive : callable, optional
        ``passive(E, density, wind, cos, width, depth)`` -> what the atmosphere would
        entrain per metre of path into a cloud of that section (equivalent width W and
        depth H; the round jet's sqrt(2 pi) b and sqrt(pi/2) b) moving at that angle
        (cos theta), or any upper bound of it below the jet's own entrainment E
        [kg/(m s)], on the same arrays or floats as ``wind``. The jet hands
        over at the first grid point where its own entrainment no longer exceeds it (at
        the grid point before a sub-step where it first does not, or before one where it
        stops entraining); the march stops there. Without it, the whole grid.
    stratification : callable, optional
        ``stratification(z)`` -> g (theta(z) - theta(h)) / T [m/s2]: how much lighter
        the ambient air at height z is than the air at the hole brought there
        adiabatically (``physics.atmosphere.stable_buoyancy``), on the same arrays or
        floats as ``wind``. The jet's buoyancy is taken against the air at its height,
        its entrained air keeping the potential temperature of the height it came from
        (module docstring). None (the default) for neutral or unstable air, where it is
        0: the march then skips it.

    Returns
    -------
    JetPath

    References
    ----------
    Ricou & Spalding (1961); Hoult, Fay & Forney (1969); Briggs (1975); Ermak (1990);
    Spicer & Havens (1989); Witlox & Holt (1999): see the module docstring.
    """
    q = np.asarray(rate_kg_s, dtype=float)[:, None]
    v0 = np.asarray(velocity_m_s, dtype=float)[:, None]
    theta = np.asarray(angle_rad, dtype=float)[:, None]
    h = np.asarray(height_m, dtype=float)[:, None]
    rho_a = np.asarray(air_density, dtype=float)[:, None]
    mu = MASS_RATIO
    # the mixture's density at omega = 1 / mu, the same points for every release
    omega = 1.0 / mu
    j = np.clip(np.searchsorted(table.omega, omega) - 1, 0, table.omega.size - 2)
    f = (omega - table.omega[j]) / (table.omega[j + 1] - table.omega[j])
    rho, temperature = (
        a[:, j] + f * (a[:, j + 1] - a[:, j]) for a in (table.density, table.temperature)
    )
    # the density on the sub-steps (linear in mu)
    fine, cell, frac = _FINE, _CELL, _FRAC
    rho_fine = rho[:, cell] + frac * (rho[:, cell + 1] - rho[:, cell])
    names = ("s", "x", "z", "b", "u_x", "w", "V", "ua")

    if q.shape[0] == 1:  # one release: the same march on floats
        out, hand = _march_one(
            *(float(a[0, 0]) for a in (q, v0, theta, h, rho_a)), _FINE_LIST,
            rho_fine[0].tolist(), wind, passive, stratification,
        )  # fmt: skip
        k = mu.size

        def held(v):
            return np.array([v + [v[hand]] * (k - len(v))])

        return JetPath(
            *(held(out[n]) for n in names),
            temperature,
            rho,
            *(held(out[n]) for n in ("e", "core", "sy", "sz")),
            np.array([hand]),
        )
    return _march_many(
        q, v0, theta, h, rho_a, fine, rho_fine, wind, passive, stratification, temperature, rho
    )


def _centroid(h, sigma_z):
    """Mean height of a Gaussian profile about an axis at h reflected at the ground,
    E|Z| for Z ~ N(h, sigma_z^2) [m]: where a grounded cloud meets the air."""
    a = np.abs(h) / (math.sqrt(2.0) * sigma_z)
    return sigma_z * math.sqrt(2.0 / math.pi) * np.exp(-a * a) + np.abs(h) * erf(a)


def _centroid_one(h: float, sigma_z: float) -> float:
    """:func:`_centroid` on floats."""
    a = abs(h) / (math.sqrt(2.0) * sigma_z)
    return sigma_z * math.sqrt(2.0 / math.pi) * math.exp(-a * a) + abs(h) * math.erf(a)


def _march_many(q, v0, theta, h, rho_a, fine, rho_fine, wind, passive, strat, temperature, rho):
    """The march of :func:`jet_path` on arrays (n, 1), until every jet has handed over."""
    pi = math.pi

    def state(mu, r, y, contact, down):
        """Rates d/dm of y = (m u_x, m w, x, z, s, b_c, sigma_y, the integral of ``strat``
        over the mass) and the local values at
        the mass ratio mu, the mixture's density there r (n, 1)."""
        m = q * mu
        u_x = y[0] / m
        w = np.where(down, 0.0, y[1] / m)
        speed = np.hypot(u_x, w)
        area = m / (r * speed)
        radius = np.sqrt(area / pi)
        cos, sin = u_x / speed, w / speed
        # the grounded jet's section (round where the jet is in the air)
        sy = np.where(contact, y[6], radius)
        width = 2.0 * y[5] + SQRT_2PI * sy
        depth = area / width
        sz = depth / SQRT_PI_2
        u_a = wind(np.where(contact, 0.0, y[3]), np.where(contact, sz, radius))
        free = (
            2.0
            * pi
            * radius
            * rho_a
            * (ALPHA * np.maximum(speed - u_a * cos, 0.0) + BETA * u_a * np.abs(sin))
        )
        on_ground, side = grounded_entrainment(speed, u_a * cos, r, rho_a, width, depth)
        e = np.where(contact, on_ground, free)
        if sinking.any():  # at least what the atmosphere entrains (``_march_one``)
            e = np.where(sinking, np.maximum(e, passive(e, r, u_a, cos, width, depth)), e)
        ds = 1.0 / e
        s_z = 0.0 if strat is None else strat(_centroid(y[3], np.where(contact, sz, radius)))
        lift = np.where(down, 0.0, (G * (rho_a - r) - rho_a * (s_z - y[7] / m)) * area * ds)
        gp = G * np.maximum(r - rho_a, 0.0) / rho_a
        slump = np.where(contact, C_E * np.sqrt(gp * depth) / speed * ds, 0.0)
        edges = np.where(contact, side * ds / (r * speed * depth * SQRT_2PI), 0.0)
        rates = (u_a, lift, cos * ds, sin * ds, ds, slump, edges, s_z)
        core = np.where(contact, y[5], 0.0)
        return rates, (u_x, w, speed, radius, u_a, e, core, sy, np.where(contact, sz, radius))

    def ground(mu, r, y, contact, down):
        """``ground`` of :func:`_march_one` on arrays."""
        down = down | (y[3] <= 0.0)
        y[1] = np.where(down, 0.0, y[1])
        y[3] = np.where(down, 0.0, y[3])
        m = q * mu
        b = np.sqrt(m / (r * np.hypot(y[0] / m, y[1] / m) * pi))
        now = ~contact & (y[1] <= 0.0) & (y[3] <= b)
        y[5] = np.where(now, 0.0, y[5])
        y[6] = np.where(now, b, y[6])
        return contact | now, down

    def step(y, rates, local, contact, down, mu0, r0, mu1, r1, depth=0):
        """``step`` of :func:`_march_one` on arrays: halved for every jet where any jet
        still marching is not resolved."""
        dm = q * (mu1 - mu0)
        guess = [a + r * dm for a, r in zip(y, rates, strict=True)]
        ahead, _ = state(mu1, r1, guess, *ground(mu1, r1, guess, contact, down))
        new = [a + 0.5 * (ra + rb) * dm for a, ra, rb in zip(y, rates, ahead, strict=True)]
        # the predictor's guess of the section is not carried
        new[5] = np.where(contact, new[5], 0.0)
        new[6] = np.where(contact, new[6], 0.0)
        c1, d1 = ground(mu1, r1, new, contact, down)
        rates1, local1 = state(mu1, r1, new, c1, d1)
        resolved = _resolved(local, local1)
        if strat is not None:
            resolved &= d1 | _buoyancy_phase(strat, y, new, local, local1)
        if depth < MAX_HALVINGS and not np.all(resolved | (hand >= 0)[:, None]):
            mid = math.sqrt(mu0 * mu1)
            r_mid = r0 + (mid - mu0) / (mu1 - mu0) * (r1 - r0)
            half = step(y, rates, local, contact, down, mu0, r0, mid, r_mid, depth + 1)
            return step(*half, mid, r_mid, mu1, r1, depth + 1)
        return new, rates1, local1, c1, d1

    n, k = q.shape[0], MASS_RATIO.size
    zero = np.zeros_like(h)
    y = [q * v0 * np.cos(theta), q * v0 * np.sin(theta), zero, h, zero, zero, zero, zero]
    r_0 = rho_fine[:, :1]
    contact, down = ground(1.0, r_0, y, np.zeros(h.shape, bool), np.zeros(h.shape, bool))
    cols = ("x", "z", "s", *_NAMES)
    out = {name: np.empty((n, k)) for name in cols}
    hand = np.full(n, -1)
    sinking = np.zeros(h.shape, bool)
    np_err = np.errstate(divide="ignore", invalid="ignore")
    np_err.__enter__()
    rates, local = state(1.0, r_0, y, contact, down)
    col = 0
    for i in range(fine.size):
        on_grid = i % SUBSTEPS == 0
        if on_grid:
            col = i // SUBSTEPS
            values = dict(zip(_NAMES, local, strict=True)) | {"x": y[2], "z": y[3], "s": y[4]}
            for name in cols:
                out[name][:, col] = values[name][:, 0]
        if passive is not None:
            # the grid point at or after sub-point i; between grid points a jet hands over
            # at the one before (:func:`_march_one`)
            ahead = -(-i // SUBSTEPS)
            width = 2.0 * local[6] + SQRT_2PI * local[7]
            atm = passive(
                local[5], rho_fine[:, i : i + 1], local[4], local[0] / local[2], width,
                SQRT_PI_2 * local[8],
            )[:, 0]  # fmt: skip
            e = local[5][:, 0]
            ends = ~np.isfinite(y[2][:, 0] + y[3][:, 0] + local[3][:, 0] + e + atm)
            if ahead > 0:
                hand = np.where((hand < 0) & ends, ahead - 1, hand)
            past = (hand < 0) & ~(e > atm * _ROUNDING)
            falls = past & (i > 0) & ~contact[:, 0] & (rates[1][:, 0] < 0.0)
            if np.any(falls & ~sinking[:, 0]):
                sinking = sinking | falls[:, None]
                rates, local = state(fine[i], rho_fine[:, i : i + 1], y, contact, down)
            hand = np.where(past & ~falls, ahead if on_grid else ahead - 1, hand)
            if np.all(hand >= 0):
                break
        if i == fine.size - 1:
            break
        y, rates, local, contact, down = step(
            y, rates, local, contact, down,
            fine[i], rho_fine[:, i : i + 1], fine[i + 1], rho_fine[:, i + 1 : i + 2],
        )  # fmt: skip
    np_err.__exit__(None, None, None)
    hand = np.where(hand < 0, col, hand)
    rows = np.arange(n)
    before = np.arange(k)[None, :] <= hand[:, None]
    held = {name: np.where(before, v, v[rows, hand][:, None]) for name, v in out.items()}
    return JetPath(
        *(held[name] for name in ("s", "x", "z", "b", "u_x", "w", "V", "ua")),
        temperature,
        rho,
        *(held[name] for name in ("e", "core", "sy", "sz")),
        hand,
    )
