"""The park's geography: layers and their schema, loading and validation, the local metric
CRS, the road graph, receptor grids, and the bundled demo park.

Public face: ``load_park``, ``Park``, ``ParkError``, ``LAYERS``, ``DEMO_PARK``.
Nothing here imports the rest of parktwin.
"""

from geodata.errors import ParkError
from geodata.load import DEMO_PARK, load_park
from geodata.park import Park
from geodata.schema import LAYERS

__all__ = ["DEMO_PARK", "LAYERS", "Park", "ParkError", "load_park"]
