resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = "alias/aws/sns"
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

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  alarm_name          = "${var.name_prefix}-throttles"
  alarm_description   = "Lambda invocations are being throttled"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = var.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
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
