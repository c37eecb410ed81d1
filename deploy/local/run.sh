#!/usr/bin/env bash
# `npm run topology`: Redis, one NHN API simulator, three gateway replicas sharing Redis, and HAProxy
# in front, on this machine, in the foreground. Ctrl-C (or SIGTERM) stops all of them, replicas first
# (each drains), and removes the temporary files. Needs Debian's redis-server and haproxy.
#
#   LB_PORT=4000 REDIS_PORT=6390 SIMULATOR_PORT=5000 GW_BASE_PORT=4001 METRICS_BASE_PORT=9465 npm run topology
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in redis-server haproxy; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing: apt-get install redis-server haproxy" >&2; exit 1; }
done

LB_PORT="${LB_PORT:-4000}"
REDIS_PORT="${REDIS_PORT:-6390}"
SIMULATOR_PORT="${SIMULATOR_PORT:-5000}"
GW_BASE_PORT="${GW_BASE_PORT:-4001}"
METRICS_BASE_PORT="${METRICS_BASE_PORT:-9465}"
export GW1_PORT=$GW_BASE_PORT GW2_PORT=$((GW_BASE_PORT + 1)) GW3_PORT=$((GW_BASE_PORT + 2)) LB_PORT

work="$(mktemp -d "${TMPDIR:-/tmp}/nhn-gateway-topology.XXXXXX")"
pids=()

stop() {
  trap - INT TERM EXIT
  echo "stopping..."
  # Replicas and the balancer first (the replicas drain), then the simulator and Redis.
  for pid in "${pids[@]:2}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:2}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:0:2}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:0:2}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  echo "stopped."
  exit 0
}
trap stop INT TERM EXIT

wait_for() { # url, name, log
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not come up; its log:" >&2
  cat "$3" >&2
  exit 1
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --maxmemory 200mb --maxmemory-policy volatile-lru >"$work/redis.log" 2>&1 &
pids+=($!)

SIMULATOR_PORT="$SIMULATOR_PORT" SIMULATOR_BUILD_DELAY_MS="${SIMULATOR_BUILD_DELAY_MS:-1000}" \
  node --import tsx src/simulator/main.ts >"$work/simulator.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$SIMULATOR_PORT/__simulator/counters" simulator "$work/simulator.log"

# The simulator's demo account (src/config.ts defaults) as the replicas' service account.
for n in 1 2 3; do
  port_var="GW${n}_PORT"
  PORT="${!port_var}" HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-info}" METRICS_PORT=$((METRICS_BASE_PORT + n - 1)) \
    NHN_IDENTITY_URL="http://127.0.0.1:$SIMULATOR_PORT" \
    NHN_TENANT_ID="${SIMULATOR_TENANT_ID:-6cdebe3eb0094910bc41f1d42ebe4cb7}" \
    NHN_USERNAME="${SIMULATOR_USERNAME:-demo@example.com}" \
    NHN_API_PASSWORD="${SIMULATOR_API_PASSWORD:-demo-api-password}" \
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT" REDIS_KEY_PREFIX="${REDIS_KEY_PREFIX:-nhn-gateway:}" \
    node --import tsx src/main.ts >"$work/gateway-$n.log" 2>&1 &
  pids+=($!)
done
for n in 1 2 3; do
  port_var="GW${n}_PORT"
  wait_for "http://127.0.0.1:${!port_var}/ready" "gateway $n" "$work/gateway-$n.log"
done

sed -e "s/\${LB_PORT}/$LB_PORT/; s/\${GW1_PORT}/$GW1_PORT/; s/\${GW2_PORT}/$GW2_PORT/; s/\${GW3_PORT}/$GW3_PORT/" \
  deploy/local/haproxy.cfg >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$LB_PORT/ready" haproxy "$work/haproxy.log"

cat <<INFO

  GraphQL (HAProxy, round robin)   http://127.0.0.1:$LB_PORT/graphql
  replicas                         http://127.0.0.1:$GW1_PORT  :$GW2_PORT  :$GW3_PORT
  metrics (Prometheus)             http://127.0.0.1:$METRICS_BASE_PORT/metrics  :$((METRICS_BASE_PORT + 1))  :$((METRICS_BASE_PORT + 2))
  Redis                            redis://127.0.0.1:$REDIS_PORT
  simulator                        http://127.0.0.1:$SIMULATOR_PORT  (controls: /__simulator/)
  logs                             $work/

Ctrl-C stops everything.
INFO

# Until a signal, or until any of them dies (then everything stops).
wait -n "${pids[@]}" || true
echo "a process of the topology exited; see its log above" >&2
for f in "$work"/*.log; do echo "== $f"; tail -5 "$f"; done
