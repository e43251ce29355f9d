"""A real Dask cluster on this machine, started the way a user starts one on several
machines, and the peak memory of a run summed over its processes.

``real_cluster(n)`` runs ``dask scheduler`` (a free port, written to a scheduler file)
and ``n`` separate ``dask worker --nworkers 1 --nthreads 1`` processes (each with its
nanny, as a user starts them, with ``WORKER_ENV`` as the README says), waits until the
workers have joined, yields a ``Cluster`` (the scheduler's address ``tcp://127.0.0.1:PORT``
and the processor time its processes used so far) and stops them (by their process ids) at
the end.
``PeakMemory`` samples the resident memory of this process and all its descendants (local
worker processes, the cluster's scheduler and workers) every half second. Both need the
``cluster`` extra (dask[distributed], which brings psutil).
"""

import contextlib
import dataclasses
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

DASK = str(Path(sys.executable).parent / "dask")
PRELOAD = "scenarios.worker_preload"
START_TIMEOUT_S = 180.0
# The environment the README gives a worker: the nanny sets MALLOC_TRIM_THRESHOLD_, which pins
# glibc's mmap threshold at 128 kB (fresh pages, faulted in, for every larger array); this
# raises it to 32 MB again.
WORKER_ENV = {"MALLOC_MMAP_THRESHOLD_": "33554432"}


def _cpu_s(procs) -> float:
    """Processor time [s] (user and system) of running processes and their descendants."""
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    total += t.user + t.system
    return total


@dataclasses.dataclass
class Cluster:
    """A running cluster: its scheduler's address and its processes."""

    address: str
    scheduler: psutil.Process
    workers: list

    def cpu_s(self) -> tuple[float, float]:
        """Processor time [s] used so far by (the scheduler, the workers with their nannies)."""
        return _cpu_s([self.scheduler]), _cpu_s(self.workers)


@contextlib.contextmanager
def real_cluster(n_workers: int, worker_env: dict | None = None, preload: bool = True):
    """A scheduler with ``n_workers`` single-threaded worker processes (``Cluster``), the
    workers with ``worker_env`` (default ``WORKER_ENV``) added to this environment and, with
    ``preload``, the project imported as they start (``PRELOAD``, as the README starts them)."""
    from distributed import Client

    env = {**os.environ, **(WORKER_ENV if worker_env is None else worker_env)}
    with tempfile.TemporaryDirectory(prefix="parktwin-dask-") as folder:
        file = Path(folder) / "scheduler.json"
        log = open(Path(folder) / "cluster.log", "w")  # closed below
        common = ["--dashboard-address", ":0"]
        scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0"]
        procs = [
            subprocess.Popen(
                [*scheduler, "--scheduler-file", str(file), *common],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ]
        try:
            start = time.perf_counter()
            while not file.exists() or not file.stat().st_size:
                if time.perf_counter() - start > START_TIMEOUT_S:
                    raise RuntimeError("the Dask scheduler did not start")
                time.sleep(0.2)
            worker = [DASK, "worker", "--scheduler-file", str(file), "--nworkers", "1"]
            if preload:
                worker += ["--preload", PRELOAD]
            for _ in range(n_workers):
                procs.append(
                    subprocess.Popen(
                        [*worker, "--nthreads", "1", *common],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            with Client(scheduler_file=str(file), timeout="60s") as client:
                client.wait_for_workers(n_workers, timeout=START_TIMEOUT_S)
                address = client.scheduler.address
            yield Cluster(
                address, psutil.Process(procs[0].pid), [psutil.Process(p.pid) for p in procs[1:]]
            )
        finally:
            for proc in reversed(procs):
                proc.terminate()
            for proc in reversed(procs):
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            log.close()


class PeakMemory:
    """Largest sum of resident memory [bytes] of this process and its descendants, sampled
    every ``every_s`` seconds while the ``with`` block runs (``peak``)."""

    def __init__(self, every_s: float = 0.5):
        self.every_s, self.peak = every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _total(self) -> int:
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(self.every_s)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())
