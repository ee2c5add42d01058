#!/usr/bin/env bash
# Phased deployment of the Lifestyle backend (one environment).
#
#   deploy-phased.sh ENV [ACCOUNT_ID] [--plan] [--phase 1|2|3] [--allow-destroy]
#                    [--canary-minutes N] [--rollback [TAG|VERSION]]
#
#   phase 1  terraform apply, base infrastructure (ECR, Cognito, DynamoDB, log
#            group, IAM role). If the function already runs, it is kept on its
#            current image (deploy_lambda stays true) so a re-run never removes it.
#   phase 2  docker build -f backend/Dockerfile.api-handler, ECR login, push
#            api-handler-ENV-<git sha> to this environment's own repository. Skipped when
#            that immutable tag exists. Each environment builds its own image: prod never
#            runs an image another environment's pipeline could write (a pull request's
#            workflow holds the dev role). (prod: any change refuses a dirty git tree and a
#            commit not on main, checked before phase 1)
#   phase 3  terraform apply with deploy_lambda=true image_tag=<that tag>:
#            function (a new published version), HTTP API, alarms; then the
#            rollout: smoke test of the new version (health, and a sign-in that
#            reaches DynamoDB, Cognito and Secrets Manager), a canary share of
#            the `live` alias while the alarms are watched, then all traffic.
#            A failed smoke test or an alarm leaves `live` where it was.
#
#   --plan               show what would change (terraform plan), change nothing
#   --phase N            run only phase N
#   --allow-destroy      apply a plan that deletes or replaces a data-bearing
#                        resource (function, API, user pool or client, table,
#                        ECR repository, master key); refused otherwise
#   --canary-minutes N   minutes `live` sends CANARY_WEIGHT (default 0.1) of
#                        traffic to the new version before the full shift
#                        (default: dev 0, prod 10; decimals allowed)
#   --rollback [X]       move `live` back, touching nothing else: X is a version
#                        number or an image tag (the newest version running it);
#                        without X, the version `live` served before the last move
#
# ACCOUNT_ID is required for prod and must equal the caller's account. A prod
# deploy also refuses a commit that is not on main or is older than the one
# `live` runs.
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
#   TF_LOCK_TIMEOUT         how long plan/apply wait for the state lock (default 300s)
#   GIT_SHA                 override the commit sha used in the image tag
#   MAIN_REF                the ref prod commits must be on (default origin/main, else main)
#   AWS_CLI / DOCKER / TERRAFORM   override the tool commands
#   LAMBDA_ARCH             arm64 (default) or x86_64
#   CANARY_WEIGHT           share of traffic during the canary (default 0.1)
#   CANARY_POLL_SECONDS     how often the canary reads the alarms (default 30)
#   DEPLOY_OUTPUTS_FILE     write `terraform output -json` here at the end
#   GITHUB_OUTPUT           (GitHub Actions) image_tag, api_endpoint, edge_endpoint, function_name,
#                           live_version
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
  sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- arguments
