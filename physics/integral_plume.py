"""One integral model of a cloud from the source to the far field: dense slumping cloud,
entrainment damped by the cloud's Richardson number, passive Gaussian plume once the
density difference has gone, with no seam between them.

A steady plume is carried downwind at the wind speed u at its axis height h or at half
its depth H / 2, whichever is higher (up to 10 m or the release height): a cloud released
at 0.46 m whose depth has grown to 8 m moves with the wind at 4 m. (Taken at the axis
alone, as it was, every elevated plume kept the wind of its release height however deep
it grew: Prairie Grass's 0.46 m source came out 1.3x high, FB -0.20 and MG 0.78; now FB
+0.00 and MG 1.08.) Across it, the concentration is a flat core of half-width b with
Gaussian edges of standard deviation sigma_y (the HEGADAS / DEGADIS profile); vertically
it is a Gaussian of standard deviation sigma_z about the centre height h, reflected at the
ground::

    C(x, y, z) = C_c(x) F(y) G(z)
    F(y) = 1 for |y| <= b, exp(-(|y| - b)^2 / (2 sigma_y^2)) beyond
    G(z) = [exp(-(z - h)^2 / 2 sigma_z^2) + exp(-(z + h)^2 / 2 sigma_z^2)] / 2

so that u * integral(C dy dz) = u C_c W H with W = 2 b + sqrt(2 pi) sigma_y and
H = sqrt(pi/2) sigma_z. Under the mixed layer's top z_i (``physics.mixing_layer``: the
given height, else AERMOD's mechanical mixing height from u*) G is folded back by its
images in the ground and the lid, uniform from the ground to z_i far out; its integral,
and so the flux, is the same. The model carries the mass flux of released material Q and of
entrained air m_a; the mixture's density rho and temperature come from adiabatic mixing
(``physics.cloud_mixing``) at the mass fraction omega = Q / (Q + m_a), so that
C_c = omega rho = Q / (u W H) holds at every station and the flux equals Q exactly.

Downwind, over each step dx (marched on one logarithmic grid for every release at once; a
single release runs the same march on Python floats, numpy's cost per call being most of
its time otherwise):

- gravity spreading of a cloud denser than air moves its edge B_eff = b + sqrt(pi)/2
  sigma_y: dB_eff/dx = V_g / u, V_g the crosswind gravity flow of SLAB (Ermak 1990,
  EQ 5a): each half of the cloud, of mass flux R = (Q + m_a) / 2, carries across the wind
  the momentum flux R V_g, which grows by the pressure force alpha_gv g (rho - rho_a) H^2
  per metre (alpha_gv = 0.75) and is 0 once the cloud is no denser than air. It starts
  where the cloud first moves on at the front's speed C_E sqrt(g' H), g' = g (rho -
  rho_a) / rho_a, C_E = 1.15 (van Ulden 1974; DEGADIS 2.1, Spicer & Havens 1989), the law
  of the jet phase's grounded cloud and of a pool's blanket, so nothing steps there. The
  air a cloud takes in shares its momentum: V_g falls as R grows where the front law
  would follow the local g' H. It never exceeds that front's speed: a gravity current
  runs no faster than its front (van Ulden's C_E, its Froude number). SLAB bounds it
  with its drag (EQ 37: the ground's c_f = u*/u and the top's C_f = 0.02), which is left
  out here: near a pool SLAB's cloud is 1-2 m deep, where that drag is negligible (slabx's
  own reading: |S_fy| / R0 V_g0 ~ 1e-4 on Burro), while ours in F is 0.1-0.3 m deep within
  300 m of the pool, where the same drag stops the spreading; without drag or bound the
  thin sheet at a pool's edge ran out at up to 6 times its front's speed
  (bench/VALIDATION.md, "The crosswind gravity flow, bounded by its front"). Spreading
  thins the cloud and entrains nothing;
- lateral turbulence adds variance to the Gaussian edges: sigma_y^2 grows as much as the
  variance of the equivalent Gaussian W / sqrt(2 pi) grows along the Briggs (1973) sigma_y
  curve from the virtual distance at which that curve has the present width, and the
  edges eat into the core, b = B_eff - sqrt(pi)/2 sigma_y with B_eff held (DEGADIS 2.1
  PSS, after Colenbrander 1980), until b = 0 and the cloud is Gaussian across. A wide flat
  cloud thus widens by (sqrt(2 pi) - sqrt(pi)) d(sigma_y), as diffusion leaves the value
  of a flat core unchanged until its edges meet;
- vertical turbulence deepens sigma_z at d sigma_z/dx = (d sigma_z/dt) / u, the rate at
  which K-diffusion in the surface layer with Monin-Obukhov similarity raises the cloud's
  mean height (``atmosphere.vertical_spread_rate``: u*, L, and through them and the wind
  the roughness z0), but never faster than along the Briggs sigma_z curve from its own virtual
  distance (the open-country growth, which the surface-layer K outgrows beyond the
  surface layer); either step shortened by Phi(Ri*) / Phi(0), where
  Phi = (0.88 + 0.099 Ri^1.04 + 1.4e-25 Ri^5.7) / sqrt(c), Ri = Ri* / c, Ri* = g' H / u*^2
  and c = 1 + 0.25 Ri_t^(2/3) (DEGADIS 2.1 PHIF, IPHIFL 3, its default, after
  Colenbrander 1980 HEGADAS): entrainment falls as the Richardson number rises, and less
  over a ground warmer than the cloud, Ri_t = g (T_g - T)/T H / (u*_D u) the thermal
  Richardson number (T_g the air's temperature, u*_D DEGADIS's u*, ``pool_source``).
  Over smooth ground or water (z0 below open country's) and in stable air the similarity
  rate is the slower one; over rough ground it is not used (a stated simplification,
  on the side of higher concentrations);
- the volume added by both is air at the ambient density;
- heat from the ground: a cloud colder than the ground takes up h (T_g - T) per m2 of its
  width W, h the larger of 18 ((rho/M)^2 (T_g - T))^(1/3) (natural convection, rho/M in
  kmol/m3) and 1.22 rho c_p u*_D^2 / u (forced) [W/(m2 K)] (DEGADIS 2.1 SURFAC, IHTFL 1),
  integrated over each step at a fixed h (exact relaxation towards T_g, never past it).
  The heat warms the adiabatic mixture at its heat capacity (T = T_ad + heat / (mass flux
  c_p), density scaled by T_ad / T). A release carrying droplets is left adiabatic all
  along (the heat would go into evaporating them: not modelled).

With no density difference (g' = 0, Phi = Phi(0)) the model is the Gaussian plume with
Briggs sigma_y and the sigma_z above: a passive point source reproduces it.

An evaporating pool has its real area, as DEGADIS's rectangle of the same area (its
diameter 2 R along the wind, pi R / 2 across), the vapour entering evenly over it. Over
the pool the layer takes up air through its top at DEGADIS's source rate
delta k u*_D (1 + alpha) / Phi(Ri*) per m2 (SZF; ``physics.pool_source``), does not
spread under gravity and takes no heat; lateral turbulence diffuses its edges as
downwind (B_eff held, its air counted through the top). The downwind closures start at
its downwind edge. A finite release of duration T keeps the steady centreline times
erf(u T / (2 sqrt(2) sigma_x)) (Palazzi et al. 1982), sigma_x = a x^p from DEGADIS 2.1
(from the source on: DEGADIS starts it 50-130 m out, with no along-wind spread nearer).

A pool's source as DEGADIS's (``integral_plume(..., pool="blanket")``, not the default):
where the pool gives off more than the wind can take up, the source is DEGADIS's vapour
blanket (``physics.pool_blanket``), steady, or as it stands when a spill of finite
duration ends (a blanket may take far longer to grow than the spill lasts): its radius,
and its vapour with the air in the blanket's proportion entering evenly over it, with no
further take-up; downwind, while the cloud keeps a flat core, its volume flux per metre of
width grows by DEGADIS's entrainment k u*_D (1 + alpha) / Phi(Ri*_D, Ri_t) (PSS) in place
of the vertical closure above, which takes over once the core has eroded (DEGADIS's
PSS-to-SSG transition). Measured against the peers and the LNG trials (bench/VALIDATION.md,
"The computed blanket"; re-run with the bounded gravity flow): the F pools then lie inside
the peers' spread from 200 m on (1.11x above both at 100 m) and the D pools within 1.25x of
both (pools 3, 9, 2, 11 of 11 distances, against the default's 2, 7, 2, 8), but Coyote's
clouds come out twice the measured (fractional bias -0.60, MG 0.49, against the default's
-0.13, 0.79) and the LNG set's VG is 1.91, so it is not the default.

An instantaneous release enters as its short segment (:func:`puff_as_segment`, ``puff``):
a steady plume fed without end slumps sideways for ever, a puff's depth also falls as it
slumps along the wind. So the segment's front and back move apart as its edges do,
d(slump)/dx = 2 V_g / u (a heavy cloud slumps all round, van Ulden 1974), its length is
L = u T + slump, and what it carries per metre of its path (released material, air, heat
and the gravity flow's momentum) falls as u T / L: its depth is its volume over W L. Its
advancing front takes in air, rho_a (epsilon / Ri) V_g H per metre of its edge 2 (W + L),
with epsilon = 0.59 and the front's Ri = 1 / C_E^2 (DEGADIS 2.1 SRC1, the frontal
entrainment of its slumping blanket). Its finite-duration factor takes L for u T.
Against SLAB's instantaneous release on the demo's chlorine and ammonia ruptures
(``bench/puff_peers.py``) its centreline peak is 0.41-9.0x SLAB's; on CL-101's mass as
vapour, with DEGADIS's transient run as well, it lies inside the two peers' spread at
every distance in D 5 m/s and from 1.5 km on in F, 1.08-1.67x below both at 100 m-1 km.

Concentration basis: kg of released material (vapour and droplets) per m3 of the mixture
at the cloud's own temperature (``physics.cloud_mixing``, warmed by the ground's heat).
Levels given as volume fractions (ppm) are converted with the release's own adiabatic
mixing table (:meth:`Plume.level_concentration`): where the ground has warmed the cloud
by the factor ``warming`` = T / T_ad that table overstates the kg/m3 of a given ppm by
that factor (1 for releases at the air's temperature, tending to 1 as the cloud
dilutes); :meth:`Plume.mole_fraction` converts a concentration with it.

A jet (a release faster than the wind at its hole) first runs through the momentum-jet
phase of ``physics.jet``: its own shear and the cross-flow entrain air, buoyancy bends it
up or down (in stable air against the air at its height, Businger's temperature profile
with the surface layer's u* and L: a light gas levels off at Briggs's stable rise);
from where its lower edge reaches the ground it runs along it as a grounded
jet that slumps like the dense cloud (flat core, gravity spreading) and entrains through
its top and sides. It hands over where its entrainment no longer exceeds what the
atmosphere would entrain into a cloud of its section (the UDM's criterion, Witlox & Holt
1999), with its mass of air, its section (core, sigma_y, sigma_z; sigma_y = sigma_z = its
radius in the air), its height and its momentum in excess of the wind's, which the cloud
carries on (u = u_a + excess / mass flux): no seam in concentration, width or speed. A
release whose own entrainment at the hole does not exceed the atmosphere's has no jet
phase. A dense jet in the air past the hand-off criterion (at or past its apex) goes on
falling in the jet's march, taking in what the atmosphere entrains, until its section
reaches the ground (``physics.jet``). A release above the ground with no jet phase that is
dense by the workbook's criterion for a continuous source, (g0' q0 / D)^(1/3) / u >= 0.15,
D = sqrt(q0 / u) (Britter & McQuaid 1988; ``physics.dense_gas``), is brought down to the
ground at its source (a stated simplification: it falls within metres, taking in some air);
held at its height it slumped into a sheet there. Not modelled: a grounded jet whose axis
has not reached the ground when it hands over stays at that height (its section is on the
ground).

Scope (checked): releases at 0-100 m, z0 1e-5-3 m, wind 0.5-30 m/s at 10 m, distances
up to 100 km, jets at 0-2000 m/s from a hole (no source area), -90 to 90 degrees.

References
----------
Ermak, D.L. (1990). User's manual for SLAB. UCRL-MA-105607, LLNL.
Spicer, T.O., Havens, J.A. (1989). User's guide for the DEGADIS 2.1 dense gas dispersion
    model. EPA-450/4-89-019 (gravity spreading C_E, entrainment function PHIF, along-wind
    dispersion coefficients in ATMDEF; constants read in its Python port degadisx).
Colenbrander, G.W. (1980). A mathematical model for the transient behaviour of dense
    vapour clouds. 3rd International Symposium on Loss Prevention, Basel (HEGADAS profile).
Briggs, G.A. (1973). Diffusion estimation for small emissions. ATDL No. 79; sigmas as in
    ``physics.sigmas``.
Businger, J.A., Wyngaard, J.C., Izumi, Y., Bradley, E.F. (1971). Flux-profile
    relationships in the atmospheric surface layer. J. Atmos. Sci. 28, 181-189 (phi_h of
    the vertical closure, ``physics.atmosphere``).
Palazzi, E., De Faveri, M., Fumarola, G., Ferraiolo, G. (1982). Diffusion from a steady
    source of short duration. Atmospheric Environment 16, 2785-2790.
van Ulden, A.P. (1974). On the spreading of a heavy gas released near the ground. 1st
    International Loss Prevention Symposium, The Hague (the slumping front).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from physics import (
    atmosphere,
    cloud_mixing,
    dense_gas,
    jet,
    mixing_layer,
    pool_blanket,
    pool_source,
)
from physics.sigmas import (
    BASE_AVERAGING_TIME_S,
    STABILITY_CLASSES,
    averaging_time_factor,
    briggs_coefficients,
)

G = pool_blanket.G  # m/s2
C_E = pool_blanket.C_E  # gravity-spreading coefficient, DEGADIS 2.1
# air taken in at a slumping puff's front: epsilon / Ri with epsilon = 0.59 and the front's
# Ri = 1 / C_E^2 (DEGADIS 2.1 SRC1, ER1 parameters; degadisx 0.1.4 core/blanket.py)
_FRONTAL = pool_blanket.EPSILON * C_E * C_E
# the crosswind gravity flow's pressure force, alpha_gv g (rho - rho_a) H^2 per metre
# (SLAB's EQ 5a, Ermak 1990; alpha_gv = 0.75, the value of SLAB's code, alfgv, as slabx
# 1.0.7 carries it)
ALPHA_GV = 0.75
POOL_SOURCES = ("layer", "blanket")  # integral_plume(pool=...)
_PHI = (0.88, 0.099, 1.04, 1.4e-25, 5.7)  # DEGADIS 2.1 PHIF, stable branch
_PHI_THERMAL = (0.25, 2.0 / 3.0)  # DEGADIS 2.1 PHIF (IPHIFL 3): 1 + 0.25 Ri_t^(2/3)
# Ground-to-cloud heat transfer coefficient, DEGADIS 2.1 SURFAC (IHTFL 1): the larger of
# natural convection 18 ((rho/M)^2 dT)^(1/3) [rho/M in kmol/m3, dT in K] and forced
# convection 1.22 rho cp u*^2 / u [W/(m2 K)].
_H_NATURAL = 18.0
_H_FORCED = 1.22
_COLDER_K = 0.01  # a cloud within this of the ground's temperature takes no more heat
SQRT_2PI = math.sqrt(2.0 * math.pi)
SQRT_PI_2 = math.sqrt(math.pi / 2.0)
SQRT_PI = math.sqrt(math.pi)
STEPS = 240
_PROFILE_POINTS = 64
FIRST_STEP_M = 1e-2
MAX_HEIGHT_M = 100.0
WIND_RANGE_M_S = (0.5, 30.0)
MAX_DISTANCE_M = 1e5
MAX_JET_VELOCITY_M_S = 2000.0
# Along-wind sigma_x = a x^p (DEGADIS 2.1 ATMDEF: sigxco, sigxp). DEGADIS applies it from
# sigxmd (130 m in A-C, 100 m in D, 50 m in E-F) and no along-wind spread nearer; here it
# grows by the same law from the source (from the grid's first station), so it is
# continuous where DEGADIS switches it on and adds no spread the cloud has not had time for.
_SIGMA_X = {
    "A": (0.02, 1.22),
    "B": (0.02, 1.22),
    "C": (0.02, 1.22),
    "D": (0.04, 1.14),
    "E": (0.17, 0.97),
    "F": (0.17, 0.97),
}


@dataclass(frozen=True)
class Release:
    """What enters the air, one element per release (every field broadcasts to (n,)).

    rate_kg_s : release rate of vapour and droplets, >= 0 [kg/s]
    molar_mass_kg_mol : [kg/mol]
    temperature_K : temperature of the released material after flashing [K]
    liquid_fraction : droplet mass fraction, 0..1 [-]
    vapour_cp_J_kgK : heat capacity of the vapour [J/(kg K)]
    latent_heat_J_kg : heat of vaporisation at the boiling point [J/kg]
    boiling_point_K : normal boiling point [K]
    area_m2 : area of the evaporating pool or source, 0 for a point [m2]
    height_m : height of the release, 0-100 m [m]
    duration_s : how long the release lasts, inf for a steady one [s]
    jet_velocity_m_s : speed of a jet once expanded to ambient pressure, 0 for none; a jet
        no faster than the wind at its height has no jet phase [m/s]
    jet_angle_deg : direction of the jet above the horizontal, in the wind's vertical
        plane pointing downwind: 0 horizontal, 90 vertical up [deg]
    puff : True for an instantaneous release entered as its short segment
        (:func:`puff_as_segment`, ``duration_s`` its T): the segment then also slumps along
        the wind (module docstring) [-]
    """

    rate_kg_s: object
    molar_mass_kg_mol: object
    temperature_K: object
    liquid_fraction: object = 0.0
    vapour_cp_J_kgK: object = 1000.0
    latent_heat_J_kg: object = 0.0
    boiling_point_K: object = 0.0
    area_m2: object = 0.0
    height_m: object = 0.0
    duration_s: object = math.inf
    jet_velocity_m_s: object = 0.0
    jet_angle_deg: object = 0.0
    puff: object = False


@dataclass(frozen=True)
class Ambient:
    """The weather, one element per release (or one for all).

    wind_speed_m_s : wind at 10 m [m/s]
    stability : Pasquill class 'A'..'F'
    z0_m : surface roughness [m]
    temperature_K : air temperature [K]
    relative_humidity : 0..1 [-]
    pressure_Pa : [Pa]
    averaging_time_s : averaging time of the concentrations [s]
    terrain : 'rural' or 'urban' Briggs sigma curves
    obukhov_length_m : Monin-Obukhov length L [m], where it is measured; NaN (the default)
        takes 1/L from the class and z0 (``physics.atmosphere.inverse_obukhov_length``,
        Golder 1972 as fitted in SLAB), +-inf is neutral. Given, it sets u* and the
        surface-layer profiles and growth; the class still picks the Briggs curves that
        bound the growth and the along-wind spread.
    mixing_height_m : the mixed layer's top [m], where it is measured or forecast; NaN (the
        default) takes AERMOD's mechanical mixing height 2300 u*^(3/2) from the u* above
        (``physics.mixing_layer``); inf: no lid.
    """

    wind_speed_m_s: object
    stability: object
    z0_m: object = 0.1
    temperature_K: object = 293.15
    relative_humidity: object = 0.7
    pressure_Pa: object = 101325.0
    averaging_time_s: float = BASE_AVERAGING_TIME_S
    terrain: str = "rural"
    obukhov_length_m: object = math.nan
    mixing_height_m: object = math.nan


def substance_release(
    substance,
    rate_kg_s,
    *,
    temperature_K=None,
    liquid_fraction=0.0,
    area_m2=0.0,
    height_m=0.0,
    duration_s=math.inf,
    jet_velocity_m_s=0.0,
    jet_angle_deg=0.0,
) -> Release:
    """A :class:`Release` of a ``physics.substances.Substance``: vapour heat capacity at
    the release temperature (Poling et al. 2001 via ``chemicals``), latent heat at the normal
    boiling point. ``temperature_K`` defaults to the boiling point (an evaporating pool or a
    flashed jet)."""
    from physics import substances

    tb = substance.boiling_point_K
    t = tb if temperature_K is None else temperature_K
    try:
        cp = substances.ideal_gas_heat_capacity(substance.property_cas, np.maximum(t, 150.0))
    except substances.UnknownChemical:
        cp = math.nan  # allowed only for a release at the air's temperature (see _check)
    return Release(
        rate_kg_s=rate_kg_s,
        molar_mass_kg_mol=substance.molar_mass_kg_mol,
        temperature_K=t,
        liquid_fraction=liquid_fraction,
        vapour_cp_J_kgK=cp,
        latent_heat_J_kg=float(substance.heat_of_vaporisation(tb)),
        boiling_point_K=tb,
        area_m2=area_m2,
        height_m=height_m,
        duration_s=duration_s,
        jet_velocity_m_s=jet_velocity_m_s,
        jet_angle_deg=jet_angle_deg,
    )


def puff_as_segment(mass_kg, density_kg_m3, wind_speed_m_s):
    """An instantaneous release as a short steady release: (rate [kg/s], area [m2],
    duration [s]).

    The released cloud is a cube of the pure release, side D = (M / rho)^(1/3), that the
    wind carries past in T = D / u; it enters the model as a release of M / T over D^2
    lasting T, marked ``puff`` so that it also slumps along the wind (module docstring):
    its length L = u T + slump. Far away, where sigma_x >> L, the finite-duration factor
    erf(L / (2 sqrt(2) sigma_x)) tends to 2 L / (sqrt(2 pi) 2 sigma_x) and the centreline
    to 2 M / ((2 pi)^(3/2) sigma_x sigma_y sigma_z): the Gaussian puff with ground
    reflection (CCPS 1999, ch. 2.3). Stated simplifications: the puff is a square cloud,
    not a disc (its plan area grows 4 / (2 sqrt(pi)) = 1.13x as fast as a disc's of the
    same area), and its slumping upwind of the source is not represented.
    """
    m = np.asarray(mass_kg, dtype=float)
    side = np.cbrt(m / np.asarray(density_kg_m3, dtype=float))
    duration = side / np.asarray(wind_speed_m_s, dtype=float)
    return m / duration, side * side, duration


def _briggs_arrays(stability: np.ndarray, terrain: str):
    rows = [briggs_coefficients(s, terrain) for s in stability]
    return tuple(
        np.array([getattr(r, k) for r in rows]) for k in ("a_y", "b_y", "a_z", "b_z", "p_z")
    )


class _Arrays:
    """The march's few functions on arrays of releases."""

    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    cbrt = staticmethod(np.cbrt)
    expm1 = staticmethod(np.expm1)
    any = staticmethod(np.any)

    @staticmethod
    def kept(a, b):
        """a where finite, else b."""
        return np.where(np.isfinite(a), a, b)


