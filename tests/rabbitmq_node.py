"""A RabbitMQ node (Debian's ``rabbitmq-server``, 3.10) with its MQTT plugin, run on free
localhost ports in a folder of its own, that can be killed and started again; for the fault
tests and bench/broker_kill.py.

The node is configured with the recommended settings, `twin.feeds.mqtt.RABBITMQ_SETTINGS`,
plus what running it here needs: an MQTT listener on a free port, no AMQP listener, its own
Erlang port mapper (epmd) on a free port, node name, data, log and home (the Erlang cookie)
folders under ``folder``. It runs in a process group of its own: `RabbitMQ.kill` sends
SIGKILL to the whole group (the start script, the Erlang VM and its helpers), so nothing is
saved on the way out. Its data folder stays, so a start after a kill recovers what the node
had persisted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from twin.feeds.mqtt import RABBITMQ_SETTINGS

# Debian installs the start script here, not on PATH (its /usr/sbin wrapper switches to the
# rabbitmq user, who cannot write in the test's folder).
SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
EPMD = shutil.which("epmd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
INSTALLED = SERVER.exists() and EPMD is not None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RabbitMQ:
    """A RabbitMQ node serving MQTT on ``127.0.0.1:port`` (see the module docstring)."""

    def __init__(self, folder: Path, extra: str = "", erl_args: str = ""):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.config = folder / "rabbitmq.conf"
        self.config.write_text(
            "listeners.tcp = none\n"
            f"mqtt.listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "loopback_users = none\n" + RABBITMQ_SETTINGS + extra
        )
        self._epmd_port = free_port()
        self._env = dict(
            os.environ,
            HOME=str(folder),
            ERL_EPMD_PORT=str(self._epmd_port),
            RABBITMQ_NODENAME=f"parktwin{self.port}@localhost",
            RABBITMQ_DIST_PORT=str(free_port()),
            RABBITMQ_CONFIG_FILE=str(self.config),
            RABBITMQ_MNESIA_BASE=str(folder / "data"),
            RABBITMQ_LOG_BASE=str(folder / "log"),
            RABBITMQ_PLUGINS_EXPAND_DIR=str(folder / "plugins"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(folder / "enabled_plugins"),
            RABBITMQ_ENABLED_PLUGINS="rabbitmq_mqtt",
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=erl_args,
        )
        self._epmd: subprocess.Popen | None = None
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 120.0) -> None:
        """Start the node and wait until its MQTT listener accepts connections."""
        if self._epmd is None:
            self._epmd = subprocess.Popen(
                [EPMD, "-port", str(self._epmd_port), "-address", "127.0.0.1"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        self.process = subprocess.Popen(
            [str(SERVER)],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"rabbitmq-server exited with {self.process.returncode} "
                    f"(its log: {self.folder / 'log'})"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"RabbitMQ did not listen on port {self.port} in {timeout_s} s")

    @property
    def vm_pid(self) -> int:
        """The process id of the node's Erlang VM (the start script's child; Linux /proc)."""
        pid = self.process.pid
        return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the node's whole process group: it saves nothing on the way out."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
            self.process = None
            # The Erlang VM, a child of the script, may outlive it by a moment.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                except OSError:
                    return
                time.sleep(0.02)

    def close(self) -> None:
        """Kill the node and its port mapper (the tests need nothing saved at the end)."""
        self.kill()
        if self._epmd is not None:
            self._epmd.kill()
            self._epmd.wait(timeout=10)
            self._epmd = None