ENVIRONMENT=""
ACCOUNT_ID=""
MODE="deploy"
ONLY_PHASE=""
ROLLBACK_TARGET=""
ALLOW_DESTROY=false
CANARY_MINUTES=""

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
      MODE="rollback"
      if [[ $# -ge 2 && "$2" != -* && ! "$2" =~ ^(dev|prod)$ ]]; then
        ROLLBACK_TARGET="$2"
        shift
      fi
      ;;
    --rollback=*)
      MODE="rollback"
      ROLLBACK_TARGET="${1#--rollback=}"
      ;;
    --allow-destroy) ALLOW_DESTROY=true ;;
    --canary-minutes)
      [[ $# -ge 2 ]] || die "--canary-minutes needs a number"
      CANARY_MINUTES="$2"
      shift
      ;;
    --canary-minutes=*) CANARY_MINUTES="${1#--canary-minutes=}" ;;
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

[[ "${ENVIRONMENT}" == "dev" || "${ENVIRONMENT}" == "prod" ]] || die "ENV must be dev or prod (usage: deploy-phased.sh ENV [ACCOUNT_ID] [--plan|--phase N|--rollback [TAG|VERSION]])"
[[ -z "${ONLY_PHASE}" || "${ONLY_PHASE}" =~ ^[123]$ ]] || die "--phase must be 1, 2 or 3"
[[ -z "${ACCOUNT_ID}" || "${ACCOUNT_ID}" =~ ^[0-9]{12}$ ]] || die "ACCOUNT_ID must be 12 digits"
if [[ "${MODE}" == "rollback" ]]; then
  [[ -z "${ONLY_PHASE}" ]] || die "--rollback and --phase cannot be combined"
  [[ -z "${ROLLBACK_TARGET}" || "${ROLLBACK_TARGET}" =~ ^[0-9]+$ || "${ROLLBACK_TARGET}" =~ ^api-handler-${ENVIRONMENT}-[0-9A-Za-z._-]+$ ]] ||
    die "rollback target must be a version number or an image tag api-handler-${ENVIRONMENT}-<git sha>"
fi
if [[ -z "${CANARY_MINUTES}" ]]; then
  if [[ "${ENVIRONMENT}" == "prod" ]]; then CANARY_MINUTES=10; else CANARY_MINUTES=0; fi
fi
[[ "${CANARY_MINUTES}" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--canary-minutes must be a number of minutes (0 = no canary)"
CANARY_WEIGHT="${CANARY_WEIGHT:-0.1}"
[[ "${CANARY_WEIGHT}" =~ ^0[.][0-9]+$ ]] || die "CANARY_WEIGHT must be a fraction between 0 and 1, e.g. 0.1"
CANARY_POLL_SECONDS="${CANARY_POLL_SECONDS:-30}"
[[ "${CANARY_POLL_SECONDS}" =~ ^[0-9]+$ && "${CANARY_POLL_SECONDS}" -ge 1 ]] || die "CANARY_POLL_SECONDS must be a whole number of seconds"
TF_LOCK_TIMEOUT="${TF_LOCK_TIMEOUT:-300s}"

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
need jq
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
# Every AWS call says which pipeline made it (CloudTrail's userAgent; the rehearsal's IAM check).
export AWS_EXECUTION_ENV="lifestyle-deploy-${ENVIRONMENT}"
export TF_APPEND_USER_AGENT="lifestyle-deploy/${ENVIRONMENT}"
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

# Whether the edge's custom-domain certificate is issued (then the plan attaches the domain).
# Once attached it stays attached: a failed status read must never detach a live domain.
edge_certificate_issued() {
  local arn status
  [[ -n "${TF_VAR_edge_domain_name:-}" ]] || {
    echo false
    return 0
  }
  if [[ "$(tf output -raw edge_domain_attached 2>/dev/null || true)" == true ]]; then
    echo true
    return 0
  fi
  arn="$(tf output -raw edge_certificate_arn 2>/dev/null || true)"
  [[ "${arn}" == arn:* ]] || {
    echo false
    return 0
  }
  status="$("${AWS_CLI}" acm describe-certificate --region us-east-1 --certificate-arn "${arn}" \
    --query Certificate.Status --output text 2>/dev/null || true)"
  if [[ "${status}" == ISSUED ]]; then echo true; else echo false; fi
}

tf_vars() { # deploy_lambda image_tag
  printf '%s\n' \
    "-var=edge_certificate_issued=$(edge_certificate_issued)" \
    "-var=environment=${ENVIRONMENT}" \
    "-var=aws_account_id=${ACCOUNT_ID}" \
    "-var=aws_region=${AWS_REGION}" \
    "-var=lambda_architecture=${LAMBDA_ARCH}" \
    "-var=deploy_lambda=$1" \
    "-var=image_tag=$2"
}

# Resource types whose deletion or replacement loses data or an address users rely on:
# the function (and with it every published version), its alias, the HTTP API (a new
# hostname), the user pool and its client (every account and refresh token), the table,
# the image repository and the master key (every sealed value).
GUARDED_TYPES='["aws_lambda_function","aws_lambda_alias","aws_apigatewayv2_api","aws_cognito_user_pool","aws_cognito_user_pool_client","aws_dynamodb_table","aws_ecr_repository","aws_secretsmanager_secret"]'

# Refuses a saved plan that deletes or replaces a guarded resource, unless --allow-destroy.
guard_destroy() { # planfile
  local doomed
  doomed="$(tf show -json "$1" | jq -r --argjson guarded "${GUARDED_TYPES}" '
    .resource_changes[]?
    | select(.mode == "managed" and (.type as $t | $guarded | index($t)) and (.change.actions | index("delete")))
    | "\(.address) (\(.change.actions | join("+")))"')" || die "cannot read the saved plan (terraform show -json failed); nothing was changed"
  [[ -z "${doomed}" ]] && return 0
  doomed="${doomed//$'\n'/, }"
  if [[ "${ALLOW_DESTROY}" == true ]]; then
    log "--allow-destroy: this plan deletes or replaces ${doomed}"
    return 0
  fi
  die "the plan would delete or replace ${doomed}; nothing was changed (re-run with --allow-destroy if that is intended)"
}

# Every change goes through a saved plan that guard_destroy has read; the apply runs exactly
# that plan (a state changed meanwhile makes it stale, and terraform refuses it).
#
# Permissions keyed on a resource's tags (KMS keys, user pools, HTTP APIs, distributions get
# their ids from AWS, so the deploy role is scoped by their Environment tag) can be denied for
# minutes after the resource was created: IAM sees the new tags late. The provider retries
# only "not found", fails, and taints the resource it just made, so a plain re-run would
# replace it and race again. An apply that fails with AccessDenied is therefore retried, for
# PROPAGATION_RETRY_SECONDS (default 600) every PROPAGATION_RETRY_INTERVAL (default 30): the
# resources the failed apply tainted are untainted (they exist; the next plan converges them
# in place), then a new plan is guarded and applied. Any other failure stops at once.
tf_apply() { # deploy_lambda image_tag
  local -a vars
  local planfile="${TF_DATA_DIR}/deploy.tfplan" out="${WORK_DIR}/apply.out" deadline tainted address
  local budget="${PROPAGATION_RETRY_SECONDS:-600}" interval="${PROPAGATION_RETRY_INTERVAL:-30}"
  mapfile -t vars < <(tf_vars "$1" "$2")
  deadline=$((SECONDS + budget))
  while :; do
    rm -f "${planfile}"
    tf plan -input=false -lock-timeout="${TF_LOCK_TIMEOUT}" -out="${planfile}" "${vars[@]}" >&2 || die "terraform plan failed"
    guard_destroy "${planfile}"
    # (pipefail: the pipeline fails when terraform does)
    if tf apply -input=false -lock-timeout="${TF_LOCK_TIMEOUT}" "${planfile}" 2>&1 | tee "${out}" >&2; then
      break
    fi
    grep -Eq 'AccessDenied|is not authorized to perform' "${out}" || die "terraform apply failed"
    ((SECONDS + interval < deadline)) || die "terraform apply failed: access denied for ${budget}s (a permission missing, not a tag still propagating)"
    tainted="$(tf show -json | jq -r '[.. | objects | select(.tainted? == true) | .address] | unique | .[]')" ||
      die "terraform apply failed, and the state cannot be read to retry"
    for address in ${tainted}; do
      tf untaint "${address}" >&2 || die "terraform apply failed, and ${address} cannot be untainted"
    done
    log "access denied, as for a resource whose tags have not propagated yet (${tainted:-nothing tainted}): retrying in ${interval}s"
    sleep "${interval}"
  done
  rm -f "${planfile}"
}

# Returns 0 = no changes, 2 = changes.
tf_plan() { # deploy_lambda image_tag
  local -a vars
  local rc=0
  mapfile -t vars < <(tf_vars "$1" "$2")
  tf plan -input=false -lock-timeout="${TF_LOCK_TIMEOUT}" -detailed-exitcode "${vars[@]}" >&2 || rc=$?
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
  local outputs
  outputs="$(tf output -json)" || die "cannot read the deployed state (terraform output failed); nothing was changed"
  # image_tag; a state from before the function was pinned by digest has only image_uri (repo:tag)
  jq -r '(.image_tag.value // "") as $t | if $t != "" then $t
         else ((.image_uri.value // "") | if test("^[^@]+:[^:/@]+$") then sub("^.*:"; "") else "" end) end' \
    <<<"${outputs}" || die "cannot read the deployed image from the state; nothing was changed"
}

image_exists() { # tag (in this environment's repository)
  image_digest "${ECR_REPO}" "$1" >/dev/null
}

image_digest() { # repository tag -> sha256:...
  "${AWS_CLI}" ecr describe-images --repository-name "$1" --image-ids "imageTag=$2" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null
}

# The api-handler-<env>-<sha> tag of an image URI (repo@digest or repo:tag).
tag_of_image() { # uri
  local digest
  if [[ "$1" != *@* ]]; then
    printf '%s' "${1##*:}"
    return 0
  fi
  digest="${1##*@}"
  "${AWS_CLI}" ecr describe-images --repository-name "${ECR_REPO}" --image-ids "imageDigest=${digest}" \
    --query 'imageDetails[0].imageTags' --output json 2>/dev/null |
    jq -r --arg env "${ENVIRONMENT}" '[.[]? | select(test("^api-handler-" + $env + "-[0-9a-f]{7,40}$"))][0] // empty'
}

# ---------------------------------------------------------------- rollout (the live alias)
ALIAS="live"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "${WORK_DIR}"' EXIT

alias_version() { # -> the version `live` points at (empty when there is no alias yet)
  local v
  v="$("${AWS_CLI}" lambda get-alias --function-name "${FUNCTION_NAME}" --name "${ALIAS}" \
    --query FunctionVersion --output text 2>"${WORK_DIR}/get-alias.err")" || {
    grep -q ResourceNotFoundException "${WORK_DIR}/get-alias.err" && return 0
    die "cannot read the ${ALIAS} alias of ${FUNCTION_NAME}: $(head -c 300 "${WORK_DIR}/get-alias.err")"
  }
  printf '%s' "${v}"
}

version_image() { # version -> the image URI that version runs
  "${AWS_CLI}" lambda get-function --function-name "${FUNCTION_NAME}" --qualifier "$1" \
    --query Code.ImageUri --output text
}

# Points `live` at VERSION (all traffic) or, with a weight, sends that share to EXTRA.
move_alias() { # version [extra_version weight]
  local routing='{}'
  [[ $# -ge 3 ]] && routing="{\"AdditionalVersionWeights\":{\"$2\":$3}}"
  "${AWS_CLI}" lambda update-alias --function-name "${FUNCTION_NAME}" --name "${ALIAS}" \
    --function-version "$1" --routing-config "${routing}" \
    --description "previous=${PREVIOUS_VERSION:-none}" >/dev/null ||
    die "could not move ${ALIAS} to version $1"
}

# One invocation of VERSION with an API Gateway (payload 2.0) event; the response is left in
# ${WORK_DIR}/invoke.json. On failure SMOKE_FAILURE says why.
invoke_version() { # version method path body
  local event out="${WORK_DIR}/invoke.json" fn_error
  rm -f "${out}"
  # the origin secret and the smoke user's token reach jq's environment only, never its arguments
  event="$(SMOKE_ORIGIN_SECRET="${SMOKE_ORIGIN_SECRET:-}" SMOKE_BEARER="${SMOKE_BEARER:-}" jq -cn --arg m "$2" --arg p "$3" --arg b "$4" '{
      version: "2.0", routeKey: ($m + " " + $p), rawPath: $p, rawQueryString: "",
      headers: ({"content-type": "application/json", "user-agent": "deploy-phased-smoke"}
        + (if ($ENV.SMOKE_ORIGIN_SECRET // "") != "" then {"x-origin-verify": $ENV.SMOKE_ORIGIN_SECRET} else {} end)
        + (if ($ENV.SMOKE_BEARER // "") != "" then {"authorization": ("Bearer " + $ENV.SMOKE_BEARER)} else {} end)),
      requestContext: {accountId: "anonymous", apiId: "deploy-smoke", domainName: "smoke.invalid",
        requestId: ("smoke-" + ($p | gsub("/"; "-"))), routeKey: ($m + " " + $p), stage: "$default",
        http: {method: $m, path: $p, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "deploy-phased-smoke"}},
      body: $b, isBase64Encoded: false}')"
  printf '%s' "${event}" >"${WORK_DIR}/event.json"
  # fileb:// = the raw bytes, in AWS CLI v1 and v2 alike
  fn_error="$("${AWS_CLI}" lambda invoke --function-name "${FUNCTION_NAME}" --qualifier "$1" \
    --payload "fileb://${WORK_DIR}/event.json" \
    --query FunctionError --output text "${out}" 2>"${WORK_DIR}/invoke.err")" || {
    SMOKE_FAILURE="invoke failed: $(tr '\n' ' ' <"${WORK_DIR}/invoke.err" | head -c 300)"
    return 1
  }
  if [[ -n "${fn_error}" && "${fn_error}" != "None" ]]; then
    SMOKE_FAILURE="$2 $3: function error ${fn_error}: $(head -c 300 "${out}")"
    return 1
  fi
}

# The answer of the last invoke_version: status and the body's field $1 (empty when absent).
answered() { # field -> "status field"
  printf '%s %s' "$(jq -r '.statusCode // empty' <"${WORK_DIR}/invoke.json")" \
    "$(jq -r --arg f "$1" '.body | fromjson? | .[$f] // empty' <"${WORK_DIR}/invoke.json")"
}

# The smoke test of a new version, before it gets traffic. Waits until the version is Active
# (an image version is Pending while Lambda optimises the image). Health answers 200 "healthy";
# then a throw-away user signs up, is confirmed, signs in and deletes its account, all through
# the new version: the rate limits in DynamoDB, Cognito with the client secret read at start,
# the master key, and Cognito's triggers on `live` (the custom message on sign-up, the V2_0 pre
# token generation on sign-in; a trigger Cognito cannot invoke or whose answer it refuses fails
# the sign-up or the sign-in). The address is the SES mailbox simulator's: accepted, never
# delivered, no bounce on the account's reputation.
smoke_test() { # version
  local resp status code nonce edge_secret_id email password pool token
  SMOKE_FAILURE=""
  SMOKE_ORIGIN_SECRET=""
  SMOKE_BEARER=""
  "${AWS_CLI}" lambda wait function-active-v2 --function-name "${FUNCTION_NAME}" --qualifier "$1" 2>"${WORK_DIR}/wait.err" || {
    SMOKE_FAILURE="version $1 did not become Active: $(tr '\n' ' ' <"${WORK_DIR}/wait.err" | head -c 300)"
    return 1
  }
  # With the edge on (enable_edge) the version refuses what did not come through CloudFront:
  # first proven, then the smoke test sends what CloudFront sends (the origin secret, read from
  # the secret store into this process only; never printed, never an argument).
  edge_secret_id="$("${AWS_CLI}" lambda get-function-configuration --function-name "${FUNCTION_NAME}" \
    --qualifier "$1" --query 'Environment.Variables.EDGE_SECRET_ID' --output text)" || {
    SMOKE_FAILURE="cannot read version $1's configuration"
    return 1
  }
  if [[ -n "${edge_secret_id}" && "${edge_secret_id}" != None ]]; then
    invoke_version "$1" POST /v1/auth/login '{"email":"deploy-smoke@example.com","password":"not-a-password"}' || return 1
    status="$(jq -r '.statusCode // empty' <"${WORK_DIR}/invoke.json")"
    code="$(jq -r '.body | fromjson? | .error // empty' <"${WORK_DIR}/invoke.json")"
    [[ "${status}" == 403 && "${code}" == FORBIDDEN ]] || {
      SMOKE_FAILURE="the edge is on, but a sign-in without the origin secret answered ${status:-no status} ${code} instead of 403 FORBIDDEN"
      return 1
    }
    SMOKE_ORIGIN_SECRET="$("${AWS_CLI}" secretsmanager get-secret-value --secret-id "${edge_secret_id}" \
      --query SecretString --output text)" || {
      SMOKE_FAILURE="cannot read the edge origin secret"
      return 1
    }
    log "smoke: the edge is on: a request around it is refused (403); the rest goes as CloudFront sends it"
  fi
  invoke_version "$1" GET /v1/health "" || return 1
  resp="$(cat "${WORK_DIR}/invoke.json")"
  status="$(jq -r '.statusCode // empty' <<<"${resp}")"
  code="$(jq -r '.body | fromjson? | .status // empty' <<<"${resp}")"
  [[ "${status}" == 200 && "${code}" == healthy ]] || {
    SMOKE_FAILURE="GET /v1/health answered ${status:-no status} ${code}"
    return 1
  }
  nonce="$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  email="success+deploy-smoke-${nonce}@simulator.amazonses.com"
  password="Smoke-test-${nonce}-not-a-password1"
  invoke_version "$1" POST /v1/auth/register \
    "{\"email\":\"${email}\",\"password\":\"${password}\",\"firstName\":\"Deploy\",\"lastName\":\"Smoke\"}" || return 1
  read -r status code <<<"$(answered error)"
  if [[ "${status}" == 401 && "${code}" == INVALID_API_KEY ]]; then
    # API keys on (enable_api_keys): the key list was read, the request stopped at the check
    log "smoke: API keys are on, so the sign-up stopped at the key check (the stores were not reached)"
    return 0
  fi
  [[ "${status}" == 201 ]] || {
    SMOKE_FAILURE="POST /v1/auth/register answered ${status:-no status} ${code:-} instead of 201"
    return 1
  }
  pool="$(tf output -raw user_pool_id)" || {
    SMOKE_FAILURE="cannot read user_pool_id from the state"
    smoke_cleanup "" "${email}"
    return 1
  }
  "${AWS_CLI}" cognito-idp admin-confirm-sign-up --user-pool-id "${pool}" --username "${email}" >/dev/null 2>"${WORK_DIR}/confirm.err" || {
    SMOKE_FAILURE="cannot confirm the smoke user: $(head -c 300 "${WORK_DIR}/confirm.err")"
    smoke_cleanup "${pool}" "${email}"
    return 1
  }
  invoke_version "$1" POST /v1/auth/login "{\"email\":\"${email}\",\"password\":\"${password}\"}" || {
    smoke_cleanup "${pool}" "${email}"
    return 1
  }
  read -r status code <<<"$(answered error)"
  token="$(jq -r '.body | fromjson? | .accessToken // empty' <"${WORK_DIR}/invoke.json")"
  [[ "${status}" == 200 && -n "${token}" ]] || {
    SMOKE_FAILURE="POST /v1/auth/login of the confirmed smoke user answered ${status:-no status} ${code:-} instead of 200 with tokens"
    smoke_cleanup "${pool}" "${email}"
    return 1
  }
  SMOKE_BEARER="${token}"
  invoke_version "$1" DELETE /v1/users/profile "{\"password\":\"${password}\"}" || {
    SMOKE_BEARER=""
    smoke_cleanup "${pool}" "${email}"
    return 1
  }
  SMOKE_BEARER=""
  read -r status code <<<"$(answered error)"
  [[ "${status}" == 204 ]] || {
    SMOKE_FAILURE="DELETE /v1/users/profile of the smoke user answered ${status:-no status} ${code:-} instead of 204"
    smoke_cleanup "${pool}" "${email}"
    return 1
  }
  log "smoke: a throw-away user signed up, signed in and deleted its account through version $1"
}

# A smoke user left behind by a failed step: removed from the pool (best effort; the
# function's own deletion, which also removes the profile, did not run).
smoke_cleanup() { # pool email
  local pool="$1"
  [[ -n "${pool}" ]] || pool="$(tf output -raw user_pool_id 2>/dev/null || true)"
  [[ -n "${pool}" ]] || return 0
  "${AWS_CLI}" cognito-idp admin-delete-user --user-pool-id "${pool}" --username "$2" >/dev/null 2>&1 || true
}

# The alarms that stop a rollout: the function's and the API's health, not attack counters;
# canary-errors watches the new version alone (terraform/modules/monitoring)
# (unreadable-seal: MFA users get 503 for their codes when no master key opens their secret).
ROLLOUT_ALARMS=(canary-errors error-rate throttles p99-duration api-5xx dynamodb-throttles unreadable-seal)
firing_alarms() {
  local names=() a
  for a in "${ROLLOUT_ALARMS[@]}"; do names+=("api-handler-${ENVIRONMENT}-${a}"); done
  "${AWS_CLI}" cloudwatch describe-alarms --alarm-names "${names[@]}" \
    --query "MetricAlarms[?StateValue=='ALARM'].AlarmName" --output text | tr '\t' ' '
}

# Smoke test, canary, shift. Leaves `live` on its old version when anything fails.
roll_out() {
  local new live
  new="$(tf output -raw function_version)" || die "cannot read function_version from the state"
  [[ "${new}" =~ ^[0-9]+$ ]] || die "no published version after the apply (function_version='${new}')"
  live="$(alias_version)" || exit 1
  [[ -n "${live}" ]] || die "the ${ALIAS} alias does not exist after the apply"
  PREVIOUS_VERSION="${live}"
  if [[ "${new}" == "${live}" ]]; then
    if [[ -n "${CURRENT_TAG}" ]]; then
      log "${ALIAS} already serves version ${new}: nothing to roll out"
      LIVE_VERSION="${new}"
      return 0
    fi
    # First deploy: the alias was created on the first version; there is nothing to fall back to.
    log "first deploy: smoke-testing version ${new}"
    smoke_test "${new}" || die "smoke test of version ${new} failed (${SMOKE_FAILURE}); it is the first version, so ${ALIAS} serves it: fix and deploy again"
    LIVE_VERSION="${new}"
    return 0
  fi
  log "smoke-testing version ${new} (${ALIAS} stays on ${live} meanwhile)"
  smoke_test "${new}" || die "smoke test of version ${new} failed (${SMOKE_FAILURE}); ${ALIAS} stays on version ${live}"
  log "smoke test passed"
  if [[ "${CANARY_MINUTES}" != 0 && "${CANARY_MINUTES}" != 0.0 ]]; then
    local seconds deadline firing
    seconds="$(awk -v m="${CANARY_MINUTES}" 'BEGIN { printf "%d", m * 60 + 0.5 }')"
    log "canary: ${ALIAS} sends ${CANARY_WEIGHT} of traffic to version ${new} for ${CANARY_MINUTES} min, watching ${ROLLOUT_ALARMS[*]}"
    move_alias "${live}" "${new}" "${CANARY_WEIGHT}"
    deadline=$((SECONDS + seconds))
    while :; do
      firing="$(firing_alarms)" || {
        move_alias "${live}"
        die "cannot read the alarms during the canary; ${ALIAS} is back on version ${live}"
      }
      if [[ -n "${firing}" && "${firing}" != None ]]; then
        move_alias "${live}"
        die "alarm ${firing} fired during the canary of version ${new}; ${ALIAS} is back on version ${live}"
      fi
      ((SECONDS < deadline)) || break
      sleep "$((deadline - SECONDS < CANARY_POLL_SECONDS ? deadline - SECONDS : CANARY_POLL_SECONDS))"
    done
    log "canary passed"
  fi
  move_alias "${new}"
  LIVE_VERSION="${new}"
  log "${ALIAS} -> version ${new} (was ${live})"
}

write_outputs() {
  local json endpoint edge
  json="$(tf output -json)"
  if [[ -n "${DEPLOY_OUTPUTS_FILE:-}" ]]; then
    printf '%s\n' "${json}" >"${DEPLOY_OUTPUTS_FILE}"
  fi
  endpoint="$(tf output -raw api_endpoint 2>/dev/null || true)"
  edge="$(tf output -raw edge_endpoint 2>/dev/null || true)"
  if [[ -n "${edge}" ]]; then
    log "the edge is on: clients use ${edge} (the API's own ${endpoint} answers 403 to all but health)"
    jq -r '.edge_certificate_validation.value[]? | "certificate validation record (add it to the domain'"'"'s DNS once): \(.name) \(.type) \(.value)"' \
      <<<"${json}" | while IFS= read -r line; do log "${line}"; done
    if [[ -n "${TF_VAR_edge_domain_name:-}" && "$(jq -r '.edge_domain_attached.value // false' <<<"${json}")" != true ]]; then
      log "the certificate for ${TF_VAR_edge_domain_name} is not issued yet: until it is, the edge answers at ${edge}; the first deploy after ACM issued it attaches the domain (then point ${TF_VAR_edge_domain_name} at $(jq -r '.edge_endpoint.value' <<<"${json}" | sed 's|https://||'))"
    fi
  fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
      printf 'edge_endpoint=%s\n' "${edge}"
      printf 'image_tag=%s\n' "$1"
      printf 'function_name=%s\n' "${FUNCTION_NAME}"
      printf 'api_endpoint=%s\n' "${endpoint}"
      printf 'live_version=%s\n' "${LIVE_VERSION:-}"
    } >>"${GITHUB_OUTPUT}"
  fi
  printf 'environment=%s\nimage_tag=%s\nfunction_name=%s\napi_endpoint=%s\nlive_version=%s\n' \
    "${ENVIRONMENT}" "$1" "${FUNCTION_NAME}" "${endpoint}" "${LIVE_VERSION:-}"
}

PHASE="init"
tf_init
CURRENT_TAG="$(deployed_tag)" || exit 1
[[ -n "${CURRENT_TAG}" ]] && log "function currently runs ${CURRENT_TAG}"

# prod runs what main holds, and never goes back in history by a deploy (use --rollback).
if [[ "${ENVIRONMENT}" == "prod" && "${MODE}" == "deploy" ]]; then
  PHASE="preflight"
  main_ref="${MAIN_REF:-}"
  if [[ -z "${main_ref}" ]]; then
    main_ref=main
    git -C "${REPO_ROOT}" rev-parse -q --verify "origin/main^{commit}" >/dev/null && main_ref=origin/main
  fi
  git -C "${REPO_ROOT}" rev-parse -q --verify "${main_ref}^{commit}" >/dev/null ||
    die "cannot find ${main_ref} to check that ${GIT_SHA} is on it (fetch it, or set MAIN_REF)"
  git -C "${REPO_ROOT}" merge-base --is-ancestor "${GIT_SHA}" "${main_ref}" ||
    die "refusing to deploy prod from ${GIT_SHA}: that commit is not on ${main_ref}"
  deployed_sha="${CURRENT_TAG#api-handler-prod-}"
  if [[ -n "${CURRENT_TAG}" && "${deployed_sha}" != "${GIT_SHA}" ]]; then
    git -C "${REPO_ROOT}" cat-file -e "${deployed_sha}^{commit}" 2>/dev/null ||
      die "cannot tell whether ${GIT_SHA} is newer than the deployed ${deployed_sha}: that commit is not in this clone (fetch the full history)"
    git -C "${REPO_ROOT}" merge-base --is-ancestor "${deployed_sha}" "${GIT_SHA}" ||
      die "refusing to deploy prod from ${GIT_SHA}: it is older than the deployed ${deployed_sha} (use --rollback to go back)"
  fi
  PHASE="init"
fi

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
# Moves the alias only: no terraform, no image, no configuration change.
if [[ "${MODE}" == "rollback" ]]; then
  PHASE="rollback"
  live="$(alias_version)" || exit 1
  [[ -n "${live}" ]] || die "${FUNCTION_NAME} has no ${ALIAS} alias: nothing to roll back"
  target=""
  if [[ -z "${ROLLBACK_TARGET}" ]]; then
    desc="$("${AWS_CLI}" lambda get-alias --function-name "${FUNCTION_NAME}" --name "${ALIAS}" --query Description --output text)"
    target="${desc#previous=}"
    [[ "${desc}" == previous=* && "${target}" =~ ^[0-9]+$ ]] || die "no earlier version recorded on ${ALIAS}; name a version or an image tag"
  elif [[ "${ROLLBACK_TARGET}" =~ ^[0-9]+$ ]]; then
    target="${ROLLBACK_TARGET}"
  else
    digest="$(image_digest "${ECR_REPO}" "${ROLLBACK_TARGET}")" || digest=""
    # shellcheck disable=SC2016  # a JMESPath literal, not a shell expansion
    versions="$("${AWS_CLI}" lambda list-versions-by-function --function-name "${FUNCTION_NAME}" \
      --query 'Versions[?Version!=`$LATEST`].Version' --output text)" || die "cannot list the versions of ${FUNCTION_NAME}"
    for v in $(tr '\t' '\n' <<<"${versions}" | sort -rn); do
      uri="$(version_image "${v}")"
      if [[ "${uri}" == *":${ROLLBACK_TARGET}" || (-n "${digest}" && "${uri}" == *"@${digest}") ]]; then
        target="${v}"
        break
      fi
    done
    [[ -n "${target}" ]] || die "no published version of ${FUNCTION_NAME} runs ${ROLLBACK_TARGET}"
  fi
  image="$(version_image "${target}" 2>/dev/null)" || die "${FUNCTION_NAME} has no version ${target}"
  image_tag="$(tag_of_image "${image}")"
  PREVIOUS_VERSION="${live}"
  log "moving ${ALIAS} from version ${live} to version ${target} (${image_tag:-${image##*/}})"
  move_alias "${target}"
  LIVE_VERSION="${target}"
  write_outputs "${image_tag}"
  log "rollback complete"
  exit 0
fi

# ---------------------------------------------------------------- phase 1
# A new account's Lambda concurrency quota can be 10, and each sign-in takes two concurrent
# executions (the API call and Cognito's pre token generation trigger): traffic would be
# throttled from the first users on. Reported, not refused (an increase takes AWS a while).
MIN_CONCURRENCY="${MIN_CONCURRENCY:-100}"
check_concurrency_quota() {
  local quota
  quota="$("${AWS_CLI}" lambda get-account-settings --query AccountLimit.ConcurrentExecutions --output text 2>/dev/null)" || {
    log "WARNING: cannot read the account's Lambda concurrency quota (lambda:GetAccountSettings)"
    return 0
  }
  if [[ "${quota}" =~ ^[0-9]+$ ]] && ((quota < MIN_CONCURRENCY)); then
    log "WARNING: the account's Lambda concurrency quota is ${quota} (< ${MIN_CONCURRENCY}); each sign-in takes two concurrent executions, so requests will be throttled: ask for more in Service Quotas, AWS Lambda 'Concurrent executions' (L-B99A9384), see docs/deployment-guide.md"
  else
    log "Lambda concurrency quota: ${quota}"
  fi
}

if run_phase 1; then
  PHASE="1/base-infra"
  check_concurrency_quota
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
  roll_out
  if [[ "$(tf output -raw alarm_subscription_count 2>/dev/null || echo 0)" == 0 ]]; then
    log "WARNING: nobody receives this environment's alarms (set alarm_subscriptions, see docs/deployment-guide.md)"
  fi
  write_outputs "${IMAGE_TAG}"
fi

PHASE="done"
log "finished"
