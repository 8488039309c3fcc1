#!/usr/bin/env bash
# Pages per second and p99 at 64 connections: Tamar (`tamar demo`, SQLite, full release build)
# against nginx serving the same bytes as a static file, side by side on this machine in one
# run. Two pages: the anonymous home page `/en/` (from the micro-cache) and a signed-in
# resident's inbox `/en/account/inbox` (rendered for each request: the session looked up, the
# inbox read, the page made).
# With TAMAR_HOME_BULK=N (say 100000), the rounds are played again while the IMMD department
# sends a message to N subscribers of the transport topic at 200 a second (issue 11, item 5:
# bulk work never starves people), and the script prints both sets of medians.
# Usage: bench/home.sh [rounds] [seconds per run]. Prints the median of each and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh
ensure_linker
command -v wrk >/dev/null || apt_install wrk
command -v nginx >/dev/null || apt_install nginx-light

ROUNDS="${1:-5}"
SECONDS_PER_RUN="${2:-10}"
CONNECTIONS=64
# Tamar refuses configuration it does not know, and this is the script's, not Tamar's.
BULK="${TAMAR_HOME_BULK:-0}"
unset TAMAR_HOME_BULK
TAMAR_PORT=18080
NGINX_PORT=18081

cargo build --release -p tamar --quiet
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
  # Waits for Tamar to stop, so that a run straight after finds the port free.
  [ -n "${tamar_pid:-}" ] && kill "$tamar_pid" 2>/dev/null && wait "$tamar_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

RUST_LOG=warn "$CARGO_TARGET_DIR/release/tamar" demo --data "$work/data" --addr "127.0.0.1:$TAMAR_PORT" >"$work/tamar.log" 2>&1 &
tamar_pid=$!
# Ready once the demo is seeded and its pages answer.
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$TAMAR_PORT/en/sign-in" >/dev/null 2>&1 && break; sleep 0.1; done

# The demo resident, signed in through the HTML form (a password, no second factor).
jar="$work/jar"
token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$TAMAR_PORT/en/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=chan.taiman@example.hk" \
  -d "password=tamar-demo-2026" "http://127.0.0.1:$TAMAR_PORT/en/sign-in"
