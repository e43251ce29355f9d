"""Recorded feeds: replay a CSV or Parquet file of readings, at full speed or paced.

File layouts, detected from the column names (matched case-insensitively):

- long: a time column plus ``tag`` and ``value`` and optionally ``quality`` and nothing
  else; one reading per row.
- wide: a time column plus one numeric column per tag; one row per instant. An empty cell
  (or NaN, which is how pandas writes a missing float to Parquet) means the tag was not
  sampled then: no reading, not a rejection. All wide readings are of good quality.

The time column is the one named ``time`` or ``timestamp``. Times are ISO-8601 strings or
timestamp columns that carry a UTC offset or time zone, or numbers of POSIX seconds. A file
whose times have no offset is refused with a ValueError naming the file and column: the
time zone of a plant export is not guessed (`twin.readings`).

The file is read once, whole, with pyarrow; rows are put in time order (stable, so rows of
one instant keep the file's order) and then pass the bad-message rules of
`twin.feeds.rules` that apply to a recording (``unknown_tag``, ``not_finite``, ``bad_time``,
``duplicate``; the first row of a duplicated tag and time is kept), checked on whole
columns at once. Quality strings and OPC UA codes are read by `twin.readings.parse_quality`.

Iterating the feed yields `twin.readings.Reading` in time order, as fast as possible when
``speedup`` is None, or paced so that file time runs ``speedup`` times faster than the wall
clock. Each iteration replays the file from the start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from twin.feeds.rules import LATEST_TIME_S, Gate, RejectSink
from twin.headcount import POSITION_PREFIX
from twin.readings import Reading, parse_quality, parse_time

TIME_COLUMNS = ("time", "timestamp")
LONG_COLUMNS = ("tag", "value", "quality")
# Sleeping for less than this costs more in timer overhead than it gains in pacing accuracy.
_MIN_SLEEP_S = 0.001


def _read_table(path: Path) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise ValueError(f"{path}: unknown recording format {suffix!r}; expected .csv or .parquet")
    kind = "CSV" if suffix == ".csv" else "Parquet"
    try:
        if kind == "CSV":
            import pyarrow.csv as pacsv

            # Only an empty cell is missing; "nan" stays a NaN value so the not_finite rule
            # sees it.
            convert = pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True)
            table = pacsv.read_csv(path, convert_options=convert)
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        names = table.column_names  # a name that is not UTF-8 fails here
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"{path}: cannot be read as {kind} ({first})") from None
    counts = {}
    for name in names:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    repeated = [n for n, c in counts.items() if c > 1]
    if repeated:
        raise ValueError(
            f"{path}: column {repeated[0]!r} appears {counts[repeated[0]]} times "
            "(names are matched case-insensitively); expected each column once"
        )
    return table


def _times(path: Path, name: str, column: pa.ChunkedArray) -> np.ndarray:
    """Return POSIX seconds UTC of a time column, refusing times without an offset."""
    kind = column.type
    if column.null_count:
        raise ValueError(f"{path}: column {name!r} has {column.null_count} empty times")
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            first = column[0].as_py()
            raise ValueError(
                f"{path}: column {name!r} has times without a UTC offset (first: {first}); "
                "write them with 'Z' or an offset such as '+08:00'"
            )
        ns = column.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()).to_numpy()
        # Whole seconds and fraction apart, so 0.25 s stays exactly 0.25 s after the epoch.
        return (ns // 10**9).astype(np.float64) + (ns % 10**9) / 1e9
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return column.to_numpy().astype(np.float64)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        out = np.empty(len(column))
        for i, text in enumerate(column.to_pylist()):
            try:
                out[i] = parse_time(text)
            except ValueError as exc:
                raise ValueError(f"{path}: column {name!r}, row {i + 1}: {exc}") from None
        return out
    raise ValueError(f"{path}: column {name!r} of type {kind} is not a time")


def _values(path: Path, name: str, column: pa.ChunkedArray) -> np.ndarray:
    """Return a numeric column as float64, empty cells as NaN."""
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        raise ValueError(f"{path}: column {name!r} of type {column.type} is not numeric")
    # Not a safe cast: an integer beyond 2**53 becomes the nearest float, not an error.
    return column.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)


def _qualities(path: Path, column: pa.ChunkedArray) -> np.ndarray:
    known: dict[object, str] = {}
    out = []
    for i, code in enumerate(column.to_pylist()):
        if code not in known:
            try:
                known[code] = parse_quality(code)
            except ValueError as exc:
                raise ValueError(f"{path}: column 'quality', row {i + 1}: {exc}") from None
        out.append(known[code])
    return np.array(out, dtype=object)


def _columns(path: Path, table: pa.Table):
    """Return (layout, t, tag, value, quality) arrays of a long or wide table."""
    names = {name.lower(): name for name in table.column_names}
    time_name = next((names[n] for n in TIME_COLUMNS if n in names), None)
    if time_name is None:
        raise ValueError(f"{path}: no time column; expected one named 'time' or 'timestamp'")
    t = _times(path, time_name, table.column(time_name))
    others = [n for n in table.column_names if n != time_name]
    lowered = {n.lower() for n in others}
    if {"tag", "value"} <= lowered and lowered <= set(LONG_COLUMNS):
        tag_col = table.column(names["tag"])
        if tag_col.null_count:
            raise ValueError(f"{path}: column 'tag' has {tag_col.null_count} empty cells")
        tag = np.array(tag_col.cast(pa.string()).to_pylist(), dtype=object)
        value = _values(path, names["value"], table.column(names["value"]))
        if "quality" in names:
            quality = _qualities(path, table.column(names["quality"]))
        else:
            quality = np.full(len(t), "good", dtype=object)
        return "long", t, tag, value, quality
    if not others:
        raise ValueError(f"{path}: no tag columns besides {time_name!r}")
    block = np.column_stack([_values(path, n, table.column(n)) for n in others])
    present = ~np.isnan(block)
    rows, cols = np.nonzero(present)  # row-major, so each instant keeps the column order
    tags = np.array(others, dtype=object)
    value = block[rows, cols]
    return "wide", t[rows], tags[cols], value, np.full(len(rows), "good", dtype=object)


class RecordedFeed:
    """A recording as a feed (see the module docstring).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file.
    speedup : float, optional
        File seconds per wall-clock second; None replays as fast as possible.
    known_tags : iterable of str, optional
        The tags the park knows; rows of other tags are rejected (``unknown_tag``).
    on_reject : callable, optional
        ``on_reject(rule, raw, t_receive)`` for every rejected row (e.g. a reading log's
        ``add_rejected``); ``raw`` is the row as JSON.
    """

    def __init__(
        self,
        path: str | Path,
        speedup: float | None = None,
        known_tags: Iterable[str] | None = None,
        on_reject: RejectSink | None = None,
    ):
        if speedup is not None and not speedup > 0:
            raise ValueError(f"speedup must be > 0, got {speedup}")
        self.path = Path(path)
        self.speedup = speedup
        self.gate = Gate(known_tags, on_reject, check_future=False)
        table = _read_table(self.path)
        try:
            self.layout, t, tag, value, quality = _columns(self.path, table)
        except (pa.ArrowException, UnicodeDecodeError) as err:
            # Pages that decoded as a table but hold bytes that are not their type's (a
            # damaged file): text that is not UTF-8, numbers that do not convert.
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(f"{self.path}: cannot be read ({first})") from None
        order = np.argsort(t, kind="stable")
        t, tag, value, quality = t[order], tag[order], value[order], quality[order]
        keep = self._apply_rules(t, tag, value, quality)
        self.t = t[keep]
        self.tag = tag[keep]
        self.value = value[keep]
        self.quality = quality[keep]

    def _apply_rules(self, t, tag, value, quality) -> np.ndarray:
        """Reject rows by whole-column checks; return the mask of rows kept."""
        rule = np.full(len(t), "", dtype=object)
        known = self.gate.known_tags
        if known is not None:
            badge = np.char.startswith(tag.astype(str), POSITION_PREFIX)
            rule[~np.isin(tag, list(known)) & ~badge] = "unknown_tag"
        rule[(rule == "") & ~np.isfinite(value)] = "not_finite"
        rule[(rule == "") & ~((t >= 0.0) & (t <= LATEST_TIME_S))] = "bad_time"
        if len(t):
            # Sort by (tag, time), stable, so the first row of a repeated pair is kept.
            codes = np.unique(tag, return_inverse=True)[1]
            by_tag = np.lexsort((t, codes))
            same = (codes[by_tag][1:] == codes[by_tag][:-1]) & (t[by_tag][1:] == t[by_tag][:-1])
            repeated = np.zeros(len(t), dtype=bool)
            repeated[by_tag[1:][same]] = True
            rule[(rule == "") & repeated] = "duplicate"
        now = time.time()
        for i in np.flatnonzero(rule != ""):
            raw = json.dumps(
                {"t": float(t[i]), "tag": tag[i], "v": float(value[i]), "q": quality[i]}
            )
            self.gate.reject(rule[i], raw, now)
        return rule == ""

    @property
    def rejected(self):
        """Rejected rows counted per rule (`twin.feeds.rules.RULES`)."""
        return self.gate.counts

    def __len__(self) -> int:
        return len(self.t)

    def __iter__(self) -> Iterator[Reading]:
        readings = map(
            Reading._make,
            zip(
                self.t.tolist(),
                self.tag.tolist(),
                self.value.tolist(),
                self.quality.tolist(),
                strict=True,
            ),
        )
        if self.speedup is None:
            return readings
        return self._paced(readings)

    def _paced(self, readings: Iterator[Reading]) -> Iterator[Reading]:
        start = time.monotonic()
        t0 = self.t[0] if len(self.t) else 0.0
        for reading in readings:
            delay = start + (reading.t - t0) / self.speedup - time.monotonic()
            if delay > _MIN_SLEEP_S:
                time.sleep(delay)
            yield reading

    def close(self) -> None:
        """Nothing to release: the file was read whole on opening."""
