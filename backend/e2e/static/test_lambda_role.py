"""The function's role allows exactly the AWS actions its adapters call: read off the Swift
sources (every `db.<op>(`, `cognito.admin<Op>(`, the client-secret read and the Secrets Manager
read in the AWS adapters)
and compared with the `exec` policy document in the IAM module. An unused action, or a call
the role would refuse in AWS, fails here rather than in production."""

from __future__ import annotations

import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]
ADAPTERS = BACKEND / "Sources" / "AWSBackend" / "Adapters"
IAM = BACKEND / "terraform" / "modules" / "iam" / "main.tf"
BOUNDARY = BACKEND / "terraform" / "bootstrap" / "deploy_policy" / "main.tf"


def _called_actions() -> set[str]:
    source = "\n".join(p.read_text() for p in sorted(ADAPTERS.glob("*.swift")))
    actions = set()
    # DynamoDBClient's helpers over the API's calls: the call each one makes
    helpers = {"queryPages": "query"}
    for op in re.findall(r"\bdb\.(\w+)\(", source):
        op = helpers.get(op, op)
        actions.add("dynamodb:" + op[0].upper() + op[1:])
    # Only the admin calls are IAM-authorised; the user-facing ones (SignUp, InitiateAuth, ...)
    # are authorised by the app client and the user's tokens.
    for op in re.findall(r"\bcognito\.(admin\w+|describeUserPoolClient)\(", source):
        actions.add("cognito-idp:" + op[0].upper() + op[1:])
    if re.search(r"\bsecrets\.secretString\(", source):
        actions.add("secretsmanager:GetSecretValue")
    return actions


def _granted_actions() -> set[str]:
    text = IAM.read_text()
    exec_doc = text[text.index('data "aws_iam_policy_document" "exec"'):]
    exec_doc = exec_doc[: exec_doc.index('\n}\n') + 2]
    granted = set(re.findall(r'"((?:dynamodb|cognito-idp|secretsmanager):\w+)"', exec_doc))
    return granted


def test_the_role_grants_exactly_the_calls_the_adapters_make():
    called, granted = _called_actions(), _granted_actions()
    assert called, "no AWS calls found in the adapters (the scan is broken)"
    assert "dynamodb:TransactWriteItems" in called and "cognito-idp:AdminDeleteUser" in called, called
    assert called - granted == set(), f"called but not allowed: {sorted(called - granted)}"
    assert granted - called == set(), f"allowed but never called: {sorted(granted - called)}"


def _actions_of(path: Path, document: str) -> set[str]:
    text = path.read_text()
    doc = text[text.index(f'data "aws_iam_policy_document" "{document}"'):]
    doc = doc[: doc.index("\n}\n") + 2]
    return set(re.findall(r'"((?:dynamodb|cognito-idp|secretsmanager|logs|xray):\w+)"', doc))


def test_the_permissions_boundary_is_the_roles_own_list():
    """The boundary (terraform/bootstrap) and the role's policy (modules/iam) are written in two
    Terraform roots; a call added to one and not the other would be refused in AWS (or the
    boundary would allow more than the function does)."""
    role, boundary = _actions_of(IAM, "exec"), _actions_of(BOUNDARY, "boundary")
    assert "dynamodb:GetItem" in role and "xray:PutTraceSegments" in boundary, (role, boundary)
    assert role == boundary, {"only the role": sorted(role - boundary), "only the boundary": sorted(boundary - role)}


def test_the_indexes_the_adapters_query_are_granted_on_their_own_arns():
    """A Query on a global secondary index is authorised on the index's ARN, not the table's: an
    index the code queries without that grant is refused in AWS (the emulator checks no IAM)."""
    source = "\n".join(p.read_text() for p in sorted(ADAPTERS.glob("*.swift")))
    queried = set(re.findall(r'indexName: "(\w+)"', source))
    assert queried == {"gsi1", "gsi2"}, queried
    for path, document in ((IAM, "exec"), (BOUNDARY, "boundary")):
        text = path.read_text()
        doc = text[text.index(f'data "aws_iam_policy_document" "{document}"'):]
        doc = doc[: doc.index("\n}\n") + 2]
        granted = set(re.findall(r'/index/(\w+)"', doc))
        assert granted == queried, (path.name, document, granted)
        for statement in doc.split("statement {")[1:]:
            if "/index/" in statement:
                assert re.findall(r'"((?:dynamodb):\w+)"', statement) == ["dynamodb:Query"], statement
    # the deploy role manages the table; it never reads it, through an index or otherwise
    deploy = BOUNDARY.read_text()
    deploy = deploy[deploy.index('data "aws_iam_policy_document" "this"'):deploy.index('data "aws_iam_policy_document" "boundary"')]
    assert "/index/" not in deploy and '"dynamodb:Query"' not in deploy
