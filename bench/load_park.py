"""How long loading the demo park takes (target: under 2 s).

Cold: a fresh interpreter imports parktwin and loads the park, chemical look-ups included.
Warm: the same call again in one process (library tables cached), best of five.
"""

import subprocess
import sys
import time

COLD = """
import time
t0 = time.perf_counter()
from twin import load_park
t1 = time.perf_counter()
park = load_park("demo")
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f}")
"""


def main():
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True)
    imports, cold = (float(v) for v in out.stdout.split())
    from twin import load_park

    load_park("demo")
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        park = load_park("demo")
        warm.append(time.perf_counter() - t0)
    n = sum(len(frame) for frame in park.layers.values())
    print("load_park('demo'):")
    print(f"  features          {n}")
    print(f"  imports (cold)    {imports:.3f} s")
    print(f"  load (cold)       {cold:.3f} s")
    total = imports + cold
    print(f"  total (cold)      {total:.3f} s   target < 2 s: {'met' if total < 2 else 'NOT met'}")
    print(f"  load (warm, best) {min(warm):.3f} s")


if __name__ == "__main__":
    main()
