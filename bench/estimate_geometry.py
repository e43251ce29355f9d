"""The twin's source estimate when the leak is the cloud the forecast draws.

The twin (`twin.leak.estimate_source`) inverts the detectors' readings with a vapour point
source at the air's temperature 1 m above grade; the forecast (`scenarios.forecast`) then
draws the park's own model of the asset, the flashing jet from a hole at the bottom and the
pool it rains out (`scenarios.zones.Cloud`). This bench takes that second cloud as the
truth: for the demo park's ammonia bullet NB-101 it makes the source term of a hole, reads
the steady cloud (jet and pool, 600 s averages) at the park's ammonia detectors without
noise, and hands the readings to the twin's estimator with the errors the twin assumes
(`LeakSettings`: 30 % of the reading plus 1 % of the detector's span). It prints the
largest one-minute airborne rate of the hole (what the forecast matches an estimate to),
the estimate, the candidate chosen and their ratio, for a few winds and classes, and
whether any detector reaches its first alarm level (the twin estimates only then).

Beside the point source (the twin given no source geometry), it estimates with the forecast's
own clouds for every candidate and rate (`scenarios.source_geometry.forecast_releases`,
passed as `estimate_source(..., sources=...)`): once with the source term followed over the
detectors' window (as the truth here is), once over the forecast's hour (as the forecast
sizes its hole: the pool grows over the hour, so the jet's share of the largest one-minute
airborne rate is smaller).

Then the demo drill's own leak (`twin.recording`: 0.15 kg/s of NB-101 as the forecast's
clouds, the source term followed over the forecast's hour, 600 s plume) read noise-free in
the drill's mean wind (4 m/s from 5 deg, class C, 23 degC) and inverted with the point
source and with NB-101's and NB-102's forecast clouds, the source term followed over 1, 8,
10 and 60 min (the twin's `geometry_key` windows, then the recording's own): how much of the
drill replay's error is the window the twin's clouds are made for.

It measures how far apart the two models of one leak are; it is a report, not a test.
Run from the repository root: ``.venv/bin/python bench/estimate_geometry.py``.
"""

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenarios.release import source_term  # noqa: E402
from scenarios.source_geometry import (  # noqa: E402
    FORECAST_DURATION_S,
    TwinGeometry,
    forecast_releases,
)
from scenarios.zones import Cloud, Weather  # noqa: E402
from twin import load_park, recording  # noqa: E402
from twin.leak import RATE_NODES_KG_S, LeakSettings, estimate_source  # noqa: E402
from twin.state import ParkModel, gas_kg_m3  # noqa: E402

ASSET = "NB-101"
HOLES_M = (0.005, 0.01)
WINDS = ((4.0, "C"), (3.0, "D"), (1.5, "F"))
FROM_DEG = (5.0, 30.0, 300.0)  # the drill's wind, and two others
AIR_K = 293.15
WINDOW_S = 600.0


