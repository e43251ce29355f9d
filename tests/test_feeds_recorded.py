"""Recorded feeds: long and wide layouts, CSV and Parquet, UTC handling, rules and pacing.

Oracles: expected POSIX times come from `calendar.timegm`, the standard library's closed
form for a UTC calendar time, independent of the ISO-8601 parsing under test; the OPC UA
StatusCode severities (top two bits: 00 good, 01 uncertain, 10 bad) are from OPC UA Part 4,
7.34 StatusCode (reference.opcfoundation.org).
"""

import calendar
import time
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose

from twin.feeds.recorded import RecordedFeed
from twin.readings import Reading, format_time, parse_quality, parse_time, to_datetime

T0 = calendar.timegm((2024, 5, 1, 0, 0, 0))  # 2024-05-01T00:00:00Z


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_long_csv_offsets_become_utc(tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        "time,tag,value,quality\n"
        "2024-05-01T08:00:00+08:00,T1.LT,1.5,good\n"
        "2024-05-01T00:00:01Z,T1.LT,1.75,BAD\n"
        "2024-05-01T00:00:02.250+00:00,T2.PT,101325,uncertain\n",
    )
    feed = RecordedFeed(path)
    assert feed.layout == "long"
    assert list(feed) == [
        Reading(T0, "T1.LT", 1.5, "good"),
        Reading(T0 + 1, "T1.LT", 1.75, "bad"),
        Reading(T0 + 2.25, "T2.PT", 101325.0, "uncertain"),
    ]


def test_wide_csv_skips_empty_cells_and_keeps_column_order(tmp_path):
    path = write(
        tmp_path,
        "wide.csv",
        "timestamp,B,A\n2024-05-01T00:00:00Z,2.0,1.0\n2024-05-01T00:00:01Z,,3.0\n",
    )
    feed = RecordedFeed(path)
    assert feed.layout == "wide"
    assert [(r.t - T0, r.tag, r.value) for r in feed] == [
        (0.0, "B", 2.0),
        (0.0, "A", 1.0),
        (1.0, "A", 3.0),
    ]
    assert sum(feed.rejected.values()) == 0


def test_long_parquet_with_zone_and_status_codes(tmp_path):
    times = [datetime(2024, 5, 1, 8, 0, s, tzinfo=timezone(timedelta(hours=8))) for s in (0, 1, 2)]
    table = pa.table(
        {
            "Time": pa.array(times, pa.timestamp("ms", tz="Asia/Shanghai")),
            "Tag": ["GD-01", "GD-01", "GD-01"],
            "Value": [0.0, 12.5, 30.0],
            "Quality": pa.array([0, 0x40000000, 0x80010000], pa.int64()),
        }
    )
    path = tmp_path / "long.parquet"
    pq.write_table(table, path)
    feed = RecordedFeed(path)
    assert feed.layout == "long"
    assert_allclose(feed.t, [T0, T0 + 1, T0 + 2])
    assert feed.quality.tolist() == ["good", "uncertain", "bad"]


def test_wide_parquet_epoch_seconds_and_nan_as_missing(tmp_path):
    table = pa.table(
        {"time": [T0 + 0.5, T0 + 1.5], "LT": [1.0, np.nan], "PT": [np.nan, 2.0]},
    )
    path = tmp_path / "wide.parquet"
    pq.write_table(table, path)
    feed = RecordedFeed(path)
    assert feed.layout == "wide"
    assert [tuple(r) for r in feed] == [
        (T0 + 0.5, "LT", 1.0, "good"),
        (T0 + 1.5, "PT", 2.0, "good"),
    ]


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_times_without_offset_are_refused(tmp_path, suffix):
    path = tmp_path / f"naive.{suffix}"
    if suffix == "csv":
        path.write_text("time,tag,value\n2024-05-01T08:00:00,T1,1.0\n")
    else:
        pq.write_table(pa.table({"time": [datetime(2024, 5, 1, 8)], "T1": [1.0]}), path)
    with pytest.raises(ValueError, match=r"naive\.\w+: column 'time' has times without a UTC"):
        RecordedFeed(path)


