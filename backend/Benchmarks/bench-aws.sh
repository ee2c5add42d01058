#!/usr/bin/env bash
# Benchmark of the AWSBackend layer (a command, not a test):
#   1. SigV4 signing cost, release build (us/op over 100k signatures);
#   2. per-call latency p50/p90 of our DynamoDB GetItem / PutItem and Cognito
#      InitiateAuth against the moto emulator, next to boto3 making the same calls
#      against the same emulator, and the ratio;
#   3. POST /auth/register through the whole function (p50/p90, and the ratio to BASELINE_BIN,
#      another api-handler build, when set) and the AWS calls every route makes.
# Uses the emulator in LIFESTYLE_TEST_AWS_* when set, else starts one with motoctl.
# Env: CALLS (default 200), SIGNATURES (default 100000), PYTHON (default .venv),
#      PACKAGE_DIR (Swift package holding the aws-bench target; default backend/Benchmarks),
#      API_HANDLER_BIN (default the release api-handler of backend/).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BACKEND=$(dirname "$HERE")
REPO=$(dirname "$BACKEND")
PACKAGE_DIR=${PACKAGE_DIR:-$HERE}
PY=${PYTHON:-$REPO/.venv/bin/python}
CALLS=${CALLS:-200}
SIGNATURES=${SIGNATURES:-100000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-aws.XXXXXX")
STARTED=0

cleanup() {
  if [ "$STARTED" = 1 ]; then
    "$PY" "$BACKEND/e2e/support/motoctl.py" stop --state-dir "$WORK/moto" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building aws-bench (release) in $PACKAGE_DIR"
(cd "$PACKAGE_DIR" && swift build -c release --product aws-bench >"$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
BIN="$(cd "$PACKAGE_DIR" && swift build -c release --show-bin-path)/aws-bench"

if [ -z "${LIFESTYLE_TEST_AWS_ENDPOINT:-}" ]; then
  echo "== starting moto (SigV4 checking on)"
  INFO=$("$PY" "$BACKEND/e2e/support/motoctl.py" start --state-dir "$WORK/moto")
  STARTED=1
  field() { printf '%s' "$INFO" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
  LIFESTYLE_TEST_AWS_ENDPOINT=$(field endpoint)
  LIFESTYLE_TEST_AWS_ACCESS_KEY_ID=$(field access_key_id)
  LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY=$(field secret_access_key)
  LIFESTYLE_TEST_AWS_REGION=$(field region)
  export LIFESTYLE_TEST_AWS_ENDPOINT LIFESTYLE_TEST_AWS_ACCESS_KEY_ID LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY LIFESTYLE_TEST_AWS_REGION
fi

echo "== boto3 against $LIFESTYLE_TEST_AWS_ENDPOINT ($CALLS calls per operation)"
"$PY" "$HERE/bench_aws_boto3.py" --out "$WORK" --calls "$CALLS"

echo "== ours"
"$BIN" --signatures "$SIGNATURES" --calls "$CALLS" --setup "$WORK/setup.json" --boto3 "$WORK/boto3.json"

# 3. register latency through the whole function (a fresh emulator per build), against a
#    baseline build when BASELINE_BIN names one, and the AWS calls each route makes.
API_BIN=${API_HANDLER_BIN:-$(cd "$BACKEND" && swift build -c release --show-bin-path)/api-handler}
if [ -x "$API_BIN" ]; then
  echo "== register and AWS calls per route ($API_BIN${BASELINE_BIN:+ vs $BASELINE_BIN})"
  "$PY" "$HERE/bench_register.py" "$API_BIN" ${BASELINE_BIN:+"$BASELINE_BIN"}
else
  echo "== (no api-handler at $API_BIN: build it for the register and calls-per-route figures)"
fi
