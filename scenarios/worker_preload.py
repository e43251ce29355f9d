"""Preload for a Dask worker: ``dask worker ... --preload scenarios.worker_preload``.

Imports what a QRA task and an ensemble member run (the project and its libraries: numpy,
scipy, pandas, geopandas, shapely, the chemical property tables' code) when the worker
starts, instead of when its first task arrives, so a run on workers started for it does
not wait for every worker's imports before its first task (README, "Running on a Dask
cluster").
"""

import scenarios.ensemble
import scenarios.qra.run  # noqa: F401
