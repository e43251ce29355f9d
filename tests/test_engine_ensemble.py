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
    assert list(table.columns) == ["members", "of", "p5", "p50", "p95"]


def test_percentiles_say_how_many_members_they_rest_on():
    """Before: 18 of 20 members never alarmed and the first-alarm percentiles came from the
    other 2 without a word. Now each figure counts its members; none: NaN (not computed)."""
    table = pd.DataFrame(
        {
            "seed": [1, 2, 3, 4],
            "first_alarm_s": [np.nan, 70.0, np.nan, 90.0],
            "decision_s": [np.nan] * 4,
            "persons": [10, 10, 10, 10],
        }
    )
    stats = ensemble.percentiles(table)
    assert stats.loc["first_alarm_s", "members"] == 2
    assert stats.loc["first_alarm_s", "of"] == 4
    assert stats.loc["first_alarm_s", "p50"] == pytest.approx(80.0)  # of 70 and 90 only
    assert stats.loc["decision_s", "members"] == 0
    assert np.isnan(stats.loc["decision_s", ["p5", "p50", "p95"]].astype(float)).all()
    assert stats.loc["persons", "members"] == 4
    assert "seed" not in stats.index


def test_a_local_dask_cluster_gives_the_same_results(capsys):
    """A scheduler and two workers (threads of this process, to keep the test short; the
    tasks still go through the scheduler as on a remote cluster); the members done are
    shown as they come back (lines, as on a pipe)."""
    distributed = pytest.importorskip("distributed")
    sc = scenario(**SMALL)
    one = ensemble.run_ensemble(sc, 3, seed=5, workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = ensemble.run_ensemble(sc, 3, seed=5, cluster=client, progress=True)
        address = client.scheduler.address
    pd.testing.assert_frame_equal(one, on_dask)
    lines = capsys.readouterr().out
    assert f"connecting to the Dask cluster {address}" in lines
    assert "ensemble: 3 members on the cluster (2 worker threads)" in lines
    assert "ensemble: members 3/3 (100 %)" in lines


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


def test_a_member_without_cloud_frames_has_the_same_figures():
    """A member skips the map's cloud frames (``cloud_frames=False``): its key figures and
    timeline are those of the same run with them, and its ``cloud`` is empty."""
    from scenarios.engine import run

    sc = scenario(**SMALL)
    draw = ensemble.draws(sc, 1, seed=3)[0]
    full = run(sc, None, None, draw)
    lean = run(sc, None, None, draw, cloud_frames=False)
    assert full.cloud and not lean.cloud
    pd.testing.assert_frame_equal(full.timeline, lean.timeline)
    pd.testing.assert_frame_equal(full.persons, lean.persons)
    assert full.key_figures() == pytest.approx(lean.key_figures(), nan_ok=True)
    assert ensemble.member(sc, draw) == pytest.approx({**draw, **lean.key_figures()}, nan_ok=True)
