"""Generate the demo park's drill recording: a SIMULATED incident, not measured data.

``python -m scenarios.drill_recording`` rebuilds ``twin/demo/incident_drill.csv`` (seeded,
so the same file every time): two hours of readings of all 112 sensors of the demo park
every 10 s and a simulated headcount of every building every minute, long format
(``time, tag, value, quality``; ISO-8601 UTC times with ``Z``), in each tag's unit from the
sensors layer. It is a drill recording made up for training and tests:
every value comes from the models below, none from a plant.

What happens (times from `START`, 2024-05-24 01:00 UTC = 09:00 China Standard Time):

- Normal operation throughout: tank levels follow their metered transfers (NH-101 feeds
  P-NH3-01 at 3 kg/s, PR-101 feeds P-C3H6-01 at 4 kg/s, CL-101 feeds P-CL2-01 at
  1.5 kg/s, from the pipelines layer), pressures are the liquid's vapour pressure at the
  tank temperature, the weather station sees a 4 m/s wind from about 5 deg (north) and
  hazy-sky solar radiation of 600 W/m2 times the sine of the sun's elevation (Pasquill
  class C by the SRDT table all along).
- A failing level transmitter, `FAULTY_TAG` on PR-102: it freezes at 00:15 (the same value
  repeated for 20 min), then from 00:35 drifts upward at 0.24 m/min through the high
  (10.54 m) and high-high (11.16 m) limits, with spikes to and beyond the top of its range
  later on. Pressure, temperature and flows of PR-102 do not change: a false alarm.
- A real leak, `LEAK_ASSET` (the ammonia bullet NB-101) loses `LEAK_RATE_KG_S` of liquid
  ammonia from `LEAK_START_S` (01:10) to the end. Its level falls as the lost mass
  through the tank's geometry says, and the ammonia detectors read the leak's clouds as
  the twin's forecast draws them (`leak_releases`, handed in as ``source_geometry``:
  ``scenarios.source_geometry.TwinGeometry``, which twin/ may not import; rebuild with
  ``python -m scenarios.drill_recording``): the park's source model of NB-101 through the
  hole whose largest one-minute airborne rate is `LEAK_RATE_KG_S`, the source term followed
  over `SOURCE_FOLLOWED_S` (the forecast's hour), steady: a flashing two-phase jet from the
  hole and the evaporation of the pool it rains out (its largest area over that hour, from
  the leak's first second), each marched by the park's one dispersion model,
  `physics.integral_plume` (Briggs rural sigmas, the park's roughness), in the true,
  slowly meandering wind. So the recording tests the twin's live estimate, which inverts
  the same clouds, under noise and meander; it does not test that the model is right for
  a cold, flashing ammonia jet. The Briggs (like the Pasquill-Gifford) sigma_y is the
  spread of a concentration averaged over about 10 min, and it holds the meander of the
  plume's axis within that time (Gifford 1959: the mean plume's spread is the spread of
  the plume about its own centreline plus that of the centreline's meander). So a 10-s
  reading is the plume about its own centreline, the 600-s plume less the recording's
  meander within 600 s (`relative_averaging_time_s`: 468 s on the model's sampling-time
  law), along the true wind of that moment; a window's mean of the readings then spreads
  as the 600-s plume in the window's mean wind, which is what the twin fits. Until this
  was seen, each reading was the whole 600-s plume moved with the meander, which counted
  the meander twice: the window means on the plume's flanks (AT-NB02, AT-NH01, AT-NH02)
  were 1.08-1.88 times the 600-s plume in the window's mean wind, and are 0.83-1.27 times
  it now (noise-free, the 10-min windows ending every minute from 10 min after the leak's
  start; AT-NH03, near the axis, 0.97-1.00 and 0.99-1.01; what is left is the meander's
  spread within a window, which varies with its phase). The wind vane reads the true wind
  of the moment (with its noise), so the twin sees the whole meander in the wind's
  readings.

  References: Gifford, F. (1959). Statistical properties of a fluctuating plume dispersion
  model. Advances in Geophysics 6, 117-137. Turner, D.B. (1994). Workbook of Atmospheric
  Dispersion Estimates, 2nd ed., Lewis Publishers.

- A headcount stream, SIMULATED as the rest: ``headcount/<building id>`` for every building
  every minute (`twin.headcount`), from the design day occupancy of the buildings layer
  (09:00-11:00 local is day). Before the evacuation each building holds its occupants
  less those out of it at that minute (each inside with probability `PRESENT_FRACTION`, a
  choice for a plausible drill). The drill's story (``scenarios/demo/drill_nb101.toml``)
  then evacuates the park: the order comes when the first ammonia detector of this
  recording reaches its first alarm level, plus that file's detector response (30 s),
  decision delay (3 min) and warning delay (1 min); the warning reaches each building at a
  uniform time over its 3-min spread, and each occupant leaves after a lognormal
  pre-movement time (median 3 min, sigma 0.6, as its ``[population]``). The people go to
  the assembly points (the scenario's default destination), which the headcount
  convention does not count, so there are no gate counts. The counts use their own random
  stream, so the sensors' values do not depend on them.

Noise (Gaussian, seeded): level 2 mm (rounded to 1 mm), pressure 1 kPa, temperature
0.05 K, flow 1 %, wind speed 0.3 m/s, wind direction 3 deg, solar radiation 10 W/m2; gas
detectors 10 % of the reading plus a baseline of |N(0, 0.2 % of span)|, clipped to their
range. Noise magnitudes are choices for a plausible drill, not instrument specifications.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from physics import integral_plume, sigmas, substances
from physics.meteorology import sun_elevation_deg
from twin.readings import parse_time
from twin.state import ParkModel, gas_kg_m3

START = "2024-05-24T01:00:00Z"
DURATION_S = 7200.0
STEP_S = 10.0
SEED = 20240524
OUTPUT = Path(__file__).with_name("demo") / "incident_drill.csv"

WIND_SPEED_M_S = 4.0
WIND_FROM_DEG = 5.0
# Slow meander of the true wind direction: amplitude [deg] and period [s].
MEANDER_DEG = 3.0
MEANDER_PERIOD_S = 900.0
# The averaging time of the Briggs curves the gas readings' plume starts from [s], and the
# distance at which its angular spread is taken [m] (`relative_averaging_time_s`).
PLUME_AVERAGING_S = 600.0
PLUME_REFERENCE_M = 100.0
AIR_TEMPERATURE_C = (22.0, 24.0)  # at the start and the end
SOLAR_PEAK_W_M2 = 600.0

FAULTY_TAG = "LT-PR102"
STUCK_FROM_S, DRIFT_FROM_S = 900.0, 2100.0
DRIFT_M_PER_S = 0.004
DRIFT_TOP_M = 11.8
SPIKES_FROM_S, SPIKE_EVERY_S = 3600.0, 300.0
SPIKE_VALUES_M = (12.4, 13.5)  # the range top, and beyond it

LEAK_ASSET = "NB-101"
LEAK_RATE_KG_S = 0.15
LEAK_START_S = 4200.0
# The time the leak's source term is followed [s]: the forecast's longest horizon
# (``scenarios.source_geometry.FORECAST_DURATION_S``), as the forecast draws a leak.
SOURCE_FOLLOWED_S = 3600.0

# The headcount stream (simulated): every building's count every HEADCOUNT_STEP_S. The
# evacuation follows the drill's scenario file (scenarios/demo/drill_nb101.toml): the first
# alarm, a detector response of 30 s, a decision after 3 min, the warning 1 min later
# reaching the buildings over 3 min, and each occupant leaving after a lognormal
# pre-movement time of median 3 min (sigma 0.6).
HEADCOUNT_STEP_S = 60.0
PRESENT_FRACTION = 0.97  # occupants inside their building at a given minute (drill choice)
DETECTOR_RESPONSE_S = 30.0
DECISION_DELAY_S = 180.0
WARNING_DELAY_S = 60.0
WARNING_SPREAD_S = 180.0
PREMOVEMENT_MEDIAN_S = 180.0
PREMOVEMENT_SIGMA = 0.6

_NOISE = {
    "level": 0.002,
    "pressure": 1.0,
    "temperature": 0.05,
    "wind_speed": 0.3,
    "wind_direction": 3.0,
    "solar_radiation": 10.0,
    "air_temperature": 0.05,
}
_DECIMALS = {
    "level": 3,
    "pressure": 1,
    "temperature": 2,
    "flow": 3,
    "gas_toxic": 1,
    "gas_combustible": 1,
    "wind_speed": 2,
    "wind_direction": 1,
    "air_temperature": 2,
    "solar_radiation": 1,
}


def _tank_levels(model: ParkModel, elapsed: np.ndarray, flows: dict[str, float]) -> dict:
    """True level [m] of every tank over time from its transfers and the leak."""
    levels = {}
    for tid, tank in model.tanks.items():
        rho = tank.density(tank.temperature_k)
        mass0 = tank.fill_fraction * tank.full_volume_m3 * rho
        out = sum(flows.get(m.asset, 0.0) for m in tank.outflows)
        inflow = sum(flows.get(m.asset, 0.0) for m in tank.inflows)
        mass = mass0 + (inflow - out) * elapsed
        if tid == LEAK_ASSET:
            mass -= LEAK_RATE_KG_S * np.clip(elapsed - LEAK_START_S, 0.0, None)
        levels[tid] = np.asarray(tank.level_of(mass / rho))
    return levels


def _faulty(values: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
    """The failing transmitter: frozen, then drifting up, then spiking."""
    out = values.copy()
    frozen = elapsed >= STUCK_FROM_S
    stuck_value = values[np.argmax(frozen)]
    out[frozen] = stuck_value
    drifting = elapsed >= DRIFT_FROM_S
    out[drifting] = np.minimum(
        stuck_value + DRIFT_M_PER_S * (elapsed[drifting] - DRIFT_FROM_S), DRIFT_TOP_M
    ) + (values[drifting] - values[drifting].mean())
    spikes = (elapsed >= SPIKES_FROM_S) & (np.mod(elapsed - SPIKES_FROM_S, SPIKE_EVERY_S) < STEP_S)
    idx = np.flatnonzero(spikes)
    out[idx] = np.array(SPIKE_VALUES_M)[np.arange(idx.size) % len(SPIKE_VALUES_M)]
    return out


def _wind_from_deg(elapsed):
    """The true wind direction at ``elapsed`` seconds from `START` (FROM, clockwise from
    north) [deg]: `WIND_FROM_DEG` with the slow meander."""
    return WIND_FROM_DEG + MEANDER_DEG * np.sin(2 * np.pi * np.asarray(elapsed) / MEANDER_PERIOD_S)


def meander_variance_rad2() -> float:
    """Variance of the true wind direction within a `PLUME_AVERAGING_S` window, averaged
    over the meander's phase [rad2]: for ``A sin(2 pi t / P)`` over a window ``T`` it is
    ``A**2 / 2 * (1 - sinc(pi T / P)**2)`` (the mean square less the square of the mean)."""
    arg = np.pi * PLUME_AVERAGING_S / MEANDER_PERIOD_S
    return np.radians(MEANDER_DEG) ** 2 / 2 * (1 - (np.sin(arg) / arg) ** 2)


def relative_averaging_time_s() -> float:
    """Averaging time whose plume is the 600-s plume less the meander within it [s].

    Gifford (1959): the spread of the plume averaged over a time is the spread of the
    plume about its own centreline plus that of the centreline's meander over the time,
    ``sigma_y(600 s)**2 = sigma_rel**2 + (x sigma_m)**2``, with sigma_m the meander's
    angular spread (`meander_variance_rad2`). With the sampling-time law the model uses,
    ``sigma_y(t) = sigma_y(600 s) (t / 600 s)**0.2`` (`physics.sigmas`), sigma_rel is the
    plume of ``600 s (1 - sigma_m**2 / sigma_theta**2)**2.5``, sigma_theta = sigma_y / x
    from the Briggs class C curve at `PLUME_REFERENCE_M` (it changes by 1 % between 0 and
    300 m, where the detectors are)."""
    sigma_y, _ = sigmas.briggs_sigmas(PLUME_REFERENCE_M, "C")
    theta2 = float(sigma_y / PLUME_REFERENCE_M) ** 2
    exponent = 1 / (2 * sigmas.AVERAGING_TIME_EXPONENT)
    return PLUME_AVERAGING_S * (1 - meander_variance_rad2() / theta2) ** exponent


def source_air_temperature_K() -> float:
    """The air temperature the leak's source term is made in [K]: the mean of the
    recording's air over the leak (its air warms linearly from `AIR_TEMPERATURE_C`)."""
    t0, t1 = AIR_TEMPERATURE_C
    at = (np.array([LEAK_START_S, DURATION_S - STEP_S]) / (DURATION_S - STEP_S)) * (t1 - t0) + t0
    return float(at.mean()) + 273.15


