#!/usr/bin/env bash
# Install (first time) and run every test layer: core, charts, locales, AppTest pages,
# real-Chromium end-to-end. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
