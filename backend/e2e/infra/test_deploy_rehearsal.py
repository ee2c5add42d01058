"""Deployment rehearsal: the real deploy script + real Terraform against moto.

Runs backend/scripts/deploy-phased.sh from a throw-away git repository that
holds a copy of backend/{scripts,terraform,Dockerfile.api-handler}, against a
moto server with SigV4 authentication on (support/motoctl.py), with

* the AWS provider taken from the machine's filesystem mirror when there is
  one (a TF_CLI_CONFIG_FILE written here), else the normal registry install;
* TF_STATE_BACKEND=local (per-environment state files in a temp dir);
* a `docker` stand-in first on PATH (fake_docker.py) that logs build/login/push
  and registers pushed images in moto's ECR; an image runs the locally built
  api-handler as its bootstrap, so the deploy's smoke test invokes the real
  function (support/lambda_image_runner.py) against the rehearsal's own table,
  user pool and master key.

The tests run in file order and share one rehearsal (module scope).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import boto3
import pytest
from botocore.exceptions import ClientError

import alarm_eval
import iam_eval
import motoctl

REPO = Path(__file__).resolve().parents[3]
BACKEND = REPO / "backend"
HERE = Path(__file__).resolve().parent

TERRAFORM = shutil.which("terraform")
AWS_CLI = shutil.which("aws", path=f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")

SUPPORT = REPO / "backend" / "e2e" / "support"
API_HANDLER_BIN = os.environ.get("API_HANDLER_BIN") or str(BACKEND / ".build" / "release" / "api-handler")

pytestmark = [
    pytest.mark.skipif(TERRAFORM is None, reason="terraform CLI not installed"),
    pytest.mark.skipif(AWS_CLI is None, reason="AWS CLI not installed"),
    pytest.mark.skipif(not os.access(API_HANDLER_BIN, os.X_OK),
                       reason="no api-handler binary for the image's bootstrap (set API_HANDLER_BIN)"),
]

# The HTTP API's routes: what the app serves (terraform/routes.json, generated from openapi.yaml;
# true = the JWT authorizer guards it). The auth milestone's routes are named as well, so a broken
# routes.json cannot make this check vacuous.
_ROUTE_TABLE = json.loads((Path(__file__).resolve().parents[2] / "terraform" / "routes.json").read_text())
PUBLIC_ROUTES = {key for key, bearer in _ROUTE_TABLE.items() if not bearer}
PROTECTED_ROUTES = {key for key, bearer in _ROUTE_TABLE.items() if bearer}
assert {"GET /v1/health", "POST /v1/auth/login", "POST /v1/auth/mfa/verify"} <= PUBLIC_ROUTES
assert {"GET /v1/users/profile", "DELETE /v1/users/profile", "GET /v1/goals/{goalId}"} <= PROTECTED_ROUTES


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
            "API_HANDLER_BIN": API_HANDLER_BIN,
            "GIT_AUTHOR_NAME": "rehearsal", "GIT_AUTHOR_EMAIL": "rehearsal@example.invalid",
            "GIT_COMMITTER_NAME": "rehearsal", "GIT_COMMITTER_EMAIL": "rehearsal@example.invalid",
            "NO_COLOR": "1",
            "TF_CLI_ARGS": "-no-color",
            # tag-conditioned calls denied shortly after creation (MOTO_TAG_PROPAGATION_SECONDS):
            # the deploy retries every few seconds instead of AWS's half minute
            "PROPAGATION_RETRY_INTERVAL": "3",
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
    # Invoke of an image function runs the image's bootstrap (what fake_docker recorded).
    # Every call the emulator answers is recorded for the IAM evaluation at the end.
    info = motoctl.start(root / "moto", extra_env={
        "MOTO_LAMBDA_IMAGE_RUNNER": f"{sys.executable} {SUPPORT / 'lambda_image_runner.py'}",
        "FAKE_DOCKER_LOG": str(root / "docker.log"),
        "MOTO_CALL_LOG": str(root / "calls.jsonl"),
        # ACM issues a DNS-validated certificate this long after the request (AWS: once the
        # record is in DNS); the edge's apply waits for it like a real one.
        "MOTO_ACM_VALIDATION_WAIT": "2",
        # What a fresh account does that an emulator does not: a key's tags reach IAM late, so
        # calls allowed on aws:ResourceTag are denied for a while after CreateKey; and the
        # account's Lambda concurrency quota is 10.
        "MOTO_TAG_PROPAGATION_SECONDS": "8",
        "MOTO_LAMBDA_CONCURRENCY": "10",
    })
    try:
        r = Rehearsal(root, info)
        yield r
    finally:
        motoctl.stop(info)
        summary = root / "resources.json"
        if "r" in locals():
            summary.write_text(json.dumps(r.resources, indent=2))
            print(f"\n[rehearsal] logs and resources.json in {root}")


REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def _pinned(rh, tag: str, env: str = "dev") -> str:
    """The URI a function pinned to the image tagged TAG runs: repository@digest."""
    digest = rh.client("ecr").describe_images(repositoryName=f"lifestyle-app-{env}",
                                              imageIds=[{"imageTag": tag}])["imageDetails"][0]["imageDigest"]
    return f"{REGISTRY}/lifestyle-app-{env}@{digest}"


def _function(rh, name):
    return rh.client("lambda").get_function(FunctionName=name)


def _pool(rh, name):
    cog = rh.client("cognito-idp")
    pools = [p for p in cog.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    assert len(pools) == 1, f"expected exactly one pool {name}, got {pools}"
    return cog.describe_user_pool(UserPoolId=pools[0]["Id"])["UserPool"]


def _apis(rh, name):
    return [a for a in rh.client("apigatewayv2").get_apis()["Items"] if a["Name"] == name]


def _recorded_calls(rh) -> list[dict]:
    path = rh.root / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_creates_the_state_bucket_deploy_roles_and_boundaries(rh):
    """The one-time account bootstrap (terraform/bootstrap, as an administrator runs it) in the
    same emulator: the pipelines' state bucket, the GitHub OIDC roles and each environment's
    permissions boundary, which the deploys below then attach."""
    work = rh.root / "bootstrap"
    shutil.copytree(BACKEND / "terraform" / "bootstrap", work,
                    ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    env = {**rh.env, "TF_IN_AUTOMATION": "1"}
    tfvars = ["-var=aws_account_id=123456789012", '-var=environments=["dev","prod"]',
              "-var=state_bucket_name=lifestyle-tfstate-123456789012", "-var=github_repository=acme/lifestyle"]
    for cmd in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false", *tfvars],
                ["plan", "-detailed-exitcode", "-input=false", *tfvars]):
        out = subprocess.run([TERRAFORM, f"-chdir={work}", *cmd], env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, f"terraform {cmd[0]}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    rh.bootstrap_calls = len(_recorded_calls(rh))  # the administrator's calls: not the pipeline's

    s3 = rh.client("s3")
    bucket = "lifestyle-tfstate-123456789012"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    iam = rh.client("iam")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert any(a.endswith("oidc-provider/token.actions.githubusercontent.com") for a in providers)
    rh.deploy_policies = {}
    for env_name in ("dev", "prod"):
        role = iam.get_role(RoleName=f"github-deploy-lifestyle-backend-{env_name}")["Role"]
        trust = role["AssumeRolePolicyDocument"]
        if isinstance(trust, str):
            trust = json.loads(unquote(trust))
        cond = trust["Statement"][0]["Condition"]["StringEquals"]
        assert cond["token.actions.githubusercontent.com:sub"] == f"repo:acme/lifestyle:environment:{env_name}"
        names = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
        doc = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=names[0])["PolicyDocument"]
        if isinstance(doc, str):
            doc = json.loads(unquote(doc))
        rh.deploy_policies[env_name] = doc
        other = "prod" if env_name == "dev" else "dev"
        assert f"api-handler-{other}" not in json.dumps(doc) and f"users-{other}" not in json.dumps(doc)
        for stmt in doc["Statement"]:
            actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
            if stmt["Effect"] == "Allow":
                assert all(a != "*" and not a.endswith(":*") for a in actions), stmt
        boundary = iam.get_policy(PolicyArn=f"arn:aws:iam::123456789012:policy/lifestyle-backend-{env_name}-boundary")["Policy"]
        version = iam.get_policy_version(PolicyArn=boundary["Arn"], VersionId=boundary["DefaultVersionId"])
        text = unquote(json.dumps(version["PolicyVersion"]["Document"]))
        assert f"users-{env_name}" in text and f"users-{other}" not in text and "iam:" not in text


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
    # The domain's indexes (docs/aws-design.md): gsi1 (goals by status, shares given), gsi2 (shares received).
    assert _indexes(table) == DOMAIN_INDEXES
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
    exec_role = iam.get_role(RoleName="api-handler-dev-exec")["Role"]
    assert exec_role["PermissionsBoundary"]["PermissionsBoundaryArn"] == \
        "arn:aws:iam::123456789012:policy/lifestyle-backend-dev-boundary"
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
    # pinned by digest: the image the tag named at deploy time, whatever happens to tags later
    assert fn["Code"]["ImageUri"] == _pinned(rh, tag) and "@sha256:" in fn["Code"]["ImageUri"]
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
                   "USERS_TABLE": "users-dev", "USER_POOL_ID": pool["Id"], "MALLOC_ARENA_MAX": "2"}
    secret = rh.client("cognito-idp").describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=env_client_id)["UserPoolClient"]["ClientSecret"]
    assert secret not in json.dumps(cfg), "the client secret must not be in the function's configuration"
    # Traffic reaches the function through its `live` alias only: on the first deploy it is
    # version 1, which the deploy smoke-tested by invoking it (the real binary against this
    # rehearsal's table, pool and master key).
    lam = rh.client("lambda")
    live = lam.get_alias(FunctionName="api-handler-dev", Name="live")
    live_arn = cfg["FunctionArn"] + ":live"
    assert live["AliasArn"] == live_arn and live["FunctionVersion"] == "1"
    assert not (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    assert "first deploy: smoke-testing version 1" in proc.stderr
    # the smoke test went through Cognito's triggers: a throw-away user signed up and in, then left
    assert "smoke: a throw-away user signed up, signed in and deleted its account through version 1" in proc.stderr
    assert not [u for u in rh.client("cognito-idp").list_users(UserPoolId=pool["Id"])["Users"]
                if "deploy-smoke" in json.dumps(u)], "the smoke user was left behind"
    # a fresh account: the concurrency quota is reported in phase 1 ...
    assert "WARNING: the account's Lambda concurrency quota is 10 (< 100)" in proc.stderr
    # ... and the alarm key's tags reached IAM late: denied, retried, the same key kept
    assert "access denied, as for a resource whose tags have not propagated yet" in proc.stderr
    denied_key = re.search(r"KMS Key \(([0-9a-f-]+)\)", proc.stderr)
    assert denied_key, "the emulator denied no call on the new key"
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in rh.client("kms").list_aliases()["Aliases"]}
    assert aliases["alias/api-handler-dev-alarms"] == denied_key.group(1), "a retried apply replaced the key"
    assert "live_version=1" in proc.stdout
    assert pool["LambdaConfig"]["CustomMessage"] == live_arn
    # the same function suppresses the self-service scope in every access token (event version 2)
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {"LambdaArn": live_arn, "LambdaVersion": "V2_0"}

    lam_policy = json.loads(lam.get_policy(FunctionName="api-handler-dev", Qualifier="live")["Policy"])
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
    assert integrations[0]["IntegrationUri"] == live_arn
    assert integrations[0]["IntegrationType"] == "AWS_PROXY"
    stage = gw.get_stage(ApiId=api_id, StageName="$default")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 40
    assert json.loads(stage["AccessLogSettings"]["Format"])["requestId"] == "$context.requestId"

    cw = rh.client("cloudwatch")
    alarms = {a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]}
    assert alarms == {"api-handler-dev-error-rate", "api-handler-dev-throttles",
                      "api-handler-dev-p99-duration", "api-handler-dev-api-5xx",
                      "api-handler-dev-failed-logins", "api-handler-dev-failed-mfa",
                      "api-handler-dev-unreadable-seal", "api-handler-dev-dynamodb-throttles",
                      "api-handler-dev-canary-errors"}
    by_name = {a["AlarmName"]: a for a in cw.describe_alarms()["MetricAlarms"]}
    ddb_alarm = by_name["api-handler-dev-dynamodb-throttles"]
    watched = {(q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Metric"]["Dimensions"][0]["Value"])
               for q in ddb_alarm["Metrics"] if "MetricStat" in q}
    assert watched == {("ReadThrottleEvents", "users-dev"), ("WriteThrottleEvents", "users-dev")}

    # Alarms can reach someone: the topic's key is our own and lets CloudWatch (and SNS) use it;
    # only this environment's alarms may publish. No subscriber configured yet: the deploy says so.
    topic_arn = by_name["api-handler-dev-error-rate"]["AlarmActions"][0]
    sns = rh.client("sns")
    topic = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    key_id = topic["KmsMasterKeyId"]
    assert key_id and "alias/aws/sns" not in key_id
    kms = rh.client("kms")
    key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER" and key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    key_policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    cw_grant = [st for st in key_policy["Statement"] if st.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
    assert len(cw_grant) == 1 and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cw_grant[0]["Action"])
    topic_policy = json.loads(topic["Policy"])
    publish = [st for st in topic_policy["Statement"] if st.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
    assert publish and publish[0]["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":alarm:api-handler-dev-*")
    assert sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []
    assert "WARNING: nobody receives this environment's alarms" in proc.stderr

    # One dashboard: requests and 4xx/5xx, p50/p99, errors, throttles, concurrency, DynamoDB
    # throttles, Cognito and auth failures.
    board = json.loads(cw.get_dashboard(DashboardName="api-handler-dev")["DashboardBody"])
    charted = {m[1] for w in board["widgets"] for m in w["properties"]["metrics"]}
    assert {"Count", "4xx", "5xx", "Duration", "Errors", "Throttles", "ConcurrentExecutions",
            "ReadThrottleEvents", "WriteThrottleEvents", "failures"} <= charted
    stats = {m[-1].get("stat") for w in board["widgets"] for m in w["properties"]["metrics"] if isinstance(m[-1], dict)}
    assert {"p50", "p99"} <= stats
    failed = by_name["api-handler-dev-failed-logins"]
    # the alarm watches the series the function emits (EMF: namespace, metric, dimensions)
    assert failed["Namespace"] == "LifestyleBackend/dev" and failed["MetricName"] == "failures"
    assert {d["Name"]: d["Value"] for d in failed["Dimensions"]} == {"service": "api-handler", "kind": "login_invalid_credentials"}
    assert {d["Name"]: d["Value"] for d in by_name["api-handler-dev-failed-mfa"]["Dimensions"]}["kind"] == "mfa_invalid_code"
    # one stored MFA secret that no master key opens is one too many (its user gets 503, never tokens)
    unreadable = by_name["api-handler-dev-unreadable-seal"]
    assert {d["Name"]: d["Value"] for d in unreadable["Dimensions"]}["kind"] == "sealed_secret_unreadable"
    assert unreadable["Threshold"] == 0 and unreadable["ComparisonOperator"] == "GreaterThanThreshold"

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


def _commit(rh, message: str, path: str, edit) -> None:
    file = rh.repo / path
    file.write_text(edit(file.read_text()))
    rh.git("add", "-A")
    rh.git("commit", "-q", "-m", message)


REPLACE_TABLE = ("modules/dynamodb: a new sort key name (forces a new table)", "backend/terraform/modules/dynamodb/main.tf",
                 lambda text: text.replace('"sk"', '"sk2"'))


def test_a_destroying_plan_is_refused_unless_allowed(rh):
    """A plan that deletes or replaces a data-bearing resource (here the users table, whose
    key schema changes) stops before the apply; --allow-destroy lets it through."""
    table_before = rh.client("dynamodb").describe_table(TableName="users-dev")["Table"]
    state_before = hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest()
    base = rh.sha
    _commit(rh, *REPLACE_TABLE)
    bad = rh.deploy("dev", "--phase", "1", check=False)
    assert bad.returncode != 0
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert errors == ["deploy-phased: ERROR in phase 1/base-infra: the plan would delete or replace "
                      "module.dynamodb.aws_dynamodb_table.users (delete+create); nothing was changed "
                      "(re-run with --allow-destroy if that is intended)"], bad.stderr[-3000:]
    assert "Apply complete" not in bad.stderr
    table = rh.client("dynamodb").describe_table(TableName="users-dev")["Table"]
    assert table["CreationDateTime"] == table_before["CreationDateTime"]
    assert hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest() == state_before

    ok = rh.deploy("dev", "--phase", "1", "--allow-destroy")
    assert "--allow-destroy: this plan deletes or replaces module.dynamodb.aws_dynamodb_table.users" in ok.stderr
    keys = {k["AttributeName"] for k in rh.client("dynamodb").describe_table(TableName="users-dev")["Table"]["KeySchema"]}
    assert keys == {"pk", "sk2"}
    # back to the real schema (the rehearsal's table is empty either way)
    rh.git("revert", "--no-edit", "HEAD")
    rh.deploy("dev", "--phase", "1", "--allow-destroy")
    keys = {k["AttributeName"] for k in rh.client("dynamodb").describe_table(TableName="users-dev")["Table"]["KeySchema"]}
    assert keys == {"pk", "sk"}
    rh.git("reset", "-q", "--hard", base)


DOMAIN_INDEXES = {"gsi1": ("gsi1pk", "gsi1sk", "ALL", "ACTIVE"), "gsi2": ("gsi2pk", "gsi2sk", "ALL", "ACTIVE")}


def _indexes(table: dict) -> dict:
    return {i["IndexName"]: (*(k["AttributeName"] for k in sorted(i["KeySchema"], key=lambda k: k["KeyType"])),
                             i["Projection"]["ProjectionType"], i["IndexStatus"])
            for i in table.get("GlobalSecondaryIndexes", [])}


def test_a_table_from_before_the_domain_indexes_is_upgraded_in_place_with_its_items(rh):
    """The table as the auth milestone left it (no GSIs; here its indexes are dropped through the
    API, and Terraform's refresh sees a table without them) with users in it; deploying this
    release adds gsi1 and gsi2 with UpdateTable: the plan changes the table in place (the destroy
    guard stays quiet), the table is the same table, every item is still there, and an item
    carrying index keys is found through the index."""
    ddb = rh.client("dynamodb")
    for index in DOMAIN_INDEXES:
        ddb.update_table(TableName="users-dev", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index}}])
    table_before = ddb.describe_table(TableName="users-dev")["Table"]
    assert _indexes(table_before) == {}
    items = [{"pk": {"S": f"USER#u{i}"}, "sk": {"S": "PROFILE"}, "email": {"S": f"u{i}@example.com"}} for i in range(25)]
    items.append({"pk": {"S": "USER#u0"}, "sk": {"S": "GOAL#g1"}, "gsi1pk": {"S": "USER#u0#GOALS"},
                  "gsi1sk": {"S": "active#2026-12-06T00:00:00Z#g1"}})
    for item in items:
        ddb.put_item(TableName="users-dev", Item=item)

    upgrade = rh.deploy("dev", "--phase", "1")
    assert "would delete or replace" not in upgrade.stderr
    assert "Resources: 0 added, 1 changed, 0 destroyed." in upgrade.stderr, upgrade.stderr[-2000:]
    table = ddb.describe_table(TableName="users-dev")["Table"]
    assert table["TableArn"] == table_before["TableArn"]
    assert table["CreationDateTime"] == table_before["CreationDateTime"]
    assert _indexes(table) == DOMAIN_INDEXES
    for item in items:
        got = ddb.get_item(TableName="users-dev", Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)
        assert got.get("Item") == item
    found = ddb.query(TableName="users-dev", IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                      ExpressionAttributeValues={":p": {"S": "USER#u0#GOALS"}})["Items"]
    assert [i["sk"]["S"] for i in found] == ["GOAL#g1"]
    for item in items:
        ddb.delete_item(TableName="users-dev", Key={"pk": item["pk"], "sk": item["sk"]})


def test_rerun_skips_existing_image_and_plans_no_change(rh):
    before = len(rh.docker_calls())
    proc = rh.deploy("dev")
    calls = rh.docker_calls()[before:]
    assert not [c for c in calls if c["cmd"] in ("build", "push", "login")], calls
    assert "already in ECR" in proc.stderr
    applies = [line for line in proc.stderr.splitlines() if line.startswith("Apply complete!")]
    assert applies == ["Apply complete! Resources: 0 added, 0 changed, 0 destroyed."] * 2, applies
    assert "live already serves version 1: nothing to roll out" in proc.stderr

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


def test_a_master_key_rotation_by_the_runbook_plans_no_change(rh):
    """docs/deployment-guide.md, "Rotating the master key": a new version written with
    put-secret-value (the old one becomes AWSPREVIOUS, which the function keeps in its key ring)
    is left alone by Terraform: the value is write-only and the version stages are not managed."""
    sm = rh.client("secretsmanager")
    before = sm.get_secret_value(SecretId="api-handler-dev-master-key")
    sm.put_secret_value(SecretId="api-handler-dev-master-key", SecretString=secrets.token_urlsafe(48))
    previous = sm.get_secret_value(SecretId="api-handler-dev-master-key", VersionStage="AWSPREVIOUS")
    assert previous["VersionId"] == before["VersionId"]
    plan = rh.deploy("dev", "--plan")
    assert "PLAN: no changes" in plan.stdout, plan.stderr[-3000:]
    assert sm.get_secret_value(SecretId="api-handler-dev-master-key", VersionStage="AWSPREVIOUS")["VersionId"] == before["VersionId"]


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
    assert _function(rh, "api-handler-dev")["Code"]["ImageUri"] == _pinned(rh, rh.first_tag)

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
    # what the workflow passes when the GitHub environment sets no SES: the default sender, no change
    unset = rh.deploy("dev", "--plan", extra_env={"TF_VAR_ses_identity_arn": "", "TF_VAR_ses_from_address": ""})
    assert "PLAN: no changes" in unset.stdout, unset.stderr[-3000:]


def _live(rh) -> dict:
    return rh.client("lambda").get_alias(FunctionName="api-handler-dev", Name="live")


def _newest_version(rh) -> str:
    versions = rh.client("lambda").list_versions_by_function(FunctionName="api-handler-dev")["Versions"]
    return str(max(int(v["Version"]) for v in versions if v["Version"] != "$LATEST"))


def _version_image(rh, version: str) -> str:
    return rh.client("lambda").get_function(FunctionName="api-handler-dev", Qualifier=version)["Code"]["ImageUri"]


SUBSCRIBERS = '[{"protocol": "email", "endpoint": "oncall@example.com"}]'


def test_second_commit_rolls_the_function_forward(rh):
    new_tag = f"api-handler-dev-{rh.sha}"
    assert new_tag != rh.first_tag
    # An allow-list of origins instead of the environment's default reaches the function as CORS_ORIGIN.
    origins = '["https://ailifestyle.app", "https://staging.ailifestyle.app"]'
    rh.dev_vars = {"TF_VAR_cors_origins": origins, "TF_VAR_alarm_subscriptions": SUBSCRIBERS}
    proc = rh.deploy("dev", extra_env=rh.dev_vars)
    fn = _function(rh, "api-handler-dev")
    assert fn["Code"]["ImageUri"] == _pinned(rh, new_tag)
    cors = fn["Configuration"]["Environment"]["Variables"]["CORS_ORIGIN"]
    assert cors == "https://ailifestyle.app,https://staging.ailifestyle.app"
    # ... and the HTTP API answers CORS for the same origins (its own 401/429/5xx included)
    api_cors = _apis(rh, "lifestyle-api-dev")[0]["CorsConfiguration"]
    assert sorted(api_cors["AllowOrigins"]) == sorted(cors.split(",")), api_cors
    assert {h.lower() for h in api_cors["AllowHeaders"]} == {"authorization", "content-type", "x-request-id", "x-api-key"}
    # a new version, smoke-tested, then all traffic (dev: no canary); version 1 is untouched.
    # (Phase 1 already published one for the new CORS setting on the old image; phase 3 the
    # version on the new image, which is what live gets.)
    v = _newest_version(rh)
    live = _live(rh)
    assert live["FunctionVersion"] == v and int(v) > 1, live
    assert f"smoke-testing version {v} (live stays on 1 meanwhile)" in proc.stderr
    assert f"live -> version {v} (was 1)" in proc.stderr and "] canary: " not in proc.stderr
    assert _version_image(rh, v) == _pinned(rh, new_tag)
    assert _version_image(rh, "1") == _pinned(rh, rh.first_tag)
    v2 = rh.client("lambda").get_function(FunctionName="api-handler-dev", Qualifier=v)["Configuration"]
    assert v2["Environment"]["Variables"]["CORS_ORIGIN"] == cors
    assert f"live_version={v}" in proc.stdout
    rh.v_second = v
    # the subscriber named for the environment receives the alarms
    topic = [t["TopicArn"] for t in rh.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":api-handler-dev-alarms")]
    subs = rh.client("sns").list_subscriptions_by_topic(TopicArn=topic[0])["Subscriptions"]
    assert [(x["Protocol"], x["Endpoint"]) for x in subs] == [("email", "oncall@example.com")]
    assert "nobody receives" not in proc.stderr
    bad = rh.deploy("dev", "--plan", extra_env={"TF_VAR_cors_origins": '["https://ailifestyle.app/app"]'}, check=False)
    assert bad.returncode != 0 and "cors_origins must be" in bad.stderr + bad.stdout
    bad = rh.deploy("dev", "--plan", extra_env={"TF_VAR_alarm_subscriptions": '[{"protocol": "sms", "endpoint": "x"}]'}, check=False)
    assert bad.returncode != 0 and "alarm_subscriptions: each entry" in bad.stderr + bad.stdout
    tags = {i.get("imageTag") for i in rh.client("ecr").list_images(repositoryName="lifestyle-app-dev")["imageIds"]}
    assert {rh.first_tag, new_tag} <= tags
    rh.second_tag = new_tag


def test_a_failing_smoke_test_leaves_live_on_the_old_version(rh):
    """An image whose bootstrap dies at start (here: /bin/false) is published as a new version,
    its smoke test fails, and live keeps serving the version before."""
    _commit(rh, "a broken build", "backend/CHANGELOG.rehearsal", lambda t: t + "v3 (broken)\n")
    broken_tag = f"api-handler-dev-{rh.sha}"
    bad = rh.deploy("dev", extra_env={**rh.dev_vars, "FAKE_IMAGE_BOOTSTRAP": "/bin/false"}, check=False)
    assert bad.returncode != 0
    broken = _newest_version(rh)
    assert int(broken) == int(rh.v_second) + 1
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert len(errors) == 1, bad.stderr[-3000:]
    assert errors[0].startswith(f"deploy-phased: ERROR in phase 3/function: smoke test of version {broken} failed (")
    assert "Runtime.ExitError" in errors[0] and errors[0].endswith(f"; live stays on version {rh.v_second}")
    assert _version_image(rh, broken) == _pinned(rh, broken_tag)  # published, not live
    assert _live(rh)["FunctionVersion"] == rh.v_second
    assert not (_live(rh).get("RoutingConfig") or {}).get("AdditionalVersionWeights")


# What Lambda and the function report while `live` sends WEIGHT of TRAFFIC_PER_MINUTE calls to
# the new version, of which FAILING fail (Lambda's Errors on its ExecutedVersion, or answers of
# 500 and above, the function's server_errors{version}); the old version fails BASELINE of its calls.
TRAFFIC_PER_MINUTE = 100
CLOUDWATCH_DELAY_MINUTES = 2  # metrics reach CloudWatch a minute or two late; alarms see them then


def _traffic(new_version: str, weight: float, failing: float, baseline: float = 0.001):
    def source(metric: alarm_eval.Metric, index: int):
        per_period = TRAFFIC_PER_MINUTE * metric.period / 60
        dims = metric.dims()
        new_calls = per_period * weight
        old_calls = per_period - new_calls
        if metric.namespace == "AWS/Lambda":
            if "ExecutedVersion" in dims:
                calls = new_calls if dims["ExecutedVersion"] == new_version else 0.0
                rate = failing if dims["ExecutedVersion"] == new_version else baseline
            else:  # the whole function
                calls, rate = per_period, (new_calls * failing + old_calls * baseline) / per_period
            if metric.name == "Invocations":
                return calls or None
            if metric.name == "Errors":
                return round(calls * rate / 2) if calls else None  # half of the failures crash ...
            if metric.name == "Throttles":
                return None
        if metric.name == "server_errors":  # ... half answer 500
            return (round(new_calls * failing / 2) or None) if dims.get("version") == new_version else None
        return None

    return source


def _canary_alarm(rh) -> dict:
    return rh.client("cloudwatch").describe_alarms(AlarmNames=["api-handler-dev-canary-errors"])["MetricAlarms"][0]


def test_the_canary_alarm_sees_the_new_version_and_trips_within_the_window(rh):
    """The canary alarm, as deployed, evaluated the way CloudWatch evaluates it against what Lambda
    reports at 10 % traffic: it names the newest version (Resource/ExecutedVersion, the function's
    server_errors{version}); a version failing 20 % of its calls trips it within a 10-minute
    canary, CloudWatch's metric delay included; a healthy one does not; and the whole-function
    error-rate alarm, with the same traffic, never would have."""
    alarm = _canary_alarm(rh)
    metrics, _, _ = alarm_eval.metrics_of(alarm)
    newest = _newest_version(rh)
    dims = [m.dims() for m in metrics.values()]
    assert {"FunctionName": "api-handler-dev", "Resource": "api-handler-dev:live", "ExecutedVersion": newest} in dims
    assert {"service": "api-handler", "version": newest} in dims
    tripped = alarm_eval.evaluate(alarm, _traffic(newest, 0.1, failing=0.2), minutes=10)
    assert tripped is not None and tripped + CLOUDWATCH_DELAY_MINUTES <= 10, tripped
    assert alarm_eval.evaluate(alarm, _traffic(newest, 0.1, failing=0.005), minutes=10) is None
    whole = rh.client("cloudwatch").describe_alarms(AlarmNames=["api-handler-dev-error-rate"])["MetricAlarms"][0]
    assert alarm_eval.evaluate(whole, _traffic(newest, 0.1, failing=0.2), minutes=10) is None
    # on a fresh account a canary's cold starts throttle a few calls: not the throttles alarm's business
    throttles = rh.client("cloudwatch").describe_alarms(AlarmNames=["api-handler-dev-throttles"])["MetricAlarms"][0]
    few = lambda m, i: {"Throttles": 3.0, "Invocations": 500.0}.get(m.name)  # noqa: E731
    assert alarm_eval.evaluate(throttles, few, minutes=10) is None


def test_a_canary_whose_new_version_fails_a_fifth_of_its_calls_rolls_back(rh):
    """A commit gets 10% of live while the alarms are watched. Its version fails 20 % of its
    calls: the canary alarm, evaluated as CloudWatch would on the traffic the canary gets
    (one simulated minute a second), fires; all traffic goes back to the old version and the
    deploy fails. The same commit with a healthy version passes the canary."""
    import threading

    _commit(rh, "a good commit", "backend/CHANGELOG.rehearsal", lambda t: t + "v4\n")
    cw = rh.client("cloudwatch")
    seen: dict = {}

    def watch_the_canary(failing: float):
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            weights = (_live(rh).get("RoutingConfig") or {}).get("AdditionalVersionWeights")
            if weights:
                (version, weight), = weights.items()
                seen["weights"] = weights
                alarm = _canary_alarm(rh)
                seen["alarm_version"] = [m.dims().get("ExecutedVersion") for m in alarm_eval.metrics_of(alarm)[0].values()]
                tripped = alarm_eval.evaluate(alarm, _traffic(version, weight, failing), minutes=10)
                if tripped is None:
                    return
                time.sleep(tripped + CLOUDWATCH_DELAY_MINUTES)  # one simulated minute a second
                cw.set_alarm_state(AlarmName="api-handler-dev-canary-errors", StateValue="ALARM",
                                   StateReason=f"rehearsal: evaluated, {failing:.0%} of version {version}'s calls failed")
                return
            time.sleep(0.5)

    watcher = threading.Thread(target=watch_the_canary, args=(0.2,))
    watcher.start()
    bad = rh.deploy("dev", "--canary-minutes", "5", extra_env={**rh.dev_vars, "CANARY_POLL_SECONDS": "1"}, check=False)
    watcher.join()
    cw.set_alarm_state(AlarmName="api-handler-dev-canary-errors", StateValue="OK", StateReason="rehearsal: over")
    good = _newest_version(rh)
    assert seen.get("weights") == {good: 0.1}, seen
    assert good in seen["alarm_version"], seen
    assert bad.returncode != 0
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert errors == [f"deploy-phased: ERROR in phase 3/function: alarm api-handler-dev-canary-errors fired during "
                      f"the canary of version {good}; live is back on version {rh.v_second}"], bad.stderr[-3000:]
    live = _live(rh)
    assert live["FunctionVersion"] == rh.v_second and not (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights")

    # The same deploy again, a healthy version (0.5 % failures): the canary passes.
    seen.clear()
    watcher = threading.Thread(target=watch_the_canary, args=(0.005,))
    watcher.start()
    ok = rh.deploy("dev", "--canary-minutes", "0.2", extra_env={**rh.dev_vars, "CANARY_POLL_SECONDS": "1"})
    watcher.join()
    assert seen.get("weights") == {good: 0.1}, seen
    assert f"canary: live sends 0.1 of traffic to version {good} for 0.2 min" in ok.stderr
    assert "canary passed" in ok.stderr and f"live -> version {good} (was {rh.v_second})" in ok.stderr
    assert _live(rh)["FunctionVersion"] == good
    rh.v_good = good
    rh.good_tag = f"api-handler-dev-{rh.sha}"


def test_rollback_moves_only_the_alias(rh):
    state = hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest()
    latest = _function(rh, "api-handler-dev")["Configuration"]["CodeSha256"]

    # by image tag: the newest version on that image (phase 1 of the second deploy published one
    # for the CORS change while the function still ran the first image)
    on_first = max(int(v["Version"]) for v in rh.client("lambda").list_versions_by_function(
        FunctionName="api-handler-dev")["Versions"]
        if v["Version"] != "$LATEST" and _version_image(rh, v["Version"]) == _pinned(rh, rh.first_tag))
    proc = rh.deploy("dev", "--rollback", rh.first_tag)
    assert _live(rh)["FunctionVersion"] == str(on_first)
    assert f"image_tag={rh.first_tag}" in proc.stdout and f"live_version={on_first}" in proc.stdout
    assert "Apply complete" not in proc.stderr and "Plan:" not in proc.stderr

    # without a target: the version live served before the last move
    rh.deploy("dev", "--rollback")
    assert _live(rh)["FunctionVersion"] == rh.v_good
    rh.deploy("dev", "--rollback", rh.v_second)
    assert _live(rh)["FunctionVersion"] == rh.v_second

    bad = rh.deploy("dev", "--rollback", "api-handler-dev-0000000deadbeef", check=False)
    assert bad.returncode != 0
    errors = [line for line in bad.stderr.splitlines() if line.startswith("deploy-phased: ERROR")]
    assert errors == ["deploy-phased: ERROR in phase rollback: no published version of api-handler-dev "
                      "runs api-handler-dev-0000000deadbeef"]
    bad = rh.deploy("dev", "--rollback", "99", check=False)
    assert bad.returncode != 0 and "api-handler-dev has no version 99" in bad.stderr
    assert _live(rh)["FunctionVersion"] == rh.v_second
    # nothing but the alias moved
    assert hashlib.sha256(rh.state_file("dev").read_bytes()).hexdigest() == state
    assert _function(rh, "api-handler-dev")["Configuration"]["CodeSha256"] == latest

    # and forward again to the newest commit: its version is smoke-tested and takes live
    fwd = rh.deploy("dev", "--phase", "3", extra_env=rh.dev_vars)
    assert f"live -> version {rh.v_good} (was {rh.v_second})" in fwd.stderr
    assert _live(rh)["FunctionVersion"] == rh.v_good
    assert _version_image(rh, rh.v_good) == _pinned(rh, rh.good_tag)


def _live_login(rh, headers: dict) -> tuple[int, str]:
    """A sign-in of an unknown account sent straight to dev's live alias as API Gateway would
    (payload 2.0) with HEADERS: the status and error code the function answers."""
    event = {"version": "2.0", "routeKey": "POST /v1/auth/login", "rawPath": "/v1/auth/login", "rawQueryString": "",
             "headers": {"content-type": "application/json", **headers},
             "requestContext": {"http": {"method": "POST", "path": "/v1/auth/login", "sourceIp": "198.51.100.7"},
                                "requestId": "rehearsal", "stage": "$default"},
             "body": json.dumps({"email": "nobody@example.com", "password": "Wrong-pass1!"}), "isBase64Encoded": False}
    out = rh.client("lambda").invoke(FunctionName="api-handler-dev", Qualifier="live", Payload=json.dumps(event).encode())
    answer = json.loads(out["Payload"].read())
    return answer["statusCode"], json.loads(answer["body"])["error"]


def test_api_keys_turned_on_managed_and_checked_by_the_function(rh):
    """enable_api_keys: the secret appears (empty), the function gets API_KEYS_SECRET_ID,
    scripts/api-keys.sh adds a key (printed once, stored as its SHA-256), the live function
    refuses a request without it and lets one with it through; turning the option off again
    deletes the secret, which the destroy guard makes an explicit decision."""
    on = {**rh.dev_vars, "TF_VAR_enable_api_keys": "true"}
    proc = rh.deploy("dev", "--phase", "3", extra_env=on)
    assert "API keys are on" in proc.stderr  # the smoke test knows why its sign-in stopped
    cfg = _function(rh, "api-handler-dev")["Configuration"]
    secret_arn = cfg["Environment"]["Variables"]["API_KEYS_SECRET_ID"]
    sm = rh.client("secretsmanager")
    assert json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"]) == {"keys": []}

    script = str(rh.repo / "backend" / "scripts" / "api-keys.sh")
    add = subprocess.run(["bash", script, "dev", "add", "web-2026-12"], env=rh.env, capture_output=True, text=True)
    assert add.returncode == 0, add.stderr
    key = add.stdout.strip()
    assert key.startswith("lk_") and len(key) > 40
    stored = sm.get_secret_value(SecretId=secret_arn)["SecretString"]
    assert key not in stored
    assert json.loads(stored)["keys"] == [{"name": "web-2026-12", "sha256": hashlib.sha256(key.encode()).hexdigest()}]
    listed = subprocess.run(["bash", script, "dev", "list"], env=rh.env, capture_output=True, text=True)
    assert listed.stdout.split() == ["web-2026-12"]
    dup = subprocess.run(["bash", script, "dev", "add", "web-2026-12"], env=rh.env, capture_output=True, text=True)
    assert dup.returncode != 0 and "exists" in dup.stderr

    assert _live_login(rh, {}) == (401, "INVALID_API_KEY")
    assert _live_login(rh, {"x-api-key": key[:-2] + "xx"}) == (401, "INVALID_API_KEY")
    assert _live_login(rh, {"x-api-key": key}) == (401, "INVALID_CREDENTIALS")  # past the key, into the app
    removed = subprocess.run(["bash", script, "dev", "remove", "web-2026-12"], env=rh.env, capture_output=True, text=True)
    assert removed.returncode == 0 and json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"]) == {"keys": []}

    # off again: the secret goes, which is a destroying plan
    refused = rh.deploy("dev", "--phase", "3", extra_env=rh.dev_vars, check=False)
    assert refused.returncode != 0
    assert "module.secrets.aws_secretsmanager_secret.api_keys[0] (delete)" in refused.stderr
    rh.deploy("dev", "--phase", "3", "--allow-destroy", extra_env=rh.dev_vars)
    assert "API_KEYS_SECRET_ID" not in _function(rh, "api-handler-dev")["Configuration"]["Environment"]["Variables"]


CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def test_the_edge_applies_in_front_of_the_api_and_the_function_refuses_what_goes_around_it(rh):
    """enable_edge with a custom domain: a DNS-validated certificate requested by the first run,
    which finishes with the certificate still pending (no apply waits for a DNS record that is
    printed only afterwards) and prints the record; the distribution answers at its own name
    meanwhile, and the first deploy after ACM issued the certificate attaches the domain. A web
    ACL in CloudFront's scope with the per-address rate rule on /v1/auth/* and AWS's managed rule
    sets, WAF logs with credentials redacted, a distribution whose origin is the HTTP API and
    which sends the origin secret; the smoke test proved the new version refuses a request
    without that secret, and the live function does. The secret is in no output and no log line.
    Turning the edge off again is a destroying plan."""
    outputs = rh.root / "edge-outputs.json"
    on = {**rh.dev_vars, "TF_VAR_enable_edge": "true", "TF_VAR_edge_domain_name": "api.dev.ailifestyle.app",
          "DEPLOY_OUTPUTS_FILE": str(outputs)}
    first = rh.deploy("dev", "--phase", "3", extra_env=on)
    assert "certificate validation record (add it to the domain's DNS once): _" in first.stderr
    assert "the certificate for api.dev.ailifestyle.app is not issued yet" in first.stderr
    doc = json.loads(outputs.read_text())
    assert doc["edge_domain_attached"]["value"] is False
    assert doc["edge_endpoint"]["value"].endswith(".cloudfront.net")
    cf = rh.client("cloudfront")
    pending = cf.get_distribution(Id=cf.list_distributions()["DistributionList"]["Items"][0]["Id"])["Distribution"]
    assert pending["DistributionConfig"]["Aliases"]["Quantity"] == 0
    assert pending["DistributionConfig"]["ViewerCertificate"]["CloudFrontDefaultCertificate"] is True
    # the DNS owner adds the record; ACM issues (the emulator: MOTO_ACM_VALIDATION_WAIT seconds)
    acm = rh.client("acm")
    cert_arn = doc["edge_certificate_arn"]["value"]
    deadline = time.monotonic() + 60
    while acm.describe_certificate(CertificateArn=cert_arn)["Certificate"]["Status"] != "ISSUED":
        assert time.monotonic() < deadline, "the emulator never issued the certificate"
        time.sleep(1)
    proc = rh.deploy("dev", "--phase", "3", extra_env=on)
    assert "smoke: the edge is on: a request around it is refused (403)" in first.stderr + proc.stderr
    assert "is not issued yet" not in proc.stderr
    cfg = _function(rh, "api-handler-dev")["Configuration"]
    secret_arn = cfg["Environment"]["Variables"]["EDGE_SECRET_ID"]
    assert ":secret:api-handler-dev-edge-origin-" in secret_arn
    secret = rh.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    assert len(secret) == 48 and secret.isalnum()

    items = cf.list_distributions()["DistributionList"]["Items"]
    assert len(items) == 1
    dist_id = items[0]["Id"]
    conf = cf.get_distribution(Id=dist_id)["Distribution"]["DistributionConfig"]
    origin = conf["Origins"]["Items"][0]
    api = _apis(rh, "lifestyle-api-dev")[0]
    assert origin["DomainName"] == api["ApiEndpoint"].removeprefix("https://")
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert {h["HeaderName"]: h["HeaderValue"] for h in origin["CustomHeaders"]["Items"]} == {"X-Origin-Verify": secret}
    behaviour = conf["DefaultCacheBehavior"]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED and behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert set(behaviour["AllowedMethods"]["Items"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert conf["Aliases"]["Items"] == ["api.dev.ailifestyle.app"]
    assert conf["ViewerCertificate"]["ACMCertificateArn"] == cert_arn
    assert conf["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    cert = acm.describe_certificate(CertificateArn=cert_arn)["Certificate"]
    assert cert["Status"] == "ISSUED" and cert["DomainName"] == "api.dev.ailifestyle.app" and ":us-east-1:" in cert_arn

    waf = rh.client("wafv2")
    acl_arn = conf["WebACLId"]
    summary = [a for a in waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"] if a["Name"] == "api-handler-dev-edge"]
    assert [a["ARN"] for a in summary] == [acl_arn] and ":global/webacl/" in acl_arn
    acl = waf.get_web_acl(Name="api-handler-dev-edge", Scope="CLOUDFRONT", Id=summary[0]["Id"])["WebACL"]
    rules = {r["Name"]: r["Statement"] for r in acl["Rules"]}
    rate = rules["auth-rate-per-address"]["RateBasedStatement"]
    assert (rate["Limit"], rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == (300, "IP", 300)
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (match["SearchString"], match["PositionalConstraint"]) == (b"/v1/auth/", "STARTS_WITH")
    assert rules["aws-common"]["ManagedRuleGroupStatement"]["Name"] == "AWSManagedRulesCommonRuleSet"
    assert rules["aws-known-bad-inputs"]["ManagedRuleGroupStatement"]["Name"] == "AWSManagedRulesKnownBadInputsRuleSet"
    logging = waf.get_logging_configuration(ResourceArn=acl_arn)["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"][0].endswith(":log-group:aws-waf-logs-api-handler-dev")
    assert {f["SingleHeader"]["Name"] for f in logging["RedactedFields"]} == {"authorization", "x-api-key", "cookie"}

    doc = json.loads(outputs.read_text())
    assert doc["edge_endpoint"]["value"] == "https://api.dev.ailifestyle.app" and doc["edge_domain_attached"]["value"] is True
    assert doc["edge_certificate_validation"]["value"][0]["type"] == "CNAME"
    # the secret: in no output, nowhere in the deploy's own log, not in the function's environment
    assert secret not in outputs.read_text() and secret not in first.stdout + first.stderr + proc.stdout + proc.stderr
    assert secret not in json.dumps(cfg)

    assert _live_login(rh, {}) == (403, "FORBIDDEN")  # to the API's own hostname: around the WAF
    assert _live_login(rh, {"x-origin-verify": secret[:-1]}) == (403, "FORBIDDEN")
    assert _live_login(rh, {"x-origin-verify": secret, "cloudfront-viewer-address": "203.0.113.50:41234"}) == (401, "INVALID_CREDENTIALS")

    # the IAM evaluation needs these resources' tags; they go again below
    rh.edge_tags = {"distribution": {dist_id: {t["Key"]: t["Value"] for t in cf.list_tags_for_resource(
        Resource=items[0]["ARN"])["Tags"]["Items"]}},
        "certificate": {cert_arn: {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=cert_arn)["Tags"]}}}
    assert rh.edge_tags["distribution"][dist_id]["Environment"] == "dev"

    refused = rh.deploy("dev", "--phase", "3", extra_env=rh.dev_vars, check=False)
    assert refused.returncode != 0
    assert "module.secrets.aws_secretsmanager_secret.edge_origin[0] (delete)" in refused.stderr
    rh.deploy("dev", "--phase", "3", "--allow-destroy", extra_env=rh.dev_vars)
    assert "EDGE_SECRET_ID" not in _function(rh, "api-handler-dev")["Configuration"]["Environment"]["Variables"]
    assert cf.list_distributions()["DistributionList"].get("Items", []) == []


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

    prod_run = rh.deploy("prod", "123456789012")
    rh.resources["prod phase 3"] = rh.state_resources("prod")
    tag = f"api-handler-prod-{rh.sha}"
    fn = _function(rh, "api-handler-prod")
    # prod built its own image from main, in its own repository: nothing of dev's repository
    # (which a pull request's workflow can write) is read, copied or run
    assert fn["Code"]["ImageUri"] == _pinned(rh, tag, "prod")
    builds = [c for c in rh.docker_calls() if c["cmd"] == "build" and "lifestyle-app-prod" in c["tag"]]
    assert [c["tag"] for c in builds] == [f"{REGISTRY}/lifestyle-app-prod:{tag}"]
    assert not [c for c in rh.docker_calls() if c["cmd"] == "imagetools-create"]
    assert "lifestyle-app-dev" not in prod_run.stdout + prod_run.stderr
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

    # prod runs what main holds, never an older commit than it runs now, never a destroying plan
    deployed = rh.sha
    rh.git("checkout", "-q", "-b", "feature")
    _commit(rh, "a feature branch commit", "backend/CHANGELOG.rehearsal", lambda t: t + "feature\n")
    off_main = rh.deploy("prod", "123456789012", check=False)
    assert off_main.returncode != 0
    assert (f"deploy-phased: ERROR in phase preflight: refusing to deploy prod from {rh.sha}: that commit "
            "is not on main") in off_main.stderr
    rh.git("checkout", "-q", "main")
    rh.git("branch", "-q", "-D", "feature")
    rh.git("checkout", "-q", "--detach", "HEAD~1")
    older = rh.deploy("prod", "123456789012", check=False)
    assert older.returncode != 0
    assert (f"refusing to deploy prod from {rh.sha}: it is older than the deployed {deployed} "
            "(use --rollback to go back)") in older.stderr
    rh.git("checkout", "-q", "main")
    _commit(rh, *REPLACE_TABLE)
    destroying = rh.deploy("prod", "123456789012", "--phase", "1", check=False)
    assert destroying.returncode != 0
    assert ("the plan would delete or replace module.dynamodb.aws_dynamodb_table.users (delete+create); "
            "nothing was changed") in destroying.stderr
    assert rh.client("dynamodb").describe_table(TableName="users-prod")["Table"]["TableArn"] == table["TableArn"]
    rh.git("reset", "-q", "--hard", deployed)
    assert _function(rh, "api-handler-prod")["Code"]["ImageUri"] == _pinned(rh, tag, "prod")

    prod_plan = rh.deploy("prod", "123456789012", "--plan")
    assert "PLAN: no changes" in prod_plan.stdout


# --------------------------------------------------------------------------- isolation
def _world(rh) -> "iam_eval.World":
    world = iam_eval.World(region=rh.moto["region"])
    cog = rh.client("cognito-idp")
    for pool in cog.list_user_pools(MaxResults=60)["UserPools"]:
        world.pool_tags[pool["Id"]] = cog.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags", {})
    for api in rh.client("apigatewayv2").get_apis()["Items"]:
        world.api_tags[api["ApiId"]] = api.get("Tags", {})
    kms = rh.client("kms")
    for key in kms.list_keys()["Keys"]:
        tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
        world.key_tags[key["KeyId"]] = {t["TagKey"]: t["TagValue"] for t in tags}
    for alias in kms.list_aliases()["Aliases"]:
        if alias.get("TargetKeyId"):
            world.key_aliases[alias["AliasName"]] = alias["TargetKeyId"]
    for secret in rh.client("secretsmanager").list_secrets()["SecretList"]:
        world.secret_arns[secret["Name"]] = secret["ARN"]
    edge = getattr(rh, "edge_tags", {})
    world.distribution_tags.update(edge.get("distribution", {}))
    world.certificate_tags.update(edge.get("certificate", {}))
    iam = rh.client("iam")
    for env_name in ("dev", "prod"):
        name = f"api-handler-{env_name}-exec"
        role = iam.get_role(RoleName=name)["Role"]
        world.role_boundaries[name] = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn", "")
    return world


def test_each_deploy_role_allows_its_environment_and_nothing_of_the_other(rh):
    """Every AWS call the rehearsals made (Terraform's, the script's AWS CLI calls, the image
    push), as IAM requests, against each environment's deploy-role policy from the bootstrap:
    the dev role allows every dev call and denies each of them on prod's resources; the prod
    role the same the other way round. Then what an attacker with the dev role would try."""
    calls = _recorded_calls(rh)[rh.bootstrap_calls:]
    world = _world(rh)
    summary = {}
    for env_name, other in (("dev", "prod"), ("prod", "dev")):
        requests: dict[tuple, iam_eval.Request] = {}
        for call in calls:
            if iam_eval.deploy_env(call) == env_name:
                for req in iam_eval.requests_of(call, world):
                    requests[req.key()] = req
        own = list(requests.values())
        assert len(own) > 60, (env_name, len(own))
        policy = rh.deploy_policies[env_name]
        refused = [(r.action, r.resource, r.context) for r in own
                   if iam_eval.evaluate(policy, r) != "Allow" and not iam_eval.allowed_by_resource_policy(r)]
        assert refused == [], f"the {env_name} deploy role lacks permissions for calls its deploy made:\n" + \
            "\n".join(map(str, refused))
        # the same calls on the other environment's resources (names, ids' Environment tags)
        crossed = [iam_eval.for_environment(r, env_name, other) for r in own if iam_eval.environment_of(r) == env_name]
        # no exception: prod builds its own image and never reads dev's repository
        allowed = [(r.action, r.resource, r.context) for r in crossed if iam_eval.evaluate(policy, r) == "Allow"]
        assert allowed == [], f"the {env_name} deploy role may act on {other}'s resources:\n" + "\n".join(map(str, allowed))
        assert len(crossed) > 40, (env_name, len(crossed))
        summary[env_name] = {"calls of its deploys, allowed": len(own), f"the same on {other}'s resources, denied": len(crossed),
                             "environment-neutral (no resource-level permission)": len(own) - len(crossed)}
    (rh.root / "iam-evaluation.json").write_text(json.dumps(summary, indent=2))
    print(f"\n[iam] {summary}")

    # What a same-repo pull request with the dev role would try, to escalate or reach prod.
    dev = rh.deploy_policies["dev"]
    acct = "arn:aws:iam::123456789012"
    attempts = {
        "a role without the boundary": iam_eval.Request("iam:CreateRole", f"{acct}:role/api-handler-dev-exec"),
        "a role under its own boundary": iam_eval.Request(
            "iam:CreateRole", f"{acct}:role/api-handler-dev-exec",
            {"iam:PermissionsBoundary": f"{acct}:policy/AdministratorAccess"}),
        "an admin policy on the function's role, boundary removed first":
            iam_eval.Request("iam:DeleteRolePermissionsBoundary", f"{acct}:role/api-handler-dev-exec",
                             {"iam:PermissionsBoundary": f"{acct}:policy/lifestyle-backend-dev-boundary"}),
        "a managed admin policy attached": iam_eval.Request(
            "iam:AttachRolePolicy", f"{acct}:role/api-handler-dev-exec",
            {"iam:PermissionsBoundary": f"{acct}:policy/lifestyle-backend-dev-boundary"}),
        "the boundary itself rewritten": iam_eval.Request(
            "iam:CreatePolicyVersion", f"{acct}:policy/lifestyle-backend-dev-boundary"),
        "any other role": iam_eval.Request("iam:CreateRole", f"{acct}:role/escalate",
                                           {"iam:PermissionsBoundary": f"{acct}:policy/lifestyle-backend-dev-boundary"}),
        "prod's role passed to a dev function": iam_eval.Request(
            "iam:PassRole", f"{acct}:role/api-handler-prod-exec", {"iam:PassedToService": "lambda.amazonaws.com"}),
        "the dev role passed to EC2": iam_eval.Request(
            "iam:PassRole", f"{acct}:role/api-handler-dev-exec", {"iam:PassedToService": "ec2.amazonaws.com"}),
        "prod's function code": iam_eval.Request(
            "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-prod"),
        "prod's live alias": iam_eval.Request(
            "lambda:UpdateAlias", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-prod:live"),
        "an untagged or prod HTTP API": iam_eval.Request(
            "apigateway:PATCH", "arn:aws:apigateway:us-east-1::/apis/abc123/integrations/xyz",
            {"aws:ResourceTag/Environment": "prod"}),
        "an HTTP API created without the dev tag": iam_eval.Request(
            "apigateway:POST", "arn:aws:apigateway:us-east-1::/apis"),
        "prod's user pool": iam_eval.Request(
            "cognito-idp:UpdateUserPool", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_prod",
            {"aws:ResourceTag/Environment": "prod"}),
        "prod's master key": iam_eval.Request(
            "secretsmanager:PutSecretValue",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-handler-prod-master-key-AbCdEf"),
        "prod's master key value": iam_eval.Request(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-handler-prod-master-key-AbCdEf"),
        "another application's secret": iam_eval.Request(
            "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing-db-password-AbCdEf"),
        "prod's state": iam_eval.Request("s3:PutObject", "arn:aws:s3:::lifestyle-tfstate-123456789012/lifestyle-backend/prod/terraform.tfstate"),
        "an access key for a new user": iam_eval.Request("iam:CreateAccessKey", f"{acct}:user/backdoor"),
        # what prod runs: its repository, and the dev images it might have promoted (it does not)
        "an image pushed into prod's repository": iam_eval.Request(
            "ecr:PutImage", "arn:aws:ecr:us-east-1:123456789012:repository/lifestyle-app-prod"),
        "dev's tags made overwritable": iam_eval.Request(
            "ecr:PutImageTagMutability", "arn:aws:ecr:us-east-1:123456789012:repository/lifestyle-app-dev"),
        # the function's role handed to someone else: its trust changed, or the role replaced
        "the exec role's trust rewritten": iam_eval.Request(
            "iam:UpdateAssumeRolePolicy", f"{acct}:role/api-handler-dev-exec"),
        "the exec role deleted (to be re-created with another trust)": iam_eval.Request(
            "iam:DeleteRole", f"{acct}:role/api-handler-dev-exec"),
        "the function opened to another account": iam_eval.Request(
            "lambda:AddPermission", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-dev:live",
            {"lambda:Principal": "999999999999"}),
        "a service-linked role for another service": iam_eval.Request(
            "iam:CreateServiceLinkedRole", f"{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            {"iam:AWSServiceName": "ecs.amazonaws.com"}),
        "the function opened to everyone": iam_eval.Request(
            "lambda:AddPermission", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-dev:live",
            {"lambda:Principal": "*"}),
    }
    let_through = {what: iam_eval.evaluate(dev, req) for what, req in attempts.items() if iam_eval.evaluate(dev, req) == "Allow"}
    assert let_through == {}, let_through
    # neither role may change the exec role's trust, and prod's role reads nothing of dev's images
    prod = rh.deploy_policies["prod"]
    for policy, env_name in ((dev, "dev"), (prod, "prod")):
        for action in ("iam:UpdateAssumeRolePolicy", "iam:DeleteRole"):
            assert iam_eval.evaluate(policy, iam_eval.Request(action, f"{acct}:role/api-handler-{env_name}-exec")) != "Allow"
    for action in ("ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"):
        assert iam_eval.evaluate(prod, iam_eval.Request(
            action, "arn:aws:ecr:us-east-1:123456789012:repository/lifestyle-app-dev")) != "Allow"
    # and the legitimate versions of the same calls are allowed (the checks above can fail)
    assert iam_eval.evaluate(dev, iam_eval.Request(
        "iam:CreateServiceLinkedRole",
        f"{acct}:role/aws-service-role/email.cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp",
        {"iam:AWSServiceName": "email.cognito-idp.amazonaws.com"})) == "Allow"
    assert iam_eval.evaluate(dev, iam_eval.Request(
        "lambda:AddPermission", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-dev:live",
        {"lambda:Principal": "apigateway.amazonaws.com"})) == "Allow"
    assert iam_eval.evaluate(dev, iam_eval.Request(
        "iam:CreateRole", f"{acct}:role/api-handler-dev-exec",
        {"iam:PermissionsBoundary": f"{acct}:policy/lifestyle-backend-dev-boundary"})) == "Allow"
    assert iam_eval.evaluate(dev, iam_eval.Request(
        "apigateway:PATCH", "arn:aws:apigateway:us-east-1::/apis/abc123/integrations/xyz",
        {"aws:ResourceTag/Environment": "dev"})) == "Allow"
