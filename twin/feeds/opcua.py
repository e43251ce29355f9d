"""Live OPC UA feed: a subscription to data changes of the park's nodes (asyncua, optional).

Each tag is mapped to a node id (``{"T-203.LT": "ns=2;s=T203.Level"}``). The feed runs an
asyncua client in its own thread with its own event loop, subscribes to data changes of all
nodes, and turns each notification into a `twin.readings.Reading`:

- time: the DataValue's SourceTimestamp, else its ServerTimestamp, else the receive clock.
  OPC UA DateTimes are UTC by definition, so a naive datetime from an older asyncua is read
  as UTC.
- value: the Variant as a float (a Boolean as 0 or 1); any other type is rejected
  (``bad_field``).
- quality: the DataValue's StatusCode, mapped by `twin.readings.parse_quality`.

Notifications then pass the rules of `twin.feeds.rules`. A node the server refuses to
monitor (an unknown node id) is logged at ERROR and listed in ``failed_nodes`` (tag -> the
StatusCode's name); the other nodes go on. asyncua's client reconnects by
itself and re-creates the subscription (``auto_reconnect``, asyncua >= 2); the first
connection is retried with a doubling delay up to `RECONNECT_MAX_S`.

Security: ``username``/``password`` for the session, and ``security``, asyncua's string
``Policy,Mode,certificate,private_key[,server_certificate]`` (e.g.
``Basic256Sha256,SignAndEncrypt,client.pem,client.key,server.der``) for a signed and
encrypted channel (`asyncua.Client.set_security_string`).

asyncua is imported when the feed starts: without it, making a feed raises ImportError
saying how to install it, and nothing else of the twin needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC

from twin.feeds.live import LiveFeed
from twin.feeds.rules import Gate, logger
from twin.readings import Reading, parse_quality

RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 30.0


def _asyncua():
    try:
        import asyncua
    except ImportError:
        raise ImportError("the OPC UA feed needs asyncua: pip install 'parktwin[live]'") from None
    return asyncua


SECURITY_MODES = ("Sign", "SignAndEncrypt")


def check_security(text: str) -> str:
    """Check an ``--opcua-security`` string before connecting; return it, or raise
    ValueError saying what was expected: ``Policy,Mode,certificate,private_key`` with an
    optional ``,server_certificate`` (asyncua's format, `asyncua.Client.set_security_string`),
    a policy asyncua knows, a mode of `SECURITY_MODES`, and files that exist (the key may
    carry ``::password``)."""
    from pathlib import Path

    from asyncua.crypto import security_policies

    parts = [part.strip() for part in text.split(",")]
    if not 4 <= len(parts) <= 5:
        raise ValueError(
            "expected POLICY,MODE,CERT,KEY[,SERVER_CERT] (4 or 5 comma-separated values), "
            f"got {len(parts)} in {text!r}"
        )
    base = security_policies.SecurityPolicy
    policies = sorted(
        name.removeprefix("SecurityPolicy")
        for name, obj in vars(security_policies).items()
        if name.startswith("SecurityPolicy")
        and isinstance(obj, type)
        and issubclass(obj, base)
        and obj is not base
        and name != "SecurityPolicyNone"
    )
    if parts[0] not in policies:
        raise ValueError(f"unknown policy {parts[0]!r}; expected one of {', '.join(policies)}")
    if parts[1] not in SECURITY_MODES:
        raise ValueError(f"unknown mode {parts[1]!r}; expected {' or '.join(SECURITY_MODES)}")
    files = {"certificate": parts[2], "private key": parts[3].split("::", 1)[0]}
    if len(parts) == 5:
        files["server certificate"] = parts[4]
    for what, name in files.items():
        if not Path(name).is_file():
            raise ValueError(f"{what} {name!r}: no such file")
    return text


class OpcUaFeed(LiveFeed):
    """Readings from an OPC UA server's data-change subscription (see the module docstring).

    Parameters
    ----------
    url : str
        The server endpoint, ``opc.tcp://host:port/path``.
    nodes : mapping of str to str
        Tag -> node id string (``"ns=2;s=T203.Level"``).
    known_tags : iterable of str, optional
        The tags the park knows; notifications of other tags are rejected.
    log : twin.log.ReadingLog, optional
        Where accepted readings and rejected notifications are written. The feed continues
        it: readings not newer than the last logged one of their tag are rejected.
    publishing_interval_ms : float
        The subscription's publishing interval. [ms]
    username, password : str, optional
        Credentials for the session.
    security : str, optional
        The secure channel, ``Policy,Mode,certificate,private_key[,server_certificate]``.
    """

    def __init__(
        self,
        url: str,
        nodes: Mapping[str, str],
        *,
        known_tags: Iterable[str] | None = None,
        log=None,
        publishing_interval_ms: float = 100.0,
        username: str | None = None,
        password: str | None = None,
        security: str | None = None,
    ):
        self._ua = _asyncua()
        super().__init__(Gate.continuing(known_tags, log))
        self.url = url
        self.nodes = dict(nodes)
        self.log = log
        self.publishing_interval_ms = publishing_interval_ms
        self.username = username
        self.password = password
        self.security = security
        self.address = url
        self.subscribed = threading.Event()
        self.refused: str | None = None
        self.last_error: str | None = None
        self.last_message: float | None = None
        self.failed_nodes: dict[str, str] = {}
        self._tag_of: dict = {}
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),))
        self._thread.daemon = True
        self._thread.start()

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until the subscription is made; return False on timeout."""
        return self.subscribed.wait(timeout_s)

    @property
    def connected(self) -> bool:
        """Whether the subscription is made (asyncua keeps it across reconnects)."""
        return self.subscribed.is_set()

    async def _main(self) -> None:
        delay = RECONNECT_MIN_S
        while not self._stop.is_set():
            client = self._ua.Client(self.url, auto_reconnect=True)
            if self.username is not None:
                client.set_user(self.username)
                client.set_password(self.password)
            try:
                if self.security:
                    await client.set_security_string(self.security)
                await client.connect()
                await self._subscribe(client)
            except (OSError, TimeoutError, ValueError, self._ua.ua.UaError) as exc:
                self.last_error = str(exc) or type(exc).__name__
                errors = self._ua.ua.uaerrors
                if isinstance(
                    exc,
                    errors.BadUserAccessDenied
                    | errors.BadIdentityTokenInvalid
                    | errors.BadIdentityTokenRejected,
                ):
                    self.refused = self.last_error
                logger.warning("OPC UA %s: %s; retry in %g s", self.url, exc, delay)
                with contextlib.suppress(Exception):
                    await client.disconnect()
                await self._sleep(delay)
                delay = min(2 * delay, RECONNECT_MAX_S)
                continue
            try:
                await self._stop.wait()
            finally:
                await client.disconnect()

    async def _subscribe(self, client) -> None:
        handles = {tag: client.get_node(node) for tag, node in self.nodes.items()}
        self._tag_of = {node.nodeid: tag for tag, node in handles.items()}
        subscription = await client.create_subscription(self.publishing_interval_ms, self)
        results = await subscription.subscribe_data_change(list(handles.values()))
        for tag, result in zip(handles, results, strict=True):
            if isinstance(result, self._ua.ua.StatusCode):
                self.failed_nodes[tag] = result.name
                logger.error(
                    "OPC UA %s: tag %s (%s) not subscribed: %s",
                    self.url,
                    tag,
                    self.nodes[tag],
                    result.name,
                )
        self.subscribed.set()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    def datachange_notification(self, node, val, data) -> None:
        """asyncua's subscription handler: one data change of one node."""
        t_receive = time.time()
        self.last_message = time.monotonic()
        tag = self._tag_of.get(node.nodeid, str(node.nodeid))
        dv = data.monitored_item.Value
        raw = f"{node.nodeid.to_string()} {dv}"
        stamp = dv.SourceTimestamp or dv.ServerTimestamp
        if stamp is None:
            t = t_receive
        else:
            t = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
        try:
            if not isinstance(val, int | float):
                raise ValueError("not a number")
            value = float(val)
            quality = parse_quality(dv.StatusCode.value if dv.StatusCode is not None else None)
        except (ValueError, TypeError, OverflowError):
            self.gate.reject("bad_field", raw, t_receive)
            return
        reading = self.gate.admit(Reading(t, tag, value, quality), raw, t_receive)
        if reading is None:
            return
        if self.log is not None:
            self.log.append(reading)
        self._put(reading)

    def close(self) -> None:
        """Disconnect, stop the client thread, and end iteration."""
        if self._closed:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        super().close()
