"""Console benchmark: latency from an MQTT publish to the page's update, and the page's memory
after the drill.

1. Latency: a mosquitto broker (free localhost port, `twin.feeds.mqtt.MOSQUITTO_SETTINGS`),
   ``parktwin console --mqtt`` on it, and the page open in headless Chromium (selenium).
   A publisher (paho, QoS 1) sends readings of every demo tag at 100 and 1,000 messages per
   second for ``--seconds`` each. The page records, at every server-sent message, the
   browser's clock and the count of readings the twin has taken; a message published at
   ``t_pub`` (the publisher's clock, the same machine's) is on the page at the first update
   whose count includes it. Prints the median and p99 of that latency. Issue 13's target:
   p99 under 250 ms at 1,000 messages/s.
2. Memory: ``parktwin console --replay`` of the demo drill at ``--speedup`` (60 by default),
   the page open from the start; when the drill has ended, prints the page's JavaScript
   heap (``performance.memory.usedJSHeapSize`` with ``--enable-precise-memory-info``) and
   the wall time.

Run from the repository root: ``.venv/bin/python bench/console.py`` (needs the console and
live extras, selenium, mosquitto, chromium and chromium-driver).
"""

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.demo import INCIDENT_DRILL
from twin.feeds.mqtt import MOSQUITTO_SETTINGS, payload, topic

RECORD = """
window.__marks = [];
const shown = onMessage;
window.onMessage = (msg) => { shown(msg); window.__marks.push([Date.now(), msg.feed.taken]); };
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from viz.console.screenshot import chromium_options

    options = chromium_options(extra=("--enable-precise-memory-info",))
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def console(folder: Path, *args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "console", "--port", str(port), "--out", str(folder), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the console did not answer in 120 s")


def taken(driver) -> int:
    marks = driver.execute_script("return window.__marks || []")
    return marks[-1][1] if marks else 0


def latency(rate: float, seconds: float, folder: Path) -> tuple[float, float, int]:
    import paho.mqtt.client as mqtt

    port = free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\n{MOSQUITTO_SETTINGS}"
        f"persistence_location {folder}/\n"
    )
    broker = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    server = driver = None
    try:
        time.sleep(0.5)
        server, url = console(folder / "out", "--mqtt", f"127.0.0.1:{port}")
        driver = browser()
        driver.get(url)
        while not driver.execute_script("return document.querySelectorAll('tr.sensor').length"):
            time.sleep(0.2)
        driver.execute_script(RECORD)
        time.sleep(1.0)
        from twin import load_park

        tags = list(load_park("demo").sensors.index)
        values = {tag: 1.0 for tag in tags}
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
        client.max_queued_messages_set(0)
        client.connect("127.0.0.1", port)
        client.loop_start()
        base = taken(driver)
        n = int(rate * seconds)
        sent = np.empty(n)
        start = time.time()
        for i in range(n):
            due = start + i / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            tag = tags[i % len(tags)]
            sent[i] = time.time()
            client.publish(topic("demo", tag), payload(sent[i], values[tag]), qos=1)
        deadline = time.time() + 30
        while taken(driver) < base + n and time.time() < deadline:
            time.sleep(0.2)
        marks = np.array(driver.execute_script("return window.__marks"), dtype=float)
        client.loop_stop()
        client.disconnect()
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        broker.terminate()
        broker.wait(timeout=10)
    counts = marks[:, 1] - base
    k = np.searchsorted(counts, np.arange(1, n + 1), side="left")
    seen = k < len(marks)
    shown_ms = marks[np.minimum(k, len(marks) - 1), 0]
    lat = shown_ms[seen] - sent[seen] * 1000.0
    return float(np.median(lat)), float(np.percentile(lat, 99)), int(seen.sum())


def memory(speedup: float, folder: Path) -> tuple[float, float, int]:
    server, url = console(folder, "--replay", str(INCIDENT_DRILL), "--speedup", str(speedup))
    driver = browser()
    try:
        start = time.perf_counter()
        driver.get(url)
        while not driver.execute_script("return document.querySelectorAll('tr.sensor').length"):
            time.sleep(0.2)
        driver.execute_script(RECORD)
        ended = "return document.getElementById('drill-clock').textContent.includes('ended')"
        deadline = time.monotonic() + 900
        while not driver.execute_script(ended) and time.monotonic() < deadline:
            time.sleep(0.5)
        wall = time.perf_counter() - start
        time.sleep(1.0)
        heap = driver.execute_script("return performance.memory.usedJSHeapSize")
        return heap / 1e6, wall, taken(driver)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate (default 10)")
    parser.add_argument("--speedup", type=float, default=60.0, help="drill pace (default 60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rate in (100.0, 1000.0):
            folder = Path(tmp) / f"rate{rate:.0f}"
            folder.mkdir()
            p50, p99, seen = latency(rate, args.seconds, folder)
            print(
                f"publish to page at {rate:,.0f} msg/s: median {p50:.0f} ms, p99 {p99:.0f} ms "
                f"({seen:,} of {int(rate * args.seconds):,} messages seen on the page)"
            )
        heap_mb, wall_s, count = memory(args.speedup, Path(tmp) / "drill")
        print(
            f"drill at {args.speedup:g}x: {count:,} readings in {wall_s:.0f} s; page heap "
            f"{heap_mb:.1f} MB at the end"
        )


if __name__ == "__main__":
    main()
