"""Sensor feeds: recorded files, MQTT and OPC UA, behind one interface.

A feed is an iterable of `twin.readings.Reading`: iterating it yields readings in the order
the twin should see them (a recording in time order; a live feed in arrival order, blocking
until the next one and ending after ``close()``). Every feed has ``rejected``, the count of
rejected messages per rule (`twin.feeds.rules`), and ``close()``; live feeds also have
``drain(timeout_s)`` for a loop that must wake up between readings.

Public names: `RecordedFeed`, `MqttFeed`, `publish_recording`, `OpcUaFeed` (needs asyncua),
`Gate` and `RULES`.
"""

from twin.feeds.mqtt import MqttFeed, publish_recording
from twin.feeds.opcua import OpcUaFeed
from twin.feeds.recorded import RecordedFeed
from twin.feeds.rules import RULES, Gate

__all__ = ["RULES", "Gate", "MqttFeed", "OpcUaFeed", "RecordedFeed", "publish_recording"]
