#!/usr/bin/env bash
# Creates the private Python environment the end-to-end tests use to drive `switchboard serve`
# with the official `openai` client: .venv-test/ at the repository root (not committed).
#
#   bash scripts/python-venv.sh            # create or update .venv-test with the openai client
#   SWITCHBOARD_VENV=/tmp/venv bash scripts/python-venv.sh
#
# Needs python3 with the venv module (Debian: apt-get install -y python3-venv) and PyPI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SWITCHBOARD_VENV:-$root/.venv-test}"
openai_version="${OPENAI_PYTHON_VERSION:-3.51.0}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "openai==$openai_version"
"$venv/bin/python" -c 'import openai; print("openai", openai.__version__, "in", __import__("sys").prefix)'
