"""parktwin replay and parktwin live: the drill recording through the twin, forecasts
written when the leak is confirmed, and a live feed from a real broker into the log."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from conftest import free_port

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
    # the drill's simulated headcounts reach the twin: the park is empty at the end
    assert "headcounts at 2024-05-24T02:59:50" in done.stdout
    assert "0 people in 36 counted building(s)" in done.stdout
    assert "LT-PR102 out of range flagged" in done.stdout


def test_replay_writes_the_forecast_and_the_log(replayed):
    _, out = replayed
    folder = out / "forecast_NB-101"
    layers = {name for name, _ in pyogrio.list_layers(folder / "forecast.gpkg")}
    assert {"zones_10min", "zones_30min", "zones_60min"} <= layers
    zones = gpd.read_file(folder / "forecast.gpkg", layer="zones_60min")
    assert zones.crs.to_epsg() == 4326 and "AEGL-1" in set(zones.level)
    assert (folder / "forecast_map.html").exists() and (folder / "zones_10min.png").exists()
    # the plan inside the forecast's zones: roads cross the ammonia zones, and the replay
    # names each of the last horizon's in a "plan:" line
    plan = pd.read_csv(folder / "plan.csv")
    assert "road" in set(plan["kind"]) and {10, 30, 60} >= set(plan["minutes"])
    last = plan[plan["minutes"] == plan["minutes"].max()]
    for kind, ident in set(zip(last["kind"], last["id"], strict=True)):
        assert f"plan: {kind} {ident} " in replayed[0].stdout
    with sqlite3.connect(out / "log.sqlite") as db:
        readings = db.execute("select count(*) from readings").fetchone()[0]
        leaks = db.execute("select count(*) from alarms where kind = 'leak'").fetchone()[0]
    # every reading of the drill is in the log: 112 sensors every 10 s, 36 headcounts a minute
    assert readings == 112 * 720 + 36 * 120
    assert leaks >= 1


def test_replay_of_a_malformed_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("this,is\nnot,a recording\n")
    done = cli("replay", str(bad), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "bad.csv" in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1


def wait_subscribed(live_log, timeout_s=30):
    """Wait until ``parktwin live`` has subscribed (its live.log says so)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if live_log.exists() and "subscribed to" in live_log.read_text():
            return
        time.sleep(0.1)
    raise AssertionError(f"parktwin live did not subscribe within {timeout_s} s")


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
            "8 s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_subscribed(out / "live.log")
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
    # piped: the status lines, not a view that shows nothing until the end
    assert f"connected to 127.0.0.1:{mosquitto.port}" in stdout


def live_command(*args):
    return [sys.executable, "-m", "cli", "live", *args]


