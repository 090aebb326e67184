#!/usr/bin/env bash
# Background work never starves requests: `/queue` latency with one
# connection while the background matcher encodes a fresh bulk load of
# CLAIMS claims, against the same server idle once it has finished (the
# server and its background thread pinned to core 0, wrk on core 1).
#
#   bash bench/starve.sh [CLAIMS] [SECONDS]   (default 100000 10; needs wrk, taskset)
#
# BIN_DIR as in bench/web.sh. Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
claims=${1:-100000}
seconds=${2:-10}
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --release -q
    BIN_DIR=target/release
fi
bin="$BIN_DIR/claimdesk"
dir=$(mktemp -d)
url="sqlite://$dir/bench.db?mode=rwc"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" bench seed --claims "$claims" --database "$url" >/dev/null 2>&1
echo "bench-user-password" | "$bin" user add bench --role editor --password-stdin --database "$url" >/dev/null
port=18095
taskset -c 0 "$bin" serve --bind 127.0.0.1:$port --database "$url" --workers 1 >"$dir/serve.log" 2>&1 &
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
. bench/desk.sh
latency() { taskset -c 1 wrk -t1 -c1 -d"${seconds}s" --latency -H "Cookie: $cookie" "$base/queue" | awk '/ 50%/ {p50=$2} / 99%/ {p99=$2} /Requests\/sec/ {r=$2} END {print "p50 " p50 ", p99 " p99 ", " r " req/s"}'; }
echo "while encoding: $(latency)"
start=$(date +%s)
until grep -q "matcher encoded" "$dir/serve.log"; do
    [ $(($(date +%s) - start)) -gt 3600 ] && { echo "the matcher did not finish in an hour" >&2; exit 1; }
    sleep 5
done
echo "the matcher finished $(($(date +%s) - start)) s after the first measurement"
echo "idle: $(latency)"
