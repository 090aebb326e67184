#!/usr/bin/env bash
# The fast profile end to end on one core: `claimdesk check --profile fast
# --format json` over 10 MB of LIAR statements (joined in fives, as
# tests/src/lib.rs's bench::corpus does), with only the ten built-in plugins
# beside the binary: a `--workspace` build also leaves the test plugins in
# target/release, and `check` loads every plugin beside the executable.
#
#   bash bench/fast_profile.sh [RUNS] [OTHER]     (default 10 runs; needs taskset, python3)
#
# OTHER: a directory holding another build's claimdesk and plugins (say an
# older commit's target/release), run interleaved with this one for a
# comparison on the same machine (an old build without --profile runs its
# word models, which is what the fast profile was). Prints the fastest, the
# median and the slowest run, MB/s at the median and the peak RSS. The LIAR
# file is ../shared/data/verdicts/liar_train.tsv or $CLAIMDESK_LIAR. Figures
# go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
other=${2:-}
liar=${CLAIMDESK_LIAR:-../shared/data/verdicts/liar_train.tsv}
[ -f "$liar" ] || { echo "no LIAR file at $liar (set CLAIMDESK_LIAR)" >&2; exit 2; }
if [ -n "$other" ] && [ ! -x "$other/claimdesk" ]; then
    echo "no claimdesk in $other" >&2
    exit 2
fi
cargo build --release -q
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$liar" "$dir/liar10.txt" <<'EOF'
import sys
statements = [line.split("\t")[2] for line in open(sys.argv[1], encoding="utf-8") if line.count("\t") >= 2]
text, i = [], 0
size = 0
while size < 10_000_000:
    s = statements[i % len(statements)] + ("\n\n" if i % 5 == 4 else " ")
    text.append(s)
    size += len(s.encode())
    i += 1
open(sys.argv[2], "w", encoding="utf-8").write("".join(text))
EOF

copy() {
    mkdir -p "$2"
    cp "$1/claimdesk" "$2/"
    for p in attribution checkworthiness hedges numbers predictions quotes rules subjectivity superlatives vague; do
        cp "$1/libclaimdesk_plugin_$p.so" "$2/"
    done
}
copy target/release "$dir/this"
builds=(this)
if [ -n "$other" ]; then
    copy "$other" "$dir/other"
    builds+=(other)
fi
bytes=$(wc -c < "$dir/liar10.txt")
declare -A profile
for b in "${builds[@]}"; do
    profile[$b]=""
    "$dir/$b/claimdesk" check --help | grep -q -- '--profile' && profile[$b]="--profile fast"
done
for _ in $(seq 1 "$runs"); do
    for b in "${builds[@]}"; do
        # shellcheck disable=SC2086 # the profile option is one or no word pair
        /usr/bin/time -a -o "$dir/times" -f "$b %e %M" taskset -c 0 "$dir/$b/claimdesk" check ${profile[$b]} --format json "$dir/liar10.txt" >/dev/null 2>&1
    done
done
for b in "${builds[@]}"; do
    grep "^$b " "$dir/times" | sort -k2 -n | awk -v b="$b" -v bytes="$bytes" '
        { t[NR] = $2; if ($3 > rss) rss = $3 }
        END { med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
              printf "%-5s %d runs over %d bytes: fastest %.2f s, median %.3f s, slowest %.2f s; %.1f MB/s at the median; peak RSS %d KB\n", b, NR, bytes, t[1], med, t[NR], bytes / 1e6 / med, rss }'
done
