"""Run every benchmark in this folder, one after the other, and print their figures.

Usage: python bench/run.py [NAME ...]   (names without .py; default: all)
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(names):
    scripts = [HERE / f"{n}.py" for n in names] or sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py"
    )
    failed = []
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        if subprocess.run([sys.executable, str(script)]).returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
