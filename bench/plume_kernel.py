"""Throughput of the Gaussian plume kernel on one core (receptor points per second).

Evaluates ``physics.dispersion.plume_concentration`` on a 2000 x 2000 receptor grid
(4 million points) for a ground-level and an elevated source, takes the best of several
repeats timed with ``time.perf_counter``, and compares with the 20 million points/s target
of issue 3. Thread pools are limited to one thread before numpy is imported so the figure
is a single-core one.

Run from the repository root: ``.venv/bin/python bench/plume_kernel.py``.
"""

import math
import os
import sys
import time
from pathlib import Path

# Before numpy is imported: its thread pools read these once.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from physics.dispersion import plume_concentration  # noqa: E402

TARGET_POINTS_PER_S = 20e6
REPEATS = 7
GRID_SIDE = 2000  # receptors per side
CELL_M = 2.5  # receptor spacing [m]


def best_throughput(x, y, z, **release) -> float:
    """Best points/s over REPEATS calls."""
    best = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        plume_concentration(x, y, z, **release)
        best = min(best, time.perf_counter() - start)
    return x.size / best


def main() -> int:
    side = (np.arange(GRID_SIDE) - GRID_SIDE / 2) * CELL_M
    x, y = np.meshgrid(side, side)
    common = dict(rate=2.0, wind_speed=3.0, wind_from_deg=45.0, stability="D")
    cases = {
        "ground source, ground receptors (z = 0)": (0.0, dict(release_height=0.0)),
        "elevated source H = 20 m, receptors at z = 1.5 m": (1.5, dict(release_height=20.0)),
        "elevated source, per-point receptor heights": (
            np.random.default_rng(0).uniform(0.0, 30.0, x.shape),
            dict(release_height=20.0, terrain="urban"),
        ),
    }
    print(f"plume kernel, {x.size:,} receptors, best of {REPEATS}, one thread")
    worst = math.inf
    for name, (z, extra) in cases.items():
        rate = best_throughput(x, y, z, **common, **extra)
        worst = min(worst, rate)
        print(f"  {name:<50s} {rate / 1e6:7.1f} million points/s")
    verdict = "meets" if worst >= TARGET_POINTS_PER_S else "MISSES"
    print(f"slowest case {worst / 1e6:.1f} million points/s: {verdict} the 20 million target")
    return 0 if worst >= TARGET_POINTS_PER_S else 1


if __name__ == "__main__":
    sys.exit(main())
