#!/usr/bin/env bash
# The class setup on one machine (Linux): WORKERS app processes behind HAProxy on PORT.
#
#   bash scripts/serve.sh                          # http://<this machine>:8501
#   PORT=80 WORKERS=4 bash scripts/serve.sh
#   TLS_CERT=/etc/ssl/dle.pem bash scripts/serve.sh  # HTTPS here (cert + key in one PEM file)
#
# Every process is `streamlit run app.py` on its own loopback port with ONE shared
# server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET; generated when not given) and
# DLE_WORKERS set, so each process's admission gate takes its share of the cores.
# HAProxy (Debian's package; installed with apt-get when missing) balances new browsers to
# the least busy process, keeps each browser on its process with a cookie (the websocket,
# the page and Streamlit's XSRF cookie must meet the same process) and checks
# /_stcore/health on every process.
#
# A process that dies is started again on its port (1 s, 2 s, 4 s … at most 30 s apart, each
# restart logged) and warmed before HAProxy sends it students; meanwhile HAProxy sends that
# process's students to the others (their pages reconnect by themselves, the URL keeps the
# view). Ctrl-C or SIGTERM stops everything this script started; if HAProxy itself dies the
# script stops the rest and exits, so a supervisor can start it again.
#
# Browsers that reach this server over HTTPS (TLS_CERT here, or HTTPS_FRONT=1 behind a
# TLS-terminating proxy; on a Hugging Face Space, SPACE_ID says so) get both cookies as
# SameSite=None; Secure, so the app also works embedded in another site's page (an iframe):
# over plain HTTP a browser would drop Secure cookies, so there they stay SameSite=Lax.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
[ -n "${SPACE_ID:-}" ] && : "${PORT:=7860}" "${HTTPS_FRONT:=1}"  # a Hugging Face Space
PORT="${PORT:-8501}"
BIND="${BIND:-0.0.0.0}"
TLS_CERT="${TLS_CERT:-}"
if [ -z "${HTTPS_FRONT:-}" ]; then
    HTTPS_FRONT=0; [ -n "$TLS_CERT" ] && HTTPS_FRONT=1
fi

# Cores: the CPU quota of this container (cgroup v2 cpu.max) when there is one, else nproc.
CORES="$(nproc)"
if [ -r /sys/fs/cgroup/cpu.max ]; then
    read -r quota period </sys/fs/cgroup/cpu.max
    if [ "$quota" != max ]; then
        quota_cores=$(( (quota + period - 1) / period ))
        [ "$quota_cores" -lt "$CORES" ] && CORES="$quota_cores"
    fi
fi
# Memory: the container's limit (cgroup v2 memory.max) when there is one, else the machine's.
MEMORY_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
if [ -r /sys/fs/cgroup/memory.max ] && [ "$(cat /sys/fs/cgroup/memory.max)" != max ]; then
    limit_mb=$(( $(cat /sys/fs/cgroup/memory.max) / 1048576 ))
    [ "$limit_mb" -lt "$MEMORY_MB" ] && MEMORY_MB="$limit_mb"
fi
# One app process's peak memory over a lesson (every page drawn, Play, a class): 1.2 GB with
# PyTorch's CUDA build (what PyPI installs on Linux; measured, BENCHMARKS.md "Issue 22 —
# hosting"), about 0.6 GB with the CPU build (the Docker image; 0.62 GB less at import).
# WORKERS defaults to one process per core, but never more than fit in memory (256 MB kept
# for HAProxy and the system).
if [ -z "${WORKER_MB:-}" ]; then
    if "$PYTHON" -c 'import importlib.metadata as m, sys; sys.exit(not any("nvidia" in r for r in m.requires("torch") or []))' 2>/dev/null; then
        WORKER_MB=1250
    else
        WORKER_MB=650
    fi
fi
FIT=$(( (MEMORY_MB - 256) / WORKER_MB ))
[ "$FIT" -lt 1 ] && FIT=1
DEFAULT_WORKERS=$(( CORES < FIT ? CORES : FIT ))
WORKERS="${WORKERS:-$DEFAULT_WORKERS}"
echo "serve.sh: $WORKERS app processes ($CORES cores, $MEMORY_MB MB; about $WORKER_MB MB each)" >&2

export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')}"
export DLE_WORKERS="$WORKERS"
if [ "$HTTPS_FRONT" = 1 ]; then
    export STREAMLIT_SERVER_XSRF_COOKIE_SAME_SITE=none  # Streamlit adds Secure itself
    # Partitioned (CHIPS): kept even where third-party cookies are blocked (Chrome's
    # incognito, Safari), in a jar of its own per embedding site. HAProxy adds it to
    # Streamlit's XSRF cookie too (Streamlit has no option for it).
    COOKIE_ATTR=' secure attr "SameSite=None" attr "Partitioned"'
    PARTITION_XSRF='    http-response replace-header Set-Cookie "^(_streamlit_xsrf=.*)" "\1; Partitioned"'
else
    COOKIE_ATTR=''
    PARTITION_XSRF=''
