#!/usr/bin/env bash
# Phased deployment of the Lifestyle backend (one environment).
#
#   deploy-phased.sh ENV [ACCOUNT_ID] [--plan] [--phase 1|2|3] [--rollback TAG]
#
#   phase 1  terraform apply, base infrastructure (ECR, Cognito, DynamoDB, log
#            group, IAM role). If the function already runs, it is kept on its
#            current image (deploy_lambda stays true) so a re-run never removes it.
#   phase 2  docker build -f backend/Dockerfile.api-handler, ECR login, push
#            api-handler-ENV-<git sha>. Skipped when that immutable tag exists.
#            (prod: any change refuses a dirty git tree, checked before phase 1)
#   phase 3  terraform apply with deploy_lambda=true image_tag=<that tag>:
#            function, HTTP API, alarms.
#
#   --plan          show what would change (terraform plan), change nothing
#   --phase N       run only phase N
#   --rollback TAG  point the function at an earlier image TAG (must exist in ECR)
#
# ACCOUNT_ID is required for prod and must equal the caller's account.
#
# Environment:
#   AWS_REGION              region (default us-east-1)
#   AWS_ENDPOINT_URL        AWS API endpoint override (an emulator); honoured by
#                           the AWS CLI and the Terraform AWS provider
#   TF_STATE_BACKEND        s3 (default) or local
#   TF_STATE_BUCKET         S3 state bucket (required for s3)
#   TF_STATE_REGION         region of the state bucket (default AWS_REGION)
#   TF_STATE_KEY_PREFIX     default lifestyle-backend -> <prefix>/<env>/terraform.tfstate
#   TF_LOCAL_STATE_DIR      local backend: state directory (default backend/terraform/.state)
#   TF_CLI_CONFIG_FILE      terraform CLI config, e.g. a provider filesystem mirror
#   GIT_SHA                 override the commit sha used in the image tag
#   AWS_CLI / DOCKER / TERRAFORM   override the tool commands
#   LAMBDA_ARCH             arm64 (default) or x86_64
#   DEPLOY_OUTPUTS_FILE     write `terraform output -json` here at the end
#   GITHUB_OUTPUT           (GitHub Actions) image_tag, api_endpoint, function_name
set -Eeuo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BACKEND_DIR="$(cd "${SCRIPT_DIR}/.." && pwd)"
TF_DIR="${BACKEND_DIR}/terraform"
REPO_ROOT="$(cd "${BACKEND_DIR}/.." && pwd)"

AWS_CLI="${AWS_CLI:-aws}"
DOCKER="${DOCKER:-docker}"
TERRAFORM="${TERRAFORM:-terraform}"
LAMBDA_ARCH="${LAMBDA_ARCH:-arm64}"
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
export AWS_DEFAULT_REGION="${AWS_REGION}"
export AWS_PAGER=""
export TF_IN_AUTOMATION=1
export TF_INPUT=0

PHASE="preflight"

log() { printf '[deploy %s] %s\n' "${PHASE}" "$*" >&2; }
die() {
  printf 'deploy-phased: ERROR in phase %s: %s\n' "${PHASE}" "$*" >&2
  exit 1
}
on_err() {
  local rc=$? cmd=${BASH_COMMAND}
  printf 'deploy-phased: ERROR in phase %s: command failed (exit %s): %s\n' "${PHASE}" "${rc}" "${cmd}" >&2
  exit "${rc}"
}
trap on_err ERR

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- arguments
ENVIRONMENT=""
ACCOUNT_ID=""
MODE="deploy"
ONLY_PHASE=""
ROLLBACK_TAG=""