class _Floats:
    """The same on the Python floats of one release: numpy's cost per call (about a
    microsecond) would otherwise be most of a single release's time."""

    sqrt = staticmethod(math.sqrt)
    maximum = staticmethod(max)
    minimum = staticmethod(min)
    cbrt = staticmethod(math.cbrt)
    expm1 = staticmethod(math.expm1)
    any = staticmethod(bool)

    @staticmethod
    def kept(a, b):
        return a if math.isfinite(a) else b


class _OneCurve:
    """The Briggs curves of one release on floats (the methods of :class:`_Curves`)."""

    def __init__(self, curves: _Curves, i: int):
        self.ay, self.by, self.az, self.bz, self.pz = (
            float(getattr(curves, k)[i]) for k in ("ay", "by", "az", "bz", "pz")
        )
        self.f = float(curves.f)

    def sy(self, x):
        return self.f * self.ay * x / math.sqrt(1.0 + self.by * x)

    def sy_inverse(self, s):
        s = s / self.f
        a2 = self.ay * self.ay
        bs2 = s * s * self.by
        return (bs2 + math.sqrt(bs2 * bs2 + 4.0 * a2 * s * s)) / (2 * a2)

    def sz(self, x):
        if math.isinf(x):
            return math.nan
        return self.az * x * (1.0 + self.bz * x) ** self.pz

    def sy_slope(self, x):
        r = 1.0 + self.by * x
        return self.f * self.ay * (1.0 + 0.5 * self.by * x) / (r * math.sqrt(r))

    def sz_slope(self, x):
        if math.isinf(x):
            return 0.0
        r = 1.0 + self.bz * x
        return self.az * r ** (self.pz - 1.0) * (r + self.pz * self.bz * x)

    def sz_inverse(self, s):
        a, b, p = self.az, self.bz, self.pz
        if p == 0.0:
            return s / a
        if p == -1.0:
            return s / (a - b * s) if b * s < a * (1.0 - 1e-9) else math.inf
        if p == 0.5:
            x = s / a
            for _ in range(30):
                r = math.sqrt(1.0 + b * x)
                x = x - (a * x * r - s) / (a * r + a * b * x / (2 * r))
            return x
        bs2 = s * s * b
        return (bs2 + math.sqrt(bs2 * bs2 + 4.0 * a * a * s * s)) / (2 * a * a)


