"""parktwin publish-recording plays a recording onto a real mosquitto broker."""

import subprocess
import sys
import time

from twin.feeds.mqtt import MqttFeed
from twin.readings import format_time


def test_publish_recording_reaches_a_subscriber(mosquitto, tmp_path):
    start = time.time() - 100
    rows = "".join(f"{format_time(start + i)},LT-X{i % 2},{i * 0.5},good\n" for i in range(20))
    recording = tmp_path / "rec.csv"
    recording.write_text("time,tag,value,quality\n" + rows)
    received = []
    with MqttFeed("127.0.0.1", mosquitto.port, park="drill") as feed:
        assert feed.wait_ready(5)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "publish-recording",
                str(recording),
                "--mqtt",
                f"127.0.0.1:{mosquitto.port}",
                "--park",
                "drill",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "published 20 readings" in done.stdout
        deadline = time.time() + 10
        for reading in feed:
            received.append(reading)
            if len(received) == 20 or time.time() > deadline:
                break
    assert [r.value for r in received] == [i * 0.5 for i in range(20)]


def test_unreachable_broker_is_one_line_and_exit_2(tmp_path):
    recording = tmp_path / "rec.csv"
    recording.write_text(f"time,tag,value\n{format_time(time.time() - 5)},A,1.0\n")
    done = subprocess.run(
        [sys.executable, "-m", "cli", "publish-recording", str(recording), "--mqtt", "127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "broker 127.0.0.1:1" in done.stderr
