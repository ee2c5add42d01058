# What the deploy pipeline of ONE environment may do. Resources are pinned to
# the environment's names wherever the service supports resource-level
# permissions; the rest (ids assigned by AWS, list/describe calls) are noted.
locals {
  env    = var.environment
  acct   = var.account_id
  region = var.region
  arn    = "arn:aws"
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_356:"*" only where AWS offers no resource-level permission (ecr:GetAuthorizationToken, cognito-idp:CreateUserPool/ListUserPools, secretsmanager:GetRandomPassword, CloudWatch Logs log-delivery calls); everything else is pinned to the environment's resource names.
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
      "ecr:TagResource", "ecr:UntagResource", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
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

  # The master-key secret (modules/secrets). Terraform writes its value write-only and never
  # reads it back; GetSecretValue is not granted to the pipeline.
  statement {
    sid = "MasterKeySecret"
    actions = [
      "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret",
      "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:GetResourcePolicy",
      "secretsmanager:ListSecretVersionIds", "secretsmanager:TagResource", "secretsmanager:UntagResource",
    ]
    resources = ["${local.arn}:secretsmanager:${local.region}:${local.acct}:secret:api-handler-${local.env}-master-key-*"]
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
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetPolicy", "lambda:AddPermission",
      "lambda:RemovePermission", "lambda:ListTags", "lambda:TagResource", "lambda:UntagResource",
    ]
    resources = ["${local.arn}:lambda:${local.region}:${local.acct}:function:api-handler-${local.env}"]
  }

  statement {
    sid = "ExecutionRole"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
      "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:PutRolePolicy",
      "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole",
    ]
    resources = ["${local.arn}:iam::${local.acct}:role/api-handler-${local.env}-exec"]
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
      "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource", "logs:CreateLogDelivery",
    ]
    resources = [
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/lambda/api-handler-${local.env}",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/lambda/api-handler-${local.env}:*",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/apigateway/lifestyle-api-${local.env}",
      "${local.arn}:logs:${local.region}:${local.acct}:log-group:/aws/apigateway/lifestyle-api-${local.env}:*",
    ]
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.arn}:logs:${local.region}:${local.acct}:log-group:*"]
  }

  statement {
    sid       = "DescribeAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["${local.arn}:cloudwatch:${local.region}:${local.acct}:alarm:*"]
  }

  statement {
    sid = "ApiAccessLogDelivery"
    actions = [
      "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
      "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    ]
    resources = ["*"] # log-delivery and resource-policy calls have no resource-level permissions
  }

  statement {
    sid       = "HttpApi"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:TagResource"]
    resources = ["${local.arn}:apigateway:${local.region}::/apis", "${local.arn}:apigateway:${local.region}::/apis/*", "${local.arn}:apigateway:${local.region}::/tags/*"]
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
}
