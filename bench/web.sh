#!/usr/bin/env bash
# Queue page throughput: `claimdesk serve` against the minimal actix-web +
# askama + rusqlite page (tests/baseline), both reading the same SQLite file,
# each pinned to core 0 with wrk pinned to core 1, in the same run.
#
#   bash bench/web.sh [CLAIMS]        (default 100000; needs wrk, taskset)
#
# Prints requests/s and latency percentiles of both, their ratio, and the
# server's peak RSS under load. Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
claims=${1:-100000}
cargo build --release -q -p claimdesk -p claimdesk-baseline
bin=target/release/claimdesk
dir=$(mktemp -d)
db="$dir/bench.db"
url="sqlite://$db?mode=rwc"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

"$bin" bench seed --claims "$claims" --database "$url" >/dev/null
echo "bench-user-password" | "$bin" user add bench --role checker --password-stdin --database "$url" >/dev/null

port=18080
taskset -c 0 "$bin" serve --bind 127.0.0.1:$port --database "$url" --workers 1 >"$dir/serve.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
jar="$dir/jar"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf_token=$token&name=bench&password=bench-user-password" "http://127.0.0.1:$port/login"
cookie=$(awk '$6 == "claimdesk_session" { print "claimdesk_session=" $7 }' "$jar")
rows=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/queue" | grep -c 'class="row"' || true)
echo "queue page rows: $rows"

taskset -c 0 target/release/claimdesk-baseline "$db" 127.0.0.1:$((port + 1)) &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + 1))/queue" >/dev/null && break; sleep 0.1; done

serve_pid=$(pgrep -f "claimdesk serve --bind 127.0.0.1:$port" | head -1)
peak=0
watch_rss() { while kill -0 "$serve_pid" 2>/dev/null; do r=$(awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status"); [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$dir/peak"; sleep 0.2; done; }
watch_rss &

run() { taskset -c 1 wrk -t1 -c32 -d10s --latency "$@"; }
# Warm both up first (page caches, connections, allocator), untimed.
taskset -c 1 wrk -t1 -c32 -d3s -H "Cookie: $cookie" "http://127.0.0.1:$port/queue" >/dev/null
taskset -c 1 wrk -t1 -c32 -d3s "http://127.0.0.1:$((port + 1))/queue" >/dev/null
echo "== claimdesk /queue ($claims claims)"
run -H "Cookie: $cookie" "http://127.0.0.1:$port/queue" | tee "$dir/ours"
echo "== baseline /queue"
run "http://127.0.0.1:$((port + 1))/queue" | tee "$dir/base"
echo "== claimdesk /queue, one connection (latency without queueing)"
taskset -c 1 wrk -t1 -c1 -d5s --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/queue" | grep -E "50%|99%|Requests/sec"
ours=$(awk '/Requests\/sec/ {print $2}' "$dir/ours")
base=$(awk '/Requests\/sec/ {print $2}' "$dir/base")
echo "ratio (claimdesk / baseline): $(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
echo "claimdesk serve peak RSS under load: $(( $(cat "$dir/peak" 2>/dev/null || echo 0) / 1024 )) MiB"