class _Curves:
    """Briggs sigma curves per release and their inverses (virtual distances)."""

    def __init__(self, stability, terrain, f_avg):
        self.ay, self.by, self.az, self.bz, self.pz = _briggs_arrays(stability, terrain)
        self.f = f_avg
        self._kind = None

    def repeated(self, rows, k: int) -> _Curves:
        """The curves of ``rows`` for arrays raveled from (rows, k)."""
        out = object.__new__(_Curves)
        for name in ("ay", "by", "az", "bz", "pz"):
            setattr(out, name, np.repeat(getattr(self, name)[rows], k))
        out.f, out._kind = self.f, None
        return out

    def sy(self, x):
        return self.f * self.ay * x / np.sqrt(1.0 + self.by * x)

    def sy_inverse(self, s):
        s = s / self.f
        a2 = self.ay**2
        return (s * s * self.by + np.sqrt((s * s * self.by) ** 2 + 4.0 * a2 * s * s)) / (2 * a2)

    def sy_slope(self, x):
        """d sigma_y / dx at x [-]."""
        r = 1.0 + self.by * x
        return self.f * self.ay * (1.0 + 0.5 * self.by * x) / (r * np.sqrt(r))

    def sz_slope(self, x):
        """d sigma_z / dx at x [-] (0 where the curve has levelled off, x = inf)."""
        with np.errstate(invalid="ignore"):
            r = 1.0 + self.bz * x
            slope = self.az * r ** (self.pz - 1.0) * (r + self.pz * self.bz * x)
        return np.where(np.isfinite(x), slope, 0.0)

    def sz(self, x):
        # x is inf where a curve has levelled off below the cloud's depth: nan, then kept
        if self._kind is not None and not self._kind[4]:
            return self.az * x * (1.0 + self.bz * x) ** self.pz
        with np.errstate(invalid="ignore"):
            return self.az * x * (1.0 + self.bz * x) ** self.pz

    def sz_inverse(self, s):
        a, b = self.az, self.bz
        if self._kind is None:
            p = self.pz
            kinds = (p == 0.0, p == -1.0, p == 0.5)
            self._kind = kinds + tuple(bool(k.any()) for k in kinds)
        flat, hyper, up, any_flat, any_hyper, any_up = self._kind
        bs2 = s * s * b
        x = (bs2 + np.sqrt(bs2 * bs2 + 4.0 * a * a * s * s)) / (2 * a * a)
        if any_flat:
            x = np.where(flat, s / a, x)
        if any_hyper:  # sigma_z tends to a / b: beyond it the curve never grows
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(hyper, np.where(b * s < a * (1.0 - 1e-9), s / (a - b * s), np.inf), x)
        if any_up:  # a x sqrt(1 + b x) = s, Newton from below (convex, increasing)
            xu = (s / a)[up]
            au, bu, su = a[up], b[up], s[up]
            for _ in range(30):
                r = np.sqrt(1.0 + bu * xu)
                xu = xu - (au * xu * r - su) / (au * r + au * bu * xu / (2 * r))
            x = x.copy()
            x[up] = xu
        return x


def _phi_ratio(ri, xp=_Arrays, rit=0.0):
    """Phi(Ri*, Ri_t) / Phi(0, 0) (module docstring)."""
    return _phi(ri, rit, xp) / _PHI[0]


def _phi(ri, rit, xp=_Arrays):
    """DEGADIS 2.1 PHIF, IPHIFL 3, stable branch (module docstring), on arrays or floats."""
    p0, a, e, a5, e5 = _PHI
    ri = xp.maximum(ri, 0.0)
    if not xp.any(rit > 0.0):
        return p0 + a * ri**e + a5 * ri**e5
    c = 1.0 + _PHI_THERMAL[0] * xp.maximum(rit, 0.0) ** _PHI_THERMAL[1]
    ri = ri / c
    return (p0 + a * ri**e + a5 * ri**e5) / xp.sqrt(c)


