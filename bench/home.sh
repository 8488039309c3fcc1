#!/usr/bin/env bash
# Home page requests per second: Tamar (`tamar demo`, SQLite, full release build) against nginx
# serving the same bytes as a static file, side by side on this machine in one run.
# Usage: bench/home.sh [rounds] [seconds per run]. Prints the median of each and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_linker
command -v wrk >/dev/null || apt_install wrk
command -v nginx >/dev/null || apt_install nginx-light

ROUNDS="${1:-5}"
SECONDS_PER_RUN="${2:-10}"
CONNECTIONS=64
TAMAR_PORT=18080
NGINX_PORT=18081

cargo build --release -p tamar --quiet
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
  [ -n "${tamar_pid:-}" ] && kill "$tamar_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

RUST_LOG=warn "$CARGO_TARGET_DIR/release/tamar" demo --data "$work/data" --addr "127.0.0.1:$TAMAR_PORT" >"$work/tamar.log" 2>&1 &
tamar_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$TAMAR_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

mkdir -p "$work/www/en"
curl -fs "http://127.0.0.1:$TAMAR_PORT/en/" -o "$work/www/en/index.html"
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

rps() { wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

tamar_runs=(); nginx_runs=()
for round in $(seq 1 "$ROUNDS"); do
  t=$(rps "http://127.0.0.1:$TAMAR_PORT/en/"); n=$(rps "http://127.0.0.1:$NGINX_PORT/en/")
  tamar_runs+=("$t"); nginx_runs+=("$n")
  echo "round $round: tamar $t req/s, nginx $n req/s"
done
t=$(printf '%s\n' "${tamar_runs[@]}" | median)
n=$(printf '%s\n' "${nginx_runs[@]}" | median)
ratio=$(awk -v t="$t" -v n="$n" 'BEGIN {printf "%.2f", t / n}')
bytes=$(wc -c <"$work/www/en/index.html")
echo "page: /en/ ($bytes bytes); wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s; $ROUNDS rounds"
echo "median: tamar $t req/s, nginx $n req/s, ratio $ratio"
