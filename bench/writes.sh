#!/usr/bin/env bash
# The write path: an officer's logged write (`POST /api/v1/office/messages`: sign-in check, the
# inbox message and its log entry in one transaction) against the same insert through plain
# sqlx without the log (bench/writes/), side by side in one run, on SQLite and on PostgreSQL.
# Full release build; wrk at 16 connections. After the runs, Tamar is stopped and
# `tamar verify-log` must pass.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or
# TAMAR_BENCH_POSTGRES=postgres://user@host:port.
# Usage: bench/writes.sh [rounds] [seconds per run] [sqlite|postgres|both].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh
ensure_linker
command -v wrk >/dev/null || apt_install wrk

ROUNDS="${1:-3}"
SECONDS_PER_RUN="${2:-10}"
BACKENDS="${3:-both}"
CONNECTIONS=16
TAMAR_PORT=18090
BASELINE_PORT=18091
PG="${TAMAR_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
OFFICER=lee.kayan@dh.gov.hk

cargo build --release -p tamar --quiet
tamar="$CARGO_TARGET_DIR/release/tamar"
CARGO_TARGET_DIR="${TAMAR_BENCH_TARGET:-/var/cache/tamar/target-bench}" \
  cargo build --release --quiet --manifest-path bench/writes/Cargo.toml
baseline="${TAMAR_BENCH_TARGET:-/var/cache/tamar/target-bench}/release/tamar-writes-baseline"

# Tamar refuses TAMAR_* variables it does not know: the server gets none of this script's.
server_env=(env)
for name in $(compgen -e | grep -E '^TAMAR_BENCH_' || true); do server_env+=(-u "$name"); done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in tamar_bench_writes tamar_bench_baseline; do psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local session = os.getenv("SESSION")
if session and session ~= "" then wrk.headers["Cookie"] = "tamar_session=" .. session end
local n = 0
request = function()
  n = n + 1
  local body = '{"to_email":"chan.taiman@example.hk","kind":"message","subject":{"en":"Appointment ' .. n ..
    ' confirmed","tc":"預約已確認"},"body":{"en":"Your appointment is confirmed for next Monday.","tc":"你的預約已確認。"}}'
  return wrk.format(nil, nil, nil, body)
end
LUA

# Signs the officer in through the HTML forms; prints the session cookie.
sign_in() {
  local base=$1 jar="$work/jar-$RANDOM" token
  token=$(curl -fs -c "$jar" -b "$jar" "$base/en/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"//')
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=$OFFICER" \
    -d "password=tamar-demo-2026" "$base/en/sign-in"
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" -d "code=$(demo_totp)" "$base/en/sign-in/code"
  awk '$6 == "tamar_session" {print $7}' "$jar"
}

# Runs wrk; prints "req/s p99-ms non-2xx".
load() {
  SESSION="$2" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$work/post.lua" "$1" >"$work/wrk.out"
  awk '
    /Requests\/sec/ {rps = $2}
    /^ +99%/ {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
    /Non-2xx/ {bad = $NF}
    END {printf "%s %s %d\n", rps, p99, bad}' "$work/wrk.out"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

wait_ready() {
  for _ in $(seq 1 600); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$1 did not become ready" >&2; exit 1
}

bench_backend() {
  local backend=$1 tamar_url baseline_url
  local data="$work/data-$backend"
  if [ "$backend" = postgres ]; then
    for db in tamar_bench_writes tamar_bench_baseline; do
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
      psql "$PG/postgres" -qc "CREATE DATABASE $db" >/dev/null
    done
    tamar_url="$PG/tamar_bench_writes"; baseline_url="$PG/tamar_bench_baseline"
  else
    tamar_url="sqlite://$data/tamar.db"; baseline_url="sqlite://$work/baseline.db"
  fi
  local db_env=()
  [ "$backend" = postgres ] && db_env=(TAMAR_DATABASE_URL="$tamar_url")
  "${server_env[@]}" "${db_env[@]}" RUST_LOG=warn "$tamar" demo --data "$data" --addr "127.0.0.1:$TAMAR_PORT" >"$work/tamar-$backend.log" 2>&1 &
  local tamar_pid=$!; pids+=("$tamar_pid")
  "$baseline" "$baseline_url" "127.0.0.1:$BASELINE_PORT" >"$work/baseline-$backend.log" 2>&1 &
  local baseline_pid=$!; pids+=("$baseline_pid")
  wait_ready "http://127.0.0.1:$TAMAR_PORT"
  local session
  session=$(sign_in "http://127.0.0.1:$TAMAR_PORT")
  [ -n "$session" ] || { echo "could not sign the officer in" >&2; exit 1; }
  local t_rps=() t_p99=() b_rps=() b_p99=() errors=0
  for round in $(seq 1 "$ROUNDS"); do
    read -r tr tp te < <(load "http://127.0.0.1:$TAMAR_PORT/api/v1/office/messages" "$session")
    read -r br bp be < <(load "http://127.0.0.1:$BASELINE_PORT/messages" "")
    t_rps+=("$tr"); t_p99+=("$tp"); b_rps+=("$br"); b_p99+=("$bp"); errors=$((errors + te + be))
    echo "$backend round $round: tamar $tr writes/s (p99 $tp ms, $te errors), plain sqlx $br/s (p99 $bp ms, $be errors)"
  done
  kill -TERM "$tamar_pid"; wait "$tamar_pid" || true
  kill "$baseline_pid"; wait "$baseline_pid" 2>/dev/null || true
  "${server_env[@]}" "${db_env[@]}" "$tamar" verify-log --data "$data" | grep -v "^No --public-key"
  local t b
  t=$(printf '%s\n' "${t_rps[@]}" | median); b=$(printf '%s\n' "${b_rps[@]}" | median)
  echo "$backend median: tamar $t writes/s (p99 $(printf '%s\n' "${t_p99[@]}" | median) ms), plain sqlx $b/s (p99 $(printf '%s\n' "${b_p99[@]}" | median) ms), ratio $(awk -v t="$t" -v b="$b" 'BEGIN {printf "%.2f", t / b}'), $errors errors"
}

echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s; $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
case "$BACKENDS" in
  both) bench_backend sqlite; bench_backend postgres ;;
  *) bench_backend "$BACKENDS" ;;
esac