session=$(awk '$6 == "tamar_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "could not sign the resident in"; exit 1; }

mkdir -p "$work/www/en/account"
curl -fs "http://127.0.0.1:$TAMAR_PORT/en/" -o "$work/www/en/index.html"
curl -fs -H "Cookie: tamar_session=$session" "http://127.0.0.1:$TAMAR_PORT/en/account/inbox" -o "$work/www/en/account/inbox"
grep -q "/en/sign-out" "$work/www/en/account/inbox" || { echo "the inbox page is not the signed-in one"; exit 1; }
chmod -R a+rX "$work/www"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon on;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type text/html;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $work/www;
    location / { index index.html; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$NGINX_PORT/en/" >/dev/null 2>&1 && break; sleep 0.1; done
cmp -s <(curl -fs "http://127.0.0.1:$NGINX_PORT/en/") "$work/www/en/index.html" || { echo "nginx does not serve the page"; exit 1; }

# Runs wrk; prints "req/s p99-ms non-2xx-or-errors".
load() {
  local url=$1; shift
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url" >"$work/wrk.out"
  awk '
    /Requests\/sec/ {rps = $2}
    /^ +99%/ {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
    /Non-2xx/ {bad += $NF}
    /Socket errors/ {gsub(/,/, ""); bad += $4 + $6 + $8 + $10}
    END {printf "%s %s %d\n", rps, p99, bad}' "$work/wrk.out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

m() { printf '%s\n' ${runs[$1]} | median; }
ratio() { awk -v t="$1" -v n="$2" 'BEGIN {printf "%.2f", t / n}'; }
# Plays the rounds; `$1` names them in the output.
play() {
  runs=()
  for round in $(seq 1 "$ROUNDS"); do
    read -r tr tp te < <(load "http://127.0.0.1:$TAMAR_PORT/en/")
    read -r nr np ne < <(load "http://127.0.0.1:$NGINX_PORT/en/")
    read -r sr sp se < <(load "http://127.0.0.1:$TAMAR_PORT/en/account/inbox" -H "Cookie: tamar_session=$session")
    read -r mr mp me < <(load "http://127.0.0.1:$NGINX_PORT/en/account/inbox")
    runs[home_t]+="$tr "; runs[home_tp]+="$tp "; runs[home_n]+="$nr "; runs[home_np]+="$np "
    runs[inbox_t]+="$sr "; runs[inbox_tp]+="$sp "; runs[inbox_n]+="$mr "; runs[inbox_np]+="$mp "
    runs[errors]+="$((te + ne + se + me)) "
    echo "$1 round $round: /en/ tamar $tr req/s (p99 $tp ms), nginx $nr (p99 $np ms); inbox tamar $sr req/s (p99 $sp ms), nginx $mr (p99 $mp ms); $((te + ne + se + me)) errors"
  done
  echo "$1: wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s; $ROUNDS rounds; medians:"
  echo "/en/ ($(wc -c <"$work/www/en/index.html") bytes, cached): tamar $(m home_t) req/s (p99 $(m home_tp) ms), nginx $(m home_n) req/s (p99 $(m home_np) ms), ratio $(ratio "$(m home_t)" "$(m home_n)")"
  echo "/en/account/inbox ($(wc -c <"$work/www/en/account/inbox") bytes, signed in): tamar $(m inbox_t) req/s (p99 $(m inbox_tp) ms), nginx $(m inbox_n) req/s (p99 $(m inbox_np) ms), ratio $(ratio "$(m inbox_t)" "$(m inbox_n)")"
  echo "errors: $(printf '%s\n' ${runs[errors]} | awk '{s += $1} END {print s}')"
}

declare -A runs
play alone

[ "$BULK" -gt 0 ] || exit 0
seed_subscribers_sqlite "$work/data/tamar.db" "$BULK"
# The IMMD department administrator signs in (password and TOTP) and starts the send.
ojar="$work/officer-jar"
base="http://127.0.0.1:$TAMAR_PORT"
otoken=$(curl -fs -c "$ojar" -b "$ojar" "$base/en/sign-in" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -fs -o /dev/null -c "$ojar" -b "$ojar" --data-urlencode "csrf_token=$otoken" --data-urlencode "email=wong.siuming@immd.gov.hk" \
  -d "password=tamar-demo-2026" "$base/en/sign-in"
curl -fs -o /dev/null -c "$ojar" -b "$ojar" --data-urlencode "csrf_token=$otoken" -d "code=$(demo_totp)" "$base/en/sign-in/code"
officer=$(awk '$6 == "tamar_session" {print $7}' "$ojar")
[ -n "$officer" ] || { echo "could not sign the department administrator in"; exit 1; }
progress=$(curl -fs -D - -o /dev/null -H "Cookie: tamar_session=$officer" -H "Content-Type: application/json" "$base/api/v1/office/bulk-messages" \
  -d '{"audience":"topic:transport","kind":"message","subject":{"en":"Consumption voucher: registration is open","tc":"消費券：現已接受登記"},"body":{"en":"Register on the consumption voucher website.","tc":"請於消費券網站登記。"},"rate":200}' \
  | awk 'tolower($1) == "location:" {print $2}' | tr -d '\r')
[ -n "$progress" ] || { echo "the bulk message did not start"; exit 1; }
sent() { curl -fs -H "Cookie: tamar_session=$officer" "$base$progress" | python3 -c 'import json, sys; p = json.load(sys.stdin); print(p.get("delivered", p.get("sent", "?")), p.get("status", "?"))'; }
echo "bulk message to $BULK subscribers at 200 a second started; delivered, status: $(sent)"
play "during the bulk message"
echo "bulk message at the end: delivered, status: $(sent)"
