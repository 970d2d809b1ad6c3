#!/usr/bin/env bash
# Serve the app to a class: several `streamlit run app.py` replicas behind HAProxy (sticky sessions).
#
#   deploy/start.sh [--replicas N] [--port PORT] [--address ADDR] [--first-port P] [--run-dir DIR] \
#                   [-- STREAMLIT_OPTIONS...]
#
#   --replicas N     streamlit processes (default 2: one per core of a 2-core machine)
#   --port PORT      where students connect (default 8501)
#   --address ADDR   the proxy's address (default 0.0.0.0: every interface)
#   --first-port P   replica i listens on 127.0.0.1:P+i-1 (default 8601)
#   --run-dir DIR    the generated haproxy.cfg and the logs (default: a new temporary folder)
#   after --          passed to every replica, e.g. -- --server.disconnectedSessionTTL 60
#
# Environment: PYTHON (default .venv/bin/python), HAPROXY (default: haproxy on PATH or
# /usr/sbin/haproxy; Debian: apt-get install haproxy), RNN_LAB_DATA and RNN_LAB_STORE_MB (the
# data folder every replica shares, with its model store: see README). Prints "ready: URL" once
# every replica and the proxy answer /_stcore/health, then runs until HAProxy ends or it gets
# Ctrl-C / SIGTERM, and stops every process it started.
#
# Healing: each replica runs under a supervisor loop that starts it again when it dies (after 1 s,
# longer while it keeps dying at once), and writes its current PID to RUN_DIR/replica-rN.pid.
# HAProxy's health check takes a dead replica out of rotation and puts it back once it answers;
# a student's tab reconnects to a live replica with the same link, and ?model=<id> in that link
# reopens their model from the shared model store. A replica that dies before the first "ready"
# is a configuration problem: the script stops instead of restarting it.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=2 port=8501 address=0.0.0.0 first_port=8601 run_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --first-port) first_port="$2"; shift 2 ;;
    --run-dir) run_dir="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "deploy/start.sh: unknown option $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done
case "$replicas$port$first_port" in
  *[!0-9]*) echo "deploy/start.sh: --replicas, --port and --first-port take whole numbers" >&2; exit 2 ;;
esac
[ "$replicas" -ge 1 ] || { echo "deploy/start.sh: --replicas must be at least 1" >&2; exit 2; }

PYTHON="${PYTHON:-.venv/bin/python}"
HAPROXY="${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
[ -x "$HAPROXY" ] || { echo "deploy/start.sh: haproxy not found (apt-get install -y haproxy)" >&2; exit 1; }
run_dir="${run_dir:-$(mktemp -d -t rnn-lab-deploy.XXXXXX)}"
mkdir -p "$run_dir"

pids=()
stop_all() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop_all EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Wait until every URL answers 200; give up when a process this script started has exited.
wait_healthy() {
  STARTED="${pids[*]}" "$PYTHON" - "$@" <<'EOF'
import os, sys, time, urllib.request
def exited(pid):  # an exited child stays a zombie (state Z) until the script waits for it
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True
deadline = time.monotonic() + 120
for url in sys.argv[1:]:
    while True:
        dead = [p for p in os.environ["STARTED"].split() if exited(p)]
        if dead:
            sys.exit(f"deploy/start.sh: process {dead[0]} exited before {url} was healthy; see the logs")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"deploy/start.sh: {url} not healthy after 120 s")
        time.sleep(0.3)
EOF
}

# Run replica $1 on port $2 (streamlit options after that) until TERM, starting it again whenever
# it exits. Runs in a background subshell: TERM stops its replica (or its pause) and ends it.
supervise() {
  local name="$1" port="$2" child started status backoff=1
  shift 2
  trap 'kill $(jobs -p) 2>/dev/null; wait; exit 0' TERM
  while true; do
    started=$SECONDS
    "$PYTHON" -m streamlit run app.py --server.headless true --server.address 127.0.0.1 \
      --server.port "$port" --browser.gatherUsageStats false --server.fileWatcherType none "$@" \
      >> "$run_dir/replica-$name.log" 2>&1 &
    child=$!
    echo "$child" > "$run_dir/replica-$name.pid"
    status=0
    wait "$child" || status=$?
    [ -e "$run_dir/ready" ] || exit 1  # died while starting: options or environment are wrong
    kill -0 "$$" 2>/dev/null || exit 0  # this script is gone (kill -9): leave nothing running behind it
    backoff=$(( SECONDS - started < 10 ? (backoff < 16 ? backoff * 2 : 30) : 1 ))  # dying at once: wait longer
    echo "deploy/start.sh: replica $name (pid $child) exited with status $status; restarting it in $backoff s" \
      | tee -a "$run_dir/replica-$name.log" >&2
    sleep "$backoff" & wait $! || true
  done
}

cp deploy/haproxy.cfg "$run_dir/haproxy.cfg"
rm -f "$run_dir/ready"
health=()
for ((i = 1; i <= replicas; i++)); do
  p=$((first_port + i - 1))
  supervise "r$i" "$p" "$@" &
  pids+=($!)
  echo "    server r$i 127.0.0.1:$p check cookie r$i" >> "$run_dir/haproxy.cfg"
  health+=("http://127.0.0.1:$p/_stcore/health")
done
wait_healthy "${health[@]}"
touch "$run_dir/ready"

PROXY_ADDR="$address" PROXY_PORT="$port" "$HAPROXY" -db -f "$run_dir/haproxy.cfg" \
  > "$run_dir/haproxy.log" 2>&1 &
proxy=$!
pids+=($proxy)
local_address="$address"
[ "$address" != 0.0.0.0 ] || local_address=127.0.0.1
wait_healthy "http://$local_address:$port/_stcore/health"
last_port=$((first_port + replicas - 1))
echo "ready: http://$local_address:$port/ ($replicas replicas on 127.0.0.1:$first_port-$last_port; logs in $run_dir)"
wait "$proxy"