def leak_releases(source_geometry) -> integral_plume.Release:
    """The drill leak's clouds, as the forecast draws them: ``source_geometry`` (the
    twin's, ``scenarios.source_geometry.TwinGeometry``) of `LEAK_ASSET` at
    `LEAK_RATE_KG_S` (its largest one-minute airborne rate), in the wind of `WIND_SPEED_M_S`
    and the air of `source_air_temperature_K`, the source term followed over
    `SOURCE_FOLLOWED_S`, steady: one row per cloud (the jet and its rainout pool's
    evaporation), whose concentrations add."""
    made = source_geometry(
        LEAK_ASSET,
        np.array([LEAK_RATE_KG_S]),
        WIND_SPEED_M_S,
        source_air_temperature_K(),
        SOURCE_FOLLOWED_S,
    )
    if made is None:
        raise ValueError(f"{LEAK_ASSET}: the source geometry gives no clouds")
    return made[1]


def gas_plumes(
    model, elapsed, air_c, axis_deg, source_geometry, averaging_time_s=PLUME_AVERAGING_S
):
    """The leak's ammonia at each ammonia detector, noise-free, in the detector's unit:
    ``{tag: values at elapsed}`` (0 before `LEAK_START_S`), from the clouds of
    `leak_releases` (``source_geometry``). ``air_c`` [degC] and ``axis_deg`` (the direction
    the wind comes FROM along which the plume lies) [deg] are given at ``elapsed`` [s];
    each cloud is marched in its step's air and averaged over ``averaging_time_s`` [s]."""
    leak = model.tanks[LEAK_ASSET]
    ammonia = [ch for ch in model.channels.values() if ch.cas == leak.cas]
    plume = {ch.tag: np.zeros(len(elapsed)) for ch in ammonia}
    steps = np.flatnonzero(np.asarray(elapsed) >= LEAK_START_S)
    if steps.size == 0:
        return plume
    air_k = np.asarray(air_c)[steps] + 273.15
    source = leak_releases(source_geometry)
    k = np.size(source.rate_kg_s)
    # every cloud in every leaking step's own air, step-major, marched together
    release = integral_plume.Release(
        **{
            f.name: np.tile(np.ravel(getattr(source, f.name)).astype(float), steps.size)
            if np.size(getattr(source, f.name)) == k
            else np.full(k * steps.size, float(getattr(source, f.name)))
            for f in dataclasses.fields(integral_plume.Release)
        }
    )
    cloud = integral_plume.integral_plume(
        release,
        integral_plume.Ambient(
            WIND_SPEED_M_S,
            "C",
            model.roughness_m,
            np.repeat(air_k, k),
            averaging_time_s=averaging_time_s,
        ),
        x_max_m=1000.0,
    )
    theta = np.radians(np.asarray(axis_deg)[steps])[:, None]
    ex = np.array([ch.x for ch in ammonia])[None, :] - leak.x
    ey = np.array([ch.y for ch in ammonia])[None, :] - leak.y
    along = -ex * np.sin(theta) - ey * np.cos(theta)
    across = -ey * np.sin(theta) + ex * np.cos(theta)
    z = np.broadcast_to(np.array([ch.z for ch in ammonia])[None, :], along.shape)
    c = cloud.at(np.repeat(along, k, axis=0), np.repeat(across, k, axis=0), np.repeat(z, k, axis=0))
    c = c.reshape(steps.size, k, len(ammonia)).sum(axis=1)
    for j, ch in enumerate(ammonia):
        plume[ch.tag][steps] = c[:, j] / gas_kg_m3(1.0, ch.unit, ch.cas, air_k)
    return plume


