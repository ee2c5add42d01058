"""One-time account bootstrap (backend/terraform/bootstrap) applied to moto:
state bucket hardening, GitHub OIDC provider and per-environment deploy roles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import boto3
import pytest

import motoctl

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = shutil.which("terraform")

pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform CLI not installed")


def test_bootstrap_applies_and_scopes_roles(tmp_path):
    work = tmp_path / "bootstrap"
    shutil.copytree(REPO / "backend" / "terraform" / "bootstrap", work,
                    ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    info = motoctl.start(tmp_path / "moto")
    try:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "TF_IN_AUTOMATION": "1", **motoctl.env_for(info)}
        mirror = Path("/opt/tf-plugins")
        if (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            rc = tmp_path / "terraform.rc"
            rc.write_text('provider_installation {\n  filesystem_mirror {\n    path = "/opt/tf-plugins"\n'
                          '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n'
                          '    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n')
            env["TF_CLI_CONFIG_FILE"] = str(rc)
        tfvars = ["-var=aws_account_id=123456789012", '-var=environments=["dev","prod"]',
                  "-var=state_bucket_name=lifestyle-tfstate-123456789012",
                  "-var=github_repository=acme/lifestyle"]
        for cmd in (["init", "-input=false"],
                    ["apply", "-auto-approve", "-input=false", "-no-color", *tfvars],
                    ["plan", "-detailed-exitcode", "-input=false", "-no-color", *tfvars]):
            out = subprocess.run([TERRAFORM, f"-chdir={work}", *cmd], env=env, capture_output=True,
                                 text=True, timeout=600)
            assert out.returncode == 0, f"terraform {cmd[0]}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"

        def client(service):
            return boto3.client(service, endpoint_url=info["endpoint"], region_name="us-east-1",
                                aws_access_key_id=info["access_key_id"],
                                aws_secret_access_key=info["secret_access_key"])

        s3 = client("s3")
        bucket = "lifestyle-tfstate-123456789012"
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(pab.values())
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

        iam = client("iam")
        providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        assert any(a.endswith("oidc-provider/token.actions.githubusercontent.com") for a in providers)
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
            text = json.dumps(doc)
            other = "prod" if env_name == "dev" else "dev"
            assert f"api-handler-{other}" not in text and f"users-{other}" not in text
            for stmt in doc["Statement"]:
                actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
                assert all(a != "*" and not a.endswith(":*") for a in actions), stmt
    finally:
        motoctl.stop(info)