def _batch(release: Release, ambient: Ambient) -> dict:
    """Every input as a float array of the batch's length n (stability as str)."""
    values = {k: getattr(release, k) for k in release.__dataclass_fields__}
    for k in (
        "wind_speed_m_s",
        "z0_m",
        "temperature_K",
        "relative_humidity",
        "pressure_Pa",
        "obukhov_length_m",
        "mixing_height_m",
    ):
        values["air_" + k] = getattr(ambient, k)
    arrays = {}
    for k, v in values.items():
        try:
            arrays[k] = np.atleast_1d(np.asarray(v, dtype=float))
        except (TypeError, ValueError):
            if k == "air_z0_m":
                raise ValueError(f"surface roughness must be a length in m, got {v!r}") from None
            if k == "air_mixing_height_m":
                raise ValueError(f"mixing height must be a length in m, got {v!r}") from None
            raise ValueError(f"{k.removeprefix('air_')} must be a number, got {v!r}") from None
    stability = np.atleast_1d(np.asarray(ambient.stability, dtype=str))
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()), stability.shape)
    except ValueError:
        raise ValueError("release and weather arrays must have one common length") from None
    if len(shape) != 1:
        raise ValueError("releases and weather must be scalars or 1-D arrays")
    out = {k: np.broadcast_to(a, shape).astype(float) for k, a in arrays.items()}
    out["stability"] = np.broadcast_to(np.char.upper(np.char.strip(stability)), shape)
    return out


def _check(b: dict) -> None:
    bad = ~np.isin(b["stability"], STABILITY_CLASSES)
    if np.any(bad):
        raise ValueError(
            f"unknown stability class {b['stability'][bad][0]!r}; "
            f"valid: {', '.join(STABILITY_CLASSES)}"
        )
    atmosphere.check_roughness(b["air_z0_m"])
    obukhov = b["air_obukhov_length_m"]
    if np.any(obukhov == 0.0):
        raise ValueError("Obukhov length must be a length other than 0 m (inf: neutral)")
    given_lid = b["air_mixing_height_m"][~np.isnan(b["air_mixing_height_m"])]
    if given_lid.size:
        mixing_layer.check_mixing_height(given_lid.min())
    for name, what, lo, hi, unit in (
        ("rate_kg_s", "release rate", 0.0, math.inf, "kg/s"),
        ("height_m", "release height", 0.0, MAX_HEIGHT_M, "m"),
        ("area_m2", "source area", 0.0, math.inf, "m2"),
        ("liquid_fraction", "liquid fraction", 0.0, 1.0, ""),
        ("air_wind_speed_m_s", "wind speed at 10 m", *WIND_RANGE_M_S, "m/s"),
        ("jet_velocity_m_s", "jet velocity", 0.0, MAX_JET_VELOCITY_M_S, "m/s"),
        ("jet_angle_deg", "jet direction", -90.0, 90.0, "deg"),
    ):
        v = b[name]
        if not np.all(np.isfinite(v)) or np.any((v < lo) | (v > hi)):
            bad = v[~((v >= lo) & (v <= hi))][0]
            span = f"{lo:g} {unit} or more" if hi == math.inf else f"{lo:g}-{hi:g} {unit}"
            raise ValueError(f"{what} must be {span} for the integral model, got {bad:g}")
    if np.any(b["rate_kg_s"] <= 0.0):  # a release of nothing has no cloud to march
        raise ValueError("release rate must be above 0 kg/s for the integral model, got 0")
    for name in ("molar_mass_kg_mol", "temperature_K"):
        if np.any(~(b[name] > 0)):
            raise ValueError(f"{name} must be > 0")
    # a vapour at the air's temperature mixes without changing it, whatever its heat capacity
    unknown = np.isnan(b["vapour_cp_J_kgK"])
    if np.any(unknown & (np.abs(b["temperature_K"] - b["air_temperature_K"]) > 0.5)):
        raise ValueError(
            "the vapour's heat capacity is not known and the release is not at the air's "
            "temperature: the cloud's temperature cannot be computed"
        )
    b["vapour_cp_J_kgK"] = np.where(unknown, 1000.0, b["vapour_cp_J_kgK"])
    if np.any(~(b["vapour_cp_J_kgK"] > 0)):
        raise ValueError("vapour heat capacity must be > 0")
    if np.any(~(b["duration_s"] > 0)):
        raise ValueError("release duration must be > 0 s")
    if np.any((b["jet_velocity_m_s"] > 0) & (b["area_m2"] > 0)):
        raise ValueError("a jet leaves a hole: its source area must be 0 m2")


