#!/usr/bin/env bash
# Catalogue search: Tamar's index (tamar-search, tantivy) against PostgreSQL full-text search
# (tsvector, and pg_trgm for Chinese) on the same 100,000 trilingual entries and the same
# queries, side by side in one run: index build time, search p50/p99 over a fixed query mix,
# and hit quality on the demo's labelled queries. Needs PostgreSQL on 127.0.0.1:5432 (user
# postgres, trust auth), or TAMAR_BENCH_POSTGRES=postgres://user@host:port.
# Usage: bench/search.sh [rounds] [options for the benchmark, e.g. --passes 5 --misses].
# Prints each round, then the median of each figure over the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
# Its own target folder: the benchmark is a separate Cargo project (bench/search/).
export CARGO_TARGET_DIR="${TAMAR_BENCH_TARGET:-/var/cache/tamar/target-bench}"
. scripts/lib.sh
ensure_linker

ROUNDS="${1:-5}"
shift || true

cargo build --release --quiet --manifest-path bench/search/Cargo.toml
bin="$CARGO_TARGET_DIR/release/tamar-search-bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  "$bin" "$@" | tee "$work/round-$round.log" | grep -v '^result '
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "== median of $ROUNDS rounds"
for name in $(awk '/^result / {print $2}' "$work/round-1.log"); do
  value=$(cat "$work"/round-*.log | awk -v n="$name" '$1 == "result" && $2 == n {print $3}' | median)
  printf '%-22s %s\n' "$name" "$value"
done
