#!/usr/bin/env bash
# The class setup on one machine: WORKERS app processes behind HAProxy on PORT.
#
#   bash scripts/serve.sh                 # http://<this machine>:8501, one process per core
#   PORT=80 WORKERS=4 bash scripts/serve.sh
#
# Every process is `streamlit run app.py` on its own loopback port with ONE shared
# server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET; generated when not given) and
# DLE_WORKERS set, so each process's admission gate takes its share of the cores.
# HAProxy (Debian's package; installed with apt-get when missing) balances new browsers to
# the least busy process, keeps each browser on its process with a cookie (the websocket,
# the page and Streamlit's XSRF cookie must meet the same process) and checks
# /_stcore/health on every process. Ctrl-C or SIGTERM stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8501}"
BIND="${BIND:-0.0.0.0}"
CORES="$(nproc)"
WORKERS="${WORKERS:-$CORES}"
PYTHON="${PYTHON:-.venv/bin/python}"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')}"
export DLE_WORKERS="$WORKERS"

if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
    echo "serve.sh: installing haproxy (Debian package)" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq haproxy >/dev/null
fi
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"

RUN_DIR="$(mktemp -d -t dle-serve.XXXXXX)"
LOG_DIR="${LOG_DIR:-$RUN_DIR}"  # give LOG_DIR to keep the app logs after stopping
mkdir -p "$LOG_DIR"
PIDS=()
stop() {
    trap - TERM INT EXIT
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do  # up to 10 s for a clean shutdown, then force
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$RUN_DIR"
}
trap 'stop; exit 143' TERM
trap 'stop; exit 130' INT
trap 'stop' EXIT

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

SERVERS=""
PORTS=()
for i in $(seq "$WORKERS"); do
    port="$(free_port)"
    PORTS+=("$port")
    "$PYTHON" -m streamlit run app.py --server.address 127.0.0.1 --server.port "$port" \
        --server.headless true >"$LOG_DIR/app$i.log" 2>&1 &
    PIDS+=("$!")
    SERVERS+="    server app$i 127.0.0.1:$port check cookie app$i"$'\n'
    echo "serve.sh: app process $i (pid $!) on 127.0.0.1:$port, log $LOG_DIR/app$i.log" >&2
done

healthy() {  # healthy <port>: /_stcore/health answers on 127.0.0.1:<port>
    "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=1)' "$1" 2>/dev/null
}

# Wait until every process answers its health check before taking students.
for i in $(seq "$WORKERS"); do
    until healthy "${PORTS[$((i - 1))]}"; do
        kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || { echo "serve.sh: app process $i died:" >&2; cat "$LOG_DIR/app$i.log" >&2; exit 1; }
        sleep 0.3
    done
done

# Warm every process the way a class's first browsers would: one session per page, default
# view. A process's first run imports torch (and its first optimizer torch._dynamo): seconds
# no student should wait for; and every page's default view is then computed and shared.
# WARM_UP=home warms the home page only, WARM_UP=0 not at all.
if [ "${WARM_UP:-all}" != 0 ]; then
    "$PYTHON" - "${WARM_UP:-all}" "${PORTS[@]}" <<'PY' || echo "serve.sh: warm-up failed (the app still starts)" >&2
import asyncio, sys
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, ".")
from ui.registry import available_pages

PAGES = [""] if sys.argv[1] == "home" else [p.url_path for p in available_pages()]

async def warm(port, page):
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = "lang=en"
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(ws.recv(), 300))
            if reply.WhichOneof("type") == "script_finished":
                return

async def warm_process(port):
    for page in PAGES:  # one page after another: the processes warm in parallel
        await warm(port, page)

async def main():
    await asyncio.gather(*(warm_process(int(port)) for port in sys.argv[2:]))

asyncio.run(main())
PY
fi

PORT="$PORT" BIND="$BIND" SERVERS="$SERVERS" awk \
    '{ gsub("@PORT@", ENVIRON["PORT"]); gsub("@BIND@", ENVIRON["BIND"]);
       if ($0 == "@SERVERS@") printf "%s", ENVIRON["SERVERS"]; else print }' \
    deploy/haproxy.cfg >"$RUN_DIR/haproxy.cfg"
"$HAPROXY" -c -q -f "$RUN_DIR/haproxy.cfg"
"$HAPROXY" -db -f "$RUN_DIR/haproxy.cfg" &
PIDS+=("$!")
until healthy "$PORT"; do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "serve.sh: haproxy did not start" >&2; exit 1; }
    sleep 0.2
done
echo "serve.sh: $WORKERS app processes behind HAProxy (pid ${PIDS[-1]}) on http://$BIND:$PORT" >&2

# Run until a signal arrives or any process exits (then stop the others too).
set +e
wait -n "${PIDS[@]}"
status=$?
echo "serve.sh: a process exited (status $status); stopping everything" >&2
exit "$status"
