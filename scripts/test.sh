#!/usr/bin/env bash
# Install (first time) and run every test layer: core, charts, locales, AppTest pages,
# real-Chromium end-to-end, deploy. Extra arguments go to pytest (both runs below).
#
# Two pytest-xdist workers (one per core of the 2-core machines this suite is timed on) share
# the tests; tests/conftest.py keeps tests that share a module's server or measurements on one
# worker. Then the few `alone` tests (timing bounds that a second worker's load would break)
# run by themselves. DLE_TEST_WORKERS=0 runs everything in one process instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .

WORKERS="${DLE_TEST_WORKERS:-2}"
if [ "$WORKERS" = 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
parallel=0
DLE_ALONE=skip .venv/bin/python -m pytest -n "$WORKERS" --dist loadgroup "$@" || parallel=$?
alone=0
DLE_ALONE=only .venv/bin/python -m pytest "$@" || alone=$?
# 5 is "no test selected": fine for one of the two runs (`bash scripts/test.sh -m core` selects
# no `alone` test), not for both.
if [ "$parallel" = 5 ] && [ "$alone" = 5 ]; then exit 5; fi
[ "$parallel" = 5 ] && parallel=0
[ "$alone" = 5 ] && alone=0
[ "$parallel" != 0 ] && exit "$parallel"
exit "$alone"