@dataclass
class Plume:
    """The marched solution: per release (rows) and station (columns).

    x [m] downwind of the source centre; c [kg/m3] top-hat concentration C_c at the cloud's
    centre; b, sigma_y, sigma_z, height [m]; temperature [K]; density [kg/m3]; richardson
    Ri* [-]; u [m/s] the cloud speed; finite [-] the finite-duration factor at each station;
    warming [-] T / T_adiabatic, the ground's heat;
    ``table`` the mixing table of each release; slump [m] how much longer along the wind
    a puff's segment has grown by slumping than u T (0 for other releases); v_g [m/s] the
    crosswind gravity flow of a cloud denser than air (SLAB's EQ 5a, 0 before it starts and
    once the cloud is no denser than air).
    """

    x: np.ndarray
    c: np.ndarray
    b: np.ndarray
    sigma_y: np.ndarray
    sigma_z: np.ndarray
    height: np.ndarray
    temperature: np.ndarray
    density: np.ndarray
    richardson: np.ndarray
    u: np.ndarray
    finite: np.ndarray
    warming: np.ndarray
    table: cloud_mixing.MixingTable
    _xi0: float
    _ratio: float
    _shift: np.ndarray
    _sx_a: np.ndarray
    _sx_p: np.ndarray
    slump: np.ndarray | None = None
    v_g: np.ndarray | None = None
    lid: np.ndarray | None = None

    # ---------------------------------------------------------------- interpolation
    def _locate(self, x):
        """Index k and weight of each query distance (n, m) on each row's station grid."""
        xi = np.asarray(x, dtype=float) + self._shift[:, None]
        pos = np.log(np.maximum(xi, self._xi0) / self._xi0) / math.log(self._ratio)
        k = np.clip(np.floor(pos).astype(int), 0, self.x.shape[1] - 2)
        return k, np.clip(pos - k, 0.0, 1.0), xi

    def _interp(self, a, k, w, log=False):
        rows = np.arange(a.shape[0])[:, None]
        a0, a1 = a[rows, k], a[rows, k + 1]
        if log:
            l0, l1 = np.log(np.maximum(a0, 1e-300)), np.log(np.maximum(a1, 1e-300))
            return np.where(a0 > 0, np.exp(l0 + w * (l1 - l0)), 0.0)
        return a0 + w * (a1 - a0)

    def profile(self, x):
        """(c, b, sigma_y, sigma_z, height) at distances ``x`` (m,) or (n, m); zero
        concentration upwind of the source. Between stations the width W, sigma_z and the
        speed are interpolated in log, the core's share of W linearly, and c follows from
        the interpolated flux: the flux through every plane stays the release rate where
        the cloud changes fast within one step (the pool's edge, a thin cold layer warmed
        by the ground)."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        x = np.broadcast_to(x, (self.x.shape[0], x.shape[-1]))
        k, w, xi = self._locate(x)
        width = 2.0 * self.b + SQRT_2PI * self.sigma_y
        wq = self._interp(width, k, w, log=True)
        core = self._interp(2.0 * self.b / width, k, w)
        sz = self._interp(self.sigma_z, k, w, log=True)
        flux = self._interp(self.c * self.finite * self.u * width * self.sigma_z, k, w)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = flux / (self._interp(self.u, k, w, log=True) * wq * sz)
        c = np.where(
            xi <= 0.0, 0.0, np.where(xi < self._xi0, self.c[:, :1] * self.finite[:, :1], c)
        )
        return (
            c,
            0.5 * core * wq,
            (1.0 - core) * wq / SQRT_2PI,
            sz,
            self._interp(self.height, k, w),
        )

    def steady_profile(self, x):
        """(c, b, sigma_y, sigma_z, height, warming) at distances ``x`` (m,) or (n, m), c
        the steady plume's centre concentration (without the finite-duration factor)
        [kg/m3]: the cross-section a segment of the release carries (``physics.
        puff_passage``)."""
        c, b, sy, sz, h = self.profile(x)
        x = np.atleast_1d(np.asarray(x, dtype=float))
        k, w, _ = self._locate(np.broadcast_to(x, (self.x.shape[0], x.shape[-1])))
        finite = self._interp(self.finite, k, w, log=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            steady = np.where(finite > 0.0, c / finite, 0.0)
        return steady, b, sy, sz, h, self._interp(self.warming, k, w)

    def slump_at(self, x):
        """How much longer a puff's segment is than u T at distances x (n, m) [m] (0 for
        other releases): what it has slumped along the wind."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        if self.slump is None:
            return np.zeros((self.x.shape[0], x.shape[-1]))
        k, w, _ = self._locate(np.broadcast_to(x, (self.x.shape[0], x.shape[-1])))
        return self._interp(self.slump, k, w)

    def speed(self, x):
        """Cloud speed at distances x (n, m) [m/s]."""
        k, w, _ = self._locate(np.broadcast_to(np.atleast_1d(x), (self.x.shape[0], np.size(x))))
        return self._interp(self.u, k, w, log=True)

    def mixing_height(self):
        """The lid of each release (n,) [m]: the mixed layer's top (``Ambient.
        mixing_height_m``); inf where there is none."""
        n = self.x.shape[0]
        return np.full(n, np.inf) if self.lid is None else self.lid

    def vertical(self, z, h, sz):
        """G(z) of the module docstring under each release's lid (``physics.mixing_layer``),
        for (n, m) or broadcastable h and sigma_z: the profile relative to the centre
        value C_c."""
        return mixing_layer.vertical_profile(z, h, sz, self.mixing_height()[:, None])

    def top(self, h, sz, sigmas=6.0):
        """Height to integrate a profile to: h + ``sigmas`` sigma_z, or the lid where that
        is lower (the profile is 0 above it) [m]."""
        return np.minimum(h + sigmas * sz, np.maximum(self.mixing_height()[:, None], h))

    def centreline(self, x, z=0.0):
        """Concentration on the plume's axis at height ``z`` (n, m) [kg/m3]."""
        c, _, _, sz, h = self.profile(x)
        return c * self.vertical(z, h, sz)

    def concentration(self, x, y, z=0.0, release=0):
        """Concentration of one release at points (x downwind, y across, z up), any
        broadcastable shapes [kg/m3]."""
        x, y, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, y, z)))
        one = _row(self, release)
        # receptor grids repeat their distances: the profile once per distinct x
        xs, where = np.unique(x.ravel(), return_inverse=True)
        c, b, sy, sz, h = (v[0][where] for v in one.profile(xs))
        lateral = np.exp(
            -0.5 * (np.maximum(np.abs(y.ravel()) - b, 0.0) / np.maximum(sy, 1e-9)) ** 2
        )
        return (c * lateral * one.vertical(z.ravel()[None, :], h[None, :], sz[None, :])[0]).reshape(
            x.shape
        )

    def at(self, x, y, z=0.0):
        """Concentration of every release at points (x downwind, y across, z up) [kg/m3]:
        (n, m) for n releases. Points of shape (m,) are the same for every release (e.g.
        many release rates at one set of receptors); points of shape (n, m) are each
        release's own."""
        x, y, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, y, z)))
        if x.ndim > 2:
            raise ValueError("points must have shape (m,) or (n, m)")
        c, b, sy, sz, h = self.profile(np.atleast_1d(x))
        off_core = np.maximum(np.abs(y) - b, 0.0)
        lateral = np.exp(-0.5 * (off_core / np.maximum(sy, 1e-9)) ** 2)
        return c * lateral * self.vertical(z, h, sz)

    def reach(self, level, z=0.0):
        """Farthest distance at which the centreline at height z reaches ``level`` (n,) or
        scalar [kg/m3]: 0 where never, the last station's distance where still above
        there. Levels are on :meth:`level_concentration`'s basis (the adiabatic table): the
        concentration is compared times ``warming``, so that a level in ppm is met where
        the cloud's mole fraction reaches it."""
        level = np.broadcast_to(np.asarray(level, dtype=float), (self.x.shape[0],))
        c = self.c * self.finite * self.warming * self.vertical(z, self.height, self.sigma_z)
        above = c >= level[:, None]
        any_above = above.any(axis=1)
        last = self.x.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1)
        rows = np.arange(c.shape[0])
        nxt = np.minimum(last + 1, self.x.shape[1] - 1)
        c0, c1 = c[rows, last], c[rows, nxt]
        x0, x1 = self.x[rows, last], self.x[rows, nxt]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(c1 < c0, np.log(c0 / level) / np.log(c0 / c1), 0.0)
        xr = x0 + np.clip(f, 0.0, 1.0) * (x1 - x0)
        return np.where(any_above, np.maximum(xr, 0.0), 0.0)

    def half_width(self, x, level):
        """Ground-level half-width of the ``level`` contour at distances x (n, m) [m]
        (``level`` on :meth:`reach`'s basis)."""
        c, b, sy, sz, h = self.profile(x)
        ground = c * self.vertical(0.0, h, sz) * self._warming_at(x)
        level = np.asarray(level, dtype=float).reshape(-1, 1) if np.ndim(level) else level
        with np.errstate(divide="ignore", invalid="ignore"):
            extra = sy * np.sqrt(2.0 * np.log(np.maximum(ground / level, 1.0)))
        return np.where(ground >= level, b + extra, 0.0)

    def _warming_at(self, x):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        k, w, _ = self._locate(np.broadcast_to(x, (self.x.shape[0], x.shape[-1])))
        return self._interp(self.warming, k, w)

    def sigma_x(self, x):
        """Along-wind standard deviation of a finite release's cloud at x (n, m) [m]
        (DEGADIS 2.1 ATMDEF coefficients from the source on, ``_SIGMA_X``; as used for the
        finite-duration factor)."""
        return _along_wind_sigma(self._sx_a, self._sx_p, np.atleast_1d(np.asarray(x, dtype=float)))

    def mass_between(self, low, high, release=0):
        """Mass of released material in the air where low <= C <= high [kg] (e.g. the
        flammable mass between LFL and UFL), integrating the profile over y, z >= 0 and the
        stations (a steady plume); low and high on :meth:`reach`'s basis."""
        one = _row(self, release)
        c, b, sy, sz, h, warming = (
            a[0][:, None, None]
            for a in (one.c * one.finite, one.b, one.sigma_y, one.sigma_z, one.height, one.warming)
        )
        eta = np.linspace(0.0, 1.0, 81)[None, :, None]
        zeta = np.linspace(0.0, 1.0, 61)[None, None, :]
        lid = one.mixing_height()[0]
        y_end, z_end = b + 6.0 * sy, np.minimum(h + 6.0 * sz, np.maximum(lid, h))
        y, z = eta * y_end, zeta * z_end
        lateral = np.exp(-0.5 * (np.maximum(y - b, 0.0) / np.maximum(sy, 1e-9)) ** 2)
        field = c * lateral * mixing_layer.vertical_profile(z, h, sz, lid)
        basis = field * warming
        inside = np.where((basis >= low) & (basis <= high), field, 0.0)
        # the mass per metre of plume [kg/m] (its flux over the cloud speed, Q / u, where
        # nothing is cut off)
        per_m = 2.0 * np.trapezoid(np.trapezoid(inside, axis=2), axis=1) * (y_end * z_end)[:, 0, 0]
        per_m = per_m / (80 * 60)
        return float(np.trapezoid(per_m, one.x[0].clip(0.0)))

    def mole_fraction(self, x, concentration):
        """Vapour mole fraction [-] where the cloud holds ``concentration`` (n, m) [kg/m3]
        at distances ``x`` (m,) or (n, m).

        The ground's heat warms a cloud above its adiabatic mixing state by the factor
        ``warming`` = T / T_adiabatic of each station; a gas of the same composition then
        holds 1 / warming of the adiabatic concentration. Exact on the axis; off it the
        station's factor is used (a point there is more dilute and nearer the air's
        temperature, so its mole fraction is slightly overstated)."""
        scaled = np.asarray(concentration, dtype=float) * self._warming_at(x)
        return self.table.mole_fraction_of_concentration(scaled)

    def level_concentration(self, mole_fraction):
        """Concentration [kg/m3] of each release's cloud whose vapour mole fraction is
        ``mole_fraction`` (scalar, (n,) or (n, m)); ppm x 1e-6."""
        y = np.asarray(mole_fraction, dtype=float)
        y2 = np.broadcast_to(
            y if y.ndim == 2 else y.reshape(-1, 1),
            (self.x.shape[0], max(1, y.shape[-1] if y.ndim == 2 else 1)),
        )
        out = self.table.level_concentration(y2)
        return out[:, 0] if y.ndim < 2 else out


def _along_wind_sigma(a, p, x):
    """sigma_x = a x^p [m] at x [m] downwind of the source centre, from the grid's first
    station on (``_SIGMA_X``)."""
    return a * np.maximum(x, FIRST_STEP_M) ** p


def _row(p: Plume, i: int) -> Plume:
    sl = slice(i, i + 1)
    return Plume(
        p.x[sl], p.c[sl], p.b[sl], p.sigma_y[sl], p.sigma_z[sl], p.height[sl],
        p.temperature[sl], p.density[sl], p.richardson[sl], p.u[sl], p.finite[sl],
        p.warming[sl],
        cloud_mixing.MixingTable(*(a if a.ndim == 1 else a[sl] for a in p.table)),
        p._xi0, p._ratio, p._shift[sl], p._sx_a[sl], p._sx_p[sl],
        None if p.slump is None else p.slump[sl],
        None if p.v_g is None else p.v_g[sl],
        None if p.lid is None else p.lid[sl],
    )  # fmt: skip


def _wind_of_one(profile, h, z_low, u_top, span):
    """``speed`` of :func:`integral_plume` for one release on floats."""
    table = profile.tolist()
    last = _PROFILE_POINTS - 2
    scale = (_PROFILE_POINTS - 1) / span

    def wind(depth):
        z = min(max(h, 0.5 * depth, z_low), u_top)
        pos = math.log(z / z_low) * scale
        k = min(int(pos), last)
        lo = table[k]
        return lo + (pos - k) * (table[k + 1] - lo)

    return wind


@dataclass
class _HandOff:
    """Where each release's jet phase ends (``physics.jet``) and the state it hands over.

    Per release (n,): height [m] of the cloud from there on (the release height without a
    jet), x [m] of the hand-off (0 without a jet). Per jet (rows): entrained air [kg/s],
    equivalent width W, core half-width b_c and depth H [m], downwind speed [m/s], and its
    path (rows, k) cut at the hand-off for the stations before it.
    """

    height: np.ndarray
    x: np.ndarray
    rows: np.ndarray
    air_kg_s: np.ndarray
    width: np.ndarray
    core: np.ndarray
    depth: np.ndarray
    speed: np.ndarray
    path: dict