def generate(park, source_geometry) -> pa.Table:
    """The recording as a long-format table (see the module docstring); the leak's clouds
    come from ``source_geometry`` (`leak_releases`)."""
    rng = np.random.default_rng(SEED)
    model = ParkModel.from_park(park)
    t0 = parse_time(START)
    elapsed = np.arange(0.0, DURATION_S, STEP_S)
    t = t0 + elapsed
    n = elapsed.size
    flows = {pid: float(row["flow_kg_s"]) for pid, row in park.pipelines.iterrows()}
    levels = _tank_levels(model, elapsed, flows)

    wind_true = _wind_from_deg(elapsed)
    air_c = np.linspace(*AIR_TEMPERATURE_C, n)
    elevation = sun_elevation_deg(model.longitude_deg, model.latitude_deg, t)
    solar = SOLAR_PEAK_W_M2 * np.sin(np.radians(np.clip(elevation, 0.0, None)))

    leak = model.tanks[LEAK_ASSET]
    # Each reading: the plume about its own centreline, along the wind of that moment;
    # the meander then spreads the window means as the 600-s plume (module docstring).
    plume = gas_plumes(
        model, elapsed, air_c, wind_true, source_geometry, relative_averaging_time_s()
    )

    columns = {"step": [], "tag": [], "value": []}
    first_alarm = np.inf
    for tag, ch in model.channels.items():
        kind = ch.kind
        tank = model.tanks.get(ch.asset)
        if kind == "level":
            v = levels[ch.asset] / ch.scale + rng.normal(0, _NOISE["level"], n) / ch.scale
            if tag == FAULTY_TAG:
                v = _faulty(v, elapsed)
        elif kind == "pressure":
            pv = float(substances.lookup(tank.cas).vapour_pressure(tank.temperature_k))
            v = (pv - ch.offset) / ch.scale + rng.normal(0, _NOISE["pressure"], n)
        elif kind == "temperature":
            v = tank.temperature_k - 273.15 + rng.normal(0, _NOISE["temperature"], n)
        elif kind == "flow":
            v = flows[ch.asset] * (1 + rng.normal(0, 0.01, n)) / ch.scale
        elif kind in ("gas_toxic", "gas_combustible"):
            base = np.abs(rng.normal(0, 0.002 * ch.span, n))
            signal = plume.get(tag, np.zeros(n)) * (1 + rng.normal(0, 0.1, n))
            v = np.clip(signal + base, ch.range_low, ch.range_high)
            if ch.cas == leak.cas and ch.alarm_high is not None:
                alarmed = elapsed[v >= ch.alarm_high]
                first_alarm = min(first_alarm, alarmed.min(initial=np.inf))
        elif kind == "wind_speed":
            v = WIND_SPEED_M_S + rng.normal(0, _NOISE["wind_speed"], n)
        elif kind == "wind_direction":
            v = np.mod(wind_true + rng.normal(0, _NOISE["wind_direction"], n), 360.0)
        elif kind == "air_temperature":
            v = air_c + rng.normal(0, _NOISE["air_temperature"], n)
        elif kind == "solar_radiation":
            v = np.clip(solar + rng.normal(0, _NOISE["solar_radiation"], n), 0.0, None)
        else:
            raise ValueError(f"{tag}: no generator for sensor kind {kind!r}")
        columns["step"].append(elapsed)
        columns["tag"].append(np.full(n, tag, dtype=object))
        columns["value"].append(np.round(v, _DECIMALS[kind]))
    for tag, counts in _headcounts(park, first_alarm).items():
        columns["step"].append(np.arange(counts.size) * HEADCOUNT_STEP_S)
        columns["tag"].append(np.full(counts.size, tag, dtype=object))
        columns["value"].append(counts.astype(float))
    elapsed_all = np.concatenate(columns["step"])
    order = np.argsort(elapsed_all, kind="stable")
    stamps = (t0 + elapsed_all[order]).astype("int64").astype("datetime64[s]").astype(str)
    return pa.table(
        {
            "time": np.char.add(stamps, "Z").astype(object),
            "tag": np.concatenate(columns["tag"])[order],
            "value": np.concatenate(columns["value"])[order],
            "quality": np.full(order.size, "good", dtype=object),
        }
    )


