"""From "this tank or pipeline, this hole" to what goes into the air, and when.

``source_term`` picks the source model from the asset and the state of what it holds:

- a liquid below its boiling point in a tank drains through the hole (Bernoulli, falling
  head) into its dike, where the pool spreads and evaporates by mass transfer;
- a liquefied gas stored under pressure leaves as a flashing two-phase jet through a hole
  below its liquid level: the flashed vapour and the aerosol go into the air, the rest rains
  out into a boiling pool; through a hole above the liquid it leaves as vapour, the pressure
  falling as the liquid boils and cools;
- a refrigerated liquefied gas drains like a liquid into a boiling pool;
- a gas pipeline leaks through the hole (or its full bore), fed by the line's flow until
  isolation, then blows down;
- a pipeline carrying a liquefied gas flashes through the hole, fed by the pumped flow until
  isolation, then by the liquid of the section between its isolation valves; what rains out
  forms a boiling pool;
- a rupture releases the whole inventory at once (flash, aerosol and rainout).

All physics comes from ``physics``; this module only chooses and composes.
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np

import geodata
from physics import pool as pools
from physics import source, substances
from physics.integral_plume import MAX_HEIGHT_M
from physics.meteorology import air_density
from twin import tank_geometry
from twin.park import tank_inventory_kg

P_ATM = 101325.0
# Minimum pool thickness on concrete. The Yellow Book and ALOHA are quoted as using about
# 5 mm for a smooth surface; we could not confirm the value at a primary source, so it is
# reported as an assumption with every result. Dikes bound the demo park's pools first.
MIN_POOL_THICKNESS_M = 0.005
POOL_ASSUMPTION = f"minimum pool thickness {MIN_POOL_THICKNESS_M * 1000:g} mm (assumed)"
DEFAULT_ISOLATION_S = 600.0  # a pipeline's pumped flow stops after this unless told


# Two masses that differ by less than this fraction of the inventory are the same mass: the
# difference is the round-off of the integrals behind them (1e-16 to 1e-15 of it seen).
ROUND_OFF = 1e-9


@dataclass(frozen=True)
class MassBalance:
    """Where the mass that left containment went, over the time followed [kg].

    ``released = vapour + aerosol + rained_out`` and
    ``airborne = vapour + aerosol + pool_evaporated`` hold exactly; ``pool_left`` is what
    rained out and has not evaporated, ``retained`` what is still in the tank or line.
    """

    followed_s: float
    inventory_kg: float
    released_kg: float
    vapour_kg: float
    aerosol_kg: float
    rained_out_kg: float
    pool_evaporated_kg: float

    @property
    def airborne_kg(self) -> float:
        return self.vapour_kg + self.aerosol_kg + self.pool_evaporated_kg

    @property
    def pool_left_kg(self) -> float:
        return self._left(self.rained_out_kg, self.pool_evaporated_kg)

    @property
    def retained_kg(self) -> float:
        return self._left(self.inventory_kg, self.released_kg)

    def _left(self, whole: float, gone: float) -> float:
        """whole - gone, or 0 where it is within ROUND_OFF of the inventory: a line whose
        whole inventory had left printed "9.09e-13 kg still inside"."""
        left = whole - gone
        return 0.0 if left <= ROUND_OFF * self.inventory_kg else left


@dataclass
class SourceTerm:
    """What a loss of containment puts into the air.

    ``times_s`` and ``airborne_kg_s`` give the continuous vapour (and aerosol) rate into the
    air; ``instantaneous_kg`` is what a rupture puts into the air at t = 0. Where a
    flashing jet also rains out a pool, ``jet_kg_s`` is the part of ``airborne_kg_s`` that
    leaves the hole as the jet (flash vapour and aerosol) and the rest evaporates from the
    pool (:meth:`pool_kg_s`): two clouds from one release.
    """

    asset: str
    substance: substances.Substance
    model: str
    outflow: source.Release
    times_s: np.ndarray
    airborne_kg_s: np.ndarray
    instantaneous_kg: float
    cloud_temperature_K: float
    inventory_kg: float
    pool: pools.PoolHistory | None = None
    jet_velocity_m_s: float | None = None
    storage_pressure_Pa: float = P_ATM
    aerosol_fraction: float = 0.0  # liquid droplets in the airborne mass at the source
    release_height_m: float = 0.0  # height of the hole above the ground (tanks stand on it)
    jet_kg_s: np.ndarray | None = None  # on times_s; None when one source feeds the cloud
    assumptions: list[str] = field(default_factory=list)

    def max_average_rate(self, window_s: float = 60.0, rate_kg_s=None) -> float:
        """The largest airborne rate averaged over ``window_s`` [kg/s] (ALOHA's maximum
        average sustained release rate is averaged over at least a minute); of
        ``rate_kg_s`` on ``times_s`` if given (e.g. the jet's or the pool's part alone)."""
        from scipy.integrate import cumulative_trapezoid

        if self.times_s[-1] <= 0.0:
            return 0.0
        rate = self.airborne_kg_s if rate_kg_s is None else rate_kg_s
        released = cumulative_trapezoid(rate, self.times_s, initial=0.0)
        start = np.arange(0.0, max(self.times_s[-1] - window_s, 0.0) + 0.5, 0.5)
        ahead = np.interp(start + window_s, self.times_s, released)
        return float(((ahead - np.interp(start, self.times_s, released)) / window_s).max())

    @property
    def two_clouds(self) -> bool:
        """Whether the release feeds two clouds: a continuous jet from the hole and the
        evaporation of the pool it rains out."""
        return (
            self.instantaneous_kg <= 0
            and bool(self.jet_velocity_m_s)
            and self.jet_kg_s is not None
            and self.pool is not None
        )

    def pool_kg_s(self) -> np.ndarray:
        """The pool's evaporation into the air on ``times_s`` [kg/s] (what of
        ``airborne_kg_s`` does not leave the hole as the jet)."""
        if self.jet_kg_s is None:
            return self.airborne_kg_s if self.pool is not None else np.zeros_like(self.times_s)
        return np.maximum(self.airborne_kg_s - self.jet_kg_s, 0.0)

    @property
    def airborne_total_kg(self) -> float:
        """Mass put into the air over the time followed (vapour, aerosol and what evaporated
        from the pool: :meth:`mass_balance`). [kg]"""
        return self.mass_balance().airborne_kg

    def mass_balance(self) -> MassBalance:
        """What left containment over the time followed, and where it went."""
        out, end = self.outflow, float(self.times_s[-1])
        released = out.instantaneous_mass_kg + _outflow_kg(out, end)
        if out.phase == "gas":
            vapour, aerosol, rained = released, 0.0, 0.0
        else:
            rained = released * out.rainout_fraction
            vapour = released * out.flash_fraction
            aerosol = max(released - rained - vapour, 0.0)
        evaporated = 0.0
        if self.pool is not None:
            evaporated = min(
                float(np.interp(end, self.pool.times_s, self.pool.evaporated_kg)), rained
            )
        return MassBalance(end, self.inventory_kg, released, vapour, aerosol, rained, evaporated)


def _own_samples(out: source.Release, end_s: float):
    """The outflow's samples up to ``end_s``, ending at ``end_s`` (interpolated) or, if the
    outflow stops before, with a step down to zero where it stops."""
    keep = out.times_s < end_s
    t, rate = out.times_s[keep], out.rate_kg_s[keep]
    if keep.all():
        return np.append(t, t[-1]), np.append(rate, 0.0)
    j = int(np.argmin(keep))  # the first sample at or after end_s: the rate just before it
    if j == 0:
        return np.array([0.0, end_s]), np.zeros(2)
    t0, t1, r0, r1 = out.times_s[j - 1], out.times_s[j], out.rate_kg_s[j - 1], out.rate_kg_s[j]
    return np.append(t, end_s), np.append(rate, r0 + (r1 - r0) * (end_s - t0) / (t1 - t0))


def _outflow_kg(out: source.Release, end_s: float) -> float:
    """Mass through the hole from the start to ``end_s`` (continuous part only). [kg]"""
    return float(np.trapezoid(*_own_samples(out, end_s)[::-1]))


def _sampled(out: source.Release, duration_s: float, fraction: float = 1.0):
    """(times, rate x ``fraction``) of the outflow on a regular grid to ``duration_s`` merged
    with the outflow's own samples, so that steps and short releases keep their mass."""
    own_t, own_rate = _own_samples(out, duration_s)
    grid = np.linspace(0.0, duration_s, 721)
    grid = grid[~np.isin(grid, own_t)]
    t = np.concatenate([own_t, grid])
    rate = np.concatenate([own_rate, out.rate_at(grid)])
    order = np.argsort(t, kind="stable")
    return t[order], rate[order] * fraction


