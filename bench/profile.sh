#!/usr/bin/env bash
# Where a page's CPU goes: `claimdesk serve` on CLAIMS claims (SQLite,
# everything on, as bench/web.sh) pinned to core 0, wrk (32 connections)
# on core 1, `perf record --call-graph dwarf` on the server for SECONDS,
# then the inclusive share of the frames that name our code, SQLite's
# statement steps and preparation, the template and the session layer.
#
#   bash bench/profile.sh [PAGE] [CLAIMS] [SECONDS]   (default /queue 100000 6)
#
# In PAGE, `{claim}` stands for the queue's first claim and `{document}`
# for the newest document: `bash bench/profile.sh '/claims/{claim}'`.
# Builds `--profile profiling` (release code with line tables) unless
# BIN_DIR names a directory holding claimdesk and its plugins. Needs perf,
# wrk and taskset. Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
page=${1:-/queue}
claims=${2:-100000}
seconds=${3:-6}
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --profile profiling -q
    BIN_DIR=target/profiling
fi
bin="$BIN_DIR/claimdesk"
dir=$(mktemp -d)
db="$dir/bench.db"
url="sqlite://$db?mode=rwc"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" bench seed --claims "$claims" --database "$url" >/dev/null 2>&1
"$bin" bench report --claims 300 --runs 1 --database "$url" >/dev/null 2>&1
echo "bench-user-password" | "$bin" user add bench --role editor --password-stdin --database "$url" >/dev/null
port=18090
taskset -c 0 "$bin" serve --bind 127.0.0.1:$port --database "$url" --workers 1 >"$dir/serve.log" 2>&1 &
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
. bench/desk.sh
page=${page//\{claim\}/$claim}
page=${page//\{document\}/$document}
pid=$(pgrep -f "claimdesk serve --bind 127.0.0.1:$port" | head -1)
taskset -c 1 wrk -t1 -c32 -d3s -H "Cookie: $cookie" "$base$page" >/dev/null
taskset -c 1 wrk -t1 -c32 -d"$((seconds + 4))s" -H "Cookie: $cookie" "$base$page" | grep Requests/sec &
load=$!
perf record -q -F 700 -g --call-graph dwarf,16384 -p "$pid" -o "$dir/perf.data" -- sleep "$seconds" 2>/dev/null
wait "$load" || true
echo "== $page: inclusive share of the server's samples (the request thread)"
perf report -i "$dir/perf.data" --comms 'actix-rt|system' --children -g none --sort sym -q 2>/dev/null \
    | grep -E 'sqlite3_step|sqlite3LockAndPrepare|sqlite3Reprepare|pcache1Fetch|pthread_mutex|render_into|pages::html|actix_session::middleware::InnerSession|claimdesk_store::fast::run|LabelCache|pages::chrome|write_escaped' \
    | grep -v '(inlined)' | head -20 | cut -c1-140