while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --plan) MODE="plan" ;;
    --phase)
      [[ $# -ge 2 ]] || die "--phase needs 1, 2 or 3"
      ONLY_PHASE="$2"
      shift
      ;;
    --phase=*) ONLY_PHASE="${1#--phase=}" ;;
    --rollback)
      [[ $# -ge 2 ]] || die "--rollback needs an image tag"
      MODE="rollback"
      ROLLBACK_TAG="$2"
      shift
      ;;
    --rollback=*)
      MODE="rollback"
      ROLLBACK_TAG="${1#--rollback=}"
      ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      if [[ -z "${ENVIRONMENT}" ]]; then
        ENVIRONMENT="$1"
      elif [[ -z "${ACCOUNT_ID}" ]]; then
        ACCOUNT_ID="$1"
      else
        die "unexpected argument $1"
      fi
      ;;
  esac
  shift
done

[[ "${ENVIRONMENT}" == "dev" || "${ENVIRONMENT}" == "prod" ]] || die "ENV must be dev or prod (usage: deploy-phased.sh ENV [ACCOUNT_ID] [--plan|--phase N|--rollback TAG])"
[[ -z "${ONLY_PHASE}" || "${ONLY_PHASE}" =~ ^[123]$ ]] || die "--phase must be 1, 2 or 3"
[[ -z "${ACCOUNT_ID}" || "${ACCOUNT_ID}" =~ ^[0-9]{12}$ ]] || die "ACCOUNT_ID must be 12 digits"
if [[ "${MODE}" == "rollback" ]]; then
  [[ -z "${ONLY_PHASE}" ]] || die "--rollback and --phase cannot be combined"
  [[ "${ROLLBACK_TAG}" =~ ^api-handler-${ENVIRONMENT}-[0-9A-Za-z._-]+$ ]] || die "rollback tag must look like api-handler-${ENVIRONMENT}-<git sha>"
fi

TF_BACKEND_KIND="${TF_STATE_BACKEND:-s3}"
export TF_DATA_DIR="${TF_DATA_DIR:-${TF_DIR}/.terraform/env-${ENVIRONMENT}}"

run_phase() { # phase number -> should it run?
  [[ -z "${ONLY_PHASE}" || "${ONLY_PHASE}" == "$1" ]]
}

# ---------------------------------------------------------------- preflight
need() { command -v "$1" >/dev/null 2>&1 || die "required tool '$1' not found on PATH"; }
need "${TERRAFORM}"
need "${AWS_CLI}"
need git
if [[ "${MODE}" == "deploy" ]] && run_phase 2; then need "${DOCKER}"; fi

CALLER_ACCOUNT="$("${AWS_CLI}" sts get-caller-identity --query Account --output text 2>/dev/null)" ||
  die "AWS credentials are not valid (aws sts get-caller-identity failed)"
[[ "${CALLER_ACCOUNT}" =~ ^[0-9]{12}$ ]] || die "could not read the caller's account id (got '${CALLER_ACCOUNT}')"

if [[ "${ENVIRONMENT}" == "prod" ]]; then
  [[ -n "${ACCOUNT_ID}" ]] || die "prod needs ACCOUNT_ID (deploy-phased.sh prod 123456789012)"
fi
if [[ -n "${ACCOUNT_ID}" && "${ACCOUNT_ID}" != "${CALLER_ACCOUNT}" ]]; then
  die "credentials belong to account ${CALLER_ACCOUNT}, not ${ACCOUNT_ID}"
fi
ACCOUNT_ID="${ACCOUNT_ID:-${CALLER_ACCOUNT}}"

GIT_SHA="${GIT_SHA:-$(git -C "${REPO_ROOT}" rev-parse HEAD 2>/dev/null || true)}"
[[ "${GIT_SHA}" =~ ^[0-9a-f]{7,40}$ ]] || die "cannot determine the git commit (set GIT_SHA or run inside the git repository)"
# prod is deployed from committed code only: the Terraform configuration as well as the image.
if [[ "${ENVIRONMENT}" == "prod" && "${MODE}" != "plan" ]] &&
  [[ -n "$(git -C "${REPO_ROOT}" status --porcelain 2>/dev/null)" ]]; then
  die "refusing to deploy prod from a dirty git tree (commit or stash first)"
fi
IMAGE_TAG="api-handler-${ENVIRONMENT}-${GIT_SHA}"
ECR_REPO="lifestyle-app-${ENVIRONMENT}"
FUNCTION_NAME="api-handler-${ENVIRONMENT}"

log "environment=${ENVIRONMENT} account=${ACCOUNT_ID} region=${AWS_REGION} mode=${MODE} state=${TF_BACKEND_KIND}${AWS_ENDPOINT_URL:+ endpoint=${AWS_ENDPOINT_URL}}"

# ---------------------------------------------------------------- terraform
OVERRIDE_FILE="${TF_DIR}/backend_local_override.tf"

tf() { "${TERRAFORM}" -chdir="${TF_DIR}" "$@"; }

tf_init() {
  local -a cfg
  case "${TF_BACKEND_KIND}" in
    local)
      local state_dir="${TF_LOCAL_STATE_DIR:-${TF_DIR}/.state}"
      mkdir -p "${state_dir}/${ENVIRONMENT}"
      state_dir="$(cd "${state_dir}" && pwd)"
      printf '%s\n' '# Written by scripts/deploy-phased.sh for TF_STATE_BACKEND=local (git-ignored).' \
        'terraform {' '  backend "local" {}' '}' >"${OVERRIDE_FILE}"
      cfg=("-backend-config=path=${state_dir}/${ENVIRONMENT}/terraform.tfstate")
      ;;
    s3)
      # A leftover local override must never redirect real state.
      rm -f "${OVERRIDE_FILE}"
      [[ -n "${TF_STATE_BUCKET:-}" ]] || die "TF_STATE_BUCKET is not set (or use TF_STATE_BACKEND=local for a rehearsal)"
      cfg=(
        "-backend-config=bucket=${TF_STATE_BUCKET}"
        "-backend-config=key=${TF_STATE_KEY_PREFIX:-lifestyle-backend}/${ENVIRONMENT}/terraform.tfstate"
        "-backend-config=region=${TF_STATE_REGION:-${AWS_REGION}}"
        "-backend-config=use_lockfile=true"
        "-backend-config=encrypt=true"
      )
      ;;
    *) die "TF_STATE_BACKEND must be s3 or local" ;;
  esac
  tf init -input=false -reconfigure "${cfg[@]}" >&2 || die "terraform init failed"
}