def _headcounts(park, first_alarm_s: float) -> dict[str, np.ndarray]:
    """Simulated people counts per building every `HEADCOUNT_STEP_S` (see the module
    docstring): ``headcount/<building id>`` -> counts from `START`."""
    rng = np.random.default_rng([SEED, 1])  # its own stream: the sensors' values stay put
    steps = np.arange(0.0, DURATION_S, HEADCOUNT_STEP_S)
    order_s = first_alarm_s + DETECTOR_RESPONSE_S + DECISION_DELAY_S + WARNING_DELAY_S
    out = {}
    for bid, occupants in park.buildings["occupants_day"].items():
        design = int(occupants)
        warned = order_s + rng.uniform(0.0, WARNING_SPREAD_S)
        leave = warned + rng.lognormal(np.log(PREMOVEMENT_MEDIAN_S), PREMOVEMENT_SIGMA, design)
        present = rng.binomial(design, PRESENT_FRACTION, steps.size)
        # of those present, the ones who have not left yet (each occupant is equally likely
        # to be among them)
        staying = (leave[None, :] > steps[:, None]).sum(axis=1)
        out[f"headcount/{bid}"] = np.round(present * staying / max(design, 1)).astype(int)
    return out


def write(source_geometry, path: str | Path = OUTPUT, park=None) -> Path:
    """Generate the recording for the demo park (or ``park``) and write it as CSV; the
    leak's clouds come from ``source_geometry`` (`leak_releases`)."""
    if park is None:
        from twin.park import load_park

        park = load_park("demo")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No quotes: no field holds a comma, and the file is a third smaller.
    pacsv.write_csv(generate(park, source_geometry), path, pacsv.WriteOptions(quoting_style="none"))
    return path