def _pool(
    substance, inflow_t, inflow_rate, *, temperature_K, bund_area, initial_kg, wind, air_T, end
):
    cas = substance.property_cas
    tb = substance.boiling_point_K
    boiling = temperature_K >= tb
    liquid_T = tb if boiling else temperature_K
    kwargs = dict(
        liquid_density_kg_m3=float(substance.liquid_density(liquid_T)),
        liquid_temperature_K=liquid_T,
        boiling_temperature_K=tb,
        min_thickness_m=MIN_POOL_THICKNESS_M,
        bund_area_m2=bund_area if bund_area and bund_area > 0 else np.inf,
        initial_mass_kg=initial_kg,
        end_time_s=end,
    )
    if boiling:
        kwargs.update(
            heat_of_vaporisation_J_kg=float(substance.heat_of_vaporisation(tb)),
            ground_temperature_K=air_T,
        )
    else:
        kwargs.update(
            vapour_pressure_Pa=float(substance.vapour_pressure(liquid_T)),
            molar_mass_kg_mol=substance.molar_mass_kg_mol,
            wind_speed_m_s=wind,
            schmidt_number=float(substances.schmidt_number_in_air(cas, air_T)),
        )
    return pools.pool_evolution(inflow_t, inflow_rate, **kwargs)


