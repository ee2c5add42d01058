resource "aws_apigatewayv2_api" "http" {
  name          = var.api_name
  protocol_type = "HTTP"

  # API Gateway answers every preflight itself and puts these headers on every answer: the
  # function's, and the ones it makes without the function (the JWT authorizer's 401, the
  # throttle's 429, a 5xx of the integration), which a browser could not read otherwise and the
  # web client could never refresh on. The origins are the list the function gets as
  # CORS_ORIGIN (locals.tf cors_origins, one source); the rest is the app's CORSAllowList.
  cors_configuration {
    allow_origins  = var.cors.allow_origins
    allow_methods  = var.cors.allow_methods
    allow_headers  = var.cors.allow_headers
    expose_headers = var.cors.expose_headers
    max_age        = var.cors.max_age_seconds
  }
}

resource "aws_apigatewayv2_integration" "lambda" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = var.function_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.http.id
  name             = "cognito-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_route" "protected" {
  for_each = { for key, protected in var.routes : key => protected if protected }

  api_id             = aws_apigatewayv2_api.http.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.lambda.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}

resource "aws_apigatewayv2_route" "public" {
  #checkov:skip=CKV_AWS_309:These routes are public by design (health, sign-up, login, token refresh, password reset, MFA challenge, CORS preflight); protected routes use the JWT authorizer.
  for_each = { for key, protected in var.routes : key => protected if !protected }

  api_id    = aws_apigatewayv2_api.http.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.lambda.id}"
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:Access logs are encrypted with the CloudWatch Logs service key; no customer KMS key per environment.
  #checkov:skip=CKV_AWS_338:Retention follows the per-environment setting (dev 7 days, prod 30 days).
  name              = "/aws/apigateway/${var.api_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId   = "$context.requestId"
      ip          = "$context.identity.sourceIp"
      requestTime = "$context.requestTime"
      httpMethod  = "$context.httpMethod"
      # the route's template, never the request's path: a path can carry an email
      # (GET /v1/users/by-email/{email}), and raw emails never reach a log line
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      integrationStatus  = "$context.integrationStatus"
      integrationError   = "$context.integrationErrorMessage"
      authorizerError    = "$context.authorizer.error"
      userAgent          = "$context.identity.userAgent"
    })
  }

  depends_on = [aws_apigatewayv2_route.public, aws_apigatewayv2_route.protected]
}

resource "aws_lambda_permission" "apigw" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.function_qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}