def _jet_phase(b: dict, table, air, curves: _Curves, ustar, inv_l) -> _HandOff:
    """Run the momentum jet (``physics.jet``) of every release faster than the wind at its
    hole to where it hands over: the first point of its path where its own entrainment (jet
    shear and cross-flow; on the ground, its shear through the top and sides) no longer
    exceeds what the atmosphere would entrain into a cloud of its section (equivalent width
    W, depth H), rho_a u_a (sqrt(2 pi) H d sigma_y/dx + sqrt(pi/2) W d sigma_z/dx) cos theta
    per metre of path with the ground phase's closures (``integral_plume``: the Briggs
    sigma_y from the virtual distance of W / sqrt(2 pi); the slower of the similarity and
    Briggs sigma_z from sigma_z = H / sqrt(pi/2), damped by Phi(Ri*)): the UDM's passive
    entrainment taking over (Witlox & Holt 1999). For the round jet, W H = pi b^2 and this
    is rho_a u_a pi b (d sigma_y/dx + d sigma_z/dx) cos theta. A dense jet in the air
    does not hand over while its buoyancy pulls it down (``physics.jet``)."""
    n = b["rate_kg_s"].size
    h = b["height_m"]
    v0 = b["jet_velocity_m_s"]
    q = b["rate_kg_s"]

    def wind_of(idx):
        z0, us, il = (a[idx][:, None] for a in (b["air_z0_m"], ustar, inv_l))

        def wind(z, radius):
            """The ground phase's rule (``speed``): at the axis, or at half the depth of a
            cloud on the ground (10 m at most), from 2 z0 up."""
            half = np.minimum(0.5 * SQRT_PI_2 * radius, atmosphere.REFERENCE_HEIGHT_M)
            return atmosphere.wind_speed(
                np.maximum(np.where(z > 0.0, z, half), 2.0 * z0), us, z0, il
            )

        return wind

    radius0 = np.sqrt(q / (table.density[:, -1] * np.maximum(v0, 1e-9) * math.pi))
    at_hole = wind_of(np.arange(n))(h[:, None], radius0[:, None])[:, 0]
    rows = np.flatnonzero((v0 > at_hole) & (q > 0))
    # a release above the ground with no jet phase that is dense by the workbook's criterion
    # for a continuous source, (g0' q0 / D)^(1/3) / u >= 0.15 (Britter & McQuaid 1988), is
    # brought down to the ground at its source: held at its height it slumped into a sheet
    # there and never reached the ground (a stated simplification: it falls, taking in
    # some air, within metres; the ground values near the source are the higher for it)
    rho0 = table.density[:, -1]
    gp0 = G * (rho0 - air.density) / air.density
    ri0 = dense_gas.richardson_number(gp0, q / rho0, b["air_wind_speed_m_s"])
    dense_aloft = (
        (h > 0.0) & (b["area_m2"] <= 0.0) & (ri0 >= dense_gas.RICHARDSON_CRITICAL["continuous"])
    )
    # (the jets kept below take their own hand-off height in its place)
    hand = _HandOff(np.where(dense_aloft, 0.0, h), np.zeros(n), rows, *(np.empty(0),) * 5, {})
    if not rows.size:
        return hand
    sub = cloud_mixing.MixingTable(*(a if a.ndim == 1 else a[rows] for a in table))
    if rows.size == 1:  # one jet: its march on floats
        i = int(rows[0])
        two_z0 = 2.0 * float(b["air_z0_m"][i])
        speed = atmosphere.wind_speed_of_one(
            float(ustar[i]), float(b["air_z0_m"][i]), float(inv_l[i])
        )

        def wind(z, radius):
            half = min(0.5 * SQRT_PI_2 * radius, atmosphere.REFERENCE_HEIGHT_M)
            return speed(max(z if z > 0.0 else half, two_z0))

        passive = _passive_entrainment(
            _Floats,
            _OneCurve(curves, i),
            atmosphere.vertical_spread_rate_of_one(float(ustar[i]), float(inv_l[i])),
            *(float(a[i]) for a in (air.density, ustar)),
        )
        strat = (
            atmosphere.stable_buoyancy_of_one(
                *(float(a[i]) for a in (h, ustar, b["air_z0_m"], inv_l))
            )
            if inv_l[i] > 0.0
            else None  # neutral or unstable air: no stratification to march
        )
    else:
        wind = wind_of(rows)
        us, il = ustar[rows], inv_l[rows]
        on_rows = _passive_entrainment(
            _Arrays,
            curves.repeated(rows, 1),
            lambda s: atmosphere.vertical_spread_rate(s, us, il),
            air.density[rows],
            us,
        )

        def passive(*args):
            return on_rows(*(np.ravel(a) for a in args))[:, None]

        at = [a[rows][:, None] for a in (h, ustar, b["air_z0_m"], inv_l)]

        def stable(z):
            return atmosphere.stable_buoyancy(z, at[0], at[1], at[2], at[3])

        # neutral or unstable air everywhere: no stratification to march
        strat = stable if np.any(il > 0.0) else None

    p = jet.jet_path(
        q[rows],
        v0[rows],
        np.radians(b["jet_angle_deg"][rows]),
        h[rows],
        sub,
        air.density[rows],
        wind,
        passive,
        strat,
    )
    # a release whose own entrainment at the hole does not exceed the atmosphere's has no
    # jet phase (negligible momentum: the model without it)
    keep = p.hand_off > 0
    rows, p = rows[keep], jet.JetPath(*(a[keep] for a in p))
    hand.rows = rows
    if not rows.size:
        return hand
    q = b["rate_kg_s"][rows]
    rho_a = air.density[rows][:, None]
    k = jet.MASS_RATIO.size
    kh = p.hand_off
    pick = np.arange(rows.size), kh
    mass = q * jet.MASS_RATIO[kh]
    gp = np.maximum(G * (p.density - rho_a) / rho_a, 0.0)
    ri = gp * SQRT_PI_2 * p.sigma_z / (ustar[rows][:, None] ** 2)
    hand.height[rows] = p.z[pick]
    hand.x[rows] = p.x[pick]
    hand.air_kg_s = mass - q
    hand.core = p.core[pick]
    hand.width = 2.0 * hand.core + SQRT_2PI * p.sigma_y[pick]
    hand.depth = SQRT_PI_2 * p.sigma_z[pick]
    hand.speed = p.u_x[pick]
    # the path up to the hand-off, held there beyond it (monotonic x for interpolation)
    before = np.arange(k)[None, :] <= kh[:, None]
    hand.path = {
        name: np.where(before, v, v[pick][:, None])
        for name, v in (
            ("x", p.x),
            ("c", p.density / jet.MASS_RATIO),
            ("core", p.core),
            ("sigma_y", p.sigma_y),
            ("sigma_z", p.sigma_z),
            ("z", p.z),
            ("temperature", p.temperature),
            ("density", p.density),
            ("richardson", ri),
            ("u", p.speed),
        )
    }
    return hand


def _passive_entrainment(xp, curve, rise, rho_a, ustar):
    """The atmosphere's entrainment into a cloud of the jet's section, per metre of path
    (``_jet_phase``), as a function of (E, density, wind, cos theta, W, H) on ``xp``'s
    numbers. On floats, where the bound with the Briggs sigma_z alone (never below the
    value) is already below the jet's own entrainment E, that bound: the comparison with E
    is settled without the similarity rate."""

    def passive(e, rho, u_a, cos, width, depth):
        gp = xp.maximum(G * (rho - rho_a) / rho_a, 0.0)
        phi = _phi_ratio(gp * depth / (ustar * ustar), xp)
        sz = depth / SQRT_PI_2
        cap = curve.sz_slope(curve.sz_inverse(sz)) / phi
        across = SQRT_2PI * depth * curve.sy_slope(curve.sy_inverse(width / SQRT_2PI))
        scale = rho_a * u_a * cos
        if xp is _Floats:
            bound = scale * (across + width * SQRT_PI_2 * cap)
            if e > bound:
                return bound
        up = xp.minimum(rise(sz) / (u_a * phi), cap)
        return scale * (across + width * SQRT_PI_2 * up)

    return passive


