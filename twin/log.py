"""The reading log: every accepted reading, alarm and rejected message, in SQLite (WAL mode).

Tables (the rowid of each gives the order rows were written in):

- ``readings(t, tag, value, quality)``: accepted readings, `twin.readings.Reading` fields;
  ``t`` in POSIX seconds UTC.
- ``alarms(t, tag, kind, level, state, cause)``: one row per alarm event, written by the
  alarms module (``kind`` e.g. "high" or "gas", ``level`` e.g. "H"/"HH", ``state`` e.g.
  "raised"/"acked"/"cleared", ``cause`` free text).
- ``rejected(t_receive, rule, raw)``: messages refused by a feed, with the rule they broke
  (`twin.feeds.rules.RULES`) and the start of the raw payload.
- ``rejected_unstored(rule, count)``: rejected messages counted but not stored, per rule.

Rejected payloads are kept within a budget, so that whoever can publish cannot fill the
disk: each is cut to ``raw_max_bytes`` of UTF-8 (a reading is under 200 bytes; the start of
a bad payload is enough to see what it was), and once ``rejected_budget_bytes`` of them are
stored (rows and payloads, roughly) further rejections are only counted in
``rejected_unstored``. The budgets are design choices, not sourced figures.

A live feed that continues a log starts from its last readings (`ReadingLog.recent`), so
that it knows a redelivered message as a copy also after a restart.

Writes are buffered and committed as one transaction per batch: when ``batch_size`` rows wait,
when ``flush_interval_s`` has passed since the last commit (checked on every write), on
`ReadingLog.flush` and on `ReadingLog.close`. A row is kept once the flush that commits it
has returned: in WAL mode with ``synchronous=FULL`` the WAL is synced to disk at every commit,
so a committed transaction survives a crash of the process and also an OS crash or power
cut; with ``NORMAL`` the last commits may roll back after a power loss (SQLite
documentation, PRAGMA synchronous). The MQTT feed acknowledges a QoS 1 message only after
the flush that stored it, so no acknowledged message is lost with the process or the power.
The sync costs about 2 ms per commit on this project's test machine (1.3 -> 3.2 ms per
100 readings); commits are batched, so at 10,000 readings/s that is some 100 syncs a second.

`iter_readings` gives the readings back in the order they were written (the order the twin
saw them), so a replay of the log feeds the state and alarms exactly as live.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from twin.readings import Reading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (t REAL NOT NULL, tag TEXT NOT NULL,
    value REAL NOT NULL, quality TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarms (t REAL NOT NULL, tag TEXT NOT NULL, kind TEXT NOT NULL,
    level TEXT NOT NULL, state TEXT NOT NULL, cause TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejected (t_receive REAL NOT NULL, rule TEXT NOT NULL,
    raw TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejected_unstored (rule TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""
# Bytes a stored rejection costs besides its payload (time, rule, row and index overhead).
_ROW_BYTES = 40


class AlarmRow(NamedTuple):
    """One row of the alarms table; ``t`` in POSIX seconds UTC [s]."""

    t: float
    tag: str
    kind: str
    level: str
    state: str
    cause: str


class RejectedRow(NamedTuple):
    """One row of the rejected table; ``t_receive`` in POSIX seconds UTC [s]."""

    t_receive: float
    rule: str
    raw: str


class ReadingLog:
    """Buffered, thread-safe writer of the reading log at ``path`` (created if missing).

    Parameters
    ----------
    path : str or Path
        The SQLite file.
    batch_size : int
        Rows buffered before a commit.
    flush_interval_s : float
        Longest time a written row waits for its commit while writes go on. [s]
    raw_max_bytes : int
        Longest stored rejected payload (UTF-8 bytes); longer ones are cut. [B]
    rejected_budget_bytes : int
        Stored rejections (rows and payloads) beyond which rejections are only counted;
        the count of rejections already in the file is taken into account on reopening. [B]
    """

    def __init__(
        self,
        path: str | Path,
        batch_size: int = 10_000,
        flush_interval_s: float = 1.0,
        raw_max_bytes: int = 256,
        rejected_budget_bytes: int = 10_000_000,
    ):
        self.path = Path(path)
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.raw_max_bytes = raw_max_bytes
        self.rejected_budget_bytes = rejected_budget_bytes
        # The MQTT network thread and the twin's loop both write; one lock guards all.
        self._lock = threading.Lock()
        self._con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.executescript(_SCHEMA)
        self._readings: list[Reading] = []
        self._alarms: list[AlarmRow] = []
        self._rejected: list[RejectedRow] = []
        self._unstored: Counter[str] = Counter()
        self._pending = 0
        self._last_flush = time.monotonic()
        self.rejected_bytes = self._con.execute(
            f"SELECT coalesce(sum(length(CAST(raw AS BLOB)) + {_ROW_BYTES}), 0) FROM rejected"
        ).fetchone()[0]

    def append(self, reading: Reading) -> None:
        """Buffer one accepted reading."""
        with self._lock:
            self._readings.append(reading)
            self._after_write(1)

    def extend(self, readings: Iterable[Reading]) -> None:
        """Buffer many accepted readings."""
        with self._lock:
            before = len(self._readings)
            self._readings.extend(readings)
            self._after_write(len(self._readings) - before)

    def add_alarm(self, t: float, tag: str, kind: str, level: str, state: str, cause: str) -> None:
        """Buffer one alarm event (see the module docstring for the fields)."""
        with self._lock:
            self._alarms.append(AlarmRow(t, tag, kind, level, state, cause))
            self._after_write(1)

    def add_rejected(self, rule: str, raw: str, t_receive: float) -> None:
        """Buffer one rejected message, its payload cut to ``raw_max_bytes``, or only count
        it once the budget is spent; the signature of a `twin.feeds.rules.Gate` sink."""
        data = raw.encode("utf-8", errors="replace")
        if len(data) > self.raw_max_bytes:
            data = data[: self.raw_max_bytes]
            raw = data.decode("utf-8", errors="ignore")
        with self._lock:
            cost = len(data) + _ROW_BYTES
            if self.rejected_bytes + cost > self.rejected_budget_bytes:
                self._unstored[rule] += 1
            else:
                self.rejected_bytes += cost
                self._rejected.append(RejectedRow(t_receive, rule, raw))
            self._after_write(1)

    def _after_write(self, n: int) -> None:
        self._pending += n
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._last_flush >= self.flush_interval_s
        ):
            self._commit()

    def _commit(self) -> None:
        con = self._con
        con.execute("BEGIN")
        try:
            con.executemany("INSERT INTO readings VALUES (?, ?, ?, ?)", self._readings)
            con.executemany("INSERT INTO alarms VALUES (?, ?, ?, ?, ?, ?)", self._alarms)
            con.executemany("INSERT INTO rejected VALUES (?, ?, ?)", self._rejected)
            con.executemany(
                "INSERT INTO rejected_unstored VALUES (?, ?) "
                "ON CONFLICT (rule) DO UPDATE SET count = count + excluded.count",
                self._unstored.items(),
            )
            con.execute("COMMIT")
        except BaseException:
            # Keep the rows buffered and the connection usable for the next attempt.
            con.execute("ROLLBACK")
            raise
        self._readings.clear()
        self._alarms.clear()
        self._rejected.clear()
        self._unstored.clear()
        self._pending = 0
        self._last_flush = time.monotonic()

    def last_times(self) -> dict[str, float]:
        """Return the latest committed reading time of each tag [s]."""
        with self._lock:
            rows = self._con.execute("SELECT tag, max(t) FROM readings GROUP BY tag").fetchall()
        return dict(rows)

    def recent(self, n: int) -> list[Reading]:
        """Return the last ``n`` readings written (committed), oldest first."""
        with self._lock:
            rows = self._con.execute(
                "SELECT t, tag, value, quality FROM readings ORDER BY rowid DESC LIMIT ?", (n,)
            ).fetchall()
        return [Reading._make(row) for row in reversed(rows)]

    def flush(self) -> None:
        """Commit everything buffered; on return it is in the file."""
        with self._lock:
            if self._pending:
                self._commit()

    def close(self) -> None:
        """Flush and close the file."""
        self.flush()
        with self._lock:
            self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _connect_read_only(path: str | Path) -> sqlite3.Connection:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no reading log")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def iter_readings(path: str | Path, batch: int = 10_000) -> Iterator[Reading]:
    """Yield the logged readings in the order they were written."""
    con = _connect_read_only(path)
    try:
        cursor = con.execute("SELECT t, tag, value, quality FROM readings ORDER BY rowid")
        while rows := cursor.fetchmany(batch):
            yield from map(Reading._make, rows)
    finally:
        con.close()


def read_alarms(path: str | Path) -> list[AlarmRow]:
    """Return the logged alarm events in the order they were written."""
    con = _connect_read_only(path)
    try:
        rows = con.execute("SELECT * FROM alarms ORDER BY rowid").fetchall()
    finally:
        con.close()
    return [AlarmRow._make(row) for row in rows]


def read_unstored(path: str | Path) -> dict[str, int]:
    """Return the rejected messages counted but not stored (over budget), per rule."""
    con = _connect_read_only(path)
    try:
        rows = con.execute("SELECT rule, count FROM rejected_unstored").fetchall()
    finally:
        con.close()
    return dict(rows)


def read_rejected(path: str | Path) -> list[RejectedRow]:
    """Return the logged rejected messages in the order they were written."""
    con = _connect_read_only(path)
    try:
        rows = con.execute("SELECT * FROM rejected ORDER BY rowid").fetchall()
    finally:
        con.close()
    return [RejectedRow._make(row) for row in rows]
