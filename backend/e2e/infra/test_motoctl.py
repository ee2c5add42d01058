"""The emulator launcher itself: loopback only, SigV4 really checked, CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

import motoctl

MOTOCTL = Path(motoctl.__file__).resolve()


def _client(info, service, secret=None):
    return boto3.client(
        service,
        endpoint_url=info["endpoint"],
        region_name=info["region"],
        aws_access_key_id=info["access_key_id"],
        aws_secret_access_key=secret or info["secret_access_key"],
    )


def test_endpoint_is_loopback_and_identity_works(moto_env):
    assert moto_env["endpoint"].startswith("http://127.0.0.1:")
    ident = _client(moto_env, "sts").get_caller_identity()
    assert ident["Account"] == moto_env["account_id"] == "123456789012"
    assert ident["Arn"].endswith(":user/motoctl-admin")


@pytest.mark.parametrize("service,call", [
    ("dynamodb", lambda c: c.list_tables()),
    ("ecr", lambda c: c.describe_repositories()),
    ("lambda", lambda c: c.list_functions()),
    ("cognito-idp", lambda c: c.list_user_pools(MaxResults=10)),
])
def test_wrong_secret_is_rejected(moto_env, service, call):
    call(_client(moto_env, service))  # right secret works
    with pytest.raises(ClientError) as err:
        call(_client(moto_env, service, secret="definitely-not-the-secret"))
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)


def test_unknown_access_key_is_rejected(moto_env):
    c = boto3.client("iam", endpoint_url=moto_env["endpoint"], region_name="us-east-1",
                     aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")
    with pytest.raises(ClientError):
        c.list_users()


def test_cli_start_prints_json_and_stop_kills_pid(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    out = subprocess.run([sys.executable, str(MOTOCTL), "start", "--state-dir", str(tmp_path)],
                         capture_output=True, text=True, check=True, env=env, timeout=120)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    info = json.loads(lines[0])
    assert set(info) == {"endpoint", "pid", "region", "access_key_id",
                         "secret_access_key", "account_id"}
    saved = json.loads((tmp_path / "moto.json").read_text())
    assert saved["pid"] == info["pid"]
    try:
        os.kill(info["pid"], 0)
        _client(info, "sts").get_caller_identity()
    finally:
        subprocess.run([sys.executable, str(MOTOCTL), "stop", "--state-dir", str(tmp_path)],
                       check=True, env=env, timeout=60)
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(info["pid"], 0)
            import time
            time.sleep(0.1)
