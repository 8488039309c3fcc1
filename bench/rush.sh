#!/usr/bin/env bash
# The registration rush: a day like the opening of Hong Kong's 2021 consumption-voucher
# registration, played against `tamar demo` by the load generator in bench/rush/ (a Cargo
# project of its own, built into /var/cache/tamar/target-bench), on SQLite and on PostgreSQL.
# Virtual residents register (the verification link comes from the demo's mail outbox), verify
# their address, sign in with a password, and some add a passkey (a software authenticator) and
# sign in with it; signed-in residents read their inbox and who accessed their data; anonymous
# visitors browse and search in English and Chinese; a department administrator sends a message
# to everyone and follows its progress. Each step is its own kind of request, reported with its
# count, rate, p50, p99, errors and deferred requests (503 with Retry-After, waited out), with
# the server's memory after the warm-up and at the end (goal: less than 10% growth). After each
# run Tamar is stopped and `tamar verify-log` must pass.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or
# TAMAR_BENCH_POSTGRES=postgres://user@host:port.
# Usage: bench/rush.sh [seconds] [connections] [sqlite|postgres|both] (default 60 256 both).
# Full release build. TAMAR_RUSH_WARMUP sets the warm-up (10 s); TAMAR_RUSH_SUBSCRIBERS the
# subscribers the bulk message goes to (100,000, seeded before the run); TAMAR_RUSH_ARGS passes more
# options to the generator (`--help` lists them); TAMAR_BENCH_BIN runs a tamar binary already
# built (a dev build, say) instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh
ensure_linker

RUN_SECONDS="${1:-60}"
CONNECTIONS="${2:-256}"
BACKENDS="${3:-both}"
WARMUP="${TAMAR_RUSH_WARMUP:-10}"
# Subscribers of the transport topic, whom the bulk message goes to (the demo alone has a few
# dozen accounts).
SUBSCRIBERS="${TAMAR_RUSH_SUBSCRIBERS:-100000}"
PORT=18200
PG="${TAMAR_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
DB=tamar_bench_rush

case "$BACKENDS" in sqlite|postgres|both) ;; *) echo "usage: bench/rush.sh [seconds] [connections] [sqlite|postgres|both]" >&2; exit 2 ;; esac

if [ -n "${TAMAR_BENCH_BIN:-}" ]; then
  tamar="$TAMAR_BENCH_BIN"
else
  cargo build --release -p tamar --quiet
  tamar="$CARGO_TARGET_DIR/release/tamar"
fi
bench_target="${TAMAR_BENCH_TARGET:-/var/cache/tamar/target-bench}"
CARGO_TARGET_DIR="$bench_target" cargo build --release --quiet --manifest-path bench/rush/Cargo.toml
rush="$bench_target/release/tamar-rush"

# Tamar refuses TAMAR_* variables it does not know: the server gets none of this script's.
server_env=(env)
for name in $(compgen -e | grep -E '^TAMAR_(BENCH|RUSH)_' || true); do server_env+=(-u "$name"); done

# Each virtual user holds a connection; the server holds one for each of them.
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits until the server at a URL is ready (its search index has caught up); gives up, with
# its log, if the process (pid) ends first.
wait_ready() {
  for _ in $(seq 1 1200); do
    curl -fs "$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "tamar stopped before it was ready:" >&2; tail -5 "$3" >&2; exit 1; }
    sleep 0.25
  done
  echo "$1 did not become ready" >&2; exit 1
}

# The people the department's bulk message goes to: SUBSCRIBERS subscriptions to the transport
# topic, written as Tamar writes them (the rows need no account: the message waits in the
# inbox of the account id).
seed_subscribers() {
  [ "$SUBSCRIBERS" -gt 0 ] || return 0
  if [ "$1" = postgres ]; then
    psql "$PG/$DB" -qc "INSERT INTO portal_subscriptions (account_id, target, lang, created_at)
      SELECT gen_random_uuid()::text, 'topic:transport', 'en', 0 FROM generate_series(1, $SUBSCRIBERS)" >/dev/null
  else
    seed_subscribers_sqlite "$2/tamar.db" "$SUBSCRIBERS"
  fi
}

run_backend() {
  local backend=$1
  local data="$work/data-$backend" db_env=() status=0
  if [ "$backend" = postgres ]; then
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
    db_env=(TAMAR_DATABASE_URL="$PG/$DB")
  fi
  local log="$work/tamar-$backend.log"
  "${server_env[@]}" "${db_env[@]}" RUST_LOG=warn "$tamar" demo --data "$data" --addr "127.0.0.1:$PORT" >"$log" 2>&1 &
  local pid=$!; pids+=("$pid")
  wait_ready "http://127.0.0.1:$PORT" "$pid" "$log"
  seed_subscribers "$backend" "$data"
  echo
  echo "== $backend: $tamar, ${WARMUP} s warm-up + ${RUN_SECONDS} s, $CONNECTIONS connections; load $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086 # TAMAR_RUSH_ARGS is a list of options
  "$rush" --url "http://127.0.0.1:$PORT" --data "$data" --pid "$pid" \
    --seconds "$RUN_SECONDS" --warmup "$WARMUP" --connections "$CONNECTIONS" \
    --bulk-audience "$([ "$SUBSCRIBERS" -gt 0 ] && echo topic:transport || echo everyone)" ${TAMAR_RUSH_ARGS:-} || status=$?
  local exited=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" || true
  else
    local code=0; wait "$pid" || code=$?
    exited="tamar exited during the run, with status $code"
  fi
  # Every 5xx is logged at ERROR, the sign-in queue's deliberate 503 too: count those apart.
  local errors busy plain="$work/tamar-$backend.txt"
  sed 's/\x1b\[[0-9;]*m//g' "$log" >"$plain"
  errors=$(grep -c ' ERROR ' "$plain" || true)
  busy=$(grep ' ERROR ' "$plain" | grep -c '503 Service Unavailable' || true)
  echo "server log: $errors lines at ERROR ($busy of them 503 busy)"
  # The others, by message (without the time and latency), most frequent first.
  grep ' ERROR \| WARN ' "$plain" | grep -v '503 Service Unavailable' | sed 's/^[^ ]* //; s/latency=[0-9]* [a-z]*//' \
    | sort | uniq -c | sort -rn | head -5 || true
  if [ -n "$exited" ]; then
    echo "$exited; its log ends:"
    tail -20 "$plain"
    cp "$log" "/tmp/tamar-rush-$backend-$pid.log" && echo "(the whole log: /tmp/tamar-rush-$backend-$pid.log)"
  fi
  echo "verify-log: $("${server_env[@]}" "${db_env[@]}" "$tamar" verify-log --data "$data" 2>&1 | tail -1)"
  [ "$status" = 0 ] || { echo "the generator failed ($status)" >&2; exit "$status"; }
}

case "$BACKENDS" in
  both) run_backend sqlite; run_backend postgres ;;
  *) run_backend "$BACKENDS" ;;
esac
