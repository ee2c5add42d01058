#!/usr/bin/env bash
# Manages an environment's API keys (Terraform variable enable_api_keys = true). The secret
# api-handler-ENV-api-keys holds only each key's name and SHA-256; a new key is printed once,
# here, and stored nowhere. The function re-reads the secret every 5 minutes.
#
#   api-keys.sh ENV add NAME      make a key NAME (A-Za-z0-9._-), print it once
#   api-keys.sh ENV remove NAME   stop accepting NAME (within 5 minutes)
#   api-keys.sh ENV list          the names
#
# Rotation: add the new key, move the clients to it, remove the old one.
# Environment: AWS_REGION, AWS_ENDPOINT_URL (an emulator), AWS_CLI.
set -Eeuo pipefail

AWS_CLI="${AWS_CLI:-aws}"
export AWS_PAGER=""
die() {
  printf 'api-keys: %s\n' "$*" >&2
  exit 1
}

[[ $# -ge 2 ]] || die "usage: api-keys.sh ENV add NAME | remove NAME | list"
ENVIRONMENT="$1"
COMMAND="$2"
NAME="${3:-}"
[[ "${ENVIRONMENT}" == dev || "${ENVIRONMENT}" == prod ]] || die "ENV must be dev or prod"
SECRET="api-handler-${ENVIRONMENT}-api-keys"
command -v jq >/dev/null || die "jq is required"

current="$("${AWS_CLI}" secretsmanager get-secret-value --secret-id "${SECRET}" --query SecretString --output text)" ||
  die "cannot read ${SECRET} (is enable_api_keys on for ${ENVIRONMENT}?)"
jq -e '.keys | type == "array"' <<<"${current}" >/dev/null || die "${SECRET} does not hold {\"keys\":[...]}"

store() {
  "${AWS_CLI}" secretsmanager put-secret-value --secret-id "${SECRET}" --secret-string "$1" >/dev/null ||
    die "cannot write ${SECRET}"
}

case "${COMMAND}" in
  list)
    jq -r '.keys[].name' <<<"${current}"
    ;;
  add)
    [[ "${NAME}" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die "NAME must be 1-64 of A-Za-z0-9._-"
    jq -e --arg n "${NAME}" 'any(.keys[]; .name == $n)' <<<"${current}" >/dev/null && die "a key named ${NAME} exists"
    # 32 random bytes, URL-safe base64 without padding, with a recognisable prefix
    key="lk_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    digest="$(printf '%s' "${key}" | sha256sum | cut -d' ' -f1)"
    store "$(jq -c --arg n "${NAME}" --arg d "${digest}" '.keys += [{name: $n, sha256: $d}]' <<<"${current}")"
    printf '%s\n' "${key}"
    printf 'api-keys: added %s to %s; the key above is shown once\n' "${NAME}" "${ENVIRONMENT}" >&2
    ;;
  remove)
    jq -e --arg n "${NAME}" 'any(.keys[]; .name == $n)' <<<"${current}" >/dev/null || die "no key named ${NAME}"
    store "$(jq -c --arg n "${NAME}" '.keys |= map(select(.name != $n))' <<<"${current}")"
    printf 'api-keys: removed %s from %s (refused within 5 minutes)\n' "${NAME}" "${ENVIRONMENT}" >&2
    ;;
  *) die "unknown command ${COMMAND} (add, remove, list)" ;;
esac