def test_mixed_offsets_in_one_column_are_parsed_per_row_and_naive_rows_refused(tmp_path):
    good = write(
        tmp_path,
        "mixed.csv",
        "time,tag,value\n2024-05-01T00:00:00Z,A,1\n2024-05-01T09:00:00+09:00,B,2\n",
    )
    assert_allclose(RecordedFeed(good).t, [T0, T0])
    bad = write(
        tmp_path, "bad.csv", "time,tag,value\n2024-05-01T00:00:00Z,A,1\n2024-05-01T00:00:01,A,2\n"
    )
    with pytest.raises(
        ValueError, match=r"bad\.csv: column 'time', row 2: time without UTC offset"
    ):
        RecordedFeed(bad)


def test_rows_are_put_in_time_order_stably(tmp_path):
    path = write(
        tmp_path,
        "grouped.csv",
        "time,tag,value\n"
        "2024-05-01T00:00:00Z,A,1\n2024-05-01T00:00:02Z,A,3\n"
        "2024-05-01T00:00:00Z,B,10\n2024-05-01T00:00:01Z,B,20\n",
    )
    assert [(r.t - T0, r.tag) for r in RecordedFeed(path)] == [
        (0.0, "A"),
        (0.0, "B"),
        (1.0, "B"),
        (2.0, "A"),
    ]


def test_bad_rows_are_rejected_counted_and_handed_on(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        "time,tag,value\n"
        "2024-05-01T00:00:00Z,A,1\n"
        "2024-05-01T00:00:00Z,A,99\n"  # duplicate of the row above: the first is kept
        "2024-05-01T00:00:01Z,GHOST,5\n"
        "2024-05-01T00:00:02Z,A,nan\n"
        "2024-05-01T00:00:03Z,A,inf\n"
        "2024-05-01T00:00:04Z,A,\n"
        "2024-05-01T00:00:05Z,A,2\n",
    )
    sink = []
    feed = RecordedFeed(path, known_tags={"A"}, on_reject=lambda *row: sink.append(row))
    assert [(r.t - T0, r.value) for r in feed] == [(0.0, 1.0), (5.0, 2.0)]
    assert feed.rejected == {"duplicate": 1, "unknown_tag": 1, "not_finite": 3}
    assert sorted(rule for rule, _, _ in sink) == sorted(
        ["duplicate", "unknown_tag", "not_finite", "not_finite", "not_finite"]
    )
    assert any('"v": 99.0' in raw for _, raw, _ in sink)


def test_speedup_paces_by_file_time(tmp_path):
    rows = "".join(f"2024-05-01T00:00:0{i}Z,A,{i}\n" for i in range(5))  # 4 s of file time
    path = write(tmp_path, "paced.csv", "time,tag,value\n" + rows)
    start = time.monotonic()
    assert len(list(RecordedFeed(path, speedup=20.0))) == 5
    elapsed = time.monotonic() - start
    assert 0.19 <= elapsed < 0.6  # 4 s / 20 = 0.2 s
    start = time.monotonic()
    list(RecordedFeed(path))
    assert time.monotonic() - start < 0.1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tag,value\nA,1\n", "no time column"),
        ("time,A\n2024-05-01T00:00:00Z,x\n", "column 'A' of type string is not numeric"),
        ("time,tag,value,quality\n2024-05-01T00:00:00Z,A,1,meh\n", "row 1: unknown quality"),
    ],
)
def test_bad_files_name_file_and_column(tmp_path, text, message):
    path = write(tmp_path, "f.csv", text)
    with pytest.raises(ValueError, match=message):
        RecordedFeed(path)


def test_parse_time_and_quality_rules():
    assert parse_time("2024-05-01T00:00:00Z") == T0
    assert parse_time(T0) == T0
    with pytest.raises(ValueError, match="without UTC offset"):
        parse_time("2024-05-01T00:00:00")
    assert to_datetime(T0) == datetime(2024, 5, 1, tzinfo=UTC)
    assert format_time(T0 + 0.25) == "2024-05-01T00:00:00.250000Z"
    assert [parse_quality(q) for q in (None, "Good", 0, "1073741824", 0x80000000, 0xC0000000)] == [
        "good",
        "good",
        "good",
        "uncertain",
        "bad",
        "bad",
    ]
    with pytest.raises(ValueError, match="unknown quality"):
        parse_quality(2**32)
