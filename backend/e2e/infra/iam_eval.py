"""An IAM policy evaluator and the map from recorded emulator calls to IAM requests.

``requests_of(entry, world)`` turns one call the emulator answered (motoctl's MOTO_CALL_LOG)
into the IAM requests AWS would authorise for it: action, resource ARN and the condition keys
the call carries (request tags, the resource's tags, the role's permissions boundary, the
service a role is passed to).  ``evaluate(policy, request)`` answers the way IAM does for an
identity policy alone: an explicit Deny wins, then any Allow, else an implicit deny.

Only what the deploy pipeline calls is mapped; an unknown call raises, so a new call the
pipeline starts making cannot slip past the check unevaluated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def key(self) -> tuple[str, str, str]:
        return (self.action, self.resource, json.dumps(self.context, sort_keys=True))


# ------------------------------------------------------------------------------ evaluation
def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run, ? one character; case-sensitive
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _action_matches(pattern: str, action: str) -> bool:
    # service prefix and action name are case-insensitive
    return _like(pattern.lower(), action.lower())


def _condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        if_exists = operator.endswith("IfExists")
        op = operator[: -len("IfExists")] if if_exists else operator
        for key, expected in tests.items():
            present = key in context
            if op == "Null":
                want_null = str(_list(expected)[0]).lower() == "true"
                if want_null == present:
                    return False
                continue
            if not present:
                if if_exists:
                    continue
                return False
            value = context[key]
            values = [str(v) for v in _list(expected)]
            if op in ("StringEquals", "ArnEquals"):
                ok = value in values
            elif op in ("StringLike", "ArnLike"):
                ok = any(_like(v, value) for v in values)
            elif op == "StringNotEquals":
                ok = value not in values
            elif op == "StringNotLike":
                ok = not any(_like(v, value) for v in values)
            elif op == "Bool":
                ok = value.lower() in [v.lower() for v in values]
            else:
                raise ValueError(f"condition operator {operator} is not implemented")
            if not ok:
                return False
    return True


def _statement_applies(stmt: dict[str, Any], req: Request) -> bool:
    if "Action" in stmt:
        if not any(_action_matches(a, req.action) for a in _list(stmt["Action"])):
            return False
    elif any(_action_matches(a, req.action) for a in _list(stmt.get("NotAction", []))):
        return False
    if "Resource" in stmt:
        if not any(_like(r, req.resource) for r in _list(stmt["Resource"])):
            return False
    elif any(_like(r, req.resource) for r in _list(stmt.get("NotResource", []))):
        return False
    return _condition_holds(stmt.get("Condition", {}), req.context)


def evaluate(policy: dict[str, Any], req: Request) -> str:
    """'Allow', 'ExplicitDeny' or 'ImplicitDeny'."""
    allowed = False
    for stmt in _list(policy["Statement"]):
        if not _statement_applies(stmt, req):
            continue
        if stmt["Effect"] == "Deny":
            return "ExplicitDeny"
        allowed = True
    return "Allow" if allowed else "ImplicitDeny"


# ------------------------------------------------------------------------------ the calls
@dataclass
class World:
    """What the mapping needs to know about resources named only by id (read at the end)."""

    region: str = "us-east-1"
    pool_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # pool id -> tags
    api_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # api id -> tags
    key_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # key id -> tags
    key_aliases: dict[str, str] = field(default_factory=dict)  # alias/name -> key id
    secret_arns: dict[str, str] = field(default_factory=dict)  # name -> arn
    role_boundaries: dict[str, str] = field(default_factory=dict)  # role name -> boundary arn
    distribution_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # CloudFront id -> tags
    certificate_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # ACM arn -> tags


def _params(entry: dict[str, Any]) -> dict[str, Any]:
    params = entry.get("params")
    if isinstance(params, dict) and params:
        return params
    body = entry.get("body") or ""
    if body.startswith("{"):
        try:
            return json.loads(body)
        except ValueError:
            pass
    # query protocol: moto keeps the form values in the querystring (lists of one)
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in (entry.get("query") or {}).items()}


def _members(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name)
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    out = []
    for k, v in sorted(params.items()):
        if re.fullmatch(rf"{re.escape(name)}\.member\.\d+", k):
            out.append(v[0] if isinstance(v, list) else v)
    return out


def _tags_context(tags: dict[str, str], prefix: str) -> dict[str, str]:
    return {f"{prefix}/{k}": v for k, v in tags.items()}


def _arn_tail(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


class Unmapped(Exception):
    pass


def requests_of(entry: dict[str, Any], world: World) -> list[Request]:
    service, action, p = entry["service"], entry["action"], _params(entry)
    region = entry.get("region") or world.region
    arn = f"arn:aws:{{}}:{region}:{ACCOUNT}:"
    if service == "sts":
        return []  # GetCallerIdentity needs no permission
    if service == "dynamodb":
        res = p.get("ResourceArn") or arn.format("dynamodb") + f"table/{p['TableName']}"
        return [Request(f"dynamodb:{action}", res)]
    if service == "cognito-idp":
        if action in ("CreateUserPool", "ListUserPools"):
            return [Request(f"cognito-idp:{action}", "*", _tags_context(p.get("UserPoolTags") or {}, "aws:RequestTag"))]
        res = p.get("ResourceArn") or arn.format("cognito-idp") + f"userpool/{p['UserPoolId']}"
        pool = _arn_tail(res).split("/", 1)[-1]
        return [Request(f"cognito-idp:{action}", res, _tags_context(world.pool_tags.get(pool, {}), "aws:ResourceTag"))]
    if service == "ecr":
        if action == "GetAuthorizationToken":
            return [Request("ecr:GetAuthorizationToken", "*")]
        if "repositoryNames" in p:
            return [Request(f"ecr:{action}", arn.format("ecr") + f"repository/{n}") for n in p["repositoryNames"]]
        res = p.get("resourceArn") or arn.format("ecr") + f"repository/{p['repositoryName']}"
        return [Request(f"ecr:{action}", res)]
    if service == "secretsmanager":
        if action == "GetRandomPassword":
            return [Request("secretsmanager:GetRandomPassword", "*")]
        ident = p.get("SecretId") or p.get("Name")
        res = ident if str(ident).startswith("arn:") else world.secret_arns.get(ident, arn.format("secretsmanager") + f"secret:{ident}-??????")
        return [Request(f"secretsmanager:{action}", res)]
    if service == "logs":
        if action in ("DescribeLogGroups",):
            return [Request(f"logs:{action}", arn.format("logs") + "log-group:*")]
        if action in ("CreateLogDelivery", "PutResourcePolicy", "UpdateLogDelivery", "DeleteLogDelivery",
                      "DescribeResourcePolicies", "GetLogDelivery", "ListLogDeliveries"):
            return [Request(f"logs:{action}", "*")]
        res = p.get("resourceArn") or arn.format("logs") + f"log-group:{p['logGroupName']}"
        return [Request(f"logs:{action}", res)]
    if service == "cloudwatch":
        if action in ("PutDashboard", "GetDashboard"):
            return [Request(f"cloudwatch:{action}", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{p['DashboardName']}")]
        if action == "DeleteDashboards":
            return [Request("cloudwatch:DeleteDashboards", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{n}")
                    for n in _members(p, "DashboardNames")]
        if action in ("ListTagsForResource", "TagResource", "UntagResource"):
            return [Request(f"cloudwatch:{action}", p["ResourceARN"])]
        if action == "PutMetricAlarm":
            return [Request("cloudwatch:PutMetricAlarm", arn.format("cloudwatch") + f"alarm:{p['AlarmName']}")]
        if action in ("DescribeAlarms", "DeleteAlarms"):
            names = _members(p, "AlarmNames")
            return [Request(f"cloudwatch:{action}", arn.format("cloudwatch") + f"alarm:{n}") for n in names] or \
                [Request(f"cloudwatch:{action}", arn.format("cloudwatch") + "alarm:*")]
    if service == "sns":
        if action == "CreateTopic":
            return [Request("sns:CreateTopic", arn.format("sns") + p["Name"])]
        res = p.get("TopicArn") or p.get("ResourceArn") or p.get("SubscriptionArn")
        if res:
            return [Request(f"sns:{action}", res)]
    if service == "kms":
        if action == "CreateKey":
            tags = {t["TagKey"]: t["TagValue"] for t in p.get("Tags") or []}
            return [Request("kms:CreateKey", "*", _tags_context(tags, "aws:RequestTag"))] + \
                ([Request("kms:TagResource", "*", _tags_context(tags, "aws:RequestTag"))] if tags else [])
        if action == "ListAliases":
            return [Request("kms:ListAliases", "*")]

        def key_request(key_ref: str) -> Request:
            ref = key_ref.split("/", 1)[-1] if key_ref.startswith("arn:") and ":key/" in key_ref else key_ref
            if ref.startswith("alias/aws/") or ":alias/aws/" in ref:
                # an AWS-managed key (e.g. alias/aws/dynamodb, read for the table's encryption)
                return Request(f"kms:{action}", arn.format("kms") + "alias/aws/" + ref.split("alias/aws/", 1)[1],
                               {"kms:KeyManager": "AWS"})
            if ref.startswith("alias/") or ":alias/" in ref:
                ref = world.key_aliases.get("alias/" + ref.split("alias/", 1)[1], ref)
            return Request(f"kms:{action}", arn.format("kms") + f"key/{ref}",
                           _tags_context(world.key_tags.get(ref, {}), "aws:ResourceTag"))

        if action in ("CreateAlias", "DeleteAlias", "UpdateAlias"):
            alias = p["AliasName"]
            target = p.get("TargetKeyId") or world.key_aliases.get(alias, "")
            return [Request(f"kms:{action}", arn.format("kms") + alias), key_request(target)]
        return [key_request(p["KeyId"])]
    if service == "iam":
        if "RoleName" in p:
            role = f"arn:aws:iam::{ACCOUNT}:role/{p['RoleName']}"
            ctx = {}
            if action == "CreateRole":
                if p.get("PermissionsBoundary"):
                    ctx["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
            elif action in ("PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
                            "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"):
                boundary = p.get("PermissionsBoundary") or world.role_boundaries.get(p["RoleName"])
                if boundary:
                    ctx["iam:PermissionsBoundary"] = boundary
            return [Request(f"iam:{action}", role, ctx)]
        if "PolicyArn" in p:
            return [Request(f"iam:{action}", p["PolicyArn"])]
    if service == "cloudfront":
        return _cloudfront_requests(entry, world)
    if service == "wafv2":
        return _wafv2_requests(entry["action"], p, region)
    if service == "acm":
        if entry["action"] == "RequestCertificate":
            tags = _tags_context({t["Key"]: t.get("Value", "") for t in p.get("Tags") or []}, "aws:RequestTag")
            res = arn.format("acm") + "certificate/*"
            return [Request("acm:RequestCertificate", res, tags)] + ([Request("acm:AddTagsToCertificate", res, tags)] if tags else [])
        cert = p["CertificateArn"]
        return [Request(f"acm:{entry['action']}", cert, _tags_context(world.certificate_tags.get(cert, {}), "aws:ResourceTag"))]
    if service == "lambda":
        return _lambda_requests(entry, p, region)
    if service == "apigatewayv2":
        return _apigateway_requests(entry, p, region, world)
    raise Unmapped(f"{service}:{action} {entry.get('method')} {entry.get('path')}")


def _xml_tags(body: str) -> dict[str, str]:
    return {k: v for k, v in re.findall(r"<Tag>\s*<Key>([^<]*)</Key>\s*<Value>([^<]*)</Value>\s*</Tag>", body)}


def _cloudfront_requests(entry: dict[str, Any], world: World) -> list[Request]:
    """CloudFront (REST-XML, global: ARNs have no region). Distributions get ids from AWS."""
    action, path = entry["action"], unquote(entry["path"])
    dist = f"arn:aws:cloudfront::{ACCOUNT}:distribution/"
    if action == "CreateDistributionWithTags":
        ctx = _tags_context(_xml_tags(entry.get("body") or ""), "aws:RequestTag")
        return [Request("cloudfront:CreateDistribution", dist + "*", ctx), Request("cloudfront:TagResource", dist + "*", ctx)]
    if action == "CreateDistribution":
        return [Request("cloudfront:CreateDistribution", dist + "*")]
    if action in ("ListTagsForResource", "TagResource", "UntagResource"):
        resource = (entry.get("query") or {}).get("Resource")
        resource = resource[0] if isinstance(resource, list) else resource
        ident = str(resource).rsplit("/", 1)[-1]
        return [Request(f"cloudfront:{action}", resource, _tags_context(world.distribution_tags.get(ident, {}), "aws:ResourceTag"))]
    m = re.match(r"^/[^/]+/distribution/([^/]+)", path)
    if not m:
        raise Unmapped(f"cloudfront {action} {path}")
    return [Request(f"cloudfront:{action}", dist + m.group(1),
                    _tags_context(world.distribution_tags.get(m.group(1), {}), "aws:ResourceTag"))]


def _wafv2_requests(action: str, p: dict[str, Any], region: str) -> list[Request]:
    """AWS WAF (JSON): a web ACL's ARN carries its scope (global for CloudFront) and name."""
    scope = "global" if p.get("Scope") == "CLOUDFRONT" else region
    base = f"arn:aws:wafv2:{'us-east-1' if scope == 'global' else region}:{ACCOUNT}:{scope}/"
    if action in ("CreateWebACL", "UpdateWebACL"):
        acl = base + f"webacl/{p['Name']}/{p.get('Id', '*')}"
        out = [Request(f"wafv2:{action}", acl)]
        for rule in p.get("Rules") or []:
            managed = (rule.get("Statement") or {}).get("ManagedRuleGroupStatement")
            if managed:
                out.append(Request(f"wafv2:{action}", base + f"managedruleset/{managed['Name']}/*"))
        return out
    if action in ("GetWebACL", "DeleteWebACL"):
        return [Request(f"wafv2:{action}", base + f"webacl/{p['Name']}/{p['Id']}")]
    if action == "PutLoggingConfiguration":
        return [Request("wafv2:PutLoggingConfiguration", p["LoggingConfiguration"]["ResourceArn"])]
    res = p.get("ResourceARN") or p.get("ResourceArn")
    if res:
        return [Request(f"wafv2:{action}", res)]
    raise Unmapped(f"wafv2 {action} {sorted(p)}")


