"""OPC UA feed against an in-process asyncua server on a free port (skipped without asyncua).

Oracles: the values, source timestamps and StatusCodes the test server writes; the severity
of a StatusCode (top two bits: 01 uncertain) is from OPC UA Part 4, 7.34 StatusCode. The
expected time is the written datetime's own POSIX time.
"""

import asyncio
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import free_port

from twin.feeds.opcua import OpcUaFeed
from twin.readings import Reading


class Server:
    """An asyncua server with one Double and one String variable, run in its own thread."""

    def __init__(self, asyncua):
        self.asyncua = asyncua
        self.url = f"opc.tcp://127.0.0.1:{free_port()}/parktwin/"
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))
        self.thread.start()
        assert self.ready.wait(10), "asyncua test server did not start"

    async def _main(self):
        self.stop = asyncio.Event()
        ua = self.asyncua.ua
        server = self.asyncua.Server()
        await server.init()
        server.set_endpoint(self.url)
        idx = await server.register_namespace("urn:parktwin:test")
        tank = await server.nodes.objects.add_object(idx, "T203")
        self.level = await tank.add_variable(ua.NodeId("T203.Level", idx), "Level", 1.0)
        self.label = await tank.add_variable(ua.NodeId("T203.Label", idx), "Label", "x")
        async with server:
            self.ready.set()
            await self.stop.wait()

    def write(self, node, data_value):
        asyncio.run_coroutine_threadsafe(node.write_value(data_value), self.loop).result(5)

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


@pytest.fixture
def server():
    s = Server(pytest.importorskip("asyncua"))
    yield s
    s.close()


def test_data_changes_become_readings(server):
    ua = server.asyncua.ua
    nodes = {
        "T203.LT": server.level.nodeid.to_string(),
        "T203.LABEL": server.label.nodeid.to_string(),
        "T203.GHOST": "ns=2;s=T203.NoSuchNode",
    }
    feed = OpcUaFeed(server.url, nodes, publishing_interval_ms=20)
    try:
        assert feed.wait_ready(10)
        assert feed.failed_nodes == {"T203.GHOST": "BadNodeIdUnknown"}
        first = feed.drain(5)
        assert [(r.tag, r.value) for r in first] == [("T203.LT", 1.0)]
        # A source time later than the initial value's, which the server stamped "now".
        stamp = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        uncertain = ua.StatusCode(0x40000000)
        server.write(
            server.level,
            ua.DataValue(
                ua.Variant(2.5, ua.VariantType.Double),
                StatusCode=uncertain,
                SourceTimestamp=stamp,
            ),
        )
        assert feed.drain(5) == [Reading(stamp.timestamp(), "T203.LT", 2.5, "uncertain")]
        assert feed.rejected == {"bad_field": 1}  # the String variable's initial value
    finally:
        feed.close()


def test_missing_asyncua_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "asyncua", None)  # makes "import asyncua" fail
    with pytest.raises(ImportError, match=r"needs asyncua: pip install 'parktwin\[live\]'"):
        OpcUaFeed("opc.tcp://127.0.0.1:4840/", {"A": "ns=2;s=A"})


@pytest.mark.parametrize(
    ("security", "said"),
    [
        ("Basic256Sha256,SignAndEncrypt", "4 or 5 comma-separated values"),
        ("Basic999,Sign,{c},{c}", "unknown policy 'Basic999'; expected one of"),
        ("Basic256Sha256,Encrypt,{c},{c}", "unknown mode 'Encrypt'; expected Sign or"),
        ("Basic256Sha256,Sign,{c},missing.key", "private key 'missing.key': no such file"),
        ("Basic256Sha256,Sign,{c},{c},server.der", "server certificate 'server.der'"),
    ],
)
def test_bad_security_options_are_one_line_before_connecting(parktwin, tmp_path, security, said):
    """Checked before the park loads and before any connection is tried: one line naming
    the option, exit 2 (it took the connect timeout, and said "not connected", before)."""
    pytest.importorskip("asyncua")
    cert = tmp_path / "client.pem"
    cert.write_text("not checked here: asyncua reads it when connecting")
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("tag,node_id\nT203.LT,ns=2;s=T203.Level\n")
    done = parktwin(
        "live",
        "--opcua",
        "opc.tcp://127.0.0.1:1/",
        "--opcua-nodes",
        str(nodes),
        "--opcua-security",
        security.format(c=cert),
        "--out",
        str(tmp_path / "out"),
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parktwin: error: --opcua-security: ")
    assert said in lines[0] and "not connected" not in lines[0]


def test_good_security_options_pass_the_check(tmp_path):
    pytest.importorskip("asyncua")
    from twin.feeds.opcua import check_security

    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    text = f"Basic256Sha256,SignAndEncrypt,{cert},{key}::secret"
    assert check_security(text) == text


def test_an_unreachable_server_is_one_line_and_its_library_warnings_go_to_the_log(
    parktwin, tmp_path
):
    """asyncua warns on every failed try ("close_secure_channel was called but connection
    is closed"); those lines go to live.log, and the terminal gets the one-line error."""
    pytest.importorskip("asyncua")
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("tag,node_id\nT203.LT,ns=2;s=T203.Level\n")
    out = tmp_path / "out"
    done = parktwin(
        "live",
        "--opcua",
        f"opc.tcp://127.0.0.1:{free_port()}/",
        "--opcua-nodes",
        str(nodes),
        "--connect-timeout",
        "3 s",
        "--out",
        str(out),
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not connected within 3 s" in lines[0], lines
    assert (out / "live.log").exists()
