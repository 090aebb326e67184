#!/usr/bin/env bash
# Page throughput: `claimdesk serve` on 100,000 claims, pinned to core 0
# with wrk pinned to core 1, against the minimal actix-web + askama +
# rusqlite pages (tests/baseline) reading the same SQLite file, in the same
# run. Every main page is measured; `/queue`, the claim page, `/documents`,
# a document page, `/dashboard` and `/fact-checks` against the baseline's
# page reading comparable rows, in ROUNDS interleaved rounds, with the
# median ratio printed.
#
#   bash bench/web.sh [CLAIMS] [ROUNDS]    (default 100000 3; needs wrk, taskset)
#
# BIN_DIR=dir runs the claimdesk, claimdesk-baseline and plugins found
# there instead of building this tree (to measure an older commit on the
# same machine). Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
claims=${1:-100000}
rounds=${2:-3}
if [ -z "${BIN_DIR:-}" ]; then
    # The default members: the binary and its built-in plugins.
    cargo build --release -q
    cargo build --release -q -p claimdesk-baseline
    BIN_DIR=target/release
fi
bin="$BIN_DIR/claimdesk"
dir=$(mktemp -d)
db="$dir/bench.db"
url="sqlite://$db?mode=rwc"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

"$bin" bench seed --claims "$claims" --database "$url" >/dev/null 2>&1
# Some published through the workflow, for the public pages and the dashboard.
"$bin" bench report --claims 300 --runs 1 --database "$url" >/dev/null 2>&1
echo "bench-user-password" | "$bin" user add bench --role editor --password-stdin --database "$url" >/dev/null

port=18080
taskset -c 0 "$bin" serve --bind 127.0.0.1:$port --database "$url" --workers 1 >"$dir/serve.log" 2>&1 &
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
. bench/desk.sh
rows=$(curl -s -H "Cookie: $cookie" "$base/queue" | grep -c 'class="row"' || true)
echo "queue page rows: $rows"

taskset -c 0 "$BIN_DIR/claimdesk-baseline" "$db" 127.0.0.1:$((port + 1)) &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + 1))/queue" >/dev/null && break; sleep 0.1; done

serve_pid=$(pgrep -f "claimdesk serve --bind 127.0.0.1:$port" | head -1)
peak=0
watch_rss() { while kill -0 "$serve_pid" 2>/dev/null; do r=$(awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status"); [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$dir/peak"; sleep 0.2; done; }
watch_rss &

rps() { taskset -c 1 wrk -t1 -c32 -d10s "$@" | awk '/Requests\/sec/ {print $2}'; }
# Warm both up first (page caches, connections, allocator), untimed.
taskset -c 1 wrk -t1 -c32 -d3s -H "Cookie: $cookie" "$base/queue" >/dev/null
taskset -c 1 wrk -t1 -c32 -d3s "http://127.0.0.1:$((port + 1))/queue" >/dev/null
ratios=()
for r in $(seq 1 "$rounds"); do
    ours=$(rps -H "Cookie: $cookie" "$base/queue")
    bare=$(rps "http://127.0.0.1:$((port + 1))/queue")
    ratio=$(awk -v a="$ours" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')
    ratios+=("$ratio")
    echo "round $r: claimdesk /queue $ours req/s, baseline $bare req/s, ratio $ratio"
done
echo "median ratio (claimdesk / baseline): $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
echo "== claimdesk /queue, one connection (latency without queueing)"
taskset -c 1 wrk -t1 -c1 -d5s --latency -H "Cookie: $cookie" "$base/queue" | grep -E "50%|99%|Requests/sec"
echo "== the other pages against the baseline's page reading comparable rows, $rounds rounds of 5 s, 32 connections"
rps5() { taskset -c 1 wrk -t1 -c32 -d5s "$@" | awk '/Requests\/sec/ {print $2}'; }
for page in "/claims/$claim" /documents "/documents/$document" /dashboard /fact-checks; do
    ratios=()
    line=""
    for r in $(seq 1 "$rounds"); do
        ours=$(rps5 -H "Cookie: $cookie" "$base$page")
        bare=$(rps5 "http://127.0.0.1:$((port + 1))$page")
        ratio=$(awk -v a="$ours" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')
        ratios+=("$ratio")
        line="$line $ours/$bare"
    done
    echo "$page: claimdesk/baseline req/s by round:$line; median ratio $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
done
echo "== pages without a baseline, 32 connections (req/s)"
for page in "/queue?kind=hedge" /notifications /reports "/fact-checks/$published"; do
    echo "$page: $(rps -H "Cookie: $cookie" "$base$page") req/s"
done
echo "claimdesk serve peak RSS under load: $(( $(cat "$dir/peak" 2>/dev/null || echo 0) / 1024 )) MiB"
