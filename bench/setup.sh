#!/usr/bin/env bash
# What the load benchmarks need beyond `make install`:
#   wrk        (Debian) drives bench/load.py and bench/load_writes.py
#   locust     (PyPI, the `bench` extra in pyproject.toml) plays the trainees of bench/burst.py
# Needs root for wrk; otherwise it says what to install. PostgreSQL (127.0.0.1:5432, user
# postgres) and Redis (127.0.0.1:6379) are only needed for `bench/burst.py --db postgresql`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench/setup.sh: wrk is missing; run 'sudo apt-get install wrk'" >&2
    else
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
    fi
fi
"$VENV/bin/pip" install --quiet -e '.[test,bench]'
