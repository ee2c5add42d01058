#!/usr/bin/env bash
# The full test suite: installs what it needs, builds once, runs every test.
#   Swift unit and integration tests (XCTest), the black-box API suite against the embedded
#   backend, through the Lambda runtime and against the AWS emulator, the infrastructure
#   rehearsal and the static checks.
# Usage: backend/scripts/test.sh            (from anywhere in the repo)
# Env:   LIFESTYLE_TEST_ONLY="swift api-embedded api-lambda api-aws infra"  to run a subset.
#        LIFESTYLE_ARTIFACTS=DIR  where the browser test keeps its screenshots and DOM
#        (default backend/e2e/.artifacts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
backend="$root/backend"
venv="$root/.venv"
only="${LIFESTYLE_TEST_ONLY:-swift api-embedded api-lambda api-aws infra}"
want() { [[ " $only " == *" $1 "* ]]; }
log() { printf '\n==> %s\n' "$*"; }

# --- tools ---------------------------------------------------------------------------------
need_apt=()
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
# A real browser for the web-client test (e2e/api/test_browser.py): headless chromium + driver.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} (Debian packages)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; fi
fi

stamp="$venv/.requirements.sha256"
req_hash="$(sha256sum "$backend/e2e/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$req_hash" ]; then
  log "preparing the Python venv at $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$backend/e2e/requirements.txt"
  echo "$req_hash" > "$stamp"
fi

# --- build once ----------------------------------------------------------------------------
# Release build with testability: the same binary serves the XCTest run, the API suites and
# the Lambda suites (scrypt in a debug build is 5x slower).
cd "$backend"
build_flags=(-c release -Xswiftc -enable-testing)
log "swift build (release, with tests)"
swift build "${build_flags[@]}" --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Planning)' || true
bin="$(swift build "${build_flags[@]}" --show-bin-path)"
if want swift; then
  # The Lambda binary as shipped (static Swift stdlib, -Osize) for the linkage check (ldd).
  log "swift build (release, static Swift stdlib: the Lambda bootstrap)"
  swift build -c release --disable-default-traits --static-swift-stdlib -Xswiftc -Osize -Xcc -Os -Xlinker --gc-sections -Xlinker --no-export-dynamic -Xlinker --no-pie \
    --product bootstrap --scratch-path "$backend/.build-lambda" 2>&1 \
    | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Planning)' || true
  export LAMBDA_RELEASE_BIN="$backend/.build-lambda/release/bootstrap"
fi
test -x "$bin/api-handler" || { echo "build failed: no api-handler binary" >&2; exit 1; }
export API_HANDLER_BIN="$bin/api-handler"
test -x "$bin/bootstrap" && export BOOTSTRAP_BIN="$bin/bootstrap"

status=0
run() { local name="$1"; shift; log "$name"; if ! "$@"; then echo "FAILED: $name" >&2; status=1; fi; }

if want swift; then
  run "swift-format: the sources are formatted" "$backend/scripts/format.sh" --check
fi

# --- the AWS emulator for the Swift integration tests ----------------------------------------
moto_dir=""
tls_pid=""
# shellcheck disable=SC2329  # invoked by the EXIT trap below
cleanup() {
  if [ -n "$tls_pid" ]; then kill "$tls_pid" 2>/dev/null || true; fi
  if [ -n "$moto_dir" ]; then "$venv/bin/python" "$backend/e2e/support/motoctl.py" stop --state-dir "$moto_dir" >/dev/null 2>&1 || true; rm -rf "$moto_dir"; fi
}
trap cleanup EXIT

if want swift; then
  moto_dir="$(mktemp -d)"
  info="$("$venv/bin/python" "$backend/e2e/support/motoctl.py" start --state-dir "$moto_dir")"
  eval "$("$venv/bin/python" - "$info" <<'PY'
import json, shlex, sys
i = json.loads(sys.argv[1])
for k, v in {"LIFESTYLE_TEST_AWS_ENDPOINT": i["endpoint"], "LIFESTYLE_TEST_AWS_ACCESS_KEY_ID": i["access_key_id"],
             "LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY": i["secret_access_key"], "LIFESTYLE_TEST_AWS_REGION": i["region"]}.items():
    print(f"export {k}={shlex.quote(str(v))}")
PY
)"
  # A TLS front (throw-away CA, certificate for localhost/127.0.0.1) for the HTTP client's TLS tests.
  "$venv/bin/python" "$backend/e2e/support/tlsfront.py" --upstream "${LIFESTYLE_TEST_AWS_ENDPOINT#http://}" \
    --state-dir "$moto_dir/tls" > "$moto_dir/tls.json" 2> "$moto_dir/tls.log" &
  tls_pid=$!
  for _ in $(seq 1 100); do [ -s "$moto_dir/tls.json" ] && break; sleep 0.1; done
  eval "$("$venv/bin/python" - "$moto_dir/tls.json" <<'PY'
import json, shlex, sys
i = json.load(open(sys.argv[1]))
print(f"export LIFESTYLE_TEST_TLS_PORT={i['port']} LIFESTYLE_TEST_TLS_CA={shlex.quote(i['ca_file'])}")
PY
)"
  # The RS256 edge-case vectors (Tests/AWSBackendTests/RSAPublicKeyTests) are made with the venv's `cryptography`.
  export LIFESTYLE_TEST_PYTHON="$venv/bin/python"
  run "swift test (XCTest: unit tests, AWS layer against the emulator)" swift test "${build_flags[@]}" --skip-build
fi

pytest=("$venv/bin/pytest" -q -p no:cacheprovider)
if want api-embedded; then
  run "API suite: embedded backend, local HTTP server" env LIFESTYLE_E2E_MODE=embedded "${pytest[@]}" "$backend/e2e/api"
fi
if want api-lambda; then
  run "API suite: through API Gateway v2 events and the Lambda runtime" env LIFESTYLE_E2E_MODE=lambda "${pytest[@]}" "$backend/e2e/api"
fi
if want api-aws; then
  run "API suite: Cognito and DynamoDB adapters against the AWS emulator" env LIFESTYLE_E2E_MODE=aws "${pytest[@]}" "$backend/e2e/api"
  run "register under injected AWS faults, concurrency" "${pytest[@]}" "$backend/e2e/aws"
fi
if want infra; then
  run "infrastructure rehearsal and static checks" "${pytest[@]}" "$backend/e2e/infra" "$backend/e2e/static"
fi

exit "$status"