def _flashing(sub, inventory, area, pressure, T, psat) -> source.Release:
    """Two-phase flashing release of a liquefied gas at ``T`` held at ``pressure``."""
    tb = sub.boiling_point_K
    return source.flashing_liquid_release(
        inventory,
        area,
        pressure,
        T,
        saturation_pressure_Pa=psat,
        boiling_temperature_K=tb,
        liquid_density_kg_m3=float(sub.liquid_density(T)),
        vapour_density_kg_m3=psat * sub.molar_mass_kg_mol / (substances.R_GAS * T),
        heat_capacity_J_kgK=float(sub.liquid_heat_capacity(T)),
        heat_of_vaporisation_J_kg=float(sub.heat_of_vaporisation(tb)),
    )


def _aerosol(out: source.Release) -> float:
    """Mass fraction of liquid droplets in what stays airborne after flashing."""
    airborne = 1.0 - out.rainout_fraction
    return max(airborne - out.flash_fraction, 0.0) / airborne if airborne > 0 else 0.0


def _sound_speed(substance, T):
    """Speed of sound of the ideal gas [m/s]: the velocity we give an expanded flashing or
    choked gas jet (for the jet fire's radiant fraction)."""
    return math.sqrt(_gamma(substance, T) * substances.R_GAS * T / substance.molar_mass_kg_mol)


def _gamma(substance, T):
    cp = float(substances.ideal_gas_heat_capacity(substance.property_cas, T))
    r = substances.R_GAS / substance.molar_mass_kg_mol
    return cp / (cp - r)


