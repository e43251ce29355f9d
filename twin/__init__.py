"""The live park: assets and their state (tank inventory from level, pipeline pressure,
weather), sensor feeds (recorded, MQTT, OPC UA), graded alarms classed as process or
instrument fault, leak detection and source estimation, and the reading log.

Public face: ``load_park``, ``tank_inventory_kg``, ``Twin`` (readings in; state, alarms and
leaks out), ``Snapshot``, the settings ``AlarmSettings``, ``PlausibilitySettings`` and
``LeakSettings``, ``estimate_source``, and ``INCIDENT_DRILL`` (the demo park's simulated
drill recording). Feeds are in ``twin.feeds``, the log in ``twin.log``, what a transmitter
reports beyond its range in ``twin.transmitter``.
"""

from twin.alarms import AlarmSettings
from twin.demo import INCIDENT_DRILL
from twin.leak import LeakSettings, estimate_source
from twin.monitor import Twin
from twin.park import load_park, tank_inventory_kg
from twin.plausibility import PlausibilitySettings
from twin.state import Snapshot

__all__ = [
    "INCIDENT_DRILL",
    "AlarmSettings",
    "LeakSettings",
    "PlausibilitySettings",
    "Snapshot",
    "Twin",
    "estimate_source",
    "load_park",
    "tank_inventory_kg",
]
