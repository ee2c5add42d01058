data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "exec" {
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  # Created by terraform/bootstrap; the deploy role may create or change this role only with it.
  permissions_boundary = var.permissions_boundary_arn
}

# Least privilege: named actions on named resources, exactly the calls the adapters make
# (e2e/static/test_lambda_role.py compares this list with the code). Query reads one user's own
# partitions (their goals, a goal's activities, their journal) and the two share indexes; no
# Scan, no other index, no PartiQL.
data "aws_iam_policy_document" "exec" {
  statement {
    sid = "UsersTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
    ]
    resources = [var.table_arn]
  }

  # The shares a user gave (gsi1) and received (gsi2): a Query on an index is authorised on the
  # index's own ARN.
  statement {
    sid       = "UsersTableShareIndexes"
    actions   = ["dynamodb:Query"]
    resources = ["${var.table_arn}/index/gsi1", "${var.table_arn}/index/gsi2"]
  }

  # TransactWriteItems is authorised per item action (PutItem, ...) on the table;
  # the action itself is listed for tools that check it explicitly.
  statement {
    sid       = "UsersTableTransactions"
    actions   = ["dynamodb:TransactWriteItems"]
    resources = [var.table_arn]
  }

  statement {
    sid = "UserPoolAdmin"
    actions = [
      "cognito-idp:AdminDeleteUser",
      "cognito-idp:AdminGetUser",
      "cognito-idp:AdminUserGlobalSignOut",
      "cognito-idp:AdminSetUserPassword",
      # the app client's secret, read once at start (never in outputs or the environment)
      "cognito-idp:DescribeUserPoolClient",
    ]
    resources = [var.user_pool_arn]
  }

  # The master key (and, when on, the API keys' digests and the edge origin secret), read only.
  statement {
    sid       = "MasterKey"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = compact([var.app_secret_arn, var.api_keys_secret_arn, var.edge_secret_arn])
  }

  statement {
    sid       = "FunctionLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arn}:*"]
  }

  # X-Ray has no resource-level permissions; "*" is the only valid resource.
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "exec" {
  name   = "${var.role_name}-policy"
  role   = aws_iam_role.exec.id
  policy = data.aws_iam_policy_document.exec.json
}
