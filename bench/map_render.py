"""Map benchmark: the wall time of the demo park's map and the flagship scenario's map in
headless Chromium (start, load of the page, WebGL drawing in software, screenshot).

Issue 7's target: each page renders in under 10 s. The browser tests check what the pages
draw (tests/test_viz_browser.py, tests/test_viz_animation.py); the time is measured here,
best of ``--repeat`` runs, because a shared machine's load inflates it.

Run from the repository root: ``.venv/bin/python bench/map_render.py`` (needs chromium).
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import twin
from scenarios import engine, scenario_file
from tests.test_viz_animation import FLAGSHIP, PageAt
from tests.test_viz_browser import CHROMIUM, SIZE, screenshot
from viz.animation import scenario_map
from viz.deckmap import park_map


def best_time(page, folder: Path, repeat: int) -> float:
    """Best wall time [s] of ``repeat`` headless renders of ``page``."""
    return min(screenshot(page, folder / f"shot{i}.png", folder) for i in range(repeat))


def main(repeat: int) -> int:
    if CHROMIUM is None:
        print("chromium is not installed (Debian: apt-get install chromium): not measured")
        return 1
    park = twin.load_park("demo")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = park_map(park, folder / "demo.html", title="Demo park")
        seconds = best_time(demo, folder, repeat)
        size_mb = demo.stat().st_size / 1e6
        print(f"demo park map ({size_mb:.1f} MB): {seconds:.1f} s (target < 10 s)")
        result = engine.run(scenario_file.load(FLAGSHIP), park)
        page = scenario_map(park, result, folder / "flagship.html", basemap=None, size_px=SIZE)
        seconds = best_time(PageAt(page, 900.0), folder, repeat)
        print(
            f"flagship scenario map at T+15 min ({page.stat().st_size / 1e6:.1f} MB): "
            f"{seconds:.1f} s (target < 10 s)"
        )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="renders per page (best is printed)")
    sys.exit(main(parser.parse_args().repeat))
