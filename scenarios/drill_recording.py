"""Rebuild the demo park's drill recording, ``twin/demo/incident_drill.csv``.

``python -m scenarios.drill_recording`` runs ``twin.recording`` (the generator; seeded, so
the same file every time) with the leak's clouds as the twin's forecast draws them
(:class:`scenarios.source_geometry.TwinGeometry` of the demo park: NB-101's flashing jet and
its rainout pool's evaporation at the drill's true rate). The generator lives in twin/,
which may not import scenarios/, so the geometry is handed in from here.
"""

import argparse

from scenarios.source_geometry import TwinGeometry
from twin import recording
from twin.park import load_park


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(recording.OUTPUT), help="CSV file to write")
    args = parser.parse_args(argv)
    park = load_park("demo")
    print(f"wrote {recording.write(TwinGeometry(park), args.out, park)}")


if __name__ == "__main__":
    main()
