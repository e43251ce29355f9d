"""Run every benchmark script in this folder, one after the other, and print their figures.

Usage: python bench/run.py [NAME ...]   (names without .py; default: all)
A benchmark script is a ``*.py`` here that runs as a script (``__main__``); helper modules
such as ``metrics.py`` are skipped.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def scripts(names):
    if names:
        return [HERE / f"{n}.py" for n in names]
    return sorted(
        p
        for p in HERE.glob("*.py")
        if p.name != "run.py" and "__main__" in p.read_text(encoding="utf-8")
    )


def main(names):
    failed = []
    for script in scripts(names):
        print(f"== {script.stem}", flush=True)
        if subprocess.run([sys.executable, str(script)]).returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
