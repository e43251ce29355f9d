#!/usr/bin/env bash
# Create bench/peers/.venv and install the peer models listed in requirements.txt.
# Usage: bash bench/peers/setup.sh   (from anywhere; needs PyPI)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
"$python" -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install --quiet --upgrade pip
"$here/.venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -m pip list --format=freeze | grep -iE '^(slabx|degadisx|hyram|scipy|numpy)=='
