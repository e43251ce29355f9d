"""What a broker SIGKILL loses, with the recommended mosquitto settings and with
``autosave_on_changes`` added, while the twin follows and while it is away.

A mosquitto broker (started here on a free localhost port, saving in a temporary folder)
carries QoS 1 readings offered at ``--rate`` per second by a publisher in another process,
which notes the index of every message the broker acknowledged (PUBACK). After ``--seconds``
the broker is killed (SIGKILL) and started again; the twin's `twin.feeds.MqttFeed` (reading
log, acknowledgement after commit) reconnects and takes what the broker kept. Lost: messages
acknowledged to the publisher that never reached the log. Two cases each:

- *following*: the twin is connected all along;
- *away*: the twin's session exists but it is disconnected while the messages come (the
  broker queues them for it), and connects again after the restart.

Run from the repository root: ``.venv/bin/python bench/broker_kill.py`` (needs mosquitto).
"""

import argparse
import logging
import multiprocessing
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import _packet, _start_mosquitto, _string

from twin.feeds import MqttFeed
from twin.feeds.mqtt import SAVE_EVERY_CHANGE, payload, topic
from twin.log import ReadingLog, iter_readings

TAGS = ("WS-01", "TA-01", "SR-01")


def _publish(port: int, rate: float, count: int, ready, acked_out, n_acked) -> None:
    """Publish ``count`` QoS 1 messages at ``rate`` per second (value = index, message id =
    index + 1) until done or the broker goes away, setting ``ready`` once connected; list
    the acknowledged indices."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connect = _string("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + _string("kill-pub")
    sock.sendall(_packet(0x10, connect))
    sock.recv(4)  # CONNACK
    ready.set()
    acked: list[int] = []

    def read_pubacks():
        buffer = b""
        try:
            while chunk := sock.recv(65536):
                buffer += chunk
                whole = len(buffer) // 4 * 4
                acked.extend(mid - 1 for _, _, mid in struct.iter_unpack("!BBH", buffer[:whole]))
                buffer = buffer[whole:]
        except OSError:
            pass

    reader = threading.Thread(target=read_pubacks, daemon=True)
    reader.start()
    t0 = time.time() - count / rate - 60
    topics = [_string(topic("demo", tag)) for tag in TAGS]
    start = time.monotonic()
    sent = 0
    try:
        while sent < count:
            due = min(count, int((time.monotonic() - start) * rate) + 1)
            if due <= sent:
                time.sleep(0.0005)
                continue
            batch = bytearray()
            for k in range(sent, due):
                body = topics[k % 3] + struct.pack("!H", k + 1) + payload(t0 + k / rate, float(k))
                batch += _packet(0x32, body)
            sock.sendall(batch)
            sent = due
    except OSError:
        pass
    reader.join(10)
    for i, k in enumerate(acked):
        acked_out[i] = k
    n_acked.value = len(acked)


def _logged(path: Path) -> set[int]:
    return {int(r.value) for r in iter_readings(path)} if path.exists() else set()


def _settle(path: Path, quiet_s: float = 3.0, timeout_s: float = 120.0) -> None:
    """Wait until the log has stopped growing for ``quiet_s``."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n = len(_logged(path))
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since > quiet_s:
            return
        time.sleep(0.5)


def run_case(folder: Path, binary: str, extra: str, away: bool, rate: float, seconds: float):
    """Return (acknowledged, lost, acknowledged per second before the kill)."""
    spawn = multiprocessing.get_context("spawn")
    folder.mkdir()
    process, port = _start_mosquitto(folder, binary, extra)
    log_path = folder / "log.sqlite"
    log = ReadingLog(log_path)
    feed = MqttFeed("127.0.0.1", port, park="demo", log=log, client_id="kill-twin")
    try:
        if not feed.wait_ready(10):
            raise RuntimeError("the feed did not subscribe")
        drain = threading.Thread(target=lambda: [None for _ in feed], daemon=True)
        drain.start()
        if away:
            feed.close()
            log.close()
            time.sleep(0.5)
        count = min(int(rate * (seconds + 5)), 65_534)  # message ids are 16 bits
        acked, n_acked = spawn.Array("i", count), spawn.Value("i", 0)
        ready = spawn.Event()
        publisher = spawn.Process(target=_publish, args=(port, rate, count, ready, acked, n_acked))
        publisher.start()
        if not ready.wait(60):
            raise RuntimeError("the publisher did not connect")
        time.sleep(seconds)
        process.send_signal(signal.SIGKILL)
        process.wait(5)
        publisher.join(30)
        acked = set(acked[: n_acked.value])
        config = folder / "mosquitto.conf"
        process = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.DEVNULL)
        if away:
            time.sleep(0.5)
            log = ReadingLog(log_path)
            feed = MqttFeed("127.0.0.1", port, park="demo", log=log, client_id="kill-twin")
            drain = threading.Thread(target=lambda: [None for _ in feed], daemon=True)
            drain.start()
        _settle(log_path)
        feed.close()
        log.close()
        return len(acked), len(acked - _logged(log_path)), len(acked) / seconds
    finally:
        feed.close()
        process.terminate()
        process.wait(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=3.0, help="publishing before the kill")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case")
    args = parser.parse_args()
    logging.getLogger("twin.feeds").setLevel(logging.ERROR)  # the restart's copies, expected
    binary = "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        print("skipped: mosquitto is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        n = 0
        for name, extra in (("recommended", ""), ("+ autosave_on_changes", SAVE_EVERY_CHANGE)):
            for away in (False, True):
                results = []
                for _ in range(args.repeat):
                    n += 1
                    results.append(
                        run_case(Path(tmp) / str(n), binary, extra, away, args.rate, args.seconds)
                    )
                case = "away" if away else "following"
                lost = ", ".join(f"{lost:,} of {acked:,}" for acked, lost, _ in results)
                rates = ", ".join(f"{r:,.0f}" for _, _, r in results)
                print(
                    f"{name:>22}, twin {case:>9}, {args.rate:,.0f}/s offered: lost {lost}; "
                    f"acknowledged per second before the kill: {rates}"
                )


if __name__ == "__main__":
    main()
