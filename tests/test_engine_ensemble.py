"""Ensembles: the same seed gives the same members in one process, in local processes and
on a local Dask cluster; the draws follow the scenario's uncertainty."""

import numpy as np
import pandas as pd
import pytest

from scenarios import ensemble
from tests.engine_cases import scenario

SMALL = dict(
    scenario={"duration": "5 min"},
    release=[{"asset": "P-H2S-01", "hole": ["25 mm", "75 mm"], "chainage": "100 m"}],
    population={"headcounts": {"B-E05-WS": 10, "B-E04-WS": 10}, "premovement_median": "1 min"},
    response={
        "action": "evacuate",
        "decision_delay": "30 s",
        "warning_delay": "0 s",
        "block_level": "none",
    },
    detection={"reported": "30 s"},
    uncertainty={"wind_from_sd": "20 deg", "wind_speed_sd": 0.2},
)


def test_draws_depend_only_on_seed_and_index():
    sc = scenario(**SMALL)
    a, b = ensemble.draws(sc, 4, seed=11), ensemble.draws(sc, 6, seed=11)
    assert a == b[:4]
    assert ensemble.draws(sc, 4, seed=12) != a
    holes = np.array([d["hole_m"] for d in b])
    assert np.all((holes >= 0.025) & (holes <= 0.075))
    assert len({d["seed"] for d in b}) == 6


def test_local_processes_give_the_same_results_as_one_process():
    sc = scenario(**SMALL)
    one = ensemble.run_ensemble(sc, 3, seed=5, workers=1)
    local = ensemble.run_ensemble(sc, 3, seed=5, workers=2)
    pd.testing.assert_frame_equal(one, local)
    assert one["wind_from_offset_deg"].nunique() == 3
    table = ensemble.percentiles(one)
    assert list(table.columns) == ["p5", "p50", "p95"]


def test_a_local_dask_cluster_gives_the_same_results():
    """A scheduler and two workers (threads of this process, to keep the test short; the
    tasks still go through the scheduler as on a remote cluster)."""
    distributed = pytest.importorskip("distributed")
    sc = scenario(**SMALL)
    one = ensemble.run_ensemble(sc, 3, seed=5, workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = ensemble.run_ensemble(sc, 3, seed=5, cluster=client)
    pd.testing.assert_frame_equal(one, on_dask)


def test_bytes_per_member_covers_what_a_member_holds():
    """The memory check's figure (``BYTES_PER_MEMBER``) against what 5,000 members hold at
    once: their draws, futures, rows of key figures and the table (tracemalloc)."""
    import tracemalloc
    from concurrent.futures import Future

    sc = scenario()
    n = 5000
    figures = 25  # a member's row: its draws and the engine's key figures (23 in the demo)
    tracemalloc.start()
    try:
        ds = ensemble.draws(sc, n)
        futures = {Future(): k for k in range(n)}
        rows = [{**d, **{f"figure_{i}": float(i) for i in range(figures)}} for d in ds]
        table = pd.DataFrame(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(futures) == len(table) == n
    assert peak / n < ensemble.BYTES_PER_MEMBER


def test_ensemble_sizes_are_checked_before_anything_runs():
    with pytest.raises(ValueError, match="at least 1 member, got 0"):
        ensemble.check_size(0)
    with pytest.raises(
        ValueError, match=r"an ensemble of 1,000,000 members would need about 8\.2 GB"
    ):
        ensemble.check_size(10**6, available=10**9)
    ensemble.check_size(10**6, available=10**10)
