#!/usr/bin/env bash
# Benchmark the api-handler as a Lambda function, without Docker or AWS:
#
#   scripts/bench-lambda.sh [--processes N] [--invocations M]     (defaults: 15 and 2000)
#
# Builds the Lambda bootstrap the way Dockerfile.api-handler does (LIFESTYLE_LAMBDA_ONLY=1,
# --static-swift-stdlib, -Osize, --gc-sections, stripped), then runs `lambda-bench`, which
# spawns it against a Runtime API on loopback and prints cold start (spawn -> first answer,
# median of N processes), init time, warm p50/p99 for GET /v1/health (API Gateway v2 event)
# over M invocations, peak RSS and the stripped binary size. ENVIRONMENT=dev (AWS adapters
# configured, not called by the health route), LOG_LEVEL=info.
#
# Environment: SCRATCH (default .build-lambda), LAMBDA_SWIFTC_FLAGS (default "-Osize"),
# SKIP_BUILD=1 to reuse the last build.
set -Eeuo pipefail

BACKEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${BACKEND_DIR}"
SCRATCH="${SCRATCH:-.build-lambda}"
read -r -a SWIFTC_FLAGS <<<"${LAMBDA_SWIFTC_FLAGS:--Osize}"
XFLAGS=()
for f in "${SWIFTC_FLAGS[@]}"; do XFLAGS+=(-Xswiftc "$f"); done

build() {
  LIFESTYLE_LAMBDA_ONLY=1 swift build -c release --static-swift-stdlib --scratch-path "${SCRATCH}" \
    "${XFLAGS[@]}" -Xcc -Os -Xlinker --gc-sections -Xlinker --no-export-dynamic -Xlinker --no-pie "$@"
}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  build --product api-handler >&2
  build --product lambda-bench >&2
fi
BIN_DIR="$(build --show-bin-path)"
OUT="${SCRATCH}/lambda-bench-out"
mkdir -p "${OUT}"
cp "${BIN_DIR}/api-handler" "${OUT}/bootstrap"
strip "${OUT}/bootstrap"
printf 'unstripped: %s bytes\n' "$(stat -c %s "${BIN_DIR}/api-handler")"
"${BIN_DIR}/lambda-bench" "${OUT}/bootstrap" "$@"
