#!/usr/bin/env bash
# Install (first time) and start the app for one machine: http://localhost:8501
#
#   bash scripts/run.sh                  # PORT=8599 bash scripts/run.sh for another port
#   bash scripts/run.sh --server.address 127.0.0.1   # extra arguments go to streamlit run
#   WARM_UP=all bash scripts/run.sh      # every page drawn once before the address
#
# The address is printed once the home page has been drawn once (torch imported, the first
# view and its neighbours computed) and the app is quiet again, so the first browser does not
# wait for that.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${PORT:-8501}"

echo "run.sh: starting the app (the first start imports PyTorch: a few seconds)" >&2
LOG="$(mktemp -t dle-run.XXXXXX)"
.venv/bin/python -m streamlit run app.py --server.port "$PORT" --server.headless true "$@" \
    >"$LOG" 2>&1 &
APP=$!
TAIL=""
stop() { kill -TERM "$APP" $TAIL 2>/dev/null; wait "$APP" 2>/dev/null; rm -f "$LOG"; }
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
until .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=1)' "$PORT" 2>/dev/null; do
    if ! kill -0 "$APP" 2>/dev/null; then
        cat "$LOG" >&2
        echo "run.sh: the app did not start (is port $PORT taken? PORT=8599 bash scripts/run.sh)" >&2
        rm -f "$LOG"
        exit 1
    fi
    sleep 0.3
done
# WARM_UP=all: every page's default view before the address (for a class that starts on a
# concept page's link; each page computes once first), WARM_UP=0: none.
WARM_UP="${WARM_UP:-home}"
if [ "$WARM_UP" != 0 ]; then
    .venv/bin/python scripts/warm.py "$WARM_UP" "$PORT" || echo "run.sh: warm-up failed (the app still runs)" >&2
fi
# What the warm-up set off (each drawn page's next presses, computed in the background by
# ui.compute's prefetch) ends before the first browser comes, instead of sharing the process.
.venv/bin/python scripts/warm.py settle "$APP" || true
ADDRESS="$(hostname -I 2>/dev/null | awk '{print $1}' || true)"
echo
echo "  Deep Learning Explorer is ready:  http://localhost:$PORT"
[ -n "$ADDRESS" ] && echo "  On this network:                  http://$ADDRESS:$PORT"
echo "  Stop it with Ctrl-C."
echo
# From here on, the app's own log (its start-up lines were in $LOG; errors follow).
tail -n 0 -f "$LOG" &
TAIL=$!
set +e
wait "$APP"
status=$?
kill "$TAIL" 2>/dev/null
rm -f "$LOG"
exit "$status"