def one_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_live_that_never_connects_exits_2(tmp_path):
    port = free_port()  # nothing listens there
    done = subprocess.run(
        live_command(
            "--mqtt", f"127.0.0.1:{port}", "--connect-timeout", "2 s", "--out", str(tmp_path)
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"127.0.0.1:{port}" in line and "not connected within 2 s" in line


def test_live_with_a_wrong_password_says_so_and_exits_2(secure_mosquitto, tmp_path):
    ca = str(secure_mosquitto.folder / "ca.pem")
    env = {**os.environ, "PARKTWIN_USERNAME": "twin", "PARKTWIN_PASSWORD": "wrong"}
    done = subprocess.run(
        live_command(
            "--mqtt",
            f"127.0.0.1:{secure_mosquitto.port}",
            "--tls",
            "--ca-certs",
            ca,
            "--connect-timeout",
            "3 s",
            "--out",
            str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert "refused the connection" in one_line(done.stderr)


def test_live_takes_the_password_from_a_file_and_ends_on_ctrl_c(secure_mosquitto, tmp_path):
    ca = str(secure_mosquitto.folder / "ca.pem")
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    out = tmp_path / "live"
    live = subprocess.Popen(
        live_command(
            "--mqtt",
            f"127.0.0.1:{secure_mosquitto.port}",
            "--tls",
            "--ca-certs",
            ca,
            "--username",
            "twin",
            "--password-file",
            str(secret),
            "--out",
            str(out),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "s3cret" not in " ".join(live.args)
    wait_subscribed(out / "live.log")
    time.sleep(1.0)  # following
    live.send_signal(signal.SIGINT)
    stdout, stderr = live.communicate(timeout=60)
    assert live.returncode == 0, stderr
    assert "Traceback" not in stderr + stdout
    assert "stopped (Ctrl-C)" in stdout and "wrote" in stdout


def test_live_without_the_live_extra_is_one_line(tmp_path):
    blocked = (
        "import sys; sys.modules['paho'] = None; sys.modules['paho.mqtt'] = None; "
        "sys.modules['paho.mqtt.client'] = None; import cli; "
        f"sys.exit(cli.main(['live', '--mqtt', '127.0.0.1:1883', '--out', {str(tmp_path)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "pip install 'parktwin[live]'" in one_line(done.stderr)


def test_ctrl_c_while_the_park_loads_is_one_line_and_exit_130(tmp_path):
    """SIGINT once the park's loading has begun (the line it prints when piped): one line,
    no traceback, exit 130 (128 + SIGINT, the shell's code for a command ended by Ctrl-C).
    The same holds if loading ended first and it is connecting (nothing listens there)."""
    live = subprocess.Popen(
        live_command(
            "--mqtt",
            f"127.0.0.1:{free_port()}",
            "--connect-timeout",
            "60 s",
            "--out",
            str(tmp_path),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "loading park demo" in live.stdout.readline()
    live.send_signal(signal.SIGINT)
    stdout, stderr = live.communicate(timeout=60)
    assert live.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    assert one_line(stderr) == "parktwin: stopped (Ctrl-C)"


def test_the_live_view_shows_the_connection_the_data_age_and_no_nan(tmp_path):
    """The terminal view of ``live``: connected or not (and why), the age of the last
    message, and a weather tag not read yet said as such, not "nan"."""
    import types

    from rich.console import Console

    import twin
    from cli import _follow, _live_view
    from twin.readings import Reading

    loop, _ = _follow(twin.load_park("demo"), tmp_path, echo=False)
    loop.take(Reading(time.time(), "WS-01", 3.2, "good"))  # wind speed only

    def shown(**state):
        base = dict(address="127.0.0.1:1883", refused=None, last_error=None, rejected={})
        feed = types.SimpleNamespace(**{**base, **state})
        console = Console(record=True, width=150)
        console.print(_live_view(loop, feed))
        return console.export_text()

    text = shown(connected=True, last_message=time.monotonic() - 2.0)
    assert "connected to 127.0.0.1:1883; last message 2." in text and "s ago" in text
    assert "3.2 m/s" in text and "no reading yet" in text and "nan" not in text
    text = shown(connected=False, last_message=None, last_error="connection refused")
    assert "DISCONNECTED from 127.0.0.1:1883 (connection refused); reconnecting" in text
    assert "no message yet" in text
    loop.close()


def test_live_without_a_terminal_prints_a_status_line_per_change_and_period(tmp_path, capsys):
    """Piped or written to a file, ``live`` cannot redraw its view: it prints a dated status
    line when the connection changes and every period (rich's Live printed nothing until
    the end)."""
    import types

    import twin
    from cli import _follow, _follow_piped

    loop, _ = _follow(twin.load_park("demo"), tmp_path, echo=False)
    states = iter([False, True, True, True, True, True, True, True])
    feed = types.SimpleNamespace(
        address="127.0.0.1:1883",
        refused=None,
        last_error="connection refused",
        rejected={},
        last_message=None,
        connected=False,
    )

    def drain(timeout):
        feed.connected = next(states, True)
        time.sleep(0.05)
        return []

    feed.drain = drain
    _follow_piped(loop, feed, time.monotonic() + 1.0, every_s=0.6)
    lines = capsys.readouterr().out.splitlines()
    assert "DISCONNECTED from 127.0.0.1:1883 (connection refused)" in lines[0]
    assert "connected to 127.0.0.1:1883; no message yet; 0 readings taken" in lines[1]
    assert 3 <= len(lines) <= 4  # and again every 0.6 s
    assert all(line[:4].isdigit() and "T" in line[:20] for line in lines)  # dated
    loop.close()
