# What the deploy pipeline of ONE environment may do. Resources are pinned to
# the environment's names wherever the service supports resource-level
# permissions; the rest (ids assigned by AWS, list/describe calls) are noted.
locals {
  env    = var.environment
  acct   = var.account_id
  region = var.region
  arn    = "arn:aws"
  # Every role this environment's pipeline creates or changes must carry this boundary.
  boundary_arn = "${local.arn}:iam::${local.acct}:policy/lifestyle-backend-${local.env}-boundary"
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_356:"*" only where AWS offers no resource-level permission (ecr:GetAuthorizationToken, cognito-idp:CreateUserPool/ListUserPools, secretsmanager:GetRandomPassword, CloudWatch Logs log-delivery calls, kms:CreateKey under a request-tag condition, kms:ListAliases, lambda:GetAccountSettings); everything else is pinned to the environment's resource names.
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = ["${local.arn}:s3:::${var.state_bucket}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["lifestyle-backend/${local.env}/*"]
    }
  }

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.arn}:s3:::${var.state_bucket}/lifestyle-backend/${local.env}/*"]
  }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # no resource-level permissions for this action
  }

  statement {
    sid = "EcrRepository"
    actions = [
      "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories", "ecr:ListTagsForResource",
      "ecr:TagResource", "ecr:UntagResource", "ecr:PutImageScanningConfiguration",
      "ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
      "ecr:SetRepositoryPolicy", "ecr:GetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
      "ecr:DescribeImages", "ecr:ListImages", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage",
    ]
    resources = ["${local.arn}:ecr:${local.region}:${local.acct}:repository/lifestyle-app-${local.env}"]
  }

  statement {
    sid = "UsersTable"
    actions = [
      "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
      "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups",
      "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource",
      "dynamodb:UntagResource",
    ]
    resources = ["${local.arn}:dynamodb:${local.region}:${local.acct}:table/users-${local.env}"]
  }

  statement {
    sid = "UserPool"
    actions = [
      "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool",
      "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
      "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient",
      "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient",
      "cognito-idp:ListTagsForResource", "cognito-idp:TagResource", "cognito-idp:UntagResource",
      # the smoke test's throw-away user: confirmed by the deploy, removed if its own deletion fails
      "cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminDeleteUser",
    ]
    # Pool ids are assigned by AWS; scope by the environment tag set at creation.
    resources = ["${local.arn}:cognito-idp:${local.region}:${local.acct}:userpool/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid       = "UserPoolCreate"
    actions   = ["cognito-idp:CreateUserPool", "cognito-idp:ListUserPools"]
    resources = ["*"] # CreateUserPool/ListUserPools have no resource-level permissions
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/Environment"
      values   = [local.env]
    }
  }

  # Cognito mailing through SES (ses_identity_arn, DEVELOPER): the first such pool setting in an
  # account makes Cognito create its service-linked role, with the caller's permission. Only
  # that role, for that service.
  statement {
    sid       = "CognitoEmailRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn}:iam::${local.acct}:role/aws-service-role/email.cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["email.cognito-idp.amazonaws.com"]
    }
  }

  # The fresh-account check of phase 1 (the account's Lambda concurrency quota); no resource.
  statement {
    sid       = "LambdaQuota"
    actions   = ["lambda:GetAccountSettings"]
    resources = ["*"]
  }

  # The master-key secret (modules/secrets). Terraform writes its value write-only and keeps it
  # out of the state, but the provider's refresh of the secret version calls GetSecretValue
  # (the rehearsal's IAM evaluation found it: without it the first real deploy fails). The
  # pipeline deploys the code that reads this key anyway, so reading it adds no power; it is
  # this environment's secret only.
  statement {
    sid = "MasterKeySecret"
    actions = [
      "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:GetResourcePolicy",
      "secretsmanager:ListSecretVersionIds", "secretsmanager:TagResource", "secretsmanager:UntagResource",
    ]
    resources = [
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-master-key-*",
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-api-keys-*",
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-edge-origin-*",
    ]
  }

  statement {
    sid       = "MasterKeyRandom"
    actions   = ["secretsmanager:GetRandomPassword"]
    resources = ["*"] # GetRandomPassword has no resource
  }

  statement {
    sid = "Function"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetPolicy", "lambda:RemovePermission", "lambda:ListTags", "lambda:TagResource", "lambda:UntagResource",
      # the rollout: publish a version, smoke-test it, move the live alias (weights, rollback)
      "lambda:PublishVersion", "lambda:InvokeFunction", "lambda:GetAlias", "lambda:CreateAlias",
      "lambda:UpdateAlias", "lambda:DeleteAlias", "lambda:ListAliases",
    ]
    resources = [
      "${local.arn}:lambda:${local.region}:${local.acct}:function:api-handler-${local.env}",
      "${local.arn}:lambda:${local.region}:${local.acct}:function:api-handler-${local.env}:*",
    ]
  }

  # Who may invoke the function: API Gateway (the HTTP API) and Cognito (the triggers), nobody
  # else. Without the condition the role could let any account or service invoke the function.
  statement {
    sid     = "FunctionInvokers"
    actions = ["lambda:AddPermission"]
    resources = [
      "${local.arn}:lambda:${local.region}:${local.acct}:function:api-handler-${local.env}",
      "${local.arn}:lambda:${local.region}:${local.acct}:function:api-handler-${local.env}:*",
    ]
    condition {
      test     = "StringEquals"
      variable = "lambda:Principal"
      values   = ["apigateway.amazonaws.com", "cognito-idp.amazonaws.com"]
    }
  }

  # The function's role. Creating it, or writing its policies, is allowed only while it carries
  # this environment's permissions boundary: whatever inline policy the pipeline writes, the
  # role can do no more than the function needs on this environment's resources, so the deploy
  # role cannot make itself (or anything it runs) an administrator.
  statement {
    sid       = "ExecutionRoleWithBoundary"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]
    resources = ["${local.arn}:iam::${local.acct}:role/api-handler-${local.env}-exec"]
    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid = "ExecutionRole"
    actions = [
      "iam:GetRole", "iam:TagRole", "iam:UntagRole",
      "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:GetRolePolicy", "iam:ListInstanceProfilesForRole",
    ]
    resources = ["${local.arn}:iam::${local.acct}:role/api-handler-${local.env}-exec"]
  }

  # Never granted above; stated so no later grant can open them: the boundary is fixed by the
  # account's administrators (terraform/bootstrap), not by the pipeline. The same for who may
  # assume the function's role: its trust (lambda.amazonaws.com) is written once, at CreateRole,
  # and neither changed (UpdateAssumeRolePolicy) nor replaced (DeleteRole, then CreateRole with
  # another trust) by a pipeline; a change to it is an administrator's. Images stay immutable:
  # no pipeline may make a tag overwritable.
  statement {
    sid    = "BoundaryStays"
    effect = "Deny"
    actions = [
      "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "ecr:PutImageTagMutability",
      "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
      "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
      "iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:PutUserPolicy",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "PassExecutionRole"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn}:iam::${local.acct}:role/api-handler-${local.env}-exec"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid = "LogGroups"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource",
    ]
    resources = [
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/lambda/api-handler-${local.env}",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/lambda/api-handler-${local.env}:*",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/apigateway/lifestyle-api-${local.env}",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/apigateway/lifestyle-api-${local.env}:*",
    ]
  }

  statement {
    sid     = "DescribeLogGroups"
    actions = ["logs:DescribeLogGroups"]
    # the environment's region, and us-east-1 where the edge's WAF log group lives
    resources = distinct(["${local.arn}:logs:${local.region}:${local.acct}:log-group:*", "${local.arn}:logs:us-east-1:${local.acct}:log-group:*"])
  }

  statement {
    sid       = "DescribeAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["${local.arn}:cloudwatch:${local.region}:${local.acct}:alarm:api-handler-${local.env}-*"]
  }

  # HTTP API access logs: the log-delivery permissions API Gateway documents for them
  # ("Permissions for CloudWatch logging", HTTP APIs); these calls have no resource-level
  # permissions.
  statement {
    sid = "ApiAccessLogDelivery"
    actions = [
      "logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
    ]
    resources = ["*"]
  }

  # HTTP APIs get ids from AWS, so they are scoped by the environment tag (the provider's
  # default_tags): created only with it, changed only while they carry it. API Gateway
  # authorises a route, integration, authorizer or stage by the tags of its API.
  statement {
    sid       = "HttpApiCreate"
    actions   = ["apigateway:POST"]
    resources = ["${local.arn}:apigateway:${local.region}::/apis"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid       = "HttpApi"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
    resources = ["${local.arn}:apigateway:${local.region}::/apis/*", "${local.arn}:apigateway:${local.region}::/tags/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid       = "HttpApiList"
    actions   = ["apigateway:GET"]
    resources = ["${local.arn}:apigateway:${local.region}::/apis"]
  }

  statement {
    sid       = "Alarms"
    actions   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = ["${local.arn}:cloudwatch:${local.region}:${local.acct}:alarm:api-handler-${local.env}-*"]
  }

  statement {
    sid       = "AlarmTopic"
    actions   = ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource"]
    resources = ["${local.arn}:sns:${local.region}:${local.acct}:api-handler-${local.env}-alarms"]
  }

  statement {
    sid       = "AlarmSubscriptions"
    actions   = ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"]
    resources = ["${local.arn}:sns:${local.region}:${local.acct}:api-handler-${local.env}-alarms", "${local.arn}:sns:${local.region}:${local.acct}:api-handler-${local.env}-alarms:*"]
  }

  statement {
    sid       = "Dashboard"
    actions   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
    resources = ["${local.arn}:cloudwatch::${local.acct}:dashboard/api-handler-${local.env}"]
  }

  # The alarm topic's own key. Key ids are assigned by AWS: created only with this
  # environment's tag (the provider's default_tags), used only while it carries it.
  statement {
    sid       = "AlarmKeyCreate"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"] # CreateKey has no resource
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid = "AlarmKey"
    actions = [
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
      "kms:ListResourceTags", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:UpdateKeyDescription",
      "kms:CreateAlias", "kms:DeleteAlias",
    ]
    resources = ["${local.arn}:kms:${local.region}:${local.acct}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid       = "AlarmKeyAlias"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias"]
    resources = ["${local.arn}:kms:${local.region}:${local.acct}:alias/api-handler-${local.env}-alarms"]
  }

  statement {
    sid       = "KeyAliases"
    actions   = ["kms:ListAliases"]
    resources = ["*"] # ListAliases has no resource-level permissions
  }

  # The optional edge (modules/edge, enable_edge). CloudFront's web ACL, certificate and WAF
  # log group live in us-east-1 whatever the environment's region. The web ACL is named after
  # the environment; distributions and certificates get ids from AWS, so they are created only
  # with this environment's tag and changed only while they carry it.
  statement {
    sid = "EdgeWebAcl"
    actions = [
      "wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL",
      "wafv2:ListTagsForResource", "wafv2:TagResource", "wafv2:UntagResource",
      "wafv2:PutLoggingConfiguration", "wafv2:GetLoggingConfiguration", "wafv2:DeleteLoggingConfiguration",
    ]
    resources = [
      "${local.arn}:wafv2:us-east-1:${local.acct}:global/webacl/api-handler-${local.env}-edge/*",
      # a web ACL that references AWS's managed rule groups needs the permission on them too
      "${local.arn}:wafv2:us-east-1:${local.acct}:global/managedruleset/*/*",
    ]
  }

  statement {
    sid = "EdgeWafLogs"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource",
    ]
    resources = [
      "${local.arn}:logs:us-east-1:${local.acct}:log-group:aws-waf-logs-api-handler-${local.env}",
      "${local.arn}:logs:us-east-1:${local.acct}:log-group:aws-waf-logs-api-handler-${local.env}:*",
    ]
  }

  statement {
    sid       = "EdgeCreate"
    actions   = ["cloudfront:CreateDistribution", "cloudfront:TagResource", "acm:RequestCertificate", "acm:AddTagsToCertificate"]
    resources = ["${local.arn}:cloudfront::${local.acct}:distribution/*", "${local.arn}:acm:us-east-1:${local.acct}:certificate/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid = "Edge"
    actions = [
      "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
      "cloudfront:DeleteDistribution", "cloudfront:ListTagsForResource", "cloudfront:TagResource", "cloudfront:UntagResource",
      "acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:DeleteCertificate", "acm:AddTagsToCertificate",
      "acm:RemoveTagsFromCertificate",
    ]
    resources = ["${local.arn}:cloudfront::${local.acct}:distribution/*", "${local.arn}:acm:us-east-1:${local.acct}:certificate/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [local.env]
    }
  }
}

