#!/usr/bin/env bash
# Build the api-handler as a Lambda zip package (custom runtime: a `bootstrap`
# executable at the root of the zip), for users of package_type Zip with the
# provided.al2023 runtime.
#
#   build-lambda-zip.sh [OUTPUT_ZIP]        default: backend/.build/lambda/api-handler.zip
#
# Environment: LAMBDA_ARCH=arm64|x86_64 (default arm64), DOCKER (default docker).
# The binary is compiled by the build stage of backend/Dockerfile.api-handler,
# so the zip and the container image contain the same bootstrap.
set -Eeuo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BACKEND_DIR="$(cd "${SCRIPT_DIR}/.." && pwd)"
DOCKER="${DOCKER:-docker}"
LAMBDA_ARCH="${LAMBDA_ARCH:-arm64}"
OUT_ZIP="${1:-${BACKEND_DIR}/.build/lambda/api-handler.zip}"

die() {
  printf 'build-lambda-zip: ERROR: %s\n' "$*" >&2
  exit 1
}

case "${LAMBDA_ARCH}" in
  arm64) platform="linux/arm64" ;;
  x86_64) platform="linux/amd64" ;;
  *) die "LAMBDA_ARCH must be arm64 or x86_64" ;;
esac
command -v "${DOCKER}" >/dev/null 2>&1 || die "docker not found"
command -v zip >/dev/null 2>&1 || die "zip not found"

work="$(mktemp -d)"
cleanup() {
  if [[ -n "${container:-}" ]]; then "${DOCKER}" rm -f "${container}" >/dev/null 2>&1 || true; fi
  rm -rf "${work}"
}
trap cleanup EXIT

if "${DOCKER}" buildx version >/dev/null 2>&1; then
  "${DOCKER}" buildx build --platform "${platform}" --target artifact \
    --output "type=local,dest=${work}" \
    -f "${BACKEND_DIR}/Dockerfile.api-handler" "${BACKEND_DIR}" >&2 || die "docker build failed"
else
  tag="api-handler-zip-build:local"
  "${DOCKER}" build --platform "${platform}" --target runtime -t "${tag}" \
    -f "${BACKEND_DIR}/Dockerfile.api-handler" "${BACKEND_DIR}" >&2 || die "docker build failed"
  container="$("${DOCKER}" create "${tag}")"
  "${DOCKER}" cp "${container}:/var/runtime/bootstrap" "${work}/bootstrap" || die "docker cp failed"
fi

[[ -s "${work}/bootstrap" ]] || die "build produced no bootstrap"
chmod 0755 "${work}/bootstrap"
mkdir -p "$(dirname "${OUT_ZIP}")"
OUT_ZIP="$(cd "$(dirname "${OUT_ZIP}")" && pwd)/$(basename "${OUT_ZIP}")"
rm -f "${OUT_ZIP}"
(cd "${work}" && zip -q -X "${OUT_ZIP}" bootstrap) || die "zip failed"
printf '%s\n' "${OUT_ZIP}"
