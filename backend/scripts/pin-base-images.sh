#!/usr/bin/env bash
# Pins the Lambda image's base images by digest: rewrites the ARG defaults of
# backend/Dockerfile.api-handler from `image:tag` to `image:tag@sha256:<index digest>`, as the
# registry resolves them now. Run it where Docker can reach the registries (this needs network),
# review the diff, commit; Dependabot then proposes digest updates by pull request.
#
#   backend/scripts/pin-base-images.sh          pin (or re-pin) both base images
#   backend/scripts/pin-base-images.sh --check  exit 1 unless both are pinned by digest
set -Eeuo pipefail

DOCKERFILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Dockerfile.api-handler"
DOCKER="${DOCKER:-docker}"
ARGS=(SWIFT_IMAGE RUNTIME_IMAGE)

current() { sed -n "s/^ARG $1=//p" "${DOCKERFILE}"; }

if [[ "${1:-}" == --check ]]; then
  status=0
  for arg in "${ARGS[@]}"; do
    ref="$(current "${arg}")"
    if [[ "${ref}" =~ @sha256:[0-9a-f]{64}$ ]]; then
      echo "${arg}: ${ref}"
    else
      echo "${arg}: ${ref} is not pinned by digest" >&2
      status=1
    fi
  done
  exit "${status}"
fi

for arg in "${ARGS[@]}"; do
  ref="$(current "${arg}")"
  [[ -n "${ref}" ]] || { echo "no ARG ${arg}= in ${DOCKERFILE}" >&2; exit 1; }
  name="${ref%@*}"
  # the digest of the multi-platform index, so the arm64 and x86_64 builds both stay pinned
  digest="$("${DOCKER}" buildx imagetools inspect "${name}" --format '{{json .Manifest}}' |
    sed -n 's/.*"digest":"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' | head -n 1)"
  [[ "${digest}" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "could not resolve ${name}" >&2; exit 1; }
  sed -i "s|^ARG ${arg}=.*|ARG ${arg}=${name}@${digest}|" "${DOCKERFILE}"
  echo "${arg}=${name}@${digest}"
done