def _jet_stations(hand: _HandOff, xi, out: dict, height, rate) -> None:
    """Overwrite the stations before each jet's hand-off with its path, interpolated in x
    (its section: sigma_y = sigma_z = b about its axis in the air; core b_c, sigma_y and
    sigma_z on the ground), sigma_z from u C W H = Q at every station."""
    rows = hand.rows
    path = hand.path
    px = path["x"]
    span = float(np.nanmax(px)) + 2.0 * float(xi[-1]) + 1.0
    offset = (np.arange(rows.size) * span)[:, None]
    flat = (px + offset).ravel()
    query = (xi[None, :] + offset).ravel()
    k = np.clip(np.searchsorted(flat, query, side="right") - 1, 0, flat.size - 2)
    x0, x1 = flat[k], flat[k + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.clip(np.where(x1 > x0, (query - x0) / (x1 - x0), 0.0), 0.0, 1.0)
    before = xi[None, :] < hand.x[rows][:, None]

    def at(v):
        v = v.ravel()
        return (v[k] + w * (v[k + 1] - v[k])).reshape(before.shape)

    sub = {
        "c": at(path["c"]),
        "b": at(path["core"]),
        "sigma_y": at(path["sigma_y"]),
        "temperature": at(path["temperature"]),
        "density": at(path["density"]),
        "richardson": at(path["richardson"]),
        "u": at(path["u"]),
    }
    # the depth from the flux, u C W H = Q, exact at the path's points and between them
    width = 2.0 * sub["b"] + SQRT_2PI * sub["sigma_y"]
    sub["sigma_z"] = rate[rows][:, None] / (sub["u"] * sub["c"] * width * SQRT_PI_2)
    for name, v in sub.items():
        out[name][rows] = np.where(before, v, out[name][rows])
    height[rows] = np.where(before, at(path["z"]), height[rows])


def integral_plume(
    release: Release,
    ambient: Ambient,
    *,
    x_max_m: float = 10_000.0,
    steps: int = STEPS,
    pool: str = "layer",
) -> Plume:
    """March the steady integral plume of every release to ``x_max_m`` at once.

    Parameters
    ----------
    release : Release
        The releases (fields broadcast to n).
    ambient : Ambient
        The weather (fields broadcast to n).
    x_max_m : float, default 10 km
        Farthest distance computed. [m]
    steps : int
        Stations on the logarithmic grid from 1 mm. [-]
    pool : {"layer", "blanket"}
        An evaporating pool's source: "layer" (the default) DEGADIS's layer over the pool
        (SZF) and the downwind closures of the module docstring; "blanket" DEGADIS's
        secondary source, a vapour blanket where the wind cannot clear the pool
        (``pool_blanket``), and DEGADIS's entrainment downwind while the cloud keeps its
        flat core (module docstring, "A pool's source as DEGADIS's"). Releases without an
        area are the same in both.

    Returns
    -------
    Plume

    Raises
    ------
    ValueError
        One line naming the input out of the model's scope.

    References
    ----------
    See the module docstring (Ermak 1990; Spicer & Havens 1989; Colenbrander 1980; Briggs
    1973; Palazzi et al. 1982).
    """
    if not 1.0 <= x_max_m <= MAX_DISTANCE_M:
        raise ValueError(f"distance must be 1 m to {MAX_DISTANCE_M:g} m, got {x_max_m:g}")
    if pool not in POOL_SOURCES:
        raise ValueError(f"pool source must be one of {', '.join(POOL_SOURCES)}, got {pool!r}")
    b = _batch(release, ambient)
    _check(b)
    n = b["rate_kg_s"].size
    air = cloud_mixing.moist_air(
        b["air_temperature_K"], b["air_relative_humidity"], b["air_pressure_Pa"]
    )
    table = cloud_mixing.mixing_table(
        air,
        molar_mass_kg_mol=b["molar_mass_kg_mol"],
        temperature_K=b["temperature_K"],
        liquid_fraction=b["liquid_fraction"],
        vapour_cp_J_kgK=b["vapour_cp_J_kgK"],
        latent_heat_J_kg=b["latent_heat_J_kg"],
        boiling_point_K=np.where(b["boiling_point_K"] > 0, b["boiling_point_K"], 1.0),
    )
    inv_l = atmosphere.inverse_obukhov_length(b["stability"], b["air_z0_m"])
    given_l = b["air_obukhov_length_m"]
    inv_l = np.where(np.isnan(given_l), inv_l, 1.0 / np.where(np.isnan(given_l), 1.0, given_l))
    ustar = atmosphere.friction_velocity(b["air_wind_speed_m_s"], b["air_z0_m"], inv_l)
    given_lid = b["air_mixing_height_m"]
    lid = np.where(np.isnan(given_lid), mixing_layer.mechanical_mixing_height(ustar), given_lid)
    z0 = b["air_z0_m"]
    z_low = 2.0 * z0
    curves = _Curves(
        b["stability"], ambient.terrain, averaging_time_factor(ambient.averaging_time_s)
    )
    q = b["rate_kg_s"]
    rho_a = air.density
    jet = _jet_phase(b, table, air, curves, ustar, inv_l)
    h = jet.height
    u_top = np.maximum(h, atmosphere.REFERENCE_HEIGHT_M)

    # the profile tabulated once per release on heights log-spaced from 2 z0 to the top
    span = np.log(u_top / z_low)
    levels = z_low[:, None] * np.exp(span[:, None] * np.linspace(0.0, 1.0, _PROFILE_POINTS))
    profile = atmosphere.wind_speed(levels, ustar[:, None], z0[:, None], inv_l[:, None]).ravel()
    row_start = np.arange(n) * _PROFILE_POINTS

    def speed(depth):
        """Wind at the cloud's axis or at half its depth, whichever is higher (module
        docstring), between 2 z0 and 10 m (or the release height), interpolated in log z
        on the table."""
        z = np.minimum(np.maximum(np.maximum(h, 0.5 * depth), z_low), u_top)
        pos = np.log(z / z_low) / span * (_PROFILE_POINTS - 1)
        k = np.minimum(pos.astype(int), _PROFILE_POINTS - 2)
        lo = profile.take(row_start + k)
        return lo + (pos - k) * (profile.take(row_start + k + 1) - lo)

    rho0 = table.density[:, -1]
    # an area source as DEGADIS's rectangle of the same area: the pool's diameter 2 R along
    # the wind, pi R / 2 across (``pool_source``)
    side = 2.0 * np.sqrt(b["area_m2"] / math.pi)
    has_area = side > 0
    # DEGADIS's u* and power-law exponent, the source take-up's inputs
    ustar_d = pool_source.degadis_friction_velocity(ustar)
    alpha1 = np.ones(n)
    if has_area.any():
        alpha1[has_area] += pool_source.power_law_exponent(z0[has_area], inv_l[has_area])
    # a pool the wind cannot clear lies under its blanket (``pool_blanket``): the source is
    # then the blanket, its vapour and the air its front takes in entering evenly over it
    blanket_air = np.zeros(n)
    if has_area.any() and pool == "blanket":
        i = np.flatnonzero(has_area)
        bl = pool_blanket.blanket(
            q[i],
            side[i] / 2.0,
            cloud_mixing.MixingTable(table.omega, *(a[i] for a in table[1:])),
            air_density_kg_m3=air.density[i],
            friction_velocity_m_s=ustar_d[i],
            alpha=alpha1[i] - 1.0,
            wind_speed_m_s=b["air_wind_speed_m_s"][i],
            t_end_s=b["duration_s"][i],
        )
        side[i] = 2.0 * bl.radius_m
        # what the wind takes from it carries its vapour fraction (at its steady state the
        # air its front takes in)
        wc = bl.vapour_mass_fraction
        blanket_air[i] = q[i] * (1.0 - wc) / wc
    under_blanket = blanket_air > 0.0
    # a point source starts as a square of the pure release moving with the wind there
    u = speed(np.zeros(n))
    for _ in range(3):
        w0 = np.sqrt(np.maximum(q, 1e-12) / (rho0 * u))
        u = speed(w0)
    width = np.maximum(0.25 * math.pi * side, w0)
    half = width / 2.0
    shift = side / 2.0
    xi_end = x_max_m + float(shift.max())
    # log-spaced (numpy's geomspace costs six times as much)
    xi = np.exp(np.linspace(math.log(FIRST_STEP_M), math.log(xi_end), steps))
    xi[0], xi[-1] = FIRST_STEP_M, xi_end
    ratio = (xi_end / FIRST_STEP_M) ** (1.0 / (steps - 1))
    along = np.where(has_area, 1.0 / np.where(has_area, side, 1.0), np.inf)
    # a pool's cloud starts at its upwind edge with the surface layer's first growth
    u = np.where(has_area, speed(np.zeros(n)), u)
    sz0 = np.where(
        has_area, xi[0] * atmosphere.vertical_spread_rate(0.0, ustar, inv_l) / u, w0 / SQRT_PI_2
    )
    u = np.where(has_area, speed(SQRT_PI_2 * sz0), u)
    m_air = np.where(has_area, rho_a * u * width * SQRT_PI_2 * sz0, 0.0)
    # a jet hands its cloud over where its own entrainment has fallen to the atmosphere's
    if jet.rows.size:
        r = jet.rows
        m_air[r] = jet.air_kg_s
        width[r] = jet.width
        half[r] = jet.core
        u[r] = jet.speed
    # its momentum flux in excess of the wind the cloud feels from there on (``speed``, at
    # its height or half its depth), which the cloud carries on: no step in its speed
    excess = np.zeros(n)
    if jet.rows.size:
        depth = np.zeros(n)
        depth[r] = jet.depth
        excess[r] = (q[r] + jet.air_kg_s) * (jet.speed - speed(depth)[r])
    x_hand = jet.x
    # the stations before every jet's hand-off are its path (``_jet_stations``): the march
    # starts at the last station before the first hand-off
    first = max(int(np.searchsorted(xi, x_hand.min(), side="right")) - 1, 0)
    names = ("c", "b", "sigma_y", "sigma_z", "temperature", "density", "richardson", "u", "slump")
    out = {k: np.empty((n, steps)) for k in names}
    out["warming"] = np.ones((n, steps))
    out["slump"] = np.zeros((n, steps))
    out["v_g"] = np.zeros((n, steps))
    # a puff's segment: its length along the wind is u T plus what it has slumped, ext
    puff_t = np.where(b["puff"] > 0, b["duration_s"], 0.0)
    ext = np.zeros(n)
    recorded = (*names, "warming", "v_g")
    record = []
    xp, at, curve, wind, stations = _Arrays, table.at, curves, speed, xi
    # heat from the ground for droplet-free releases (see the module docstring)
    dry = np.where(b["liquid_fraction"] > 0.0, 0.0, 1.0)
    t_ground, cp_v, cp_a = air.temperature_K, b["vapour_cp_J_kgK"], air.cp
    molar_density = air.pressure_Pa / cloud_mixing.R_GAS * 1e-3  # p / R [kmol K/m3]
    heat = np.zeros(n)  # heat taken up from the ground and carried by the cloud [W]
    # over the source (``pool_source``): DEGADIS's layer of mass flux Y per metre of width
    # grows by rho_a w_e + E per m2, w_e = delta k u* (1 + alpha) / Phi, and its ground
    # concentration is delta times its mean (SZF: cc = delta cclay): the cloud here, whose
    # ground concentration is Q / (u W H), carries Y W / delta. Its air grows by
    # rho_a k u* (1 + alpha) / Phi per m2 less (1 - 1/delta) of the vapour's flux, and
    # stays >= 0 (at 0 the layer is pure vapour: where DEGADIS would form a blanket)
    take_up = pool_source.VON_KARMAN * ustar_d * alpha1
    vapour_kept = (1.0 - 1.0 / pool_source.DELTA_LAYER) * q * np.where(has_area, along, 0.0)
    source_end = np.where(has_area, side, 0.0)
    # under a blanket the layer over the source is the blanket's gas: its vapour and the
    # air its front took in, evenly; no further take-up (the blanket's outflow is it)
    blanket_air = blanket_air * np.where(has_area, along, 0.0)
    open_pool = np.where(under_blanket, 0.0, 1.0)
    # downwind of a pool DEGADIS's entrainment while the cloud keeps its flat core
    area_source = np.where(has_area, 1.0, 0.0) * (pool == "blanket")
    pools = bool(has_area.any())
    degadis_pools = pools and pool == "blanket"

    def rise(s):
        return atmosphere.vertical_spread_rate(s, ustar, inv_l)

    if n == 1:  # one release: the same march on floats
        xp, at, curve, stations = _Floats, table.one(0), _OneCurve(curves, 0), xi.tolist()
        rise = atmosphere.vertical_spread_rate_of_one(float(ustar[0]), float(inv_l[0]))
        wind = _wind_of_one(profile, float(h[0]), float(z_low[0]), float(u_top[0]), float(span[0]))
        q, m_air, u, width, half, along, rho_a_k, ustar_k, x_hand, excess = (
            float(v[0]) for v in (q, m_air, u, width, half, along, rho_a, ustar, x_hand, excess)
        )
        dry, t_ground, cp_v, cp_a, molar_density, heat, ustar_d, take_up, source_end = (
            float(np.ravel(v)[0])
            for v in (dry, t_ground, cp_v, cp_a, molar_density, heat, ustar_d, take_up, source_end)
        )
        puff_t, ext = float(puff_t[0]), 0.0
        vapour_kept, blanket_air, open_pool, area_source = (
            float(v[0]) for v in (vapour_kept, blanket_air, open_pool, area_source)
        )
        mom, started = 0.0, 0.0
    else:
        rho_a_k, ustar_k = rho_a, ustar
        mom, started = np.zeros(n), np.zeros(n)
    for k in range(first, steps):
        qx = q * xp.minimum(stations[k] * along, 1.0)
        total = qx + m_air
        omega = qx / total
        temp_ad, rho = at(omega)
        cp_mix = omega * cp_v + (1.0 - omega) * cp_a
        temp = temp_ad + heat / (total * cp_mix)
        rho = rho * temp_ad / temp
        depth = total / (rho * u * width)
        sz = depth / SQRT_PI_2
        gp = xp.maximum(G * (rho - rho_a_k) / rho_a_k, 0.0)
        ri = gp * depth / (ustar_k * ustar_k)
        # the crosswind gravity flow's momentum flux at its front's speed, which it never
        # exceeds (module docstring)
        front = 0.5 * total * C_E * xp.sqrt(gp * depth)
        mom = xp.minimum(mom, front)
        # in the order of ``recorded``; stored once after the march
        record.append(
            (
                omega * rho,
                half,
                (width - 2.0 * half) / SQRT_2PI,
                sz,
                temp,
                rho,
                ri,
                u,
                ext,
                temp / temp_ad,
                2.0 * mom / total,
            )
        )
        if k == steps - 1:
            break
        # past the hand-off only (a jet's cloud waits there until its station comes)
        step = xp.maximum(stations[k + 1] - xp.maximum(stations[k], x_hand), 0.0)
        # the part of the step over the source and the part downwind of it
        over = xp.minimum(xp.maximum(source_end - stations[k], 0.0), step)
        dx = step - over
        # the crosswind gravity flow (SLAB EQ 5a): each half of the cloud carries across
        # the wind the momentum flux mom = (total / 2) V_g, which starts, where the march
        # first moves the cloud, at the front's speed C_E sqrt(g' H) (van Ulden; the jet
        # phase's and a pool blanket's law) and then grows by the pressure force
        # alpha_gv g (rho - rho_a) H^2, never faster than that front (module docstring);
        # a cloud no longer denser than air has none (SLAB: V_g = 0 there)
        fresh = (dx > 0.0) * (1.0 - started)
        mom = mom + fresh * (front - mom)
        started = started + fresh
        v_g = 2.0 * mom / total
        spread = v_g / u * dx
        mom = (mom + ALPHA_GV * gp * rho_a_k * depth * depth * dx) * (gp > 0.0)
        # turbulence widens the edges into the core, B_eff = b + sqrt(pi)/2 sigma_y held
        # (over the source too: the layer's edges diffuse, its air comes through the top)
        s_eq = width / SQRT_2PI
        s_y = (width - 2.0 * half) / SQRT_2PI
        s_new = xp.sqrt(
            xp.maximum(s_y * s_y + curve.sy(curve.sy_inverse(s_eq) + step) ** 2 - s_eq * s_eq, 0.0)
        )
        half = xp.maximum(half + 0.5 * SQRT_PI * (s_y - s_new), 0.0)
        turb_width = 2.0 * half + SQRT_2PI * s_new
        # convection over a warmer ground (Ri_t) and the heat it gives (DEGADIS SURFAC)
        colder = dry * xp.maximum(t_ground - temp, 0.0)
        rit = 0.0
        if xp.any(colder > _COLDER_K):
            rit = G * colder / temp * depth / (ustar_d * u)
            h_c = xp.maximum(
                _H_NATURAL * xp.cbrt((molar_density / temp) ** 2 * colder),
                _H_FORCED * rho * cp_mix * ustar_d * ustar_d / u,
            )
            # at a fixed ground-cloud difference relaxing as the cloud warms: exact for a
            # constant h, so a thin layer cannot overshoot the ground's temperature
            heat = heat - total * cp_mix * colder * xp.expm1(-h_c * width * dx / (total * cp_mix))
        # passive: vertical turbulence (surface-layer similarity), damped by the
        # stratification; midpoint rule in sigma_z
        phi_r = _phi_ratio(ri, xp, rit)
        damp = dx / (u * phi_r)
        sz_new = sz + rise(sz + 0.5 * rise(sz) * damp) * damp
        sz_cap = xp.kept(curve.sz(curve.sz_inverse(sz) + dx / phi_r), sz)
        sz_new = xp.minimum(sz_new, sz_cap)
        area_new = turb_width * SQRT_PI_2 * sz_new
        # Ri* on DEGADIS's u*, for its take-up and entrainment (pools only)
        ri_d = gp * depth / (ustar_d * ustar_d) if pools else 0.0
        # a pool's cloud with a flat core entrains as DEGADIS's (PSS): its volume flux per
        # metre of width grows by k u*_D (1 + alpha) / Phi(Ri*_D, Ri_t) (module docstring)
        degadis = False
        if degadis_pools:
            core = area_source * (half > 0.0)
            degadis = core if xp is _Floats else xp.any(core > 0.0)
        if degadis:
            entrained = take_up / _phi(ri_d, rit, xp) * width * dx
            area_new = area_new + core * (width * depth + entrained / u - area_new)
        # the jet's remaining momentum excess over the wind's rides on (0 without a jet)
        u_new = wind(area_new / turb_width) + excess / total
        # air entrained downwind: the growth of the volume flux by turbulence (spreading
        # only thins); over the source: air taken up through the layer's top at DEGADIS's
        # rate delta k u* (1 + alpha) / Phi(Ri*) per m2 (SZF; Ri* on DEGADIS's u*, Ri_t = 0)
        grown = rho_a_k * xp.maximum(u_new * area_new - u * width * depth, 0.0)
        if degadis:
            grown = grown + core * (rho_a_k * entrained - grown)
        m_air = m_air + grown * (dx > 0.0)
        if xp.any(over > 0.0):
            m_air = xp.maximum(
                m_air
                + (
                    open_pool * (rho_a_k * take_up / _phi(ri_d, 0.0, xp) * width - vapour_kept)
                    + blanket_air
                )
                * over,
                0.0,
            )
        if puff_t if xp is _Floats else xp.any(puff_t > 0.0):
            # a puff slumps along the wind as it does across: its front and back move apart
            # by 2 spread, and what it carries per metre of its path falls in proportion
            # (its length u T + ext); its advancing front takes in air, rho_a (epsilon /
            # Ri) V_g H per metre of its edge, Ri = 1 / C_E^2 (DEGADIS SRC1's frontal
            # entrainment), u_f dx / u = spread: per metre of path, over its length
            keep = puff_t > 0.0
            length = u * puff_t + ext
            m_air = m_air + keep * rho_a_k * _FRONTAL * depth * 2.0 * (
                width + length
            ) * spread * u / xp.maximum(length, 1e-300)
            ext = ext + 2.0 * spread * keep
            # L / (u T) before over after: 1 for a release that is not a puff
            fold = length * u_new * puff_t / xp.maximum(u * puff_t * (u_new * puff_t + ext), 1e-300)
            f = (fold if keep else 1.0) if xp is _Floats else np.where(keep, fold, 1.0)
            q, m_air, heat, mom = q * f, m_air * f, heat * f, mom * f
        u = u_new
        width = turb_width + 2.0 * spread
        half = half + spread
    marched = np.array(record, dtype=float)  # (stations, 9) or (stations, 9, n)
    for j, name in enumerate(recorded):
        out[name][:, first:] = marched[:, j].T
    height = np.broadcast_to(h[:, None], (n, steps)).copy()
    if jet.rows.size:
        _jet_stations(jet, xi, out, height, b["rate_kg_s"])

    x = xi[None, :] - shift[:, None]
    sx_a, sx_p = (np.array([_SIGMA_X[s][i] for s in b["stability"]])[:, None] for i in range(2))
    sigma_x = _along_wind_sigma(sx_a, sx_p, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = np.where(
            np.isfinite(b["duration_s"])[:, None],
            (out["u"] * b["duration_s"][:, None] + out["slump"]) / (2.0 * math.sqrt(2.0) * sigma_x),
            np.inf,
        )
    finite = erf(arg)
    return Plume(
        x=x,
        c=out["c"],
        b=out["b"],
        sigma_y=out["sigma_y"],
        sigma_z=out["sigma_z"],
        height=height,
        temperature=out["temperature"],
        density=out["density"],
        richardson=out["richardson"],
        u=out["u"],
        finite=finite,
        warming=out["warming"],
        table=table,
        _xi0=FIRST_STEP_M,
        _ratio=ratio,
        _shift=shift,
        _sx_a=sx_a,
        _sx_p=sx_p,
        slump=out["slump"],
        v_g=out["v_g"],
        lid=lid,
    )