def source_term(
    park: geodata.Park,
    asset: str,
    *,
    hole_diameter_m: float | None = None,
    rupture: bool = False,
    hole_height_m: float = 0.0,
    duration_s: float = 3600.0,
    wind_speed_m_s: float = 3.0,
    air_temperature_K: float = 293.15,
    isolation_s: float | None = None,
) -> SourceTerm:
    """The source term of a hole (or a rupture) in a tank or pipeline of the park.

    Parameters
    ----------
    park : geodata.Park
        A park loaded with ``twin.load_park`` (chemicals resolved).
    asset : str
        Tank or pipeline id.
    hole_diameter_m : float
        Equivalent hole diameter; ignored for a rupture. [m]
    rupture : bool
        Catastrophic rupture (tank: whole inventory at once; pipeline: full bore).
    hole_height_m : float
        Height of the hole above the tank bottom (checked against the tank: at most its
        top; a hole above the liquid of a pressurised vessel lets out vapour); for a
        pipeline its height above the ground, where its jet leaves (0 to the dispersion
        model's ``MAX_HEIGHT_M``). [m]
    duration_s : float
        How long to follow the release (ALOHA follows an hour). [s]
    wind_speed_m_s, air_temperature_K : float
        Weather, for pool evaporation. [m/s], [K]
    isolation_s : float, optional
        When a pipeline's pumped flow is stopped, or a tank's outflow through the hole
        stops (the engine's isolation); the pool it fed goes on evaporating. [s]

    Raises
    ------
    ValueError
        Unknown asset, a hole that does not fit the asset, bad numbers.
    """
    check_release(
        park, asset, hole_diameter_m=hole_diameter_m, rupture=rupture, hole_height_m=hole_height_m
    )
    if asset in park.tanks.index:
        return _tank(
            park,
            asset,
            hole_diameter_m,
            rupture,
            hole_height_m,
            duration_s,
            wind_speed_m_s,
            air_temperature_K,
            isolation_s,
        )
    return _pipeline(
        park,
        asset,
        hole_diameter_m,
        rupture,
        duration_s,
        wind_speed_m_s,
        air_temperature_K,
        DEFAULT_ISOLATION_S if isolation_s is None else isolation_s,
        hole_height_m,
    )


def _tank_geometry(tank):
    """(shape, diameter, length or None, height) of a tank row [m]."""
    shape, d, length = tank["shape"], float(tank.diameter_m), tank.length_m
    length = (
        None
        if length is None or (isinstance(length, float) and math.isnan(length))
        else float(length)
    )
    return shape, d, length, (length if shape == "vertical_cylinder" else d)


