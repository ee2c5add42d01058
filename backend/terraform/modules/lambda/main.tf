# Exists from phase 1 so retention is ours (not Lambda's never-expire default).
resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:Log group encrypted with the CloudWatch Logs service key; a CMK per environment is not required for application logs that contain no secrets.
  #checkov:skip=CKV_AWS_338:Retention is a per-environment product decision (dev 7 days, prod 30 days), not one year.
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
}

# Fails the plan early if the tag was never pushed (tags are immutable).
data "aws_ecr_image" "selected" {
  count           = var.create_function ? 1 : 0
  repository_name = var.repository_name
  image_tag       = var.image_tag
}

resource "aws_lambda_function" "api" {
  #checkov:skip=CKV_AWS_117:The function only calls public AWS APIs (DynamoDB, Cognito); a VPC would add NAT cost and cold-start latency without reducing exposure.
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway and Cognito only; a DLQ applies to asynchronous invocations.
  #checkov:skip=CKV_AWS_115:Concurrency is bounded by API Gateway stage throttling per environment; reserved concurrency fails on new accounts whose concurrency quota is 10.
  #checkov:skip=CKV_AWS_272:Images come from this environment's immutable, scan-on-push ECR repository via the deploy pipeline; Lambda code signing does not apply to container images.
  #checkov:skip=CKV_AWS_173:Environment variables hold only names and ids (table, pool, client id, log level); no secrets, so the default Lambda service key suffices.
  count = var.create_function ? 1 : 0

  function_name = var.function_name
  role          = var.role_arn
  package_type  = "Image"
  # Pinned by digest: the function runs exactly the image the tag named when it was deployed
  # (what dev smoke-tested, for a promoted prod image), whatever happens to tags later.
  image_uri     = "${var.repository_url}@${data.aws_ecr_image.selected[0].image_digest}"
  architectures = [var.architecture]
  memory_size   = var.memory_mb
  timeout       = var.timeout_s
  # Every change of code or configuration publishes a new immutable version; traffic reaches
  # a version only through the `live` alias, which the deploy script moves after a smoke test.
  publish = true

  # Same as the image's CMD; stated so the function config is explicit.
  image_config {
    command = ["api-handler"]
  }

  environment {
    variables = var.environment_variables
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.function]
}

# The one name traffic uses: API Gateway's integration and Cognito's triggers invoke
# `api-handler-<env>:live`. Terraform creates it on the first published version and then
# leaves it alone: scripts/deploy-phased.sh moves it (smoke test, canary weight, full shift,
# rollback), so a Terraform run never sends traffic to an untested version.
resource "aws_lambda_alias" "live" {
  count = var.create_function ? 1 : 0

  name             = "live"
  description      = "The version that serves traffic (moved by scripts/deploy-phased.sh)"
  function_name    = aws_lambda_function.api[0].function_name
  function_version = aws_lambda_function.api[0].version

  lifecycle {
    ignore_changes = [function_version, routing_config, description]
  }
}

# Cognito may invoke the function's live alias (CustomMessage and pre-token-generation
# triggers) for this pool only.
resource "aws_lambda_permission" "cognito" {
  count = var.create_function ? 1 : 0

  statement_id  = "AllowCognitoCustomMessage"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api[0].function_name
  qualifier     = aws_lambda_alias.live[0].name
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = var.user_pool_arn
}
