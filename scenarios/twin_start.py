"""Starting a scenario from the twin: a recording replayed through ``twin.Twin`` gives the
tanks' state at the scenario's start (level, so fill and inventory, and temperature) and
the weather station's wind over the run, sampled every minute.
"""

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import twin
from twin.feeds.recorded import RecordedFeed
from twin.leak import LeakSettings
from twin.state import Snapshot, WeatherState

SAMPLE_S = 60.0  # how often the recorded weather is read during the run


@dataclass
class TwinStart:
    """The twin at the scenario's start, and its weather over the run."""

    snapshot: Snapshot
    weather: list[tuple[float, WeatherState]]  # (s from the start, weather)


def recording_path(name: str, relative_to: str = "") -> Path:
    """ "demo" is the demo park's drill recording; other names are files (relative to the
    scenario file)."""
    if name == "demo":
        return twin.INCIDENT_DRILL
    path = Path(name)
    if not path.is_absolute() and relative_to:
        path = Path(relative_to).parent / path
    return path


def replay(park, recording: Path, start_epoch: float, duration_s: float) -> TwinStart:
    """Replay ``recording`` to the end of the run; snapshot the twin at the start and every
    ``SAMPLE_S`` after it (as long as the recording lasts).

    Raises
    ------
    ValueError
        The recording does not reach the scenario's start.
    """
    # only the tanks and the weather are taken from it: no source estimates
    tw = twin.Twin(park, leak_settings=LeakSettings(estimate_sources=False))
    marks = start_epoch + np.arange(0.0, duration_s + SAMPLE_S, SAMPLE_S)
    snaps: list[Snapshot] = []
    for reading in RecordedFeed(recording):
        while len(snaps) < len(marks) and reading[0] > marks[len(snaps)]:
            snaps.append(tw.snapshot(float(marks[len(snaps)])))
        if len(snaps) == len(marks):
            break
        tw.update(reading)
    if not snaps:
        raise ValueError(f"the recording {recording} ends before the scenario's start")
    weather = [
        (s.t - start_epoch, s.weather) for s in snaps if math.isfinite(s.weather.wind_speed_m_s)
    ]
    return TwinStart(snaps[0], weather)


def with_tank_state(park, snapshot: Snapshot):
    """A copy of ``park`` whose tanks hold the fill and temperature the twin measured
    (tanks without a level reading keep the layer's values)."""
    tanks = park.tanks.copy()
    for tid, state in snapshot.tanks.items():
        if tid in tanks.index and state.measured and math.isfinite(state.fill_fraction):
            tanks.loc[tid, "fill_fraction"] = state.fill_fraction
            if math.isfinite(state.temperature_k):
                tanks.loc[tid, "temperature_k"] = state.temperature_k
    return dataclasses.replace(park, layers={**park.layers, "tanks": tanks})
