locals {
  # Every per-environment difference lives in this one map.
  settings = {
    dev = {
      log_level                = "DEBUG"
      cors_origins             = ["*"]
      lambda_memory_mb         = 512
      lambda_timeout_s         = 15
      log_retention_days       = 7
      api_throttle_rate        = 20
      api_throttle_burst       = 40
      table_deletion_protected = false
      pool_deletion_protected  = false
      # days a deleted master-key secret can be restored
      secret_recovery_window_days = 0
      alarm_error_rate_pct        = 10
      alarm_p99_duration_ms       = 5000
      alarm_5xx_count             = 10
      # failed sign-ins (wrong passwords) and wrong MFA codes, summed over 5 minutes
      alarm_failed_logins_5min = 200
      alarm_failed_mfa_5min    = 50
    }
    prod = {
      log_level                   = "INFO"
      cors_origins                = ["https://ailifestyle.app"]
      lambda_memory_mb            = 1024
      lambda_timeout_s            = 15
      log_retention_days          = 30
      api_throttle_rate           = 200
      api_throttle_burst          = 400
      table_deletion_protected    = true
      pool_deletion_protected     = true
      secret_recovery_window_days = 30
      alarm_error_rate_pct        = 2
      alarm_p99_duration_ms       = 3000
      alarm_5xx_count             = 5
      alarm_failed_logins_5min    = 100
      alarm_failed_mfa_5min       = 25
    }
  }

  env = local.settings[var.environment]

  # The browser origins the function answers with CORS headers (CORS_ORIGIN, comma-separated):
  # var.cors_origins when set (e.g. the web app plus a staging site), else the environment's default.
  cors_origins = var.cors_origins != null ? var.cors_origins : local.env.cors_origins

  # The HTTP API's CORS configuration: the same origins, and the methods and headers of the
  # app's CORSAllowList (Sources/LifestyleCore/Support/AppConfig.swift; a static test compares).
  cors = {
    allow_origins   = local.cors_origins
    allow_methods   = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
    allow_headers   = ["authorization", "content-type", "x-request-id", "x-api-key"]
    expose_headers  = ["x-request-id", "retry-after"]
    max_age_seconds = 600
  }

  # SES for Cognito's mail: the workflow passes "" when the GitHub environment sets nothing.
  ses_identity_arn = var.ses_identity_arn == null ? null : var.ses_identity_arn == "" ? null : var.ses_identity_arn
  ses_from_address = local.ses_identity_arn == null ? null : var.ses_from_address

  # Resource names (exact, one place).
  function_name  = "api-handler-${var.environment}"
  ecr_repo_name  = "lifestyle-app-${var.environment}"
  user_pool_name = "ai-lifestyle-users-${var.environment}"
  table_name     = "users-${var.environment}"
  log_group_name = "/aws/lambda/${local.function_name}"

  # Known before the function exists, which breaks the Cognito <-> Lambda cycle
  # (the function needs the pool id; the pool's custom_message trigger needs the
  # function ARN).
  function_arn = "arn:aws:lambda:${var.aws_region}:${var.aws_account_id}:function:${local.function_name}"
  # Traffic (API Gateway, Cognito's triggers) invokes the `live` alias, never $LATEST.
  live_alias_arn = "${local.function_arn}:live"

  # API Gateway routes -> the single function, read from routes.json: `api-handler routes
  # --terraform` writes it from the app's route table (generated from openapi.yaml), and a static test fails when
  # the committed file differs. true = the JWT authorizer guards the route (defence in depth; the
  # app checks the token itself too). No OPTIONS route: with its CORS configuration API Gateway
  # answers every preflight itself.
  routes = jsondecode(file("${path.module}/routes.json"))
}