# The permissions boundary of the function's role: the most that role may ever do, which is
# what the function does at run time on this environment's resources (modules/iam grants the
# same list; the role's effective permissions are the intersection).
data "aws_iam_policy_document" "boundary" {
  statement {
    sid = "UsersTable"
    actions = [
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:TransactWriteItems",
      "dynamodb:Query",
    ]
    resources = ["${local.arn}:dynamodb:${local.region}:${local.acct}:table/users-${local.env}"]
  }

  statement {
    sid     = "UsersTableShareIndexes"
    actions = ["dynamodb:Query"]
    resources = [
      "${local.arn}:dynamodb:${local.region}:${local.acct}:table/users-${local.env}/index/gsi1",
      "${local.arn}:dynamodb:${local.region}:${local.acct}:table/users-${local.env}/index/gsi2",
    ]
  }

  statement {
    sid = "UserPool"
    actions = [
      "cognito-idp:AdminDeleteUser", "cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut",
      "cognito-idp:AdminSetUserPassword", "cognito-idp:DescribeUserPoolClient",
    ]
    resources = ["${local.arn}:cognito-idp:${local.region}:${local.acct}:userpool/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [local.env]
    }
  }

  statement {
    sid     = "MasterKey"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-master-key-*",
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-api-keys-*",
      "${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-edge-origin-*",
    ]
  }

  statement {
    sid       = "FunctionLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/lambda/api-handler-${local.env}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }
}
