"""parktwin console in a real headless Chromium (selenium + Debian's chromium-driver), fed by a
real mosquitto or by the drill recording.

Name resolution is switched off in the browser (``--host-resolver-rules``): the page must
load with no internet, its scripts served by the console itself. Waits are generous (the
machine may be loaded) except where the issue sets a bound: a reading's colour on the page
within 1 s of its publication, the broker's loss shown within 5 s.
"""

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from conftest import free_port

from twin.demo import INCIDENT_DRILL
from twin.feeds.mqtt import payload, topic
from twin.log import read_alarms

pytest.importorskip("selenium")
pytest.importorskip("starlette")
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service

from viz.console.screenshot import chromium_options, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromium-driver are not installed (Debian: apt-get install both)",
)
SLOW_S = 90.0  # loading the park and starting the browser on a loaded machine


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module's tests; each test opens its own console's page."""
    options = chromium_options(tmp_path_factory.mktemp("chromium") / "profile")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def start_console(tmp_path, *args):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "console",
            "--port",
            str(port),
            "--out",
            str(tmp_path / "out"),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def up():
        import urllib.request

        if server.poll() is not None:
            raise AssertionError(server.stderr.read())
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return False

    wait_for(up, SLOW_S, "the console answering")
    return server, url


def stop(server):
    server.terminate()
    server.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def state_of(browser, tag):
    return browser.execute_script(
        "const r = document.querySelector('tr.sensor[data-tag=\"' + arguments[0] + '\"]');"
        "return r ? r.dataset.state : null;",
        tag,
    )


def test_a_published_reading_colours_its_sensor_and_a_lost_broker_shows(
    mosquitto, browser, tmp_path
):
    import paho.mqtt.client as mqtt

    server, url = start_console(tmp_path, "--mqtt", f"127.0.0.1:{mosquitto.port}")
    try:
        browser.get(url)
        wait_for(lambda: state_of(browser, "AT-NH02"), SLOW_S, "the sensor list")
        link = "return document.getElementById('link').dataset.connected"
        wait_for(lambda: browser.execute_script(link) == "true", SLOW_S, "connected")
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-publisher")
        client.connect("127.0.0.1", mosquitto.port)
        client.loop_start()
        # AT-NH02's second alarm level is 50 ppm (the demo park's sensors layer)
        t0 = time.time()
        client.publish(topic("demo", "AT-NH02"), payload(t0, 60.0), qos=1).wait_for_publish()
        wait_for(lambda: state_of(browser, "AT-NH02") == "second alarm level", 1.0, "the colour")
        client.loop_stop()
        client.disconnect()
        mosquitto.kill()
        wait_for(lambda: browser.execute_script(link) == "false", 5.0, "the feed shown down")
        mosquitto.start()
        wait_for(lambda: browser.execute_script(link) == "true", 60.0, "the feed back")
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-publisher-2")
        client.connect("127.0.0.1", mosquitto.port)
        client.loop_start()
        client.publish(topic("demo", "AT-NH02"), payload(t0 + 1, 10.0), qos=1).wait_for_publish()
        client.loop_stop()
        client.disconnect()
        taken = "return document.getElementById('rate').textContent"
        wait_for(lambda: "2 readings" in browser.execute_script(taken), 10.0, "the 2nd reading")
    finally:
        stop(server)
    with sqlite3.connect(tmp_path / "out" / "log.sqlite") as db:
        values = [v for (v,) in db.execute("select value from readings order by t")]
    assert values == [60.0, 10.0]


def test_the_drill_in_the_console_and_an_alarm_acknowledged_by_a_click(browser, tmp_path):
    from datetime import datetime

    server, url = start_console(tmp_path, "--replay", str(INCIDENT_DRILL), "--speedup", "60")
    try:
        browser.get(url)
        # LT-PR102 drifts up from 01:35 (the recording's README): a seek there spares the
        # 35 quiet minutes (35 s at this speed) before the first alarm
        wait_for(
            lambda: browser.execute_script("return document.getElementById('seek').max"),
            SLOW_S,
            "the drill's controls",
        )
        browser.execute_script(
            "const s = document.getElementById('seek'); s.value = arguments[0];"
            "s.dispatchEvent(new Event('change'));",
            datetime.fromisoformat("2024-05-24T01:35:00Z").timestamp(),
        )
        button = "return document.querySelector('#alarms tr[data-acked=false] button.ack')"
        wait_for(lambda: browser.execute_script(button), SLOW_S, "an alarm to acknowledge")
        row = browser.execute_script(
            "return document.querySelector('#alarms tr[data-acked=false]')"
        )
        tag, level = row.get_attribute("data-tag"), row.get_attribute("data-level")
        browser.execute_script(button).click()
        acked = (
            "return document.querySelector('#alarms tr[data-tag=\"' + arguments[0] + '\"]"
            "[data-level=\"' + arguments[1] + '\"]').dataset.acked"
        )
        wait_for(lambda: browser.execute_script(acked, tag, level) == "true", 10.0, "acked")
        # times are the park's local time, to the second
        first = browser.execute_script(
            "return document.querySelector('#alarms tbody tr td').textContent"
        )
        assert first.endswith(" CST") and len(first) == len("2024-05-24 10:55:00 CST")
        # the drill paused holds still; a seek to the end takes the rest at once
        browser.execute_script("document.getElementById('pause').click()")
        paused = "return document.getElementById('pause').dataset.paused"
        wait_for(lambda: browser.execute_script(paused) == "true", 10.0, "paused")
        count = "return document.getElementById('rate').textContent.split(', ')[1]"
        held = browser.execute_script(count)
        time.sleep(3.0)
        assert browser.execute_script(count) == held
        browser.execute_script(
            "const s = document.getElementById('seek'); s.value = s.max;"
            "s.dispatchEvent(new Event('change'));"
        )
        total = f"{sum(1 for _ in open(INCIDENT_DRILL)) - 1:,} readings"
        # correctness, not speed: the rest of the drill, through the twin and its
        # forecasts at once, took more than 60 s on a loaded 2-core machine
        wait_for(lambda: browser.execute_script(count) == total, 240.0, "the whole drill")
    finally:
        stop(server)
    rows = [r for r in read_alarms(tmp_path / "out" / "log.sqlite") if r.state == "acked"]
    assert [(r.tag, r.level) for r in rows] == [(tag, level)]
    assert abs(rows[0].t - time.time()) < 600  # the operator's wall time


def test_a_covered_assembly_point_simulate_from_now_and_a_seek_back(browser, tmp_path):
    import tomllib
    from datetime import datetime

    from shapely.geometry import Point

    from geodata import DEMO_PARK
    from scenarios import scenario_file

    # the drill's leak is at NB-101 with the wind from the north: an assembly point moved
    # 60 m south of it stands in the forecast zones
    park = tmp_path / "park.gpkg"
    tanks = gpd.read_file(DEMO_PARK, layer="tanks")
    utm = tanks.estimate_utm_crs()
    source = tanks[tanks["id"] == "NB-101"].to_crs(utm).geometry.iloc[0].centroid
    for layer in pyogrio.list_layers(DEMO_PARK)[:, 0]:
        frame = gpd.read_file(DEMO_PARK, layer=layer)
        if layer == "assembly_points":
            moved = gpd.GeoSeries([Point(source.x, source.y - 60)], crs=utm).to_crs(frame.crs)
            frame.loc[frame["id"] == "AP-1", "geometry"] = moved.iloc[0]
        frame.to_file(park, layer=layer)
    # the demo plan, run for 10 minutes to keep the test short
    demo = Path(scenario_file.__file__).parent / "demo" / "drill_nb101.toml"
    text = demo.read_text(encoding="utf-8").replace('duration = "50 min"', 'duration = "10 min"')
    assert tomllib.loads(text)["scenario"]["duration"] == "10 min"
    plan = tmp_path / "plan.toml"
    plan.write_text(text, encoding="utf-8")
    server, url = start_console(
        tmp_path,
        *("--park", str(park), "--replay", str(INCIDENT_DRILL), "--speedup", "1"),
        *("--plan", str(plan)),
    )
    seek = (
        "const s = document.getElementById('seek'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));"
    )
    count = "return document.getElementById('rate').textContent.split(', ')[1]"
    try:
        browser.get(url)
        wait_for(
            lambda: browser.execute_script("return document.getElementById('seek').max"),
            SLOW_S,
            "the drill's controls",
        )
        # 15 min after the leak began (02:10 UTC, the recording's README)
        browser.execute_script(seek, datetime.fromisoformat("2024-05-24T02:25:00Z").timestamp())
        mark = "return document.querySelector('#covered li[data-id=\"AP-1\"]')"
        wait_for(lambda: browser.execute_script(mark), SLOW_S, "AP-1 marked covered")
        layers = "return deckInstance.props.layers.map((l) => l.id)"
        assert "assembly_points-covered" in browser.execute_script(layers)
        # simulate from now: a progress bar, then both actions side by side and people
        browser.execute_script("document.getElementById('simulate').click()")
        state = "return document.getElementById('sim-status').dataset.state"
        wait_for(lambda: browser.execute_script(state) in ("done", "failed"), 240, "the run")
        assert browser.execute_script(state) == "done"
        heads = (
            "return [...document.querySelectorAll('#sim-figures thead td')]"
            ".map((e) => e.textContent)"
        )
        head = wait_for(lambda: browser.execute_script(heads), 10, "the figures")
        assert head[1:] == ["shelter", "evacuate"]
        said = (
            "return [...document.querySelectorAll('#sim-assumptions li')].map((e) => e.textContent)"
        )
        assert any(line.startswith("people start from") for line in browser.execute_script(said))
        people = (
            "const l = deckInstance.props.layers.find((l) => l.id === 'people');"
            "return l ? l.props.data.features.length : 0"
        )
        wait_for(lambda: browser.execute_script(people), 10, "people on the map")
        assert not browser.find_element("id", "people").get_attribute("hidden")
        # a seek back: the twin starts again and takes the recording up to the new time
        before = int(browser.execute_script(count).split()[0].replace(",", ""))
        browser.execute_script(seek, datetime.fromisoformat("2024-05-24T01:30:00Z").timestamp())
        wait_for(
            lambda: int(browser.execute_script(count).split()[0].replace(",", "")) < before / 2,
            SLOW_S,
            "the drill back",
        )
        wait_for(lambda: not browser.execute_script(mark), 10, "the forecast gone")
        workers = children(server.pid)
        assert workers  # the engine's worker process (and multiprocessing's resource tracker)
    finally:
        stop(server)
    # the worker ends with the console
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 30, "workers")
    rows = [r for r in read_alarms(tmp_path / "out" / "log.sqlite") if r.state == "simulate"]
    assert len(rows) == 1 and rows[0].tag == "NB-101" and "shelter vs evacuate" in rows[0].cause
    with sqlite3.connect(tmp_path / "out" / "log.sqlite") as db:
        total, unique = db.execute(
            "select count(*), count(distinct t || tag) from readings"
        ).fetchone()
    assert total == unique >= before


def test_a_name_from_the_park_file_shows_as_text(browser, tmp_path):
    from geodata import DEMO_PARK

    park = tmp_path / "park.gpkg"
    for layer in pyogrio.list_layers(DEMO_PARK)[:, 0]:
        frame = gpd.read_file(DEMO_PARK, layer=layer)
        if layer == "buildings":
            frame.loc[frame.index[0], "name"] = "<script>alert(1)</script>"
        frame.to_file(park, layer=layer)
    server, url = start_console(
        tmp_path, "--park", str(park), "--replay", str(INCIDENT_DRILL), "--speedup", "1"
    )
    try:
        browser.get(url)
        names = "return [...document.querySelectorAll('tr.building')].map(r => r.textContent)"
        shown = wait_for(lambda: browser.execute_script(names), SLOW_S, "the buildings")
        assert any("<script>alert(1)</script>" in text for text in shown)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
    finally:
        stop(server)


@pytest.fixture
def console_command(capsys, monkeypatch):
    """``parktwin console ARGS`` called in this process: the exit code and stderr. Bad input
    must be refused before the server starts, so starting it fails the test instead of
    serving until it is stopped."""
    import cli
    import console_server

    def served(*args, **kwargs):
        raise AssertionError("the console started serving")

    monkeypatch.setattr(console_server, "serve", served)

    def call(*args):
        code = cli.main(["console", *args])
        return code, capsys.readouterr().err

    return call


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--replay", "no/such.csv"], "--replay no/such.csv: no such file"),
        (["--replay", str(INCIDENT_DRILL), "--host", "0.0.0.0"], "give --token-file"),
        (["--replay", str(INCIDENT_DRILL), "--token-file", "no/such/token"], "--token-file"),
        (["--replay", str(INCIDENT_DRILL), "--plan", "no/such.toml"], "--plan no/such.toml: no"),
    ],
)
def test_bad_console_input_is_one_line(console_command, args, expected):
    code, stderr = console_command(*args)
    assert code == 2
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], stderr


def test_a_port_in_use_is_one_line(console_command):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = console_command("--replay", str(INCIDENT_DRILL), "--port", str(port))
    assert code == 2
    assert f"--port {port} on 127.0.0.1" in stderr and "Traceback" not in stderr


def test_without_the_console_extra_is_one_line():
    # a fresh interpreter: starlette's modules already imported here would still load
    code = (
        "import sys; sys.modules['starlette'] = None; import cli; "
        f"sys.exit(cli.main(['console', '--replay', {str(INCIDENT_DRILL)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'parktwin[console]'" in done.stderr and "Traceback" not in done.stderr