def main() -> int:
    park = load_park("demo")
    model = ParkModel.from_park(park)
    tank = model.tanks[ASSET]
    dets = [ch for ch in model.channels.values() if ch.cas == tank.cas and ch.tag.startswith("AT")]
    cands = [(tid, t.x, t.y) for tid, t in model.tanks.items() if t.cas == tank.cas]
    s = LeakSettings()
    per_unit = np.array([float(gas_kg_m3(1.0, ch.unit, ch.cas, AIR_K)) for ch in dets])
    alarm = np.array([ch.alarm_high if ch.alarm_high is not None else np.inf for ch in dets])
    floor = np.array(
        [s.floor_fraction * ch.span * float(gas_kg_m3(1.0, ch.unit, ch.cas, AIR_K)) for ch in dets]
    )
    ex = np.array([ch.x - tank.x for ch in dets])
    ey = np.array([ch.y - tank.y for ch in dets])
    print(__doc__.split("\n\n")[0])
    print(f"  {ASSET}, detectors {', '.join(ch.tag for ch in dets)}; candidates "
          f"{', '.join(c[0] for c in cands)}")  # fmt: skip
    print(
        "  estimated with: the point source (before); the forecast's clouds of the source "
        "term followed over the window (as the truth), and over the forecast's hour"
    )
    print(
        "  from  class  u m/s  hole mm   airborne kg/s   point source kg/s ratio"
        "    clouds, window kg/s ratio    clouds, 1 h kg/s ratio     alarm"
    )
    ratios, after, hour, alarmed = [], [], [], []
    clouds = {}
    for wind_from in FROM_DEG:
        theta = math.radians(wind_from)
        dx, dy = -math.sin(theta), -math.cos(theta)
        along, across = ex * dx + ey * dy, ex * dy - ey * dx
        for u, stability in WINDS:
            weather = Weather(u, wind_from, stability, AIR_K, averaging_time_s=WINDOW_S)
            for hole in HOLES_M:
                term = source_term(
                    park,
                    ASSET,
                    hole_diameter_m=hole,
                    duration_s=WINDOW_S,
                    wind_speed_m_s=u,
                    air_temperature_K=AIR_K,
                )
                truth = term.max_average_rate(60.0)
                cloud = Cloud(term, weather, x_max_m=2000.0, steady=True)
                conc = sum(
                    p.plume.concentration(along, across, np.array([ch.z for ch in dets]))
                    for p in cloud.parts
                )
                args = (
                    [ch.x for ch in dets],
                    [ch.y for ch in dets],
                    [ch.z for ch in dets],
                    conc,
                    s.relative_error * conc + floor,
                    np.zeros(len(dets), bool),
                    cands,
                )
                kw = dict(
                    cas=tank.cas,
                    wind_speed=u,
                    wind_from_deg=wind_from,
                    stability=stability,
                    air_temperature_k=AIR_K,
                    averaging_time_s=WINDOW_S,
                )
                est = estimate_source(*args, **kw)
                fits = []
                for followed in (WINDOW_S, FORECAST_DURATION_S):
                    for cand in cands:
                        if (cand[0], u, followed) not in clouds:
                            clouds[cand[0], u, followed] = forecast_releases(
                                park,
                                cand[0],
                                RATE_NODES_KG_S,
                                wind_speed_m_s=u,
                                air_temperature_K=AIR_K,
                                duration_s=followed,
                            )
                    sources = [clouds[c[0], u, followed] for c in cands]
                    fits.append(estimate_source(*args, sources=sources, **kw))
                ratio = est.rate_kg_s / truth
                ratios.append(ratio)
                after.append(fits[0].rate_kg_s / truth)
                hour.append(fits[1].rate_kg_s / truth)
                alarmed.append(bool(np.any(conc / per_unit >= alarm)))
                print(
                    f"  {wind_from:4.0f}  {stability:^5}  {u:5.1f}  {1e3 * hole:7.0f}   "
                    f"{truth:13.3f}   {est.rate_kg_s:9.3f} ({est.asset}) {ratio:7.2f}"
                    + "".join(
                        f"   {f.rate_kg_s:9.3f} ({f.asset}) {f.rate_kg_s / truth:7.2f}"
                        for f in fits
                    )
                    + f"   {'yes' if alarmed[-1] else 'no'}"
                )
    a = np.array(alarmed)
    for model, r in (
        ("point source", np.array(ratios)),
        ("forecast's clouds, source over the window", np.array(after)),
        ("forecast's clouds, source over 1 h", np.array(hour)),
    ):
        for label, sel in (("all cases", np.ones(r.size, bool)), ("cases with an alarm", a)):
            if sel.any():
                within = int(np.sum((r[sel] > 0.5) & (r[sel] < 2.0)))
                print(
                    f"  {model}, {label}: estimate / airborne rate "
                    f"{r[sel].min():.2f}-{r[sel].max():.2f}, within 2x in {within} of "
                    f"{int(sel.sum())}"
                )
    drill_mirror(park, model, cands)
    return 0


def drill_mirror(park, model, cands) -> None:
    """The drill's recorded plume (noise-free, its mean wind) inverted with either model."""
    air_c = float(np.mean(recording.AIR_TEMPERATURE_C))
    air_k = air_c + 273.15
    at = np.array([recording.LEAK_START_S + 1200.0])
    ppm = recording.gas_plumes(
        model, at, np.array([air_c]), np.array([recording.WIND_FROM_DEG]), TwinGeometry(park)
    )
    dets = [ch for ch in model.channels.values() if ch.tag in ppm]
    conc = np.array([ppm[ch.tag][0] * float(gas_kg_m3(1.0, ch.unit, ch.cas, air_k)) for ch in dets])
    s = LeakSettings()
    span = np.array([s.floor_fraction * ch.span * float(gas_kg_m3(1.0, ch.unit, ch.cas, air_k))
                     for ch in dets])  # fmt: skip
    two = [c for c in cands if c[0] in ("NB-101", "NB-102")]
    args = ([ch.x for ch in dets], [ch.y for ch in dets], [ch.z for ch in dets], conc,
            s.relative_error * conc + span, np.zeros(len(dets), bool), two)  # fmt: skip
    kw = dict(cas=dets[0].cas, wind_speed=recording.WIND_SPEED_M_S,
              wind_from_deg=recording.WIND_FROM_DEG, stability="C", air_temperature_k=air_k,
              averaging_time_s=recording.PLUME_AVERAGING_S)  # fmt: skip
    truth = recording.LEAK_RATE_KG_S
    print(
        f"  the drill's leak ({truth:g} kg/s, the forecast's clouds over 1 h) read "
        f"noise-free, {air_c:.1f} degC: estimate / true rate"
    )
    est = estimate_source(*args, **kw)
    print(f"    point source: {est.rate_kg_s / truth:.2f} ({est.asset})")
    for followed in (60.0, 480.0, 600.0, FORECAST_DURATION_S):
        sources = [
            forecast_releases(park, c[0], RATE_NODES_KG_S, wind_speed_m_s=recording.WIND_SPEED_M_S,
                              air_temperature_K=air_k, duration_s=followed)
            for c in two
        ]  # fmt: skip
        est = estimate_source(*args, sources=sources, **kw)
        print(
            f"    forecast's clouds, source over {followed / 60:.0f} min: "
            f"{est.rate_kg_s / truth:.2f} ({est.asset})"
        )


if __name__ == "__main__":
    sys.exit(main())
