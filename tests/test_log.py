"""The reading log: WAL mode, batched commits, order on read-back, thread safety.

Oracles are the rows written in each test; what is checked is what a second connection
(another process reading the file) sees, and when.
"""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from twin.log import (
    AlarmRow,
    ReadingLog,
    iter_readings,
    read_alarms,
    read_rejected,
    read_unstored,
)
from twin.readings import Reading


def count(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "log.sqlite"
    ReadingLog(path).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_rows_are_committed_per_batch_and_on_flush(tmp_path):
    path = tmp_path / "log.sqlite"
    log = ReadingLog(path, batch_size=3, flush_interval_s=3600)
    log.append(Reading(1.0, "A", 1.0))
    log.append(Reading(2.0, "A", 2.0))
    assert count(path, "readings") == 0  # buffered, not yet committed
    log.add_rejected("not_json", "{oops", 2.5)  # third row: the batch is full
    assert count(path, "readings") == 2
    assert count(path, "rejected") == 1
    log.add_alarm(3.0, "A", "high", "H", "raised", "A above 1.5 for 10 s")
    assert count(path, "alarms") == 0
    log.flush()
    assert count(path, "alarms") == 1
    log.close()


def test_interval_commits_on_the_next_write(tmp_path):
    path = tmp_path / "log.sqlite"
    log = ReadingLog(path, batch_size=1_000_000, flush_interval_s=0.0)
    log.append(Reading(1.0, "A", 1.0))
    assert count(path, "readings") == 1
    log.close()


def test_read_back_in_written_order_after_close(tmp_path):
    path = tmp_path / "log.sqlite"
    readings = [
        Reading(10.0 - i, f"T{i % 3}", i * 0.5, "good" if i % 2 else "bad") for i in range(7)
    ]
    with ReadingLog(path, batch_size=2) as log:
        log.extend(readings[:4])
        for r in readings[4:]:
            log.append(r)
        log.add_alarm(5.0, "T1", "high", "HH", "raised", "level 9.1 m > 9.0 m")
        log.add_alarm(6.0, "T1", "high", "HH", "acked", "by operator")
        log.add_rejected("future", '{"t": 1e12, "v": 1}', 7.0)
    # written order, not time order: a replay sees what the twin saw, as it saw it
    assert list(iter_readings(path, batch=3)) == readings
    assert read_alarms(path) == [
        AlarmRow(5.0, "T1", "high", "HH", "raised", "level 9.1 m > 9.0 m"),
        AlarmRow(6.0, "T1", "high", "HH", "acked", "by operator"),
    ]
    assert [(r.rule, r.raw) for r in read_rejected(path)] == [("future", '{"t": 1e12, "v": 1}')]


def test_reopening_appends_and_knows_the_last_times(tmp_path):
    path = tmp_path / "log.sqlite"
    with ReadingLog(path) as log:
        log.extend([Reading(1.0, "A", 1.0), Reading(5.0, "B", 1.0), Reading(3.0, "A", 1.0)])
    with ReadingLog(path) as log:
        assert log.last_times() == {"A": 3.0, "B": 5.0}
        log.append(Reading(4.0, "A", 2.0))
    assert [r.t for r in iter_readings(path)] == [1.0, 5.0, 3.0, 4.0]


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "log.sqlite"
    log = ReadingLog(path, batch_size=50)

    def write(tag):
        for i in range(2000):
            log.append(Reading(float(i), tag, float(i)))

    threads = [threading.Thread(target=write, args=(tag,)) for tag in "ABC"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    rows = list(iter_readings(path))
    assert len(rows) == 6000
    for tag in "ABC":  # each writer's rows keep its own order
        assert [r.t for r in rows if r.tag == tag] == [float(i) for i in range(2000)]


def test_missing_log_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no reading log"):
        list(iter_readings(tmp_path / "nope.sqlite"))


def test_rejected_payloads_are_cut_and_kept_within_a_budget(tmp_path):
    path = tmp_path / "log.sqlite"
    with ReadingLog(path, raw_max_bytes=100, rejected_budget_bytes=1_000) as log:
        for i in range(200):
            log.add_rejected("not_json", "é" * 1_000_000, float(i))  # 2 MB each
    stored = read_rejected(path)
    assert 0 < len(stored) < 200
    assert all(len(r.raw.encode()) <= 100 for r in stored)
    assert stored[0].raw == "é" * 50  # cut on a character boundary
    assert read_unstored(path) == {"not_json": 200 - len(stored)}
    assert path.stat().st_size < 200_000
    # Reopened, the log remembers what it spent.
    with ReadingLog(path, raw_max_bytes=100, rejected_budget_bytes=1_000) as log:
        log.add_rejected("too_large", "x", 1.0)
    assert read_unstored(path) == {"not_json": 200 - len(stored), "too_large": 1}


def test_recent_gives_the_last_readings_written_oldest_first(tmp_path):
    path = tmp_path / "log.sqlite"
    readings = [Reading(float(10 - i), "A", float(i)) for i in range(5)]
    with ReadingLog(path) as log:
        log.extend(readings)
    with ReadingLog(path) as log:
        assert log.recent(3) == readings[2:]
        assert log.recent(100) == readings


# The writer in a process of its own: it commits batches of readings (each reading's value
# is its index), says "acked N" once the flush that stored the first N has returned (what the
# MQTT feed waits for before it acknowledges), and on its last batch stops inside the
# transaction, after SQLite has spilled the batch's pages into the WAL file and before the
# COMMIT: the state a kill -9 (or a crash) mid-commit leaves on disk.
_WRITER = textwrap.dedent(
    """
    import sys, time
    from twin.log import ReadingLog
    from twin.readings import Reading

    path, start, batches, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

    class StopBeforeCommit:
        def __init__(self, con):
            self.con = con
        def executemany(self, *args):
            return self.con.executemany(*args)
        def execute(self, sql, *args):
            if sql == "COMMIT":
                print("in commit", flush=True)
                time.sleep(3600)
            return self.con.execute(sql, *args)

    log = ReadingLog(path, batch_size=10**9, flush_interval_s=3600)
    log._con.execute("PRAGMA cache_size=-512")  # 512 KiB: a large batch spills to the WAL
    n = start
    for b in range(batches + 1):
        log.extend(Reading(float(i), "AT-%d" % (i % 7), float(i)) for i in range(n, n + batch))
        if b == batches:
            log._con = StopBeforeCommit(log._con)
        log.flush()
        n += batch
        print("acked", n, flush=True)
    """
)


def _kill_writer_mid_commit(path, start, batches, batch):
    """Run the writer; kill it (SIGKILL) inside its last commit. Return what it acknowledged
    and how much the WAL file grew while the unacknowledged batch was being written."""
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(start), str(batches), str(batch)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acked = start
    wal = Path(f"{path}-wal")
    try:
        for line in writer.stdout:
            if line.startswith("acked"):
                acked = int(line.split()[1])
                wal_acked = wal.stat().st_size
            elif line.startswith("in commit"):
                grew = wal.stat().st_size - wal_acked
                writer.send_signal(signal.SIGKILL)
                break
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    return acked, grew


def test_a_kill_9_mid_commit_keeps_every_acknowledged_reading(tmp_path):
    """SQLite WAL durability against a process crash (sqlite.org/wal.html: a transaction
    is committed when its commit frame is in the WAL; frames after the last commit frame
    are ignored on recovery). Twice: the writer is killed mid-commit, the log is opened
    again (recovering the WAL), then appended to by a new writer killed mid-commit again.
    Oracle: the writer's own acknowledgements. What a power cut does depends on
    ``synchronous`` (see the module docstring) and cannot be produced here."""
    path = tmp_path / "log.sqlite"
    batch = 20_000
    acked, grew = _kill_writer_mid_commit(path, 0, 3, batch)
    assert acked == 3 * batch
    assert grew > 0  # the unacknowledged batch was partly on disk when the kill came
    acked, grew = _kill_writer_mid_commit(path, acked, 2, batch)
    assert acked == 5 * batch and grew > 0
    con = sqlite3.connect(path)  # opens: the WAL is recovered
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    # every acknowledged reading, once, in the order written; nothing of the killed batches
    assert [r.value for r in iter_readings(path)] == [float(i) for i in range(acked)]
    with ReadingLog(path) as log:  # and the feed can continue it
        assert log.recent(1) == [Reading(float(acked - 1), f"AT-{(acked - 1) % 7}", acked - 1.0)]


def test_the_log_syncs_every_commit_to_disk(tmp_path):
    """A power cut is not produced here, so the setting that survives one is checked:
    ``synchronous=FULL`` (2) in WAL mode syncs the WAL at each commit; with NORMAL (1) the
    last commits may roll back after a power loss (SQLite documentation, PRAGMA
    synchronous), and the feed acknowledges after the commit."""
    log = ReadingLog(tmp_path / "log.sqlite")
    try:
        assert log._con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert log._con.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        log.close()
