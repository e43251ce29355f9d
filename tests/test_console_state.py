"""What the console shows, without a browser: each sensor's state, chattering alarms once with
their count, and the token that guards every request."""

import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import free_port

pytest.importorskip("starlette")

from console_server import STALE_S, Console
from scenarios.feed_loop import FeedLoop
from twin import load_park
from twin.demo import INCIDENT_DRILL
from twin.readings import Reading

T0 = 1.7e9


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    park = load_park("demo")
    loop = FeedLoop(park, tmp_path_factory.mktemp("console") / "log.sqlite")
    console = Console(loop, feed=None)
    # the demo park's sensors layer: AT-NH02 and AT-NB02 alarm at 25 and 50 ppm, range 500 ppm;
    # TT-CL102 ranges to 80 degC
    loop.take_batch(
        [
            Reading(T0 - STALE_S - 100, "TT-CL101", 20.0),
            Reading(T0, "AT-NH02", 30.0),
            Reading(T0, "AT-NB02", 600.0),
            Reading(T0, "LT-CL101", 1.5),
            Reading(T0, "TT-CL102", 80.0),  # the top of its range; the alarm waits 15 s
            Reading(T0 + 1, "AT-NH02", 10.0),
            Reading(T0 + 40, "AT-NH02", 10.0),  # cleared after the 30 s off-delay
            Reading(T0 + 50, "AT-NH02", 30.0),  # raised again
            Reading(T0 + 50, "LT-CL101", 1.5),
        ]
    )
    return console, loop


def test_each_sensor_shows_its_state(shown):
    console, _ = shown
    states = {tag: state for tag, (state, _) in console.sensors().items()}
    assert states["AT-NH02"] == "first alarm level"
    # alone above its range with no neighbour reading gas: the twin classes it a fault
    assert states["AT-NB02"] == "instrument fault (likely)"
    assert states["TT-CL102"] == "over range"
    assert states["LT-CL101"] == "normal"
    assert states["TT-CL101"] == "stale"
    assert console.sensors()["PT-CL101"] == ["stale", "no reading yet"]


def test_a_chattering_alarm_shows_once_with_its_count(shown):
    console, _ = shown
    rows = [a for a in console.alarms() if (a["tag"], a["level"]) == ("AT-NH02", "AL1")]
    assert len(rows) == 1 and rows[0]["count"] == 2 and rows[0]["active"]
    # the park's local time: the demo park is in China (UTC+8)
    assert rows[0]["time"] == time.strftime(
        "%Y-%m-%d %H:%M:%S CST", time.gmtime(T0 + 50 + 8 * 3600)
    )


def test_every_request_needs_the_token_when_one_is_set(tmp_path):
    token = tmp_path / "token"
    token.write_text("a-token-of-twenty-chars\n")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "console",
            "--replay",
            str(INCIDENT_DRILL),
            "--port",
            str(port),
            "--token-file",
            str(token),
            "--out",
            str(tmp_path / "out"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        status = None
        while status is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2)
                status = 200
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError:
                time.sleep(0.2)
        assert status == 403
        assert urllib.request.urlopen(url + "?token=a-token-of-twenty-chars").status == 200
        for path in ("park.json?token=wrong-token-of-twenty", "assets/console.js"):
            with pytest.raises(urllib.error.HTTPError, match="403"):
                urllib.request.urlopen(url + path)
        action = urllib.request.Request(
            url + "action", data=b'{"action": "shelve", "tag": "AT-NH02", "level": "AL1"}'
        )
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(action)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_short_token_is_one_line(tmp_path):
    token = tmp_path / "token"
    token.write_text("short\n")
    args = ["console", "--replay", str(INCIDENT_DRILL), "--token-file", str(token)]
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "16 characters or more" in done.stderr


def test_an_asset_in_alarm_shows_its_inventory_and_times_are_local(tmp_path):
    park = load_park("demo")
    loop = FeedLoop(park, tmp_path / "log.sqlite")
    console = Console(loop, feed=None)
    # the demo park's sensors layer: LT-NB101 alarms at 2.72 m
    loop.take_batch(
        [Reading(T0 + 10 * k, "LT-NB101", 2.70 + 0.01 * k) for k in range(5)]
        + [Reading(T0, "TT-NB101", 20.0)]
    )
    rows = {row["kind"]: row for row in console.assets() if row["asset"] == "NB-101"}
    assert set(rows) == {"level", "temperature", "inventory"}
    tank = loop.twin.model.tanks["NB-101"]
    level = loop.twin.model.channels["LT-NB101"]
    expected = [tank.mass(level.si(2.70 + 0.01 * k), 293.15) / 1000 for k in range(5)]
    assert rows["inventory"]["trend"] == pytest.approx(expected, rel=1e-3)
    assert rows["inventory"]["value"] == f"{expected[-1]:.4g} t"
    # the twin's texts write UTC to the microsecond; the page shows the park's local time
    assert console.human("flat at 1 m (2024-05-24T01:17:30.000000Z to now)") == (
        "flat at 1 m (2024-05-24 09:17:30 CST to now)"
    )
    loop.close()


def test_sigterm_writes_every_reading_taken_and_exits_143(tmp_path):
    """A service manager stops the console with SIGTERM: the readings it took and had not yet
    committed (a replay writes them in batches) are in the log, and the exit code is 143.
    Before, SIGTERM's default action ended the process with the batch unwritten."""
    import json
    import signal
    import sqlite3

    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "cli", "console", "--replay", str(INCIDENT_DRILL)),
            *("--speedup", "30", "--port", str(port), "--out", str(tmp_path / "out")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert time.monotonic() < deadline and server.poll() is None, "the console answering"
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(3)  # the drill runs at 30x: a reading or more every tick, flushed each 1 s
        pause = urllib.request.Request(
            url + "drill", data=json.dumps({"pause": True}).encode(), method="POST"
        )
        assert urllib.request.urlopen(pause).status == 200
        # the readings taken, as the page shows them, once the pause holds
        with urllib.request.urlopen(url + "events", timeout=30) as stream:
            taken = []
            for line in stream:
                if line.startswith(b"data: "):
                    msg = json.loads(line[6:])
                    taken.append(msg["feed"]["taken"])
                    if len(taken) >= 3 and taken[-1] == taken[-2] == taken[-3]:
                        break
        with sqlite3.connect(tmp_path / "out" / "log.sqlite") as db:
            committed = db.execute("select count(*) from readings").fetchone()[0]
        assert taken[-1] > 0
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 143
    assert err == "parktwin: stopped (SIGTERM)\n"
    with sqlite3.connect(tmp_path / "out" / "log.sqlite") as db:
        logged = db.execute("select count(*) from readings").fetchone()[0]
    assert logged == taken[-1] >= committed