class ReleaseError(ValueError):
    """A release that does not fit its asset; ``field`` names the input at fault:
    "asset", "hole" or "hole_height"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def largest_hole_m(park: geodata.Park, asset: str) -> float:
    """The largest hole :func:`check_release` allows in ``asset`` (a tank or a pipeline of
    the park) [m]: the smaller of a tank's diameter and height, a pipeline's diameter."""
    if asset in park.tanks.index:
        _, d, _, height = _tank_geometry(park.tanks.loc[asset])
        return min(d, height)
    return float(park.pipelines.loc[asset].diameter_m)


def check_release(
    park: geodata.Park,
    asset: str,
    *,
    hole_diameter_m: float | None = None,
    rupture: bool = False,
    hole_height_m: float = 0.0,
) -> None:
    """Check a release against its asset before anything is computed.

    Raises
    ------
    ValueError
        One line: an unknown asset, a hole that is not a positive size or is larger than the
        tank or the pipe, a hole height below 0 or above the tank's top, a pipeline's hole
        higher than the dispersion model's scope (``physics.integral_plume.MAX_HEIGHT_M``).
    """
    if asset in park.tanks.index:
        _, _, _, height = _tank_geometry(park.tanks.loc[asset])
        _check_hole(hole_diameter_m, rupture, largest_hole_m(park, asset), "tank")
        if not math.isfinite(hole_height_m) or hole_height_m < 0:
            raise ReleaseError(
                "hole_height",
                f"hole height must be >= 0 m above the bottom of {asset}, got {hole_height_m}",
            )
        if not rupture and hole_height_m > height:
            raise ReleaseError(
                "hole_height",
                f"the hole at {hole_height_m:g} m is above the top of {asset} ({height:g} m "
                f"high); give a height from 0 to {height:g} m",
            )
        return
    if asset in park.pipelines.index:
        _check_hole(hole_diameter_m, rupture, largest_hole_m(park, asset), "pipeline")
        if not math.isfinite(hole_height_m) or not 0 <= hole_height_m <= MAX_HEIGHT_M:
            raise ReleaseError(
                "hole_height",
                f"a hole in {asset} at {hole_height_m:g} m above the ground is outside the "
                f"dispersion model's scope; give a height from 0 to {MAX_HEIGHT_M:g} m",
            )
        return
    known = ", ".join(list(park.tanks.index[:3]) + list(park.pipelines.index[:2]))
    raise ReleaseError(
        "asset", f"unknown asset {asset!r}: give a tank or pipeline id of the park (e.g. {known})"
    )


def _check_hole(hole_diameter_m, rupture, limit_m, what):
    if rupture:
        return
    if hole_diameter_m is None or not math.isfinite(hole_diameter_m) or hole_diameter_m <= 0:
        raise ReleaseError("hole", f"hole diameter must be a positive size, got {hole_diameter_m}")
    if hole_diameter_m > limit_m:
        raise ReleaseError(
            "hole",
            f"a hole of {hole_diameter_m * 1000:g} mm is larger than the {what} "
            f"({limit_m * 1000:g} mm); use a rupture instead",
        )


def _stop_at(out: source.Release, isolation_s: float | None) -> source.Release:
    """The outflow with its rate set to zero from ``isolation_s`` on (unchanged if None)."""
    if isolation_s is None or isolation_s >= out.times_s[-1]:
        return out
    t = np.concatenate([out.times_s[out.times_s < isolation_s], [isolation_s, isolation_s]])
    rate = np.interp(t, out.times_s, out.rate_kg_s)
    rate[-1] = 0.0
    temperature = np.interp(t, out.times_s, np.broadcast_to(out.temperature_K, out.times_s.shape))
    return replace(out, times_s=t, rate_kg_s=rate, temperature_K=temperature)


def _tank(park, asset, hole_d, rupture, hole_h, duration, wind, air_T, isolation_s=None):
    tank = park.tanks.loc[asset]
    sub = substances.lookup(tank.cas)
    T = float(tank.temperature_k)
    shape, d, length, _ = _tank_geometry(tank)
    inventory = float(tank_inventory_kg(park.tanks.loc[[asset]]).iloc[0])
    psat = float(sub.vapour_pressure(T))
    liquefied_gas = np.isfinite(psat) and psat > P_ATM
    tb = sub.boiling_point_K
    cp = float(sub.liquid_heat_capacity(T))
    hfg = float(sub.heat_of_vaporisation(tb))
    bund = float(tank.dike_area_m2) if tank.dike_area_m2 == tank.dike_area_m2 else 0.0
    times = np.linspace(0.0, duration, 721)
    assumptions = []

    def pool_of(out, liquid_T, initial_kg=0.0):
        assumptions.append(POOL_ASSUMPTION)
        return _pool(
            sub,
            out.times_s,
            out.rate_kg_s * out.rainout_fraction,
            temperature_K=liquid_T,
            bund_area=bund,
            initial_kg=initial_kg,
            wind=wind,
            air_T=air_T,
            end=duration,
        )

    if rupture:
        out = source.vessel_rupture(
            inventory,
            T,
            "liquid",
            boiling_temperature_K=tb,
            heat_capacity_J_kgK=cp,
            heat_of_vaporisation_J_kg=hfg,
        )
        airborne0 = inventory * (1.0 - out.rainout_fraction)
        rain = inventory - airborne0
        p = pool_of(out, T, rain) if rain > 0 else None
        airborne = (
            np.interp(times, p.times_s, p.evaporation_rate_kg_s) if p else np.zeros_like(times)
        )
        return SourceTerm(
            asset,
            sub,
            "catastrophic rupture (whole inventory at once)",
            out,
            times,
            airborne,
            airborne0,
            tb if liquefied_gas else T,
            inventory,
            p,
            storage_pressure_Pa=max(psat, P_ATM) if liquefied_gas else P_ATM,
            aerosol_fraction=_aerosol(out),
            assumptions=assumptions,
        )

    area = math.pi * hole_d**2 / 4.0
    level = float(
        tank_geometry.level_from_volume(
            float(tank.fill_fraction) * tank_geometry.full_volume(shape, d, length),
            shape,
            d,
            length,
        )
    )
    if liquefied_gas and tank.storage == "pressurised" and hole_h >= level:
        mid = 0.5 * (T + tb)  # cp and h_fg held at their values midway to boiling
        out = source.vapour_space_release(
            inventory,
            area,
            T,
            vapour_pressure=sub.vapour_pressure,
            heat_capacity_J_kgK=float(sub.liquid_heat_capacity(mid)),
            heat_of_vaporisation_J_kg=float(sub.heat_of_vaporisation(mid)),
            molar_mass_kg_mol=sub.molar_mass_kg_mol,
            gamma=_gamma(sub, T),
            end_time_s=duration,
        )
        out = _stop_at(out, isolation_s)
        t, airborne = _sampled(out, duration)
        assumptions.append(
            f"hole at {hole_h:g} m above the liquid ({level:.2f} m): vapour only, the liquid "
            "boiling and cooling without heat from outside; no level swell"
        )
        return SourceTerm(
            asset,
            sub,
            "vapour through a hole above the liquid (choked gas, pressure falling as the "
            "liquid boils and cools)",
            out,
            t,
            airborne,
            0.0,
            T,
            inventory,
            jet_velocity_m_s=_sound_speed(sub, T),
            storage_pressure_Pa=psat,
            release_height_m=hole_h,
            assumptions=assumptions,
        )
    if hole_h >= level:
        raise ValueError(
            f"the hole at {hole_h:g} m is above the liquid level ({level:.2f} m) of {asset}"
        )
    if liquefied_gas and tank.storage == "pressurised":
        full = float(tank_geometry.liquid_volume(level, shape, d, length))
        below = float(tank_geometry.liquid_volume(hole_h, shape, d, length)) if hole_h > 0 else 0.0
        above_kg = inventory * (full - below) / full
        head_Pa = float(sub.liquid_density(T)) * source.G * (level - hole_h)
        out = _flashing(sub, above_kg, area, psat + head_Pa, T, psat)
        out = _stop_at(out, isolation_s)
        t, direct = _sampled(out, duration, 1.0 - out.rainout_fraction)
        p = pool_of(out, tb) if out.rainout_fraction > 0 else None
        evap = np.interp(t, p.times_s, p.evaporation_rate_kg_s) if p else 0.0
        if out.times_s[-1] < duration:
            assumptions.append(
                f"the liquid above the hole ({above_kg:,.0f} kg) is gone after "
                f"{out.times_s[-1]:.0f} s; the vapour that follows it is not computed"
            )
        return SourceTerm(
            asset,
            sub,
            "two-phase flashing jet (Fauske-Epstein ERM) with rainout pool",
            out,
            t,
            direct + evap,
            0.0,
            tb,
            inventory,
            p,
            jet_velocity_m_s=_sound_speed(sub, tb),
            storage_pressure_Pa=psat,
            release_height_m=hole_h,
            aerosol_fraction=_aerosol(out),
            jet_kg_s=direct if p is not None else None,
            assumptions=assumptions,
        )

    liquid_T = min(T, tb)
    rho = float(sub.liquid_density(liquid_T))
    out = source.liquid_tank_release(
        level,
        hole_h,
        area,
        rho,
        liquid_T,
        tank_shape=shape.replace("_", "-"),
        tank_diameter_m=d,
        tank_length_m=length,
    )
    out = _stop_at(out, isolation_s)
    p = pool_of(out, liquid_T)
    airborne = np.interp(times, p.times_s, p.evaporation_rate_kg_s)
    model = "liquid through a hole (falling head) into the dike; pool evaporation"
    model += " (boiling)" if p.boiling else " (Mackay-Matsugu mass transfer)"
    return SourceTerm(
        asset,
        sub,
        model,
        out,
        times,
        airborne,
        0.0,
        liquid_T,
        inventory,
        p,
        assumptions=assumptions,
    )


def _pipeline(park, asset, hole_d, rupture, duration, wind, air_T, isolation_s, hole_h=0.0):
    pipe = park.pipelines.loc[asset]
    sub = substances.lookup(pipe.cas)
    T, p_line, d = float(pipe.temperature_k), float(pipe.pressure_pa), float(pipe.diameter_m)
    if rupture:
        hole_d = d
    area = math.pi * hole_d**2 / 4.0
    bore = math.pi * d**2 / 4.0
    valves = sorted(pipe.valve_chainages_m) or [0.0, pipe.geometry.length]
    section = max(np.diff([0.0, *valves, pipe.geometry.length]).max(), 1.0)
    psat = float(sub.vapour_pressure(T))
    flow = float(pipe.flow_kg_s) if pipe.flow_kg_s == pipe.flow_kg_s else 0.0
    pumped_s = min(isolation_s, duration)
    assumptions = [
        f"leak in the longest section between isolation valves ({section:.0f} m)",
        f"the line's flow ({flow:g} kg/s) feeds the hole until isolation at {isolation_s:g} s",
    ]
    if rupture:
        assumptions.append("full bore from one side of the break, as a hole of the bore's area")
    if np.isfinite(psat) and P_ATM < psat <= p_line * 1.001:
        rho_l = float(sub.liquid_density(T))
        tb = sub.boiling_point_K
        section_kg = rho_l * bore * section
        out = source.liquefied_gas_line_release(
            section_kg,
            area,
            p_line,
            T,
            pumped_rate_kg_s=flow,
            isolation_s=pumped_s,
            saturation_pressure_Pa=psat,
            boiling_temperature_K=tb,
            liquid_density_kg_m3=rho_l,
            vapour_density_kg_m3=psat * sub.molar_mass_kg_mol / (substances.R_GAS * T),
            heat_capacity_J_kgK=float(sub.liquid_heat_capacity(T)),
            heat_of_vaporisation_J_kg=float(sub.heat_of_vaporisation(tb)),
        )
        t, direct = _sampled(out, duration, 1.0 - out.rainout_fraction)
        p = None
        if out.rainout_fraction > 0:
            p = _pool(
                sub,
                out.times_s,
                out.rate_kg_s * out.rainout_fraction,
                temperature_K=tb,
                bund_area=0.0,
                initial_kg=0.0,
                wind=wind,
                air_T=air_T,
                end=duration,
            )
            assumptions += [POOL_ASSUMPTION, "the rained-out liquid spreads on open ground"]
        evap = np.interp(t, p.times_s, p.evaporation_rate_kg_s) if p else 0.0
        return SourceTerm(
            asset,
            sub,
            "liquefied gas line: two-phase flashing jet (Fauske-Epstein ERM) with rainout pool",
            out,
            t,
            direct + evap,
            0.0,
            tb,
            section_kg + flow * pumped_s,
            p,
            jet_velocity_m_s=_sound_speed(sub, tb),
            storage_pressure_Pa=p_line,
            aerosol_fraction=_aerosol(out),
            jet_kg_s=direct if p is not None else None,
            assumptions=assumptions,
            release_height_m=hole_h,
        )
    gamma = _gamma(sub, T)
    out = source.gas_pipeline_leak(
        section,
        d,
        p_line,
        T,
        area,
        sub.molar_mass_kg_mol,
        gamma,
        feed_kg_s=flow,
        isolation_s=pumped_s,
        end_time_s=duration,
    )
    t, airborne = _sampled(out, duration)
    inventory = p_line * sub.molar_mass_kg_mol / (substances.R_GAS * T) * bore * section
    model = (
        "gas pipeline "
        + ("full-bore rupture" if rupture else "leak")
        + " (fed until isolation, then blowdown of the section)"
    )
    return SourceTerm(
        asset,
        sub,
        model,
        out,
        t,
        airborne,
        0.0,
        T,
        inventory + flow * pumped_s,
        jet_velocity_m_s=_sound_speed(sub, T),
        storage_pressure_Pa=p_line,
        assumptions=assumptions,
        release_height_m=hole_h,
    )


def cloud_density(term: SourceTerm) -> float:
    """Density of the airborne material at the source [kg/m3]: the vapour (ideal gas at
    the cloud temperature) with its liquid droplets, as a homogeneous mixture."""
    vapour = (
        P_ATM * term.substance.molar_mass_kg_mol / (substances.R_GAS * term.cloud_temperature_K)
    )
    if term.aerosol_fraction <= 0.0:
        return vapour
    liquid = float(term.substance.liquid_density(term.cloud_temperature_K))
    return 1.0 / ((1.0 - term.aerosol_fraction) / vapour + term.aerosol_fraction / liquid)


def ambient_air_density(air_temperature_K: float) -> float:
    return float(air_density(air_temperature_K))
