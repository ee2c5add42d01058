# The alarm topic is encrypted with a key of our own: CloudWatch cannot publish to a topic
# under the AWS-managed key alias/aws/sns (its key policy cannot be changed to let the
# CloudWatch service use it), so alarms would reach nobody.
resource "aws_kms_key" "alarms" {
  description             = "${var.name_prefix} alarm topic (CloudWatch publishes through it)"
  enable_key_rotation     = true
  deletion_window_in_days = var.key_deletion_window_days
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The account's own IAM policies decide who administers the key (AWS's default key policy).
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      },
      {
        # SNS itself decrypts for delivery to the subscriptions.
        Sid       = "SNSDelivers"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      },
    ]
  })
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/${var.name_prefix}-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
}

# Only this environment's alarms may publish to the topic.
resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CloudWatchAlarmsPublish"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.alarms.arn
      Condition = {
        ArnLike      = { "aws:SourceArn" = "arn:aws:cloudwatch:${var.region}:${var.account_id}:alarm:${var.name_prefix}-*" }
        StringEquals = { "aws:SourceAccount" = var.account_id }
      }
    }]
  })
}

# Who hears the alarms: the environment's `alarm_subscriptions` (emails confirm by a link
# AWS mails them; an https endpoint confirms by the SubscribeURL it receives).
resource "aws_sns_topic_subscription" "alarms" {
  for_each  = { for s in var.subscriptions : "${s.protocol}:${s.endpoint}" => s }
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

resource "aws_cloudwatch_metric_alarm" "lambda_error_rate" {
  alarm_name          = "${var.name_prefix}-error-rate"
  alarm_description   = "Lambda errors above ${var.error_rate_threshold}% of invocations"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_threshold
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = var.function_name }
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = var.function_name }
      period      = 300
      stat        = "Sum"
    }
  }
}

# Throttled invocations as a share of all attempts. Not "any throttle": on a fresh account
# (concurrency quota 10) a canary's cold starts alone can throttle a few calls, and an alarm at 0
# would stop every rollout there. 5 % of the attempts of a 5-minute period is a capacity problem.
resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  alarm_name          = "${var.name_prefix}-throttles"
  alarm_description   = "More than ${var.throttle_pct_threshold}% of the function's invocations throttled in 5 minutes (concurrency quota: see docs/deployment-guide.md)"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.throttle_pct_threshold
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "share"
    expression  = "IF(invocations + throttles > 0, 100 * throttles / (invocations + throttles), 0)"
    label       = "Throttled (% of attempts)"
    return_data = true
  }

  metric_query {
    id = "throttles"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = var.function_name }
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = var.function_name }
      period      = 300
      stat        = "Sum"
    }
  }
}

# The canary's alarm: the newest version only (the one phase 3 published and the canary sends
# a share of `live` to), by the dimensions Lambda adds to alias invocations (Resource,
# ExecutedVersion) and the function's own `server_errors{version}`. The whole-function alarms
# above cannot see it: at 10 % of traffic a version that fails 20 % of its calls moves the
# function's error rate by 2 points, and their 5-minute periods, 2 of 3, need 10 minutes.
# Tuning (docs/aws-design.md, "Canary"): 1-minute periods, 2 of 3 breaching, so a bad version
# trips in about 2-4 minutes of a 10-minute canary (plus CloudWatch's 1-2 minutes of metric
# delay). A minute counts as a rate once the version had 5 invocations; with fewer, 3 failures
# in the minute breach on their own, and quieter minutes (1 or 2 failures of a handful) do not.
resource "aws_cloudwatch_metric_alarm" "canary" {
  alarm_name          = "${var.name_prefix}-canary-errors"
  alarm_description   = "Version ${var.function_version} of ${var.function_name} (through ${var.alias_name}): more than ${var.canary_error_rate_pct}% of its calls failed (Lambda errors or answers of 500 and above), 2 of 3 minutes"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.canary_error_rate_pct
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(invocations >= 5, 100 * (errors + FILL(server_errors, 0)) / invocations, IF(errors + FILL(server_errors, 0) >= 3, 100, 0))"
    label       = "Failed calls of version ${var.function_version} (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = var.function_name, Resource = "${var.function_name}:${var.alias_name}", ExecutedVersion = var.function_version }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = var.function_name, Resource = "${var.function_name}:${var.alias_name}", ExecutedVersion = var.function_version }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "server_errors"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "server_errors"
      dimensions  = { service = "api-handler", version = var.function_version }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_p99_duration" {
  alarm_name          = "${var.name_prefix}-p99-duration"
  alarm_description   = "Lambda p99 duration above ${var.p99_duration_ms} ms"
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = var.function_name }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.p99_duration_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name_prefix}-api-5xx"
  alarm_description   = "HTTP API returned more than ${var.api_5xx_threshold} 5xx responses in 5 minutes"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = var.api_id, Stage = var.api_stage }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.api_5xx_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Attack-rate alarms from the function's own metrics (EMF `failures`, dimension `kind`).
