"""Is an alarm the process or the instrument? The checks a good engineer would make.

Each raised alarm is classed ``"process"`` or ``"instrument fault (likely)"`` by the rules
below, tried in this order; the first that fires decides, and every rule that fired is kept
as evidence. All look only at the tag's own recent readings and its asset's related tags,
over `PlausibilitySettings.lookback_s` before the alarm.

``bad_quality``
    A reading of the tag in the look-back was flagged bad or uncertain by the source
    (OPC UA StatusCode severity, `twin.readings`).
``out_of_range``
    The value lies beyond what a 4-20 mA transmitter can report as a measurement: NAMUR
    NE 43 keeps 3.8-20.5 mA for measured values (-1.25 % .. +103.125 % of the span) and
    reserves <= 3.6 mA and >= 21 mA for failure; a value outside the measuring band is a
    failure signal, not the process. (NE 43 levels as described by public summaries,
    e.g. instrumentationforum.com "What is NAMUR NE43?"; the recommendation itself was not
    at hand.)
``stuck``
    The signal flat-lined: at least ``stuck_min_readings`` consecutive identical values
    inside the measuring range (a live analog signal carries noise and never repeats
    exactly that long; a value at a range end is clipping, not freezing: at the top it is
    over range, `twin.transmitter`, and a process value).
``rate``
    A level rose faster than any inflow could fill the tank: over ``rate_window_s``, the
    rise exceeds the rise that the largest possible inflow would give (through the tank's
    geometry at the starting level), plus an allowance of ``rate_allowance_fraction`` of
    the span for noise. The largest inflow is the sum of the upper range ends of the flow
    meters on lines that fill the tank; a tank without a metered inflow line uses
    ``max_fill_rate_kg_s`` (by default the largest flow-meter range in the park: no
    transfer there is metered above it).
``disagreement``
    A high level the related tags do not back: the liquid mass the level implies rose by
    more than the metered net inflow (plus ``mass_tolerance_fraction`` of the inventory),
    while the tank's pressure and temperature stayed within their noise. A low level with
    unexplained loss is not classed here: it may be a leak (`twin.leak`).

The thresholds are parktwin's settings (documented, adjustable), not values from a
standard, except the NAMUR band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.readings import GOOD, format_time
from twin.state import Channel, ParkModel, TankModel
from twin.transmitter import measuring_band, over_range

PROCESS = "process"
INSTRUMENT = "instrument fault (likely)"
RULES = ("bad_quality", "out_of_range", "stuck", "rate", "disagreement")


@dataclass(frozen=True)
class PlausibilitySettings:
    """Thresholds of the rules (see the module docstring); times in s."""

    lookback_s: float = 1800.0
    stuck_min_readings: int = 30
    rate_window_s: float = 300.0
    rate_allowance_fraction: float = 0.01
    max_fill_rate_kg_s: float | None = None
    mass_tolerance_fraction: float = 0.01
    related_noise_factor: float = 4.0


@dataclass(frozen=True)
class Verdict:
    """How an alarm was classed: ``classification`` (`PROCESS` or `INSTRUMENT`), the
    ``rule`` that decided ("none" for process), its ``detail``, and all ``evidence``
    as (rule, detail) pairs."""

    classification: str
    rule: str
    detail: str
    evidence: tuple[tuple[str, str], ...] = ()


def bad_quality(ch: Channel, t: float, settings: PlausibilitySettings) -> str | None:
    """Detail if a reading in the look-back had bad or uncertain quality, else None."""
    bad = [r for r in ch.history if r[0] >= t - settings.lookback_s and r[3] != GOOD]
    if not bad:
        return None
    last = bad[-1]
    return (
        f"{len(bad)} reading(s) flagged {last[3]!r} by the source, last at {format_time(last[0])}"
    )


def out_of_range(ch: Channel, value: float) -> str | None:
    """Detail if ``value`` lies outside the NAMUR NE 43 measuring band of the tag."""
    low, high = measuring_band(ch.range_low, ch.range_high)
    if low <= value <= high:
        return None
    return (
        f"{value:.6g} {ch.unit} is outside the measuring band {low:.6g}..{high:.6g} {ch.unit} "
        f"(range {ch.range_low:g}..{ch.range_high:g}, NAMUR NE 43)"
    )


def stuck(ch: Channel, t: float, settings: PlausibilitySettings) -> str | None:
    """Detail of the longest run of identical in-range values in the look-back, if long."""
    times, values, _ = ch.window(t - settings.lookback_s)
    if values.size < settings.stuck_min_readings:
        return None
    change = np.flatnonzero(np.diff(values) != 0.0)
    starts = np.concatenate(([0], change + 1))
    ends = np.concatenate((change, [values.size - 1]))
    lengths = ends - starts + 1
    inside = (values[starts] > ch.range_low) & (values[starts] < ch.range_high)
    lengths = np.where(inside, lengths, 0)
    k = int(np.argmax(lengths))
    if lengths[k] < settings.stuck_min_readings:
        return None
    return (
        f"flat-lined at {values[starts[k]]:.6g} {ch.unit} for {lengths[k]} readings "
        f"({format_time(times[starts[k]])} to {format_time(times[ends[k]])})"
    )


def max_inflow_kg_s(tank: TankModel, model: ParkModel, settings: PlausibilitySettings) -> float:
    """The largest inflow [kg/s] that could fill ``tank`` (see the ``rate`` rule)."""
    if tank.inflows:
        return sum(m.si(m.range_high) for m in tank.inflows)
    if settings.max_fill_rate_kg_s is not None:
        return settings.max_fill_rate_kg_s
    meters = [ch.si(ch.range_high) for ch in model.channels.values() if ch.kind == "flow"]
    return max(meters) if meters else 0.0


def rate(
    ch: Channel, tank: TankModel, model: ParkModel, t: float, settings: PlausibilitySettings
) -> str | None:
    """Detail if the level rose faster than the largest inflow could raise it."""
    times, raw, _ = ch.window(t - settings.lookback_s)
    if times.size < 2:
        return None
    level = raw * ch.scale + ch.offset
    j = np.searchsorted(times, times - settings.rate_window_s, side="right") - 1
    ok = j >= 0
    if not ok.any():
        return None
    i = np.flatnonzero(ok)
    j = j[ok]
    dt = times[i] - times[j]
    rise = level[i] - level[j]
    temperature = model.tank_state(tank).temperature_k
    inflow_m3_s = max_inflow_kg_s(tank, model, settings) / tank.density(temperature)
    start = np.clip(level[j], 0.0, tank.height_m)
    possible = tank.level_of(tank.volume(start) + inflow_m3_s * dt) - start
    allowed = possible + settings.rate_allowance_fraction * ch.span * ch.scale
    excess = rise - allowed
    k = int(np.argmax(excess))
    if excess[k] <= 0:
        return None
    return (
        f"level rose {rise[k]:.3g} m in {dt[k]:.0f} s to {format_time(times[i[k]])}; the "
        f"largest inflow ({inflow_m3_s * 3600:.3g} m3/h) could raise it {possible[k]:.3g} m"
    )


def _change(ch: Channel | None, t0: float, t1: float, settings) -> tuple[float, float] | None:
    """(change of the mean over the first and last tenth of [t0, t1], noise bound) in SI."""
    if ch is None:
        return None
    times, raw, _ = ch.window(t0)
    if times.size < 4:
        return None
    edge = max((t1 - t0) / 10.0, 1e-9)
    first = raw[times <= t0 + edge]
    last = raw[times >= t1 - edge]
    if first.size == 0 or last.size == 0:
        return None
    delta = (last.mean() - first.mean()) * ch.scale
    # Noise from successive differences, so that a trend is not taken for noise.
    noise = settings.related_noise_factor * float(np.std(np.diff(raw))) / np.sqrt(2) * ch.scale
    return delta, noise


def _metered_net_inflow_kg(tank: TankModel, t0: float, t1: float) -> float:
    total = 0.0
    for sign, meters in ((1.0, tank.inflows), (-1.0, tank.outflows)):
        for m in meters:
            times, raw, _ = m.window(t0)
            keep = times <= t1
            if keep.sum() >= 2:
                total += sign * float(np.trapezoid(m.si(raw[keep]), times[keep]))
    return total


def disagreement(
    ch: Channel, tank: TankModel, model: ParkModel, t: float, settings: PlausibilitySettings
) -> str | None:
    """Detail if a level gain has no matching inflow and the related tags stayed flat."""
    t0 = t - settings.lookback_s
    times, raw, _ = ch.window(t0)
    if times.size < 4:
        return None
    t0 = float(times[0])
    edge = max((t - t0) / 10.0, 1e-9)
    state = model.tank_state(tank)
    level0 = ch.si(raw[times <= t0 + edge].mean())
    level1 = ch.si(raw[times >= t - edge].mean())
    rho = state.density_kg_m3
    gain = float(tank.volume(level1) - tank.volume(level0)) * rho
    metered = _metered_net_inflow_kg(tank, t0, t)
    tolerance = settings.mass_tolerance_fraction * tank.full_volume_m3 * rho
    if gain - metered <= tolerance:
        return None
    flat = []
    for related in (tank.pressure, tank.temperature):
        change = _change(related, t0, t, settings)
        if change is None:
            continue
        delta, noise = change
        if abs(delta) > noise:
            return None
        flat.append(f"{related.tag} changed {delta:.3g} (noise {noise:.3g})")
    related_text = "; ".join(flat) if flat else "no pressure or temperature tag"
    return (
        f"level implies +{gain / 1000:.3g} t over {(t - t0) / 60:.0f} min but metered net "
        f"inflow is {metered / 1000:.3g} t; {related_text}"
    )


def classify(
    alarm, ch: Channel, model: ParkModel, settings: PlausibilitySettings | None = None
) -> Verdict:
    """Class one alarm (a `twin.alarms.Alarm` of channel ``ch``) by the rules in order."""
    settings = settings or PlausibilitySettings()
    t = alarm.t_raised
    tank = model.tanks.get(ch.asset) if ch.kind == "level" else None
    checks = [
        ("bad_quality", lambda: bad_quality(ch, t, settings)),
        ("out_of_range", lambda: out_of_range(ch, alarm.value)),
        ("stuck", lambda: stuck(ch, t, settings)),
    ]
    if tank is not None:
        checks.append(("rate", lambda: rate(ch, tank, model, t, settings)))
        if alarm.level in ("H", "HH"):
            checks.append(("disagreement", lambda: disagreement(ch, tank, model, t, settings)))
    evidence = tuple((name, detail) for name, check in checks if (detail := check()))
    if not evidence:
        detail = "no plausibility rule fired"
        if over_range(alarm.value, ch.range_high):
            detail += (
                f"; the reading is over range: the process is at least {alarm.value:.6g} "
                f"{ch.unit} (top of the range, twin.transmitter)"
            )
        return Verdict(PROCESS, "none", detail, ())
    name, detail = evidence[0]
    return Verdict(INSTRUMENT, name, detail, evidence)
