"""What a run will need, checked before it starts: memory against what the machine has free,
and a Dask cluster that answers.

A QRA grid too fine for the machine, or an ensemble too large, is refused with the figure
it would need, instead of failing with a MemoryError after minutes of work; an unreachable
cluster is refused in seconds, not after the first task.
"""

import os
from pathlib import Path

CLUSTER_TIMEOUT_S = 10.0
_MEMINFO = Path("/proc/meminfo")


def available_memory_bytes() -> int | None:
    """Memory the system can still give to a new process [bytes]: Linux's ``MemAvailable``,
    else the free physical pages (POSIX ``sysconf``); None where neither is known."""
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def gigabytes(n_bytes: float) -> str:
    """``n_bytes`` for people: "3.2 GB" (10^9 bytes)."""
    return f"{n_bytes / 1e9:,.1f} GB" if n_bytes >= 1e8 else f"{n_bytes / 1e6:,.0f} MB"


def check_memory(need_bytes: float, what: str, available: int | None = None) -> None:
    """Raise ValueError if ``what`` would need more than the free memory (``available``
    [bytes], default: `available_memory_bytes`)."""
    free = available_memory_bytes() if available is None else available
    if free is not None and need_bytes > free:
        raise ValueError(
            f"{what} would need about {gigabytes(need_bytes)} of memory, and "
            f"{gigabytes(free)} is free"
        )


def connect(address: str, timeout_s: float | None = None):
    """A ``distributed.Client`` of the Dask scheduler at ``address``; ValueError in one line
    if the optional extra is missing or no scheduler answers within ``timeout_s`` [s]
    (default `CLUSTER_TIMEOUT_S`)."""
    timeout_s = CLUSTER_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        from distributed import Client
    except ImportError:
        raise ValueError(
            'running on a Dask cluster needs the optional extra: pip install -e ".[cluster]"'
        ) from None
    try:
        return Client(address, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError, ValueError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(
            f"no Dask scheduler answered at {address} within {timeout_s:g} s ({reason})"
        ) from None


def address_of(cluster) -> str:
    """The scheduler's address of ``cluster``: an address as given, or a
    ``distributed.Client``'s."""
    return cluster if isinstance(cluster, str) else cluster.scheduler.address
