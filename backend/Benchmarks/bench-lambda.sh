#!/usr/bin/env bash
# Benchmark the api-handler as a Lambda function, without Docker or AWS:
#
#   Benchmarks/bench-lambda.sh [--processes N] [--invocations M]     (defaults: 15 and 2000)
#
# Builds the Lambda bootstrap the way Dockerfile.api-handler does (--product bootstrap
# --disable-default-traits, --static-swift-stdlib, -Osize, --gc-sections, stripped) and the C floor runtime
# (Benchmarks/floor/floor-runtime.c, cc -O2), then prints, each part in the same run:
#   1. `lambda-bench --floor`: cold start (spawn -> first answer, median of N processes), init
#      time, warm p50/p99 for GET /v1/health (API Gateway v2 event) over M invocations, peak RSS
#      and the stripped binary size, with the floor measured interleaved and the ratios.
#      ENVIRONMENT=dev (AWS adapters configured, not called by the health route), LOG_LEVEL=info.
#   1b. The same for the Swift floor (Benchmarks/Sources/swift-floor: the C floor's work in Swift, built with
#      the bootstrap's flags): the share of a cold start that any static-stdlib Swift binary pays.
#   2. Bearer-token verification p50: full, through the verified-token cache, and BoringSSL's
#      signature check alone (aws-bench --only-verification).
#   3. Against the moto emulator (needs the repo's .venv): warm authenticated GET
#      /v1/users/profile next to health, and the mixed workload of MIXED invocations (default
#      5000: moto, not the function, limits it; the emulator grew past 11 GiB and slowed to a
#      crawl in a 20000 run, while the function's RSS is flat from 1k on) with RSS at 1k, 2k, 5k,
#      10k, 20k (Benchmarks/bench_lambda_aws.py). MIXED=0 skips it.
#
# The bootstrap comes from the product package (backend/), the benchmark programs from
# Benchmarks/Package.swift, both with the same flags.
# Environment: SCRATCH (default .build-lambda; the benchmark package uses SCRATCH-bench), LAMBDA_SWIFTC_FLAGS (default "-Osize"),
# SKIP_BUILD=1 to reuse the last build, PYTHON (default the repo's .venv), MIXED, PIN_CPU.
set -Eeuo pipefail

BACKEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${BACKEND_DIR}"
SCRATCH="${SCRATCH:-.build-lambda}"
read -r -a SWIFTC_FLAGS <<<"${LAMBDA_SWIFTC_FLAGS:--Osize}"
XFLAGS=()
for f in "${SWIFTC_FLAGS[@]}"; do XFLAGS+=(-Xswiftc "$f"); done

FLAGS=(-c release --static-swift-stdlib "${XFLAGS[@]}" -Xcc -Os -Xlinker --gc-sections
  -Xlinker --no-export-dynamic -Xlinker --no-pie)
# The benchmark package declares no traits (SwiftPM refuses --disable-default-traits on it); it
# depends on the product package with `traits: []`, which is what the flag does for the bootstrap.
build() { swift build "${FLAGS[@]}" --disable-default-traits --scratch-path "${SCRATCH}" "$@"; }
build_bench() { swift build "${FLAGS[@]}" --package-path Benchmarks --scratch-path "${SCRATCH}-bench" "$@"; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  build --product bootstrap >&2
  build_bench --product lambda-bench >&2
  build_bench --product aws-bench >&2
  build_bench --product swift-floor >&2
fi
BIN_DIR="$(build --show-bin-path)"
BENCH_DIR="$(build_bench --show-bin-path)"
OUT="${SCRATCH}/lambda-bench-out"
mkdir -p "${OUT}"
cp "${BIN_DIR}/bootstrap" "${OUT}/bootstrap"
strip "${OUT}/bootstrap"
cc -O2 -o "${OUT}/floor-runtime" Benchmarks/floor/floor-runtime.c
strip "${OUT}/floor-runtime"
cp "${BENCH_DIR}/swift-floor" "${OUT}/swift-floor"
strip "${OUT}/swift-floor"
printf 'unstripped: %s bytes\n' "$(stat -c %s "${BIN_DIR}/bootstrap")"

# Parts 1 and 1b run on one CPU (PIN_CPU, default 1; PIN_CPU= turns it off): a function at the
# configured 512-1024 MB gets at most one vCPU's time on Lambda, and unpinned, wake-ups across this
# VM's two cores moved warm p50s by 3-4x between runs while pinned ones agree within 5 %.
PIN=()
if [[ -n "${PIN_CPU-1}" ]] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "${PIN_CPU-1}"); fi
echo "== 1. cold start and warm health, api-handler and the C floor${PIN:+ (pinned: ${PIN[*]})}"
"${PIN[@]}" "${BENCH_DIR}/lambda-bench" "${OUT}/bootstrap" --floor "${OUT}/floor-runtime" "$@"

echo "== 1b. the Swift floor (the C floor's work in Swift, the bootstrap's flags) and the C floor"
"${PIN[@]}" "${BENCH_DIR}/lambda-bench" "${OUT}/swift-floor" --floor "${OUT}/floor-runtime" "$@"

echo "== 2. bearer-token verification"
"${BENCH_DIR}/aws-bench" --only-verification --signatures 1000

PY="${PYTHON:-${BACKEND_DIR}/../.venv/bin/python}"
if [[ "${MIXED:-5000}" == 0 ]]; then
  echo "== 3. (MIXED=0: no emulator part)"
elif [[ -x "${PY}" ]]; then
  echo "== 3. authenticated route and mixed workload against the moto emulator"
  "${PY}" Benchmarks/bench_lambda_aws.py "${BENCH_DIR}/lambda-bench" "${OUT}/bootstrap" --mixed "${MIXED:-5000}" "$@"
else
  echo "== 3. (no Python venv at ${PY}: python3 -m venv .venv && .venv/bin/pip install -r backend/e2e/requirements.txt)"
fi
