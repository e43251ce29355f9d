"""parktwin publish-recording plays a recording onto a real mosquitto broker."""

import subprocess
import sys
import time

import cli
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


def test_publish_takes_the_password_from_a_file_or_the_environment(
    secure_mosquitto, tmp_path, monkeypatch, capsys
):
    """The same credentials options as live: --password-file or $PARKTWIN_PASSWORD (neither
    shows in the process list); a wrong password is one line and exit 2, without waiting."""
    recording = tmp_path / "rec.csv"
    recording.write_text(f"time,tag,value\n{format_time(time.time() - 5)},A,1.0\n")
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    port, ca = secure_mosquitto.port, str(secure_mosquitto.folder / "ca.pem")
    command = ["publish-recording", str(recording), "--mqtt", f"127.0.0.1:{port}"]
    command += ["--tls", "--ca-certs", ca, "--username", "twin"]
    monkeypatch.delenv("PARKTWIN_PASSWORD", raising=False)
    assert cli.main([*command, "--password-file", str(secret)]) == 0
    assert "published 1 readings" in capsys.readouterr().out
    monkeypatch.setenv("PARKTWIN_PASSWORD", "s3cret")
    assert cli.main(command) == 0
    monkeypatch.setenv("PARKTWIN_PASSWORD", "wrong")
    start = time.monotonic()
    assert cli.main(command) == 2
    assert time.monotonic() - start < 10
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "refused the connection" in lines[0], lines
