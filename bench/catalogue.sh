#!/usr/bin/env bash
# Pages at any catalogue size: the same pages, rendered afresh (any query string bypasses the
# micro-cache), from two `tamar demo` nodes side by side in one run, one with the demo's
# catalogue (about 100 entries) and one grown to 100,000 entries with `tamar import catalogue`.
# Then the micro-cache with people signed in: anonymous `/en/` alone, and while signed-in
# residents read their inbox (each read is logged).
# Usage: bench/catalogue.sh [rounds] [seconds per run] [entries]. Full release build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_linker
command -v wrk >/dev/null || apt_install wrk

ROUNDS="${1:-5}"
SECONDS_PER_RUN="${2:-10}"
ENTRIES="${3:-100000}"
CONNECTIONS=64
SMALL_PORT=18082
LARGE_PORT=18083

cargo build --release -p tamar --quiet
tamar="$CARGO_TARGET_DIR/release/tamar"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts `tamar demo` on a data folder and port; waits until it is ready (its search index has
# caught up) and has gone quiet (its background jobs done), and prints its pid.
start() {
  RUST_LOG=warn "$tamar" demo --data "$1" --addr "127.0.0.1:$2" >>"$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do curl -fs "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$2/readyz" >/dev/null || { echo "tamar on $2 did not become ready" >&2; exit 1; }
  quiet "$pid"
  echo "$pid"
}
# Waits until a process uses less than 5% of a core over two seconds.
quiet() {
  local ticks=$(getconf CLK_TCK)
  for _ in $(seq 1 300); do
    local a b
    a=$(awk '{print $14 + $15}' "/proc/$1/stat"); sleep 2; b=$(awk '{print $14 + $15}' "/proc/$1/stat")
    [ $(( (b - a) * 100 / (2 * ticks) )) -lt 5 ] && return 0
  done
}

demo_entries=$(python3 -c 'import json, glob; print(sum(len(json.load(open(f))) for f in glob.glob("crates/tamar-web-portal/demo/services-*.json") + ["crates/tamar-web-portal/demo/pages.json"]))')
echo "generating $((ENTRIES - demo_entries)) entries to add to the demo's $demo_entries"
python3 bench/catalogue/generate.py "$((ENTRIES - demo_entries))" "$work/catalogue.json"

small_pid=$(start "$work/small" "$SMALL_PORT"); pids+=("$small_pid")
# The large node: the demo's data first (its departments), then the import, then serving.
large_pid=$(start "$work/large" "$LARGE_PORT")
kill "$large_pid"; while kill -0 "$large_pid" 2>/dev/null; do sleep 0.2; done
/usr/bin/time -f "imported in %e s" "$tamar" import catalogue "$work/catalogue.json" --data "$work/large"
large_pid=$(start "$work/large" "$LARGE_PORT"); pids+=("$large_pid")

# Requests per second and p99 (ms) of one wrk run.
run() {
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${@:2}" "$1" | awk '
    /Requests\/sec/ {rps = $2}
    /^ +99%/ {v = $2; if (v ~ /us$/) p = v / 1000; else if (v ~ /ms$/) p = v + 0; else p = v * 1000}
    / Non-2xx/ {bad = $4}
    END {printf "%s %.1f %s\n", rps, p, bad ? bad : 0}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "| page | bytes, ~100 / $ENTRIES | req/s, ~100 | req/s, $ENTRIES | p99 ms, ~100 | p99 ms, $ENTRIES | ratio |"
echo "|---|---|---|---|---|---|---|"
for path in "/en/?fresh=1" "/en/topics/health?limit=20" "/tc/news?limit=20" "/api/v1/catalogue?limit=20" "/en/feeds/news.atom?limit=20"; do
  small_bytes=$(curl -fs "http://127.0.0.1:$SMALL_PORT$path" | wc -c)
  large_bytes=$(curl -fs "http://127.0.0.1:$LARGE_PORT$path" | wc -c)
  sr=(); lr=(); sp=(); lp=()
  for round in $(seq 1 "$ROUNDS"); do
    read -r r p bad < <(run "http://127.0.0.1:$SMALL_PORT$path"); sr+=("$r"); sp+=("$p")
    [ "$bad" = 0 ] || { echo "$path: $bad errors on the small node" >&2; exit 1; }
    read -r r p bad < <(run "http://127.0.0.1:$LARGE_PORT$path"); lr+=("$r"); lp+=("$p")
    [ "$bad" = 0 ] || { echo "$path: $bad errors on the large node" >&2; exit 1; }
  done
  s=$(printf '%s\n' "${sr[@]}" | median); l=$(printf '%s\n' "${lr[@]}" | median)
  sp99=$(printf '%s\n' "${sp[@]}" | median); lp99=$(printf '%s\n' "${lp[@]}" | median)
  echo "| \`$path\` | $small_bytes / $large_bytes | $s | $l | $sp99 | $lp99 | $(awk -v s="$s" -v l="$l" 'BEGIN {printf "%.2f", s / l}') |"
done

# The micro-cache while people are signed in: a resident signs in on the small node, and four
# connections read their inbox during the second half of each pair of runs.
jar="$work/cookies"
token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$SMALL_PORT/en/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" -d "next=/en/account" \
  --data-urlencode "email=chan.taiman@example.hk" -d "password=tamar-demo-2026" "http://127.0.0.1:$SMALL_PORT/en/sign-in"
session=$(awk '$6 ~ /session/ {print $6 "=" $7}' "$jar")
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
alone=(); alongside=(); alone_p=(); alongside_p=(); reads=()
for round in $(seq 1 "$ROUNDS"); do
  read -r r p _ < <(run "http://127.0.0.1:$SMALL_PORT/en/"); alone+=("$r"); alone_p+=("$p")
  wrk -t1 -c4 -d"$((SECONDS_PER_RUN + 1))s" -H "Cookie: $session" "http://127.0.0.1:$SMALL_PORT/en/account/inbox" >"$work/readers" &
  readers=$!
  read -r r p _ < <(run "http://127.0.0.1:$SMALL_PORT/en/"); alongside+=("$r"); alongside_p+=("$p")
  wait "$readers"; reads+=("$(awk '/Requests\/sec/ {print $2}' "$work/readers")")
done
a=$(printf '%s\n' "${alone[@]}" | median); b=$(printf '%s\n' "${alongside[@]}" | median)
echo
echo "cached /en/ alone: $a req/s (p99 $(printf '%s\n' "${alone_p[@]}" | median) ms); with 4 signed-in readers: $b req/s (p99 $(printf '%s\n' "${alongside_p[@]}" | median) ms), the readers $(printf '%s\n' "${reads[@]}" | median) inbox reads/s; ratio $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')"
echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s; $ROUNDS rounds; medians"
