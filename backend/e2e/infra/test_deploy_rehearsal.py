"""Deployment rehearsal: the real deploy script + real Terraform against moto.

Runs backend/scripts/deploy-phased.sh from a throw-away git repository that
holds a copy of backend/{scripts,terraform,Dockerfile.api-handler}, against a
moto server with SigV4 authentication on (support/motoctl.py), with

* the AWS provider taken from the machine's filesystem mirror when there is
  one (a TF_CLI_CONFIG_FILE written here), else the normal registry install;
* TF_STATE_BACKEND=local (per-environment state files in a temp dir);
* a `docker` stand-in first on PATH (fake_docker.py) that logs build/login/push
  and registers pushed images in moto's ECR.

The tests run in file order and share one rehearsal (module scope).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

import motoctl

REPO = Path(__file__).resolve().parents[3]
BACKEND = REPO / "backend"
HERE = Path(__file__).resolve().parent

TERRAFORM = shutil.which("terraform")
AWS_CLI = shutil.which("aws", path=f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")

pytestmark = [
    pytest.mark.skipif(TERRAFORM is None, reason="terraform CLI not installed"),
    pytest.mark.skipif(AWS_CLI is None, reason="AWS CLI not installed"),
]

PUBLIC_ROUTES = {
    "GET /v1/health", "POST /v1/auth/register", "POST /v1/auth/email/verify", "POST /v1/auth/email/resend",
    "POST /v1/auth/login", "POST /v1/auth/refresh", "POST /v1/auth/logout", "POST /v1/auth/password/reset-request",
    "POST /v1/auth/password/reset-confirm", "POST /v1/auth/mfa/verify", "OPTIONS /v1/{proxy+}",
}
PROTECTED_ROUTES = {
    "POST /v1/auth/mfa/setup", "POST /v1/auth/mfa/verify-setup", "POST /v1/auth/mfa/disable",
    "POST /v1/auth/password/change", "GET /v1/users/profile", "PUT /v1/users/profile", "DELETE /v1/users/profile",
}


def _provider_mirror() -> Path | None:
    """Directory holding registry.terraform.io/hashicorp/aws/<v>/<os_arch>/, if any."""
    candidates = [os.environ.get("TF_PROVIDER_MIRROR", ""), "/opt/tf-plugins",
                  "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins"]
    for cand in candidates:
        if cand and (Path(cand) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return Path(cand)
    return None


class Rehearsal:
    def __init__(self, root: Path, moto: dict):
        self.root = root
        self.moto = moto
        self.repo = root / "repo"
        self.state_dir = root / "tfstate"
        self.docker_log = root / "docker.log"
        self.runs: list[dict] = []
        self.resources: dict[str, list[str]] = {}
        bindir = root / "bin"
        bindir.mkdir()
        docker = bindir / "docker"
        docker.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'fake_docker.py'} \"$@\"\n")
        docker.chmod(0o755)
        tfrc = root / "terraform.rc"
        mirror = _provider_mirror()
        if mirror:
            tfrc.write_text(
                "provider_installation {\n"
                f"  filesystem_mirror {{\n    path    = \"{mirror}\"\n"
                "    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n"
                "  direct {\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n")
        else:
            tfrc.write_text("")
        path = os.pathsep.join([str(bindir), str(Path(AWS_CLI).parent), str(Path(TERRAFORM).parent),
                                os.environ.get("PATH", "/usr/bin:/bin")])
        self.env = {
            "PATH": path,
            "HOME": str(root),
            "LANG": "C.UTF-8",
            "TF_CLI_CONFIG_FILE": str(tfrc),
            "TF_STATE_BACKEND": "local",
            "TF_LOCAL_STATE_DIR": str(self.state_dir),
            "FAKE_DOCKER_LOG": str(self.docker_log),
            "GIT_AUTHOR_NAME": "rehearsal", "GIT_AUTHOR_EMAIL": "rehearsal@example.invalid",
            "GIT_COMMITTER_NAME": "rehearsal", "GIT_COMMITTER_EMAIL": "rehearsal@example.invalid",
            "NO_COLOR": "1",
            "TF_CLI_ARGS": "-no-color",
            **motoctl.env_for(moto),
        }
        for var in ("AWS_CA_BUNDLE", "PYENV_ROOT", "PYENV_VERSION"):
            if var in os.environ:
                self.env[var] = os.environ[var]
        self._make_repo()

    # -- repo ---------------------------------------------------------------
    def _make_repo(self) -> None:
        (self.repo / "backend").mkdir(parents=True)
        ignore = shutil.ignore_patterns(".terraform", ".state", "*_override.tf", "*.tfstate*",
                                        ".terraform.lock.hcl")
        shutil.copytree(BACKEND / "scripts", self.repo / "backend" / "scripts")
        shutil.copytree(BACKEND / "terraform", self.repo / "backend" / "terraform", ignore=ignore)
        for name in ("Dockerfile.api-handler", "Dockerfile.api-handler.dockerignore"):
            shutil.copy2(BACKEND / name, self.repo / "backend" / name)
        shutil.copy2(REPO / ".gitignore", self.repo / ".gitignore")
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "rehearsal base")

    def git(self, *args: str) -> str:
        out = subprocess.run(["git", "-C", str(self.repo), *args], env=self.env, check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    @property
    def sha(self) -> str:
        return self.git("rev-parse", "HEAD")

    # -- running ------------------------------------------------------------
    def deploy(self, *args: str, extra_env: dict | None = None, check: bool = True,
               timeout: int = 600) -> subprocess.CompletedProcess:
        cmd = ["bash", str(self.repo / "backend" / "scripts" / "deploy-phased.sh"), *args]
        env = {**self.env, **(extra_env or {})}
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        self.runs.append({"args": args, "rc": proc.returncode})
        (self.root / f"run-{len(self.runs):02d}.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
        if check and proc.returncode != 0:
            pytest.fail(f"deploy-phased.sh {' '.join(args)} failed ({proc.returncode}):\n"
                        f"{proc.stderr[-6000:]}")
        return proc

    def docker_calls(self) -> list[dict]:
        if not self.docker_log.exists():
            return []
        return [json.loads(line) for line in self.docker_log.read_text().splitlines() if line]

    def state_file(self, env: str) -> Path:
        return self.state_dir / env / "terraform.tfstate"

    def state_resources(self, env: str) -> list[str]:
        state = json.loads(self.state_file(env).read_text())
        out = []
        for res in state.get("resources", []):
            if res["mode"] != "managed":
                continue
            prefix = (res.get("module") + ".") if res.get("module") else ""
            for inst in res["instances"]:
                key = inst.get("index_key")
                suffix = f"[{json.dumps(key)}]" if key is not None else ""
                out.append(f"{prefix}{res['type']}.{res['name']}{suffix}")
        return sorted(out)

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.moto["endpoint"], region_name=self.moto["region"],
                            aws_access_key_id=self.moto["access_key_id"],
                            aws_secret_access_key=self.moto["secret_access_key"])


@pytest.fixture(scope="module")
def rh(tmp_path_factory):
    root = tmp_path_factory.mktemp("rehearsal")
    info = motoctl.start(root / "moto")
    try:
        r = Rehearsal(root, info)
        yield r
    finally:
        motoctl.stop(info)
        summary = root / "resources.json"
        if "r" in locals():
            summary.write_text(json.dumps(r.resources, indent=2))
            print(f"\n[rehearsal] logs and resources.json in {root}")


def _function(rh, name):
    return rh.client("lambda").get_function(FunctionName=name)


def _pool(rh, name):
    cog = rh.client("cognito-idp")
    pools = [p for p in cog.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    assert len(pools) == 1, f"expected exactly one pool {name}, got {pools}"
    return cog.describe_user_pool(UserPoolId=pools[0]["Id"])["UserPool"]


def _apis(rh, name):
    return [a for a in rh.client("apigatewayv2").get_apis()["Items"] if a["Name"] == name]


# --------------------------------------------------------------------------- phase 1
def test_phase1_creates_only_base_infrastructure(rh):
    rh.deploy("dev", "--phase", "1")
    rh.resources["dev phase 1"] = rh.state_resources("dev")

    ecr = rh.client("ecr")
    repo = ecr.describe_repositories(repositoryNames=["lifestyle-app-dev"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName="lifestyle-app-dev")["lifecyclePolicyText"])
    assert policy["rules"]

    pool = _pool(rh, "ai-lifestyle-users-dev")
    pw = pool["Policies"]["PasswordPolicy"]
    assert pw["MinimumLength"] == 8
    assert pw["RequireUppercase"] and pw["RequireLowercase"] and pw["RequireNumbers"] and pw["RequireSymbols"]
    assert pool["MfaConfiguration"] == "OFF", "TOTP is the API's own"
    assert pool.get("UserPoolTier") == "ESSENTIALS", "access-token customisation needs the Essentials plan"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert not pool.get("LambdaConfig", {}).get("CustomMessage"), "trigger must wait for phase 3"
    cog = rh.client("cognito-idp")
    clients = cog.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)["UserPoolClients"]
    assert len(clients) == 1
    client = cog.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=clients[0]["ClientId"])["UserPoolClient"]
    # A confidential client: only the API, which reads this secret from Cognito, drives user flows.
    # The value appears in no output and no log of the deploy (the provider keeps it sensitive).
    client_secret = client.get("ClientSecret")
    assert client_secret and len(client_secret) >= 32, "the app client must have a secret"
    assert all(client_secret not in (rh.root / log).read_text() for log in os.listdir(rh.root) if log.startswith("run-"))
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["AccessTokenValidity"] == 60 and client["IdTokenValidity"] == 60
    assert client["RefreshTokenValidity"] == 30
    # A stolen access token cannot change the account's email through Cognito's own API.
    assert sorted(client["WriteAttributes"]) == ["family_name", "given_name"], client.get("WriteAttributes")
    assert "email" in client["ReadAttributes"]
    # No SES identity named: Cognito's default sender (documented default, dev only).
    assert pool.get("EmailConfiguration", {}).get("EmailSendingAccount", "COGNITO_DEFAULT") == "COGNITO_DEFAULT"
    assert not pool.get("LambdaConfig", {}).get("PreTokenGeneration"), "triggers wait for phase 3"

    ddb = rh.client("dynamodb")
    table = ddb.describe_table(TableName="users-dev")["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert not table.get("DeletionProtectionEnabled")
    ttl = ddb.describe_time_to_live(TableName="users-dev")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}, "rate-limit counters expire"
    pitr = ddb.describe_continuous_backups(TableName="users-dev")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

    groups = rh.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/api-handler-dev")["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [("/aws/lambda/api-handler-dev", 7)]

    iam = rh.client("iam")
    iam.get_role(RoleName="api-handler-dev-exec")
    names = iam.list_role_policies(RoleName="api-handler-dev-exec")["PolicyNames"]
    assert len(names) == 1
    doc = iam.get_role_policy(RoleName="api-handler-dev-exec", PolicyName=names[0])["PolicyDocument"]
    if isinstance(doc, str):
        doc = json.loads(doc)
    for stmt in doc["Statement"]:
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
        assert all("*" not in a for a in actions), stmt
        assert not any(a in ("dynamodb:Scan", "dynamodb:PartiQLSelect") for a in actions)
        if resources == ["*"]:
            assert all(a.startswith("xray:") for a in actions), stmt

    # The master key: a random secret the role may read, and nothing else may; its value is in no
    # Terraform output and not in the state (written write-only from an ephemeral random value).
    sm = rh.client("secretsmanager")
    secret = sm.describe_secret(SecretId="api-handler-dev-master-key")
    value = sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]
    raw = base64.b64decode(value, validate=True)
    assert len(raw) >= 32 and len(set(value)) > 20, "a random master key of at least 32 bytes"
    assert value not in rh.state_file("dev").read_text()
    assert all(value not in (rh.root / log).read_text() for log in os.listdir(rh.root) if log.startswith("run-"))
    master = [s for s in doc["Statement"] if "secretsmanager:GetSecretValue" in str(s["Action"])]
    assert len(master) == 1 and master[0]["Resource"] in (secret["ARN"], [secret["ARN"]]), master

    with pytest.raises(ClientError) as err:
        _function(rh, "api-handler-dev")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert _apis(rh, "lifestyle-api-dev") == []
    assert not any(r.startswith(("module.lambda.aws_lambda_function", "module.api_gateway",
                                 "module.monitoring")) for r in rh.resources["dev phase 1"])
    assert rh.docker_calls() == [], "phase 1 must not build or push"


# --------------------------------------------------------------------------- full run
def test_full_deploy_builds_pushes_and_runs_the_sha_tagged_image(rh):
    proc = rh.deploy("dev")
    rh.resources["dev phase 3"] = rh.state_resources("dev")
    tag = f"api-handler-dev-{rh.sha}"
    rh.first_tag = tag

    calls = rh.docker_calls()
    builds = [c for c in calls if c["cmd"] == "build"]
    pushes = [c for c in calls if c["cmd"] == "push"]
    logins = [c for c in calls if c["cmd"] == "login"]
    assert len(builds) == 1 and builds[0]["tag"].endswith(f"/lifestyle-app-dev:{tag}")
    assert builds[0]["dockerfile"].endswith("backend/Dockerfile.api-handler")
    assert builds[0]["platform"] == "linux/arm64"
    assert len(logins) == 1 and logins[0]["username"] == "AWS" and logins[0]["password_given"]
    assert logins[0]["registry"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert [p["ok"] for p in pushes] == [True]

    fn = _function(rh, "api-handler-dev")
    cfg = fn["Configuration"]
    assert cfg["PackageType"] == "Image"
    assert fn["Code"]["ImageUri"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/lifestyle-app-dev:{tag}"
    assert cfg["Architectures"] == ["arm64"]
    assert cfg["MemorySize"] == 512 and cfg["Timeout"] == 15
    assert cfg["TracingConfig"]["Mode"] == "Active"
    assert cfg["Role"].endswith(":role/api-handler-dev-exec")
    pool = _pool(rh, "ai-lifestyle-users-dev")
    env = cfg["Environment"]["Variables"]
    assert env["USER_POOL_ID"] == pool["Id"]
    env_client_id = env.pop("USER_POOL_CLIENT_ID")
    assert env_client_id
    assert env.pop("APP_SECRET_ID") == rh.client("secretsmanager").describe_secret(SecretId="api-handler-dev-master-key")["ARN"]
    assert env == {"ENVIRONMENT": "dev", "LOG_LEVEL": "DEBUG", "CORS_ORIGIN": "*",
                   "USERS_TABLE": "users-dev", "USER_POOL_ID": pool["Id"]}
    secret = rh.client("cognito-idp").describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=env_client_id)["UserPoolClient"]["ClientSecret"]
    assert secret not in json.dumps(cfg), "the client secret must not be in the function's configuration"
    assert pool["LambdaConfig"]["CustomMessage"] == cfg["FunctionArn"]
    # the same function suppresses the self-service scope in every access token (event version 2)
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {"LambdaArn": cfg["FunctionArn"], "LambdaVersion": "V2_0"}

    lam_policy = json.loads(rh.client("lambda").get_policy(FunctionName="api-handler-dev")["Policy"])
    principals = {s["Principal"]["Service"] for s in lam_policy["Statement"]}
    assert principals == {"cognito-idp.amazonaws.com", "apigateway.amazonaws.com"}

    apis = _apis(rh, "lifestyle-api-dev")
    assert len(apis) == 1 and apis[0]["ProtocolType"] == "HTTP"
    gw = rh.client("apigatewayv2")
    api_id = apis[0]["ApiId"]
    routes = {r["RouteKey"]: r for r in gw.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == PUBLIC_ROUTES | PROTECTED_ROUTES
    # (moto has no GetAuthorizers list call; read the one the routes use)
    authorizer_ids = {routes[key].get("AuthorizerId") for key in PROTECTED_ROUTES}
    assert len(authorizer_ids) == 1 and None not in authorizer_ids
    authorizer = gw.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_ids.pop())
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"]["Issuer"].endswith(pool["Id"])
    assert authorizer["JwtConfiguration"]["Audience"] == [env_client_id]
    for key in PROTECTED_ROUTES:
        assert routes[key].get("AuthorizationType") == "JWT", key
    for key in PUBLIC_ROUTES:
        assert routes[key].get("AuthorizationType", "NONE") == "NONE", key
    integrations = gw.get_integrations(ApiId=api_id)["Items"]
    assert len(integrations) == 1
    assert integrations[0]["PayloadFormatVersion"] == "2.0"
    assert integrations[0]["IntegrationType"] == "AWS_PROXY"
    stage = gw.get_stage(ApiId=api_id, StageName="$default")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 40
    assert json.loads(stage["AccessLogSettings"]["Format"])["requestId"] == "$context.requestId"

    alarms = {a["AlarmName"] for a in rh.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert alarms == {"api-handler-dev-error-rate", "api-handler-dev-throttles",
                      "api-handler-dev-p99-duration", "api-handler-dev-api-5xx",
                      "api-handler-dev-failed-logins", "api-handler-dev-failed-mfa"}
    by_name = {a["AlarmName"]: a for a in rh.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    failed = by_name["api-handler-dev-failed-logins"]
    # the alarm watches the series the function emits (EMF: namespace, metric, dimensions)
    assert failed["Namespace"] == "LifestyleBackend/dev" and failed["MetricName"] == "failures"
    assert {d["Name"]: d["Value"] for d in failed["Dimensions"]} == {"service": "api-handler", "kind": "login_invalid_credentials"}
    assert {d["Name"]: d["Value"] for d in by_name["api-handler-dev-failed-mfa"]["Dimensions"]}["kind"] == "mfa_invalid_code"

    assert f"image_tag={tag}" in proc.stdout
    assert "api_endpoint=https://" in proc.stdout


def test_a_failed_state_read_stops_before_any_apply(rh):
    """A transient error reading the state (here: every `terraform output` fails, as when the
    state bucket cannot be reached) stops the deploy with one line; it is never taken for an
    empty environment, whose phase 1 would destroy the running function and its API."""
    fn_before = _function(rh, "api-handler-dev")
    apis_before = {a["ApiId"] for a in rh.client("apigatewayv2").get_apis()["Items"]}
    flaky = rh.root / "flaky-terraform"
    flaky.write_text("#!/bin/sh\n"
                     'for a in "$@"; do [ "$a" = output ] && { echo "Error: Failed to load state: '
                     'RequestError: send request failed" >&2; exit 1; }; done\n'
                     f'exec "{TERRAFORM}" "$@"\n')
    flaky.chmod(0o755)
    for args in ((), ("--phase", "1")):
        bad = rh.deploy("dev", *args, extra_env={"TERRAFORM": str(flaky)}, check=False)
        assert bad.returncode != 0
        errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
        assert errors == ["deploy-phased: ERROR in phase init: cannot read the deployed state "
                          "(terraform output failed); nothing was changed"], bad.stderr[-2000:]
        assert "Apply complete" not in bad.stdout + bad.stderr
    fn_after = _function(rh, "api-handler-dev")
    assert fn_after["Code"]["ImageUri"] == fn_before["Code"]["ImageUri"]
    assert fn_after["Configuration"]["FunctionArn"] == fn_before["Configuration"]["FunctionArn"]
    assert {a["ApiId"] for a in rh.client("apigatewayv2").get_apis()["Items"]} == apis_before


def test_rerun_skips_existing_image_and_plans_no_change(rh):
    before = len(rh.docker_calls())
    proc = rh.deploy("dev")
    calls = rh.docker_calls()[before:]
    assert not [c for c in calls if c["cmd"] in ("build", "push", "login")], calls
    assert "already in ECR" in proc.stderr
    applies = [line for line in proc.stderr.splitlines() if line.startswith("Apply complete!")]
    assert applies == ["Apply complete! Resources: 0 added, 0 changed, 0 destroyed."] * 2, applies

    digest = hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest()
    plan = rh.deploy("dev", "--plan")
    assert "PLAN: no changes" in plan.stdout
    assert "No changes." in plan.stderr
    assert hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest() == digest
    assert len(rh.docker_calls()) == before

    # A pending change is reported, and still nothing is applied.
    pending = rh.deploy("dev", "--plan", extra_env={"LAMBDA_ARCH": "x86_64"})
    assert "PLAN: changes pending" in pending.stdout
    assert "module.lambda.aws_lambda_function.api[0] will be updated in-place" in pending.stderr
    assert _function(rh, "api-handler-dev")["Configuration"]["Architectures"] == ["arm64"]
    assert hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest() == digest


def test_plan_reports_pending_changes_without_applying(rh):
    (rh.repo / "backend" / "CHANGELOG.rehearsal").write_text("v2\n")
    rh.git("add", "-A")
    rh.git("commit", "-q", "-m", "second commit")
    before_calls = len(rh.docker_calls())
    plan = rh.deploy("dev", "--plan")
    assert "phase 2 would build and push" in plan.stderr
    # The new image is not built yet, so the plan is against the running image.
    assert "PLAN: no changes" in plan.stdout
    assert len(rh.docker_calls()) == before_calls
    assert _function(rh, "api-handler-dev")["Code"]["ImageUri"].endswith(rh.first_tag)

    # Naming an SES identity switches Cognito's mail to it and adds bounce and complaint alarms.
    ses = {"TF_VAR_ses_identity_arn": "arn:aws:ses:eu-west-1:123456789012:identity/ailifestyle.app",
           "TF_VAR_ses_from_address": "AI Lifestyle <no-reply@ailifestyle.app>"}
    plan = rh.deploy("dev", "--plan", extra_env=ses)
    out = plan.stdout + plan.stderr
    assert "PLAN: no changes" not in plan.stdout
    assert '"DEVELOPER"' in out and "no-reply@ailifestyle.app" in out, out[-3000:]
    assert "api-handler-dev-ses-bounce-rate" in out and "api-handler-dev-ses-complaint-rate" in out
    bad = rh.deploy("dev", "--plan", extra_env={"TF_VAR_ses_identity_arn": "ailifestyle.app"}, check=False)
    assert bad.returncode != 0 and "ses_identity_arn must be" in bad.stderr + bad.stdout


def test_second_commit_rolls_the_function_forward(rh):
    new_tag = f"api-handler-dev-{rh.sha}"
    assert new_tag != rh.first_tag
    # An allow-list of origins instead of the environment's default reaches the function as CORS_ORIGIN.
    origins = '["https://ailifestyle.app", "https://staging.ailifestyle.app"]'
    rh.deploy("dev", extra_env={"TF_VAR_cors_origins": origins})
    fn = _function(rh, "api-handler-dev")
    assert fn["Code"]["ImageUri"].endswith(":" + new_tag)
    cors = fn["Configuration"]["Environment"]["Variables"]["CORS_ORIGIN"]
    assert cors == "https://ailifestyle.app,https://staging.ailifestyle.app"
    bad = rh.deploy("dev", "--plan", extra_env={"TF_VAR_cors_origins": '["https://ailifestyle.app/app"]'}, check=False)
    assert bad.returncode != 0 and "cors_origins must be" in bad.stderr + bad.stdout
    tags = {i.get("imageTag") for i in rh.client("ecr").list_images(repositoryName="lifestyle-app-dev")["imageIds"]}
    assert {rh.first_tag, new_tag} <= tags
    rh.second_tag = new_tag


def test_rollback_returns_to_an_earlier_tag(rh):
    proc = rh.deploy("dev", "--rollback", rh.first_tag)
    assert _function(rh, "api-handler-dev")["Code"]["ImageUri"].endswith(":" + rh.first_tag)
    assert f"image_tag={rh.first_tag}" in proc.stdout

    bad = rh.deploy("dev", "--rollback", "api-handler-dev-0000000deadbeef", check=False)
    assert bad.returncode != 0
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert errors == ["deploy-phased: ERROR in phase rollback: image tag api-handler-dev-0000000deadbeef "
                      "not found in ECR repository lifestyle-app-dev"]
    assert _function(rh, "api-handler-dev")["Code"]["ImageUri"].endswith(":" + rh.first_tag)

    # and forward again to the newest commit
    rh.deploy("dev", "--phase", "3")
    assert _function(rh, "api-handler-dev")["Code"]["ImageUri"].endswith(":" + rh.second_tag)


def test_phase3_without_pushed_image_fails_with_one_clear_line(rh):
    bad = rh.deploy("dev", "--phase", "3", extra_env={"GIT_SHA": "abcdef1234567"}, check=False)
    assert bad.returncode != 0
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert errors == ["deploy-phased: ERROR in phase 3/function: image api-handler-dev-abcdef1234567 "
                      "not in ECR - run phase 2 first"]


def test_preflight_rejects_bad_credentials_and_prod_account_mismatch(rh):
    bad = rh.deploy("dev", extra_env={"AWS_SECRET_ACCESS_KEY": "wrong-secret"}, check=False)
    assert bad.returncode != 0
    assert "deploy-phased: ERROR in phase preflight: AWS credentials are not valid" in bad.stderr
    no_account = rh.deploy("prod", check=False)
    assert no_account.returncode != 0 and "prod needs ACCOUNT_ID" in no_account.stderr
    wrong = rh.deploy("prod", "210987654321", check=False)
    assert wrong.returncode != 0 and "not 210987654321" in wrong.stderr
    assert not rh.state_file("prod").exists()


def _dev_snapshot(rh) -> dict:
    cfg = _function(rh, "api-handler-dev")
    pool = _pool(rh, "ai-lifestyle-users-dev")
    return {
        "function": (cfg["Code"]["ImageUri"], cfg["Configuration"]["LastModified"],
                     cfg["Configuration"]["Environment"]["Variables"]),
        "pool": (pool["Id"], pool.get("LambdaConfig")),
        "table": rh.client("dynamodb").describe_table(TableName="users-dev")["Table"]["TableArn"],
        "state": hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest(),
        "apis": [a["ApiId"] for a in _apis(rh, "lifestyle-api-dev")],
    }


def test_prod_rehearsal_is_isolated_from_dev(rh):
    dev_before = _dev_snapshot(rh)

    # Prod is deployed from committed code only: refused before anything changes.
    (rh.repo / "backend" / "uncommitted.txt").write_text("dirty\n")
    dirty = rh.deploy("prod", "123456789012", check=False)
    assert dirty.returncode != 0
    assert ("deploy-phased: ERROR in phase preflight: refusing to deploy prod from a dirty git tree"
            in dirty.stderr)
    assert not rh.state_file("prod").exists()
    assert not [c for c in rh.docker_calls() if c["cmd"] == "build" and "lifestyle-app-prod" in c["tag"]]
    (rh.repo / "backend" / "uncommitted.txt").unlink()

    rh.deploy("prod", "123456789012")
    rh.resources["prod phase 3"] = rh.state_resources("prod")
    tag = f"api-handler-prod-{rh.sha}"
    fn = _function(rh, "api-handler-prod")
    assert fn["Code"]["ImageUri"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/lifestyle-app-prod:{tag}"
    env = fn["Configuration"]["Environment"]["Variables"]
    assert env["ENVIRONMENT"] == "prod" and env["LOG_LEVEL"] == "INFO"
    assert env["CORS_ORIGIN"] == "https://ailifestyle.app" and env["USERS_TABLE"] == "users-prod"
    assert env["USER_POOL_ID"] == _pool(rh, "ai-lifestyle-users-prod")["Id"]
    assert fn["Configuration"]["MemorySize"] == 1024
    assert fn["Configuration"]["Role"].endswith(":role/api-handler-prod-exec")
    table = rh.client("dynamodb").describe_table(TableName="users-prod")["Table"]
    assert table["DeletionProtectionEnabled"] is True
    groups = rh.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/api-handler-prod")["logGroups"]
    assert groups[0]["retentionInDays"] == 30

    # Separate state files; nothing of dev changed.
    assert rh.state_file("prod") != rh.state_file("dev")
    prod_state = rh.state_file("prod").read_text()
    for dev_name in ("lifestyle-app-dev", "users-dev", "api-handler-dev", "ai-lifestyle-users-dev",
                     dev_before["pool"][0]):
        assert dev_name not in prod_state, f"prod state references dev resource {dev_name}"
    assert _dev_snapshot(rh) == dev_before

    prod_plan = rh.deploy("prod", "123456789012", "--plan")
    assert "PLAN: no changes" in prod_plan.stdout
