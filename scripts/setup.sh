#!/usr/bin/env bash
# Create .venv and install the app's (and, with --dev, the tests') requirements.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
    command -v npm >/dev/null && npm ci --prefix devtools --no-audit --no-fund  # axe-core (tests/e2e/test_screens.py)
    # Real-browser tests use the system Chromium (no browser download at test time).
    if [ ! -x /usr/bin/chromium ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    fi
else
    .venv/bin/python -m pip install --quiet -r requirements.txt
fi
