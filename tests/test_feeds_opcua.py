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
