"""A sensor reading: one value of one tag at one instant, and how times and qualities are read.

A `Reading` is a NamedTuple ``(t, tag, value, quality)``:

- ``t``: POSIX seconds in UTC, a float. A float keeps the per-reading cost of the hot path
  (feed -> state -> alarms -> log) to a tuple build and a few comparisons: the replay target
  is 200,000 readings per second on one core, about 5 microseconds per reading for
  everything, and a timezone-aware `datetime` per reading would spend a large share of that.
  Convert to an aware datetime only for display, with `to_datetime`.
- ``tag``: the sensor's tag as the park names it (a DCS tag, a detector id), a str.
- ``value``: a float, in the unit the sensors layer gives for the tag.
- ``quality``: one of the three strings ``"good"``, ``"uncertain"``, ``"bad"``
  (`QUALITIES`). These are the three severities of an OPC UA StatusCode; an integer
  StatusCode is mapped by its top two bits (00 good, 01 uncertain, 10 and 11 bad), see
  `parse_quality`. A reading of bad quality is still a reading: it is passed on, and the
  plausibility checks use the flag.

Times at the boundary (`parse_time`): an ISO-8601 string must carry its UTC offset
(``2024-05-01T08:00:00+08:00``, ``...Z``); a time without an offset is rejected, never
guessed, because a plant historian often exports local time and a silent guess would move
an incident by hours. A number is POSIX seconds (UTC by definition).

Reference for the StatusCode severity bits: OPC UA Part 4 (OPC 10000-4), 7.34 StatusCode,
and its severity table (bits 30-31), reference.opcfoundation.org.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import NamedTuple

GOOD = "good"
UNCERTAIN = "uncertain"
BAD = "bad"
QUALITIES = (GOOD, UNCERTAIN, BAD)

_SEVERITY = {0: GOOD, 1: UNCERTAIN, 2: BAD, 3: BAD}


class Reading(NamedTuple):
    """One value of one tag. ``t`` is POSIX seconds UTC [s]; see the module docstring."""

    t: float
    tag: str
    value: float
    quality: str = GOOD


def parse_time(value: str | float | int | datetime) -> float:
    """Return POSIX seconds UTC [s] from an ISO-8601 string with offset, a number or a datetime.

    Raises ValueError for a time without a UTC offset, an unparsable string or a non-finite
    number.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        t = float(value)
        if not math.isfinite(t):
            raise ValueError(f"not a finite time: {value!r}")
        return t
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"expected an ISO-8601 time with its UTC offset, e.g. 2026-11-24T02:00Z, "
                f"got {value!r}"
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"time without UTC offset: {value.isoformat()!r} (add Z or e.g. +08:00)"
            )
        return value.timestamp()
    raise ValueError(f"not a time: {value!r}")


def to_datetime(t: float) -> datetime:
    """Return the timezone-aware UTC datetime of POSIX seconds ``t`` [s]."""
    return datetime.fromtimestamp(t, UTC)


def format_time(t: float) -> str:
    """Return ``t`` [s] as ISO-8601 UTC with a ``Z`` suffix, microsecond resolution; a
    time no calendar date can name (NaN, or beyond year 1..9999) as ``"<t> s (not a
    date)"``, so that printing a bad time never raises."""
    try:
        return to_datetime(t).isoformat(timespec="microseconds").replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):
        return f"{t:g} s (not a date)"


def parse_quality(value: str | int | None) -> str:
    """Return ``"good"``, ``"uncertain"`` or ``"bad"`` for a quality string or StatusCode.

    None means good. Strings are matched case-insensitively; an integer, or a string of
    digits, is an OPC UA StatusCode (32-bit unsigned) mapped by its severity bits 30-31.
    Raises ValueError for anything else.
    """
    if value is None:
        return GOOD
    if isinstance(value, str):
        text = value.strip().lower()
        if text in QUALITIES:
            return text
        if not text.isdigit():
            raise ValueError(f"unknown quality {value!r}: expected one of {QUALITIES} or a code")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise ValueError(f"unknown quality {value!r}: expected one of {QUALITIES} or a code")
    return _SEVERITY[value >> 30]
