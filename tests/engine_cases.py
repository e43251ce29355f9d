"""Small scenarios of the demo park for the engine tests (a few buildings, short runs)."""

import copy

import twin
from scenarios import scenario_file

_PARK = None


def park():
    global _PARK
    if _PARK is None:
        _PARK = twin.load_park("demo")
    return _PARK


BASE = {
    "scenario": {
        "name": "test",
        "park": "demo",
        "start": "2026-01-15T02:00:00Z",
        "duration": "10 min",
        "seed": 7,
        "step": "10 s",
    },
    "weather": {
        "wind_speed": "2 m/s",
        "wind_from": "270 deg",
        "stability": "D",
        "air_temperature": "10 degC",
    },
    "release": [{"asset": "NH-101", "hole": "50 mm", "height": "0.5 m"}],
    "detection": {"response_time": "30 s"},
    "response": {
        "decision_delay": "1 min",
        "warning_delay": "1 min",
        "action": "shelter",
        "block_level": "none",
    },
    "population": {
        # upwind (west) and downwind (east) of NH-101 at (1117, 354) from the park's corner
        "headcounts": {"B-E01-WS": 20, "B-E07-CR": 10, "B-E02-WS": 20, "B-E08-OF": 10},
        "premovement_median": "2 min",
    },
}


def scenario(**sections):
    """BASE with sections updated (a section's dict merged into BASE's)."""
    data = copy.deepcopy(BASE)
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name].update(value)
        else:
            data[name] = value
    return scenario_file.parse(data, "test.toml")
