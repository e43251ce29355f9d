"""The same QRA in this process, in local processes and on a local Dask cluster."""

import numpy as np
import pandas as pd
import pytest

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra import risk
from scenarios.qra.run import _in_order, run_qra


@pytest.fixture(scope="module")
def small():
    park = twin.load_park("demo")
    events = [e for e in cat.catalogue(park) if e.asset in ("NB-101", "P-C3H6-01")]
    climate = pd.DataFrame(
        {
            "period": ["day", "night"],
            "weather": ["D5", "F1.5"],
            "wind_from_deg": [45.0, 200.0],
            "probability": [0.5, 0.5],
        }
    )
    grid = risk.Grid.for_park(park, margin_m=200.0, cell_m=25.0)
    kw = dict(events=events, climate=climate, grid=grid, progress=False)
    return park, kw, run_qra(park, workers=0, **kw)


def _same(a, b):
    assert np.array_equal(a.individual_risk, b.individual_risk)
    pd.testing.assert_frame_equal(a.scenarios, b.scenarios)
    pd.testing.assert_frame_equal(a.fn, b.fn)


def test_local_processes_give_the_same_result(small):
    park, kw, reference = small
    assert reference.individual_risk.max() > 0
    _same(reference, run_qra(park, workers=2, **kw))


def test_dask_cluster_gives_the_same_result(small):
    distributed = pytest.importorskip("distributed")
    park, kw, reference = small
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as lc:
        with distributed.Client(lc) as client:
            _same(reference, run_qra(park, cluster=client, **kw))


def test_tasks_stream_in_order_with_a_bounded_window():
    """``_in_order`` hands back every task in order and never has more than the window
    submitted and not yet taken (results wait for those before them, bounded)."""
    out, taken = [], []

    def submit(task):
        out.append(task)
        assert len(out) - len(taken) <= 3
        return f"future {task}"

    for task, future in _in_order(submit, range(10), 3):
        assert future == f"future {task}"
        taken.append(task)
    assert taken == out == list(range(10))


def test_a_worker_started_as_the_readme_says_has_the_project_loaded_before_any_task():
    """README, "Running on a Dask cluster": ``dask worker ... --preload
    scenarios.worker_preload`` imports the project as the worker starts, so the first task
    does not wait for it (bench/dask_cluster.py starts its workers so)."""
    distributed = pytest.importorskip("distributed")
    from bench.dask_cluster import real_cluster

    def loaded():
        import sys

        return "scenarios.qra.run" in sys.modules and "scenarios.ensemble" in sys.modules

    with real_cluster(1) as cluster, distributed.Client(cluster.address) as client:
        assert list(client.run(loaded).values()) == [True]
    with real_cluster(1, preload=False) as cluster, distributed.Client(cluster.address) as c:
        assert list(c.run(loaded).values()) == [False]
