#!/usr/bin/env bash
# Database time per page view on PostgreSQL: seeds CLAIMS claims (plus 300
# published through the workflow) into a fresh database, starts
# `claimdesk serve --server-timing` on it, views every main page and API
# read VIEWS times, and prints each view's statements and database time
# (the `Server-Timing: db` header: every statement's round trip, summed)
# as the median and the worst. PostgreSQL's auto_explain logs every
# statement's EXPLAIN ANALYZE meanwhile; the plans of one view of each page
# are written to PLANS (default $TMPDIR/claimdesk-pg-plans.txt).
#
#   bash bench/pg_pages.sh [CLAIMS] [VIEWS]   (default 100000 20)
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and read access
# to its log (/var/log/postgresql). BIN_DIR as in bench/web.sh; PG_NAME names
# the database (default claimdesk_bench_pages); KEEP_DATABASE=1 reuses it
# when it exists instead of seeding again.
set -euo pipefail
cd "$(dirname "$0")/.."
claims=${1:-100000}
views=${2:-20}
plans=${PLANS:-${TMPDIR:-/tmp}/claimdesk-pg-plans.txt}
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --release -q
    BIN_DIR=target/release
fi
bin="$BIN_DIR/claimdesk"
name=${PG_NAME:-claimdesk_bench_pages}
url="postgres://postgres@127.0.0.1:5432/$name"
psql=(psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1)
log=$(ls -t /var/log/postgresql/postgresql-*-main.log | head -1)
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

if [ "${KEEP_DATABASE:-}" != 1 ] || ! "${psql[@]}" -d "$name" -c "SELECT 1" >/dev/null 2>&1; then
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
    "$bin" bench seed --claims "$claims" --database "$url" 2>/dev/null
    "$bin" bench report --claims 300 --runs 1 --database "$url" >/dev/null 2>&1
    echo "bench-user-password" | "$bin" user add bench --role editor --password-stdin --database "$url" >/dev/null
    "${psql[@]}" -d "$name" -c "VACUUM ANALYZE"
fi
token=$("$bin" token create --user bench --database "$url" 2>/dev/null)

port=18090
base="http://127.0.0.1:$port"
server=
start() {
    "$bin" serve --bind 127.0.0.1:$port --database "$url" --workers 1 --server-timing >>"$dir/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
}
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
start
. bench/desk.sh

pages=("/queue" "/queue?kind=hedge" "/queue?status=in_review&unassigned=1" "/claims/$claim" "/documents" "/documents/$document"
    "/dashboard" "/notifications" "/reports" "/fact-checks" "/fact-checks/$published" "/api/v1/claims" "/api/v1/claims/$claim")
view() {
    local auth=(-H "Cookie: $cookie")
    case "$1" in /api/*) auth=(-H "Authorization: Bearer $token") ;; esac
    curl -s -o /dev/null -D - "${auth[@]}" "$base$1" | tr -d '\r' | sed -n 's/^server-timing: db;dur=\([0-9.]*\);desc="\([0-9]*\) statements".*/\1 \2/ip'
}
echo "PostgreSQL, $("$bin" --version 2>/dev/null || echo claimdesk), database time per view ($views views after one to warm up):"
printf '%-40s %10s %10s %10s\n' page statements "median ms" "worst ms"
for page in "${pages[@]}"; do
    view "$page" >/dev/null # this page's caches and prepared statements
    : >"$dir/times"
    for _ in $(seq 1 "$views"); do view "$page" >>"$dir/times"; done
    sort -n "$dir/times" | awk -v page="$page" '{ t[NR] = $1; s = $2 } END { printf "%-40s %10s %10.2f %10.2f\n", page, s, t[int((NR + 1) / 2)], t[NR] }'
done
# The plans: auto_explain (EXPLAIN ANALYZE of every statement) for new
# sessions, a fresh server to open them, and one view of each page after
# one to warm up, cut out of the server's log.
stop
"${psql[@]}" -d postgres -c "ALTER DATABASE $name SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER DATABASE $name SET auto_explain.log_min_duration = 0" -c "ALTER DATABASE $name SET auto_explain.log_analyze = on"
start
: >"$plans"
for page in "${pages[@]}"; do
    view "$page" >/dev/null
    sleep 0.2
    before=$(wc -c <"$log")
    view "$page" >/dev/null
    sleep 0.5
    { echo "===== $page"; tail -c +"$((before + 1))" "$log"; } >>"$plans"
done
stop
"${psql[@]}" -d postgres -c "ALTER DATABASE $name RESET ALL"
echo "plans of one view of each page: $plans"
echo "slowest statements (auto_explain duration, ms):"
grep -o 'duration: [0-9.]* ms' "$plans" | awk '{ print $2 }' | sort -n | tail -5 | tr '\n' ' '
echo