tf_vars() { # deploy_lambda image_tag
  printf '%s\n' \
    "-var=environment=${ENVIRONMENT}" \
    "-var=aws_account_id=${ACCOUNT_ID}" \
    "-var=aws_region=${AWS_REGION}" \
    "-var=lambda_architecture=${LAMBDA_ARCH}" \
    "-var=deploy_lambda=$1" \
    "-var=image_tag=$2"
}

tf_apply() { # deploy_lambda image_tag
  local -a vars
  mapfile -t vars < <(tf_vars "$1" "$2")
  tf apply -input=false -auto-approve "${vars[@]}" >&2 || die "terraform apply failed"
}

# Returns 0 = no changes, 2 = changes.
tf_plan() { # deploy_lambda image_tag
  local -a vars
  local rc=0
  mapfile -t vars < <(tf_vars "$1" "$2")
  tf plan -input=false -lock-timeout=60s -detailed-exitcode "${vars[@]}" >&2 || rc=$?
  case "${rc}" in
    0 | 2) return "${rc}" ;;
    *) die "terraform plan failed" ;;
  esac
}

# Tag the function currently runs (empty when it is not deployed).
# The tag the function runs now, empty when nothing is deployed yet. Fails closed: a state that
# cannot be read must never look like "nothing deployed", or phase 1 would apply
# deploy_lambda=false and destroy the running function, its API and alarms.
deployed_tag() {
  local outputs uri=""
  outputs="$(tf output -json)" || die "cannot read the deployed state (terraform output failed); nothing was changed"
  if [[ "${outputs}" == *'"image_uri"'* ]]; then
    uri="$(tf output -raw image_uri)" || die "cannot read image_uri from the deployed state; nothing was changed"
  fi
  if [[ "${uri}" == *:* ]]; then
    printf '%s' "${uri##*:}"
  fi
}

image_exists() { # tag
  "${AWS_CLI}" ecr describe-images --repository-name "${ECR_REPO}" \
    --image-ids "imageTag=$1" --query 'imageDetails[0].imageDigest' --output text >/dev/null 2>&1
}

write_outputs() {
  local json endpoint
  json="$(tf output -json)"
  if [[ -n "${DEPLOY_OUTPUTS_FILE:-}" ]]; then
    printf '%s\n' "${json}" >"${DEPLOY_OUTPUTS_FILE}"
  fi
  endpoint="$(tf output -raw api_endpoint 2>/dev/null || true)"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
      printf 'image_tag=%s\n' "$1"
      printf 'function_name=%s\n' "${FUNCTION_NAME}"
      printf 'api_endpoint=%s\n' "${endpoint}"
    } >>"${GITHUB_OUTPUT}"
  fi
  printf 'environment=%s\nimage_tag=%s\nfunction_name=%s\napi_endpoint=%s\n' \
    "${ENVIRONMENT}" "$1" "${FUNCTION_NAME}" "${endpoint}"
}

