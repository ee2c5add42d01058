#!/usr/bin/env bash
# Throughput and latency of the local server with wrk (64 connections, 2 threads), against a
# release build on embedded defaults: GET /v1/health and an authenticated GET /v1/users/profile,
# each next to the same request to a bare Hummingbird 2 hello-world from the same dependency
# versions (hello-bench, the floor), in alternating rounds, with the ratios; then POST
# /v1/auth/login. Prints numbers; asserts nothing.
# Usage: backend/Benchmarks/bench-local.sh [seconds per run, default 10]   (ROUNDS, default 2)
set -euo pipefail
backend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

cd "$backend"
if [ -n "${API_HANDLER_BIN:-}" ]; then
  bin="$API_HANDLER_BIN"   # e.g. the release binary test.sh built
else
  swift build -c release --product api-handler >/dev/null
  bin="$(swift build -c release --show-bin-path)/api-handler"
fi
# The floor comes from the benchmark package (Benchmarks/Package.swift), same dependency versions.
swift build -c release --package-path Benchmarks --product hello-bench >/dev/null
hello="$(swift build -c release --package-path Benchmarks --show-bin-path)/hello-bench"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# LOG_LEVEL=notice: one access-log line per request is measured separately below.
LOG_LEVEL="${BENCH_LOG_LEVEL:-notice}" "$bin" serve --port "$port" --data-dir "$work/data" >"$work/server.log" 2>&1 &
pid=$!
hello_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$hello" --port "$hello_port" >"$work/hello.log" 2>&1 &
hello_pid=$!
trap 'kill "$pid" "$hello_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$hello_port/v1/health" >/dev/null && break; sleep 0.1; done

base="http://127.0.0.1:$port/v1"
curl -sf -XPOST "$base/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"SecureP@ss123","firstName":"Bench","lastName":"User"}' >/dev/null
token="$(tail -1 "$work/data/outbox.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
curl -sf -XPOST "$base/auth/email/verify" -H 'content-type: application/json' -d "{\"token\":\"$token\"}" >/dev/null
access="$(curl -sf -XPOST "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"SecureP@ss123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
cat >"$work/bearer.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $access"
LUA

cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"SecureP@ss123"}'
LUA

summary() {
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {non2xx=$NF}
    END {printf "%-44s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", name, rps, p50, p99, (non2xx==""?0:non2xx)}'
}
rps() { awk '{for (i = 2; i <= NF; i++) if ($i == "req/s") print $(i - 1)}' <<<"$1"; }
rounds="${ROUNDS:-2}"
echo "server: $bin (log level ${BENCH_LOG_LEVEL:-notice}); floor: $hello; wrk -t2 -c64 -d${duration}s, $(nproc) cores, $rounds rounds"
declare -A total
for round in $(seq "$rounds"); do
  for target in "hello health|http://127.0.0.1:$hello_port/v1/health|" "ours health|$base/health|" \
                "hello profile|http://127.0.0.1:$hello_port/v1/users/profile|bearer" "ours profile|$base/users/profile|bearer"; do
    IFS='|' read -r name url script <<<"$target"
    args=()
    [ -n "$script" ] && args=(-s "$work/$script.lua")
    line="$(wrk -t2 -c64 -d"${duration}s" --latency "${args[@]}" "$url" | summary "round $round  $name")"
    echo "$line"
    total[$name]="$(python3 -c "print(${total[$name]:-0} + $(rps "$line"))")"
  done
done
for kind in health profile; do
  python3 -c "h=${total["hello $kind"]}; o=${total["ours $kind"]}; print(f'GET $kind: ours / bare Hummingbird req/s = {o / h:.2f} (target >= 0.9; summed over rounds)')"
done
wrk -t2 -c64 -d"${duration}s" --timeout 30s --latency -s "$work/login.lua" "$base/auth/login" | summary "POST /v1/auth/login (scrypt N=2^15,r=8,p=1)"
