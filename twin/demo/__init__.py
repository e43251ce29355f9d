"""Bundled drill data of the demo park: ``INCIDENT_DRILL``, a simulated (synthetic) sensor
recording made by `twin.recording`; see README.md in this folder."""

from pathlib import Path

INCIDENT_DRILL = Path(__file__).with_name("incident_drill.csv")