fi

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
SUPERVISORS=()
HAPROXY_PID=""
stop() {
    trap - TERM INT EXIT
    touch "$RUN_DIR/stopping"
    # Supervisors first (so none starts a process again), then what they started.
    for pid in "${SUPERVISORS[@]}" $HAPROXY_PID; do kill -TERM "$pid" 2>/dev/null || true; done
    apps=()
    for f in "$RUN_DIR"/app*.pid; do [ -e "$f" ] && apps+=("$(cat "$f")"); done
    for pid in "${apps[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do  # up to 10 s for a clean shutdown, then force
        alive=0
        for pid in "${apps[@]}" "${SUPERVISORS[@]}" $HAPROXY_PID; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${apps[@]}" "${SUPERVISORS[@]}" $HAPROXY_PID; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$RUN_DIR"
}
trap 'stop; exit 143' TERM
trap 'stop; exit 130' INT
trap 'stop' EXIT

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
haproxy_admin() {  # haproxy_admin <command>: HAProxy's runtime API (its stats socket)
    "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n"); s.recv(4096)' \
        "$RUN_DIR/haproxy.sock" "$1" 2>/dev/null || true
}
healthy() {  # healthy <port>: /_stcore/health answers on 127.0.0.1:<port>
    "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=1)' "$1" 2>/dev/null
}

# supervise <i> <port>: run app process i on <port>; start it again whenever it exits.
supervise() {
    local i="$1" port="$2" delay=1 started child status
    trap - TERM INT EXIT
    while :; do
        started=$SECONDS
        "$PYTHON" -m streamlit run app.py --server.address 127.0.0.1 --server.port "$port" \
            --server.headless true >>"$LOG_DIR/app$i.log" 2>&1 &
        child=$!
        echo "$child" >"$RUN_DIR/app$i.pid"
        echo "serve.sh: app process $i (pid $child) on 127.0.0.1:$port, log $LOG_DIR/app$i.log" >&2
        if [ -e "$RUN_DIR/ready" ]; then  # a restart: warm it before HAProxy sends students
            until healthy "$port" || ! kill -0 "$child" 2>/dev/null; do sleep 0.3; done
            "$PYTHON" scripts/warm.py home "$port" 2>/dev/null || true
            haproxy_admin "set server app/app$i state ready"
            echo "serve.sh: app process $i (pid $child) is back after $((SECONDS - started)) s" >&2
        fi
        status=0
        wait "$child" || status=$?
        [ -e "$RUN_DIR/stopping" ] && return 0
        haproxy_admin "set server app/app$i state maint"  # no students until warmed again
        [ $((SECONDS - started)) -ge 60 ] && delay=1  # it ran a while: a fresh failure
        echo "serve.sh: app process $i (pid $child) exited with status $status;" \
             "starting it again in $delay s" >&2
        sleep "$delay"
        delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
    done
}

SERVERS=""
PORTS=()
for i in $(seq "$WORKERS"); do
    port="$(free_port)"
    PORTS+=("$port")
    supervise "$i" "$port" &
    SUPERVISORS+=("$!")
    SERVERS+="    server app$i 127.0.0.1:$port check cookie app$i"$'\n'
done

# Wait until every process answers its health check before taking students.
for i in $(seq "$WORKERS"); do
    until healthy "${PORTS[$((i - 1))]}"; do
        kill -0 "${SUPERVISORS[$((i - 1))]}" 2>/dev/null || { echo "serve.sh: app process $i could not start" >&2; exit 1; }
        sleep 0.3
    done
done

# Warm every process the way a class's first browsers would (scripts/warm.py): one session
# per page, default view. WARM_UP=home warms the home page only, WARM_UP=0 not at all.
if [ "${WARM_UP:-all}" != 0 ]; then
    "$PYTHON" scripts/warm.py "${WARM_UP:-all}" "${PORTS[@]}" \
        || echo "serve.sh: warm-up failed (the app still starts)" >&2
fi
touch "$RUN_DIR/ready"

if [ -n "$TLS_CERT" ]; then
    BIND_TLS=" ssl crt $TLS_CERT"
else
    BIND_TLS=""
fi
RUN_DIR="$RUN_DIR" PORT="$PORT" BIND="$BIND" SERVERS="$SERVERS" COOKIE_ATTR="$COOKIE_ATTR" PARTITION_XSRF="$PARTITION_XSRF" BIND_TLS="$BIND_TLS" awk \
    '{ gsub("@PORT@", ENVIRON["PORT"]); gsub("@BIND@", ENVIRON["BIND"]); gsub("@RUN_DIR@", ENVIRON["RUN_DIR"]);
       gsub("@BIND_TLS@", ENVIRON["BIND_TLS"]); gsub("@COOKIE_ATTR@", ENVIRON["COOKIE_ATTR"]);
       if ($0 == "@SERVERS@") printf "%s", ENVIRON["SERVERS"];
       else if ($0 == "@PARTITION_XSRF@") print ENVIRON["PARTITION_XSRF"]; else print }' \
    deploy/haproxy.cfg >"$RUN_DIR/haproxy.cfg"
"$HAPROXY" -c -q -f "$RUN_DIR/haproxy.cfg"
"$HAPROXY" -db -f "$RUN_DIR/haproxy.cfg" &
HAPROXY_PID="$!"
SCHEME=http; [ -n "$TLS_CERT" ] && SCHEME=https
until "$PYTHON" -c 'import ssl, sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1, context=ssl._create_unverified_context())' \
        "$SCHEME://127.0.0.1:$PORT/_stcore/health" 2>/dev/null; do
    kill -0 "$HAPROXY_PID" 2>/dev/null || { echo "serve.sh: haproxy did not start" >&2; exit 1; }
    sleep 0.2
done
echo "serve.sh: $WORKERS app processes behind HAProxy (pid $HAPROXY_PID) on $SCHEME://$BIND:$PORT" >&2

# Run until a signal arrives or HAProxy exits (the supervisors never return on their own).
set +e
wait "$HAPROXY_PID"
status=$?
echo "serve.sh: HAProxy exited (status $status); stopping everything" >&2
exit "$status"