PHASE="init"
tf_init
CURRENT_TAG="$(deployed_tag)" || exit 1
[[ -n "${CURRENT_TAG}" ]] && log "function currently runs ${CURRENT_TAG}"

# ---------------------------------------------------------------- --plan
if [[ "${MODE}" == "plan" ]]; then
  PHASE="plan"
  target_tag="${IMAGE_TAG}"
  if ! image_exists "${IMAGE_TAG}"; then
    log "image ${IMAGE_TAG} is not in ECR yet: phase 2 would build and push it"
    target_tag="${CURRENT_TAG}"
  fi
  rc=0
  if [[ -n "${target_tag}" ]]; then
    log "planning deploy_lambda=true image_tag=${target_tag}"
    tf_plan true "${target_tag}" || rc=$?
  else
    log "planning phase 1 (no image yet, function not deployed)"
    tf_plan false "" || rc=$?
  fi
  if ((rc == 0)); then
    echo "PLAN: no changes"
  else
    echo "PLAN: changes pending"
  fi
  exit 0
fi

# ---------------------------------------------------------------- --rollback
if [[ "${MODE}" == "rollback" ]]; then
  PHASE="rollback"
  image_exists "${ROLLBACK_TAG}" || die "image tag ${ROLLBACK_TAG} not found in ECR repository ${ECR_REPO}"
  log "rolling ${FUNCTION_NAME} back from ${CURRENT_TAG:-<none>} to ${ROLLBACK_TAG}"
  tf_apply true "${ROLLBACK_TAG}"
  write_outputs "${ROLLBACK_TAG}"
  log "rollback complete"
  exit 0
fi

# ---------------------------------------------------------------- phase 1
if run_phase 1; then
  PHASE="1/base-infra"
  if [[ -n "${CURRENT_TAG}" ]]; then
    log "applying base infrastructure (function kept on ${CURRENT_TAG})"
    tf_apply true "${CURRENT_TAG}"
  else
    log "applying base infrastructure (deploy_lambda=false)"
    tf_apply false ""
  fi
fi

# ---------------------------------------------------------------- phase 2
if run_phase 2; then
  PHASE="2/image"
  REPO_URL="$(tf output -raw ecr_repository_url 2>/dev/null)" || die "ECR repository unknown - run phase 1 first"
  [[ "${REPO_URL}" == */"${ECR_REPO}" ]] || die "unexpected ECR repository URL '${REPO_URL}'"
  if image_exists "${IMAGE_TAG}"; then
    log "image ${IMAGE_TAG} already in ECR (immutable tag): skipping build and push"
  else
    IMAGE_URI="${REPO_URL}:${IMAGE_TAG}"
    log "building ${IMAGE_URI} (linux/${LAMBDA_ARCH})"
    build=("${DOCKER}" build)
    if "${DOCKER}" buildx version >/dev/null 2>&1; then
      # Lambda rejects image indexes; no provenance attestation, load a plain image.
      build=("${DOCKER}" buildx build --provenance=false --load)
    fi
    "${build[@]}" --platform "linux/${LAMBDA_ARCH}" \
      -f "${BACKEND_DIR}/Dockerfile.api-handler" -t "${IMAGE_URI}" "${BACKEND_DIR}" >&2 ||
      die "docker build failed"
    log "logging in to ${REPO_URL%%/*}"
    "${AWS_CLI}" ecr get-login-password |
      "${DOCKER}" login --username AWS --password-stdin "${REPO_URL%%/*}" >&2 ||
      die "ECR login failed"
    log "pushing ${IMAGE_URI}"
    if ! "${DOCKER}" push "${IMAGE_URI}" >&2; then
      # A concurrent run may have pushed the same immutable tag meanwhile.
      image_exists "${IMAGE_TAG}" || die "docker push failed"
      log "tag appeared meanwhile (immutable): treating as pushed"
    fi
  fi
fi

# ---------------------------------------------------------------- phase 3
if run_phase 3; then
  PHASE="3/function"
  image_exists "${IMAGE_TAG}" || die "image ${IMAGE_TAG} not in ECR - run phase 2 first"
  log "deploying ${FUNCTION_NAME} with ${IMAGE_TAG}"
  tf_apply true "${IMAGE_TAG}"
  write_outputs "${IMAGE_TAG}"
fi

PHASE="done"
log "finished"