locals {
  auth_failure_alarms = {
    "failed-logins" = { kind = "login_invalid_credentials", threshold = var.failed_login_5min, what = "wrong-password sign-ins" }
    "failed-mfa"    = { kind = "mfa_invalid_code", threshold = var.failed_mfa_5min, what = "wrong MFA codes" }
    # Any stored MFA secret that no master key version opens (a rotation gone wrong, a damaged
    # item): those users get 503 for their TOTP codes (never tokens), so one is one too many.
    "unreadable-seal" = { kind = "sealed_secret_unreadable", threshold = 0, what = "stored MFA secrets no master key opens" }
  }
  # SES reviews an account at a 5% bounce or 0.1% complaint rate and may pause its sending at
  # 10% / 0.5%: alarm at the review level.
  ses_alarms = var.ses_enabled ? {
    "ses-bounce-rate"    = { metric = "Reputation.BounceRate", threshold = 0.05, what = "SES bounce rate at or above 5%" }
    "ses-complaint-rate" = { metric = "Reputation.ComplaintRate", threshold = 0.001, what = "SES complaint rate at or above 0.1%" }
  } : {}
}

resource "aws_cloudwatch_metric_alarm" "auth_failures" {
  for_each            = local.auth_failure_alarms
  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = "More than ${each.value.threshold} ${each.value.what} in 5 minutes"
  namespace           = var.metrics_namespace
  metric_name         = "failures"
  dimensions          = { service = "api-handler", kind = each.value.kind }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "ses_reputation" {
  for_each            = local.ses_alarms
  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.what
  namespace           = "AWS/SES"
  metric_name         = each.value.metric
  statistic           = "Average"
  period              = 3600
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# On-demand tables throttle too (a hot key, or a burst above the table's previous peak x2).
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  alarm_name          = "${var.name_prefix}-dynamodb-throttles"
  alarm_description   = "DynamoDB throttled reads or writes on ${var.table_name}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttled read and write events"
    return_data = true
  }

  metric_query {
    id = "reads"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = var.table_name }
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "writes"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = var.table_name }
      period      = 300
      stat        = "Sum"
    }
  }
}

# One page for the environment: traffic, errors, latency, capacity, the stores.
resource "aws_cloudwatch_dashboard" "api" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "Requests and errors (HTTP API)", region = var.region, stat = "Sum", period = 60, view = "timeSeries"
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiId", var.api_id, "Stage", var.api_stage, { label = "requests" }],
            ["AWS/ApiGateway", "4xx", "ApiId", var.api_id, "Stage", var.api_stage, { label = "4xx" }],
            ["AWS/ApiGateway", "5xx", "ApiId", var.api_id, "Stage", var.api_stage, { label = "5xx" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "Duration (function)", region = var.region, period = 60, view = "timeSeries"
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", var.function_name, { stat = "p50", label = "p50" }],
            ["AWS/Lambda", "Duration", "FunctionName", var.function_name, { stat = "p99", label = "p99" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title = "Errors, throttles, concurrency (function)", region = var.region, period = 60, view = "timeSeries"
          metrics = [
            ["AWS/Lambda", "Errors", "FunctionName", var.function_name, { stat = "Sum", label = "errors" }],
            ["AWS/Lambda", "Throttles", "FunctionName", var.function_name, { stat = "Sum", label = "throttles" }],
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", var.function_name, { stat = "Maximum", label = "concurrency" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title = "DynamoDB throttles (${var.table_name})", region = var.region, stat = "Sum", period = 60, view = "timeSeries"
          metrics = [
            ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", var.table_name, { label = "read throttles" }],
            ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", var.table_name, { label = "write throttles" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 24, height = 6
        properties = {
          title = "Cognito and auth failures (function metrics)", region = var.region, stat = "Sum", period = 60, view = "timeSeries"
          metrics = [
            [var.metrics_namespace, "failures", "service", "api-handler", "kind", "dependency_unavailable", { label = "503: Cognito/DynamoDB unavailable" }],
            ["AWS/Cognito", "SignInThrottles", "UserPool", var.user_pool_id, "UserPoolClient", var.user_pool_client_id, { label = "Cognito sign-in throttles" }],
            ["AWS/Cognito", "TokenRefreshThrottles", "UserPool", var.user_pool_id, "UserPoolClient", var.user_pool_client_id, { label = "Cognito refresh throttles" }],
            [var.metrics_namespace, "failures", "service", "api-handler", "kind", "login_invalid_credentials", { label = "wrong passwords" }],
            [var.metrics_namespace, "failures", "service", "api-handler", "kind", "mfa_invalid_code", { label = "wrong MFA codes" }],
          ]
        }
      },
    ]
  })
}
