# Phase 1 (deploy_lambda = false): ECR, Cognito, DynamoDB, master-key secret, log group, IAM role.
# Phase 3 (deploy_lambda = true):  + Lambda function, HTTP API, alarms.

module "ecr" {
  source          = "./modules/ecr"
  repository_name = local.ecr_repo_name
  function_arn    = local.function_arn
}

module "dynamodb" {
  source              = "./modules/dynamodb"
  table_name          = local.table_name
  deletion_protection = local.env.table_deletion_protected
}

module "cognito" {
  source              = "./modules/cognito"
  user_pool_name      = local.user_pool_name
  deletion_protection = local.env.pool_deletion_protected
  # Trigger only once the function exists (phase 3).
  custom_message_lambda_arn = var.deploy_lambda ? local.live_alias_arn : null
  # Mail through SES when the environment names a verified identity (DEVELOPER), else Cognito's default.
  ses_identity_arn = local.ses_identity_arn
  ses_from_address = local.ses_from_address
}

module "secrets" {
  source               = "./modules/secrets"
  secret_name          = "${local.function_name}-master-key"
  recovery_window_days = local.env.secret_recovery_window_days
  secret_name_prefix   = local.function_name
  api_keys_enabled     = var.enable_api_keys
  edge_enabled         = var.enable_edge
}

module "iam" {
  source         = "./modules/iam"
  role_name      = "${local.function_name}-exec"
  account_id     = var.aws_account_id
  table_arn      = module.dynamodb.table_arn
  user_pool_arn  = module.cognito.user_pool_arn
  log_group_arn  = module.lambda.log_group_arn
  app_secret_arn = module.secrets.secret_arn
  # the API keys' digests, read by the function when the environment requires API keys
  api_keys_secret_arn = module.secrets.api_keys_secret_arn
  # the edge's origin secret, read by the function when the environment has the edge on
  edge_secret_arn = module.secrets.edge_secret_arn

  permissions_boundary_arn = "arn:aws:iam::${var.aws_account_id}:policy/lifestyle-backend-${var.environment}-boundary"
}

module "lambda" {
  source             = "./modules/lambda"
  create_function    = var.deploy_lambda
  function_name      = local.function_name
  log_group_name     = local.log_group_name
  log_retention_days = local.env.log_retention_days
  role_arn           = module.iam.role_arn
  repository_name    = module.ecr.repository_name
  repository_url     = module.ecr.repository_url
  image_tag          = var.image_tag
  architecture       = var.lambda_architecture
  memory_mb          = local.env.lambda_memory_mb
  timeout_s          = local.env.lambda_timeout_s
  user_pool_arn      = module.cognito.user_pool_arn

  environment_variables = merge({
    ENVIRONMENT         = var.environment
    LOG_LEVEL           = local.env.log_level
    CORS_ORIGIN         = join(",", local.cors_origins)
    USERS_TABLE         = module.dynamodb.table_name
    USER_POOL_ID        = module.cognito.user_pool_id
    USER_POOL_CLIENT_ID = module.cognito.client_id
    APP_SECRET_ID       = module.secrets.secret_arn
    # One invocation at a time, but its work hops between threads (the NIO event loop reads an AWS
    # answer, the cooperative pool decodes it) and glibc gives each thread its own arena, each
    # keeping its high-water mark. Two arenas keep peak RSS flat over a container's life (Lambda
    # bench, mixed workload with goals: 20.8 MiB and creeping 1.6 MiB per 2,000 invocations with
    # the default; 19.5 MiB and flat with two).
    MALLOC_ARENA_MAX = "2"
    },
    var.enable_api_keys ? { API_KEYS_SECRET_ID = module.secrets.api_keys_secret_arn } : {},
  var.enable_edge ? { EDGE_SECRET_ID = module.secrets.edge_secret_arn } : {})
}

module "api_gateway" {
  source = "./modules/api_gateway"
  count  = var.deploy_lambda ? 1 : 0

  api_name             = "lifestyle-api-${var.environment}"
  function_name        = module.lambda.function_name
  function_arn         = module.lambda.live_alias_arn
  function_qualifier   = "live"
  routes               = local.routes
  cors                 = local.cors
  jwt_issuer           = module.cognito.issuer_url
  jwt_audience         = [module.cognito.client_id]
  throttle_rate_limit  = local.env.api_throttle_rate
  throttle_burst_limit = local.env.api_throttle_burst
  log_retention_days   = local.env.log_retention_days
}

module "monitoring" {
  source = "./modules/monitoring"
  count  = var.deploy_lambda ? 1 : 0

  name_prefix          = local.function_name
  function_name        = module.lambda.function_name
  api_id               = module.api_gateway[0].api_id
  api_stage            = module.api_gateway[0].stage_name
  error_rate_threshold = local.env.alarm_error_rate_pct
  function_version     = module.lambda.function_version
  alias_name           = "live"
  # a version failing 20 % of its calls must stop a canary in both environments
  canary_error_rate_pct = local.env.alarm_error_rate_pct
  p99_duration_ms       = local.env.alarm_p99_duration_ms
  api_5xx_threshold     = local.env.alarm_5xx_count
  metrics_namespace     = "LifestyleBackend/${var.environment}"
  failed_login_5min     = local.env.alarm_failed_logins_5min
  failed_mfa_5min       = local.env.alarm_failed_mfa_5min
  ses_enabled           = local.ses_identity_arn != null
  account_id            = var.aws_account_id
  region                = var.aws_region
  table_name            = module.dynamodb.table_name
  user_pool_id          = module.cognito.user_pool_id
  user_pool_client_id   = module.cognito.client_id
  subscriptions         = var.alarm_subscriptions
  # a deleted key can be restored for as long as the environment keeps deleted secrets, at least 7 days
  key_deletion_window_days = max(7, local.env.secret_recovery_window_days)
}

# Optional (enable_edge): CloudFront with AWS WAF in front of the HTTP API, and a custom domain.
# An HTTP API takes no WAF web ACL itself, so the WAF sits on a CloudFront distribution whose
# origin is the API; the function refuses requests that did not come through it.
module "edge" {
  source = "./modules/edge"
  count  = var.deploy_lambda && var.enable_edge ? 1 : 0
  providers = {
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix            = local.function_name
  api_endpoint           = module.api_gateway[0].api_endpoint
  origin_secret_arn      = module.secrets.edge_secret_arn
  origin_secret_version  = module.secrets.edge_secret_version_id
  domain_name            = var.edge_domain_name == "" ? null : var.edge_domain_name
  certificate_issued     = var.edge_certificate_issued
  auth_rate_limit_5min   = var.edge_auth_rate_limit_5min
  waf_log_retention_days = local.env.log_retention_days
}
