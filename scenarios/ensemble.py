"""Ensembles: the same scenario run many times with its uncertain inputs sampled.

Each member draws, from its own seed, a wind direction offset (normal, ``wind_from_sd``), a
wind speed factor (lognormal, ``wind_speed_sd`` as the standard deviation of its log), a
hole size (log-uniform over the range the scenario gives) and the seed of its population
(pre-movement times and walking speeds). Member seeds come from
``numpy.random.SeedSequence(seed).spawn(n)``, so a member's inputs depend only on the
ensemble seed and its index: the same seed gives the same results in one process, in local
processes (the default) or on a Dask cluster (``cluster="tcp://host:8786"``, the optional
``dask[distributed]`` extra). Results come back as one row of key figures per member;
``percentiles`` says for each figure how many members its percentiles rest on.
"""

import functools
import math
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd

from scenarios import capacity
from scenarios.progress import Stages
from scenarios.scenario_file import Scenario

PERCENTILES = (5, 50, 95)
# Memory one member holds in this process while an ensemble runs [bytes]: its draws, its
# future, its row of key figures and its share of the table. Measured with tracemalloc at
# about 5.3 kB (tests/test_engine_ensemble.py, which keeps it honest) and rounded up.
BYTES_PER_MEMBER = 8192
# chemicals loads its tables lazily and not thread-safely: a process runs one member at a
# time (Dask workers with several threads wait for each other; use worker processes).
_ONE_AT_A_TIME = threading.Lock()
POLL_S = 0.2  # how often members done on a cluster are looked for [s]


def check_size(n: int, available: int | None = None) -> None:
    """Raise ValueError, before anything runs, for fewer than one member or for more members
    than the free memory holds (``available`` [bytes], default: what the machine has free)."""
    if n < 1:
        raise ValueError(f"an ensemble needs at least 1 member, got {n}")
    capacity.check_memory(n * BYTES_PER_MEMBER, f"an ensemble of {n:,} members", available)


def draws(scenario: Scenario, n: int, seed: int | None = None) -> list[dict]:
    """The sampled inputs of ``n`` members (see the module docstring)."""
    check_size(n)
    u = scenario.uncertainty
    root = np.random.SeedSequence(scenario.run.seed if seed is None else seed)
    out = []
    for child in root.spawn(n):
        rng = np.random.default_rng(child)
        d = {
            "seed": int(child.generate_state(1)[0]),
            "wind_from_offset_deg": float(rng.normal(0.0, u.wind_from_sd_deg)),
            "wind_speed_factor": float(math.exp(rng.normal(0.0, u.wind_speed_sd))),
        }
        holes = [r.hole_m for r in scenario.releases if r.hole_m is not None]
        if holes and holes[0][0] < holes[0][1]:
            lo, hi = holes[0]
            d["hole_m"] = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        out.append(d)
    return out


@functools.cache
def _park(name: str):
    import twin

    return twin.load_park(name)


def member(scenario: Scenario, draw: dict, action: str | None = None) -> dict:
    """Run one member; its key figures with its draws."""
    from scenarios.engine import run

    with _ONE_AT_A_TIME:  # no cloud frames: a member keeps only its key figures
        result = run(scenario, _park(scenario.run.park), action, draw, cloud_frames=False)
    return {**draw, **result.key_figures()}


def run_ensemble(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None = None,
    action: str | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``n`` members; one row per member (index ``member``), in member order.

    ``workers`` local processes (default: the machine's cores), or the Dask scheduler at
    ``cluster`` (an address such as "tcp://127.0.0.1:8786", or a ``distributed.Client``).
    ``progress`` shows the members done as they finish (``scenarios.progress``), wherever
    they run.
    """
    ds = draws(scenario, n, seed)
    rows = [None] * n
    with Stages("ensemble", enabled=progress) as stages:
        if cluster is not None:
            _on_dask(cluster, scenario, ds, action, rows, stages)
        elif workers == 1:
            stages.stage(f"{n:,} members in this process", total=n, unit="members")
            for k, d in enumerate(ds):
                rows[k] = member(scenario, d, action)
                stages.advance()
        else:
            workers = workers or os.cpu_count()
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(member, scenario, d, action): k for k, d in enumerate(ds)}
                stages.stage(f"{n:,} members, {workers} processes", total=n, unit="members")
                for f in as_completed(futures):
                    rows[futures[f]] = f.result()
                    stages.advance()
    return pd.DataFrame(rows).rename_axis("member")


def _on_dask(cluster, scenario, ds, action, rows, stages):
    """Members on the cluster, each row put in its place as it comes back (looked for every
    ``POLL_S``: a blocking wait on the cluster would not let Ctrl-C through)."""
    stages.stage(f"connecting to the Dask cluster {capacity.address_of(cluster)}")
    client = capacity.connect(cluster) if isinstance(cluster, str) else cluster
    try:
        threads = sum(client.nthreads().values())
        plural = "s" if threads != 1 else ""
        stages.stage(
            f"{len(ds):,} members on the cluster ({threads} worker thread{plural})",
            total=len(ds),
            unit="members",
        )
        shared = client.scatter(scenario, broadcast=True)
        pending = {
            client.submit(member, shared, d, action, pure=False): k for k, d in enumerate(ds)
        }
        while pending:
            done = [future for future in pending if future.done()]
            if not done:
                time.sleep(POLL_S)
            for future in done:
                rows[pending.pop(future)] = future.result()
                future.release()
                stages.advance()
    finally:
        if client is not cluster:
            client.close()


def percentiles(table: pd.DataFrame, q=PERCENTILES) -> pd.DataFrame:
    """Percentiles of every numeric key figure over the members that have it (rows: figures).

    A figure is NaN for a member where it did not happen (no alarm, nobody arrived, a zone
    never cleared): such members are left out of that figure's percentiles and counted in
    ``members`` (members with a value) against ``of`` (all members), so a percentile always
    says how many members it rests on. With no member left the percentiles are NaN: not
    computed.
    """
    numeric = table.select_dtypes("number").drop(columns="seed", errors="ignore")
    stats = numeric.quantile([p / 100 for p in q]).T.rename(columns=lambda p: f"p{round(p * 100)}")
    stats.insert(0, "members", numeric.notna().sum().astype(int))
    stats.insert(1, "of", len(numeric))
    return stats.rename_axis("figure")
