"""parktwin replay and parktwin live: the drill recording through the twin, forecasts
written when the leak is confirmed, and a live feed from a real broker into the log."""

import sqlite3
import subprocess
import sys
import time

import geopandas as gpd
import pyogrio
import pytest

from twin.demo import INCIDENT_DRILL
from twin.feeds.mqtt import publish_recording
from twin.readings import format_time


def cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay")
    done = cli("replay", str(INCIDENT_DRILL), "--out", str(out))
    return done, out


def test_replay_tells_the_faulty_transmitter_from_the_leak(replayed):
    done, _ = replayed
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("LT-PR102 H classified instrument fault" in line for line in lines)
    assert any("AT-NB02 AL1 classified process" in line for line in lines)
    assert any(line.startswith("LEAK NB-101") for line in lines)
    assert "forecast in" in done.stdout


def test_replay_writes_the_forecast_and_the_log(replayed):
    _, out = replayed
    folder = out / "forecast_NB-101"
    layers = {name for name, _ in pyogrio.list_layers(folder / "forecast.gpkg")}
    assert {"zones_10min", "zones_30min", "zones_60min"} <= layers
    zones = gpd.read_file(folder / "forecast.gpkg", layer="zones_60min")
    assert zones.crs.to_epsg() == 4326 and "AEGL-1" in set(zones.level)
    assert (folder / "forecast_map.html").exists() and (folder / "zones_10min.png").exists()
    with sqlite3.connect(out / "log.sqlite") as db:
        readings = db.execute("select count(*) from readings").fetchone()[0]
        leaks = db.execute("select count(*) from alarms where kind = 'leak'").fetchone()[0]
    assert readings == 112 * 720  # every reading of the drill is in the log
    assert leaks >= 1


def test_replay_of_a_malformed_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("this,is\nnot,a recording\n")
    done = cli("replay", str(bad), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "bad.csv" in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1


def test_live_follows_a_broker_into_the_log(mosquitto, tmp_path):
    out = tmp_path / "live"
    live = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "live",
            "--mqtt",
            f"127.0.0.1:{mosquitto.port}",
            "--out",
            str(out),
            "--duration",
            "8",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 20
    while not (out / "log.sqlite").exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)
    start = time.time() - 60
    rows = "".join(f"{format_time(start + i)},WS-01,{3.0 + 0.01 * i},good\n" for i in range(30))
    rows += "".join(f"{format_time(start + i)},WD-01,{45.0},good\n" for i in range(30))
    recording = tmp_path / "rec.csv"
    recording.write_text("time,tag,value,quality\n" + rows)
    assert publish_recording(recording, "127.0.0.1", mosquitto.port, park="demo") == 60
    stdout, stderr = live.communicate(timeout=60)
    assert live.returncode == 0, stderr
    with sqlite3.connect(out / "log.sqlite") as db:
        assert db.execute("select count(*) from readings").fetchone()[0] == 60
    assert "wrote" in stdout