_LAMBDA_ACTIONS = {"Invoke": "InvokeFunction", "GetFunction20150331": "GetFunction"}


def _lambda_requests(entry: dict[str, Any], p: dict[str, Any], region: str) -> list[Request]:
    action = _LAMBDA_ACTIONS.get(entry["action"], entry["action"])
    path = unquote(entry["path"])
    fn_arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:"
    out: list[Request] = []
    m = re.match(r"^/[^/]+/tags/(arn:aws:lambda:[^/]+)$", path)
    if m:
        return [Request(f"lambda:{action}", m.group(1))]
    if re.match(r"^/[^/]+/account-settings/?$", path):
        return [Request("lambda:GetAccountSettings", "*")]
    m = re.match(r"^/[^/]+/functions/?([^/]*)", path)
    if not m:
        raise Unmapped(f"lambda {path}")
    name = m.group(1) or p.get("FunctionName", "")
    if name.startswith("arn:"):
        name = name.split(":function:", 1)[1]
    qualifier = (entry.get("query") or {}).get("Qualifier")
    if isinstance(qualifier, list):
        qualifier = qualifier[0]
    res = fn_arn + name + (f":{qualifier}" if qualifier and ":" not in name else "")
    out.append(Request(f"lambda:{action}", res))
    if action == "AddPermission" and p.get("Principal"):
        out[-1] = Request(f"lambda:{action}", res, {"lambda:Principal": p["Principal"]})
    role = p.get("Role")
    if action in ("CreateFunction", "UpdateFunctionConfiguration") and role:
        out.append(Request("iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}))
    return out


def _apigateway_requests(entry: dict[str, Any], p: dict[str, Any], region: str, world: World) -> list[Request]:
    path = unquote(entry["path"])
    assert path.startswith("/v2/"), path
    resource_path = path[len("/v2"):]
    res = f"arn:aws:apigateway:{region}::{resource_path}"
    method = entry["method"].upper()
    ctx: dict[str, str] = {}
    m = re.match(r"^/apis/([^/]+)", resource_path)
    if m:
        ctx = _tags_context(world.api_tags.get(m.group(1), {}), "aws:ResourceTag")
    m = re.match(r"^/tags/arn:aws:apigateway:[^:]*::/apis/([^/]+)", resource_path)
    if m:
        ctx = _tags_context(world.api_tags.get(m.group(1), {}), "aws:ResourceTag")
    if resource_path == "/apis" and method == "POST":
        body = p if isinstance(p, dict) else {}
        ctx = _tags_context(body.get("tags") or body.get("Tags") or {}, "aws:RequestTag")
    return [Request(f"apigateway:{method}", res, ctx)]


def allowed_by_resource_policy(req: Request) -> bool:
    """Reads the resource's own policy allows whatever the identity policy says: an AWS-managed
    KMS key's key policy lets every principal of the account describe, get and list it."""
    return req.context.get("kms:KeyManager") == "AWS" and req.action.split(":", 1)[1].startswith(("Describe", "Get", "List"))


def for_environment(req: Request, src: str, dst: str) -> Request:
    """The same call on the other environment's resources (names and Environment tags)."""
    names = [("api-handler-", ""), ("users-", ""), ("lifestyle-app-", ""), ("lifestyle-api-", ""),
             ("ai-lifestyle-users-", ""), ("lifestyle-backend-", "")]
    resource = req.resource
    for prefix, _ in names:
        resource = re.sub(rf"{re.escape(prefix)}{src}\b", f"{prefix}{dst}", resource)
    context = {k: (dst if k.endswith("/Environment") and v == src else v) for k, v in req.context.items()}
    if "iam:PermissionsBoundary" in context:
        context["iam:PermissionsBoundary"] = context["iam:PermissionsBoundary"].replace(f"-{src}-", f"-{dst}-")
    return Request(req.action, resource, context)


def environment_of(req: Request) -> str | None:
    text = req.resource + " " + json.dumps(req.context)
    envs = {e for e in ("dev", "prod") if re.search(rf"(api-handler|users|lifestyle-app|lifestyle-api|ai-lifestyle-users|lifestyle-backend)-{e}\b", text)
            or f'/Environment": "{e}"' in text}
    return envs.pop() if len(envs) == 1 else None


def deploy_env(entry: dict[str, Any]) -> str | None:
    """Which deploy made the call: deploy-phased.sh marks every call of its environment's run in
    the user agent (TF_APPEND_USER_AGENT for Terraform, AWS_EXECUTION_ENV for the AWS CLI and
    the image push). The test's own assertions, the bootstrap (an administrator) and the
    function's calls during its smoke test carry no mark."""
    m = re.search(r"lifestyle-deploy[/-](dev|prod)\b", entry.get("agent", ""))
    return m.group(1) if m else None


__all__ = ["Request", "World", "Unmapped", "evaluate", "requests_of", "for_environment", "environment_of",
           "deploy_env", "allowed_by_resource_policy"]
