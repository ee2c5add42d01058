#!/usr/bin/env bash
# The test suite, in two tiers. Installs what it needs (apt, a Python venv), builds once, runs.
#
#   backend/scripts/test.sh         the fast tier, the development loop (README; 11-12 minutes from a
#                                   fresh clone on 2 cores): a debug build, swift-format, `swift test`
#                                   (unit tests, the AWS layer against the emulator), the static checks
#                                   (module graph, OpenAPI, Terraform fmt/validate, linters) and the
#                                   black-box API suite against the embedded backend.
#   backend/scripts/test.sh --all   everything (what .ci/run calls): a release build and the shipped Lambda
#                                   bootstrap, `swift test` on it, the API suite in all three modes
#                                   (embedded, through the Lambda runtime, against the AWS emulator), AWS
#                                   faults, the infrastructure rehearsal and the static checks.
#
# Env:   LIFESTYLE_TEST_ONLY="swift static api-embedded api-lambda api-aws infra"  runs those parts only
#        (infra includes the static checks).
#        LIFESTYLE_ARTIFACTS=DIR  where the browser test keeps its screenshots and DOM
#        (default backend/e2e/.artifacts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
backend="$root/backend"
venv="$root/.venv"
tier=fast
case "${1:-}" in
  "") ;;
  --all) tier=all ;;
  -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "usage: $0 [--all]" >&2; exit 2 ;;
esac
if [ "$tier" = all ]; then default_parts="swift api-embedded api-lambda api-aws infra"
else default_parts="swift static api-embedded"; fi
only="${LIFESTYLE_TEST_ONLY:-$default_parts}"
export LIFESTYLE_TEST_TIER="$tier"
want() { [[ " $only " == *" $1 "* ]]; }
log() { printf '\n==> %s\n' "$*"; }

# --- tools (in the background, while Swift builds) ------------------------------------------
tools_log="$(mktemp)"
prepare_tools() {
  local need_apt=()
  command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
  # A real browser for the web-client test (e2e/api/test_browser.py): headless chromium + driver.
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} (Debian packages)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
  local stamp="$venv/.requirements.sha256" req_hash
  req_hash="$(sha256sum "$backend/e2e/requirements.txt" | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$req_hash" ]; then
    echo "preparing the Python venv at $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$backend/e2e/requirements.txt"
    echo "$req_hash" > "$stamp"
  fi
}
prepare_tools >"$tools_log" 2>&1 &
tools_pid=$!

# --- build once ----------------------------------------------------------------------------
cd "$backend"
if [ "$tier" = all ]; then
  # Release build with testability: the same binary serves the XCTest run, the API suites and the
  # Lambda suites, and is what the benchmarks measure.
  build_flags=(-c release -Xswiftc -enable-testing)
else
  # Debug Swift (a first build in about half the release time), but optimised C: BoringSSL's scrypt,
  # which every embedded sign-up and sign-in runs, is 5x slower at -O0.
  build_flags=(-c debug -Xcc -O2)
fi
log "swift build ($tier tier: ${build_flags[*]}, with tests)"
quiet_build() { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Build|Planning)' || true; }
# A failed build stops here (a stale binary from an earlier build must not be tested).
swift build "${build_flags[@]}" --build-tests 2>&1 | quiet_build
[ "${PIPESTATUS[0]}" = 0 ] || { echo "swift build failed" >&2; exit 1; }
bin="$(swift build "${build_flags[@]}" --show-bin-path)"
if [ "$tier" = all ] && want swift; then
  # The Lambda binary as shipped (static Swift stdlib, -Osize) for the linkage check (ldd).
  log "swift build (release, static Swift stdlib: the Lambda bootstrap)"
  swift build -c release --disable-default-traits --static-swift-stdlib -Xswiftc -Osize -Xcc -Os -Xlinker --gc-sections -Xlinker --no-export-dynamic -Xlinker --no-pie \
    --product bootstrap --scratch-path "$backend/.build-lambda" 2>&1 | quiet_build
  export LAMBDA_RELEASE_BIN="$backend/.build-lambda/release/bootstrap"
fi
log "tools: Debian packages and the Python venv"
if ! wait "$tools_pid"; then cat "$tools_log" >&2; echo "could not install the test tools" >&2; exit 1; fi
cat "$tools_log"; rm -f "$tools_log"
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
  # A server of its own: the fuzzer's thousand requests must not spend the suite's rate limits.
  run "the spec checks the server: schemathesis over openapi.yaml, through the Lambda runtime" \
    env LIFESTYLE_FUZZ=1 LIFESTYLE_E2E_MODE=lambda "${pytest[@]}" "$backend/e2e/api/test_openapi_fuzz.py"
fi
if want api-aws; then
  run "API suite: Cognito and DynamoDB adapters against the AWS emulator" env LIFESTYLE_E2E_MODE=aws "${pytest[@]}" "$backend/e2e/api"
  run "register under injected AWS faults, concurrency" "${pytest[@]}" "$backend/e2e/aws"
fi
if want infra; then
  run "infrastructure rehearsal and static checks" "${pytest[@]}" "$backend/e2e/infra" "$backend/e2e/static"
elif want static; then
  run "static checks (module graph, OpenAPI, Terraform, linters)" "${pytest[@]}" "$backend/e2e/static" \
    "$backend/e2e/infra/test_static_checks.py"
fi

exit "$status"
