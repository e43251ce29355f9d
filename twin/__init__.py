"""The live park: assets and their state (tank inventory from level, pipeline pressure,
weather), sensor feeds (recorded, MQTT, OPC UA), alarms, plausibility checks, leak
detection, source-term estimation and the reading log.

Public face so far: ``load_park`` (a park with its chemicals checked against the property
library) and ``tank_inventory_kg``.
"""

from twin.park import load_park, tank_inventory_kg

__all__ = ["load_park", "tank_inventory_kg"]
