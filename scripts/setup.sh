#!/usr/bin/env bash
# Create .venv and install the app's (and, with --dev, the tests') requirements.
# Idempotent: a second run with unchanged requirement files installs nothing.
#
# Python: 3.11, 3.12 or 3.13 (PyTorch 2.14.1 has wheels for them; 3.11 is what the project's
# machines test). PYTHON=/path/to/python3.12 picks one; otherwise the first supported of
# python3.12, python3.11, python3.13, python3 on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

supported() {  # supported <python>: prints its version if it is 3.11–3.13
    "$1" -c 'import sys; v = sys.version_info[:2]; print("%d.%d" % v); sys.exit(not (3, 11) <= v <= (3, 13))' 2>/dev/null
}
need_python() {
    echo "setup.sh: $1" >&2
    echo "  This app needs Python 3.11, 3.12 or 3.13 (PyTorch 2.14.1 has no wheels for others)." >&2
    echo "  Install one (python.org, your package manager, pyenv or 'uv python install 3.12')," >&2
    echo "  then run: PYTHON=python3.12 bash $0" >&2
    exit 1
}
if [ "$(uname -s)" = Darwin ] && [ "$(uname -m)" = x86_64 ]; then
    echo "setup.sh: this is an Intel Mac: PyTorch 2.14.1 has macOS wheels for Apple silicon only." >&2
    echo "  Use the Docker image, a Linux machine, or a hosted copy (README, 'Sharing it')." >&2
    exit 1
fi

if [ -x .venv/bin/python ]; then
    version="$(supported .venv/bin/python)" \
        || need_python ".venv has Python ${version:-?}; remove .venv and run again with a supported Python."
else
    if [ -n "${PYTHON:-}" ]; then
        version="$(supported "$PYTHON")" || need_python "$PYTHON is Python ${version:-?}."
    else
        PYTHON=""
        for candidate in python3.12 python3.11 python3.13 python3; do
            if command -v "$candidate" >/dev/null 2>&1 && version="$(supported "$candidate")"; then
                PYTHON="$candidate"
                break
            fi
        done
        [ -n "$PYTHON" ] || need_python "no Python 3.11–3.13 found on PATH (python3 is $(python3 --version 2>&1 || echo missing))."
    fi
    echo "setup.sh: [1/3] creating .venv with $PYTHON (Python $version)" >&2
    "$PYTHON" -m venv .venv
fi

# (no arrays with negative indexes: macOS runs this with its bash 3.2)
if [ "${1:-}" = "--dev" ]; then
    requirements=requirements-dev.txt  # includes requirements.txt
else
    requirements=requirements.txt
fi
stamp=".venv/.installed-$(cat requirements.txt "$requirements" | cksum | cut -d' ' -f1)${1:-}"
if [ -e "$stamp" ]; then
    echo "setup.sh: requirements already installed in .venv" >&2
else
    echo "setup.sh: [2/3] updating pip" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    echo "setup.sh: [3/3] installing $requirements into .venv: the first time downloads PyTorch" \
         "(Linux: ~2.8 GB with its CUDA libraries, macOS: ~0.1 GB); pip shows each package" >&2
    .venv/bin/python -m pip install --progress-bar on -r "$requirements"
    touch "$stamp"
fi
if [ "${1:-}" = "--dev" ]; then
    command -v npm >/dev/null && npm ci --prefix devtools --no-audit --no-fund  # axe-core (tests/e2e/test_screens.py)
    # Real-browser tests use the system Chromium (no browser download at test time).
    if [ ! -x /usr/bin/chromium ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    fi
    # tests/deploy/test_embed.py makes a self-signed certificate (HAProxy: serve.sh installs it).
    if ! command -v openssl >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq openssl >/dev/null
    fi
fi
