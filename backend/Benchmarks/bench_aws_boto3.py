#!/usr/bin/env python3
"""boto3 side of backend/Benchmarks/bench-aws.sh.

Creates the benchmark fixtures on the emulator (a DynamoDB table with one item, a
Cognito user pool + app client + confirmed user), writes them to <out>/setup.json,
then times the same calls the Swift bench makes (GetItem, PutItem, InitiateAuth
USER_PASSWORD_AUTH), N each after a warm-up, and writes <out>/boto3.json with
per-call latency percentiles in microseconds.

Emulator and credentials come from LIFESTYLE_TEST_AWS_ENDPOINT / _ACCESS_KEY_ID /
_SECRET_ACCESS_KEY / _REGION.
"""
from __future__ import annotations

import argparse
import json
import os
import time
import uuid

import boto3
from botocore.config import Config


def percentiles(samples_us: list[float]) -> dict[str, float]:
    s = sorted(samples_us)
    def pick(p: float) -> float:
        return s[min(len(s) - 1, int(p * len(s)))]
    return {"p50_us": pick(0.50), "p90_us": pick(0.90), "p99_us": pick(0.99), "n": len(s)}


def timed(n: int, warmup: int, fn) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t0) / 1000.0)
    return percentiles(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    env = os.environ
    session = boto3.session.Session(
        aws_access_key_id=env["LIFESTYLE_TEST_AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY"],
        region_name=env["LIFESTYLE_TEST_AWS_REGION"],
    )
    cfg = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5)
    endpoint = env["LIFESTYLE_TEST_AWS_ENDPOINT"]
    ddb = session.client("dynamodb", endpoint_url=endpoint, config=cfg)
    idp = session.client("cognito-idp", endpoint_url=endpoint, config=cfg)

    suffix = uuid.uuid4().hex[:8]
    table = f"bench-{suffix}"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"pk": {"S": "USER#bench"}, "sk": {"S": "PROFILE"}, "name": {"S": "Bench"}, "age": {"N": "42"},
            "tags": {"SS": ["a", "b"]}, "prefs": {"M": {"dark": {"BOOL": True}}}}
    ddb.put_item(TableName=table, Item=item)
    pool_id = idp.create_user_pool(PoolName=f"bench-{suffix}")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="bench", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    username, password = f"bench-{suffix}@example.com", "Str0ng!Passw0rd"
    idp.sign_up(ClientId=client_id, Username=username, Password=password, UserAttributes=[{"Name": "email", "Value": username}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    setup = {"table": table, "user_pool_id": pool_id, "client_id": client_id, "username": username, "password": password}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "setup.json"), "w", encoding="utf-8") as f:
        json.dump(setup, f)

    key = {"pk": {"S": "USER#bench"}, "sk": {"S": "PROFILE"}}
    counter = iter(range(10**9))
    results = {
        "GetItem": timed(args.calls, args.warmup, lambda: ddb.get_item(TableName=table, Key=key, ConsistentRead=True)),
        "PutItem": timed(args.calls, args.warmup, lambda: ddb.put_item(
            TableName=table, Item={**item, "sk": {"S": f"ENTRY#{next(counter)}"}},
            ConditionExpression="attribute_not_exists(pk)")),
        "InitiateAuth": timed(args.calls, args.warmup, lambda: idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password})),
    }
    with open(os.path.join(args.out, "boto3.json"), "w", encoding="utf-8") as f:
        json.dump(results, f)
    for op, r in results.items():
        print(f"boto3 {op:13s} p50 {r['p50_us']:9.0f} us  p90 {r['p90_us']:9.0f} us  (n={r['n']})")


if __name__ == "__main__":
    main()
