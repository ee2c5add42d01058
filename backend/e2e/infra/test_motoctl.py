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


def _table(info, name):
    ddb = _client(info, "dynamodb")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    return ddb


def test_a_transaction_is_all_or_nothing_with_a_reason_per_item(moto_env):
    """The rollback from touched items (not a table copy) keeps AWS's behaviour: one failing
    condition cancels every write, each item gets its reason, earlier state is intact."""
    ddb = _table(moto_env, "tx-all-or-nothing")
    ddb.put_item(TableName="tx-all-or-nothing", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
    items = [
        {"Put": {"TableName": "tx-all-or-nothing", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "2"}},
                 "ConditionExpression": "v = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": "tx-all-or-nothing", "Item": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
        {"Put": {"TableName": "tx-all-or-nothing", "Item": {"pk": {"S": "a"}, "sk": {"S": "2"}},
                 "ConditionExpression": "attribute_exists(pk)"}},
    ]
    with pytest.raises(ClientError) as failed:
        ddb.transact_write_items(TransactItems=items)
    reasons = [r["Code"] for r in failed.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    scan = ddb.scan(TableName="tx-all-or-nothing")["Items"]
    assert scan == [{"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}}], "nothing of the cancelled transaction stays"
    ddb.transact_write_items(TransactItems=items[:2])
    assert ddb.get_item(TableName="tx-all-or-nothing", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["v"] == {"N": "2"}


def test_a_repeated_client_request_token_is_not_applied_again(moto_env):
    """AWS: a TransactWriteItems repeated with its ClientRequestToken within 10 minutes succeeds
    without writing again (what a client's retry after a timeout relies on)."""
    ddb = _table(moto_env, "tx-tokens")
    items = [{"Put": {"TableName": "tx-tokens", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                      "ConditionExpression": "attribute_not_exists(pk)"}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")  # the repeat: success
    with pytest.raises(ClientError) as failed:
        ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-2")  # a new request: its condition fails
    assert failed.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert len(ddb.scan(TableName="tx-tokens")["Items"]) == 1
