#!/usr/bin/env bash
# A throwaway 3-master Redis Cluster on free loopback ports, for the cluster tests (which read
# REDIS_CLUSTER_NODES). No persistence, no replicas; everything it writes stays in DIR.
#
#   test/redis/cluster.sh start DIR   starts the nodes, creates the cluster, waits until it serves every slot,
#                                     and prints REDIS_CLUSTER_NODES=127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
#   test/redis/cluster.sh stop DIR    kills the nodes started in DIR (by the pids in DIR) and removes DIR
#
# REDIS_SERVER / REDIS_CLI name other binaries (e.g. valkey-server / valkey-cli). Used by .ci/run; locally:
#   eval "export $(test/redis/cluster.sh start /tmp/ts-cluster)"; npx vitest run test/stores/redis-cluster*; test/redis/cluster.sh stop /tmp/ts-cluster
set -euo pipefail
server=${REDIS_SERVER:-redis-server}
cli=${REDIS_CLI:-redis-cli}
cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
  [ -d "$dir" ] || return 0
  # The pids are read once: a node removes its pid file as it exits, before its last log line, so waiting
  # on the files would let the rm below race that line ("Directory not empty").
  pids=()
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Wait (at most ~5 s) until the nodes have exited, so their ports are free again.
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  rm -rf "$dir" 2>/dev/null || { sleep 0.5; rm -rf "$dir"; }
}

start() {
  mkdir -p "$dir"
  ports=()
  # A node needs its port and its cluster bus port (port + 10000) free.
  for port in $(seq 7101 7199); do
    [ "${#ports[@]}" -lt 3 ] || break
    listening "$port" || listening $((port + 10000)) || ports+=("$port")
  done
  [ "${#ports[@]}" -eq 3 ] || { echo "no 3 free loopback ports in 7101-7199 (and +10000)" >&2; exit 1; }
  for port in "${ports[@]}"; do
    "$server" --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
      --cluster-node-timeout 5000 --save "" --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/$port.pid" --logfile "$dir/$port.log" >/dev/null
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 50); do "$cli" -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    "$cli" -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG || { echo "node 127.0.0.1:$port did not start (see $dir/$port.log)" >&2; exit 1; }
  done
  nodes=()
  for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
  "$cli" --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 ||
    { cat "$dir/create.log" >&2; exit 1; }
  # Every node must see the whole cluster (all slots served) before a client connects.
  for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do
      "$cli" -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
      sleep 0.1
    done
    "$cli" -h 127.0.0.1 -p "$port" cluster info | grep -q 'cluster_state:ok' || { echo "node 127.0.0.1:$port: cluster not ok" >&2; exit 1; }
  done
  (IFS=,; echo "REDIS_CLUSTER_NODES=${nodes[*]}")
}

case "$cmd" in
  start) start || { status=$?; stop; exit "$status"; } ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
