"""Retake the README's picture of the console (viz/console/console.png) on the demo drill.

Starts ``parktwin console --replay`` of the bundled drill at 60x on a free local port,
opens it in headless Chromium (selenium and Debian's chromium-driver, as the browser
tests), seeks to ``--at`` (by default 02:24 UTC, 14 minutes into the leak, when the
estimate has settled), pauses the drill, runs "simulate from now" (shelter against
evacuate) and saves the page once the run is done. Run from the repository root:

    .venv/bin/python -m viz.console.screenshot [--at 2024-05-24T02:24:00Z] [--out PATH]

Needs the console and test extras (``pip install -e ".[console,test]"``), chromium and
chromium-driver.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from twin.demo import INCIDENT_DRILL

PICTURE = Path(__file__).with_name("console.png")
WINDOW = (1600, 850)
SLOW_S = 120.0


def chromium_options(profile_dir=None, window=WINDOW, extra=()):
    """Headless Chromium's options for the console (selenium): software WebGL, no name
    resolution but 127.0.0.1 (the page must load with no internet), ``window`` (width,
    height) [px], its own profile in ``profile_dir`` where given, ``extra`` arguments."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--use-gl=angle",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        f"--window-size={window[0]},{window[1]}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        *([f"--user-data-dir={profile_dir}"] if profile_dir is not None else []),
        *extra,
    ):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    return options


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout_s: float, what: str):
    """The first truthy value of ``condition()``, polled every 50 ms; TimeoutError naming
    ``what`` after ``timeout_s`` [s]."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"{what} not within {timeout_s:g} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", default="2024-05-24T02:24:00Z", help="drill time (UTC, ISO)")
    parser.add_argument("--out", type=Path, default=PICTURE, help="PNG to write")
    args = parser.parse_args(argv)
    at = datetime.fromisoformat(args.at.replace("Z", "+00:00")).timestamp()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        print("screenshot: chromium and chromium-driver are needed", file=sys.stderr)
        return 2
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    port = _free_port()
    with tempfile.TemporaryDirectory() as work:
        print(f"screenshot: starting the console on the drill (port {port}) ...", flush=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "console", "--port", str(port), "--out", work,
             "--replay", os.path.relpath(INCIDENT_DRILL), "--speedup", "60"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"

        def up():
            if server.poll() is not None:
                raise SystemExit(f"screenshot: the console ended: {server.stderr.read()}")
            try:
                return urllib.request.urlopen(url, timeout=2).status == 200
            except OSError:
                return False

        options = chromium_options(Path(work) / "chromium")
        browser = None
        try:
            wait_for(up, SLOW_S, "the console answering")
            browser = webdriver.Chrome(service=Service(driver_path), options=options)
            browser.get(url)
            script = browser.execute_script
            wait_for(lambda: script("return document.getElementById('seek').max"), SLOW_S, "drill")
            print(f"screenshot: seeking to {args.at} ...", flush=True)
            script(
                "const s = document.getElementById('seek'); s.value = arguments[0];"
                "s.dispatchEvent(new Event('change'));",
                at,
            )
            estimate = "return document.querySelector('#leak tbody td') !== null"
            wait_for(lambda: script(estimate), SLOW_S, "a leak estimate")
            script("document.getElementById('pause').click()")
            paused = "return document.getElementById('pause').dataset.paused"
            wait_for(lambda: script(paused) == "true", SLOW_S, "the drill paused")
            print("screenshot: simulating from now (shelter against evacuate) ...", flush=True)
            script("document.getElementById('simulate').click()")
            state = "return document.getElementById('sim-status').dataset.state"
            wait_for(lambda: script(state) in ("done", "failed"), 600.0, "the simulation")
            if script(state) != "done":
                raise SystemExit("screenshot: the simulation failed; no picture taken")
            time.sleep(2.0)  # the map's last frame
            browser.save_screenshot(str(args.out))
        except TimeoutError as late:
            print(f"screenshot: {late}; no picture taken", file=sys.stderr)
            return 1
        finally:
            if browser is not None:
                browser.quit()
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
